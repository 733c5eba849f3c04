/*-------------------------------------------------------------------------
 *
 * hold.h
 *	  The strong locks this transaction holds since a statement safe_ddl
 *	  intercepted, and what keeps their hold short: the backfill rule reads
 *	  them, the lock-hold budget watches them.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/hold.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_HOLD_H
#define SAFE_DDL_HOLD_H

#include "nodes/pg_list.h"

#include "analysis/analysis.h"


/*
 * True while this transaction holds, since a statement safe_ddl
 * intercepted, a lock that blocks the application on a relation that
 * matters.  The one thing ordinary DML pays for: a test of this flag.
 */
extern bool sddl_hold_active;

/* safe_ddl.lock_hold_budget */
extern void sddl_hold_define_gucs(void);

/*
 * From _PG_init: the transaction callbacks that forget the locks at its
 * end, and the lock-hold budget's shared memory and monitor.
 */
extern void sddl_hold_init(void);

/*
 * After an intercepted statement ran: remember those of relations
 * (SddlRelation *, the ones policy says matter) on which this transaction
 * now holds a lock that blocks the application.
 */
extern void sddl_hold_note(List *relations, const char *statement);

/* The locks remembered, SddlHeldLock *, oldest first; NIL when none. */
extern List *sddl_hold_list(void);

#endif							/* SAFE_DDL_HOLD_H */
