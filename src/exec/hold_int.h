/*-------------------------------------------------------------------------
 *
 * hold_int.h
 *	  Between the hold registry (hold_registry.c) and the lock-hold budget
 *	  (hold_budget.c).  Not for other layers: they use hold.h.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/hold_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_HOLD_INT_H
#define SAFE_DDL_HOLD_INT_H

/* Shared memory, the monitor worker, emit_log_hook; from _PG_init. */
extern void sddl_hold_budget_init(void);

/* The registry's list changed: publish it for the budget's monitor. */
extern void sddl_hold_changed(void);

/* The transaction that held the locks is ending (aborted or not). */
extern void sddl_hold_ending(bool aborted);

#endif							/* SAFE_DDL_HOLD_INT_H */
