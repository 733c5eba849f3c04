/*-------------------------------------------------------------------------
 *
 * executor.h
 *	  Run a statement the way policy decided: acquire its locks with bounded
 *	  waits, or perform its safe rewrite.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/executor.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_EXECUTOR_H
#define SAFE_DDL_EXECUTOR_H

#include "analysis.h"
#include "compat.h"

/* What executing one statement cost in lock waits; stored in the log. */
typedef struct SddlLockStats
{
	double		wait_ms;		/* total time spent waiting for locks */
	int			attempts;		/* lock acquisition attempts, >= 1 */
	char	   *blockers;		/* JSON array of sessions seen blocking at the
								 * last attempt, or NULL */
	char	   *rewritten_to;	/* the SQL actually run, if rewritten */
} SddlLockStats;

extern void sddl_executor_define_gucs(void);

/* Run the statement as given (no rewrite), bounding its lock waits. */
extern void sddl_execute_plain(SddlAnalysis *analysis, SddlLockStats *stats,
							   SDDL_PROCESS_UTILITY_PARAMS);

#endif							/* SAFE_DDL_EXECUTOR_H */
