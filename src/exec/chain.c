/*-------------------------------------------------------------------------
 *
 * chain.c
 *	  The ProcessUtility hook chain (see chain.h).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/chain.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "tcop/utility.h"

#include "exec/chain.h"

static ProcessUtility_hook_type prev_ProcessUtility = NULL;

/*
 * True while safe_ddl itself runs statements (rewrite steps, undo): those
 * must not be intercepted a second time.
 */
static bool sddl_running_own = false;

/*
 * Keep whatever was installed before us so that pg_stat_statements, pgaudit
 * and others keep working in any load order.
 */
void
sddl_chain_install(ProcessUtility_hook_type hook)
{
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = hook;
}

void
sddl_chain_next(SDDL_PROCESS_UTILITY_PARAMS)
{
	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
							queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
}

void
sddl_chain_next_internal(SDDL_PROCESS_UTILITY_PARAMS)
{
	bool		save = sddl_running_own;

	sddl_running_own = true;
	PG_TRY();
	{
		sddl_chain_next(pstmt, queryString, readOnlyTree, context, params,
						queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		sddl_running_own = save;
	}
	PG_END_TRY();
}

bool
sddl_chain_internal(void)
{
	return sddl_running_own;
}
