/*-------------------------------------------------------------------------
 *
 * alter_type.c
 *	  Analysis of ALTER COLUMN TYPE: does it rewrite the table, rebuild
 *	  indexes, validate CHECK constraints and foreign keys again?
 *
 * The rewrite decision replays the server's: the column is coerced to the
 * new type, the expression is simplified by the planner (which turns
 * varchar and numeric widening into no-ops through their support
 * functions), and what remains is judged like
 * ATColumnChangeRequiresRewrite() does.  Indexes on the column are rebuilt
 * unless compatible (CheckIndexCompatible); CHECK constraints and foreign
 * keys on the column are dropped and re-created.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/alter_type.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "commands/defrem.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_node.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "analysis/catalog.h"
#include "compat.h"

/*
 * ATColumnChangeRequiresRewrite(), on the planned coercion expression.
 */
static bool
sddl_change_requires_rewrite(Node *expr, AttrNumber varattno)
{
	for (;;)
	{
		if (expr == NULL)
			return true;
		if (IsA(expr, Var) && ((Var *) expr)->varattno == varattno)
			return false;
		else if (IsA(expr, RelabelType))
			expr = (Node *) ((RelabelType *) expr)->arg;
		else if (IsA(expr, CoerceToDomain))
		{
			CoerceToDomain *d = (CoerceToDomain *) expr;

			if (SddlDomainHasConstraints(d->resulttype))
				return true;
			expr = (Node *) d->arg;
		}
		else if (IsA(expr, FuncExpr))
		{
			FuncExpr   *f = (FuncExpr *) expr;

			switch (f->funcid)
			{
				case F_TIMESTAMPTZ_TIMESTAMP:
				case F_TIMESTAMP_TIMESTAMPTZ:
					if (TimestampTimestampTzRequiresRewrite())
						return true;
					expr = linitial(f->args);
					break;
				default:
					return true;
			}
		}
		else
			return true;
	}
}

/* Is a USING expression just the column itself, perhaps cast? */
static bool
sddl_using_is_column(Node *expr, const char *colname, TypeName **cast)
{
	*cast = NULL;
	if (expr != NULL && IsA(expr, TypeCast))
	{
		*cast = ((TypeCast *) expr)->typeName;
		expr = ((TypeCast *) expr)->arg;
	}
	if (expr != NULL && IsA(expr, ColumnRef))
	{
		List	   *fields = ((ColumnRef *) expr)->fields;
		Node	   *last = llast(fields);

		return IsA(last, String) && strcmp(strVal(last), colname) == 0;
	}
	return false;
}

/*
 * Outcome of ALTER COLUMN TYPE on one relation.
 */
typedef struct SddlTypeChange
{
	bool		known;			/* false: column or type missing */
	bool		table_rewrite;
	bool		index_rebuild;	/* an index on the column is rebuilt */
	bool		check_scan;		/* a CHECK on the column is validated again */
} SddlTypeChange;

/* The new type and typmod of the column, as the statement names them. */
typedef struct SddlTargetType
{
	Oid			type;
	int32		typmod;
	Oid			collation;
} SddlTargetType;

/*
 * Does converting the stored values rewrite the table?  A USING expression
 * other than the column (perhaps cast) always does; otherwise the planned
 * coercion decides.
 */
static bool
sddl_type_change_rewrites(Oid relid, AlterTableCmd *cmd,
						  Form_pg_attribute att, SddlTargetType *target)
{
	ColumnDef  *def = (ColumnDef *) cmd->def;
	TypeName   *cast = NULL;
	CoercionContext ccontext = COERCION_ASSIGNMENT;
	Oid			fromtype = att->atttypid;
	Node	   *transform;

	if (def->raw_default)
	{
		if (!sddl_using_is_column(def->raw_default, cmd->name, &cast))
			return true;
		if (cast)
			ccontext = COERCION_EXPLICIT;
	}
	if (!RELKIND_HAS_STORAGE(get_rel_relkind(relid)))
		return false;

	transform = (Node *) makeVar(1, att->attnum, att->atttypid,
								 att->atttypmod, att->attcollation, 0);
	if (cast)
	{
		int32		casttypmod;
		Oid			casttype = sddl_type_oid(cast, &casttypmod);

		if (OidIsValid(casttype))
		{
			transform = coerce_to_target_type(NULL, transform, fromtype,
											  casttype, casttypmod,
											  COERCION_EXPLICIT,
											  COERCE_EXPLICIT_CAST, -1);
			fromtype = casttype;
		}
	}
	if (transform != NULL)
		transform = coerce_to_target_type(NULL, transform, fromtype,
										  target->type, target->typmod,
										  ccontext, COERCE_IMPLICIT_CAST, -1);
	if (transform == NULL)
		return true;			/* the statement will fail */
	assign_expr_collations(make_parsestate(NULL), transform);
	transform = (Node *) expression_planner((Expr *) transform);
	return sddl_change_requires_rewrite(transform, att->attnum);
}

/* Does a stored index expression or predicate mention the column? */
static bool
sddl_index_expr_uses(HeapTuple indextup, AttrNumber exprcol,
					 AttrNumber attnum)
{
	bool		isnull;
	Datum		d = SysCacheGetAttr(INDEXRELID, indextup, exprcol, &isnull);
	ListCell   *lc;

	if (isnull)
		return false;
	foreach(lc, pull_var_clause(stringToNode(TextDatumGetCString(d)), 0))
	{
		if (((Var *) lfirst(lc))->varattno == attnum)
			return true;
	}
	return false;
}

/*
 * Is an index rebuilt by the type change?  Only if it uses the column, and
 * then unless the table is not rewritten and the index is compatible
 * (CheckIndexCompatible): same operator class and collation, no
 * expressions or predicate.
 */
static bool
sddl_index_rebuilt(HeapTuple indextup, Form_pg_attribute att,
				   SddlTargetType *target, bool table_rewrite)
{
	Form_pg_index idx = (Form_pg_index) GETSTRUCT(indextup);
	bool		uses = false;
	bool		compatible = true;
	bool		isnull;
	Datum		d;
	oidvector  *classes;
	Oid			amid;

	d = SysCacheGetAttr(INDEXRELID, indextup, Anum_pg_index_indclass, &isnull);
	if (isnull)
		return false;
	classes = (oidvector *) DatumGetPointer(d);
	amid = sddl_rel_am(idx->indexrelid);

	for (int i = 0; i < idx->indnatts; i++)
	{
		if (idx->indkey.values[i] != att->attnum)
			continue;
		uses = true;
		if (i < idx->indnkeyatts)
		{
			Oid			oldclass = classes->values[i];
			Oid			olddefault = GetDefaultOpClass(att->atttypid, amid);

			if (oldclass == olddefault &&
				GetDefaultOpClass(target->type, amid) != oldclass)
				compatible = false;
		}
	}
	if (!sddl_index_is_plain(indextup))
	{
		/* expression or partial index: rebuilt if it mentions the column */
		if (!uses)
			uses = sddl_index_expr_uses(indextup, Anum_pg_index_indexprs,
										att->attnum) ||
				sddl_index_expr_uses(indextup, Anum_pg_index_indpred,
									 att->attnum);
		compatible = false;
	}
	if (uses && OidIsValid(att->attcollation) &&
		att->attcollation != target->collation)
		compatible = false;
	return uses && (!compatible || table_rewrite);
}

static SddlTypeChange
sddl_type_change(Oid relid, AlterTableCmd *cmd)
{
	SddlTypeChange result = {false, false, false, false};
	ColumnDef  *def = (ColumnDef *) cmd->def;
	HeapTuple	atttup;
	Form_pg_attribute att;
	SddlTargetType target;
	ListCell   *lc;

	atttup = sddl_column(relid, cmd->name);
	if (atttup == NULL)
		return result;
	att = (Form_pg_attribute) GETSTRUCT(atttup);
	target.type = sddl_type_oid(def->typeName, &target.typmod);
	if (!OidIsValid(target.type))
	{
		ReleaseSysCache(atttup);
		return result;
	}
	result.known = true;

	/* the collation the column will have, as GetColumnDefCollation() */
	if (def->collClause)
		target.collation = get_collation_oid(def->collClause->collname, true);
	else
		target.collation = get_typcollation(target.type);

	result.table_rewrite = sddl_type_change_rewrites(relid, cmd, att, &target);
	foreach(lc, sddl_catalog_indexes(relid))
	{
		if (sddl_index_rebuilt((HeapTuple) lfirst(lc), att, &target,
							   result.table_rewrite))
			result.index_rebuild = true;
	}
	result.check_scan = sddl_column_has_check(relid, att->attnum);

	ReleaseSysCache(atttup);
	return result;
}

/*
 * The foreign keys (either side) of the relation that involve the column
 * are dropped and re-created.
 */
void
sddl_add_fk_of_column(SddlAnalysis *a, Oid relid, AttrNumber attnum,
					  LOCKMODE mode, bool scans)
{
	ListCell   *lc;

	foreach(lc, sddl_catalog_foreign_keys(relid))
	{
		HeapTuple	tuple = (HeapTuple) lfirst(lc);
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);
		AttrNumber	keyatt;

		if (con->conrelid == relid)
			keyatt = Anum_pg_constraint_conkey;
		else
			keyatt = Anum_pg_constraint_confkey;
		if (!sddl_constraint_has_key(tuple, keyatt, attnum))
			continue;

		/*
		 * Re-created: validated again only if it was valid.  Validation
		 * joins both tables in full.
		 */
		sddl_add_rel(a, con->conrelid, mode, false,
					 scans && con->convalidated);
		if (scans && con->convalidated)
			sddl_add_referenced_validated(a, con->confrelid, mode);
		else
			sddl_add_rel(a, con->confrelid, mode, false, false);
	}
}

void
sddl_at_alter_type(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	ListCell   *lc;
	bool		any = false;

	foreach(lc, sddl_at_targets(st))
	{
		Oid			relid = lfirst_oid(lc);
		SddlTypeChange tc = sddl_type_change(relid, cmd);
		bool		rewrites = tc.table_rewrite || tc.index_rebuild;
		bool		scans = rewrites || tc.check_scan;
		AttrNumber	attnum = get_attnum(relid, cmd->name);

		if (!RELKIND_HAS_STORAGE(get_rel_relkind(relid)))
			rewrites = scans = false;
		sddl_add_rel(st->a, relid, mode, rewrites, scans);
		if (tc.known && scans)
			any = true;
		/* foreign keys on the column are dropped and re-created */
		if (attnum != InvalidAttrNumber)
			sddl_add_fk_of_column(st->a, relid, attnum, AccessExclusiveLock,
								  tc.table_rewrite);
	}
	if (any)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_CHANGING_COLUMN_TYPE, st->index,
						 cmd->name);
}
