/*-------------------------------------------------------------------------
 *
 * hold_monitor.c
 *	  The "safe_ddl hold monitor" background worker: enforces
 *	  safe_ddl.lock_hold_budget (see hold_budget.c for the holder side).
 *
 * The worker sleeps on its latch while no transaction is published.  A
 * holder publishing its locks sets the latch.  While holders exist, the
 * worker looks at each published lock in the lock manager: under the
 * lock's partition lock (shared), it scans the PGPROC array for sessions
 * waiting on that lock tag in a mode that conflicts with the held one, and
 * reads when each started waiting (PGPROC.waitStart, PostgreSQL 14+).
 *
 * The harm measured is the wait of the oldest waiter, not the summed wait
 * of all waiters, chosen by measurement (bench/hold_metric.sh,
 * docs/lock-hold.md): the waiters are the application's connections, so
 * the summed wait grows as pool size times hold time, and a 2 s summed
 * budget ended the same idle migration after 104 ms behind a 32-connection
 * pool, 515 ms behind a 4-connection one, and 2 s after the first query on
 * a quiet table.  The oldest wait ended it 2.0 s after the first request
 * queued in every case: it is what each stalled request sees (its latency)
 * and bounds it whatever the traffic.  The summed wait is still reported,
 * in the message and the lock log.
 *
 * Sleep between two looks: until the oldest waiter reaches the budget when
 * there are waiters; otherwise a quarter of the budget (between 10 ms and
 * 1 s), the detection delay of a first waiter.  The worker never reads a
 * table and needs no database connection.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/hold_monitor.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "exec/hold_shmem.h"
#include "safe_ddl.h"

/* Bounds of the sleep while a holder has no waiter (see above). */
#define SDDL_HOLD_POLL_MIN_MS 10
#define SDDL_HOLD_POLL_MAX_MS 1000

/* What the lock manager shows of the sessions queued behind one lock. */
typedef struct SddlWaiters
{
	int			count;
	TimestampTz oldest_start;	/* 0 when count is 0 */
	double		summed_ms;
} SddlWaiters;

void
sddl_hold_monitor_register(void)
{
	sddl_register_worker("sddl_hold_monitor_main", "safe_ddl hold monitor",
						 BGWORKER_SHMEM_ACCESS);
}

static void
sddl_hold_monitor_detach(int code, Datum arg)
{
	SpinLockAcquire(&sddl_hold_shared->mutex);
	if (sddl_hold_shared->monitor_latch == MyLatch)
		sddl_hold_shared->monitor_latch = NULL;
	SpinLockRelease(&sddl_hold_shared->mutex);
}

/*
 * The sessions waiting for the relation lock (dbid, relid) in a mode that
 * conflicts with held, other than the holder itself.  waitLock of a PGPROC
 * is protected by the partition lock of the lock it waits for, so holding
 * that one partition lock is enough to read the waiters of this lock.
 */
static void
sddl_hold_waiters(Oid dbid, Oid relid, LOCKMODE held, int holder_pid,
				  TimestampTz now, SddlWaiters *w)
{
	LOCKTAG		tag;
	LWLock	   *partition;
	LockMethod	method;

	memset(w, 0, sizeof(*w));
	SET_LOCKTAG_RELATION(tag, dbid, relid);
	method = GetLockTagsMethodTable(&tag);
	partition = LockHashPartitionLock(LockTagHashCode(&tag));

	LWLockAcquire(partition, LW_SHARED);
	for (uint32 i = 0; i < ProcGlobal->allProcCount; i++)
	{
		PGPROC	   *proc = &ProcGlobal->allProcs[i];
		LOCK	   *lock = proc->waitLock;
		TimestampTz start;

		if (lock == NULL || proc->pid == 0 || proc->pid == holder_pid)
			continue;
		if (memcmp(&lock->tag, &tag, sizeof(LOCKTAG)) != 0)
			continue;
		if ((method->conflictTab[proc->waitLockMode] & LOCKBIT_ON(held)) == 0)
			continue;
		start = (TimestampTz) pg_atomic_read_u64(&proc->waitStart);
		if (start == 0 || start > now)
			start = now;		/* queued this instant */
		w->count++;
		w->summed_ms += (double) (now - start) / 1000.0;
		if (w->oldest_start == 0 || start < w->oldest_start)
			w->oldest_start = start;
	}
	LWLockRelease(partition);
}

static long
sddl_hold_poll_ms(int budget_ms)
{
	return Min(Max(budget_ms / 4, SDDL_HOLD_POLL_MIN_MS), SDDL_HOLD_POLL_MAX_MS);
}

/*
 * End the holder: SIGINT cancels its running statement, SIGTERM ends its
 * session when it is idle in transaction (a cancel would be ignored while
 * it waits for the client).  Should it change state in between, the next
 * look sends the other signal.
 */
static void
sddl_hold_signal(SddlHoldSlot *slot, SddlHoldSlot *copy, Oid relid,
				 LOCKMODE mode, const SddlWaiters *w, TimestampTz now)
{
	PGPROC	   *proc = &ProcGlobal->allProcs[copy->procno];
	bool		idle = (proc->wait_event_info == WAIT_EVENT_CLIENT_READ);

	SpinLockAcquire(&slot->mutex);
	if (slot->pid != copy->pid)
	{
		/* the transaction ended meanwhile */
		SpinLockRelease(&slot->mutex);
		return;
	}
	slot->verdict = idle ? SDDL_HOLD_TERMINATE : SDDL_HOLD_CANCEL;
	slot->verdict_at = now;
	slot->verdict_relid = relid;
	slot->verdict_mode = mode;
	slot->waiters = w->count;
	slot->oldest_wait_ms = (double) (now - w->oldest_start) / 1000.0;
	slot->summed_wait_ms = w->summed_ms;
	SpinLockRelease(&slot->mutex);

	kill(copy->pid, idle ? SIGTERM : SIGINT);
}

/*
 * Look at one published holder; return how long until it must be looked
 * at again.
 */
static long
sddl_hold_check_slot(SddlHoldSlot *slot, TimestampTz now)
{
	SddlHoldSlot copy;
	long		next;

	SpinLockAcquire(&slot->mutex);
	memcpy(&copy, slot, sizeof(copy));
	SpinLockRelease(&slot->mutex);
	if (copy.pid == 0 || copy.nlocks == 0 || copy.budget_ms <= 0)
		return -1;

	next = sddl_hold_poll_ms(copy.budget_ms);

	/* signalled already: give the holder a poll interval to end */
	if (copy.verdict != SDDL_HOLD_OK &&
		now - copy.verdict_at < (TimestampTz) next * 1000)
		return next;

	for (int i = 0; i < copy.nlocks; i++)
	{
		SddlWaiters w;
		double		oldest_ms;

		sddl_hold_waiters(copy.dbid, copy.relids[i], copy.modes[i], copy.pid,
						  now, &w);
		if (w.count == 0)
			continue;
		oldest_ms = (double) (now - w.oldest_start) / 1000.0;
		if (oldest_ms >= copy.budget_ms)
		{
			sddl_hold_signal(slot, &copy, copy.relids[i], copy.modes[i], &w,
							 now);
			return sddl_hold_poll_ms(copy.budget_ms);
		}
		/* wake when this waiter reaches the budget */
		next = Min(next, (long) (copy.budget_ms - oldest_ms) + 1);
	}
	return next;
}

/* Look at every holder; -1 when there is none. */
static long
sddl_hold_check_all(void)
{
	TimestampTz now = GetCurrentTimestamp();
	long		timeout = -1;

	for (int i = 0; i < SDDL_HOLD_SLOTS; i++)
	{
		long		next = sddl_hold_check_slot(&sddl_hold_shared->slots[i], now);

		if (next >= 0 && (timeout < 0 || next < timeout))
			timeout = next;
	}
	return timeout;
}

void
sddl_hold_monitor_main(Datum arg)
{
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();

	SpinLockAcquire(&sddl_hold_shared->mutex);
	sddl_hold_shared->monitor_latch = MyLatch;
	SpinLockRelease(&sddl_hold_shared->mutex);
	before_shmem_exit(sddl_hold_monitor_detach, (Datum) 0);

	while (!ShutdownRequestPending)
	{
		long		timeout;
		int			events = WL_LATCH_SET | WL_EXIT_ON_PM_DEATH;

		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		timeout = sddl_hold_check_all();
		if (timeout >= 0)
			events |= WL_TIMEOUT;
		(void) WaitLatch(MyLatch, events, timeout, PG_WAIT_EXTENSION);
	}
	proc_exit(0);
}
