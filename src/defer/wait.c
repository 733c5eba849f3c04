/*-------------------------------------------------------------------------
 *
 * wait.c
 *	  safe_ddl.wait_deferred(timeout): wait until everything queued in this
 *	  database so far (and anything queued meanwhile) is built or has
 *	  failed, and return what failed.
 *
 * The trap: CREATE INDEX CONCURRENTLY waits, before it finishes, for every
 * transaction of the database holding a snapshot older than its own
 * (WaitForOlderSnapshots), and it waits for such a transaction to *end*.
 * A session sleeping in wait_deferred() with a snapshot would make the
 * build wait for the session that waits for the build.  So:
 *
 * - In a transaction that holds a transaction ID (it wrote), a
 *   transaction snapshot (REPEATABLE READ, SERIALIZABLE) or an open cursor
 *   the call is refused: nothing can be released there, and the build would wait for
 *   that transaction.  A READ COMMITTED transaction without writes is fine
 *   (it holds no snapshot between statements).
 * - Before sleeping, the function lets go of its statement's snapshot
 *   (MyProc->xmin cleared, catalog snapshot dropped) and, while it sleeps,
 *   reads nothing from tables: it watches the worker's progress in shared
 *   memory (worker_int.h): "a scan of the queue that started after this
 *   call found nothing queued or running".  The statement that calls it
 *   must not read tables with its snapshot after the call, which holds
 *   for the documented form, SELECT * FROM safe_ddl.wait_deferred(...).
 *   Only once done does it take a fresh snapshot, to read what failed.
 *   Nothing is read before the sleep either: whether anything is pending
 *   is the worker's answer (a settled scan), so the snapshot the statement
 *   started with is the only one the build can see.
 * - That one remains a window: a build whose last phase looks for old
 *   snapshots between the start of the statement and the release waits
 *   for this session's transaction to end.  The wait loop looks for it
 *   (the worker blocked by this session, in the lock manager): a wait on
 *   this transaction's virtual transaction ID is that case, and the build
 *   is cancelled and restarted at once, without counting an attempt
 *   (claim.c); it then no longer sees this session.  The window is a
 *   statement's parse and plan, so this is rare and costs one rebuild.
 *   A wait on anything else (a table lock this transaction took in an
 *   earlier statement) cannot be untied here: an error says so at once,
 *   where it used to wait for the timeout.
 *
 * The wait is latch-based (a condition variable the worker broadcasts
 * when a scan settles), with a one-second timeout to re-check, and is
 * interruptible (cancel, statement_timeout, termination).
 *
 * "Pending" means queued or running: items waiting for a retry count, paused
 * and cancelled ones do not (a DBA stopped them).  What failed: every item
 * in state failed, whenever it failed, until a DBA retries or cancels it,
 * so that a deploy pipeline that calls this after its migrations sees a
 * failure even when the build failed before the call.
 *
 * On timeout, an error (SQLSTATE 57014) saying how many items are pending:
 * a pipeline stops on it like on any failed step.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/defer/wait.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "access/transam.h"
#include "access/xact.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "defer/worker_int.h"
#include "safe_ddl.h"

PG_FUNCTION_INFO_V1(safe_ddl_wait_deferred);

/* Longest sleep between two looks at the worker's progress. */
#define SDDL_WAIT_RECHECK_MS	1000L

static const char *const sddl_pending_count_sql =
"SELECT count(*)::int4 FROM safe_ddl.deferred_queue "
"WHERE state IN ('queued', 'running')";

static const char *const sddl_failed_sql =
"SELECT id, statement, state, last_error FROM safe_ddl.deferred_queue "
"WHERE state = 'failed' ORDER BY id";

/* Items queued or running now, read with a fresh snapshot. */
static int
sddl_count_pending(void)
{
	int			n;
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sddl_pending_count_sql, false, 0) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "could not count pending deferred builds");
	n = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
									SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return n;
}

/*
 * Hold no snapshot: other sessions' CREATE INDEX CONCURRENTLY must not wait
 * for this one (see the file header).  Done again after each sleep, since
 * processing an invalidation may have taken a catalog snapshot.
 */
static void
sddl_release_xmin(void)
{
	InvalidateCatalogSnapshot();
	MyProc->xmin = InvalidTransactionId;
}

/*
 * Is the process "pid" waiting for a lock this backend holds?  Returns the
 * type of the lock (LOCKTAG_VIRTUALTRANSACTION: this transaction's end), or
 * -1 when it does not wait for this backend.  As pg_blocking_pids(), from
 * the lock manager's own data; no snapshot.
 */
static int
sddl_blocked_by_me(int pid)
{
	MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext,
											  "safe_ddl wait_deferred",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(tmp);
	BlockedProcsData *data = GetBlockerStatusData(pid);
	int			found = -1;

	for (int i = 0; i < data->nprocs && found < 0; i++)
	{
		BlockedProcData *bproc = &data->procs[i];
		LockInstanceData *locks = &data->locks[bproc->first_lock];
		LockInstanceData *blocked = NULL;
		LOCKMASK	conflicts;

		for (int j = 0; j < bproc->num_locks; j++)
			if (locks[j].pid == bproc->pid)
				blocked = &locks[j];
		if (blocked == NULL)
			continue;
		conflicts = GetLockTagsMethodTable(&blocked->locktag)->conflictTab[blocked->waitLockMode];
		for (int j = 0; j < bproc->num_locks; j++)
		{
			if (locks[j].pid != MyProcPid ||
				(conflicts & locks[j].holdMask) == 0)
				continue;
			found = blocked->locktag.locktag_type;
			break;
		}
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(tmp);
	return found;
}

/*
 * Untie a wait of the database's worker on this session (see the file
 * header).  A build waiting for this transaction to end is cancelled once
 * and retried by the worker at once.  Any other wait, or a restarted build
 * that waits for this transaction again (it holds a lock the build waits
 * out, not only a snapshot), ends the call: nothing else can end it before
 * the timeout.
 */
static void
sddl_untie_worker(int slotno, pid_t *cancelled)
{
	SddlDeferShared *shared = sddl_defer_shared;
	SddlDeferSlot *slot = &shared->slots[slotno];
	pid_t		pid;
	bool		cancel_pending;
	int			locktype;

	SpinLockAcquire(&shared->mutex);
	pid = slot->dbid == MyDatabaseId ? slot->worker_pid : 0;
	cancel_pending = slot->restart_requested;
	SpinLockRelease(&shared->mutex);
	if (pid == 0)
		return;
	locktype = sddl_blocked_by_me(pid);
	if (locktype < 0 || (*cancelled == pid && cancel_pending))
		return;					/* no wait on us, or the cancel is on its way */
	if (locktype != LOCKTAG_VIRTUALTRANSACTION || *cancelled == pid)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_DEADLOCK_DETECTED),
				 errmsg("safe_ddl.wait_deferred() would wait for a deferred build that waits for this transaction"),
				 errdetail("The deferred-build worker (process %d) waits for a lock this transaction holds.",
						   (int) pid),
				 errhint("Call it in a transaction of its own, after COMMIT.")));

	/* blocked by this session, the worker cannot have moved on meanwhile */
	SpinLockAcquire(&shared->mutex);
	slot->restart_requested = true;
	SpinLockRelease(&shared->mutex);
	if (kill(pid, SIGINT) != 0)
	{
		SpinLockAcquire(&shared->mutex);
		slot->restart_requested = false;
		SpinLockRelease(&shared->mutex);
		return;
	}
	*cancelled = pid;
	ereport(LOG,
			(errmsg("safe_ddl cancelled the deferred build in process %d: it waited for this session in safe_ddl.wait_deferred()",
					(int) pid),
			 errdetail("The worker builds it again at once.")));
}

/* Sleep until a scan started after "since" settles, or the deadline. */
static bool
sddl_wait_settled(int slotno, uint64 since, TimestampTz deadline)
{
	SddlDeferShared *shared = sddl_defer_shared;
	SddlDeferSlot *slot = &shared->slots[slotno];
	bool		settled = false;
	pid_t		cancelled = 0;

	ConditionVariablePrepareToSleep(&slot->settled_cv);
	for (;;)
	{
		bool		ours;
		long		remaining;

		SpinLockAcquire(&shared->mutex);
		ours = slot->dbid == MyDatabaseId;
		settled = !ours || slot->scans_settled > since;
		SpinLockRelease(&shared->mutex);

		/*
		 * A slot is handed to another database only when it is idle: no
		 * worker and no wake-up pending.  The wake-up of this call is
		 * cleared only by a scan after it, so the slot went idle after
		 * such a scan settled.
		 */
		if (settled)
			break;
		sddl_untie_worker(slotno, &cancelled);
		remaining = TimestampDifferenceMilliseconds(GetCurrentTimestamp(),
													deadline);
		if (remaining <= 0)
			break;
		(void) ConditionVariableTimedSleep(&slot->settled_cv,
										   Min(remaining, SDDL_WAIT_RECHECK_MS),
										   PG_WAIT_EXTENSION);
		sddl_release_xmin();
	}
	ConditionVariableCancelSleep();
	return settled;
}

Datum
safe_ddl_wait_deferred(PG_FUNCTION_ARGS)
{
	Interval   *timeout = PG_GETARG_INTERVAL_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	tupdesc;
	Tuplestorestate *tupstore;
	MemoryContext oldcxt;
	TimestampTz deadline;
	int64		timeout_ms;
	int			slotno = -1;
	uint64		since = 0;

	sddl_require_preload();
	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	if (FullTransactionIdIsValid(GetTopFullTransactionIdIfAny()) ||
		(IsTransactionBlock() && IsolationUsesXactSnapshot()))
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("safe_ddl.wait_deferred() cannot run in a transaction that has written or holds a snapshot"),
				 errdetail("A deferred CREATE INDEX CONCURRENTLY waits for such a transaction to end, so the wait would never end."),
				 errhint("Call it in a transaction of its own, after COMMIT.")));

	/*
	 * An open cursor holds a snapshot this function would have to give up
	 * under it (the rows it still has to return could be vacuumed away), and
	 * a snapshot it keeps would stall the builds it waits for.
	 */
	if (!ThereAreNoReadyPortals())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_CURSOR_STATE),
				 errmsg("safe_ddl.wait_deferred() cannot run while a cursor is open"),
				 errdetail("A deferred CREATE INDEX CONCURRENTLY waits for the snapshot of the cursor, so the wait would never end."),
				 errhint("Close the cursor first, or call it in a transaction of its own.")));

	timeout_ms = timeout->time / 1000 +
		((int64) timeout->day + (int64) timeout->month * DAYS_PER_MONTH) *
		SECS_PER_DAY * 1000;
	if (timeout_ms < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("timeout must not be negative")));
	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);

	if (sddl_defer_workers == 0)
	{
		/* no worker runs, so none can wait for this session's snapshot */
		if (sddl_count_pending() > 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("deferred builds are queued but none can run"),
					 errdetail("safe_ddl.defer_workers is 0.")));
	}
	else
	{
		/*
		 * Ask for a scan, and wait for one that starts after this point: a
		 * scan that finds nothing pending settles at once.
		 */
		slotno = sddl_defer_wake_since(MyDatabaseId, &since);
		if (slotno < 0 && sddl_count_pending() == 0)
			slotno = -2;		/* nothing to follow anyway */
		else if (slotno < 0)
			ereport(ERROR,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("safe_ddl cannot follow the deferred builds of this database"),
					 errdetail("All %d slots for databases with deferred work are in use.",
							   SDDL_DEFER_SLOTS)));
	}
	if (slotno >= 0)
	{
		sddl_release_xmin();

		pgstat_report_activity(STATE_RUNNING,
							   "safe_ddl.wait_deferred(): waiting for deferred builds");
		if (!sddl_wait_settled(slotno, since, deadline))
		{
			int			pending = sddl_count_pending();

			ereport(ERROR,
					(errcode(ERRCODE_QUERY_CANCELED),
					 errmsg("timed out waiting for deferred builds"),
					 errdetail_plural("%d deferred build is still queued or running.",
									  "%d deferred builds are still queued or running.",
									  pending, pending),
					 errhint("See the view safe_ddl.deferred.")));
		}
	}

	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	tupstore = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tupstore;
	rsinfo->setDesc = tupdesc;
	MemoryContextSwitchTo(oldcxt);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sddl_failed_sql, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read failed deferred builds");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Datum		values[4];
		bool		nulls[4];

		for (int c = 0; c < 4; c++)
			values[c] = SPI_getbinval(SPI_tuptable->vals[i],
									  SPI_tuptable->tupdesc, c + 1, &nulls[c]);
		tuplestore_putvalues(tupstore, tupdesc, values, nulls);
	}
	SPI_finish();
	return (Datum) 0;
}
