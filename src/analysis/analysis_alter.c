/*-------------------------------------------------------------------------
 *
 * analysis_alter.c
 *	  Analysis of ALTER TABLE (and ALTER INDEX/VIEW/MATERIALIZED VIEW/
 *	  SEQUENCE/FOREIGN TABLE, which share its parse node).
 *
 * The lock mode on the named relation is the server's own:
 * AlterTableGetLockLevel() over all subcommands, exactly as
 * ProcessUtilitySlow computes it.  Each subcommand then adds what it does to
 * other relations (inheritance children, referenced tables, partitions) and
 * whether it rewrites or scans.  The rewrite decision of ALTER COLUMN TYPE
 * replays the server's: the column is coerced to the new type, the
 * expression is simplified by the planner (which turns varchar and numeric
 * widening into no-ops through their support functions), and what remains
 * is judged like ATColumnChangeRequiresRewrite() does.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/analysis_alter.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_tablespace.h"
#include "catalog/pg_type.h"
#include "access/tableam.h"
#include "commands/defrem.h"
#include "commands/tablecmds.h"
#include "commands/tablespace.h"
#include "compat.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_node.h"
#include "parser/parse_type.h"
#include "parser/parse_utilcmd.h"
#include "partitioning/partbounds.h"
#include "utils/partcache.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/catcache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"

/* ----------------------------------------------------------------
 *		Column facts
 * ----------------------------------------------------------------
 */

/* The pg_attribute row of a column, or NULL (caller releases). */
static HeapTuple
sddl_column(Oid relid, const char *colname)
{
	HeapTuple	tuple;

	if (colname == NULL)
		return NULL;
	tuple = SearchSysCacheAttName(relid, colname);
	if (!HeapTupleIsValid(tuple))
		return NULL;
	return tuple;
}

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

/* Type of a TypeName, InvalidOid if it does not exist (no error). */
static Oid
sddl_type_oid(TypeName *tn, int32 *typmod)
{
	Type		tup;
	Oid			typid;

	*typmod = -1;
	if (tn == NULL)
		return InvalidOid;
	tup = LookupTypeName(NULL, tn, typmod, true);
	if (tup == NULL)
		return InvalidOid;
	typid = typeTypeId(tup);
	ReleaseSysCache(tup);
	return typid;
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
	Relation	conrel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;

	nnulltest->arg = (Expr *) makeVar(1, att->attnum, att->atttypid,
									  att->atttypmod, att->attcollation, 0);
	nnulltest->nulltesttype = IS_NOT_NULL;
	nnulltest->argisrow = false;
	nnulltest->location = -1;

	conrel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(conrel, ConstraintRelidTypidNameIndexId, true,
							  NULL, 1, &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);
		Datum		val;
		bool		isnull;
		Node	   *cexpr;

		if (con->contype != CONSTRAINT_CHECK || !con->convalidated)
			continue;
		val = heap_getattr(tuple, Anum_pg_constraint_conbin,
						   RelationGetDescr(conrel), &isnull);
		if (isnull)
			continue;
		cexpr = stringToNode(TextDatumGetCString(val));
		cexpr = eval_const_expressions(NULL, cexpr);
		cexpr = (Node *) canonicalize_qual((Expr *) cexpr, true);
		existing = list_concat(existing, make_ands_implicit((Expr *) cexpr));
	}
	systable_endscan(scan);
	table_close(conrel, AccessShareLock);

	if (existing == NIL)
		return false;
	return predicate_implied_by(list_make1(nnulltest), existing, true);
}

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

			if (DomainHasConstraints(d->resulttype))
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

/* Access method of a relation. */
static Oid
sddl_rel_am(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			am = InvalidOid;

	if (HeapTupleIsValid(tuple))
	{
		am = ((Form_pg_class) GETSTRUCT(tuple))->relam;
		ReleaseSysCache(tuple);
	}
	return am;
}

/*
 * Has the column a validated CHECK constraint?  ALTER COLUMN TYPE drops and
 * re-adds it, and re-adding validates it: a scan even when nothing is
 * rewritten.
 */
static bool
sddl_column_has_check(Oid relid, AttrNumber attnum)
{
	Relation	conrel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		found = false;

	conrel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(conrel, ConstraintRelidTypidNameIndexId, true,
							  NULL, 1, &key);
	while (!found && HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);
		bool		isnull;
		Datum		d;
		ArrayType  *arr;
		int16	   *keys;

		if (con->contype != CONSTRAINT_CHECK || !con->convalidated)
			continue;
		d = heap_getattr(tuple, Anum_pg_constraint_conkey,
						 RelationGetDescr(conrel), &isnull);
		if (isnull)
			continue;
		arr = DatumGetArrayTypeP(d);
		keys = (int16 *) ARR_DATA_PTR(arr);
		for (int i = 0; i < ARR_DIMS(arr)[0]; i++)
		{
			if (keys[i] == attnum)
				found = true;
		}
	}
	systable_endscan(scan);
	table_close(conrel, AccessShareLock);
	return found;
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

static SddlTypeChange
sddl_type_change(Oid relid, AlterTableCmd *cmd)
{
	SddlTypeChange result = {false, false, false, false};
	ColumnDef  *def = (ColumnDef *) cmd->def;
	HeapTuple	atttup;
	Form_pg_attribute att;
	Oid			targettype;
	int32		targettypmod;
	Oid			targetcoll;
	Node	   *transform;
	TypeName   *cast = NULL;
	CoercionContext ccontext = COERCION_ASSIGNMENT;
	bool		plain = true;
	ParseState *pstate;
	Relation	indrel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;

	atttup = sddl_column(relid, cmd->name);
	if (atttup == NULL)
		return result;
	att = (Form_pg_attribute) GETSTRUCT(atttup);
	targettype = sddl_type_oid(def->typeName, &targettypmod);
	if (!OidIsValid(targettype))
	{
		ReleaseSysCache(atttup);
		return result;
	}
	result.known = true;

	/* the collation the column will have, as GetColumnDefCollation() */
	if (def->collClause)
		targetcoll = get_collation_oid(def->collClause->collname, true);
	else
		targetcoll = get_typcollation(targettype);

	if (def->raw_default)
	{
		plain = sddl_using_is_column(def->raw_default, cmd->name, &cast);
		if (plain && cast)
			ccontext = COERCION_EXPLICIT;
	}

	if (!plain)
		result.table_rewrite = true;
	else if (RELKIND_HAS_STORAGE(get_rel_relkind(relid)))
	{
		Oid			fromtype = att->atttypid;

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
											  targettype, targettypmod,
											  ccontext, COERCE_IMPLICIT_CAST,
											  -1);
		if (transform == NULL)
			result.table_rewrite = true;	/* the statement will fail */
		else
		{
			pstate = make_parsestate(NULL);
			assign_expr_collations(pstate, transform);
			transform = (Node *) expression_planner((Expr *) transform);
			result.table_rewrite = sddl_change_requires_rewrite(transform,
																att->attnum);
		}
	}

	/*
	 * Indexes on the column are rebuilt unless the table is not rewritten
	 * and the index is compatible (CheckIndexCompatible): same operator
	 * class and collation, no expressions or predicate.
	 */
	indrel = table_open(IndexRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(indrel, IndexIndrelidIndexId, true, NULL, 1,
							  &key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(tuple);
		bool		uses = false;
		bool		compatible = true;
		bool		isnull;
		Datum		d;
		oidvector  *classes;
		Oid			amid;

		d = SysCacheGetAttr(INDEXRELID, tuple, Anum_pg_index_indclass,
							&isnull);
		if (isnull)
			continue;
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
					GetDefaultOpClass(targettype, amid) != oldclass)
					compatible = false;
			}
		}
		if (!heap_attisnull(tuple, Anum_pg_index_indexprs, NULL) ||
			!heap_attisnull(tuple, Anum_pg_index_indpred, NULL))
		{
			/* expression or partial index: rebuilt if it mentions the column */
			if (!uses)
			{
				char	   *exprs = NULL;

				d = SysCacheGetAttr(INDEXRELID, tuple, Anum_pg_index_indexprs,
									&isnull);
				if (!isnull)
					exprs = TextDatumGetCString(d);
				if (exprs)
				{
					List	   *vars = pull_var_clause(stringToNode(exprs), 0);
					ListCell   *lc;

					foreach(lc, vars)
					{
						if (((Var *) lfirst(lc))->varattno == att->attnum)
							uses = true;
					}
				}
				d = SysCacheGetAttr(INDEXRELID, tuple, Anum_pg_index_indpred,
									&isnull);
				if (!isnull)
				{
					List	   *vars = pull_var_clause(stringToNode(TextDatumGetCString(d)), 0);
					ListCell   *lc;

					foreach(lc, vars)
					{
						if (((Var *) lfirst(lc))->varattno == att->attnum)
							uses = true;
					}
				}
			}
			compatible = false;
		}
		if (uses && OidIsValid(att->attcollation) &&
			att->attcollation != targetcoll)
			compatible = false;
		if (uses && (!compatible || result.table_rewrite))
			result.index_rebuild = true;
	}
	systable_endscan(scan);
	table_close(indrel, AccessShareLock);

	result.check_scan = sddl_column_has_check(relid, att->attnum);

	ReleaseSysCache(atttup);
	return result;
}

/* Does a foreign key (either side) of the relation involve the column? */
static void
sddl_add_fk_of_column(SddlAnalysis *a, Oid relid, AttrNumber attnum,
					  LOCKMODE mode, bool scans)
{
	Relation	conrel;
	SysScanDesc scan;
	HeapTuple	tuple;

	conrel = table_open(ConstraintRelationId, AccessShareLock);
	scan = systable_beginscan(conrel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);
		bool		isnull;
		Datum		d;
		ArrayType  *arr;
		int16	   *keys;
		int			n;
		bool		mine = false;
		AttrNumber	keyatt;

		if (con->contype != CONSTRAINT_FOREIGN)
			continue;
		if (con->conrelid == relid)
			keyatt = Anum_pg_constraint_conkey;
		else if (con->confrelid == relid)
			keyatt = Anum_pg_constraint_confkey;
		else
			continue;
		d = heap_getattr(tuple, keyatt, RelationGetDescr(conrel), &isnull);
		if (isnull)
			continue;
		arr = DatumGetArrayTypeP(d);
		n = ARR_DIMS(arr)[0];
		keys = (int16 *) ARR_DATA_PTR(arr);
		for (int i = 0; i < n; i++)
		{
			if (keys[i] == attnum)
				mine = true;
		}
		if (!mine)
			continue;
		/*
		 * Re-created: validated again only if it was valid.  Validation
		 * reads the referencing table; the referenced one is probed.
		 */
		sddl_add_rel(a, con->conrelid, mode, false,
					 scans && con->convalidated);
		sddl_add_rel(a, con->confrelid, mode, false, false);
	}
	systable_endscan(scan);
	table_close(conrel, AccessShareLock);
}

/* The constraint of a relation by name: its row copy, or NULL. */
static HeapTuple
sddl_constraint(Oid relid, const char *conname)
{
	Relation	conrel;
	ScanKeyData key[3];
	SysScanDesc scan;
	HeapTuple	tuple;
	HeapTuple	result = NULL;

	if (conname == NULL)
		return NULL;
	conrel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	ScanKeyInit(&key[1], Anum_pg_constraint_contypid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(InvalidOid));
	ScanKeyInit(&key[2], Anum_pg_constraint_conname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum(conname));
	scan = systable_beginscan(conrel, ConstraintRelidTypidNameIndexId, true,
							  NULL, 3, key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		result = heap_copytuple(tuple);
	systable_endscan(scan);
	table_close(conrel, AccessShareLock);
	return result;
}

/* ----------------------------------------------------------------
 *		Subcommands
 * ----------------------------------------------------------------
 */

typedef struct SddlAlterState
{
	SddlAnalysis *a;
	SddlAnalysisContext *cxt;
	AlterTableStmt *stmt;
	Oid			relid;
	char		relkind;
	SddlRelation *rel;
	List	   *children;		/* inheritors, without the relation itself */
	bool		recurse;		/* not ONLY */
	int			index;			/* subcommand position */
} SddlAlterState;

/* Apply to the relation and, when the subcommand recurses, its children. */
static void
sddl_at_apply(SddlAlterState *st, LOCKMODE mode, bool rewrites, bool scans,
			  bool recurses)
{
	ListCell   *lc;

	sddl_add_rel(st->a, st->relid, mode, rewrites, scans);
	if (!recurses || !st->recurse)
		return;
	foreach(lc, st->children)
		sddl_add_rel(st->a, lfirst_oid(lc), mode, rewrites, scans);
}

static void
sddl_at_add_column(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	ColumnDef  *def = (ColumnDef *) cmd->def;
	Node	   *rawdefault = def->raw_default;
	bool		notnull = def->is_not_null;
	bool		generated_stored = false;
	bool		identity = def->identity != 0;
	bool		checks = false;
	bool		index_build = false;
	bool		exclusion = false;
	bool		rewrite;
	bool		scan;
	bool		domain_checks = false;
	List	   *fks = NIL;
	ListCell   *lc;
	int32		typmod;
	Oid			typid;

	if (cmd->missing_ok && st->relid != InvalidOid &&
		get_attnum(st->relid, def->colname) != InvalidAttrNumber)
	{
		/* ADD COLUMN IF NOT EXISTS on an existing column: a no-op */
		sddl_at_apply(st, mode, false, false, true);
		return;
	}

	foreach(lc, def->constraints)
	{
		Constraint *c = (Constraint *) lfirst(lc);

		switch (c->contype)
		{
			case CONSTR_DEFAULT:
				rawdefault = c->raw_expr;
				break;
			case CONSTR_NOTNULL:
				notnull = true;
				break;
			case CONSTR_IDENTITY:
				identity = true;
				break;
			case CONSTR_GENERATED:
				generated_stored = true;
				break;
			case CONSTR_CHECK:
				if (!c->skip_validation)
					checks = true;
				break;
			case CONSTR_PRIMARY:
				notnull = true;
				index_build = true;
				break;
			case CONSTR_UNIQUE:
				index_build = true;
				break;
			case CONSTR_EXCLUSION:
				exclusion = true;
				break;
			case CONSTR_FOREIGN:
				fks = lappend(fks, c);
				break;
			default:
				break;
		}
	}

	typid = sddl_type_oid(def->typeName, &typmod);
	if (OidIsValid(typid) && get_typtype(typid) == TYPTYPE_DOMAIN &&
		DomainHasConstraints(typid))
		domain_checks = true;

	rewrite = generated_stored || identity || sddl_is_serial(def->typeName) ||
		domain_checks ||
		(rawdefault != NULL && sddl_raw_expr_volatile(rawdefault));
	/*
	 * A foreign key on a new column without a default needs no validation
	 * (transformFKConstraints skips it): every value is NULL.
	 */
	if (rawdefault == NULL && !rewrite)
		fks = NIL;
	scan = rewrite || checks || index_build || exclusion || fks != NIL ||
		(notnull && rawdefault == NULL);

	if (!RELKIND_HAS_STORAGE(st->relkind) &&
		st->relkind != RELKIND_PARTITIONED_TABLE)
		rewrite = scan = false;

	sddl_at_apply(st, mode, rewrite, scan, true);
	if (rawdefault)
		sddl_add_default_sequences(st->a, rawdefault);

	foreach(lc, def->constraints)
	{
		Constraint *c = (Constraint *) lfirst(lc);

		if (c->contype != CONSTR_FOREIGN)
			continue;
		sddl_add_referenced(st->a, st->cxt, c->pktable,
							list_member_ptr(fks, c));
		if (list_member_ptr(fks, c))
			sddl_add_finding(st->a, st->rel, SDDL_RULE_CONSTRAINT_MISSING_NOT_VALID,
							 st->index, c->conname ? c->conname : def->colname);
	}

	if (generated_stored)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_ADDING_STORED_GENERATED_COLUMN,
						 st->index, def->colname);
	else if (rewrite)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_ADDING_FIELD_WITH_DEFAULT,
						 st->index, def->colname);
	else if (notnull && rawdefault == NULL && !index_build)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_ADDING_REQUIRED_FIELD, st->index,
						 def->colname);
	if (checks)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_CONSTRAINT_MISSING_NOT_VALID,
						 st->index, def->colname);
	if (index_build)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_DISALLOWED_UNIQUE_CONSTRAINT,
						 st->index, def->colname);
	if (exclusion)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_DISALLOWED_EXCLUSION_CONSTRAINT,
						 st->index, def->colname);
}

static void
sddl_at_add_constraint(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	Constraint *c = (Constraint *) cmd->def;
	bool		partitioned = (st->relkind == RELKIND_PARTITIONED_TABLE);

	if (!IsA(c, Constraint))
	{
		sddl_at_apply(st, mode, false, false, false);
		return;
	}

	switch (c->contype)
	{
		case CONSTR_CHECK:
			sddl_at_apply(st, mode, false, !c->skip_validation,
						  !c->is_no_inherit);
			if (!c->skip_validation)
				sddl_add_finding(st->a, st->rel, SDDL_RULE_CONSTRAINT_MISSING_NOT_VALID,
								 st->index, c->conname);
			break;

		case CONSTR_FOREIGN:
			{
				SddlRelation *pk;

				/* partitions get the constraint too (partitioned only) */
				sddl_at_apply(st, mode, false, !c->skip_validation,
							  partitioned);
				pk = sddl_add_referenced(st->a, st->cxt, c->pktable,
										 !c->skip_validation);
				(void) pk;
				if (!c->skip_validation)
					sddl_add_finding(st->a, st->rel,
									 SDDL_RULE_CONSTRAINT_MISSING_NOT_VALID,
									 st->index, c->conname);
				break;
			}

		case CONSTR_PRIMARY:
		case CONSTR_UNIQUE:
		case CONSTR_EXCLUSION:
			if (c->indexname)
			{
				/* USING INDEX: no build; a primary key checks NOT NULL */
				bool		scan = false;
				Oid			idx = get_relname_relid(c->indexname,
													get_rel_namespace(st->relid));

				if (c->contype == CONSTR_PRIMARY && OidIsValid(idx))
				{
					HeapTuple	t = SearchSysCache1(INDEXRELID,
													ObjectIdGetDatum(idx));

					if (HeapTupleIsValid(t))
					{
						Form_pg_index ix = (Form_pg_index) GETSTRUCT(t);

						for (int i = 0; i < ix->indnkeyatts; i++)
						{
							HeapTuple	at = SearchSysCache2(ATTNUM,
															 ObjectIdGetDatum(st->relid),
															 Int16GetDatum(ix->indkey.values[i]));

							if (HeapTupleIsValid(at))
							{
								if (!((Form_pg_attribute) GETSTRUCT(at))->attnotnull)
									scan = true;
								ReleaseSysCache(at);
							}
						}
						ReleaseSysCache(t);
					}
				}
				sddl_at_apply(st, mode, false, scan, false);
				sddl_add_rel(st->a, idx, ShareUpdateExclusiveLock, false,
							 false);
				if (scan)
					sddl_add_finding(st->a, st->rel, SDDL_RULE_ADDING_NOT_NULLABLE_FIELD,
									 st->index, c->conname);
			}
			else
			{
				/*
				 * The index is built on every partition (DefineIndex takes
				 * SHARE); a primary key also sets NOT NULL on them, which
				 * recurses with the ALTER TABLE's lock.
				 */
				sddl_at_apply(st, mode, false, true, false);
				if (partitioned)
					sddl_add_tree(st->a, st->relid,
								  c->contype == CONSTR_PRIMARY ? mode : ShareLock,
								  false, true, false);
				else if (c->contype == CONSTR_PRIMARY)
				{
					/* inheritance children get the NOT NULL (and check it) */
					sddl_at_apply(st, mode, false, true, true);
					sddl_add_rel(st->a, st->relid, mode, false, true);
				}
				sddl_add_finding(st->a, st->rel,
								 c->contype == CONSTR_EXCLUSION ?
								 SDDL_RULE_DISALLOWED_EXCLUSION_CONSTRAINT :
								 SDDL_RULE_DISALLOWED_UNIQUE_CONSTRAINT,
								 st->index, c->conname);
			}
			break;

		default:
			sddl_at_apply(st, mode, false, false, false);
			break;
	}
}

static void
sddl_at_alter_type(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	List	   *targets = list_make1_oid(st->relid);
	ListCell   *lc;
	bool		any = false;

	if (st->recurse)
		targets = list_concat(targets, st->children);

	foreach(lc, targets)
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

static void
sddl_at_set_not_null(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	List	   *targets = list_make1_oid(st->relid);
	ListCell   *lc;
	bool		any = false;

	if (st->recurse)
		targets = list_concat(targets, st->children);
	foreach(lc, targets)
	{
		Oid			relid = lfirst_oid(lc);
		HeapTuple	att = sddl_column(relid, cmd->name);
		bool		scan = false;

		if (att != NULL)
		{
			if (!((Form_pg_attribute) GETSTRUCT(att))->attnotnull &&
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
						 st->index, cmd->name);
}

static void
sddl_at_validate(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	HeapTuple	con = sddl_constraint(st->relid, cmd->name);
	Form_pg_constraint form;

	if (con == NULL)
	{
		sddl_at_apply(st, mode, false, false, false);
		return;
	}
	form = (Form_pg_constraint) GETSTRUCT(con);
	if (form->convalidated)
	{
		sddl_at_apply(st, mode, false, false, false);
		return;
	}
	if (form->contype == CONSTRAINT_FOREIGN)
	{
		sddl_at_apply(st, mode, false, true,
					  st->relkind == RELKIND_PARTITIONED_TABLE);
		sddl_add_rel(st->a, form->confrelid, RowShareLock, false, false);
	}
	else
		sddl_at_apply(st, mode, false, true, !form->connoinherit);
}

static void
sddl_at_drop_constraint(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	HeapTuple	con = sddl_constraint(st->relid, cmd->name);
	Form_pg_constraint form;

	if (con == NULL)
	{
		sddl_at_apply(st, mode, false, false, false);
		return;
	}
	form = (Form_pg_constraint) GETSTRUCT(con);
	sddl_at_apply(st, mode, false, false, !form->connoinherit);
	if (!st->recurse && !form->connoinherit)
	{
		/* ONLY: the direct children keep it as a local constraint */
		ListCell   *lc;

		foreach(lc, find_inheritance_children(st->relid, NoLock))
			sddl_add_rel(st->a, lfirst_oid(lc), mode, false, false);
	}
	if (form->contype == CONSTRAINT_FOREIGN)
		sddl_add_tree(st->a, form->confrelid, AccessExclusiveLock, false,
					  false, true);
	if ((form->contype == CONSTRAINT_PRIMARY ||
		 form->contype == CONSTRAINT_UNIQUE) && cmd->behavior == DROP_CASCADE)
	{
		/* foreign keys that use its index go too */
		Relation	conrel = table_open(ConstraintRelationId, AccessShareLock);
		SysScanDesc scan = systable_beginscan(conrel, InvalidOid, false, NULL,
											  0, NULL);
		HeapTuple	tuple;

		while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		{
			Form_pg_constraint fk = (Form_pg_constraint) GETSTRUCT(tuple);

			if (fk->contype == CONSTRAINT_FOREIGN &&
				fk->confrelid == st->relid && fk->conindid == form->conindid)
				sddl_add_rel(st->a, fk->conrelid, AccessExclusiveLock, false,
							 false);
		}
		systable_endscan(scan);
		table_close(conrel, AccessShareLock);
	}
}

static void
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

/*
 * Must ATTACH PARTITION scan the new partition?  Not when its validated
 * CHECK constraints and NOT NULL columns already imply the partition
 * constraint: the server's own PartConstraintImpliedByRelConstraint()
 * decides, on the bound transformed as ATExecAttachPartition does.  The
 * relcache entries are looked at without a lock, like the size facts.
 */
static bool
sddl_attach_scans(Oid parentid, Oid partid, PartitionBoundSpec *bound)
{
	Relation	parent;
	Relation	part;
	bool		scans = true;

	if (bound == NULL || bound->is_default ||
		get_rel_relkind(partid) != RELKIND_RELATION)
		return true;
	parent = RelationIdGetRelation(parentid);
	if (parent == NULL)
		return true;
	part = RelationIdGetRelation(partid);
	if (part != NULL)
	{
		ParseState *pstate = make_parsestate(NULL);
		PartitionBoundSpec *spec;
		List	   *constraint;

		spec = transformPartitionBound(pstate, parent, bound);
		constraint = list_concat(SddlGetQualFromPartbound(part, parent, spec),
								 RelationGetPartitionQual(parent));
		if (constraint != NIL)
		{
			constraint = (List *) eval_const_expressions(NULL,
														 (Node *) constraint);
			constraint = (List *) canonicalize_qual((Expr *) constraint, true);
			constraint = list_make1(make_ands_explicit(constraint));
			constraint = map_partition_varattnos(constraint, 1, part, parent);
			scans = !PartConstraintImpliedByRelConstraint(part, constraint);
		}
		else
			scans = false;
		RelationClose(part);
	}
	RelationClose(parent);
	return scans;
}

/* Simple-column index of a relation matching one of another's, by name. */
static bool
sddl_has_matching_index(Oid relid, Oid otherrel, Form_pg_index want,
						Oid wantam)
{
	Relation	indrel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		found = false;

	indrel = table_open(IndexRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(indrel, IndexIndrelidIndexId, true, NULL, 1,
							  &key);
	while (!found && HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(tuple);
		bool		match = true;

		if (idx->indnatts != want->indnatts ||
			idx->indisunique != want->indisunique ||
			sddl_rel_am(idx->indexrelid) != wantam ||
			!heap_attisnull(tuple, Anum_pg_index_indexprs, NULL) ||
			!heap_attisnull(tuple, Anum_pg_index_indpred, NULL))
			continue;
		for (int i = 0; i < idx->indnatts && match; i++)
		{
			char	   *name = get_attname(otherrel, want->indkey.values[i],
										   true);

			if (name == NULL ||
				get_attnum(relid, name) != idx->indkey.values[i])
				match = false;
		}
		found = match;
	}
	systable_endscan(scan);
	table_close(indrel, AccessShareLock);
	return found;
}

/*
 * Will attaching a partition build indexes on it?  Every index of the
 * partitioned table needs a counterpart on the partition; one that has no
 * matching index (simple columns, same access method and uniqueness) is
 * built, which reads the partition.
 */
static bool
sddl_attach_builds_index(Oid parentid, Oid partid)
{
	Relation	indrel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		builds = false;

	indrel = table_open(IndexRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(parentid));
	scan = systable_beginscan(indrel, IndexIndrelidIndexId, true, NULL, 1,
							  &key);
	while (!builds && HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(tuple);

		if (!heap_attisnull(tuple, Anum_pg_index_indexprs, NULL) ||
			!heap_attisnull(tuple, Anum_pg_index_indpred, NULL) ||
			!sddl_has_matching_index(partid, parentid, idx,
									 sddl_rel_am(idx->indexrelid)))
			builds = true;
	}
	systable_endscan(scan);
	table_close(indrel, AccessShareLock);
	return builds;
}

static void
sddl_at_attach_partition(SddlAlterState *st, AlterTableCmd *cmd,
						 LOCKMODE mode)
{
	PartitionCmd *pc = (PartitionCmd *) cmd->def;
	SddlRelation *part;
	Oid			defpart;

	sddl_add_rel(st->a, st->relid, mode, false, false);
	if (st->relkind == RELKIND_PARTITIONED_INDEX)
	{
		/* ALTER INDEX ... ATTACH PARTITION: the partition's index */
		Oid			idx = sddl_lookup_rangevar(pc->name);

		/* both tables are only read (RangeVarCallbackForAttachIndex) */
		sddl_add_rel(st->a, IndexGetRelation(st->relid, true),
					 AccessShareLock, false, false);
		if (OidIsValid(idx))
		{
			sddl_add_rel(st->a, IndexGetRelation(idx, true), AccessShareLock,
						 false, false);
			sddl_add_rel(st->a, idx, AccessExclusiveLock, false, false);
		}
		return;
	}

	/*
	 * Everything below needs a partition key (transformPartitionBound
	 * dereferences it).  The server refuses ATTACH to a plain table in
	 * transformPartitionCmd() before anything else, with this error; any
	 * other relation kind it refuses earlier still, when checking what the
	 * subcommand applies to, so there is nothing to analyse.
	 */
	if (OidIsValid(st->relid) && st->relkind != RELKIND_PARTITIONED_TABLE)
	{
		if (st->relkind == RELKIND_RELATION)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("table \"%s\" is not partitioned",
							get_rel_name(st->relid))));
		return;
	}

	part = sddl_add_rangevar(st->a, st->cxt, pc->name, AccessExclusiveLock,
							 false, false);
	if (part && OidIsValid(part->relid))
	{
		bool		scans = sddl_attach_scans(st->relid, part->relid,
											  pc->bound);

		sddl_add_rel(st->a, part->relid, AccessExclusiveLock, false,
					 scans || (part->relkind == RELKIND_RELATION &&
							   sddl_attach_builds_index(st->relid,
														part->relid)));
		sddl_add_tree(st->a, part->relid, AccessExclusiveLock, false, true,
					  false);
		if (scans && part->relkind != RELKIND_FOREIGN_TABLE)
			sddl_add_finding(st->a, part, SDDL_RULE_ATTACH_PARTITION_SCAN, st->index,
							 part->relname);
	}
	/* the default partition is scanned for rows of the new bound */
	defpart = get_default_partition_oid(st->relid);
	if (OidIsValid(defpart) && (part == NULL || defpart != part->relid))
		sddl_add_finding(st->a,
						 sddl_add_rel(st->a, defpart, AccessExclusiveLock,
									  false, true),
						 SDDL_RULE_ATTACH_PARTITION_SCAN, st->index, NULL);
}

static void
sddl_at_detach_partition(SddlAlterState *st, AlterTableCmd *cmd,
						 LOCKMODE mode)
{
	PartitionCmd *pc = (PartitionCmd *) cmd->def;
	LOCKMODE	partmode = pc->concurrent ? ShareUpdateExclusiveLock :
		AccessExclusiveLock;
	Oid			defpart;

	if (pc->concurrent)
		st->a->concurrent = true;
	sddl_add_rel(st->a, st->relid, mode, false, false);
	sddl_add_rangevar(st->a, st->cxt, pc->name, partmode, false, false);
	defpart = get_default_partition_oid(st->relid);
	if (OidIsValid(defpart) && cmd->subtype == AT_DetachPartition)
		sddl_add_rel(st->a, defpart, AccessExclusiveLock, false, false);
	if (!pc->concurrent && cmd->subtype == AT_DetachPartition)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_REQUIRE_CONCURRENT_DETACH_PARTITION,
						 st->index, pc->name->relname);
}

static void
sddl_at_inherit(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	RangeVar   *parent = (RangeVar *) cmd->def;

	sddl_add_rel(st->a, st->relid, mode, false, false);
	sddl_add_rangevar(st->a, st->cxt, parent,
					  cmd->subtype == AT_AddInherit ? ShareUpdateExclusiveLock :
					  AccessShareLock, false, false);
}

static void
sddl_at_cmd(SddlAlterState *st, AlterTableCmd *cmd)
{
	LOCKMODE	mode = AlterTableGetLockLevel(list_make1(cmd));
	bool		storage = RELKIND_HAS_STORAGE(st->relkind);

	switch (cmd->subtype)
	{
		case AT_AddColumn:
		case AT_AddColumnToView:
			sddl_at_add_column(st, cmd, mode);
			break;
		case AT_ColumnDefault:
			sddl_at_apply(st, mode, false, false, true);
			if (cmd->def)
				sddl_add_default_sequences(st->a, cmd->def);
			break;
		case AT_DropNotNull:
		case AT_SetStatistics:
		case AT_SetStorage:
		case AT_DropExpression:
			sddl_at_apply(st, mode, false, false, true);
			break;
		case AT_SetNotNull:
			sddl_at_set_not_null(st, cmd, mode);
			break;
		case AT_DropColumn:
			sddl_at_drop_column(st, cmd, mode);
			break;
		case AT_AlterColumnType:
			sddl_at_alter_type(st, cmd, mode);
			break;
		case AT_AddConstraint:
			sddl_at_add_constraint(st, cmd, mode);
			break;
		case AT_ValidateConstraint:
			sddl_at_validate(st, cmd, mode);
			break;
		case AT_DropConstraint:
			sddl_at_drop_constraint(st, cmd, mode);
			break;
		case AT_AttachPartition:
			sddl_at_attach_partition(st, cmd, mode);
			break;
		case AT_DetachPartition:
		case AT_DetachPartitionFinalize:
			sddl_at_detach_partition(st, cmd, mode);
			break;
		case AT_AddInherit:
		case AT_DropInherit:
			sddl_at_inherit(st, cmd, mode);
			break;
#ifdef SDDL_HAVE_SET_ACCESS_METHOD
		case AT_SetAccessMethod:
			{
				const char *amname = cmd->name ? cmd->name :
					default_table_access_method;
				Oid			amoid = get_table_am_oid(amname, true);

				if (amoid == sddl_rel_am(st->relid))
				{
					sddl_at_apply(st, mode, false, false, false);
					break;
				}
				sddl_at_apply(st, mode, storage, storage, false);
				if (storage)
					sddl_add_finding(st->a, st->rel, SDDL_RULE_REWRITING_TABLE,
									 st->index, amname);
				break;
			}
#endif
		case AT_SetLogged:
		case AT_SetUnLogged:
			sddl_at_apply(st, mode, storage, storage, false);
			if (storage)
				sddl_add_finding(st->a, st->rel, SDDL_RULE_REWRITING_TABLE, st->index,
								 NULL);
#ifdef SDDL_HAVE_UNLOGGED_SEQUENCES
			/* identity and serial sequences follow the table */
			if (OidIsValid(st->relid))
			{
				ListCell   *lc;

				foreach(lc, getOwnedSequences(st->relid))
					sddl_add_rel(st->a, lfirst_oid(lc), mode, true, false);
			}
#endif
			break;
		case AT_SetTableSpace:
			{
				Oid			tsoid = get_tablespace_oid(cmd->name, true);
				Oid			cur = get_rel_tablespace(st->relid);
				bool		moves;

				if (cur == InvalidOid)
					cur = MyDatabaseTableSpace;
				if (tsoid == InvalidOid && strcmp(cmd->name, "pg_default") == 0)
					tsoid = DEFAULTTABLESPACE_OID;
				moves = storage && tsoid != cur;
				sddl_at_apply(st, mode, false, false, false);
				if (moves && OidIsValid(st->relid))
					sddl_add_rel_copied(st->a, st->relid, mode);
				if (moves)
					sddl_add_finding(st->a, st->rel, SDDL_RULE_REWRITING_TABLE,
									 st->index, cmd->name);
				break;
			}
		case AT_EnableTrig:
		case AT_EnableAlwaysTrig:
		case AT_EnableReplicaTrig:
		case AT_DisableTrig:
		case AT_EnableTrigAll:
		case AT_DisableTrigAll:
		case AT_EnableTrigUser:
		case AT_DisableTrigUser:
			/* triggers cloned to partitions follow */
			sddl_at_apply(st, mode, false, false,
						  st->relkind == RELKIND_PARTITIONED_TABLE);
			break;
		case AT_ChangeOwner:
			{
				ListCell   *lc;

				sddl_at_apply(st, mode, false, false, false);
				foreach(lc, getOwnedSequences(st->relid))
					sddl_add_rel(st->a, lfirst_oid(lc), mode, false, false);
				break;
			}
		case AT_AddIdentity:
		case AT_SetIdentity:
		case AT_DropIdentity:
		case AT_SetOptions:
		case AT_ResetOptions:
		case AT_SetCompression:
		case AT_ClusterOn:
		case AT_DropCluster:
		case AT_SetRelOptions:
		case AT_ResetRelOptions:
		case AT_ReplaceRelOptions:
		case AT_EnableRule:
		case AT_EnableAlwaysRule:
		case AT_EnableReplicaRule:
		case AT_DisableRule:
		case AT_AddOf:
		case AT_DropOf:
		case AT_ReplicaIdentity:
		case AT_EnableRowSecurity:
		case AT_DisableRowSecurity:
		case AT_ForceRowSecurity:
		case AT_NoForceRowSecurity:
		case AT_GenericOptions:
		case AT_AlterColumnGenericOptions:
		case AT_AlterConstraint:
			sddl_at_apply(st, mode, false, false, false);
			break;
		default:
			/* a subcommand this analysis does not know: say so */
			sddl_at_apply(st, mode, false, false, false);
			st->a->recognized = false;
			break;
	}
}

void
sddl_analyze_alter_table(SddlAnalysis *a, Node *node,
						 SddlAnalysisContext *cxt)
{
	AlterTableStmt *stmt = (AlterTableStmt *) node;
	SddlAlterState st;
	LOCKMODE	lockmode;
	ListCell   *lc;

	lockmode = AlterTableGetLockLevel(stmt->cmds);

	memset(&st, 0, sizeof(st));
	st.a = a;
	st.cxt = cxt;
	st.stmt = stmt;

	if (sddl_name_created(cxt, stmt->relation))
	{
		/*
		 * A table created earlier in the same check() input: it is new and
		 * has no catalog entry yet, but its subcommands still lock other
		 * tables (the table a foreign key references, a partition).
		 */
		st.relid = InvalidOid;
		st.relkind = RELKIND_RELATION;
		st.rel = sddl_add_rangevar(a, cxt, stmt->relation, lockmode, false,
								   false);
	}
	else
	{
		st.relid = sddl_lookup_rangevar(stmt->relation);
		if (!OidIsValid(st.relid))
			return;
		st.relkind = get_rel_relkind(st.relid);
		st.rel = sddl_add_rel(a, st.relid, lockmode, false, false);
		if (st.rel == NULL)
			return;
	}
	st.recurse = stmt->relation->inh;
	if (st.recurse && OidIsValid(st.relid) &&
		(st.relkind == RELKIND_RELATION ||
					   st.relkind == RELKIND_PARTITIONED_TABLE ||
					   st.relkind == RELKIND_FOREIGN_TABLE))
		st.children = list_delete_first(find_all_inheritors(st.relid, NoLock,
															NULL));

	foreach(lc, stmt->cmds)
	{
		sddl_at_cmd(&st, (AlterTableCmd *) lfirst(lc));
		st.index++;
	}
}
