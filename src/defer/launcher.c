/*-------------------------------------------------------------------------
 *
 * launcher.c
 *	  The deferred-build launcher: starts a worker (worker.c) for each
 *	  database with queued deferred builds, at most safe_ddl.defer_workers
 *	  at a time.
 *
 * One static background worker per cluster, connected to no database.  It
 * learns which databases have work from the wake-ups of notify.c (a
 * committed transaction that queued items, safe_ddl.deferred_wake()), so it
 * never connects to every database to look.  The exceptions are the sweeps:
 * once when it starts (server start, promotion of a standby, its own
 * restart) and when safe_ddl.defer_workers goes from 0 to more, so that
 * items queued before a restart or a failover are built, and then hourly,
 * for the items queued without a wake-up (a row inserted by hand).  A sweep marks every connectable database: its worker
 * starts, finds nothing, and exits.
 *
 * Like the log writer, it is registered to start only once recovery has
 * finished: on a standby no deferred build ever runs (it could not write),
 * and after promotion the launcher starts and sweeps.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/defer/launcher.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "defer/worker_int.h"
#include "safe_ddl.h"

/* How often every database is looked at, after the sweep at start. */
#define SDDL_DEFER_SWEEP_INTERVAL_MS	(3600 * 1000L)

/* The launcher's longest sleep: it also checks on the workers it started. */
#define SDDL_DEFER_LAUNCHER_NAP_MS		10000L

/* The workers this launcher registered, by slot. */
static BackgroundWorkerHandle *sddl_handles[SDDL_DEFER_SLOTS];

void
sddl_defer_launcher_register(void)
{
	sddl_register_worker("sddl_defer_launcher_main",
						 "safe_ddl deferred-build launcher",
						 BGWORKER_SHMEM_ACCESS |
						 BGWORKER_BACKEND_DATABASE_CONNECTION);
}

static void
sddl_defer_launcher_detach(int code, Datum arg)
{
	SddlDeferShared *shared = sddl_defer_shared;

	SpinLockAcquire(&shared->mutex);
	if (shared->launcher_pid == MyProcPid)
	{
		shared->launcher_pid = 0;
		shared->launcher_latch = NULL;
	}
	SpinLockRelease(&shared->mutex);
}

/*
 * Mark every database that accepts connections, templates aside, as
 * wanting a look: its worker will tell whether safe_ddl is installed there
 * and anything is queued.
 */
static void
sddl_defer_sweep(void)
{
	List	   *dbids = NIL;
	ListCell   *lc;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);

		/*
		 * Not the templates: a worker connected to template1 would make
		 * CREATE DATABASE fail, and migrations do not run there.
		 */
		if (db->datallowconn && !db->datistemplate)
			dbids = lappend_oid(dbids, db->oid);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	PopActiveSnapshot();

	SpinLockAcquire(&sddl_defer_shared->mutex);
	foreach(lc, dbids)
	{
		int			i = sddl_defer_slot_find(lfirst_oid(lc), true);

		if (i >= 0)
			sddl_defer_shared->slots[i].wanted = true;
	}
	SpinLockRelease(&sddl_defer_shared->mutex);
	CommitTransactionCommand();
	pgstat_report_stat(false);
}

/*
 * Register the workers the slots call for.  Returns how long to sleep at
 * most before looking again.
 */
static long
sddl_defer_launch(void)
{
	SddlDeferShared *shared = sddl_defer_shared;
	TimestampTz now = GetCurrentTimestamp();
	long		nap = SDDL_DEFER_LAUNCHER_NAP_MS;
	int			to_start[SDDL_DEFER_SLOTS];
	Oid			to_start_db[SDDL_DEFER_SLOTS];
	int			nstart = 0;
	int			running = 0;

	/* workers that ended before they attached free their slot here */
	for (int i = 0; i < SDDL_DEFER_SLOTS; i++)
	{
		pid_t		pid;

		if (sddl_handles[i] == NULL ||
			GetBackgroundWorkerPid(sddl_handles[i], &pid) != BGWH_STOPPED)
			continue;
		pfree(sddl_handles[i]);
		sddl_handles[i] = NULL;
		SpinLockAcquire(&shared->mutex);
		shared->slots[i].launching = false;
		SpinLockRelease(&shared->mutex);
	}

	SpinLockAcquire(&shared->mutex);
	for (int i = 0; i < SDDL_DEFER_SLOTS; i++)
		if (shared->slots[i].worker_pid != 0 || shared->slots[i].launching)
			running++;
	for (int i = 0; i < SDDL_DEFER_SLOTS && running < sddl_defer_workers; i++)
	{
		SddlDeferSlot *slot = &shared->slots[i];

		if (slot->dbid == InvalidOid || !slot->wanted ||
			slot->worker_pid != 0 || slot->launching)
			continue;
		if (slot->not_before > now)
		{
			nap = Min(nap, TimestampDifferenceMilliseconds(now,
														   slot->not_before) + 1);
			continue;
		}
		slot->launching = true;
		to_start[nstart] = i;
		to_start_db[nstart] = slot->dbid;
		nstart++;
		running++;
	}
	SpinLockRelease(&shared->mutex);

	for (int n = 0; n < nstart; n++)
	{
		BackgroundWorker worker;
		BackgroundWorkerHandle *handle;
		int			i = to_start[n];

		memset(&worker, 0, sizeof(worker));
		/* terminated by database commands where PostgreSQL can (utility.c) */
		worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
			BGWORKER_BACKEND_DATABASE_CONNECTION | SDDL_BGWORKER_INTERRUPTIBLE;
		worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
		worker.bgw_restart_time = BGW_NEVER_RESTART;
		snprintf(worker.bgw_library_name, BGW_MAXLEN, "safe_ddl");
		snprintf(worker.bgw_function_name, BGW_MAXLEN,
				 "sddl_defer_worker_main");
		snprintf(worker.bgw_name, BGW_MAXLEN,
				 "safe_ddl deferred build (database %u)", to_start_db[n]);
		snprintf(worker.bgw_type, BGW_MAXLEN, "safe_ddl deferred build");
		worker.bgw_main_arg = ObjectIdGetDatum(to_start_db[n]);
		worker.bgw_notify_pid = MyProcPid;	/* its start and end set our latch */

		if (RegisterDynamicBackgroundWorker(&worker, &handle))
		{
			if (sddl_handles[i] != NULL)
				pfree(sddl_handles[i]);
			sddl_handles[i] = handle;
			continue;
		}
		/* no free background worker slot: try again later */
		ereport(LOG,
				(errmsg("safe_ddl could not start a deferred-build worker for database %u",
						to_start_db[n]),
				 errhint("Raise max_worker_processes.")));
		SpinLockAcquire(&shared->mutex);
		shared->slots[i].launching = false;
		shared->slots[i].not_before = TimestampTzPlusMilliseconds(now,
																  SDDL_DEFER_RESTART_MS);
		SpinLockRelease(&shared->mutex);
		nap = Min(nap, SDDL_DEFER_RESTART_MS);
	}
	return nap;
}

void
sddl_defer_launcher_main(Datum main_arg)
{
	SddlDeferShared *shared = sddl_defer_shared;
	TimestampTz last_sweep = 0;
	bool		swept = false;
	MemoryContext cxt;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();

	if (shared == NULL)
		proc_exit(1);

	/* no database: the sweeps read only pg_database, a shared catalog */
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("safe_ddl deferred-build launcher");

	SpinLockAcquire(&shared->mutex);
	shared->launcher_pid = MyProcPid;
	shared->launcher_latch = MyLatch;
	SpinLockRelease(&shared->mutex);
	before_shmem_exit(sddl_defer_launcher_detach, (Datum) 0);

	cxt = AllocSetContextCreate(TopMemoryContext,
								"safe_ddl deferred-build launcher",
								ALLOCSET_DEFAULT_SIZES);

	while (!ShutdownRequestPending)
	{
		long		nap = SDDL_DEFER_LAUNCHER_NAP_MS;

		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		if (sddl_defer_workers > 0)
		{
			bool		requested;

			SpinLockAcquire(&shared->mutex);
			requested = shared->sweep_requested;
			shared->sweep_requested = false;
			SpinLockRelease(&shared->mutex);

			/* at start, once enabled, on request, and then hourly */
			if (!swept || requested ||
				TimestampDifferenceExceeds(last_sweep, GetCurrentTimestamp(),
										   SDDL_DEFER_SWEEP_INTERVAL_MS))
			{
				MemoryContext old = MemoryContextSwitchTo(cxt);

				sddl_defer_sweep();
				MemoryContextSwitchTo(old);
				MemoryContextReset(cxt);
				last_sweep = GetCurrentTimestamp();
				swept = true;
			}
			nap = sddl_defer_launch();
		}
		else
			swept = false;		/* sweep again once enabled */

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 nap, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	proc_exit(0);
}
