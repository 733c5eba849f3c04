/*-------------------------------------------------------------------------
 *
 * hold_shmem.h
 *	  Shared memory of the lock-hold budget: one slot per transaction that
 *	  holds a lock blocking the application, written by that backend, read
 *	  and judged by the "safe_ddl hold monitor" background worker.
 *
 * Each slot has its own spinlock; every critical section is a copy of a
 * few dozen bytes.  monitor_latch is protected by the array's spinlock.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/hold_shmem.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_HOLD_SHMEM_H
#define SAFE_DDL_HOLD_SHMEM_H

#include "datatype/timestamp.h"
#include "storage/latch.h"
#include "storage/lockdefs.h"
#include "storage/spin.h"

/*
 * Transactions watched at the same time.  Only migrations take strong
 * locks through statements safe_ddl intercepts, and a cluster runs a few at
 * once; a holder finding no free slot is not watched (and says so in the
 * server log).
 */
#define SDDL_HOLD_SLOTS 64

/* Locks watched per transaction: the strongest ones are kept. */
#define SDDL_HOLD_LOCKS_PER_SLOT 8

/* What the monitor decided about a holder. */
typedef enum SddlHoldVerdict
{
	SDDL_HOLD_OK = 0,
	SDDL_HOLD_CANCEL,			/* running: SIGINT, ERROR 57014 */
	SDDL_HOLD_TERMINATE			/* idle in transaction: SIGTERM, FATAL */
} SddlHoldVerdict;

typedef struct SddlHoldSlot
{
	slock_t		mutex;

	/* written by the holder */
	pid_t		pid;			/* 0: the slot is free */
	int			procno;			/* the holder's PGPROC index */
	Oid			dbid;
	int			budget_ms;		/* the holder's safe_ddl.lock_hold_budget */
	TimestampTz since;			/* the oldest lock was taken */
	int			nlocks;
	Oid			relids[SDDL_HOLD_LOCKS_PER_SLOT];
	LOCKMODE	modes[SDDL_HOLD_LOCKS_PER_SLOT];

	/* written by the monitor when it ends the transaction */
	SddlHoldVerdict verdict;
	TimestampTz verdict_at;
	Oid			verdict_relid;	/* the lock the waiters queued for */
	LOCKMODE	verdict_mode;
	int			waiters;		/* sessions queued, at the verdict */
	double		oldest_wait_ms; /* the longest of their waits */
	double		summed_wait_ms; /* all their waits added */
} SddlHoldSlot;

typedef struct SddlHoldShared
{
	slock_t		mutex;			/* protects monitor_latch, slot claims */
	Latch	   *monitor_latch;	/* NULL while no monitor runs */
	SddlHoldSlot slots[SDDL_HOLD_SLOTS];
} SddlHoldShared;

extern SddlHoldShared *sddl_hold_shared;

extern void sddl_hold_monitor_register(void);
extern PGDLLEXPORT void sddl_hold_monitor_main(Datum arg);

#endif							/* SAFE_DDL_HOLD_SHMEM_H */
