/*-------------------------------------------------------------------------
 *
 * alter_column.c
 *	  Analysis of the ALTER TABLE subcommands that add, drop or constrain
 *	  a column: ADD COLUMN, ALTER COLUMN SET DEFAULT, SET NOT NULL, DROP
 *	  COLUMN.  (Column type changes are in alter_type.c.)
 *
 * ADD COLUMN rewrites the table when the new values cannot be stored as a
 * "missing" default: a volatile default, a stored generated column, an
 * identity or serial column, a domain with constraints.  A virtual
 * generated column (PostgreSQL 18) is computed when read: catalog-only.
 * Constraints on the new column are validated with a scan.  SET NOT NULL
 * (and, from PostgreSQL 18, ADD CONSTRAINT ... NOT NULL) scans unless a
 * validated CHECK constraint already proves it.  SET EXPRESSION
 * (PostgreSQL 17) rewrites the table when the column is stored.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/alter_column.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "analysis/catalog.h"
#include "compat.h"

/*
 * Does any function a raw default expression can call have volatile
 * candidates?  The raw tree is judged without parse analysis (which could
 * fail or lock), by the functions' names: a name with any volatile
 * candidate counts as volatile.  serial types are handled by the caller.
 */
static bool
sddl_raw_volatile_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncCall))
	{
		FuncCall   *fc = (FuncCall *) node;
		const char *name = strVal(llast(fc->funcname));
		CatCList   *procs;
		bool		isvolatile = false;

		/* every function of that name, in any schema */
		procs = SearchSysCacheList1(PROCNAMEARGSNSP, CStringGetDatum(name));
		for (int i = 0; i < procs->n_members; i++)
		{
			HeapTuple	proctup = &procs->members[i]->tuple;

			if (((Form_pg_proc) GETSTRUCT(proctup))->provolatile ==
				PROVOLATILE_VOLATILE)
				isvolatile = true;
		}
		ReleaseSysCacheList(procs);
		if (isvolatile)
			return true;
	}
	else if (IsA(node, SubLink))
		return true;
	return raw_expression_tree_walker(node, sddl_raw_volatile_walker, context);
}

static bool
sddl_raw_expr_volatile(Node *expr)
{
	return sddl_raw_volatile_walker(expr, NULL);
}

static bool
sddl_is_serial(TypeName *tn)
{
	char	   *name;

	if (tn == NULL || list_length(tn->names) != 1 || tn->pct_type)
		return false;
	name = strVal(linitial(tn->names));
	return strcmp(name, "smallserial") == 0 || strcmp(name, "serial2") == 0 ||
		strcmp(name, "serial") == 0 || strcmp(name, "serial4") == 0 ||
		strcmp(name, "bigserial") == 0 || strcmp(name, "serial8") == 0;
}

/*
 * Would a CHECK constraint already on the table prove "col IS NOT NULL"?
 * Mirrors NotNullImpliedByRelConstraints(): validated CHECK constraints
 * only, proved with the planner's predicate prover.
 */
static bool
sddl_notnull_implied(Oid relid, HeapTuple atttup)
{
	Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(atttup);
	NullTest   *nnulltest = makeNode(NullTest);
	List	   *existing = NIL;
	ListCell   *lc;

	nnulltest->arg = (Expr *) makeVar(1, att->attnum, att->atttypid,
									  att->atttypmod, att->attcollation, 0);
	nnulltest->nulltesttype = IS_NOT_NULL;
	nnulltest->argisrow = false;
	nnulltest->location = -1;

	foreach(lc, sddl_catalog_constraints(relid))
	{
		HeapTuple	tuple = (HeapTuple) lfirst(lc);
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);
		Datum		val;
		bool		isnull;
		Node	   *cexpr;

		if (con->contype != CONSTRAINT_CHECK || !con->convalidated)
			continue;
		val = SysCacheGetAttr(CONSTROID, tuple, Anum_pg_constraint_conbin,
							  &isnull);
		if (isnull)
			continue;
		cexpr = stringToNode(TextDatumGetCString(val));
		cexpr = eval_const_expressions(NULL, cexpr);
		cexpr = (Node *) canonicalize_qual((Expr *) cexpr, true);
		existing = list_concat(existing, make_ands_implicit((Expr *) cexpr));
	}

	if (existing == NIL)
		return false;
	return predicate_implied_by(list_make1(nnulltest), existing, true);
}

/*
 * Is the column's NOT NULL an unvalidated constraint (18: NOT VALID), which
 * SET NOT NULL validates with a scan although attnotnull is set?
 */
static bool
sddl_notnull_unvalidated(Oid relid, AttrNumber attnum)
{
#ifdef SDDL_HAS_NOTNULL_CONSTRAINTS
	HeapTuple	con = findNotNullConstraintAttnum(relid, attnum);
	bool		unvalidated;

	if (con == NULL)
		return false;
	unvalidated = !((Form_pg_constraint) GETSTRUCT(con))->convalidated;
	heap_freetuple(con);
	return unvalidated;
#else
	return false;
#endif
}

/* What ADD COLUMN's definition and constraints ask for. */
typedef struct SddlNewColumn
{
	Node	   *rawdefault;
	bool		notnull;
	bool		generated_stored;
	bool		generated_virtual;	/* values from its expression, unstored */
	bool		identity;
	bool		checks;			/* a CHECK to validate */
	bool		index_build;	/* PRIMARY KEY or UNIQUE */
	bool		exclusion;
	List	   *fks;			/* Constraint * of the foreign keys */
} SddlNewColumn;

/*
 * Is the column constraint at this position followed by NOT ENFORCED
 * (18)?  In a column definition the attribute is a node of its own, which
 * parse analysis applies to the constraint before it.
 */
static bool
sddl_column_constraint_not_enforced(List *constraints, ListCell *lc)
{
#ifdef SDDL_HAS_ENFORCEABILITY
	ListCell   *next = lnext(constraints, lc);

	return next != NULL &&
		((Constraint *) lfirst(next))->contype == CONSTR_ATTR_NOT_ENFORCED;
#else
	return false;
#endif
}

static void
sddl_new_column(ColumnDef *def, SddlNewColumn *nc)
{
	ListCell   *lc;

	memset(nc, 0, sizeof(*nc));
	nc->rawdefault = def->raw_default;
	nc->notnull = def->is_not_null;
	nc->identity = def->identity != 0;
	foreach(lc, def->constraints)
	{
		Constraint *c = (Constraint *) lfirst(lc);

		switch (c->contype)
		{
			case CONSTR_DEFAULT:
				nc->rawdefault = c->raw_expr;
				break;
			case CONSTR_NOTNULL:
				nc->notnull = true;
				break;
			case CONSTR_IDENTITY:
				nc->identity = true;
				break;
			case CONSTR_GENERATED:
				if (SddlConstraintGeneratedVirtual(c))
					nc->generated_virtual = true;
				else
					nc->generated_stored = true;
				break;
			case CONSTR_CHECK:
				/* NOT ENFORCED (18): nothing to check */
				if (!c->skip_validation && !SddlConstraintNotEnforced(c) &&
					!sddl_column_constraint_not_enforced(def->constraints, lc))
					nc->checks = true;
				break;
			case CONSTR_PRIMARY:
				nc->notnull = true;
				nc->index_build = true;
				break;
			case CONSTR_UNIQUE:
				nc->index_build = true;
				break;
			case CONSTR_EXCLUSION:
				nc->exclusion = true;
				break;
			case CONSTR_FOREIGN:
				if (!SddlConstraintNotEnforced(c) &&
					!sddl_column_constraint_not_enforced(def->constraints, lc))
					nc->fks = lappend(nc->fks, c);
				break;
			default:
				break;
		}
	}
}

/* The findings of ADD COLUMN, once its rewrite and scans are known. */
static void
sddl_new_column_findings(SddlAlterState *st, ColumnDef *def,
						 SddlNewColumn *nc, bool rewrite)
{
	ListCell   *lc;

	foreach(lc, def->constraints)
	{
		Constraint *c = (Constraint *) lfirst(lc);

		if (c->contype != CONSTR_FOREIGN)
			continue;
		sddl_add_referenced(st->a, st->cxt, c->pktable,
							list_member_ptr(nc->fks, c));
		if (list_member_ptr(nc->fks, c))
			sddl_add_finding(st->a, st->rel, SDDL_RULE_CONSTRAINT_MISSING_NOT_VALID,
							 st->index, c->conname ? c->conname : def->colname);
	}

	if (nc->generated_stored)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_ADDING_STORED_GENERATED_COLUMN,
						 st->index, def->colname);
	else if (rewrite)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_ADDING_FIELD_WITH_DEFAULT,
						 st->index, def->colname);
	else if (nc->notnull && nc->generated_virtual)
	{
		/* the expression gives the values: they are scanned for nulls */
		sddl_add_finding(st->a, st->rel, SDDL_RULE_ADDING_NOT_NULLABLE_FIELD,
						 st->index, def->colname);
	}
	else if (nc->notnull && nc->rawdefault == NULL && !nc->index_build)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_ADDING_REQUIRED_FIELD, st->index,
						 def->colname);
	if (nc->checks)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_CONSTRAINT_MISSING_NOT_VALID,
						 st->index, def->colname);
	if (nc->index_build)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_DISALLOWED_UNIQUE_CONSTRAINT,
						 st->index, def->colname);
	if (nc->exclusion)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_DISALLOWED_EXCLUSION_CONSTRAINT,
						 st->index, def->colname);
}

void
sddl_at_add_column(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	ColumnDef  *def = (ColumnDef *) cmd->def;
	SddlNewColumn nc;
	bool		rewrite;
	bool		scan;
	bool		domain_checks = false;
	int32		typmod;
	Oid			typid;

	if (cmd->missing_ok && st->relid != InvalidOid &&
		get_attnum(st->relid, def->colname) != InvalidAttrNumber)
	{
		/* ADD COLUMN IF NOT EXISTS on an existing column: a no-op */
		sddl_at_apply(st, mode, false, false, true);
		return;
	}

	sddl_new_column(def, &nc);
	typid = sddl_type_oid(def->typeName, &typmod);
	if (OidIsValid(typid) && get_typtype(typid) == TYPTYPE_DOMAIN &&
		SddlDomainHasConstraints(typid))
		domain_checks = true;

	rewrite = nc.generated_stored || nc.identity ||
		sddl_is_serial(def->typeName) || domain_checks ||
		(nc.rawdefault != NULL && sddl_raw_expr_volatile(nc.rawdefault));

	/*
	 * A foreign key on a new column without a default needs no validation
	 * (transformFKConstraints skips it): every value is NULL.
	 */
	if (nc.rawdefault == NULL && !rewrite)
		nc.fks = NIL;
	scan = rewrite || nc.checks || nc.index_build || nc.exclusion ||
		nc.fks != NIL || (nc.notnull && nc.rawdefault == NULL);

	if (!RELKIND_HAS_STORAGE(st->relkind) &&
		st->relkind != RELKIND_PARTITIONED_TABLE)
		rewrite = scan = false;

	sddl_at_apply(st, mode, rewrite, scan, true);
	if (nc.rawdefault)
		sddl_add_default_sequences(st->a, nc.rawdefault);
	sddl_new_column_findings(st, def, &nc, rewrite);
}

/* SET DEFAULT: recurses; a nextval() default reads its sequence. */
void
sddl_at_column_default(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	sddl_at_apply(st, mode, false, false, true);
	if (cmd->def)
		sddl_add_default_sequences(st->a, cmd->def);
}

/*
 * Making column colname NOT NULL on the relation and its inheritors: each
 * is scanned unless the column is already NOT NULL there or a validated
 * CHECK proves it (the server's own shortcut).
 */
void
sddl_at_column_not_null(SddlAlterState *st, const char *colname,
						LOCKMODE mode)
{
	ListCell   *lc;
	bool		any = false;

	foreach(lc, sddl_at_targets(st))
	{
		Oid			relid = lfirst_oid(lc);
		HeapTuple	att = sddl_column(relid, colname);
		bool		scan = false;

		if (att != NULL)
		{
			Form_pg_attribute form = (Form_pg_attribute) GETSTRUCT(att);

			if ((!form->attnotnull ||
				 sddl_notnull_unvalidated(relid, form->attnum)) &&
				!sddl_notnull_implied(relid, att))
				scan = true;
			ReleaseSysCache(att);
		}
		if (!RELKIND_HAS_STORAGE(get_rel_relkind(relid)))
			scan = false;
		sddl_add_rel(st->a, relid, mode, false, scan);
		if (scan)
			any = true;
	}
	if (any)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_ADDING_NOT_NULLABLE_FIELD,
						 st->index, colname);
}

void
sddl_at_set_not_null(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	sddl_at_column_not_null(st, cmd->name, mode);
}

#ifdef SDDL_HAS_SET_EXPRESSION
/*
 * SET EXPRESSION: a stored generated column is recomputed, a rewrite of
 * the relation and each inheritor that has it (ATSimpleRecursion); a
 * virtual one (PostgreSQL 18) changes the catalog only.
 */
void
sddl_at_set_expression(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	ListCell   *lc;
	bool		any = false;

	foreach(lc, sddl_at_targets(st))
	{
		Oid			relid = lfirst_oid(lc);
		HeapTuple	att = sddl_column(relid, cmd->name);
		bool		rewrite = false;

		if (att != NULL)
		{
			rewrite = !SddlAttGeneratedVirtual((Form_pg_attribute) GETSTRUCT(att));
			ReleaseSysCache(att);
		}
		if (!RELKIND_HAS_STORAGE(get_rel_relkind(relid)))
			rewrite = false;
		sddl_add_rel(st->a, relid, mode, rewrite, rewrite);
		if (rewrite)
			any = true;
	}
	if (any)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_REWRITING_TABLE, st->index,
						 psprintf("SET EXPRESSION of column \"%s\"", cmd->name));
}
#endif

void
sddl_at_drop_column(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	AttrNumber	attnum = get_attnum(st->relid, cmd->name);

	sddl_at_apply(st, mode, false, false, true);
	if (attnum != InvalidAttrNumber)
	{
		sddl_add_fk_of_column(st->a, st->relid, attnum, AccessExclusiveLock,
							  false);
		sddl_add_column_drop(st->a, st->relid, attnum,
							 cmd->behavior == DROP_CASCADE);
	}
}
