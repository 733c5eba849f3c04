#!/usr/bin/env bash
# scripts/check-docs must pass on the tree as it is and fail, naming the
# place to fix, on a copy with a deliberate gap: a broken link, a link to a
# missing heading, a rule without its page, a rule missing from the rules
# index, a rule page or index row with another default action than the
# rule table, a page for a rule that does not exist, a page no link reaches,
# and a setting defined in C but documented nowhere.  Prints TAP; scripts/test
# runs it in the static suite.
source "$(dirname "$0")/tap.bash"
check=$root/scripts/check-docs
target=$work/tree

fresh() {	# a clean copy of what the check reads, in $work/tree
    rm -rf "$work/tree" && mkdir -p "$work/tree"
    cp -r "$root/README.md" "$root/docs" "$root/src" "$work/tree/"
    # the rest only as link targets: never written, so linked, not copied
    local f
    for f in "$root"/*; do
        [ -e "$work/tree/$(basename "$f")" ] || ln -s "$f" "$work/tree/"
    done
}

# The rule the probes use: the first page of the rules index.
rule=$(grep -oE '\]\([a-z0-9-]+\.md\)' "$root/docs/rules/README.md" | head -1 | sed -E 's/^\]\((.*)\.md\)$/\1/')
[ -n "$rule" ]
ok $? "the rules index links to rule pages (first: $rule)"

fresh
run
expect_success "the tree as it is passes"

fresh
printf '\nSee [the missing page](no-such-page.md).\n' >>"$work/tree/docs/cookbook.md"
line=$(wc -l <"$work/tree/docs/cookbook.md")
run
expect_failure "broken link" "docs/cookbook.md:$line: link to no-such-page.md: no such file"

fresh
printf '\nSee [a heading that is not there](lock-log.md#no-such-heading).\n' >>"$work/tree/docs/cookbook.md"
line=$(wc -l <"$work/tree/docs/cookbook.md")
run
expect_failure "broken anchor" \
    "docs/cookbook.md:$line: link to lock-log.md#no-such-heading: docs/lock-log.md has no heading with anchor #no-such-heading"

fresh
printf '\n[the settings](#no-such-setting-section)\n' >>"$work/tree/README.md"
run
expect_failure "broken anchor in the README" "README.md:" "link to #no-such-setting-section"

fresh
rm "$work/tree/docs/rules/$rule.md"
run
expect_failure "missing rule page" "docs/rules/$rule.md: missing: every rule has a page"

fresh
sed -i "s/($rule\.md)/(elsewhere.md)/" "$work/tree/docs/rules/README.md"
run
expect_failure "rule missing from the index" "docs/rules/README.md: does not link to $rule.md"

fresh
action=$(sed -nE 's/^\| default action \| \*\*([a-z]+)\*\*.*/\1/p' "$root/docs/rules/$rule.md")
other=$([ "$action" = warn ] && echo reject || echo warn)
sed -i -E "s/^(\| default action \| \*\*)$action/\1$other/" "$work/tree/docs/rules/$rule.md"
sed -i -E "/^\| \[\`$rule\`\]/s/\| $action \|/| $other |/" "$work/tree/docs/rules/README.md"
run
expect_failure "default action out of date" \
    "docs/rules/$rule.md: the table's \"default action\" row says $other, src/policy/rules.c says $action" \
    "docs/rules/README.md: the row of $rule does not give its default action $action"

fresh
printf '# zz-no-such-rule\n' >"$work/tree/docs/rules/zz-no-such-rule.md"
run
expect_failure "page of no rule" "docs/rules/zz-no-such-rule.md: no rule of that name"

fresh
printf '# A page nobody links to\n' >"$work/tree/docs/zz-orphan.md"
run
expect_failure "orphan page" "docs/zz-orphan.md: not reachable from README.md"

fresh
cat >"$work/tree/src/zz_probe.c" <<'EOF'
static void
zz_probe(void)
{
	DefineCustomBoolVariable("safe_ddl.zz_probe", "", NULL, NULL, false,
							 PGC_SUSET, 0, NULL, NULL, NULL);
}
EOF
run
expect_failure "undocumented setting" \
    "docs/: setting safe_ddl.zz_probe is defined in src/ but documented in no page of docs/" \
    "README.md: setting safe_ddl.zz_probe has no row in the settings table"

done_testing
