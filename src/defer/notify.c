/*-------------------------------------------------------------------------
 *
 * notify.c
 *	  The worker side's settings and shared memory, and the wake-ups: a
 *	  transaction that queued deferred work wakes its database's worker when
 *	  it commits (never when it rolls back), and safe_ddl.deferred_wake()
 *	  does the same on demand.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/defer/notify.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/xact.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/guc.h"

#include "compat.h"
#include "defer/defer.h"
#include "defer/worker_int.h"
#include "safe_ddl.h"

PG_FUNCTION_INFO_V1(safe_ddl_deferred_wake);

int			sddl_defer_workers = 2;
int			sddl_defer_max_attempts = 5;
int			sddl_defer_retry_max_backoff = 900;

bool		sddl_defer_in_worker = false;

SddlDeferShared *sddl_defer_shared = NULL;

/* Set when the current transaction queued an item; cleared at its end. */
static bool sddl_defer_queued_in_xact = false;

#ifdef SDDL_HAVE_SHMEM_REQUEST_HOOK
static shmem_request_hook_type prev_shmem_request_hook = NULL;
#endif
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void sddl_defer_shmem_request(void);
static void sddl_defer_shmem_startup(void);
static void sddl_defer_xact_callback(XactEvent event, void *arg);

void
sddl_defer_define_gucs(void)
{
	DefineCustomIntVariable("safe_ddl.defer_workers",
							"Most databases whose deferred builds run at the same time.",
							"Each database with queued deferred builds gets a "
							"background worker that runs them one at a time; "
							"this many such workers run at once.  0 stops "
							"deferred builds (items stay queued).",
							&sddl_defer_workers,
							2,
							0, 64,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("safe_ddl.defer_max_attempts",
							"Attempts of a deferred build before it is marked failed.",
							"A build that fails for a passing reason (a lock "
							"it could not get, a cancel, the worker ended) is "
							"retried with exponential backoff up to this many "
							"attempts in all.",
							&sddl_defer_max_attempts,
							5,
							1, 1000,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("safe_ddl.defer_retry_max_backoff",
							"Longest pause before a deferred build is retried.",
							"The pause after a failed attempt starts at 10 s "
							"and doubles with each attempt, up to this.",
							&sddl_defer_retry_max_backoff,
							900,
							1, INT_MAX / 1000,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);
}

void
sddl_defer_init(void)
{
#ifdef SDDL_HAVE_SHMEM_REQUEST_HOOK
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = sddl_defer_shmem_request;
#else
	sddl_defer_shmem_request();
#endif
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = sddl_defer_shmem_startup;
	RegisterXactCallback(sddl_defer_xact_callback, NULL);
	sddl_defer_launcher_register();
}

static void
sddl_defer_shmem_request(void)
{
#ifdef SDDL_HAVE_SHMEM_REQUEST_HOOK
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
#endif
	RequestAddinShmemSpace(MAXALIGN(sizeof(SddlDeferShared)));
}

static void
sddl_defer_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	sddl_defer_shared = ShmemInitStruct("safe_ddl deferred builds",
										sizeof(SddlDeferShared), &found);
	if (!found)
	{
		memset(sddl_defer_shared, 0, sizeof(SddlDeferShared));
		SpinLockInit(&sddl_defer_shared->mutex);
		for (int i = 0; i < SDDL_DEFER_SLOTS; i++)
			ConditionVariableInit(&sddl_defer_shared->slots[i].settled_cv);
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * The slot of dbid; with create, a free one is taken for it, or else the
 * slot of a database with nothing going on (no worker, nothing wanted) is
 * reused.  -1 when there is none.  The caller holds the mutex.
 */
int
sddl_defer_slot_find(Oid dbid, bool create)
{
	SddlDeferShared *shared = sddl_defer_shared;
	int			idle = -1;

	for (int i = 0; i < SDDL_DEFER_SLOTS; i++)
	{
		SddlDeferSlot *slot = &shared->slots[i];

		if (slot->dbid == dbid)
			return i;
		if (idle < 0 && (slot->dbid == InvalidOid ||
						 (!slot->wanted && !slot->launching &&
						  slot->worker_pid == 0)))
			idle = i;
	}
	if (!create || idle < 0)
		return -1;
	shared->slots[idle].dbid = dbid;
	shared->slots[idle].wanted = false;
	shared->slots[idle].launching = false;
	shared->slots[idle].worker_pid = 0;
	shared->slots[idle].worker_latch = NULL;
	shared->slots[idle].not_before = 0;
	/* scan numbers keep growing: a waiter of the old database sees a change */
	return idle;
}

int
sddl_defer_wake(Oid dbid)
{
	return sddl_defer_wake_since(dbid, NULL);
}

int
sddl_defer_wake_since(Oid dbid, uint64 *since)
{
	SddlDeferShared *shared = sddl_defer_shared;
	Latch	   *latch = NULL;
	int			i;

	if (shared == NULL)
		return -1;
	SpinLockAcquire(&shared->mutex);
	i = sddl_defer_slot_find(dbid, true);
	if (i >= 0)
	{
		SddlDeferSlot *slot = &shared->slots[i];

		slot->wanted = true;
		if (since != NULL)
			*since = slot->scans_started;
		latch = slot->worker_pid != 0 ? slot->worker_latch :
			shared->launcher_latch;
	}
	SpinLockRelease(&shared->mutex);
	if (i < 0)
		ereport(LOG,
				(errmsg("safe_ddl cannot wake the deferred-build worker of database %u: all %d slots are in use",
						dbid, SDDL_DEFER_SLOTS),
				 errdetail("The queued items run at the next sweep of every database.")));
	if (latch != NULL)
		SetLatch(latch);
	return i;
}

void
sddl_defer_note_queued(void)
{
	sddl_defer_queued_in_xact = true;
}

/*
 * At commit the queued rows are visible to others: wake the worker then,
 * not before (it would find nothing), and never for a rollback.  A
 * prepared transaction's items are visible only after COMMIT PREPARED,
 * which runs in another transaction: that one wakes the worker
 * (utility.c).
 */
static void
sddl_defer_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
			if (sddl_defer_queued_in_xact)
			{
				sddl_defer_queued_in_xact = false;
				sddl_defer_wake(MyDatabaseId);
			}
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
			sddl_defer_queued_in_xact = false;
			break;
		default:
			break;
	}
}

/*
 * safe_ddl.deferred_wake(): have this database's worker look at the queue
 * now (after rows were queued by hand, or a DBA resumed an item).
 */
Datum
safe_ddl_deferred_wake(PG_FUNCTION_ARGS)
{
	sddl_require_preload();
	if (sddl_defer_wake(MyDatabaseId) < 0)
		ereport(WARNING,
				(errmsg("safe_ddl could not wake the deferred-build worker"),
				 errdetail("All %d slots for databases with deferred work are in use.",
						   SDDL_DEFER_SLOTS)));
	PG_RETURN_VOID();
}
