/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  A database's deferred-build worker: runs the items queued in
 *	  safe_ddl.deferred_queue one at a time, then exits.
 *
 * Started by the launcher (launcher.c) for one database, connected to it as
 * the bootstrap superuser; each build runs as the owner of its table
 * (build.c).  The loop:
 *
 *   1. items left "running" by a worker that is gone (terminated mid-build,
 *      a crash, a shutdown) go back to "queued" (claim.c);
 *   2. a scan: claim the next runnable item (FOR UPDATE SKIP LOCKED) and
 *      build it (build.c), recording the outcome;
 *   3. when nothing is runnable: with items waiting for a retry, sleep until
 *      the first is due (or a wake-up); with nothing pending, publish the
 *      scan as settled (wait_deferred() watches that) and exit, unless a
 *      wake-up arrived meanwhile.
 *
 * SIGTERM is handled like in a regular backend (die): it ends the build at
 * its next interrupt check.  The item then stays "running" with this
 * worker's pid, and step 1 of the next worker cleans up and retries; this
 * worker asks the launcher for that successor on its way out.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/defer/worker.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "defer/worker_int.h"

/* Longest sleep while items wait for a retry: a safety net for lost wakes */
#define SDDL_DEFER_WORKER_NAP_MS	60000L

static int	sddl_my_slot = -1;

/* Set once connected: a worker that cannot connect must not be restarted. */
static bool sddl_connected = false;

/*
 * On exit: free the slot.  An exit other than the normal one (terminated,
 * an error) asks for a successor after a pause, which recovers what this
 * worker left running; unless the worker never connected (its database is
 * gone, or does not accept connections): then the database is forgotten.
 */
static void
sddl_defer_worker_detach(int code, Datum arg)
{
	SddlDeferShared *shared = sddl_defer_shared;
	SddlDeferSlot *slot;
	Latch	   *launcher;

	if (sddl_my_slot < 0)
		return;
	slot = &shared->slots[sddl_my_slot];
	SpinLockAcquire(&shared->mutex);
	if (slot->worker_pid == MyProcPid)
	{
		slot->worker_pid = 0;
		slot->worker_latch = NULL;
		if (code != 0 && !sddl_connected)
		{
			/* the database was dropped, say: forget it */
			slot->dbid = InvalidOid;
			slot->wanted = false;
		}
		else if (code != 0)
		{
			slot->wanted = true;
			slot->not_before = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
														   SDDL_DEFER_RESTART_MS);
		}
	}
	launcher = shared->launcher_latch;
	SpinLockRelease(&shared->mutex);
	/* waiters re-check; the launcher may start a successor */
	ConditionVariableBroadcast(&slot->settled_cv);
	if (launcher != NULL)
		SetLatch(launcher);
}

/* Take this database's slot; false if another worker already has it. */
static bool
sddl_defer_worker_attach(Oid dbid)
{
	SddlDeferShared *shared = sddl_defer_shared;
	bool		ok = false;

	SpinLockAcquire(&shared->mutex);
	sddl_my_slot = sddl_defer_slot_find(dbid, true);
	if (sddl_my_slot >= 0)
	{
		SddlDeferSlot *slot = &shared->slots[sddl_my_slot];

		slot->launching = false;
		if (slot->worker_pid == 0)
		{
			slot->worker_pid = MyProcPid;
			slot->worker_latch = MyLatch;
			ok = true;
		}
	}
	SpinLockRelease(&shared->mutex);
	if (!ok)
		sddl_my_slot = -1;
	return ok;
}

/* Start a scan: its number; wake-ups from now on call for another one. */
static uint64
sddl_defer_scan_begin(void)
{
	SddlDeferShared *shared = sddl_defer_shared;
	SddlDeferSlot *slot = &shared->slots[sddl_my_slot];
	uint64		scan;

	SpinLockAcquire(&shared->mutex);
	scan = ++slot->scans_started;
	slot->wanted = false;
	SpinLockRelease(&shared->mutex);
	return scan;
}

/*
 * The scan found nothing pending: publish it, and give the slot up unless a
 * wake-up came in since the scan began.  Returns true when the worker may
 * exit.
 */
static bool
sddl_defer_scan_settled(uint64 scan)
{
	SddlDeferShared *shared = sddl_defer_shared;
	SddlDeferSlot *slot = &shared->slots[sddl_my_slot];
	bool		done;

	SpinLockAcquire(&shared->mutex);
	if (slot->scans_settled < scan)
		slot->scans_settled = scan;
	done = !slot->wanted;
	if (done)
	{
		slot->worker_pid = 0;
		slot->worker_latch = NULL;
	}
	SpinLockRelease(&shared->mutex);
	ConditionVariableBroadcast(&slot->settled_cv);
	return done;
}

bool
sddl_defer_take_restart(void)
{
	SddlDeferShared *shared = sddl_defer_shared;
	bool		requested;

	if (sddl_my_slot < 0)
		return false;
	SpinLockAcquire(&shared->mutex);
	requested = shared->slots[sddl_my_slot].restart_requested;
	shared->slots[sddl_my_slot].restart_requested = false;
	SpinLockRelease(&shared->mutex);
	return requested;
}

void
sddl_defer_worker_main(Datum main_arg)
{
	Oid			dbid = DatumGetObjectId(main_arg);
	MemoryContext cxt;

	/* a terminate ends the build at its next interrupt check, as a backend */
	pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();

	if (sddl_defer_shared == NULL || !sddl_defer_worker_attach(dbid))
		proc_exit(0);
	before_shmem_exit(sddl_defer_worker_detach, (Datum) 0);

	BackgroundWorkerInitializeConnectionByOid(dbid, InvalidOid, 0);
	sddl_connected = true;
	/* the name the lock log and pg_stat_activity show for its builds */
	SetConfigOption("application_name", "safe_ddl deferred build",
					PGC_USERSET, PGC_S_SESSION);

	/*
	 * A build takes as long as it takes, waits for old transactions as
	 * CONCURRENTLY must, and bounds its own lock waits (build.c): no
	 * database or role default may cut it short or make it read-only.
	 */
	SetConfigOption("statement_timeout", "0", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("lock_timeout", "0", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("idle_in_transaction_session_timeout", "0", PGC_SUSET,
					PGC_S_OVERRIDE);
	SetConfigOption("default_transaction_read_only", "off", PGC_SUSET,
					PGC_S_OVERRIDE);
	SetConfigOption("default_transaction_isolation", "read committed",
					PGC_SUSET, PGC_S_OVERRIDE);
	/* the worker's own queries; each build gets the search_path it needs */
	SetConfigOption("search_path", SDDL_DEFER_WORKER_SEARCH_PATH, PGC_SUSET,
					PGC_S_OVERRIDE);

	cxt = AllocSetContextCreate(TopMemoryContext,
								"safe_ddl deferred build",
								ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(cxt);

	for (;;)
	{
		SddlDeferItem *item;
		int			pending = 0;
		TimestampTz next_at = 0;
		uint64		scan;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		scan = sddl_defer_scan_begin();
		if (!sddl_worker_queue_exists())
			item = NULL;		/* safe_ddl is not installed here */
		else
		{
			sddl_defer_recover_stale();
			item = sddl_defer_claim(&pending, &next_at);
		}

		if (item != NULL)
		{
			SddlDeferOutcome outcome;

			sddl_defer_build(item, &outcome);
			sddl_defer_finish(item, &outcome);
			MemoryContextReset(cxt);
			continue;
		}

		if (pending == 0)
		{
			if (sddl_defer_scan_settled(scan))
				break;
			continue;			/* woken meanwhile: scan again */
		}

		/* items wait for a retry: sleep until the first is due */
		{
			long		nap = SDDL_DEFER_WORKER_NAP_MS;

			/* due already but locked by someone: look again in a second */
			if (next_at != 0)
				nap = Max(Min(nap, TimestampDifferenceMilliseconds(GetCurrentTimestamp(),
																   next_at) + 1),
						  1000);
			(void) WaitLatch(MyLatch,
							 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 nap, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
		MemoryContextReset(cxt);
	}
	proc_exit(0);
}
