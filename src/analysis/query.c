/*-------------------------------------------------------------------------
 *
 * query.c
 *	  Queries inside DDL: what views, materialized views, CREATE TABLE AS,
 *	  SELECT INTO, rules and policies read (and rules write), and the
 *	  sequences a column default names through nextval().
 *
 * Parse analysis of these statements opens every relation the query
 * names, in ACCESS SHARE mode (ROW EXCLUSIVE for the target of a rule's
 * INSERT/UPDATE/DELETE).  When the query's result is materialised (CREATE
 * TABLE AS, REFRESH) the sources are also read in full.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/query.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_rewrite.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/varlena.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "analysis/catalog.h"
#include "compat.h"

/*
 * Sequences named by nextval('...') in a raw default expression: looking
 * the name up as a regclass locks them in ACCESS SHARE mode.
 */
static bool
sddl_nextval_walker(Node *node, void *context)
{
	SddlAnalysis *a = (SddlAnalysis *) context;

	if (node == NULL)
		return false;
	if (IsA(node, FuncCall))
	{
		FuncCall   *fc = (FuncCall *) node;
		Node	   *arg;

		if (strcmp(strVal(llast(fc->funcname)), "nextval") == 0 &&
			list_length(fc->args) == 1)
		{
			arg = (Node *) linitial(fc->args);
			if (IsA(arg, TypeCast))
				arg = ((TypeCast *) arg)->arg;
			if (IsA(arg, A_Const) && SddlAConstIsString((A_Const *) arg))
			{
				List	   *names;

				names = textToQualifiedNameList(cstring_to_text(strVal(&((A_Const *) arg)->val)));
				sddl_add_rel(a, sddl_lookup_rangevar(makeRangeVarFromNameList(names)),
							 AccessShareLock, false, false);
			}
		}
	}
	return raw_expression_tree_walker(node, sddl_nextval_walker, context);
}

void
sddl_add_default_sequences(SddlAnalysis *a, Node *rawexpr)
{
	(void) sddl_nextval_walker(rawexpr, a);
}

/*
 * Relations a view or materialized view reads: what its _RETURN rule
 * depends on.
 */
void
sddl_add_view_sources(SddlAnalysis *a, Oid viewid, LOCKMODE mode, bool scans)
{
	Oid			ruleid = InvalidOid;
	ListCell   *lc;

	/* the view's rule */
	foreach(lc, sddl_catalog_dependents(RelationRelationId, viewid))
	{
		Form_pg_depend dep = (Form_pg_depend) lfirst(lc);

		if (dep->classid == RewriteRelationId &&
			dep->deptype == DEPENDENCY_INTERNAL)
			ruleid = dep->objid;
	}
	if (!OidIsValid(ruleid))
		return;

	foreach(lc, sddl_catalog_dependencies(RewriteRelationId, ruleid))
	{
		Form_pg_depend dep = (Form_pg_depend) lfirst(lc);
		char		kind;

		if (dep->refclassid != RelationRelationId || dep->refobjid == viewid)
			continue;
		kind = get_rel_relkind(dep->refobjid);
		if (kind == RELKIND_INDEX || kind == RELKIND_PARTITIONED_INDEX ||
			kind == RELKIND_SEQUENCE)
			continue;
		sddl_add_rel(a, dep->refobjid, mode, false, scans);
	}
}

/* Relations a query reads, from its raw or analysed tree. */
typedef struct SddlQueryWalk
{
	SddlAnalysis *a;
	SddlAnalysisContext *cxt;
	List	   *ctenames;
	bool		scans;			/* the query's result is materialised */
	bool		analysed;		/* walking a Query, not a raw parse tree */
} SddlQueryWalk;

static bool
sddl_query_walker(Node *node, void *context)
{
	SddlQueryWalk *w = (SddlQueryWalk *) context;

	if (node == NULL)
		return false;
	if (IsA(node, IntoClause))
		return false;			/* the table being created */
	if (IsA(node, WithClause))
	{
		ListCell   *lc;

		foreach(lc, ((WithClause *) node)->ctes)
		{
			CommonTableExpr *cte = (CommonTableExpr *) lfirst(lc);

			w->ctenames = lappend(w->ctenames, cte->ctename);
		}
	}
	else if (IsA(node, RangeVar))
	{
		RangeVar   *rv = (RangeVar *) node;
		ListCell   *lc;
		bool		is_cte = false;

		if (rv->schemaname == NULL)
		{
			foreach(lc, w->ctenames)
			{
				if (strcmp((char *) lfirst(lc), rv->relname) == 0)
					is_cte = true;
			}
		}
		if (!is_cte)
			sddl_add_rangevar(w->a, w->cxt, rv, AccessShareLock, false,
							  w->scans);
		return false;
	}
	else if (IsA(node, InsertStmt) || IsA(node, UpdateStmt) ||
			 IsA(node, DeleteStmt))
	{
		RangeVar   *target;

		/* the target of a DML action (rules): ROW EXCLUSIVE */
		if (IsA(node, InsertStmt))
			target = ((InsertStmt *) node)->relation;
		else if (IsA(node, UpdateStmt))
			target = ((UpdateStmt *) node)->relation;
		else
			target = ((DeleteStmt *) node)->relation;
		sddl_add_rangevar(w->a, w->cxt, target, RowExclusiveLock, false,
						  false);
	}
	else if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_RELATION)
			sddl_add_rel(w->a, rte->relid, AccessShareLock, false, w->scans);
		return false;
	}
	else if (IsA(node, Query))
	{
		w->analysed = true;
		return query_tree_walker((Query *) node, sddl_query_walker, context,
								 QTW_EXAMINE_RTES_BEFORE);
	}
	if (w->analysed)
		return expression_tree_walker(node, sddl_query_walker, context);
	return raw_expression_tree_walker(node, sddl_query_walker, context);
}

void
sddl_add_query_sources(SddlAnalysis *a, SddlAnalysisContext *cxt, Node *query,
					   bool scans)
{
	SddlQueryWalk w;

	w.a = a;
	w.scans = scans;
	w.cxt = cxt;
	w.ctenames = NIL;
	w.analysed = false;
	(void) sddl_query_walker(query, &w);
}

/* ----------------------------------------------------------------
 *		Statement handlers
 * ----------------------------------------------------------------
 */

/* CREATE RULE: the table, and what the actions read and write. */
void
sddl_analyze_rule(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	RuleStmt   *stmt = (RuleStmt *) node;
	ListCell   *lc;

	sddl_add_rangevar(a, cxt, stmt->relation, AccessExclusiveLock, false,
					  false);
	/* the actions are parse-analysed: what they read and write */
	sddl_add_query_sources(a, cxt, stmt->whereClause, false);
	foreach(lc, stmt->actions)
	{
		Node	   *action = (Node *) lfirst(lc);

		/* NOTIFY actions read nothing */
		if (IsA(action, SelectStmt) || IsA(action, InsertStmt) ||
			IsA(action, UpdateStmt) || IsA(action, DeleteStmt))
			sddl_add_query_sources(a, cxt, action, false);
	}
}

/* CREATE POLICY, ALTER POLICY: the table, and what the expressions read. */
void
sddl_analyze_policy(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	RangeVar   *table;
	Node	   *qual;
	Node	   *with_check;

	if (IsA(node, CreatePolicyStmt))
	{
		table = ((CreatePolicyStmt *) node)->table;
		qual = ((CreatePolicyStmt *) node)->qual;
		with_check = ((CreatePolicyStmt *) node)->with_check;
	}
	else
	{
		table = ((AlterPolicyStmt *) node)->table;
		qual = ((AlterPolicyStmt *) node)->qual;
		with_check = ((AlterPolicyStmt *) node)->with_check;
	}
	sddl_add_rangevar(a, cxt, table, AccessExclusiveLock, false, false);
	sddl_add_query_sources(a, cxt, qual, false);
	sddl_add_query_sources(a, cxt, with_check, false);
}

/* CREATE [OR REPLACE] VIEW */
void
sddl_analyze_view(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	ViewStmt   *stmt = (ViewStmt *) node;

	if (stmt->replace)
	{
		Oid			viewid = sddl_lookup_rangevar(stmt->view);

		if (OidIsValid(viewid))
			sddl_add_rel(a, viewid, AccessExclusiveLock, false, false);
	}
	sddl_add_query_sources(a, cxt, stmt->query, false);
}

/* CREATE TABLE AS, CREATE MATERIALIZED VIEW */
void
sddl_analyze_create_as(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	CreateTableAsStmt *stmt = (CreateTableAsStmt *) node;

	if (stmt->if_not_exists &&
		OidIsValid(sddl_lookup_rangevar(stmt->into->rel)))
		return;
	/* parse analysis reads the sources even WITH NO DATA */
	if (IsA(stmt->query, SelectStmt) || IsA(stmt->query, Query))
		sddl_add_query_sources(a, cxt, stmt->query, !stmt->into->skipData);
	else
		a->recognized = false;	/* CREATE TABLE AS EXECUTE */
}

/* SELECT ... INTO is CREATE TABLE AS; any other SELECT is not DDL */
void
sddl_analyze_select_into(SddlAnalysis *a, Node *node,
						 SddlAnalysisContext *cxt)
{
	if (((SelectStmt *) node)->intoClause == NULL)
	{
		a->recognized = false;
		return;
	}
	sddl_add_query_sources(a, cxt, node, true);
}
