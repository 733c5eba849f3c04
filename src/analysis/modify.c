/*-------------------------------------------------------------------------
 *
 * modify.c
 *	  Analysis of the data changes of a migration as safe_ddl.check() sees
 *	  them: INSERT, UPDATE, DELETE and MERGE.
 *
 * Migration tools put data changes between their DDL (the UPDATE Django
 * emits before SET NOT NULL, a data migration's DELETE or INSERT ...
 * SELECT).  They lock their target in ROW EXCLUSIVE mode and read what
 * their query reads; an UPDATE or DELETE reads its whole target unless its
 * WHERE clause can use an index.  Foreign keys add the other side: a row
 * inserted into a referencing table is checked against the referenced one
 * (ROW SHARE, probed through its key), and a row deleted from a referenced
 * table is looked for in the referencing ones (ROW SHARE, or ROW EXCLUSIVE
 * when the key's action changes them), which are read whole when no index
 * leads with the referencing column.
 *
 * The hook never analyses these statements (sddl_is_candidate leaves them
 * out): only check() does, from the raw parse tree, without planning.
 * What depends on the data is reported as its upper bound: every
 * partition of a partitioned target of UPDATE or DELETE, the foreign-key
 * neighbours whether or not a row is changed.  An INSERT into a partitioned
 * table locks only the partitions its rows go to, which the analysis
 * cannot know: the partitioned table alone is listed.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/modify.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "nodes/parsenodes.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "analysis/catalog.h"
#include "compat.h"

/* Has relid a valid, non-partial index whose first key column is attnum? */
static bool
sddl_index_leads_with(Oid relid, AttrNumber attnum)
{
	ListCell   *lc;

	if (attnum == InvalidAttrNumber)
		return false;
	foreach(lc, sddl_catalog_indexes(relid))
	{
		HeapTuple	t = (HeapTuple) lfirst(lc);
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(t);

		if (idx->indisvalid && idx->indnkeyatts > 0 &&
			idx->indkey.values[0] == attnum &&
			heap_attisnull(t, Anum_pg_index_indpred, NULL))
			return true;
	}
	return false;
}

/*
 * The column of the target a ColumnRef names (unqualified, or qualified by
 * the target's name or alias), or InvalidAttrNumber.
 */
static AttrNumber
sddl_target_column(Node *node, Oid relid, const RangeVar *target)
{
	ColumnRef  *cref;
	Node	   *field;
	const char *qualifier = NULL;

	if (node == NULL || !IsA(node, ColumnRef))
		return InvalidAttrNumber;
	cref = (ColumnRef *) node;
	if (list_length(cref->fields) == 2)
	{
		if (!IsA(linitial(cref->fields), String))
			return InvalidAttrNumber;
		qualifier = strVal(linitial(cref->fields));
		if (strcmp(qualifier, target->alias ? target->alias->aliasname :
				   target->relname) != 0)
			return InvalidAttrNumber;
	}
	else if (list_length(cref->fields) != 1)
		return InvalidAttrNumber;
	field = (Node *) llast(cref->fields);
	if (!IsA(field, String))
		return InvalidAttrNumber;
	return get_attnum(relid, strVal(field));
}

/* Can the planner find the rows of this condition through an index? */
static bool
sddl_qual_uses_index(Node *qual, Oid relid, const RangeVar *target)
{
	if (qual == NULL)
		return false;
	if (IsA(qual, BoolExpr))
	{
		BoolExpr   *b = (BoolExpr *) qual;
		ListCell   *lc;

		/* one indexable conjunct is enough; OR and NOT are not looked into */
		if (b->boolop != AND_EXPR)
			return false;
		foreach(lc, b->args)
		{
			if (sddl_qual_uses_index((Node *) lfirst(lc), relid, target))
				return true;
		}
		return false;
	}
	if (IsA(qual, NullTest))
	{
		NullTest   *nt = (NullTest *) qual;

		return nt->nulltesttype == IS_NULL &&
			sddl_index_leads_with(relid,
								  sddl_target_column((Node *) nt->arg, relid,
													 target));
	}
	if (IsA(qual, A_Expr))
	{
		A_Expr	   *e = (A_Expr *) qual;
		const char *op;

		switch (e->kind)
		{
			case AEXPR_IN:
			case AEXPR_BETWEEN:
				break;
			case AEXPR_OP:
				/* a column compared with something that is not a column */
				op = strVal(llast(e->name));
				if (strcmp(op, "=") != 0 && strcmp(op, "<") != 0 &&
					strcmp(op, ">") != 0 && strcmp(op, "<=") != 0 &&
					strcmp(op, ">=") != 0)
					return false;
				if (e->rexpr && IsA(e->rexpr, ColumnRef))
					return false;
				break;
			default:
				return false;
		}
		return sddl_index_leads_with(relid,
									 sddl_target_column(e->lexpr, relid,
														target));
	}
	return false;
}

/*
 * The foreign keys of a data change: for rows written to a referencing
 * table, the referenced table is probed under ROW SHARE; for rows deleted
 * from (or keys changed in) a referenced table, each referencing table is
 * searched, under ROW SHARE, or ROW EXCLUSIVE when the key's action
 * changes its rows, and read whole unless an index leads with the key.
 * removes_keys says how keys go: 'd' (deleted rows: ON DELETE applies),
 * 'u' (changed keys: ON UPDATE applies), or 0.
 */
static void
sddl_modify_foreign_keys(SddlAnalysis *a, Oid relid, bool writes_keys,
						 char removes_keys)
{
	ListCell   *lc;

	foreach(lc, sddl_catalog_foreign_keys(relid))
	{
		HeapTuple	t = (HeapTuple) lfirst(lc);
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(t);

		if (writes_keys && con->conrelid == relid && con->confrelid != relid)
			sddl_add_rel(a, con->confrelid, RowShareLock, false, false);
		if (removes_keys && con->confrelid == relid && con->conrelid != relid)
		{
			char		action = removes_keys == 'u' ? con->confupdtype :
				con->confdeltype;
			bool		changes = (action == FKCONSTR_ACTION_CASCADE ||
								   action == FKCONSTR_ACTION_SETNULL ||
								   action == FKCONSTR_ACTION_SETDEFAULT);
			bool		isnull;
			Datum		d = SysCacheGetAttr(CONSTROID, t,
											Anum_pg_constraint_conkey,
											&isnull);
			AttrNumber	first = InvalidAttrNumber;

			if (!isnull)
			{
				ArrayType  *arr = DatumGetArrayTypeP(d);

				if (ARR_NDIM(arr) == 1 && ARR_DIMS(arr)[0] > 0)
					first = ((int16 *) ARR_DATA_PTR(arr))[0];
			}
			sddl_add_rel(a, con->conrelid,
						 changes ? RowExclusiveLock : RowShareLock, false,
						 !sddl_index_leads_with(con->conrelid, first));
		}
	}
}

/* Does an UPDATE's SET list write a column of a key (either side)? */
static bool
sddl_update_sets_key(Oid relid, List *targetList)
{
	ListCell   *lc;

	foreach(lc, targetList)
	{
		ResTarget  *rt = (ResTarget *) lfirst(lc);
		AttrNumber	attnum;
		ListCell   *fk;

		if (!IsA(rt, ResTarget) || rt->name == NULL)
			continue;
		attnum = get_attnum(relid, rt->name);

		foreach(fk, sddl_catalog_foreign_keys(relid))
		{
			HeapTuple	t = (HeapTuple) lfirst(fk);
			Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(t);

			if ((con->conrelid == relid &&
				 sddl_constraint_has_key(t, Anum_pg_constraint_conkey, attnum)) ||
				(con->confrelid == relid &&
				 sddl_constraint_has_key(t, Anum_pg_constraint_confkey, attnum)))
				return true;
		}
	}
	return false;
}

void
sddl_analyze_modify(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	RangeVar   *target;
	Node	   *reads[5] = {0};	/* the parts of the statement that read */
	Node	   *where = NULL;
	bool		joins = false;
	bool		writes_keys = false;
	char		removes_keys = 0;	/* the action that applies, or 0 */
	bool		scanned;
	SddlRelation *r;
	ListCell   *lc;

	switch (nodeTag(node))
	{
		case T_InsertStmt:
			{
				InsertStmt *ins = (InsertStmt *) node;

				target = ins->relation;
				reads[0] = ins->selectStmt;
				reads[1] = (Node *) ins->onConflictClause;
				reads[2] = SddlReturning(ins);
				reads[3] = (Node *) ins->withClause;
				writes_keys = true;
			}
			break;
		case T_UpdateStmt:
			{
				UpdateStmt *upd = (UpdateStmt *) node;

				target = upd->relation;
				where = upd->whereClause;
				joins = upd->fromClause != NIL;
				reads[0] = (Node *) upd->targetList;
				reads[1] = upd->whereClause;
				reads[2] = (Node *) upd->fromClause;
				reads[3] = SddlReturning(upd);
				reads[4] = (Node *) upd->withClause;
			}
			break;
		case T_DeleteStmt:
			{
				DeleteStmt *del = (DeleteStmt *) node;

				target = del->relation;
				where = del->whereClause;
				joins = del->usingClause != NIL;
				reads[0] = (Node *) del->usingClause;
				reads[1] = del->whereClause;
				reads[2] = SddlReturning(del);
				reads[3] = (Node *) del->withClause;
				removes_keys = 'd';
			}
			break;
#ifdef SDDL_HAVE_MERGE_STMT
		case T_MergeStmt:
			{
				MergeStmt  *m = (MergeStmt *) node;

				/* joins the target with its source: both read */
				target = m->relation;
				joins = true;
				reads[0] = m->sourceRelation;
				reads[1] = m->joinCondition;
				reads[2] = (Node *) m->mergeWhenClauses;
				reads[3] = (Node *) m->withClause;
			}
			break;
#endif
		default:
			a->recognized = false;
			return;
	}

	/* the target, ROW EXCLUSIVE, and everything the statement reads */
	r = sddl_add_rangevar(a, cxt, target, RowExclusiveLock, false, false);
	for (int i = 0; i < lengthof(reads); i++)
		sddl_add_query_sources(a, cxt, reads[i], true);
	if (r == NULL || !OidIsValid(r->relid))
		return;

	/*
	 * An INSERT reads none of its target; an UPDATE or DELETE reads all of
	 * it unless the planner can answer its WHERE clause through an index.
	 */
	scanned = !IsA(node, InsertStmt) &&
		(joins || !sddl_qual_uses_index(where, r->relid, target));
	sddl_add_rel(a, r->relid, RowExclusiveLock, false, scanned);

	/* UPDATE and DELETE of a partitioned table: every partition */
	if (!IsA(node, InsertStmt) && target->inh)
		sddl_add_tree(a, r->relid, RowExclusiveLock, false, scanned, false);

	if (IsA(node, UpdateStmt) &&
		sddl_update_sets_key(r->relid, ((UpdateStmt *) node)->targetList))
	{
		writes_keys = true;
		removes_keys = 'u';
	}
#ifdef SDDL_HAVE_MERGE_STMT
	if (IsA(node, MergeStmt))
	{
		/* what its actions do: insert, delete, or update keys */
		foreach(lc, ((MergeStmt *) node)->mergeWhenClauses)
		{
			MergeWhenClause *w = (MergeWhenClause *) lfirst(lc);

			if (w->commandType == CMD_INSERT)
				writes_keys = true;
			else if (w->commandType == CMD_DELETE)
				removes_keys = 'd';
			else if (w->commandType == CMD_UPDATE &&
					 sddl_update_sets_key(r->relid, w->targetList))
			{
				writes_keys = true;
				if (removes_keys == 0)
					removes_keys = 'u';
			}
		}
	}
#endif
	sddl_modify_foreign_keys(a, r->relid, writes_keys, removes_keys);
}
