/*-------------------------------------------------------------------------
 *
 * dml.c
 *	  The executor-start hook: refuse a backfill that would keep a strong
 *	  lock held (rule backfill-under-exclusive-lock, policy/backfill.c).
 *
 * Every query of every session passes here.  Unless this transaction holds
 * a lock that blocks the application, taken through a statement safe_ddl
 * intercepted, the cost is one test of a backend-local flag.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/hook/dml.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/executor.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "analysis/analysis.h"
#include "exec/chain.h"
#include "exec/hold.h"
#include "hook/hook.h"
#include "log/log.h"
#include "policy/backfill.h"
#include "policy/messages.h"
#include "safe_ddl.h"

static ExecutorStart_hook_type prev_ExecutorStart = NULL;

static void sddl_ExecutorStart(QueryDesc *queryDesc, int eflags);

void
sddl_dml_hook_install(void)
{
	sddl_hold_init();
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = sddl_ExecutorStart;
}

/* The held locks as the lock log stores relations: "schema.rel:Mode,..." */
static void
sddl_describe_held(List *held, SddlLogEvent *event)
{
	StringInfoData buf;
	LOCKMODE	strongest = NoLock;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, held)
	{
		SddlHeldLock *h = (SddlHeldLock *) lfirst(lc);

		appendStringInfo(&buf, "%s%s:%s", buf.len > 0 ? "," : "",
						 h->relname, sddl_lockmode_name(h->mode));
		if (h->mode > strongest)
			strongest = h->mode;
	}
	event->relations = buf.data;
	event->lock_mode = sddl_lockmode_name(strongest);
}

/*
 * Judge a data-modifying statement; log and report when it is refused or
 * warned about.  Returns only if it may run.
 */
static void
sddl_judge_backfill(const SddlDmlFacts *facts, const char *statement)
{
	List	   *held = sddl_hold_list();
	SddlDecision *d = sddl_decide_backfill(facts, held);
	SddlLogEvent event = {0};

	if (d == NULL)
		return;
	event.command = facts->command;
	event.statement = statement;
	sddl_describe_held(held, &event);
	event.rule = sddl_rule(SDDL_RULE_BACKFILL_UNDER_EXCLUSIVE_LOCK)->name;
	if (d->action == SDDL_ACTION_REJECT)
	{
		event.outcome = "rejected";
		event.sqlstate = unpack_sql_state(SDDL_ERRCODE_REJECTED);
		event.error = d->message;
	}
	else
		event.outcome = d->override ? "override" : "warned";
	sddl_log_event(&event);
	sddl_report_decision(d);
}

/*
 * A data-modifying statement while this transaction holds a strong lock:
 * out of line, so that the hook itself stays a flag test and a call.
 */
static pg_noinline void
sddl_executor_check(QueryDesc *queryDesc)
{
	ListCell   *lc;

	/* each table it writes, its data-modifying WITH queries' too */
	foreach(lc, sddl_analyze_dml(queryDesc->plannedstmt))
		sddl_judge_backfill((SddlDmlFacts *) lfirst(lc),
							sddl_statement_text(queryDesc->plannedstmt,
												queryDesc->sourceText));
}

static void
sddl_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	/*
	 * No test of sddl_chain_internal() here: safe_ddl's own statements are
	 * utility statements, and DML that a function runs inside one of them is
	 * judged like any other (issue 9).
	 */
	if (unlikely(sddl_hold_active) &&
		(eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0 &&
		(queryDesc->operation != CMD_SELECT ||
		 queryDesc->plannedstmt->hasModifyingCTE))
		sddl_executor_check(queryDesc);
	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

void
sddl_check_copy(PlannedStmt *pstmt, const char *queryString)
{
	SddlDmlFacts facts;

	if (sddl_chain_internal(pstmt->utilityStmt) ||
		!sddl_analyze_copy((CopyStmt *) pstmt->utilityStmt, &facts))
		return;
	sddl_judge_backfill(&facts, sddl_statement_text(pstmt, queryString));
}
