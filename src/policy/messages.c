/*-------------------------------------------------------------------------
 *
 * messages.c
 *	  The text of safe_ddl's rejections, warnings and rewrite notices (see
 *	  messages.h).
 *
 * Layout, per the PostgreSQL error message style guide:
 *
 *	 message  what would happen, naming the operation and the relation:
 *			  creating index "x" on table "orders" would block writes
 *	 detail   the lock, what it blocks and for how long, the table's size,
 *			  the rule, and that safe_ddl refused it
 *	 hint	  the exact SQL to run instead, then the Django, Rails and
 *			  Alembic way to write it, then the DBA's way out
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/policy/messages.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "policy/messages.h"
#include "policy/rewrite_plan.h"

/* How a rule's risk is described and what to do about it. */
typedef struct SddlRuleText
{
	const char *rule;
	const char *op_named;		/* operation, with %s object and %s relation */
	const char *op_unnamed;		/* operation, with %s relation */
	const char *duration;		/* how long the lock is held */
	const char *django;
	const char *rails;
	const char *alembic;
	const char *instead;		/* what to do when there is no safe SQL */
} SddlRuleText;

#define DJ_ATOMIC_FALSE "in a migration with atomic = False"
#define RAILS_NO_TX "with disable_ddl_transaction! in the migration"
#define ALEMBIC_AUTOCOMMIT "inside \"with op.get_context().autocommit_block():\""

static const SddlRuleText sddl_rule_texts[] = {
	{"adding-field-with-default",
		"adding column \"%s\" with a volatile default to table \"%s\"",
		"adding a column with a volatile default to table \"%s\"",
		"while it rewrites the whole table",
		"Django: add the field as null=True without a database default, backfill it in batches with RunPython in separate migrations, then make it NOT NULL.",
		"Rails: add_column without a default, backfill in batches (disable_ddl_transaction!), then change_column_default.",
		"Alembic: op.add_column() without server_default, backfill in batches, then op.alter_column(server_default=...).",
	"Add the column without a default or with a constant one, then backfill existing rows in batches."},
	{"adding-not-nullable-field",
		"setting column \"%s\" of table \"%s\" NOT NULL",
		"adding a NOT NULL column to table \"%s\"",
		"while it scans the whole table for nulls",
		"Django: use SeparateDatabaseAndState: in the database, RunSQL adding CHECK (col IS NOT NULL) NOT VALID; in a later migration VALIDATE it, SET NOT NULL and drop the CHECK; keep AlterField in state_operations.",
		"Rails: add_check_constraint :table, \"col IS NOT NULL\", validate: false; in a later migration validate_check_constraint, change_column_null and remove_check_constraint.",
		"Alembic: op.execute() the statements above, the CHECK ... NOT VALID in one revision and the rest in a later one (transaction_per_migration=True).",
	"Add a CHECK (col IS NOT NULL) constraint NOT VALID, validate it, then SET NOT NULL, which uses the validated CHECK instead of scanning."},
	{"adding-required-field",
		"adding NOT NULL column \"%s\" without a default to table \"%s\"",
		"adding a NOT NULL column without a default to table \"%s\"",
		"while it scans the whole table for rows (and fails if it finds any)",
		"Django: give the field a default (Django 5 db_default, or a default that AddField sends once), or add it null=True and make it NOT NULL later.",
		"Rails: add_column with a default:, or add it nullable and change_column_null later.",
		"Alembic: op.add_column() with a server_default, or nullable=True and op.alter_column(nullable=False) later.",
	"Add the column with a constant DEFAULT (no rewrite since PostgreSQL 11), or add it nullable and set NOT NULL later."},
	{"adding-stored-generated-column",
		"adding stored generated column \"%s\" to table \"%s\"",
		"adding a stored generated column to table \"%s\"",
		"while it rewrites the whole table",
		"Django: add a plain field, backfill it in batches and keep it up to date in the application or with a trigger (RunSQL).",
		"Rails: add a plain column, backfill it in batches and maintain it with a trigger.",
		"Alembic: add a plain column, backfill it in batches and maintain it with a trigger.",
	"Add a plain column, backfill it in batches, and keep it up to date with a trigger."},
	{"attach-partition-scan",
		"attaching partition \"%s\" to table \"%s\"",
		"attaching a partition to table \"%s\"",
		"while it scans the partition to check its bound",
		"Django: in RunSQL migrations, first add to the partition a CHECK constraint matching its bound with NOT VALID and validate it, then attach it.",
		"Rails: add_check_constraint on the partition matching its bound with validate: false, validate_check_constraint, then attach it.",
		"Alembic: op.execute() the NOT VALID CHECK matching the bound, VALIDATE it, then ATTACH PARTITION.",
	"Add to the partition a CHECK constraint that implies the partition bound (NOT VALID, then VALIDATE CONSTRAINT): ATTACH PARTITION then skips the scan."},
	{"changing-column-type",
		"changing the type of column \"%s\" of table \"%s\"",
		"changing the type of a column of table \"%s\"",
		"while it rewrites the whole table and rebuilds its indexes",
		"Django: add a new field of the new type, backfill it in batches, switch the code to it, then remove the old field.",
		"Rails: add a new column, backfill it in batches, switch the code (ignored_columns), then remove the old column.",
		"Alembic: add a new column, backfill it in batches, switch the code, then drop the old column.",
	"Add a new column of the new type, backfill it in batches, switch the application to it, then drop the old column."},
	{"constraint-missing-not-valid",
		"adding constraint \"%s\" to table \"%s\"",
		"adding a constraint to table \"%s\"",
		"while it scans the whole table to validate the constraint",
		"Django: add the constraint with NOT VALID (RunSQL inside SeparateDatabaseAndState, keeping AddConstraint or the field in state_operations), then VALIDATE CONSTRAINT in a separate migration.",
		"Rails: add_foreign_key or add_check_constraint with validate: false, then validate_foreign_key or validate_check_constraint in a separate migration.",
		"Alembic: op.execute() the ADD CONSTRAINT ... NOT VALID, then the VALIDATE CONSTRAINT in a separate revision (transaction_per_migration=True).",
	"Add the constraint in its own ALTER TABLE statement with NOT VALID, then run ALTER TABLE ... VALIDATE CONSTRAINT in a separate transaction."},
	{"disallowed-cluster",
		"clustering table \"%s\" on index \"%s\"",
		"clustering table \"%s\"",
		"while it rewrites the whole table",
		NULL, NULL, NULL,
	"Use pg_repack or pg_squeeze to reorder the table online, or run CLUSTER in a maintenance window."},
	{"disallowed-exclusion-constraint",
		"adding exclusion constraint \"%s\" to table \"%s\"",
		"adding an exclusion constraint to table \"%s\"",
		"for the whole index build",
		NULL, NULL, NULL,
	"An exclusion constraint cannot be built concurrently: add it in a maintenance window, or enforce the rule in the application."},
	{"disallowed-unique-constraint",
		"adding unique constraint \"%s\" to table \"%s\"",
		"adding a unique constraint to table \"%s\"",
		"for the whole index build",
		"Django: use SeparateDatabaseAndState " DJ_ATOMIC_FALSE ": in database_operations, RunSQL with the statements above; in state_operations, the AddConstraint or AlterField.",
		"Rails: add_index ..., unique: true, algorithm: :concurrently " RAILS_NO_TX ", then execute the ADD CONSTRAINT ... USING INDEX.",
		"Alembic: op.create_index(..., unique=True, postgresql_concurrently=True) " ALEMBIC_AUTOCOMMIT ", then op.execute() the ADD CONSTRAINT ... USING INDEX.",
	"Create a unique index with CREATE UNIQUE INDEX CONCURRENTLY, then add the constraint with ALTER TABLE ... ADD CONSTRAINT ... USING INDEX; for a primary key, make its columns NOT NULL first (safe_ddl runs SET NOT NULL safely in autocommit)."},
	{"disallowed-vacuum-full",
		"running VACUUM FULL on table \"%s\"",
		"running VACUUM FULL on table \"%s\"",
		"while it rewrites the whole table",
		NULL, NULL, NULL,
	"Use plain VACUUM, or pg_repack or pg_squeeze to compact the table online."},
	{"renaming-column",
		"renaming column \"%s\" of table \"%s\"",
		"renaming a column of table \"%s\"",
		"briefly",
		"Django: deploy code that no longer uses the old name first, or use SeparateDatabaseAndState with db_column to keep the database name.",
		"Rails: add the column to ignored_columns and deploy before renaming.",
		"Alembic: deploy code that no longer uses the old name before renaming.",
	"Make sure no running application code uses the old name, or rename in steps (new column, backfill, switch, drop)."},
	{"renaming-table",
		"renaming table \"%s\"",
		"renaming table \"%s\"",
		"briefly",
		"Django: set Meta.db_table to the old name instead of renaming, or deploy code that no longer uses it first.",
		"Rails: set self.table_name to the old name, or deploy code that no longer uses it first.",
		"Alembic: deploy code that no longer uses the old name before renaming.",
	"Make sure no running application code uses the old name, or leave a view with the old name behind."},
	{"require-concurrent-detach-partition",
		"detaching partition \"%s\" from table \"%s\"",
		"detaching a partition from table \"%s\"",
		"until it has waited for every query on the table",
		"Django: RunSQL with the statement above " DJ_ATOMIC_FALSE ".",
		"Rails: execute the statement above " RAILS_NO_TX ".",
		"Alembic: op.execute() the statement above " ALEMBIC_AUTOCOMMIT ".",
	"Remove the default partition first: DETACH PARTITION ... CONCURRENTLY is not possible while one exists."},
	{"require-concurrent-index-creation",
		"creating index \"%s\" on table \"%s\"",
		"creating an index on table \"%s\"",
		"for the whole index build",
		"Django: use AddIndexConcurrently (django.contrib.postgres.operations) " DJ_ATOMIC_FALSE "; for an index Django creates with a field, use SeparateDatabaseAndState with AddIndexConcurrently or RunSQL in database_operations.",
		"Rails: add_index ..., algorithm: :concurrently " RAILS_NO_TX ".",
		"Alembic: op.create_index(..., postgresql_concurrently=True) " ALEMBIC_AUTOCOMMIT ".",
	"Indexes on partitioned tables cannot be built concurrently: create the index concurrently on each partition, then on the parent with ON ONLY and ATTACH PARTITION."},
	{"require-concurrent-index-deletion",
		"dropping index \"%s\" of table \"%s\"",
		"dropping an index of table \"%s\"",
		"until it has waited for every query on the table",
		"Django: use RemoveIndexConcurrently (django.contrib.postgres.operations) " DJ_ATOMIC_FALSE ".",
		"Rails: remove_index ..., algorithm: :concurrently " RAILS_NO_TX ".",
		"Alembic: op.drop_index(..., postgresql_concurrently=True) " ALEMBIC_AUTOCOMMIT ".",
	"Drop one index per statement, without CASCADE, so that it can be dropped concurrently; an index of a partitioned table cannot be dropped concurrently and needs a quiet moment."},
	{"require-concurrent-refresh",
		"refreshing materialized view \"%s\"",
		"refreshing materialized view \"%s\"",
		"for the whole refresh",
		"Django: RunSQL with the statement above " DJ_ATOMIC_FALSE ".",
		"Rails: execute the statement above " RAILS_NO_TX ".",
		"Alembic: op.execute() the statement above " ALEMBIC_AUTOCOMMIT ".",
	"Give the materialized view a unique index on plain columns, without WHERE clause, so that it can be refreshed concurrently."},
	{"require-concurrent-reindex",
		"reindexing index \"%s\" of table \"%s\"",
		"reindexing table \"%s\"",
		"for the whole rebuild",
		"Django: RunSQL with the statement above " DJ_ATOMIC_FALSE ".",
		"Rails: execute the statement above " RAILS_NO_TX ".",
		"Alembic: op.execute() the statement above " ALEMBIC_AUTOCOMMIT ".",
	"REINDEX SCHEMA, DATABASE and SYSTEM are not rewritten: reindex each table with REINDEX TABLE ... CONCURRENTLY outside a transaction block; system catalogs cannot be reindexed concurrently and need a maintenance window."},
	{"rewriting-table",
		"rewriting table \"%s\" (%s)",
		"rewriting table \"%s\"",
		"while it rewrites the whole table",
		NULL, NULL, NULL,
	"Use pg_repack or pg_squeeze to rewrite the table online, or create a new table, copy the data in batches and swap."},
	{"scan-under-exclusive-lock",
		"scanning table \"%s\" while this transaction holds an ACCESS EXCLUSIVE lock on it (%s)",
		"scanning table \"%s\" while this transaction holds an ACCESS EXCLUSIVE lock on it",
		"for the whole scan",
		"Django: move this operation to a separate migration, so that it does not run in the transaction that took the lock.",
		"Rails: move this operation to a separate migration.",
		"Alembic: move this operation to a separate revision and set transaction_per_migration=True.",
	"Run the statement in a separate transaction, after the one that took ACCESS EXCLUSIVE has committed."},
};

static const SddlRuleText *
sddl_rule_text(const SddlRule *rule)
{
	for (int i = 0; i < lengthof(sddl_rule_texts); i++)
	{
		if (strcmp(sddl_rule_texts[i].rule, rule->name) == 0)
			return &sddl_rule_texts[i];
	}
	return NULL;
}

/*
 * The object named in the message: the finding's, else the name the
 * statement gives (e.g. CREATE INDEX name).
 */
static const char *
sddl_object_name(SddlAnalysis *analysis, const SddlFinding *f)
{
	if (f->object != NULL)
		return f->object;
	if (IsA(analysis->stmt, IndexStmt))
		return ((IndexStmt *) analysis->stmt)->idxname;
	return NULL;
}

static char *
sddl_operation(SddlAnalysis *analysis, const SddlFinding *f,
			   const SddlRuleText *t)
{
	const char *relname = f->rel->relname;
	const char *object = sddl_object_name(analysis, f);

	if (t == NULL)
		return psprintf("running %s on \"%s\"", analysis->command, relname);

	/* the two rules whose first %s is the relation */
	if (strcmp(t->rule, "disallowed-cluster") == 0 ||
		strcmp(t->rule, "rewriting-table") == 0 ||
		strcmp(t->rule, "scan-under-exclusive-lock") == 0)
		return object ? psprintf(t->op_named, relname, object) :
			psprintf(t->op_unnamed, relname);
	if (strcmp(t->rule, "require-concurrent-refresh") == 0 ||
		strcmp(t->rule, "renaming-table") == 0 ||
		strcmp(t->rule, "disallowed-vacuum-full") == 0)
		return psprintf(t->op_named, relname);

	/* the partition is at risk; the message names the partitioned table too */
	if (strcmp(t->rule, "attach-partition-scan") == 0 &&
		IsA(analysis->stmt, AlterTableStmt))
	{
		const char *parent = ((AlterTableStmt *) analysis->stmt)->relation->relname;

		return psprintf(t->op_named, relname, parent);
	}

	/* a primary key is not called a unique constraint */
	if (strcmp(t->rule, "disallowed-unique-constraint") == 0 &&
		IsA(analysis->stmt, AlterTableStmt) && f->cmd_index >= 0 &&
		f->cmd_index < list_length(((AlterTableStmt *) analysis->stmt)->cmds))
	{
		AlterTableCmd *cmd = list_nth_node(AlterTableCmd,
										   ((AlterTableStmt *) analysis->stmt)->cmds,
										   f->cmd_index);

		if (cmd->def && IsA(cmd->def, Constraint) &&
			((Constraint *) cmd->def)->contype == CONSTR_PRIMARY)
			return object ?
				psprintf("adding primary key \"%s\" to table \"%s\"", object, relname) :
				psprintf("adding a primary key to table \"%s\"", relname);
	}

	return object ? psprintf(t->op_named, object, relname) :
		psprintf(t->op_unnamed, relname);
}

static const char *
sddl_relkind_word(char relkind)
{
	switch (relkind)
	{
		case RELKIND_MATVIEW:
			return "materialized view";
		case RELKIND_INDEX:
		case RELKIND_PARTITIONED_INDEX:
			return "index";
		case RELKIND_PARTITIONED_TABLE:
			return "partitioned table";
		default:
			return "table";
	}
}

static char *
sddl_pretty_size(int64 bytes)
{
	Datum		d = DirectFunctionCall1(pg_size_pretty, Int64GetDatum(bytes));

	return text_to_cstring(DatumGetTextPP(d));
}

void
sddl_describe(SddlDecision *d, SddlAnalysis *analysis,
			  const SddlPolicyContext *pcxt)
{
	const SddlFinding *f = d->finding;
	const SddlRelation *rel = f->rel;
	const SddlRuleText *t = sddl_rule_text(sddl_rule(f->rule));
	bool		is_rename = strcmp(sddl_rule(f->rule)->name, "renaming-column") == 0 ||
		strcmp(sddl_rule(f->rule)->name, "renaming-table") == 0;
	LOCKMODE	mode = rel->lockmode;
	char	   *op = sddl_operation(analysis, f, t);
	char	   *tbl;
	const char *effect;
	StringInfoData detail;
	StringInfoData hint;

	if (strcmp(sddl_rule(f->rule)->name, "scan-under-exclusive-lock") == 0 &&
		rel->held_mode > mode)
		mode = rel->held_mode;

	/* the operation texts say "table": say what the relation is */
	if (rel->relkind == RELKIND_MATVIEW &&
		(tbl = strstr(op, " table \"")) != NULL)
	{
		*tbl = '\0';
		op = psprintf("%s materialized view \"%s", op, tbl + strlen(" table \""));
	}

	if (sddl_lock_blocks_reads(mode))
		effect = "block reads and writes";
	else if (sddl_lock_blocks_writes(mode) && rel->relkind == RELKIND_MATVIEW)
		effect = "block refreshes";
	else if (sddl_lock_blocks_writes(mode))
		effect = "block writes";
	else
		effect = "block schema changes";

	d->safe_sql = sddl_safe_sql(analysis, pcxt->statement);

	/* the primary message */
	if (is_rename)
		d->message = psprintf("%s would break application code that still uses the old name",
							  op);
	else if (d->action == SDDL_ACTION_REWRITE)
		d->message = psprintf("%s would %s, so safe_ddl runs a safe equivalent instead",
							  op, effect);
	else
		d->message = psprintf("%s would %s", op, effect);

	/* the detail: lock, effect, size, rule, verdict */
	initStringInfo(&detail);
	if (strcmp(sddl_rule(f->rule)->name, "scan-under-exclusive-lock") == 0)
		appendStringInfo(&detail, "This transaction already holds %s on %s \"%s\", so for the whole scan %s keeps it",
						 sddl_lockmode_name(mode), sddl_relkind_word(rel->relkind),
						 rel->relname,
						 analysis->command ? analysis->command : "the statement");
	else
	{
		appendStringInfo(&detail, "%s takes %s on %s \"%s\"",
						 analysis->command ? analysis->command : "The statement",
						 sddl_lockmode_name(mode), sddl_relkind_word(rel->relkind),
						 rel->relname);
		if (t != NULL)
			appendStringInfo(&detail, " and holds it %s", t->duration);
	}
	if (sddl_lock_blocks_reads(mode))
		appendStringInfoString(&detail, ", blocking every read and write of it.");
	else if (sddl_lock_blocks_writes(mode) && rel->relkind == RELKIND_MATVIEW)
		appendStringInfoString(&detail, ", blocking REFRESH MATERIALIZED VIEW of it.");
	else if (sddl_lock_blocks_writes(mode))
		appendStringInfoString(&detail, ", blocking INSERT, UPDATE and DELETE on it.");
	else
		appendStringInfoString(&detail, ".");
	if (rel->reltuples < 0)
		appendStringInfo(&detail, " The %s has never been analyzed and takes %s on disk.",
						 sddl_relkind_word(rel->relkind),
						 sddl_pretty_size(rel->bytes));
	else
		appendStringInfo(&detail, " The %s has about %.0f rows and takes %s on disk.",
						 sddl_relkind_word(rel->relkind), rel->reltuples,
						 sddl_pretty_size(rel->bytes));

	switch (d->enforce_action)
	{
		case SDDL_ACTION_REWRITE:
			if (d->action == SDDL_ACTION_REWRITE)
				appendStringInfo(&detail, " safe_ddl runs instead (rule %s):\n%s",
								 sddl_rule(f->rule)->name,
								 d->safe_sql ? d->safe_sql : "its safe equivalent.");
			else
				appendStringInfo(&detail, " In enforce mode, safe_ddl would run instead (rule %s):\n%s",
								 sddl_rule(f->rule)->name,
								 d->safe_sql ? d->safe_sql : "its safe equivalent.");
			break;
		case SDDL_ACTION_REJECT:
			if (d->action == SDDL_ACTION_REJECT)
				appendStringInfo(&detail, " safe_ddl refused the statement (rule %s).",
								 sddl_rule(f->rule)->name);
			else if (d->override)
				appendStringInfo(&detail, " safe_ddl allowed it because a safe_ddl setting was relaxed in this session, and logged the override (rule %s).",
								 sddl_rule(f->rule)->name);
			else
				appendStringInfo(&detail, " safe_ddl would refuse it in enforce mode (rule %s).",
								 sddl_rule(f->rule)->name);
			break;
		default:
			appendStringInfo(&detail, " safe_ddl allowed it with this warning (rule %s).",
							 sddl_rule(f->rule)->name);
			break;
	}
	d->detail = detail.data;

	/* the hint: what to run instead, per framework, and the way out */
	if (d->action == SDDL_ACTION_REWRITE)
	{
		d->hint = NULL;
		return;
	}
	initStringInfo(&hint);
	if (d->safe_sql != NULL)
	{
		appendStringInfo(&hint, "Run instead, outside a transaction block:\n%s",
						 d->safe_sql);
		if (sddl_rule(f->rule)->has_rewrite)
			appendStringInfoString(&hint, "\nsafe_ddl runs this automatically when the statement is sent outside a transaction block (autocommit).");
	}
	else if (t != NULL && t->instead != NULL)
		appendStringInfoString(&hint, t->instead);

	if (t != NULL && t->django != NULL)
		appendStringInfo(&hint, "\n%s\n%s\n%s", t->django, t->rails, t->alembic);
	if (!is_rename && d->action == SDDL_ACTION_REJECT)
		appendStringInfoString(&hint, "\nA DBA can let it through once with SET LOCAL safe_ddl.mode = observe in the same transaction.");
	d->hint = hint.len > 0 ? hint.data : NULL;
}

void
sddl_report_decision(const SddlDecision *d)
{
	if (d->message == NULL)
		return;
	if (d->action == SDDL_ACTION_REJECT)
		ereport(ERROR,
				(errcode(SDDL_ERRCODE_REJECTED),
				 errmsg_internal("%s", d->message),
				 d->detail ? errdetail_internal("%s", d->detail) : 0,
				 d->hint ? errhint("%s", d->hint) : 0));
	else if (d->action == SDDL_ACTION_WARN)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg_internal("%s", d->message),
				 d->detail ? errdetail_internal("%s", d->detail) : 0,
				 d->hint ? errhint("%s", d->hint) : 0));
	else if (d->action == SDDL_ACTION_REWRITE)
		ereport(NOTICE,
				(errmsg_internal("%s", d->message),
				 d->detail ? errdetail_internal("%s", d->detail) : 0));
}
