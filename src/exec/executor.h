/*-------------------------------------------------------------------------
 *
 * executor.h
 *	  Run a statement the way policy decided: acquire its locks with bounded
 *	  waits, or perform its safe rewrite.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/executor.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_EXECUTOR_H
#define SAFE_DDL_EXECUTOR_H

#include "analysis/analysis.h"
#include "compat.h"

/* What executing one statement cost in lock waits; stored in the log. */
typedef struct SddlLockStats
{
	double		wait_ms;		/* total time spent waiting for locks */
	int			attempts;		/* lock acquisition attempts, >= 1 */
	char	   *blockers;		/* JSON array of the sessions seen blocking at
								 * the last attempt that found any, or NULL */
	char	   *rewritten_to;	/* the SQL actually run, if rewritten */
	const char *statement;		/* in: the statement's text, for the rewrite
								 * journal (journal.h) */
} SddlLockStats;

extern void sddl_executor_define_gucs(void);

/*
 * Bounded lock waits (lockwait.c), usable by any statement runner: take the
 * locks a statement needs with bounded waits and retries, then run it.
 */
typedef void (*SddlLockedAction) (void *arg);

extern void sddl_lockwait_define_gucs(void);
extern bool sddl_lockwait_enabled(void);

/* SddlRelation list -> the locks that need a bounded wait, in lock order */
extern List *sddl_lock_targets(List *relations);

/*
 * Run action(arg), once, after targets are locked.  may_queue: lock
 * attempts may wait in the lock queue, each in a light internal
 * subtransaction around the lock acquisition only (top-level statements);
 * without it, locks are only polled.  The action itself never runs in a
 * subtransaction of ours and is never retried; a lock it takes that
 * targets did not name waits at most the rest of the budget.  Raises 55P03
 * "canceling statement due to lock timeout" when the budget runs out.
 */
extern void sddl_lockwait_run(List *targets, bool may_queue,
							  SddlLockStats *stats, SddlLockedAction action,
							  void *arg);

/* Run the statement as given (no rewrite), bounding its lock waits. */
extern void sddl_execute_plain(SddlAnalysis *analysis, SddlLockStats *stats,
							   SDDL_PROCESS_UTILITY_PARAMS);

/*
 * Run one step of a rewrite at top level as safe_ddl's own statement (the
 * hook lets it through), bounding its lock waits like a plain statement.
 */
extern void sddl_execute_step(SddlLockStats *stats, PlannedStmt *pstmt,
							  const char *queryString, ParamListInfo params,
							  QueryEnvironment *queryEnv, QueryCompletion *qc);

#endif							/* SAFE_DDL_EXECUTOR_H */
