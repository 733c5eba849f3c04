/*-------------------------------------------------------------------------
 *
 * executor.c
 *	  Run a statement with bounded lock waits (see executor.h).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/executor.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor.h"
#include "hook.h"

void
sddl_executor_define_gucs(void)
{
}

/*
 * The foundation runs the statement directly; bounded lock waits arrive
 * with the lock-safety layer.
 */
void
sddl_execute_plain(SddlAnalysis *analysis, SddlLockStats *stats,
				   SDDL_PROCESS_UTILITY_PARAMS)
{
	stats->attempts = 1;
	sddl_call_next_hook(pstmt, queryString, readOnlyTree, context, params,
						queryEnv, dest, qc);
}
