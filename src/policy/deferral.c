/*-------------------------------------------------------------------------
 *
 * deferral.c
 *	  safe_ddl.defer and the statements a deferred build reproduces (see
 *	  deferral.h).
 *
 * A deferred build must leave the database accepting exactly what the
 * statement would have made it accept, only later:
 *
 *	 - a non-unique CREATE INDEX (any method, partial, expression) on a
 *	   table CONCURRENTLY supports (a plain table or a materialized view):
 *	   until the index exists, queries are slower, never wrong.  A UNIQUE
 *	   index is never deferred: until it existed, duplicates would be
 *	   accepted that the migration meant to refuse.
 *	 - ADD CONSTRAINT ... CHECK | FOREIGN KEY on a plain table, also a
 *	   FOREIGN KEY or CHECK of ADD COLUMN: added NOT VALID at once, so new
 *	   and updated rows are checked from this statement on; only the scan
 *	   of existing rows (VALIDATE CONSTRAINT) waits.
 *
 * Tables new in the transaction are exempt from the rules before this is
 * asked, so their statements run as given.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/policy/deferral.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "nodes/parsenodes.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/varlena.h"

#include "policy/deferral.h"

/* safe_ddl.defer */
static char *sddl_defer_setting = NULL;

#define SDDL_DEFER_BIT(kind) (1 << (int) (kind))

static const char *const sddl_defer_words[] = {
	[SDDL_DEFER_NONE] = NULL,
	[SDDL_DEFER_INDEX] = "index",
	[SDDL_DEFER_VALIDATION] = "validation",
};

#define SDDL_DEFER_WORDS lengthof(sddl_defer_words)

const char *
sddl_defer_kind_name(SddlDeferKind kind)
{
	return kind < SDDL_DEFER_WORDS ? sddl_defer_words[kind] : NULL;
}

/*
 * The kinds a value of safe_ddl.defer lists, as a bit mask; -1 with *bad
 * set to the first word that is not a kind, or NULL for a syntax error.
 */
static int
sddl_defer_parse(const char *value, char **bad)
{
	char	   *rawstring = pstrdup(value);
	List	   *words;
	ListCell   *lc;
	int			mask = 0;

	*bad = NULL;
	if (!SplitIdentifierString(rawstring, ',', &words))
		mask = -1;
	foreach(lc, mask < 0 ? NIL : words)
	{
		const char *word = (const char *) lfirst(lc);
		int			kind;

		for (kind = SDDL_DEFER_INDEX; kind < SDDL_DEFER_WORDS; kind++)
		{
			if (strcmp(word, sddl_defer_words[kind]) == 0)
				break;
		}
		if (kind >= SDDL_DEFER_WORDS)
		{
			*bad = pstrdup(word);
			mask = -1;
			break;
		}
		mask |= SDDL_DEFER_BIT(kind);
	}
	list_free(words);
	pfree(rawstring);
	return mask;
}

/* Check hook of safe_ddl.defer: every word must be a kind. */
static bool
sddl_check_defer(char **newval, void **extra, GucSource source)
{
	char	   *bad;

	if (sddl_defer_parse(*newval, &bad) >= 0)
		return true;
	if (bad == NULL)
		GUC_check_errdetail("List syntax is invalid.");
	else
	{
		GUC_check_errdetail("\"%s\" is not something safe_ddl can defer.",
							bad);
		GUC_check_errhint("Valid values are \"index\" and \"validation\", separated by commas.");
	}
	return false;
}

/*
 * The mask of the current value, parsed again only when the value changed
 * (a string compare, and only on statements safe_ddl would refuse).
 */
static int
sddl_defer_mask(void)
{
	static char *parsed = NULL;
	static int	mask = 0;
	char	   *bad;

	if (sddl_defer_setting == NULL || sddl_defer_setting[0] == '\0')
		return 0;
	if (parsed == NULL || strcmp(parsed, sddl_defer_setting) != 0)
	{
		int			m = sddl_defer_parse(sddl_defer_setting, &bad);

		if (parsed != NULL)
			pfree(parsed);
		parsed = MemoryContextStrdup(TopMemoryContext, sddl_defer_setting);
		mask = m < 0 ? 0 : m;
	}
	return mask;
}

void
sddl_deferral_define_gucs(void)
{
	DefineCustomStringVariable("safe_ddl.defer",
							   "What safe_ddl defers instead of refusing it inside a transaction block.",
							   "A comma-separated list of \"index\" (a non-unique "
							   "CREATE INDEX is queued and built concurrently after "
							   "commit) and \"validation\" (a CHECK or FOREIGN KEY is "
							   "added NOT VALID and validated after commit).  Empty: "
							   "nothing is deferred.",
							   &sddl_defer_setting,
							   "",
							   PGC_SUSET,
							   GUC_LIST_INPUT,
							   sddl_check_defer, NULL, NULL);
}

bool
sddl_defer_enabled(SddlDeferKind kind)
{
	return kind != SDDL_DEFER_NONE &&
		(sddl_defer_mask() & SDDL_DEFER_BIT(kind)) != 0;
}

bool
sddl_defer_any(void)
{
	return sddl_defer_setting != NULL && sddl_defer_setting[0] != '\0';
}

/* A non-unique CREATE INDEX that CREATE INDEX CONCURRENTLY reproduces. */
static bool
sddl_index_deferrable(SddlAnalysis *analysis)
{
	IndexStmt  *stmt;

	if (!IsA(analysis->stmt, IndexStmt))
		return false;
	stmt = (IndexStmt *) analysis->stmt;
	if (stmt->unique || stmt->primary || stmt->isconstraint ||
		stmt->excludeOpNames != NIL || stmt->concurrent)
		return false;
	/* CONCURRENTLY supports the relation: a plain table, a matview */
	return sddl_online_facts(analysis)->form == SDDL_ONLINE_CREATE_INDEX;
}

/*
 * A CHECK or FOREIGN KEY that ADD CONSTRAINT or ADD COLUMN adds to a plain
 * table: the subcommand of the finding can take NOT VALID.
 */
static bool
sddl_validation_deferrable(const SddlFinding *f, SddlAnalysis *analysis)
{
	AlterTableStmt *stmt;
	AlterTableCmd *cmd;
	Constraint *c;

	if (!IsA(analysis->stmt, AlterTableStmt))
		return false;
	stmt = (AlterTableStmt *) analysis->stmt;
	if (stmt->objtype != OBJECT_TABLE || f->rel->relkind != RELKIND_RELATION ||
		f->cmd_index < 0 || f->cmd_index >= list_length(stmt->cmds))
		return false;
	cmd = list_nth_node(AlterTableCmd, stmt->cmds, f->cmd_index);
	if (cmd->subtype == AT_AddColumn)
		return true;
	if (cmd->subtype != AT_AddConstraint || !IsA(cmd->def, Constraint))
		return false;
	c = (Constraint *) cmd->def;
	return c->contype == CONSTR_CHECK || c->contype == CONSTR_FOREIGN;
}

/* An ADD COLUMN that scans nothing but for its CHECK and FOREIGN KEY. */
static bool
sddl_column_scans_only_constraints(ColumnDef *def)
{
	ListCell   *lc;

	if (def->raw_default != NULL || def->generated)
		return false;
	foreach(lc, def->constraints)
	{
		ConstrType	t = lfirst_node(Constraint, lc)->contype;

		if (t != CONSTR_NULL && t != CONSTR_CHECK && t != CONSTR_FOREIGN)
			return false;
	}
	return true;
}

/*
 * Does deferring the statement remove every scan of it: a CREATE INDEX, or
 * an ALTER TABLE that only adds CHECK and FOREIGN KEY constraints (and
 * columns that carry them)?  Then a finding about a scan under a lock
 * already held goes with the deferral.
 */
static bool
sddl_every_scan_deferred(SddlAnalysis *analysis)
{
	ListCell   *lc;

	if (IsA(analysis->stmt, IndexStmt))
		return true;
	if (!IsA(analysis->stmt, AlterTableStmt))
		return false;
	foreach(lc, ((AlterTableStmt *) analysis->stmt)->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (cmd->subtype == AT_AddColumn && IsA(cmd->def, ColumnDef) &&
			sddl_column_scans_only_constraints((ColumnDef *) cmd->def))
			continue;
		if (cmd->subtype == AT_AddConstraint && IsA(cmd->def, Constraint) &&
			(((Constraint *) cmd->def)->contype == CONSTR_CHECK ||
			 ((Constraint *) cmd->def)->contype == CONSTR_FOREIGN))
			continue;
		return false;
	}
	return true;
}

SddlDeferKind
sddl_finding_defer_kind(const SddlFinding *f, SddlAnalysis *analysis)
{
	SddlDeferKind kind = sddl_rule(f->rule)->defer_kind;

	if (f->rel == NULL || f->rel->is_new)
		return SDDL_DEFER_NONE;
	switch (kind)
	{
		case SDDL_DEFER_INDEX:
			return sddl_defer_enabled(kind) && sddl_index_deferrable(analysis) ?
				kind : SDDL_DEFER_NONE;
		case SDDL_DEFER_VALIDATION:
			return sddl_defer_enabled(kind) &&
				sddl_validation_deferrable(f, analysis) ? kind : SDDL_DEFER_NONE;
		case SDDL_DEFER_FOLLOWS:
			return sddl_every_scan_deferred(analysis) ? kind : SDDL_DEFER_NONE;
		case SDDL_DEFER_NONE:
			break;
	}
	return SDDL_DEFER_NONE;
}
