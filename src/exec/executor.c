/*-------------------------------------------------------------------------
 *
 * executor.c
 *	  Run a statement with bounded lock waits (see executor.h).
 *
 * The waiting itself lives in lockwait.c; this file decides, per
 * statement, whether and how it can be wrapped.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/executor.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/defrem.h"
#include "commands/tablecmds.h"
#include "nodes/parsenodes.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"

#include "exec/executor.h"
#include "hook/hook.h"

/* Everything needed to call the rest of the hook chain again. */
typedef struct SddlPlainCall
{
	PlannedStmt *pstmt;
	const char *queryString;
	ProcessUtilityContext context;
	ParamListInfo params;
	QueryEnvironment *queryEnv;
	DestReceiver *dest;
	QueryCompletion *qc;
} SddlPlainCall;

static List *sddl_fallback_relations(Node *stmt);
static void sddl_run_plain(void *arg);

void
sddl_executor_define_gucs(void)
{
	sddl_lockwait_define_gucs();
}

/*
 * Statements that call PreventInTransactionBlock refuse to run in a
 * subtransaction, and most of them commit internally: they must run as
 * given, never wrapped.
 */
bool
sddl_stmt_allows_subxact(Node *stmt)
{
	ListCell   *lc;

	switch (nodeTag(stmt))
	{
		case T_IndexStmt:
			return !((IndexStmt *) stmt)->concurrent;
		case T_DropStmt:
			return !((DropStmt *) stmt)->concurrent;
		case T_ReindexStmt:
			{
				ReindexStmt *rs = (ReindexStmt *) stmt;

				if (rs->kind == REINDEX_OBJECT_SYSTEM ||
					rs->kind == REINDEX_OBJECT_DATABASE)
					return false;
				foreach(lc, rs->params)
				{
					DefElem    *opt = (DefElem *) lfirst(lc);

					if (strcmp(opt->defname, "concurrently") == 0 &&
						(opt->arg == NULL || defGetBoolean(opt)))
						return false;
				}
				return true;
			}
		case T_AlterTableStmt:
			foreach(lc, ((AlterTableStmt *) stmt)->cmds)
			{
				AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

				if (cmd->subtype == AT_DetachPartition &&
					((PartitionCmd *) cmd->def)->concurrent)
					return false;
			}
			return true;
		case T_VacuumStmt:
			return !((VacuumStmt *) stmt)->is_vacuumcmd;
		case T_SddlClusterStmt:
			{
				SddlClusterStmt *cs = (SddlClusterStmt *) stmt;
				Oid			relid;

				if (SddlClusterRelation(cs) == NULL)
					return false;
				relid = RangeVarGetRelid(SddlClusterRelation(cs), NoLock, true);
				return OidIsValid(relid) &&
					get_rel_relkind(relid) != RELKIND_PARTITIONED_TABLE;
			}
		default:
			return true;
	}
}

/*
 * Run the statement as given, bounding its lock waits.
 *
 * Top-level statements are retried in internal subtransactions; statements
 * run from a function get polled locks and run once (a subtransaction in
 * the middle of a caller's SPI execution is not ours to open); statements
 * that refuse subtransactions and parallel mode run untouched.  For the
 * untouched ones the wait is not measured: attempts = 1, wait_ms = 0.
 */
void
sddl_execute_plain(SddlAnalysis *analysis, SddlLockStats *stats,
				   SDDL_PROCESS_UTILITY_PARAMS)
{
	Node	   *stmt = pstmt->utilityStmt;
	List	   *relations = analysis->relations;
	List	   *targets = NIL;
	bool		concurrent = analysis->concurrent;
	SddlPlainCall call;

	stats->attempts = 1;
	stats->wait_ms = 0;

	/*
	 * A caller that built no analysis (a rewrite step) gets one here; the
	 * small fallback covers what the analysis does not recognise.
	 */
	if (!analysis->recognized && relations == NIL)
	{
		SddlAnalysis *own = sddl_analyze(stmt, NULL);

		relations = own->recognized ? own->relations :
			sddl_fallback_relations(stmt);
		concurrent = own->concurrent;
	}

	if (sddl_lockwait_enabled() && !concurrent &&
		!IsInParallelMode() && sddl_stmt_allows_subxact(stmt))
		targets = sddl_lock_targets(relations);

	if (targets == NIL)
	{
		sddl_call_next_hook(pstmt, queryString, readOnlyTree, context, params,
							queryEnv, dest, qc);
		return;
	}

	call.pstmt = pstmt;
	call.queryString = queryString;
	call.context = context;
	call.params = params;
	call.queryEnv = queryEnv;
	call.dest = dest;
	call.qc = qc;
	sddl_lockwait_run(targets, context == PROCESS_UTILITY_TOPLEVEL, stats,
					  sddl_run_plain, &call);
}

/*
 * One run of the statement.  readOnlyTree = true on every attempt:
 * standard_ProcessUtility then works on a fresh copy, so a failed attempt
 * cannot leave a scribbled-on tree for the next one.
 */
static void
sddl_run_plain(void *arg)
{
	SddlPlainCall *c = (SddlPlainCall *) arg;

	sddl_call_next_hook(c->pstmt, c->queryString, true, c->context,
						c->params, c->queryEnv, c->dest, c->qc);
}

/*
 * For statements the analysis does not recognise, resolve the target of
 * the two commonest migration statements here, so bounded waits still
 * apply: ALTER TABLE (its lock level as tablecmds.c computes it) and
 * CREATE INDEX (ShareLock).
 */
static List *
sddl_fallback_relations(Node *stmt)
{
	RangeVar   *rv;
	LOCKMODE	mode;
	Oid			relid;
	Relation	rel;
	SddlRelation *r;

	if (IsA(stmt, AlterTableStmt))
	{
		AlterTableStmt *as = (AlterTableStmt *) stmt;

		rv = as->relation;
		mode = AlterTableGetLockLevel(as->cmds);
	}
	else if (IsA(stmt, IndexStmt) && !((IndexStmt *) stmt)->concurrent)
	{
		rv = ((IndexStmt *) stmt)->relation;
		mode = ShareLock;
	}
	else
		return NIL;

	relid = RangeVarGetRelid(rv, NoLock, true);
	if (!OidIsValid(relid))
		return NIL;
	rel = RelationIdGetRelation(relid);
	if (rel == NULL)
		return NIL;

	r = palloc0(sizeof(SddlRelation));
	r->relid = relid;
	r->relkind = rel->rd_rel->relkind;
	r->relpersistence = rel->rd_rel->relpersistence;
	r->nspname = get_namespace_name(RelationGetNamespace(rel));
	r->relname = pstrdup(RelationGetRelationName(rel));
	r->lockmode = mode;
	r->is_new = RELATION_IS_LOCAL(rel);
	r->held_mode = NoLock;
	RelationClose(rel);
	return list_make1(r);
}
