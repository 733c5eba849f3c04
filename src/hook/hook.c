/*-------------------------------------------------------------------------
 *
 * hook.c
 *	  The ProcessUtility hook (see hook.h).
 *
 * The hook is on the path of every utility statement a server runs, most of
 * which (SET, BEGIN, SHOW, ...) are of no interest.  Those leave after one
 * switch on the node tag, with no catalog access, no allocation and no
 * setting read (bench/exec_overhead.sh counts the instructions).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/hook/hook.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "commands/extension.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "analysis/analysis.h"
#include "defer/defer.h"
#include "exec/chain.h"
#include "exec/executor.h"
#include "exec/hold.h"
#include "hook/hook.h"
#include "log/log.h"
#include "policy/backfill.h"
#include "policy/deferral.h"
#include "policy/messages.h"
#include "policy/policy.h"
#include "exec/rewrite.h"
#include "exec/subxact.h"

static void sddl_ProcessUtility(SDDL_PROCESS_UTILITY_PARAMS);
static void sddl_handle_statement(SDDL_PROCESS_UTILITY_PARAMS);
static void sddl_log_done_as(PlannedStmt *pstmt, const char *queryString,
							 const char *done_as);

/*
 * Install the hook, keeping whatever was installed before us so that
 * pg_stat_statements, pgaudit and others keep working in any load order.
 */
void
sddl_hook_install(void)
{
	sddl_chain_install(sddl_ProcessUtility);
	sddl_dml_hook_install();	/* backfill rule (issue 12) */
}

/*
 * Is this a statement safe_ddl must leave alone whatever it is?
 *
 * - The statement safe_ddl is running itself (a rewrite step), should it
 *   come back here; not the statements functions run while it executes.
 * - pg_upgrade's binary-upgrade mode and extension scripts replay DDL that
 *   is not a migration.
 * - Sub-statements of CREATE TABLE/CREATE SCHEMA were already judged as part
 *   of their parent.
 * - In an aborted transaction the statement will fail anyway, and on a
 *   standby DDL cannot run.
 */
static inline bool
sddl_leave_alone(PlannedStmt *pstmt, ProcessUtilityContext context)
{
	return sddl_mode == SDDL_MODE_OFF ||
		sddl_chain_internal(pstmt->utilityStmt) ||
		context == PROCESS_UTILITY_SUBCOMMAND ||
		IsBinaryUpgrade ||
		creating_extension ||
		IsAbortedTransactionBlockState() ||
		RecoveryInProgress();
}

static void
sddl_ProcessUtility(SDDL_PROCESS_UTILITY_PARAMS)
{
	/*
	 * Issue 13: what a deferred-build worker must hear of, in every mode:
	 * one switch on the node tag (defer.h).
	 */
	if (!IsBinaryUpgrade)
		sddl_defer_before_utility(pstmt->utilityStmt,
								  context == PROCESS_UTILITY_TOPLEVEL);

	/*
	 * The node tag first: most utility statements (SET, SHOW, BEGIN,
	 * COMMIT, ...) are not candidates, and leave after this one switch,
	 * before any setting or transaction state is read.
	 */
	if (likely(!sddl_is_candidate(pstmt->utilityStmt)))
	{
		/* backfill rule (issue 12): COPY FROM while holding a strong lock */
		if (unlikely(sddl_hold_active) && IsA(pstmt->utilityStmt, CopyStmt))
			sddl_check_copy(pstmt, queryString);
		sddl_chain_next(pstmt, queryString, readOnlyTree, context, params,
						queryEnv, dest, qc);
	}
	else if (sddl_leave_alone(pstmt, context))
		sddl_chain_next(pstmt, queryString, readOnlyTree, context, params,
						queryEnv, dest, qc);
	else
	{
		/* issue 13: what names a deferred object; NULL: nothing left to run */
		char	   *done_as = NULL;
		PlannedStmt *checked = sddl_defer_check_statement(pstmt, &done_as);

		if (checked != NULL)
			sddl_handle_statement(checked, queryString, readOnlyTree, context,
								  params, queryEnv, dest, qc);
		else
			sddl_log_done_as(pstmt, queryString, done_as);
	}
}

/*
 * A statement the defer layer carried out itself (a DROP INDEX of indexes
 * still queued: their items cancelled), logged like a rewrite.
 */
static void
sddl_log_done_as(PlannedStmt *pstmt, const char *queryString,
				 const char *done_as)
{
	SddlLogEvent event = {0};

	event.command = CreateCommandName(pstmt->utilityStmt);
	event.statement = sddl_statement_text(pstmt, queryString);
	event.outcome = "rewritten";
	event.rewritten_to = done_as;
	event.attempts = 1;
	sddl_log_event(&event);
}

/*
 * The text of the statement itself: one query string may hold several
 * statements (Django sends "ALTER TABLE ...; SET CONSTRAINTS ..." as one).
 */
char *
sddl_statement_text(PlannedStmt *pstmt, const char *queryString)
{
	int			loc = pstmt->stmt_location;
	int			len = pstmt->stmt_len;
	int			total;

	if (queryString == NULL)
		return pstrdup("");
	total = strlen(queryString);
	if (loc < 0 || loc > total)
		return pstrdup(queryString);
	if (len <= 0 || loc + len > total)
		len = total - loc;
	/* skip leading white space left by the previous statement's ';' */
	while (len > 0 && isspace((unsigned char) queryString[loc]))
	{
		loc++;
		len--;
	}
	return pnstrdup(queryString + loc, len);
}

static const char *
sddl_outcome_name(const SddlDecision *decision)
{
	if (decision->override)
		return "override";
	switch (decision->action)
	{
		case SDDL_ACTION_ALLOW:
			return "allowed";
		case SDDL_ACTION_WARN:
			return "warned";
		case SDDL_ACTION_REWRITE:
			return "rewritten";
		case SDDL_ACTION_REJECT:
			return "rejected";
		case SDDL_ACTION_DEFER:
			return "deferred";
	}
	return "allowed";
}

/*
 * The relations of the statement with the lock each needs, in the form the
 * lock log stores ("schema.rel:LockMode", comma separated), and the
 * strongest of those modes.
 *
 * A deferred CREATE INDEX takes none of them: the transaction only queues
 * the build (defer/statement.c), and the worker's CREATE INDEX
 * CONCURRENTLY is logged with its own locks.  Its relations are named
 * without a mode ("schema.rel"), and there is no strongest mode.
 */
static void
sddl_describe_locks(const SddlAnalysis *analysis,
					const SddlDecision *decision, SddlLogEvent *event)
{
	StringInfoData buf;
	ListCell   *lc;
	LOCKMODE	strongest = NoLock;
	bool		queued_only = (decision->action == SDDL_ACTION_DEFER &&
							   decision->defer_kind == SDDL_DEFER_INDEX);

	if (analysis->relations == NIL)
		return;
	initStringInfo(&buf);
	foreach(lc, analysis->relations)
	{
		SddlRelation *rel = (SddlRelation *) lfirst(lc);

		if (rel->relname == NULL)
			continue;
		if (buf.len > 0)
			appendStringInfoChar(&buf, ',');
		appendStringInfoString(&buf,
							   quote_qualified_identifier(rel->nspname, rel->relname));
		if (queued_only)
			continue;
		appendStringInfo(&buf, ":%s", sddl_lockmode_name(rel->lockmode));
		if (rel->lockmode > strongest)
			strongest = rel->lockmode;
	}
	event->relations = buf.data;
	if (strongest != NoLock)
		event->lock_mode = sddl_lockmode_name(strongest);
}

/* What sddl_analyze_and_decide works on and fills. */
typedef struct SddlComputation
{
	PlannedStmt *pstmt;
	SddlPolicyContext *pcxt;
	SddlLogEvent *event;
	SddlAnalysis *analysis;		/* out */
	SddlDecision *decision;		/* out */
} SddlComputation;

static void
sddl_analyze_and_decide(void *arg)
{
	SddlComputation *c = (SddlComputation *) arg;

	c->analysis = sddl_analyze(c->pstmt->utilityStmt, NULL);
	c->decision = sddl_decide(c->analysis, c->pcxt);
	if (c->decision->finding)
		sddl_describe(c->decision, c->analysis, c->pcxt);
	sddl_describe_locks(c->analysis, c->decision, c->event);
}

/*
 * The analysis and the decision of one statement, fail-safe.
 *
 * Everything safe_ddl computes about a statement runs here, in an internal
 * subtransaction, and an error inside (a catalog race, input the server
 * itself refuses, a node the analysis does not foresee) is caught: the
 * subtransaction's rollback closes what the analysis had open (relcache
 * references, catalog scans, the locks it took), the error is discarded,
 * and the caller lets the statement reach PostgreSQL unchanged, so the
 * user gets the server's own error (or the statement runs), with its own
 * error position.  Fail-open in observe and enforce alike (docs/dba-guide.md,
 * "Fail-safe"); a query cancel or a termination is never swallowed.
 *
 * The subtransaction is over before the statement runs, so statements that
 * refuse transaction blocks are unaffected; nothing in it writes, so it
 * assigns no transaction ID and changes no statistics.  pcxt must be filled
 * before: inside the subtransaction IsTransactionBlock() is always true.
 *
 * Returns true with *analysis and *decision set, or false with
 * *failure set to the discarded error's message.
 */
static bool
sddl_analyze_safely(PlannedStmt *pstmt, SddlPolicyContext *pcxt,
					SddlLogEvent *event, SddlAnalysis **analysis,
					SddlDecision **decision, char **failure)
{
	SddlComputation c;
	ErrorData  *edata;

	c.pstmt = pstmt;
	c.pcxt = pcxt;
	c.event = event;
	c.analysis = NULL;
	c.decision = NULL;

	/* a parallel worker cannot open subtransactions (and runs no DDL) */
	if (IsInParallelMode())
		sddl_analyze_and_decide(&c);
	else if ((edata = sddl_subxact_try(sddl_analyze_and_decide, &c, true)))
	{
		elog(DEBUG1, "safe_ddl: analysis failed, statement passed through: %s",
			 edata->message);
		*failure = edata->message;
		return false;
	}
	*analysis = c.analysis;
	*decision = c.decision;
	return true;
}

/*
 * The statement safe_ddl could not analyse: it reaches PostgreSQL as
 * given, with no lock-wait bounds (the analysis would have named the
 * locks), and is logged as "unchecked" (or "failed", with the server's
 * error, when the server refuses it), with the analysis error in error.
 */
static void
sddl_pass_through(SddlLogEvent *event, const char *failure, instr_time start,
				  SDDL_PROCESS_UTILITY_PARAMS)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	instr_time	elapsed;

	event->command = CreateCommandName(pstmt->utilityStmt);
	event->outcome = "unchecked";
	event->error = psprintf("safe_ddl could not analyse the statement: %s",
							failure);
	event->attempts = 1;
	sddl_log_statement_begin(event);
	PG_TRY();
	{
		sddl_chain_next(pstmt, queryString, readOnlyTree, context, params,
						queryEnv, dest, qc);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		event->outcome = (edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE) ?
			"lock_timeout" : "failed";
		event->sqlstate = unpack_sql_state(edata->sqlerrcode);
		event->error = edata->message;
		INSTR_TIME_SET_CURRENT(elapsed);
		INSTR_TIME_SUBTRACT(elapsed, start);
		event->duration_ms = INSTR_TIME_GET_MILLISEC(elapsed);
		sddl_log_event(event);
		PG_RE_THROW();
	}
	PG_END_TRY();
	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	event->duration_ms = INSTR_TIME_GET_MILLISEC(elapsed);
	sddl_log_event(event);
}

/*
 * Analyse, decide, execute and log one candidate statement.
 *
 * The log row must be written whatever happens, including when the
 * statement fails: that is the one reason for the PG_TRY here.
 */
static void
sddl_handle_statement(SDDL_PROCESS_UTILITY_PARAMS)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	SddlAnalysis *analysis;
	SddlPolicyContext pcxt;
	SddlDecision *decision;
	SddlLockStats stats = {0};
	SddlLogEvent event = {0};
	instr_time	start;
	instr_time	elapsed;

	char	   *failure = NULL;

	INSTR_TIME_SET_CURRENT(start);

	event.statement = sddl_statement_text(pstmt, queryString);

	/* enforce: a pipeline cannot run CONCURRENTLY forms either */
	pcxt.in_transaction_block = IsTransactionBlock() || SddlInPipeline();
	pcxt.top_level = (context == PROCESS_UTILITY_TOPLEVEL);
	pcxt.statement = event.statement;
	/* issue 13: only with safe_ddl.defer set, where a rejection can happen */
	pcxt.can_defer = sddl_defer_any() && sddl_defer_queue_exists();
	if (!sddl_analyze_safely(pstmt, &pcxt, &event, &analysis, &decision,
							 &failure))
	{
		sddl_pass_through(&event, failure, start, pstmt, queryString,
						  readOnlyTree, context, params, queryEnv, dest, qc);
		return;
	}
	event.command = analysis->command;

	event.outcome = sddl_outcome_name(decision);
	if (decision->finding)
		event.rule = sddl_rule(decision->finding->rule)->name;

	/* --- enforcement: act on the decision (owner: enforce) --- */
	if (decision->action == SDDL_ACTION_REJECT)
	{
		/* refused before taking any lock; the log records it first */
		event.sqlstate = unpack_sql_state(SDDL_ERRCODE_REJECTED);
		event.error = decision->message;
		INSTR_TIME_SET_CURRENT(elapsed);
		INSTR_TIME_SUBTRACT(elapsed, start);
		event.duration_ms = INSTR_TIME_GET_MILLISEC(elapsed);
		sddl_log_event(&event);
		sddl_report_decision(decision);
		pg_unreachable();
	}
	/* a WARNING for warn, a NOTICE announcing a rewrite; deferral: later */
	if (decision->action != SDDL_ACTION_DEFER)
		sddl_report_decision(decision);
	/* --- end enforcement --- */

	sddl_log_statement_begin(&event);	/* logged even if the session dies */
	stats.statement = event.statement;
	PG_TRY();
	{
		if (decision->action == SDDL_ACTION_REWRITE)
			sddl_execute_rewrite(analysis, decision->safe_sql, &stats,
								 pstmt, queryString, readOnlyTree, context,
								 params, queryEnv, dest, qc);
		else if (decision->action == SDDL_ACTION_DEFER)
			sddl_defer_statement(analysis, decision, event.statement, &stats,
								 pstmt, queryString, readOnlyTree, context,
								 params, queryEnv, dest, qc);
		else
			sddl_execute_plain(analysis, &stats, pstmt, queryString,
							   readOnlyTree, context, params, queryEnv, dest,
							   qc);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		event.outcome = (edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE) ?
			"lock_timeout" : "failed";
		event.sqlstate = unpack_sql_state(edata->sqlerrcode);
		event.error = edata->message;
		event.lock_wait_ms = stats.wait_ms;
		event.attempts = stats.attempts;
		event.blockers = stats.blockers;
		event.rewritten_to = stats.rewritten_to;	/* a failed rewrite */
		INSTR_TIME_SET_CURRENT(elapsed);
		INSTR_TIME_SUBTRACT(elapsed, start);
		event.duration_ms = INSTR_TIME_GET_MILLISEC(elapsed);
		sddl_log_event(&event);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcxt);

	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	event.duration_ms = INSTR_TIME_GET_MILLISEC(elapsed);
	event.lock_wait_ms = stats.wait_ms;
	event.attempts = stats.attempts;
	event.blockers = stats.blockers;
	event.rewritten_to = stats.rewritten_to;
	sddl_log_event(&event);

	/* issue 12: remember the strong locks this statement left held */
	sddl_hold_note(sddl_backfill_relations_that_matter(analysis),
				   event.statement);
}
