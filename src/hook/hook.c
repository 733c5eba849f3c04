/*-------------------------------------------------------------------------
 *
 * hook.c
 *	  The ProcessUtility hook (see hook.h).
 *
 * The hook is on the path of every utility statement a server runs, most of
 * which (SET, BEGIN, SHOW, ...) are of no interest.  Those leave after one
 * switch on the node tag, with no catalog access and no allocation.
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
#include "exec/chain.h"
#include "exec/executor.h"
#include "exec/hold.h"
#include "hook/hook.h"
#include "log/log.h"
#include "policy/backfill.h"
#include "policy/messages.h"
#include "policy/policy.h"
#include "exec/rewrite.h"

static void sddl_ProcessUtility(SDDL_PROCESS_UTILITY_PARAMS);
static void sddl_handle_statement(SDDL_PROCESS_UTILITY_PARAMS);

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
 * - pg_upgrade's binary-upgrade mode and extension scripts replay DDL that
 *   is not a migration.
 * - Sub-statements of CREATE TABLE/CREATE SCHEMA were already judged as part
 *   of their parent.
 * - In an aborted transaction the statement will fail anyway, and on a
 *   standby DDL cannot run.
 */
static inline bool
sddl_leave_alone(ProcessUtilityContext context)
{
	return sddl_mode == SDDL_MODE_OFF ||
		sddl_chain_internal() ||
		context == PROCESS_UTILITY_SUBCOMMAND ||
		IsBinaryUpgrade ||
		creating_extension ||
		IsAbortedTransactionBlockState() ||
		RecoveryInProgress();
}

static void
sddl_ProcessUtility(SDDL_PROCESS_UTILITY_PARAMS)
{
	/* backfill rule (issue 12): COPY FROM while holding a strong lock */
	if (unlikely(sddl_hold_active) && IsA(pstmt->utilityStmt, CopyStmt))
		sddl_check_copy(pstmt, queryString);
	if (sddl_leave_alone(context) || !sddl_is_candidate(pstmt->utilityStmt))
		sddl_chain_next(pstmt, queryString, readOnlyTree, context, params,
						queryEnv, dest, qc);
	else
		sddl_handle_statement(pstmt, queryString, readOnlyTree, context,
							  params, queryEnv, dest, qc);
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
	}
	return "allowed";
}

/*
 * The relations of the statement with the lock each needs, in the form the
 * lock log stores ("schema.rel:LockMode", comma separated), and the
 * strongest of those modes.
 */
static void
sddl_describe_locks(const SddlAnalysis *analysis, SddlLogEvent *event)
{
	StringInfoData buf;
	ListCell   *lc;
	LOCKMODE	strongest = NoLock;

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
		appendStringInfo(&buf, "%s:%s",
						 quote_qualified_identifier(rel->nspname, rel->relname),
						 sddl_lockmode_name(rel->lockmode));
		if (rel->lockmode > strongest)
			strongest = rel->lockmode;
	}
	event->relations = buf.data;
	if (strongest != NoLock)
		event->lock_mode = sddl_lockmode_name(strongest);
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

	INSTR_TIME_SET_CURRENT(start);

	analysis = sddl_analyze(pstmt->utilityStmt, NULL);

	event.command = analysis->command;
	event.statement = sddl_statement_text(pstmt, queryString);
	sddl_describe_locks(analysis, &event);

	/* enforce: a pipeline cannot run CONCURRENTLY forms either */
	pcxt.in_transaction_block = IsTransactionBlock() || SddlInPipeline();
	pcxt.top_level = (context == PROCESS_UTILITY_TOPLEVEL);
	pcxt.statement = event.statement;
	decision = sddl_decide(analysis, &pcxt);
	if (decision->finding)
		sddl_describe(decision, analysis, &pcxt);

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
	/* a WARNING for warn, a NOTICE announcing a rewrite */
	sddl_report_decision(decision);
	/* --- end enforcement --- */

	sddl_log_statement_begin(&event);	/* logged even if the session dies */
	PG_TRY();
	{
		if (decision->action == SDDL_ACTION_REWRITE)
			sddl_execute_rewrite(analysis, decision->safe_sql, &stats,
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
