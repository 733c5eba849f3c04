/*-------------------------------------------------------------------------
 *
 * hold_budget.c
 *	  The lock-hold budget (safe_ddl.lock_hold_budget).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/hold_budget.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "exec/hold_int.h"

void
sddl_hold_changed(void)
{
}

void
sddl_hold_ending(bool aborted)
{
}
