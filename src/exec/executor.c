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

#include "exec/chain.h"
#include "exec/executor.h"
#include "exec/subxact.h"

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
	bool		readOnlyTree;	/* as the caller passed it */
	bool		own;			/* a statement of safe_ddl's own */
} SddlPlainCall;

/* A rewrite step's statement and its analysis (NULL if it failed). */
typedef struct SddlStepAnalysis
{
	Node	   *stmt;
	SddlAnalysis *analysis;
} SddlStepAnalysis;

static void sddl_run_plain(void *arg);
static void sddl_run_once(SddlPlainCall *c);
static void sddl_execute(SddlAnalysis *analysis, SddlLockStats *stats,
						 bool own, SDDL_PROCESS_UTILITY_PARAMS);

void
sddl_executor_define_gucs(void)
{
	sddl_lockwait_define_gucs();
}

/*
 * Can the statement's locks be taken for it before it runs?  Not for the
 * ones that call PreventInTransactionBlock, most of which commit
 * internally and take their locks in transactions of their own (the
 * analysis knows which: REINDEX of a partitioned table or of a schema,
 * VACUUM, ...), nor for the CONCURRENTLY forms, which wait for their locks
 * their own way.  Nor for one that PostgreSQL refuses at top level outside
 * a transaction block (RequireTransactionBlock: LOCK TABLE): it fails
 * before locking anything, so it must not wait for its locks first, and
 * any subtransaction around it would count as a block and let it run.
 * Those run as given, untouched.
 */
static bool
sddl_can_wrap(const SddlAnalysis *analysis, ProcessUtilityContext context)
{
	if (analysis->requires_transaction_block &&
		context == PROCESS_UTILITY_TOPLEVEL && !IsTransactionBlock())
		return false;
	return !analysis->concurrent && !analysis->no_transaction_block;
}

/*
 * Run the statement as given, bounding its lock waits.
 *
 * Its locks are taken first (queued attempts in a light subtransaction for
 * top-level statements; polled only for statements run from a function, in
 * the middle of a caller's SPI execution), then it runs once, never
 * retried, never inside a subtransaction of ours.  Statements whose locks
 * cannot be taken for them, and statements in parallel mode, run
 * untouched; for them the wait is not measured: attempts = 1, wait_ms = 0.
 */
void
sddl_execute_plain(SddlAnalysis *analysis, SddlLockStats *stats,
				   SDDL_PROCESS_UTILITY_PARAMS)
{
	sddl_execute(analysis, stats, false, pstmt, queryString, readOnlyTree,
				 context, params, queryEnv, dest, qc);
}

/* sddl_subxact_try body: the analysis of a rewrite step. */
static void
sddl_analyze_step(void *arg)
{
	SddlStepAnalysis *sa = (SddlStepAnalysis *) arg;

	sa->analysis = sddl_analyze(sa->stmt, NULL);
}

/*
 * A step of a rewrite, at top level: bounded lock waits like any statement
 * safe_ddl lets through, its own lock worked out from its parse tree, and
 * run as safe_ddl's own so that the hook lets it through.
 *
 * The step's analysis is fail-safe like the hook's: the commits between
 * steps release every lock, so another session may drop the table under
 * it (a catalog lookup then fails with XX000, "cache lookup failed").  Its
 * error is discarded and the step runs with no locks taken for it (its own
 * waits still bounded by the budget), so that the user gets PostgreSQL's
 * own error (relation ... does not exist) from the step itself.
 */
void
sddl_execute_step(SddlLockStats *stats, PlannedStmt *pstmt,
				  const char *queryString, ParamListInfo params,
				  QueryEnvironment *queryEnv, QueryCompletion *qc)
{
	SddlStepAnalysis sa;
	ErrorData  *edata;

	sa.stmt = pstmt->utilityStmt;
	sa.analysis = NULL;
	edata = sddl_subxact_try(sddl_analyze_step, &sa, true);
	if (edata != NULL)
	{
		elog(DEBUG1, "safe_ddl: analysis of a rewrite step failed, step run as is: %s",
			 edata->message);
		FreeErrorData(edata);
	}
	sddl_execute(sa.analysis, stats, true, pstmt, queryString, true,
				 PROCESS_UTILITY_TOPLEVEL, params, queryEnv, None_Receiver,
				 qc);
}

static void
sddl_execute(SddlAnalysis *analysis, SddlLockStats *stats, bool own,
			 SDDL_PROCESS_UTILITY_PARAMS)
{
	SddlPlainCall call;
	List	   *targets = NIL;

	call.pstmt = pstmt;
	call.queryString = queryString;
	call.readOnlyTree = readOnlyTree;
	call.context = context;
	call.params = params;
	call.queryEnv = queryEnv;
	call.dest = dest;
	call.qc = qc;
	call.own = own;

	stats->attempts = 1;
	stats->wait_ms = 0;

	/*
	 * A rewrite step whose analysis failed (its table dropped meanwhile,
	 * say): no locks to take for it, but its own waits still end with the
	 * budget.  Rewrite steps are never CONCURRENTLY forms.
	 */
	if (analysis == NULL)
	{
		if (sddl_lockwait_enabled())
			sddl_lockwait_run(NIL, false, stats, sddl_run_plain, &call);
		else
			sddl_run_once(&call);
		return;
	}

	if (sddl_lockwait_enabled() && sddl_can_wrap(analysis, context) &&
		!IsInParallelMode())
		targets = sddl_lock_targets(analysis->relations);

	/* run once, untouched: the caller's tree as the caller passed it */
	if (targets == NIL)
	{
		sddl_run_once(&call);
		return;
	}
	sddl_lockwait_run(targets, context == PROCESS_UTILITY_TOPLEVEL, stats,
					  sddl_run_plain, &call);
}

/*
 * The one run of the statement after its locks are held, with the tree as
 * the caller passed it: the statement runs once (issue 9), and nothing of
 * safe_ddl reads the tree after it, so it need not be copied (a copy of
 * the whole parse tree, about 1,900 instructions for a small CREATE INDEX;
 * bench/exec_overhead.sh).  A caller that keeps its tree passes
 * readOnlyTree = true, and standard_ProcessUtility copies it then, as
 * without safe_ddl.
 */
static void
sddl_run_plain(void *arg)
{
	sddl_run_once((SddlPlainCall *) arg);
}

static void
sddl_run_once(SddlPlainCall *c)
{
	if (c->own)
		sddl_chain_next_internal(c->pstmt, c->queryString, c->readOnlyTree,
								 c->context, c->params, c->queryEnv, c->dest,
								 c->qc);
	else
		sddl_chain_next(c->pstmt, c->queryString, c->readOnlyTree, c->context,
						c->params, c->queryEnv, c->dest, c->qc);
}
