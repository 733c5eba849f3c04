/*-------------------------------------------------------------------------
 *
 * dml.c
 *	  Facts about a data-modifying statement: sddl_analyze_dml and
 *	  sddl_analyze_copy (see analysis.h).
 *
 * Called only when the transaction holds a strong lock taken through a
 * statement safe_ddl intercepted, so its cost never reaches ordinary
 * application traffic.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/dml.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/ruleutils.h"

#include "analysis/analysis_int.h"
#include "compat.h"

/*
 * The relation-level facts: name, persistence, size, and whether it is new
 * in this transaction.  False if the relation vanished.
 */
static bool
sddl_dml_target(Oid relid, SddlDmlFacts *facts)
{
	Relation	rel;

	if (!OidIsValid(relid))
		return false;
	rel = RelationIdGetRelation(relid);
	if (rel == NULL)
		return false;
	facts->relid = relid;
	facts->relname = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
												RelationGetRelationName(rel));
	facts->name = pstrdup(RelationGetRelationName(rel));
	facts->relpersistence = rel->rd_rel->relpersistence;
	/* created, or given new storage by TRUNCATE, in this transaction */
	facts->is_new = RELATION_IS_LOCAL(rel);
	facts->bytes = sddl_relation_bytes(relid, rel->rd_rel->relkind);
	RelationClose(rel);
	return true;
}

/* The facts of one ModifyTable node of pstmt, or NULL. */
static SddlDmlFacts *
sddl_modify_facts(PlannedStmt *pstmt, ModifyTable *mt)
{
	SddlDmlFacts *facts = palloc0(sizeof(SddlDmlFacts));
	Plan	   *source;
	RangeTblEntry *rte;

	switch (mt->operation)
	{
		case CMD_UPDATE:
			facts->command = "UPDATE";
			break;
		case CMD_DELETE:
			facts->command = "DELETE";
			break;
		case CMD_INSERT:
			facts->command = "INSERT";
			break;
#ifdef SDDL_HAVE_MERGE_STMT
		case CMD_MERGE:
			facts->command = "MERGE";
			break;
#endif
		default:
			return NULL;
	}

	/*
	 * ModifyTable's own row estimate is 0 without RETURNING: the rows it
	 * writes are the rows its source plan produces.
	 */
	source = outerPlan(&mt->plan);
	facts->rows = source != NULL ? source->plan_rows : mt->plan.plan_rows;

	if (mt->nominalRelation <= 0 ||
		mt->nominalRelation > list_length(pstmt->rtable))
		return NULL;
	rte = rt_fetch(mt->nominalRelation, pstmt->rtable);
	if (rte->rtekind != RTE_RELATION)
		return NULL;
	return sddl_dml_target(rte->relid, facts) ? facts : NULL;
}

List *
sddl_analyze_dml(PlannedStmt *pstmt)
{
	List	   *result = NIL;
	ListCell   *lc;

	if (pstmt == NULL || pstmt->commandType == CMD_UTILITY)
		return NIL;
	if (pstmt->planTree != NULL && IsA(pstmt->planTree, ModifyTable))
		result = lappend(result,
						 sddl_modify_facts(pstmt, (ModifyTable *) pstmt->planTree));

	/*
	 * A data-modifying WITH query is planned as a subplan whose top node is
	 * its ModifyTable, under a SELECT as well as under another
	 * data-modifying statement.  (A subplan the planner dropped is NULL.)
	 */
	if (pstmt->hasModifyingCTE)
	{
		foreach(lc, pstmt->subplans)
		{
			Plan	   *plan = (Plan *) lfirst(lc);

			if (plan != NULL && IsA(plan, ModifyTable))
				result = lappend(result,
								 sddl_modify_facts(pstmt, (ModifyTable *) plan));
		}
	}
	return list_delete_ptr(result, NULL);
}

bool
sddl_analyze_copy(CopyStmt *stmt, SddlDmlFacts *facts)
{
	memset(facts, 0, sizeof(*facts));
	if (!stmt->is_from || stmt->relation == NULL)
		return false;
	facts->command = "COPY";
	facts->rows = SDDL_DML_ROWS_UNKNOWN;
	return sddl_dml_target(sddl_lookup_rangevar(stmt->relation), facts);
}
