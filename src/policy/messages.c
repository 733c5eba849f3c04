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

/* The ALTER TABLE subcommand the finding is about, or NULL. */
static AlterTableCmd *
sddl_finding_cmd(SddlAnalysis *analysis, const SddlFinding *f)
{
	AlterTableStmt *stmt;

	if (!IsA(analysis->stmt, AlterTableStmt))
		return NULL;
	stmt = (AlterTableStmt *) analysis->stmt;
	if (f->cmd_index < 0 || f->cmd_index >= list_length(stmt->cmds))
		return NULL;
	return list_nth_node(AlterTableCmd, stmt->cmds, f->cmd_index);
}

/* Is the finding about a PRIMARY KEY constraint of an ALTER TABLE? */
static bool
sddl_finding_is_primary_key(SddlAnalysis *analysis, const SddlFinding *f)
{
	AlterTableCmd *cmd = sddl_finding_cmd(analysis, f);

	return cmd != NULL && cmd->def && IsA(cmd->def, Constraint) &&
		((Constraint *) cmd->def)->contype == CONSTR_PRIMARY;
}

/*
 * The rule of the finding, with the texts of the form of statement it is
 * about where the rule has some for it (SddlRule.enforcing).
 */
static const SddlRule *
sddl_finding_rule(SddlAnalysis *analysis, const SddlFinding *f)
{
	const SddlRule *rule = sddl_rule(f->rule);
	AlterTableCmd *cmd = sddl_finding_cmd(analysis, f);
	const SddlRuleForm *form = rule->enforcing;
	SddlRule   *copy;

	if (form == NULL || cmd == NULL || cmd->subtype != AT_AlterConstraint)
		return rule;
	copy = palloc(sizeof(SddlRule));
	*copy = *rule;
	copy->op_named = form->op_named;
	copy->op_unnamed = form->op_unnamed;
	copy->instead = form->instead;
	copy->django = form->django;
	copy->rails = form->rails;
	copy->alembic = form->alembic;
	return copy;
}

/* The operation at risk, which starts the message (see SddlRule.op_named). */
static char *
sddl_operation(SddlAnalysis *analysis, const SddlFinding *f,
			   const SddlRule *rule)
{
	const char *relname = f->rel->relname;
	const char *object = sddl_object_name(analysis, f);
	const char *named = rule->op_named;
	const char *unnamed = rule->op_unnamed;

	if (rule->op_named_pk != NULL && sddl_finding_is_primary_key(analysis, f))
	{
		named = rule->op_named_pk;
		unnamed = rule->op_unnamed_pk;
	}

	switch (rule->op_args)
	{
		case SDDL_OP_REL_OBJECT:
			return object ? psprintf(named, relname, object) :
				psprintf(unnamed, relname);
		case SDDL_OP_REL_ONLY:
			return psprintf(named, relname);
		case SDDL_OP_REL_PARENT:
			/* the partition is at risk; the message names its table too */
			if (IsA(analysis->stmt, AlterTableStmt))
				return psprintf(named, relname,
								((AlterTableStmt *) analysis->stmt)->relation->relname);
			break;
		case SDDL_OP_OBJECT_REL:
			break;
	}
	return object ? psprintf(named, object, relname) :
		psprintf(unnamed, relname);
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
	const SddlRule *rule = sddl_finding_rule(analysis, f);
	LOCKMODE	mode = rel->lockmode;
	char	   *op = sddl_operation(analysis, f, rule);
	char	   *tbl;
	const char *effect;
	StringInfoData detail;
	StringInfoData hint;

	if (rule->lock_already_held && rel->held_mode > mode)
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
	if (rule->breaks_code)
		d->message = psprintf("%s would break application code that still uses the old name",
							  op);
	else if (d->action == SDDL_ACTION_REWRITE)
		d->message = psprintf("%s would %s, so safe_ddl runs a safe equivalent instead",
							  op, effect);
	else if (d->action == SDDL_ACTION_DEFER &&
			 d->defer_kind == SDDL_DEFER_VALIDATION)
		d->message = psprintf("%s would %s, so safe_ddl adds it NOT VALID now and validates it after commit",
							  op, effect);
	else if (d->action == SDDL_ACTION_DEFER)
		d->message = psprintf("%s would %s, so safe_ddl builds it online after commit",
							  op, effect);
	else
		d->message = psprintf("%s would %s", op, effect);

	/* the detail: lock, effect, size, rule, verdict */
	initStringInfo(&detail);
	if (rule->lock_already_held)
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
		appendStringInfo(&detail, " and holds it %s", rule->duration);
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
								 rule->name,
								 d->safe_sql ? d->safe_sql : "its safe equivalent.");
			else
				appendStringInfo(&detail, " In enforce mode, safe_ddl would run instead (rule %s):\n%s",
								 rule->name,
								 d->safe_sql ? d->safe_sql : "its safe equivalent.");
			break;
		case SDDL_ACTION_REJECT:
			if (d->action == SDDL_ACTION_REJECT)
				appendStringInfo(&detail, " safe_ddl refused the statement (rule %s).",
								 rule->name);
			else if (d->override)
				appendStringInfo(&detail, " safe_ddl allowed it because a safe_ddl setting was relaxed in this session, and logged the override (rule %s).",
								 rule->name);
			else
				appendStringInfo(&detail, " safe_ddl would refuse it in enforce mode (rule %s).",
								 rule->name);
			break;
		case SDDL_ACTION_DEFER:
			if (d->action == SDDL_ACTION_DEFER)
				appendStringInfo(&detail, " safe_ddl deferred it under safe_ddl.defer (rule %s): the deferred-build worker runs it after this transaction commits.",
								 rule->name);
			else if (d->override)
				appendStringInfo(&detail, " safe_ddl allowed it because a safe_ddl setting was relaxed in this session, and logged the override (rule %s).",
								 rule->name);
			else
				appendStringInfo(&detail, " In enforce mode, safe_ddl would defer it under safe_ddl.defer (rule %s).",
								 rule->name);
			break;
		default:
			appendStringInfo(&detail, " safe_ddl allowed it with this warning (rule %s).",
							 rule->name);
			break;
	}
	d->detail = detail.data;

	/* the hint: what to run instead, per framework, and the way out */
	if (d->action == SDDL_ACTION_REWRITE)
	{
		d->hint = NULL;
		return;
	}
	if (d->action == SDDL_ACTION_DEFER)
	{
		d->hint = pstrdup("SELECT safe_ddl.wait_deferred(timeout) waits until what is deferred is done; the view safe_ddl.deferred shows its progress.");
		return;
	}
	initStringInfo(&hint);
	if (d->safe_sql != NULL)
	{
		appendStringInfo(&hint, "Run instead, outside a transaction block:\n%s",
						 d->safe_sql);
		if (rule->has_rewrite)
			appendStringInfoString(&hint, "\nsafe_ddl runs this automatically when the statement is sent outside a transaction block (autocommit).");
	}
	else if (rule->instead != NULL)
		appendStringInfoString(&hint, rule->instead);

	if (rule->django != NULL)
		appendStringInfo(&hint, "\n%s", rule->django);
	if (rule->rails != NULL)
		appendStringInfo(&hint, "\n%s", rule->rails);
	if (rule->alembic != NULL)
		appendStringInfo(&hint, "\n%s", rule->alembic);
	if (!rule->breaks_code && d->action == SDDL_ACTION_REJECT)
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
	else if (d->action == SDDL_ACTION_DEFER)
		ereport(NOTICE,
				(errmsg_internal("%s", d->message),
				 d->detail ? errdetail_internal("%s", d->detail) : 0,
				 d->hint ? errhint("%s", d->hint) : 0));
}
