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
 * The statement safe_ddl itself is running right now (a rewrite step, an
 * undo), so that it is not intercepted a second time should it come back
 * to the hook.  Only that exact statement: the statements a function runs
 * while it executes (a CHECK expression calling a function that runs
 * ALTER TABLE, a trigger) come with other parse trees and are judged and
 * logged like any other.
 */
static const Node *sddl_own_statement = NULL;

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
	const Node *save = sddl_own_statement;

	sddl_own_statement = pstmt->utilityStmt;
	PG_TRY();
	{
		sddl_chain_next(pstmt, queryString, readOnlyTree, context, params,
						queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		sddl_own_statement = save;
	}
	PG_END_TRY();
}

bool
sddl_chain_internal(const Node *stmt)
{
	return stmt != NULL && stmt == sddl_own_statement;
}
