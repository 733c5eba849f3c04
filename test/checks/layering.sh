#!/usr/bin/env bash
# scripts/check-layering must pass on src/ as it is and fail, naming the
# include at fault, on a copy of src/ with a deliberate violation: an upward
# include, a sibling include, an include cycle between layers, a private
# header used from outside its layer, an upward include reached through
# another header, a file no layer covers, and a stale [allow] entry.
# The probes are new files (and one line added to an existing analysis
# file), so the test does not depend on how the files of a layer are named.
# Prints TAP; scripts/test runs it in the static suite.
source "$(dirname "$0")/tap.bash"
check=$root/scripts/check-layering
target=$work/src

fresh() {	# a clean copy of src/ in $work/src
    rm -rf "$work/src" && cp -r "$root/src" "$work/src"
}

probe() {	# probe FILE [INCLUDED...]: a new source file including others
    local f=$work/src/$1
    shift
    mkdir -p "$(dirname "$f")"
    : >"$f"
    local h
    for h in "$@"; do printf '#include "%s"\n' "$h" >>"$f"; done
}

fresh
run
expect_success "a clean copy of src/ passes"

# Upward: one line added to an existing analysis file.
fresh
file=$(cd "$work/src" && ls analysis/*.c | head -1)
hook_h=$(cd "$work/src" && ls hook/*.h | head -1)
echo "#include \"$hook_h\"" >>"$work/src/$file"
line=$(wc -l <"$work/src/$file")
run
expect_failure "upward include" "src/$file:$line: includes $hook_h: analysis may not include hook"

# Sideways: policy and exec are independent siblings.
fresh
probe exec/zz_side.h
probe policy/zz_side.c exec/zz_side.h
run
expect_failure "sibling include" "src/policy/zz_side.c:1: includes exec/zz_side.h: policy may not include exec"

# A cycle between layers: hook/zz_a.c -> exec/zz_b.h, exec/zz_b.c -> hook/zz_a.h.
fresh
probe hook/zz_a.h
probe exec/zz_b.h
probe hook/zz_a.c exec/zz_b.h
probe exec/zz_b.c hook/zz_a.h
run
expect_failure "include cycle" "include cycle between layers exec, hook" \
    "src/exec/zz_b.c:1 includes hook/zz_a.h -> src/hook/zz_a.c:1 includes exec/zz_b.h"

# A header that log keeps to itself.
fresh
probe log/zz_private.h
probe hook/zz_user.c log/zz_private.h
run
expect_failure "private header" "src/hook/zz_user.c:1: includes log/zz_private.h: log/zz_private.h is private to log"

# Transitive: a policy file reaches hook through a policy header.
fresh
probe hook/zz_top.h
probe policy/zz_mid.h hook/zz_top.h
probe policy/zz_low.c policy/zz_mid.h
run
expect_failure "upward include through a header" \
    "src/policy/zz_mid.h:1: includes hook/zz_top.h: policy may not include hook" \
    "reached from src/policy/zz_low.c:1 includes policy/zz_mid.h -> src/policy/zz_mid.h:1 includes hook/zz_top.h"

# A file outside every declared layer.
fresh
probe newlayer/zz_new.c
run
expect_failure "uncovered file" "newlayer/zz_new.c: not covered by any layer"

# The ratchet: an allow entry that matches nothing.
fresh
printf '%s\n' "hook/zz_gone.c -> exec/zz_gone.h" >>"$work/src/LAYERS"
run
expect_failure "stale allow entry" "allow entry hook/zz_gone.c -> exec/zz_gone.h matches no violation any more"

done_testing
