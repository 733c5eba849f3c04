/*-------------------------------------------------------------------------
 *
 * rules.c
 *	  The rules catalogue (see rules.h).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/policy/rules.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "policy/rules.h"

/*
 * One entry per SddlRuleId, indexed by it, kept sorted by name; the
 * README's rules reference and the safe_ddl.rules view are generated from
 * the same data.
 */
const SddlRule sddl_rules[] = {
	[SDDL_RULE_ADDING_FIELD_WITH_DEFAULT] = {"adding-field-with-default",
		"ADD COLUMN with a volatile default rewrites the whole table under ACCESS EXCLUSIVE.",
	"AccessExclusiveLock", SDDL_ACTION_REJECT, false},
	[SDDL_RULE_ADDING_NOT_NULLABLE_FIELD] = {"adding-not-nullable-field",
		"SET NOT NULL scans the whole table under ACCESS EXCLUSIVE unless a validated CHECK (col IS NOT NULL) exists.",
	"AccessExclusiveLock", SDDL_ACTION_REWRITE, true},
	[SDDL_RULE_ADDING_REQUIRED_FIELD] = {"adding-required-field",
		"ADD COLUMN ... NOT NULL without a DEFAULT scans the whole table under ACCESS EXCLUSIVE and fails if it has rows.",
	"AccessExclusiveLock", SDDL_ACTION_WARN, false},
	[SDDL_RULE_ADDING_STORED_GENERATED_COLUMN] = {"adding-stored-generated-column",
		"ADD COLUMN ... GENERATED ALWAYS AS ... STORED rewrites the whole table under ACCESS EXCLUSIVE.",
	"AccessExclusiveLock", SDDL_ACTION_REJECT, false},
	[SDDL_RULE_ATTACH_PARTITION_SCAN] = {"attach-partition-scan",
		"ATTACH PARTITION scans the partition under ACCESS EXCLUSIVE unless a validated CHECK implies the partition bound.",
	"AccessExclusiveLock", SDDL_ACTION_REJECT, false},
	[SDDL_RULE_BACKFILL_UNDER_EXCLUSIVE_LOCK] = {"backfill-under-exclusive-lock",
		"An UPDATE, DELETE, INSERT ... SELECT, MERGE or COPY FROM writing many rows of a big table in a transaction that holds a lock blocking the application keeps that lock for the whole backfill.",
	"AccessExclusiveLock", SDDL_ACTION_REJECT, false},
	[SDDL_RULE_CHANGING_COLUMN_TYPE] = {"changing-column-type",
		"ALTER COLUMN ... TYPE that is not binary coercible rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE.",
	"AccessExclusiveLock", SDDL_ACTION_REJECT, false},
	[SDDL_RULE_CONSTRAINT_MISSING_NOT_VALID] = {"constraint-missing-not-valid",
		"ADD CONSTRAINT CHECK or FOREIGN KEY without NOT VALID scans the whole table while blocking writes.",
	"ShareRowExclusiveLock", SDDL_ACTION_REWRITE, true},
	[SDDL_RULE_DISALLOWED_CLUSTER] = {"disallowed-cluster",
		"CLUSTER rewrites the table under ACCESS EXCLUSIVE; there is no online equivalent in core PostgreSQL.",
	"AccessExclusiveLock", SDDL_ACTION_REJECT, false},
	[SDDL_RULE_DISALLOWED_EXCLUSION_CONSTRAINT] = {"disallowed-exclusion-constraint",
		"ADD CONSTRAINT ... EXCLUDE builds an index under ACCESS EXCLUSIVE and cannot be built concurrently.",
	"AccessExclusiveLock", SDDL_ACTION_REJECT, false},
	[SDDL_RULE_DISALLOWED_UNIQUE_CONSTRAINT] = {"disallowed-unique-constraint",
		"ADD CONSTRAINT UNIQUE or PRIMARY KEY without USING INDEX builds an index under ACCESS EXCLUSIVE.",
	"AccessExclusiveLock", SDDL_ACTION_REWRITE, true},
	[SDDL_RULE_DISALLOWED_VACUUM_FULL] = {"disallowed-vacuum-full",
		"VACUUM FULL rewrites the table under ACCESS EXCLUSIVE.",
	"AccessExclusiveLock", SDDL_ACTION_REJECT, false},
	[SDDL_RULE_RENAMING_COLUMN] = {"renaming-column",
		"RENAME COLUMN breaks application code that still uses the old name.",
	"AccessExclusiveLock", SDDL_ACTION_WARN, false},
	[SDDL_RULE_RENAMING_TABLE] = {"renaming-table",
		"RENAME of a table breaks application code that still uses the old name.",
	"AccessExclusiveLock", SDDL_ACTION_WARN, false},
	[SDDL_RULE_REQUIRE_CONCURRENT_DETACH_PARTITION] = {"require-concurrent-detach-partition",
		"DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the partitioned table.",
	"AccessExclusiveLock", SDDL_ACTION_REWRITE, true},
	[SDDL_RULE_REQUIRE_CONCURRENT_INDEX_CREATION] = {"require-concurrent-index-creation",
		"CREATE INDEX without CONCURRENTLY blocks writes for the whole index build.",
	"ShareLock", SDDL_ACTION_REWRITE, true},
	[SDDL_RULE_REQUIRE_CONCURRENT_INDEX_DELETION] = {"require-concurrent-index-deletion",
		"DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table.",
	"AccessExclusiveLock", SDDL_ACTION_REWRITE, true},
	[SDDL_RULE_REQUIRE_CONCURRENT_REFRESH] = {"require-concurrent-refresh",
		"REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of the view for the whole refresh.",
	"AccessExclusiveLock", SDDL_ACTION_REWRITE, true},
	[SDDL_RULE_REQUIRE_CONCURRENT_REINDEX] = {"require-concurrent-reindex",
		"REINDEX without CONCURRENTLY blocks writes to the table (and reads that use the index) for the whole rebuild.",
	"ShareLock", SDDL_ACTION_REWRITE, true},
	[SDDL_RULE_REWRITING_TABLE] = {"rewriting-table",
		"SET LOGGED/UNLOGGED, SET TABLESPACE and SET ACCESS METHOD rewrite the table under ACCESS EXCLUSIVE.",
	"AccessExclusiveLock", SDDL_ACTION_REJECT, false},
	[SDDL_RULE_SCAN_UNDER_EXCLUSIVE_LOCK] = {"scan-under-exclusive-lock",
		"A statement that scans the whole table while this transaction already holds ACCESS EXCLUSIVE on it blocks all access for the scan.",
	"AccessExclusiveLock", SDDL_ACTION_REJECT, false},
};

const int	sddl_rule_count = lengthof(sddl_rules);

StaticAssertDecl(lengthof(sddl_rules) == SDDL_RULE_COUNT,
				 "every SddlRuleId has exactly one rule table entry");

/*
 * The rule of a finding.
 */
const SddlRule *
sddl_rule(SddlRuleId id)
{
	Assert(id >= 0 && id < SDDL_RULE_COUNT);
	return &sddl_rules[id];
}

/*
 * Find a rule by name; NULL when there is none.
 */
const SddlRule *
sddl_rule_lookup(const char *name)
{
	for (int i = 0; i < sddl_rule_count; i++)
	{
		if (strcmp(sddl_rules[i].name, name) == 0)
			return &sddl_rules[i];
	}
	return NULL;
}

/*
 * The word used for an action in check() output and the lock log.
 */
const char *
sddl_action_name(SddlAction action)
{
	switch (action)
	{
		case SDDL_ACTION_ALLOW:
			return "allow";
		case SDDL_ACTION_WARN:
			return "warn";
		case SDDL_ACTION_REWRITE:
			return "rewrite";
		case SDDL_ACTION_REJECT:
			return "reject";
	}
	return "unknown";
}
