/*-------------------------------------------------------------------------
 *
 * log_worker.c
 *	  The lock log's background worker: drains the shared memory ring of
 *	  log_shmem.h into safe_ddl.lock_log.
 *
 * One worker per cluster, connected to safe_ddl.database as the bootstrap
 * superuser.  It wakes every safe_ddl.log_flush_interval (or earlier when a
 * backend finds the ring half full), and inserts everything buffered with
 * SPI, one transaction per batch, with synchronous_commit local: a batch
 * leaves the ring only once its rows are on disk, and the deploy that
 * produced them never waits for them.  After a crash, what the ring held
 * comes back from log_persist.c.
 *
 * - Not yet installed: while safe_ddl.lock_log does not exist in
 *   safe_ddl.database, events stay buffered (the ring is bounded; beyond it
 *   they are counted as dropped) and the worker checks again at each wake.
 * - A batch refused for a data or integrity error is retried row by row; a
 *   row that still fails is retried with its blockers (JSON text from the
 *   executor) stored as a JSON string, and then dropped and counted, so
 *   that one bad event never blocks the others.  (relations is built here,
 *   always valid.)  Any other failure (the table locked by someone for
 *   longer than the writer's lock_timeout, a cancel) keeps the rows and
 *   retries 5 s later.
 * - SIGTERM (server shutdown, pg_terminate_backend): write everything
 *   buffered, then exit.  The postmaster restarts the worker after
 *   bgw_restart_time when it exits while the server keeps running, and after
 *   a crash.
 * - Hot standby: the worker is registered to start only once recovery has
 *   finished, so on a standby it does not run (and standbys intercept no
 *   DDL).  After promotion it starts.
 * - Retention: with safe_ddl.log_retention > 0 the worker deletes older
 *   rows when it starts, when the setting changes, and then hourly.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/log/log_worker.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/sinval.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "log/log_shmem.h"
#include "safe_ddl.h"


/* How often retention runs */
#define SDDL_LOG_PURGE_INTERVAL_MS	(3600 * 1000)

/* How often the rewrite journal is checked for interrupted rewrites */
#define SDDL_LOG_RECOVER_INTERVAL_MS	(5 * 1000)

/* Pause after a write that failed for a reason other than its rows */
#define SDDL_LOG_RETRY_MS	5000

typedef enum SddlWriteResult
{
	SDDL_WRITE_OK,
	SDDL_WRITE_NO_TABLE,		/* the extension is not installed (yet) */
	SDDL_WRITE_BAD_ROW,			/* a row was refused (data or constraint
								 * error): find it, drop it */
	SDDL_WRITE_RETRY			/* anything else (lock timeout, cancel, ...):
								 * keep the rows, try again later */
} SddlWriteResult;

/*
 * One INSERT per batch: the columns arrive as arrays, one element per
 * event, so the executor starts once per batch rather than once per row.
 * $19 says, per event, to store blockers as a JSON string (it was truncated,
 * or is being retried after a data error) rather than parse it.  $20 marks
 * an event recovered after a crash (log_persist.c): it is skipped when the
 * row is already there, its (pid, logged_at) naming it.
 */
#define SDDL_LOG_INSERT_SQL \
"INSERT INTO safe_ddl.lock_log (logged_at, database, username, " \
"application_name, pid, command, statement, relations, lock_mode, " \
"lock_wait_ms, attempts, duration_ms, outcome, rule, rewritten_to, " \
"blockers, sqlstate, error) " \
"SELECT c1, c2, c3, c4, c5, c6, c7, c8::pg_catalog.jsonb, c9, c10, c11, " \
"c12, c13, c14, c15, " \
"CASE WHEN c19 THEN pg_catalog.to_jsonb(c16) " \
"ELSE c16::pg_catalog.jsonb END, c17, c18 " \
"FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), " \
"pg_catalog.unnest($3), pg_catalog.unnest($4), pg_catalog.unnest($5), " \
"pg_catalog.unnest($6), pg_catalog.unnest($7), pg_catalog.unnest($8), " \
"pg_catalog.unnest($9), pg_catalog.unnest($10), pg_catalog.unnest($11), " \
"pg_catalog.unnest($12), pg_catalog.unnest($13), pg_catalog.unnest($14), " \
"pg_catalog.unnest($15), pg_catalog.unnest($16), pg_catalog.unnest($17), " \
"pg_catalog.unnest($18), pg_catalog.unnest($19), pg_catalog.unnest($20)) " \
"AS u(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, " \
"c16, c17, c18, c19, c20)"

static const char *const sddl_log_insert_sql = SDDL_LOG_INSERT_SQL;

/* Only for a batch holding recovered events (after a crash): one look-up
 * per event, in the block range of its logged_at (BRIN index) */
static const char *const sddl_log_insert_recovered_sql = SDDL_LOG_INSERT_SQL
" WHERE NOT (c20 AND EXISTS (SELECT FROM safe_ddl.lock_log l "
"WHERE l.logged_at OPERATOR(pg_catalog.=) u.c1 "
"AND l.pid OPERATOR(pg_catalog.=) u.c5 OFFSET 0))";

#define SDDL_LOG_NCOLS	(SDDL_LOG_NPARAMS + 2)

/* element type of each parameter array */
static const Oid sddl_log_coltypes[SDDL_LOG_NCOLS] = {
	TIMESTAMPTZOID, TEXTOID, TEXTOID, TEXTOID, INT4OID, TEXTOID, TEXTOID,
	TEXTOID, TEXTOID, FLOAT8OID, INT4OID, FLOAT8OID, TEXTOID, TEXTOID,
	TEXTOID, TEXTOID, TEXTOID, TEXTOID, BOOLOID, BOOLOID
};

static MemoryContext sddl_log_worker_cxt = NULL;

/*
 * Register the worker.  Called from _PG_init under
 * process_shared_preload_libraries_in_progress.
 */
void
sddl_log_register_worker(void)
{
	sddl_register_worker("sddl_log_worker_main", "safe_ddl log writer",
						 BGWORKER_SHMEM_ACCESS |
						 BGWORKER_BACKEND_DATABASE_CONNECTION);
}

/* On exit, stop backends from setting a latch that is no longer ours. */
static void
sddl_log_worker_detach(int code, Datum arg)
{
	SddlLogShared *shared = sddl_log_shared;

	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	if (shared->worker_pid == MyProcPid)
	{
		shared->worker_latch = NULL;
		shared->worker_pid = 0;
	}
	LWLockRelease(shared->lock);
}

/*
 * Insert the records [from, from + n) with one SPI statement: the path for
 * the cases the direct insert of log_insert.c leaves out.
 */
static int
sddl_log_insert_spi(uint64 from, int n, bool sanitize, bool any_recovered)
{
	SddlLogShared *shared = sddl_log_shared;
	Datum	   *cols[SDDL_LOG_NCOLS];
	bool	   *nulls[SDDL_LOG_NCOLS];
	Datum		args[SDDL_LOG_NCOLS];
	Oid			argtypes[SDDL_LOG_NCOLS];
	Datum		values[SDDL_LOG_NPARAMS];
	bool		isnull[SDDL_LOG_NPARAMS];
	int			c;
	int			i;
	int			ret;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	for (c = 0; c < SDDL_LOG_NCOLS; c++)
	{
		cols[c] = palloc(sizeof(Datum) * n);
		nulls[c] = palloc0(sizeof(bool) * n);
	}
	for (i = 0; i < n; i++)
	{
		SddlLogRecord *rec = sddl_log_slot(shared, from + i);

		sddl_log_record_values(rec, sanitize, false, values, isnull);
		for (c = 0; c < SDDL_LOG_NPARAMS; c++)
		{
			cols[c][i] = values[c];
			nulls[c][i] = isnull[c];
		}
		/* truncated blockers are no longer JSON: store a string */
		cols[18][i] = BoolGetDatum(sanitize ||
								   (rec->flags & SDDL_LOG_BLOCKERS_TRUNCATED) != 0);
		cols[19][i] = BoolGetDatum((rec->flags & SDDL_LOG_RECOVERED) != 0);
	}
	for (c = 0; c < SDDL_LOG_NCOLS; c++)
	{
		Oid			elemtype = sddl_log_coltypes[c];
		int16		typlen;
		bool		typbyval;
		char		typalign;
		int			dims[1];
		int			lbs[1];

		get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
		dims[0] = n;
		lbs[0] = 1;
		args[c] = PointerGetDatum(construct_md_array(cols[c], nulls[c], 1, dims,
													 lbs, elemtype, typlen,
													 typbyval, typalign));
		argtypes[c] = get_array_type(elemtype);
	}

	ret = SPI_execute_with_args(any_recovered ?
								sddl_log_insert_recovered_sql :
								sddl_log_insert_sql,
								SDDL_LOG_NCOLS, argtypes, args, NULL, false, 0);
	if (ret != SPI_OK_INSERT || SPI_processed > (uint64) n)
		elog(ERROR, "could not insert into safe_ddl.lock_log: %s",
			 SPI_result_code_string(ret));
	ret = (int) SPI_processed;
	SPI_finish();
	return ret;
}

/*
 * The OID of safe_ddl.lock_log, locked for the insert, or InvalidOid when
 * the extension is not installed in this database.  The table found last is
 * tried first, by OID (dropping the extension drops it): after a burst of
 * DDL has reset the writer's caches, looking the schema, the extension and
 * the table up by name costs as much as inserting a dozen rows.
 */
static Oid
sddl_log_table_oid(void)
{
	static Oid	relid = InvalidOid;
	static Oid	nspid = InvalidOid;

	if (OidIsValid(relid))
	{
		Relation	rel = try_table_open(relid, RowExclusiveLock);

		if (rel != NULL)
		{
			bool		same = rel->rd_rel->relnamespace == nspid &&
				strcmp(RelationGetRelationName(rel), "lock_log") == 0;

			/* keep the lock till commit if it is the table */
			table_close(rel, same ? NoLock : RowExclusiveLock);
			if (same)
				return relid;
		}
	}
	relid = InvalidOid;
	nspid = get_namespace_oid("safe_ddl", true);
	if (OidIsValid(nspid) && OidIsValid(get_extension_oid("safe_ddl", true)))
		relid = get_relname_relid("lock_log", nspid);
	return relid;
}

/*
 * Insert the records [from, from + n) of the ring in one transaction;
 * *inserted says how many rows that made (recovered events already in the
 * table are not inserted again).  sanitize stores blockers as a JSON string
 * and replaces characters that do not convert to this database's encoding.
 * Errors are reported to the server log and classified: a data or
 * integrity error blames a row, anything else (the table locked by
 * someone, a cancel) is worth a retry.
 */
static SddlWriteResult
sddl_log_write(uint64 from, int n, bool sanitize, int *inserted)
{
	SddlLogShared *shared = sddl_log_shared;
	volatile SddlWriteResult result = SDDL_WRITE_OK;

	*inserted = 0;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		Oid			relid = sddl_log_table_oid();

		if (!OidIsValid(relid))
			result = SDDL_WRITE_NO_TABLE;
		else
		{
			bool		any_recovered = false;
			int			i;

			for (i = 0; i < n; i++)
				if (sddl_log_slot(shared, from + i)->flags & SDDL_LOG_RECOVERED)
					any_recovered = true;

			PushActiveSnapshot(GetTransactionSnapshot());
			pgstat_report_activity(STATE_RUNNING, "writing safe_ddl.lock_log");
			/* the common case directly; recovered or sanitized rows by SQL */
			*inserted = -1;
			if (!sanitize && !any_recovered)
				*inserted = sddl_log_insert_direct(relid, from, n);
			if (*inserted < 0)
				*inserted = sddl_log_insert_spi(from, n, sanitize,
												any_recovered);
			PopActiveSnapshot();
		}
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		int			category;

		MemoryContextSwitchTo(sddl_log_worker_cxt);
		HOLD_INTERRUPTS();
		edata = CopyErrorData();
		EmitErrorReport();
		AbortCurrentTransaction();
		FlushErrorState();
		RESUME_INTERRUPTS();
		*inserted = 0;
		category = ERRCODE_TO_CATEGORY(edata->sqlerrcode);
		if (category == ERRCODE_DATA_EXCEPTION ||
			category == ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION)
			result = SDDL_WRITE_BAD_ROW;
		else
			result = SDDL_WRITE_RETRY;
		FreeErrorData(edata);
	}
	PG_END_TRY();

	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
	return result;
}

/*
 * Write everything buffered.  Returns SDDL_WRITE_OK when the ring is empty;
 * SDDL_WRITE_NO_TABLE or SDDL_WRITE_RETRY when the rest must wait (it stays
 * buffered).
 */
static SddlWriteResult
sddl_log_flush(void)
{
	SddlLogShared *shared = sddl_log_shared;

	for (;;)
	{
		uint64		tail;
		int			n;
		int			written = 0;
		int			lost = 0;
		int			inserted;
		SddlWriteResult res;

		LWLockAcquire(shared->lock, LW_SHARED);
		tail = shared->tail;
		n = (int) Min(shared->head - tail, (uint64) shared->nslots);
		LWLockRelease(shared->lock);
		if (n == 0)
			return SDDL_WRITE_OK;

		res = sddl_log_write(tail, n, false, &inserted);
		written = inserted;
		if (res == SDDL_WRITE_NO_TABLE)
		{
			LWLockAcquire(shared->lock, LW_EXCLUSIVE);
			shared->extension_missing = true;
			LWLockRelease(shared->lock);
			return res;
		}
		if (res == SDDL_WRITE_RETRY)
			return res;
		if (res == SDDL_WRITE_BAD_ROW)
		{
			int			i;

			/* find the bad rows: one transaction per row */
			for (i = 0; i < n; i++)
			{
				res = sddl_log_write(tail + i, 1, false, &inserted);
				if (res == SDDL_WRITE_BAD_ROW)
					res = sddl_log_write(tail + i, 1, true, &inserted);
				if (res == SDDL_WRITE_NO_TABLE || res == SDDL_WRITE_RETRY)
					break;		/* not this row's fault: keep the rest */
				if (res == SDDL_WRITE_BAD_ROW)
					lost++;
				written += inserted;
			}
			if (i < n)
			{
				n = i;
				if (n == 0)
					return res;
			}
			if (lost > 0)
				ereport(LOG,
						(errmsg("safe_ddl could not write %d lock log events", lost)));
		}
		LWLockAcquire(shared->lock, LW_EXCLUSIVE);
		shared->tail += n;
		shared->written += written;
		shared->dropped += lost;
		shared->extension_missing = false;
		shared->last_flush = GetCurrentTimestamp();
		LWLockRelease(shared->lock);

		MemoryContextReset(sddl_log_worker_cxt);
	}
}

/*
 * Run one of the writer's maintenance tasks in a transaction of its own,
 * reporting activity while it runs.  A failure is reported in the server
 * log and the task is tried again at its next turn.
 */
static void
sddl_log_maintain(const char *activity, void (*task) (void))
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, activity);
		task();
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(sddl_log_worker_cxt);
		HOLD_INTERRUPTS();
		EmitErrorReport();
		AbortCurrentTransaction();
		FlushErrorState();
		RESUME_INTERRUPTS();
	}
	PG_END_TRY();
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/*
 * Delete the rows older than safe_ddl.log_retention.
 */
static void
sddl_log_purge(void)
{
	Oid			nsp = get_namespace_oid("safe_ddl", true);
	Datum		arg = Int32GetDatum(sddl_log_retention);
	Oid			argtype = INT4OID;

	if (!OidIsValid(nsp) || !OidIsValid(get_relname_relid("lock_log", nsp)))
		return;
	if (SPI_execute_with_args("DELETE FROM safe_ddl.lock_log WHERE "
							  "logged_at OPERATOR(pg_catalog.<) "
							  "(pg_catalog.now() OPERATOR(pg_catalog.-) "
							  "pg_catalog.make_interval(mins => $1))",
							  1, &argtype, &arg, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not purge safe_ddl.lock_log");
	if (SPI_processed > 0)
		ereport(LOG,
				(errmsg("safe_ddl purged %llu lock log rows",
						(unsigned long long) SPI_processed)));
}

/*
 * Remove what interrupted rewrites left behind (the rewrite journal,
 * exec/journal.c): safe_ddl.recover_rewrites() finds the journal rows whose
 * backend has ended, drops the INVALID index or orphan constraint each
 * names, and logs the interrupted statement if its backend could not (a
 * SIGKILL, a crash).  Run after the ring is flushed, so that the rows of
 * statements logged as "terminated" on their way out are in the table when
 * it looks for them.  Absent function (an older version of the extension):
 * nothing to do.
 */
static void
sddl_log_recover_rewrites(void)
{
	List	   *name = list_make1(makeString("safe_ddl"));

	name = lappend(name, makeString("recover_rewrites"));
	if (!OidIsValid(LookupFuncName(name, 0, NULL, true)))
		return;
	if (SPI_execute("SELECT safe_ddl.recover_rewrites()", false, 1)
		!= SPI_OK_SELECT)
		elog(ERROR, "could not run safe_ddl.recover_rewrites()");
}

/*
 * Sleep until timeout_ms have passed, the ring is half full (a backend sets
 * the latch then), or a reload or shutdown is requested.  Other wake-ups of
 * the latch (the invalidation catch-up signal a burst of DDL sends, for
 * one) do not start a batch: each batch has a fixed cost (a transaction,
 * opening the table and its indexes), so fewer, larger batches cost less
 * per event.
 */
static void
sddl_log_wait(long timeout_ms)
{
	SddlLogShared *shared = sddl_log_shared;
	TimestampTz start = GetCurrentTimestamp();

	for (;;)
	{
		long		remaining;
		int			rc;
		bool		half_full;

		remaining = timeout_ms -
			TimestampDifferenceMilliseconds(start, GetCurrentTimestamp());
		if (remaining <= 0)
			return;
		rc = WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					   remaining, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();

		/*
		 * The catch-up signal: the shared invalidation queue is filling up
		 * (a burst of DDL) and this worker is the furthest behind.  Read the
		 * messages now, each a hash probe of caches that hold little; left
		 * unread, the queue overflows, the worker's caches are reset, and
		 * the next batch rebuilds the table's and its indexes' descriptors
		 * from the catalogs, which cost more than the batch's rows.
		 */
		if (catchupInterruptPending)
			ProcessCatchupInterrupt();
		if ((rc & WL_TIMEOUT) || ShutdownRequestPending || ConfigReloadPending)
			return;
		LWLockAcquire(shared->lock, LW_SHARED);
		half_full = shared->head - shared->tail >= (uint64) shared->nslots / 2;
		LWLockRelease(shared->lock);
		if (half_full)
			return;
	}
}

/*
 * The worker's main function.
 */
void
sddl_log_worker_main(Datum main_arg)
{
	SddlLogShared *shared = sddl_log_shared;
	TimestampTz last_purge = 0;
	TimestampTz last_recover = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();

	if (shared == NULL)
		proc_exit(1);

	BackgroundWorkerInitializeConnection(sddl_log_database, NULL, 0);
	pgstat_report_appname("safe_ddl log writer");

	/*
	 * The worker's own transactions: never wait for a standby, never run
	 * read-only because of a database default, and never hang on a lock
	 * (someone altering the table) in a way that would hold up shutdown.
	 * The commit does wait for the local WAL flush: the worker releases the
	 * slots of a batch once it is committed, and a row committed
	 * asynchronously and lost in a crash would be lost with nothing
	 * counting it.  One flush per batch, in the worker, never in a deploy.
	 */
	SetConfigOption("synchronous_commit", "local", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("default_transaction_read_only", "off", PGC_SUSET,
					PGC_S_OVERRIDE);
	SetConfigOption("lock_timeout", "5s", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("statement_timeout", "60s", PGC_SUSET, PGC_S_OVERRIDE);

	sddl_log_worker_cxt = AllocSetContextCreate(TopMemoryContext,
												"safe_ddl log writer",
												ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(sddl_log_worker_cxt);

	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	shared->worker_latch = MyLatch;
	shared->worker_pid = MyProcPid;
	LWLockRelease(shared->lock);
	before_shmem_exit(sddl_log_worker_detach, (Datum) 0);

	for (;;)
	{
		bool		shutting_down = ShutdownRequestPending;
		SddlWriteResult res;
		long		timeout = sddl_log_flush_interval;
		int			retries;

		if (ConfigReloadPending)
		{
			int			old_retention = sddl_log_retention;

			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			/* a new retention applies at once */
			if (sddl_log_retention != old_retention)
				last_purge = 0;
		}

		res = sddl_log_flush();

		/* the table locked by someone, say: a few quick retries at shutdown */
		for (retries = 0; shutting_down && res == SDDL_WRITE_RETRY && retries < 10;
			 retries++)
		{
			pg_usleep(200 * 1000L);
			res = sddl_log_flush();
		}

		if (res == SDDL_WRITE_OK && sddl_log_retention > 0 &&
			TimestampDifferenceExceeds(last_purge, GetCurrentTimestamp(),
									   SDDL_LOG_PURGE_INTERVAL_MS))
		{
			sddl_log_maintain("purging safe_ddl.lock_log", sddl_log_purge);
			last_purge = GetCurrentTimestamp();
		}

		if (res == SDDL_WRITE_OK && !shutting_down &&
			TimestampDifferenceExceeds(last_recover, GetCurrentTimestamp(),
									   SDDL_LOG_RECOVER_INTERVAL_MS))
		{
			sddl_log_maintain("recovering interrupted safe_ddl rewrites",
							  sddl_log_recover_rewrites);
			last_recover = GetCurrentTimestamp();
		}

		if (shutting_down)
		{
			uint64		left;

			LWLockAcquire(shared->lock, LW_SHARED);
			left = shared->head - shared->tail;
			LWLockRelease(shared->lock);
			if (res == SDDL_WRITE_NO_TABLE && left > 0)
				ereport(LOG,
						(errmsg("safe_ddl lock log: %llu events could not be written before shutdown",
								(unsigned long long) left),
						 errdetail("The table safe_ddl.lock_log does not exist in database \"%s\".",
								   sddl_log_database)));
			else if (left > 0)
				ereport(LOG,
						(errmsg("safe_ddl lock log: %llu events could not be written before shutdown",
								(unsigned long long) left)));
			/* exit code 1: restarted if the server is not shutting down */
			proc_exit(1);
		}

		/* after a failure, do not fill the server log every interval */
		if (res == SDDL_WRITE_RETRY)
			timeout = Max(timeout, SDDL_LOG_RETRY_MS);
		sddl_log_wait(timeout);
	}
}
