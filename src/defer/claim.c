/*-------------------------------------------------------------------------
 *
 * claim.c
 *	  The worker's side of safe_ddl.deferred_queue: claiming an item,
 *	  recording how its attempt ended, and recovering the items a worker
 *	  that is gone left "running".
 *
 * Each step is a transaction of its own, committed before the build runs,
 * so that the queue shows the item "running" (with this worker's pid) while
 * it builds, and a terminated build leaves a trace the next worker finds.
 * The worker's search_path is pg_catalog, pg_temp (worker.c), so the
 * queries below resolve nothing in a user's schema.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/defer/claim.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "defer/worker_int.h"

/* First pause after a failed attempt; it doubles with each attempt. */
#define SDDL_DEFER_BACKOFF_BASE_S	10

/*
 * Items "running" under a pid that is no deferred-build worker of this
 * database any more.  There is one worker per database (this one), so any
 * other is gone; the pid check guards against a stray row.  They go back
 * to "queued", due now: the next attempt cleans up what the interrupted
 * one left (build.c) and counts against safe_ddl.defer_max_attempts.
 */
static const char *const sddl_recover_sql =
"UPDATE safe_ddl.deferred_queue q SET state = 'queued', "
"next_attempt_at = NULL, last_sqlstate = NULL, "
"last_error = 'the deferred-build worker (process ' || q.worker_pid || "
"') ended during the build' "
"WHERE q.state = 'running' AND NOT EXISTS (SELECT FROM pg_stat_activity a "
"WHERE a.pid = q.worker_pid AND a.pid <> pg_backend_pid() "
"AND a.backend_type = 'safe_ddl deferred build')";

static const char *const sddl_claim_sql =
"WITH c AS (SELECT id FROM safe_ddl.deferred_queue "
"WHERE state = 'queued' AND (next_attempt_at IS NULL "
"OR next_attempt_at <= clock_timestamp()) "
"ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) "
"UPDATE safe_ddl.deferred_queue q SET state = 'running', "
"worker_pid = pg_backend_pid(), started_at = clock_timestamp(), "
"finished_at = NULL, attempts = q.attempts + 1 "
"FROM c WHERE q.id = c.id "
"RETURNING q.id, q.kind, q.relid, q.object_name, q.statement, q.attempts, "
"q.search_path";

static const char *const sddl_pending_sql =
"SELECT count(*)::int4, min(next_attempt_at) FROM safe_ddl.deferred_queue "
"WHERE state IN ('queued', 'running')";

static const char *const sddl_finish_sql =
"UPDATE safe_ddl.deferred_queue SET state = $2, finished_at = "
"CASE WHEN $2 = 'queued' THEN NULL ELSE clock_timestamp() END, "
"next_attempt_at = $3, last_sqlstate = $4, last_error = $5 "
"WHERE id = $1 AND state = 'running' AND worker_pid = pg_backend_pid()";

/*
 * A build that wait.c cancelled because it waited for the snapshot of the
 * waiting session: queued again, due now, and the attempt given back (no
 * fault of the build's).
 */
static const char *const sddl_restart_sql =
"UPDATE safe_ddl.deferred_queue SET state = 'queued', finished_at = NULL, "
"next_attempt_at = NULL, attempts = attempts - 1, last_sqlstate = NULL, "
"last_error = 'restarted: its last phase waited for a session in "
"safe_ddl.wait_deferred()' "
"WHERE id = $1 AND state = 'running' AND worker_pid = pg_backend_pid()";

/* The memory context to return to once a queue transaction ends. */
static MemoryContext sddl_queue_outer = NULL;

/* Start a transaction for the queue, with a snapshot and SPI. */
static void
sddl_queue_begin(const char *activity)
{
	sddl_queue_outer = CurrentMemoryContext;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, activity);
}

static void
sddl_queue_end(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	MemoryContextSwitchTo(sddl_queue_outer);
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/*
 * Is safe_ddl (0.3 or later) installed in this database?  The worker of a
 * database without it (a sweep looks at every one) has nothing to do.
 */
bool
sddl_worker_queue_exists(void)
{
	bool		exists;
	Oid			nsp;

	MemoryContext outer = CurrentMemoryContext;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	nsp = get_namespace_oid("safe_ddl", true);
	exists = OidIsValid(nsp) &&
		OidIsValid(get_extension_oid("safe_ddl", true)) &&
		OidIsValid(get_relname_relid("deferred_queue", nsp));
	CommitTransactionCommand();
	MemoryContextSwitchTo(outer);
	return exists;
}

int
sddl_defer_recover_stale(void)
{
	int			n;

	sddl_queue_begin("safe_ddl: recovering interrupted deferred builds");
	if (SPI_execute(sddl_recover_sql, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not recover interrupted deferred builds");
	n = (int) SPI_processed;
	if (n > 0)
		ereport(LOG,
				(errmsg("safe_ddl found %d deferred builds interrupted by the end of their worker",
						n),
				 errdetail("They are cleaned up and retried.")));
	sddl_queue_end();
	return n;
}

/*
 * Claim the next item due: it is "running" once this returns (committed).
 * NULL when none is due; then *pending counts the items still queued or
 * running (not due yet, or locked by someone) and *next_at is when the
 * first is due (0 if unknown).
 */
SddlDeferItem *
sddl_defer_claim(int *pending, TimestampTz *next_at)
{
	MemoryContext outer = CurrentMemoryContext;
	SddlDeferItem *item = NULL;
	bool		isnull;

	*pending = 0;
	*next_at = 0;
	sddl_queue_begin("safe_ddl: claiming a deferred build");
	if (SPI_execute(sddl_claim_sql, false, 0) != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "could not claim a deferred build");
	if (SPI_processed > 0)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext old = MemoryContextSwitchTo(outer);

		item = palloc0(sizeof(SddlDeferItem));
		item->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		item->kind = SPI_getvalue(tup, desc, 2);
		item->relid = DatumGetObjectId(SPI_getbinval(tup, desc, 3, &isnull));
		item->object_name = SPI_getvalue(tup, desc, 4);
		item->statement = SPI_getvalue(tup, desc, 5);
		item->attempts = DatumGetInt32(SPI_getbinval(tup, desc, 6, &isnull));
		item->search_path = SPI_getvalue(tup, desc, 7);
		MemoryContextSwitchTo(old);
	}
	else
	{
		HeapTuple	tup;
		Datum		d;

		if (SPI_execute(sddl_pending_sql, true, 0) != SPI_OK_SELECT ||
			SPI_processed != 1)
			elog(ERROR, "could not count pending deferred builds");
		tup = SPI_tuptable->vals[0];
		*pending = DatumGetInt32(SPI_getbinval(tup, SPI_tuptable->tupdesc, 1,
											   &isnull));
		d = SPI_getbinval(tup, SPI_tuptable->tupdesc, 2, &isnull);
		if (!isnull)
			*next_at = DatumGetTimestampTz(d);
	}
	sddl_queue_end();
	return item;
}

/*
 * Record how the attempt ended: done; failed (a permanent error, or the
 * last attempt); or queued again with the next attempt after an
 * exponential backoff.
 */
void
sddl_defer_finish(const SddlDeferItem *item, const SddlDeferOutcome *outcome)
{
	Oid			argtypes[5] = {INT8OID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID};
	Datum		args[5];
	char		nulls[5] = {' ', ' ', 'n', 'n', 'n'};
	const char *state;

	if (outcome->restart)
	{
		argtypes[0] = INT8OID;
		args[0] = Int64GetDatum(item->id);
		sddl_queue_begin("safe_ddl: recording a deferred build");
		if (SPI_execute_with_args(sddl_restart_sql, 1, argtypes, args, NULL,
								  false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "could not requeue deferred build %lld",
				 (long long) item->id);
		sddl_queue_end();
		ereport(LOG,
				(errmsg("safe_ddl deferred build %lld restarted: it waited for a session in safe_ddl.wait_deferred()",
						(long long) item->id),
				 errdetail("Statement: %s", item->statement)));
		return;
	}
	if (outcome->ok)
		state = "done";
	else if (outcome->permanent || item->attempts >= sddl_defer_max_attempts)
		state = "failed";
	else
	{
		double		backoff = SDDL_DEFER_BACKOFF_BASE_S;

		for (int i = 1; i < item->attempts && backoff < sddl_defer_retry_max_backoff; i++)
			backoff *= 2;
		backoff = Min(backoff, (double) sddl_defer_retry_max_backoff);
		state = "queued";
		args[2] = TimestampTzGetDatum(TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
																  (int64) (backoff * 1000)));
		nulls[2] = ' ';
	}
	args[0] = Int64GetDatum(item->id);
	args[1] = CStringGetTextDatum(state);
	if (!outcome->ok)
	{
		if (outcome->sqlstate)
		{
			args[3] = CStringGetTextDatum(outcome->sqlstate);
			nulls[3] = ' ';
		}
		if (outcome->error)
		{
			args[4] = CStringGetTextDatum(outcome->error);
			nulls[4] = ' ';
		}
	}

	sddl_queue_begin("safe_ddl: recording a deferred build");
	if (SPI_execute_with_args(sddl_finish_sql, 5, argtypes, args, nulls,
							  false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not record the outcome of deferred build %lld",
			 (long long) item->id);
	sddl_queue_end();

	if (!outcome->ok)
		ereport(LOG,
				(errmsg("safe_ddl deferred build %lld %s: %s",
						(long long) item->id,
						strcmp(state, "failed") == 0 ? "failed" :
						"will be retried",
						outcome->error ? outcome->error : "unknown error"),
				 errdetail("Statement: %s", item->statement)));
}
