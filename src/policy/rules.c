/*-------------------------------------------------------------------------
 *
 * rules.c
 *	  The rule table (see rules.h).
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

/* Common endings of the per-framework hints. */
#define DJ_ATOMIC_FALSE "in a migration with atomic = False"
#define RAILS_NO_TX "with disable_ddl_transaction! in the migration"
#define ALEMBIC_AUTOCOMMIT "inside \"with op.get_context().autocommit_block():\""

/*
 * ALTER CONSTRAINT ... ENFORCED (PostgreSQL 18) enforces a constraint that
 * exists already, NOT ENFORCED and so never validated: it validates it with
 * a scan under the statement's lock.  It has no NOT VALID form; dropping
 * the constraint and adding it again NOT VALID in one statement does not
 * scan, and VALIDATE CONSTRAINT then scans under SHARE UPDATE EXCLUSIVE.
 */
static const SddlRuleForm sddl_enforcing_constraint = {
	.op_named = "enforcing constraint \"%s\" of table \"%s\"",
	.op_unnamed = "enforcing a constraint of table \"%s\"",
	.instead = "ALTER CONSTRAINT ... ENFORCED has no NOT VALID form: in one ALTER TABLE statement, drop the constraint and add it back with NOT VALID (ALTER TABLE ... DROP CONSTRAINT c, ADD CONSTRAINT c ... NOT VALID), then run ALTER TABLE ... VALIDATE CONSTRAINT in a separate transaction.",
	.django = "Django: RunSQL with that ALTER TABLE, then VALIDATE CONSTRAINT in a separate migration.",
	.rails = "Rails: execute that ALTER TABLE, then validate_foreign_key or validate_check_constraint in a separate migration.",
	.alembic = "Alembic: op.execute() that ALTER TABLE, then the VALIDATE CONSTRAINT in a separate revision (transaction_per_migration=True).",
};

/*
 * One entry per SddlRuleId, indexed by it, kept sorted by name: everything
 * about a rule (its name, description, lock, default action, the texts of
 * its messages and the per-framework hints) is here, so that adding or
 * rewording a rule touches one entry.  The safe_ddl.rules view is built
 * from this table; the pages of docs/rules/ are written by hand, and
 * scripts/check-docs fails when one is missing or names another default
 * action than the entry here.
 */
const SddlRule sddl_rules[] = {
	[SDDL_RULE_ADDING_FIELD_WITH_DEFAULT] = {"adding-field-with-default",
		.description = "ADD COLUMN with a volatile default rewrites the whole table under ACCESS EXCLUSIVE.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REJECT,
		.op_named = "adding column \"%s\" with a volatile default to table \"%s\"",
		.op_unnamed = "adding a column with a volatile default to table \"%s\"",
		.duration = "while it rewrites the whole table",
		.instead = "Add the column without a default or with a constant one, then backfill existing rows in batches.",
		.django = "Django: add the field as null=True without a database default, backfill it in batches with RunPython in separate migrations, then make it NOT NULL.",
		.rails = "Rails: add_column without a default, backfill in batches (disable_ddl_transaction!), then change_column_default.",
		.alembic = "Alembic: op.add_column() without server_default, backfill in batches, then op.alter_column(server_default=...).",
	},
	[SDDL_RULE_ADDING_NOT_NULLABLE_FIELD] = {"adding-not-nullable-field",
		.description = "SET NOT NULL scans the whole table under ACCESS EXCLUSIVE unless a validated CHECK (col IS NOT NULL) exists.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REWRITE,
		.has_rewrite = true,
		.op_named = "setting column \"%s\" of table \"%s\" NOT NULL",
		.op_unnamed = "adding a NOT NULL column to table \"%s\"",
		.duration = "while it scans the whole table for nulls",
		.instead = "Add a CHECK (col IS NOT NULL) constraint NOT VALID, validate it, then SET NOT NULL, which uses the validated CHECK instead of scanning.",
		.django = "Django: use SeparateDatabaseAndState: in the database, RunSQL adding CHECK (col IS NOT NULL) NOT VALID; in a later migration VALIDATE it, SET NOT NULL and drop the CHECK; keep AlterField in state_operations.",
		.rails = "Rails: add_check_constraint :table, \"col IS NOT NULL\", validate: false; in a later migration validate_check_constraint, change_column_null and remove_check_constraint.",
		.alembic = "Alembic: op.execute() the statements above, the CHECK ... NOT VALID in one revision and the rest in a later one (transaction_per_migration=True).",
	},
	[SDDL_RULE_ADDING_REQUIRED_FIELD] = {"adding-required-field",
		.description = "ADD COLUMN ... NOT NULL without a DEFAULT scans the whole table under ACCESS EXCLUSIVE and fails if it has rows.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_WARN,
		.op_named = "adding NOT NULL column \"%s\" without a default to table \"%s\"",
		.op_unnamed = "adding a NOT NULL column without a default to table \"%s\"",
		.duration = "while it scans the whole table for rows (and fails if it finds any)",
		.instead = "Add the column with a constant DEFAULT (no rewrite since PostgreSQL 11), or add it nullable and set NOT NULL later.",
		.django = "Django: give the field a default (Django 5 db_default, or a default that AddField sends once), or add it null=True and make it NOT NULL later.",
		.rails = "Rails: add_column with a default:, or add it nullable and change_column_null later.",
		.alembic = "Alembic: op.add_column() with a server_default, or nullable=True and op.alter_column(nullable=False) later.",
	},
	[SDDL_RULE_ADDING_STORED_GENERATED_COLUMN] = {"adding-stored-generated-column",
		.description = "ADD COLUMN ... GENERATED ALWAYS AS ... STORED rewrites the whole table under ACCESS EXCLUSIVE.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REJECT,
		.op_named = "adding stored generated column \"%s\" to table \"%s\"",
		.op_unnamed = "adding a stored generated column to table \"%s\"",
		.duration = "while it rewrites the whole table",
		.instead = "Add a plain column, backfill it in batches, and keep it up to date with a trigger.",
		.django = "Django: add a plain field, backfill it in batches and keep it up to date in the application or with a trigger (RunSQL).",
		.rails = "Rails: add a plain column, backfill it in batches and maintain it with a trigger.",
		.alembic = "Alembic: add a plain column, backfill it in batches and maintain it with a trigger.",
	},
	[SDDL_RULE_ATTACH_PARTITION_SCAN] = {"attach-partition-scan",
		.description = "ATTACH PARTITION scans the partition under ACCESS EXCLUSIVE unless a validated CHECK implies the partition bound.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REJECT,
		.op_named = "attaching partition \"%s\" to table \"%s\"",
		.op_unnamed = "attaching a partition to table \"%s\"",
		.op_args = SDDL_OP_REL_PARENT,
		.duration = "while it scans the partition to check its bound",
		.instead = "Add to the partition a CHECK constraint that implies the partition bound (NOT VALID, then VALIDATE CONSTRAINT): ATTACH PARTITION then skips the scan.",
		.django = "Django: in RunSQL migrations, first add to the partition a CHECK constraint matching its bound with NOT VALID and validate it, then attach it.",
		.rails = "Rails: add_check_constraint on the partition matching its bound with validate: false, validate_check_constraint, then attach it.",
		.alembic = "Alembic: op.execute() the NOT VALID CHECK matching the bound, VALIDATE it, then ATTACH PARTITION.",
	},
	/*
	 * Decided on data-modifying statements, not on utility statements: its
	 * messages are put together by policy/backfill.c, not messages.c.
	 */
	[SDDL_RULE_BACKFILL_UNDER_EXCLUSIVE_LOCK] = {"backfill-under-exclusive-lock",
		.description = "An UPDATE, DELETE, INSERT ... SELECT, MERGE or COPY FROM writing many rows of a big table in a transaction that holds a lock blocking the application keeps that lock for the whole backfill.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REJECT,
	},
	[SDDL_RULE_CHANGING_COLUMN_TYPE] = {"changing-column-type",
		.description = "ALTER COLUMN ... TYPE that is not binary coercible rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REJECT,
		.op_named = "changing the type of column \"%s\" of table \"%s\"",
		.op_unnamed = "changing the type of a column of table \"%s\"",
		.duration = "while it rewrites the whole table and rebuilds its indexes",
		.instead = "Add a new column of the new type, backfill it in batches, switch the application to it, then drop the old column.",
		.django = "Django: add a new field of the new type, backfill it in batches, switch the code to it, then remove the old field.",
		.rails = "Rails: add a new column, backfill it in batches, switch the code (ignored_columns), then remove the old column.",
		.alembic = "Alembic: add a new column, backfill it in batches, switch the code, then drop the old column.",
	},
	[SDDL_RULE_CONSTRAINT_MISSING_NOT_VALID] = {"constraint-missing-not-valid",
		.description = "ADD CONSTRAINT CHECK or FOREIGN KEY without NOT VALID scans the whole table while blocking writes.",
		.typical_lock = "ShareRowExclusiveLock",
		.default_action = SDDL_ACTION_REWRITE,
		.has_rewrite = true,
		.defer_kind = SDDL_DEFER_VALIDATION,
		.op_named = "adding constraint \"%s\" to table \"%s\"",
		.op_unnamed = "adding a constraint to table \"%s\"",
		.enforcing = &sddl_enforcing_constraint,
		.duration = "while it scans the whole table to validate the constraint",
		.instead = "Add the constraint in its own ALTER TABLE statement with NOT VALID, then run ALTER TABLE ... VALIDATE CONSTRAINT in a separate transaction.",
		.django = "Django: add the constraint with NOT VALID (RunSQL inside SeparateDatabaseAndState, keeping AddConstraint or the field in state_operations), then VALIDATE CONSTRAINT in a separate migration.",
		.rails = "Rails: add_foreign_key or add_check_constraint with validate: false, then validate_foreign_key or validate_check_constraint in a separate migration.",
		.alembic = "Alembic: op.execute() the ADD CONSTRAINT ... NOT VALID, then the VALIDATE CONSTRAINT in a separate revision (transaction_per_migration=True).",
	},
	[SDDL_RULE_DISALLOWED_CLUSTER] = {"disallowed-cluster",
		.description = "CLUSTER rewrites the table under ACCESS EXCLUSIVE; there is no online equivalent in core PostgreSQL.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REJECT,
		.op_named = "clustering table \"%s\" on index \"%s\"",
		.op_unnamed = "clustering table \"%s\"",
		.op_args = SDDL_OP_REL_OBJECT,
		.duration = "while it rewrites the whole table",
		.instead = "Use pg_repack or pg_squeeze to reorder the table online, or run CLUSTER in a maintenance window.",
	},
	[SDDL_RULE_DISALLOWED_EXCLUSION_CONSTRAINT] = {"disallowed-exclusion-constraint",
		.description = "ADD CONSTRAINT ... EXCLUDE builds an index under ACCESS EXCLUSIVE and cannot be built concurrently.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REJECT,
		.op_named = "adding exclusion constraint \"%s\" to table \"%s\"",
		.op_unnamed = "adding an exclusion constraint to table \"%s\"",
		.duration = "for the whole index build",
		.instead = "An exclusion constraint cannot be built concurrently: add it in a maintenance window, or enforce the rule in the application.",
	},
	[SDDL_RULE_DISALLOWED_UNIQUE_CONSTRAINT] = {"disallowed-unique-constraint",
		.description = "ADD CONSTRAINT UNIQUE or PRIMARY KEY without USING INDEX builds an index under ACCESS EXCLUSIVE.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REWRITE,
		.has_rewrite = true,
		.op_named = "adding unique constraint \"%s\" to table \"%s\"",
		.op_unnamed = "adding a unique constraint to table \"%s\"",
		.op_named_pk = "adding primary key \"%s\" to table \"%s\"",
		.op_unnamed_pk = "adding a primary key to table \"%s\"",
		.duration = "for the whole index build",
		.instead = "Create a unique index with CREATE UNIQUE INDEX CONCURRENTLY, then add the constraint with ALTER TABLE ... ADD CONSTRAINT ... USING INDEX; for a primary key, make its columns NOT NULL first (safe_ddl runs SET NOT NULL safely in autocommit).",
		.django = "Django: use SeparateDatabaseAndState " DJ_ATOMIC_FALSE ": in database_operations, RunSQL with the statements above; in state_operations, the AddConstraint or AlterField.",
		.rails = "Rails: add_index ..., unique: true, algorithm: :concurrently " RAILS_NO_TX ", then execute the ADD CONSTRAINT ... USING INDEX.",
		.alembic = "Alembic: op.create_index(..., unique=True, postgresql_concurrently=True) " ALEMBIC_AUTOCOMMIT ", then op.execute() the ADD CONSTRAINT ... USING INDEX.",
	},
	[SDDL_RULE_DISALLOWED_VACUUM_FULL] = {"disallowed-vacuum-full",
		.description = "VACUUM FULL rewrites the table under ACCESS EXCLUSIVE.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REJECT,
		.op_named = "running VACUUM FULL on table \"%s\"",
		.op_unnamed = "running VACUUM FULL on table \"%s\"",
		.op_args = SDDL_OP_REL_ONLY,
		.duration = "while it rewrites the whole table",
		.instead = "Use plain VACUUM, or pg_repack or pg_squeeze to compact the table online.",
	},
	[SDDL_RULE_RENAMING_COLUMN] = {"renaming-column",
		.description = "RENAME COLUMN breaks application code that still uses the old name.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_WARN,
		.op_named = "renaming column \"%s\" of table \"%s\"",
		.op_unnamed = "renaming a column of table \"%s\"",
		.breaks_code = true,
		.duration = "briefly",
		.instead = "Make sure no running application code uses the old name, or rename in steps (new column, backfill, switch, drop).",
		.django = "Django: deploy code that no longer uses the old name first, or use SeparateDatabaseAndState with db_column to keep the database name.",
		.rails = "Rails: add the column to ignored_columns and deploy before renaming.",
		.alembic = "Alembic: deploy code that no longer uses the old name before renaming.",
	},
	[SDDL_RULE_RENAMING_TABLE] = {"renaming-table",
		.description = "RENAME of a table breaks application code that still uses the old name.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_WARN,
		.op_named = "renaming table \"%s\"",
		.op_unnamed = "renaming table \"%s\"",
		.op_args = SDDL_OP_REL_ONLY,
		.breaks_code = true,
		.duration = "briefly",
		.instead = "Make sure no running application code uses the old name, or leave a view with the old name behind.",
		.django = "Django: set Meta.db_table to the old name instead of renaming, or deploy code that no longer uses it first.",
		.rails = "Rails: set self.table_name to the old name, or deploy code that no longer uses it first.",
		.alembic = "Alembic: deploy code that no longer uses the old name before renaming.",
	},
	[SDDL_RULE_REQUIRE_CONCURRENT_DETACH_PARTITION] = {"require-concurrent-detach-partition",
		.description = "DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the partitioned table.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REWRITE,
		.has_rewrite = true,
		.op_named = "detaching partition \"%s\" from table \"%s\"",
		.op_unnamed = "detaching a partition from table \"%s\"",
		.duration = "until it has waited for every query on the table",
		.instead = "Remove the default partition first: DETACH PARTITION ... CONCURRENTLY is not possible while one exists.",
		.django = "Django: RunSQL with the statement above " DJ_ATOMIC_FALSE ".",
		.rails = "Rails: execute the statement above " RAILS_NO_TX ".",
		.alembic = "Alembic: op.execute() the statement above " ALEMBIC_AUTOCOMMIT ".",
	},
	[SDDL_RULE_REQUIRE_CONCURRENT_INDEX_CREATION] = {"require-concurrent-index-creation",
		.description = "CREATE INDEX without CONCURRENTLY blocks writes for the whole index build.",
		.typical_lock = "ShareLock",
		.default_action = SDDL_ACTION_REWRITE,
		.has_rewrite = true,
		.defer_kind = SDDL_DEFER_INDEX,
		.op_named = "creating index \"%s\" on table \"%s\"",
		.op_unnamed = "creating an index on table \"%s\"",
		.duration = "for the whole index build",
		.instead = "Indexes on partitioned tables cannot be built concurrently: create the index concurrently on each partition, then on the parent with ON ONLY and ATTACH PARTITION.",
		.django = "Django: use AddIndexConcurrently (django.contrib.postgres.operations) " DJ_ATOMIC_FALSE "; for an index Django creates with a field, use SeparateDatabaseAndState with AddIndexConcurrently or RunSQL in database_operations.",
		.rails = "Rails: add_index ..., algorithm: :concurrently " RAILS_NO_TX ".",
		.alembic = "Alembic: op.create_index(..., postgresql_concurrently=True) " ALEMBIC_AUTOCOMMIT ".",
	},
	[SDDL_RULE_REQUIRE_CONCURRENT_INDEX_DELETION] = {"require-concurrent-index-deletion",
		.description = "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REWRITE,
		.has_rewrite = true,
		.op_named = "dropping index \"%s\" of table \"%s\"",
		.op_unnamed = "dropping an index of table \"%s\"",
		.duration = "until it has waited for every query on the table",
		.instead = "Drop one index per statement, without CASCADE, so that it can be dropped concurrently; an index of a partitioned table cannot be dropped concurrently and needs a quiet moment.",
		.django = "Django: use RemoveIndexConcurrently (django.contrib.postgres.operations) " DJ_ATOMIC_FALSE ".",
		.rails = "Rails: remove_index ..., algorithm: :concurrently " RAILS_NO_TX ".",
		.alembic = "Alembic: op.drop_index(..., postgresql_concurrently=True) " ALEMBIC_AUTOCOMMIT ".",
	},
	[SDDL_RULE_REQUIRE_CONCURRENT_REFRESH] = {"require-concurrent-refresh",
		.description = "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of the view for the whole refresh.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REWRITE,
		.has_rewrite = true,
		.op_named = "refreshing materialized view \"%s\"",
		.op_unnamed = "refreshing materialized view \"%s\"",
		.op_args = SDDL_OP_REL_ONLY,
		.duration = "for the whole refresh",
		.instead = "Give the materialized view a unique index on plain columns, without WHERE clause, so that it can be refreshed concurrently.",
		.django = "Django: RunSQL with the statement above " DJ_ATOMIC_FALSE ".",
		.rails = "Rails: execute the statement above " RAILS_NO_TX ".",
		.alembic = "Alembic: op.execute() the statement above " ALEMBIC_AUTOCOMMIT ".",
	},
	[SDDL_RULE_REQUIRE_CONCURRENT_REINDEX] = {"require-concurrent-reindex",
		.description = "REINDEX without CONCURRENTLY blocks writes to the table (and reads that use the index) for the whole rebuild.",
		.typical_lock = "ShareLock",
		.default_action = SDDL_ACTION_REWRITE,
		.has_rewrite = true,
		.op_named = "reindexing index \"%s\" of table \"%s\"",
		.op_unnamed = "reindexing table \"%s\"",
		.duration = "for the whole rebuild",
		.instead = "REINDEX SCHEMA, DATABASE and SYSTEM are not rewritten: reindex each table with REINDEX TABLE ... CONCURRENTLY outside a transaction block; system catalogs cannot be reindexed concurrently and need a maintenance window.",
		.django = "Django: RunSQL with the statement above " DJ_ATOMIC_FALSE ".",
		.rails = "Rails: execute the statement above " RAILS_NO_TX ".",
		.alembic = "Alembic: op.execute() the statement above " ALEMBIC_AUTOCOMMIT ".",
	},
	[SDDL_RULE_REQUIRE_CONCURRENT_REPACK] = {"require-concurrent-repack",
		.description = "On PostgreSQL 19, VACUUM FULL, CLUSTER and REPACK without CONCURRENTLY rewrite the table under ACCESS EXCLUSIVE where REPACK (CONCURRENTLY) could rewrite it online.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REWRITE,
		.has_rewrite = true,
		.op_named = "rewriting table \"%s\" with %s",
		.op_unnamed = "rewriting table \"%s\"",
		.op_args = SDDL_OP_REL_OBJECT,
		.duration = "while it rewrites the whole table",
		.instead = "REPACK (CONCURRENTLY) rewrites one permanent table that has a primary key (not deferrable) or a REPLICA IDENTITY USING INDEX, on a server with wal_level replica or logical: repack a partitioned table one partition at a time, give the table such a key, or use pg_repack or pg_squeeze or a maintenance window.",
		.django = "Django: RunSQL with the statement above " DJ_ATOMIC_FALSE ".",
		.rails = "Rails: execute the statement above " RAILS_NO_TX ".",
		.alembic = "Alembic: op.execute() the statement above " ALEMBIC_AUTOCOMMIT ".",
	},
	[SDDL_RULE_REWRITING_TABLE] = {"rewriting-table",
		.description = "SET LOGGED/UNLOGGED, SET TABLESPACE and SET ACCESS METHOD rewrite the table under ACCESS EXCLUSIVE.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REJECT,
		.op_named = "rewriting table \"%s\" (%s)",
		.op_unnamed = "rewriting table \"%s\"",
		.op_args = SDDL_OP_REL_OBJECT,
		.duration = "while it rewrites the whole table",
		.instead = "Use pg_repack or pg_squeeze to rewrite the table online, or create a new table, copy the data in batches and swap.",
	},
	[SDDL_RULE_SCAN_UNDER_EXCLUSIVE_LOCK] = {"scan-under-exclusive-lock",
		.description = "A statement that scans the whole table while this transaction already holds ACCESS EXCLUSIVE on it blocks all access for the scan.",
		.typical_lock = "AccessExclusiveLock",
		.default_action = SDDL_ACTION_REJECT,
		.op_named = "scanning table \"%s\" while this transaction holds an ACCESS EXCLUSIVE lock on it (%s)",
		.op_unnamed = "scanning table \"%s\" while this transaction holds an ACCESS EXCLUSIVE lock on it",
		.op_args = SDDL_OP_REL_OBJECT,
		.lock_already_held = true,
		.defer_kind = SDDL_DEFER_FOLLOWS,
		.duration = "for the whole scan",
		.instead = "Run the statement in a separate transaction, after the one that took ACCESS EXCLUSIVE has committed.",
		.django = "Django: move this operation to a separate migration, so that it does not run in the transaction that took the lock.",
		.rails = "Rails: move this operation to a separate migration.",
		.alembic = "Alembic: move this operation to a separate revision and set transaction_per_migration=True.",
	},
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
		case SDDL_ACTION_DEFER:
			return "defer";
	}
	return "unknown";
}
