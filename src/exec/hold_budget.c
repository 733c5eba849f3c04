/*-------------------------------------------------------------------------
 *
 * hold_budget.c
 *	  The lock-hold budget, holder side (safe_ddl.lock_hold_budget).
 *
 * A transaction that holds a lock blocking the application, taken by a
 * statement safe_ddl intercepted, publishes that lock in a slot of shared
 * memory (hold_shmem.h) and wakes the hold monitor (hold_monitor.c).  The
 * monitor watches the lock manager's queue; when the oldest session queued
 * behind the lock has waited longer than the budget, it records the
 * verdict in the slot and signals the holder the way pg_cancel_backend
 * (running statement) or pg_terminate_backend (idle in transaction) do.
 * The server's own interrupt processing then ends the statement or the
 * session at its next CHECK_FOR_INTERRUPTS; nothing runs in a signal
 * handler but the server's.
 *
 * This file turns the server's generic "canceling statement due to user
 * request" / "terminating connection due to administrator command" into
 * the reason (emit_log_hook, only while a verdict is pending), and records
 * the event in the lock log when the transaction ends.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/hold_budget.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "analysis/analysis.h"
#include "compat.h"
#include "exec/hold.h"
#include "exec/hold_int.h"
#include "exec/hold_shmem.h"
#include "log/log.h"

/*
 * safe_ddl.lock_hold_budget, in milliseconds: how long the oldest session
 * queued behind a strong lock may wait before the holder is ended.
 *
 * Default 2s, the same as safe_ddl.lock_wait_budget_holding: that is how
 * long safe_ddl already lets a transaction holding a strong lock stall the
 * application while it waits for another lock, and the same reasoning
 * holds.  It is above what an instant DDL statement and a short, well-
 * written migration transaction need (milliseconds), and below the request
 * timeouts of web stacks (5 to 30 s) and the default deadlock and pooler
 * timeouts, so requests stuck behind the lock fail late or not at all
 * rather than in a cascade.
 */
static int	sddl_lock_hold_budget = 2000;

SddlHoldShared *sddl_hold_shared = NULL;

/* this backend's slot, or -1 */
static int	my_slot = -1;

/* the verdict reported by emit_log_hook, for the lock log */
static SddlHoldVerdict reported = SDDL_HOLD_OK;
static SddlHoldSlot reported_slot;

#ifdef SDDL_HAVE_SHMEM_REQUEST_HOOK
static shmem_request_hook_type prev_shmem_request_hook = NULL;
#endif
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;
static emit_log_hook_type prev_emit_log_hook = NULL;

static void sddl_hold_shmem_request(void);
static void sddl_hold_shmem_startup(void);
static void sddl_hold_emit_log(ErrorData *edata);
static void sddl_hold_release_slot(int code, Datum arg);

void
sddl_hold_define_gucs(void)
{
	DefineCustomIntVariable("safe_ddl.lock_hold_budget",
							"Longest wait of a session queued behind a lock that a migration transaction holds.",
							"When a transaction holds a lock that blocks the "
							"application, taken by a statement safe_ddl "
							"intercepted, and a session has waited for it "
							"longer than this, the transaction is ended: its "
							"running statement is canceled, or its session "
							"terminated if it is idle in transaction.  0 "
							"disables the budget.",
							&sddl_lock_hold_budget,
							2000,
							0, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
}

void
sddl_hold_budget_init(void)
{
#ifdef SDDL_HAVE_SHMEM_REQUEST_HOOK
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = sddl_hold_shmem_request;
#else
	sddl_hold_shmem_request();
#endif
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = sddl_hold_shmem_startup;
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = sddl_hold_emit_log;
	sddl_hold_monitor_register();
}

static void
sddl_hold_shmem_request(void)
{
#ifdef SDDL_HAVE_SHMEM_REQUEST_HOOK
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
#endif
	RequestAddinShmemSpace(MAXALIGN(sizeof(SddlHoldShared)));
}

static void
sddl_hold_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	sddl_hold_shared = ShmemInitStruct("safe_ddl lock holds",
									   sizeof(SddlHoldShared), &found);
	if (!found)
	{
		memset(sddl_hold_shared, 0, sizeof(SddlHoldShared));
		SpinLockInit(&sddl_hold_shared->mutex);
		for (int i = 0; i < SDDL_HOLD_SLOTS; i++)
			SpinLockInit(&sddl_hold_shared->slots[i].mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

/* Claim a free slot; -1 when all are taken. */
static int
sddl_hold_claim_slot(void)
{
	SddlHoldShared *shared = sddl_hold_shared;
	static bool exit_registered = false;
	int			found = -1;

	SpinLockAcquire(&shared->mutex);
	for (int i = 0; i < SDDL_HOLD_SLOTS && found < 0; i++)
	{
		SddlHoldSlot *slot = &shared->slots[i];

		SpinLockAcquire(&slot->mutex);
		if (slot->pid == 0)
		{
			slot->pid = MyProcPid;
			slot->nlocks = 0;
			slot->verdict = SDDL_HOLD_OK;
			found = i;
		}
		SpinLockRelease(&slot->mutex);
	}
	SpinLockRelease(&shared->mutex);
	if (found < 0)
		ereport(LOG,
				(errmsg("safe_ddl cannot watch this transaction's lock hold: all %d slots are in use",
						SDDL_HOLD_SLOTS)));
	else if (!exit_registered)
	{
		before_shmem_exit(sddl_hold_release_slot, (Datum) 0);
		exit_registered = true;
	}
	return found;
}

static void
sddl_hold_unpublish(void)
{
	SddlHoldSlot *slot;

	if (my_slot < 0 || sddl_hold_shared == NULL)
		return;
	slot = &sddl_hold_shared->slots[my_slot];
	SpinLockAcquire(&slot->mutex);
	slot->pid = 0;
	slot->nlocks = 0;
	slot->verdict = SDDL_HOLD_OK;
	SpinLockRelease(&slot->mutex);
	my_slot = -1;
}

static void
sddl_hold_release_slot(int code, Datum arg)
{
	sddl_hold_unpublish();
}

/*
 * Publish the held locks (the strongest first, as many as fit) and wake
 * the monitor.  A verdict already recorded stays.
 */
void
sddl_hold_changed(void)
{
	List	   *held = sddl_hold_list();
	SddlHoldSlot *slot;
	Latch	   *monitor;
	ListCell   *lc;
	int			n = 0;

	if (held == NIL || sddl_lock_hold_budget <= 0 || sddl_hold_shared == NULL)
	{
		sddl_hold_unpublish();
		return;
	}
	if (my_slot < 0 && (my_slot = sddl_hold_claim_slot()) < 0)
		return;

	slot = &sddl_hold_shared->slots[my_slot];
	SpinLockAcquire(&slot->mutex);
	slot->procno = SddlMyProcNumber();
	slot->dbid = MyDatabaseId;
	slot->budget_ms = sddl_lock_hold_budget;
	slot->since = ((SddlHeldLock *) linitial(held))->since;
	for (LOCKMODE mode = AccessExclusiveLock; mode > NoLock; mode--)
	{
		foreach(lc, held)
		{
			SddlHeldLock *h = (SddlHeldLock *) lfirst(lc);

			if (h->mode != mode || n >= SDDL_HOLD_LOCKS_PER_SLOT)
				continue;
			slot->relids[n] = h->relid;
			slot->modes[n] = h->mode;
			n++;
		}
	}
	slot->nlocks = n;
	SpinLockRelease(&slot->mutex);

	SpinLockAcquire(&sddl_hold_shared->mutex);
	monitor = sddl_hold_shared->monitor_latch;
	SpinLockRelease(&sddl_hold_shared->mutex);
	if (monitor != NULL)
		SetLatch(monitor);
}

/* A copy of this backend's slot if the monitor recorded a verdict in it. */
static bool
sddl_hold_my_verdict(SddlHoldSlot *copy)
{
	SddlHoldSlot *slot;

	if (my_slot < 0 || sddl_hold_shared == NULL)
		return false;
	slot = &sddl_hold_shared->slots[my_slot];
	SpinLockAcquire(&slot->mutex);
	memcpy(copy, slot, sizeof(SddlHoldSlot));
	SpinLockRelease(&slot->mutex);
	return copy->verdict != SDDL_HOLD_OK;
}

/* The held lock the waiters queued for, from the local list. */
static const SddlHeldLock *
sddl_hold_find_local(Oid relid)
{
	ListCell   *lc;

	foreach(lc, sddl_hold_list())
	{
		const SddlHeldLock *h = (const SddlHeldLock *) lfirst(lc);

		if (h->relid == relid)
			return h;
	}
	return NULL;
}

static double
sddl_ms_since(TimestampTz start, TimestampTz end)
{
	return (double) (end - start) / 1000.0;
}

/* The primary message of the ERROR / FATAL that ends the holder. */
static char *
sddl_hold_message(const SddlHoldSlot *v, const char *relname)
{
	if (v->verdict == SDDL_HOLD_TERMINATE)
		return psprintf("terminating connection because this transaction, idle, held a lock on table \"%s\" while other sessions waited longer than safe_ddl.lock_hold_budget",
						relname);
	return psprintf("canceling statement because this transaction held a lock on table \"%s\" while other sessions waited longer than safe_ddl.lock_hold_budget",
					relname);
}

/*
 * Replace the server's generic cancel / terminate message by the reason,
 * in place: the client and the server log both get it.  Runs in
 * ErrorContext.
 */
static void
sddl_hold_explain(ErrorData *edata, const SddlHoldSlot *v)
{
	const SddlHeldLock *h = sddl_hold_find_local(v->verdict_relid);
	const char *relname = h ? h->relname : "?";
	const char *statement = h ? h->statement : "?";
	double		held_ms = sddl_ms_since(h ? h->since : v->since, v->verdict_at);
	bool		idle = (v->verdict == SDDL_HOLD_TERMINATE);

	edata->message = sddl_hold_message(v, relname);
	/* idle: the SQLSTATE of idle_in_transaction_session_timeout */
	if (idle)
		edata->sqlerrcode = ERRCODE_IDLE_IN_TRANSACTION_SESSION_TIMEOUT;
	edata->detail = psprintf("This transaction held %s on table \"%s\" for %.0f ms, since \"%s\"; %d session%s waited for it, the oldest for %.0f ms (%.0f ms in all), more than safe_ddl.lock_hold_budget (%d ms). safe_ddl ended the %s so that they can proceed.",
							 sddl_lockmode_name(v->verdict_mode), relname,
							 held_ms, statement, v->waiters,
							 v->waiters == 1 ? "" : "s",
							 v->oldest_wait_ms, v->summed_wait_ms,
							 v->budget_ms,
							 idle ? "session" : "transaction");
	edata->hint = pstrdup("Commit the schema change at once, in its own transaction: run backfills, other DDL and slow work in later transactions, and do not keep a transaction open while the client computes.\n"
						  "Django: put the schema change and the data migration in separate migrations; the latter with atomic = False, batched.\n"
						  "Rails: separate migrations; the slow one with disable_ddl_transaction! and in_batches.\n"
						  "Alembic: separate revisions (transaction_per_migration=True), or op.get_context().autocommit_block() for the slow part.");
}

static void
sddl_hold_emit_log(ErrorData *edata)
{
	SddlHoldSlot v;

	if (my_slot >= 0 && edata->elevel >= ERROR &&
		(edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
		 edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN) &&
		sddl_hold_my_verdict(&v))
	{
		sddl_hold_explain(edata, &v);
		reported = v.verdict;
		memcpy(&reported_slot, &v, sizeof(v));
	}
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

/*
 * The transaction ends.  If the budget ended it, record that in the lock
 * log.  Runs in the transaction callback, possibly while the session
 * exits: sddl_log_event never raises an error, and with a sqlstate it
 * reads no catalog.
 */
void
sddl_hold_ending(bool aborted)
{
	SddlLogEvent event = {0};
	const SddlHeldLock *h;
	char	   *relations;
	TimestampTz now = GetCurrentTimestamp();

	if (!aborted || reported == SDDL_HOLD_OK)
	{
		/* a cancel caught by a savepoint: the transaction went on */
		reported = SDDL_HOLD_OK;
		return;
	}
	h = sddl_hold_find_local(reported_slot.verdict_relid);
	relations = h ? psprintf("%s:%s", h->relname,
							 sddl_lockmode_name(reported_slot.verdict_mode)) : NULL;
	/* no command of its own: the statement is the one that took the lock */
	event.statement = h ? h->statement : NULL;
	event.relations = relations;
	event.lock_mode = sddl_lockmode_name(reported_slot.verdict_mode);
	event.outcome = reported == SDDL_HOLD_TERMINATE ?
		"hold_terminated" : "hold_cancelled";
	/*
	 * duration: how long the lock was held; lock wait: the longest wait of
	 * the sessions queued behind it.  attempts stays 0: this row made no
	 * lock attempt (the exporter counts attempts - 1 as retries).  How many
	 * sessions waited, and their summed wait, are in error.
	 */
	event.duration_ms = sddl_ms_since(h ? h->since : reported_slot.since, now);
	event.lock_wait_ms = reported_slot.oldest_wait_ms;
	event.sqlstate = reported == SDDL_HOLD_TERMINATE ?
		unpack_sql_state(ERRCODE_IDLE_IN_TRANSACTION_SESSION_TIMEOUT) :
		unpack_sql_state(ERRCODE_QUERY_CANCELED);
	event.error = psprintf("%s: held %.0f ms, %d session%s waited, the oldest %.0f ms, %.0f ms in all; the budget is %d ms",
						   sddl_hold_message(&reported_slot,
											 h ? h->relname : "?"),
						   event.duration_ms, reported_slot.waiters,
						   reported_slot.waiters == 1 ? "" : "s",
						   reported_slot.oldest_wait_ms,
						   reported_slot.summed_wait_ms,
						   reported_slot.budget_ms);
	sddl_log_event(&event);
	reported = SDDL_HOLD_OK;
}
