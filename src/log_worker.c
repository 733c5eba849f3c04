/*-------------------------------------------------------------------------
 *
 * log_worker.c
 *	  The lock log's background worker: drains the shared memory ring of
 *	  log_shmem.h into safe_ddl.lock_log.
 *
 * One worker per cluster, connected to safe_ddl.database as the bootstrap
 * superuser.  It wakes every safe_ddl.log_flush_interval (or earlier when a
 * backend finds the ring half full), and inserts everything buffered with
 * SPI, one transaction per batch, with synchronous_commit off: the rows are
 * as durable as any asynchronously committed row, and the deploy that
 * produced them never waits for them.
 *
 * - Not yet installed: while safe_ddl.lock_log does not exist in
 *   safe_ddl.database, events stay buffered (the ring is bounded; beyond it
 *   they are counted as dropped) and the worker checks again at each wake.
 * - A batch that cannot be inserted is retried row by row; a row that still
 *   fails is retried with its JSON fields stored as JSON strings, and then
 *   dropped and counted, so that one bad event never blocks the others.
 * - SIGTERM (server shutdown, pg_terminate_backend): write everything
 *   buffered, then exit.  The postmaster restarts the worker after
 *   bgw_restart_time when it exits while the server keeps running, and after
 *   a crash.
 * - Hot standby: the worker is registered to start only once recovery has
 *   finished, so on a standby it does not run (and standbys intercept no
 *   DDL).  After promotion it starts.
 * - Retention: with safe_ddl.log_retention > 0 the worker deletes older
 *   rows, at most once an hour.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/log_worker.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "log_shmem.h"

#define SDDL_LOG_NPARAMS	18

/* How often retention runs */
#define SDDL_LOG_PURGE_INTERVAL_MS	(3600 * 1000)

/* Seconds before the postmaster restarts a worker that exited */
#define SDDL_LOG_RESTART_SECONDS	5

typedef enum SddlWriteResult
{
	SDDL_WRITE_OK,
	SDDL_WRITE_NO_TABLE,		/* the extension is not installed (yet) */
	SDDL_WRITE_FAILED
} SddlWriteResult;

static const char *const sddl_log_insert_sql[2] = {
	/* normal: blockers is JSON text */
	"INSERT INTO safe_ddl.lock_log (logged_at, database, username, "
	"application_name, pid, command, statement, relations, lock_mode, "
	"lock_wait_ms, attempts, duration_ms, outcome, rule, rewritten_to, "
	"blockers, sqlstate, error) VALUES ($1, $2, $3, $4, $5, $6, $7, "
	"$8::pg_catalog.jsonb, $9, $10, $11, $12, $13, $14, $15, "
	"$16::pg_catalog.jsonb, $17, $18)",
	/* sanitized: JSON fields stored as JSON strings */
	"INSERT INTO safe_ddl.lock_log (logged_at, database, username, "
	"application_name, pid, command, statement, relations, lock_mode, "
	"lock_wait_ms, attempts, duration_ms, outcome, rule, rewritten_to, "
	"blockers, sqlstate, error) VALUES ($1, $2, $3, $4, $5, $6, $7, "
	"pg_catalog.to_jsonb($8::pg_catalog.text), $9, $10, $11, $12, $13, $14, "
	"$15, pg_catalog.to_jsonb($16::pg_catalog.text), $17, $18)"
};

static const Oid sddl_log_argtypes[SDDL_LOG_NPARAMS] = {
	TIMESTAMPTZOID, TEXTOID, TEXTOID, TEXTOID, INT4OID, TEXTOID, TEXTOID,
	TEXTOID, TEXTOID, FLOAT8OID, INT4OID, FLOAT8OID, TEXTOID, TEXTOID,
	TEXTOID, TEXTOID, TEXTOID, TEXTOID
};

static MemoryContext sddl_log_worker_cxt = NULL;

/*
 * Register the worker.  Called from _PG_init under
 * process_shared_preload_libraries_in_progress.
 */
void
sddl_log_register_worker(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = SDDL_LOG_RESTART_SECONDS;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "safe_ddl");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "sddl_log_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "safe_ddl log writer");
	snprintf(worker.bgw_type, BGW_MAXLEN, "safe_ddl log writer");
	worker.bgw_main_arg = (Datum) 0;
	worker.bgw_notify_pid = 0;
	RegisterBackgroundWorker(&worker);
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
 * The relations of an event, "schema.rel:LockMode" items separated by
 * commas, as a JSON array of {"relation": ..., "lock_mode": ...}.  A comma
 * or colon inside a double-quoted identifier does not split.
 */
static char *
sddl_log_relations_json(const char *list)
{
	StringInfoData buf;
	const char *p = list;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	while (*p != '\0')
	{
		const char *start;
		const char *end;
		const char *colon = NULL;
		bool		quoted = false;
		char	   *rel;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		start = p;
		for (; *p != '\0' && (quoted || *p != ','); p++)
		{
			if (*p == '"')
				quoted = !quoted;
			else if (*p == ':' && !quoted)
				colon = p;
		}
		end = p;
		while (end > start && end[-1] == ' ')
			end--;

		if (!first)
			appendStringInfoString(&buf, ", ");
		first = false;
		rel = pnstrdup(start, (colon ? colon : end) - start);
		appendStringInfoString(&buf, "{\"relation\": ");
		escape_json(&buf, rel);
		if (colon != NULL)
		{
			char	   *mode = pnstrdup(colon + 1, end - colon - 1);

			appendStringInfoString(&buf, ", \"lock_mode\": ");
			escape_json(&buf, mode);
		}
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/*
 * A name the backend could not look up safely, from its OID (pg_database
 * and pg_authid are shared catalogs: any database sees them).
 */
static const char *
sddl_log_resolve(const char *name, Oid oid, bool is_role)
{
	char	   *found;

	if (name[0] != '\0' || !OidIsValid(oid))
		return name;
	found = is_role ? GetUserNameFromId(oid, true) : get_database_name(oid);
	return found ? found : psprintf("%u", oid);
}

static Datum
sddl_log_text(const char *s, uint32 flags, uint32 flag, char *nulls, int i)
{
	if (flag != 0 && (flags & flag) == 0)
	{
		nulls[i] = 'n';
		return (Datum) 0;
	}
	return CStringGetTextDatum(s);
}

/*
 * Insert the records [from, from + n) of the ring in one transaction.
 * sanitize stores the JSON fields as JSON strings.  Errors are reported to
 * the server log and turned into SDDL_WRITE_FAILED.
 */
static SddlWriteResult
sddl_log_write(uint64 from, int n, bool sanitize)
{
	SddlLogShared *shared = sddl_log_shared;
	volatile SddlWriteResult result = SDDL_WRITE_OK;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		Oid			nsp;

		nsp = get_namespace_oid("safe_ddl", true);
		if (!OidIsValid(get_extension_oid("safe_ddl", true)) ||
			!OidIsValid(nsp) ||
			!OidIsValid(get_relname_relid("lock_log", nsp)))
			result = SDDL_WRITE_NO_TABLE;
		else
		{
			SPIPlanPtr	plan;
			int			i;

			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			PushActiveSnapshot(GetTransactionSnapshot());
			pgstat_report_activity(STATE_RUNNING, "writing safe_ddl.lock_log");

			plan = SPI_prepare(sddl_log_insert_sql[sanitize ? 1 : 0],
							   SDDL_LOG_NPARAMS, (Oid *) sddl_log_argtypes);
			if (plan == NULL)
				elog(ERROR, "SPI_prepare failed: %s",
					 SPI_result_code_string(SPI_result));

			for (i = 0; i < n; i++)
			{
				SddlLogRecord *rec = sddl_log_slot(shared, from + i);
				Datum		values[SDDL_LOG_NPARAMS];
				char		nulls[SDDL_LOG_NPARAMS];
				SPIPlanPtr	use = plan;
				uint32		f = rec->flags;

				memset(nulls, ' ', sizeof(nulls));
				values[0] = TimestampTzGetDatum(rec->logged_at);
				values[1] = CStringGetTextDatum(sddl_log_resolve(rec->database,
																 rec->database_oid, false));
				values[2] = CStringGetTextDatum(sddl_log_resolve(rec->username,
																 rec->user_oid, true));
				values[3] = sddl_log_text(rec->application_name, f,
										  SDDL_LOG_HAS_APPNAME, nulls, 3);
				values[4] = Int32GetDatum(rec->pid);
				values[5] = sddl_log_text(rec->command, f,
										  SDDL_LOG_HAS_COMMAND, nulls, 5);
				values[6] = sddl_log_text(rec->statement, f,
										  SDDL_LOG_HAS_STATEMENT, nulls, 6);
				if (f & SDDL_LOG_HAS_RELATIONS)
					values[7] = CStringGetTextDatum(sddl_log_relations_json(rec->relations));
				else
				{
					values[7] = (Datum) 0;
					nulls[7] = 'n';
				}
				values[8] = sddl_log_text(rec->lock_mode, f,
										  SDDL_LOG_HAS_LOCK_MODE, nulls, 8);
				values[9] = Float8GetDatum(rec->lock_wait_ms);
				values[10] = Int32GetDatum(rec->attempts);
				values[11] = Float8GetDatum(rec->duration_ms);
				values[12] = CStringGetTextDatum(rec->outcome);
				values[13] = sddl_log_text(rec->rule, f,
										   SDDL_LOG_HAS_RULE, nulls, 13);
				values[14] = sddl_log_text(rec->rewritten_to, f,
										   SDDL_LOG_HAS_REWRITTEN, nulls, 14);
				values[15] = sddl_log_text(rec->blockers, f,
										   SDDL_LOG_HAS_BLOCKERS, nulls, 15);
				values[16] = sddl_log_text(rec->sqlstate, f,
										   SDDL_LOG_HAS_SQLSTATE, nulls, 16);
				values[17] = sddl_log_text(rec->error, f,
										   SDDL_LOG_HAS_ERROR, nulls, 17);

				/* truncated blockers are no longer JSON: store a string */
				if (!sanitize && (f & SDDL_LOG_BLOCKERS_TRUNCATED))
				{
					use = SPI_prepare(sddl_log_insert_sql[1], SDDL_LOG_NPARAMS,
									  (Oid *) sddl_log_argtypes);
					if (use == NULL)
						elog(ERROR, "SPI_prepare failed: %s",
							 SPI_result_code_string(SPI_result));
				}
				if (SPI_execute_plan(use, values, nulls, false, 0) != SPI_OK_INSERT)
					elog(ERROR, "could not insert into safe_ddl.lock_log");
			}

			SPI_finish();
			PopActiveSnapshot();
		}
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
		result = SDDL_WRITE_FAILED;
	}
	PG_END_TRY();

	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
	return result;
}

/*
 * Write everything buffered.  Returns false when the table is missing, in
 * which case the events stay buffered.
 */
static bool
sddl_log_flush(void)
{
	SddlLogShared *shared = sddl_log_shared;

	for (;;)
	{
		uint64		tail;
		int			n;
		int			written;
		int			lost = 0;
		SddlWriteResult res;

		LWLockAcquire(shared->lock, LW_SHARED);
		tail = shared->tail;
		n = (int) Min(shared->head - tail, (uint64) shared->nslots);
		LWLockRelease(shared->lock);
		if (n == 0)
			return true;

		res = sddl_log_write(tail, n, false);
		if (res == SDDL_WRITE_NO_TABLE)
		{
			LWLockAcquire(shared->lock, LW_EXCLUSIVE);
			shared->extension_missing = true;
			LWLockRelease(shared->lock);
			return false;
		}
		if (res == SDDL_WRITE_FAILED)
		{
			int			i;

			/* find the bad rows: one transaction per row */
			for (i = 0; i < n; i++)
			{
				res = sddl_log_write(tail + i, 1, false);
				if (res == SDDL_WRITE_FAILED)
					res = sddl_log_write(tail + i, 1, true);
				if (res == SDDL_WRITE_NO_TABLE)
					break;		/* dropped meanwhile: keep the rest */
				if (res == SDDL_WRITE_FAILED)
					lost++;
			}
			if (i < n)
			{
				n = i;
				if (n == 0)
					return false;
			}
			if (lost > 0)
				ereport(LOG,
						(errmsg("safe_ddl could not write %d lock log events", lost)));
		}
		written = n - lost;

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
 * Delete the rows older than safe_ddl.log_retention.
 */
static void
sddl_log_purge(void)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		Oid			nsp = get_namespace_oid("safe_ddl", true);

		if (OidIsValid(nsp) && OidIsValid(get_relname_relid("lock_log", nsp)))
		{
			Datum		arg = Int32GetDatum(sddl_log_retention);
			Oid			argtype = INT4OID;

			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			PushActiveSnapshot(GetTransactionSnapshot());
			pgstat_report_activity(STATE_RUNNING, "purging safe_ddl.lock_log");
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
			SPI_finish();
			PopActiveSnapshot();
		}
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
 * The worker's main function.
 */
void
sddl_log_worker_main(Datum main_arg)
{
	SddlLogShared *shared = sddl_log_shared;
	TimestampTz last_purge = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();

	if (shared == NULL)
		proc_exit(1);

	BackgroundWorkerInitializeConnection(sddl_log_database, NULL, 0);
	pgstat_report_appname("safe_ddl log writer");

	/*
	 * The worker's own transactions: never wait for a WAL flush, never run
	 * read-only because of a database default, and never hang on a lock
	 * (someone altering the table) in a way that would hold up shutdown.
	 */
	SetConfigOption("synchronous_commit", "off", PGC_SUSET, PGC_S_OVERRIDE);
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
		bool		ready;

		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		ready = sddl_log_flush();

		if (ready && sddl_log_retention > 0 &&
			TimestampDifferenceExceeds(last_purge, GetCurrentTimestamp(),
									   SDDL_LOG_PURGE_INTERVAL_MS))
		{
			sddl_log_purge();
			last_purge = GetCurrentTimestamp();
		}

		if (shutting_down)
		{
			uint64		left;

			LWLockAcquire(shared->lock, LW_SHARED);
			left = shared->head - shared->tail;
			LWLockRelease(shared->lock);
			if (!ready && left > 0)
				ereport(LOG,
						(errmsg("safe_ddl lock log: %llu events could not be written before shutdown",
								(unsigned long long) left),
						 errdetail("The table safe_ddl.lock_log does not exist in database \"%s\".",
								   sddl_log_database)));
			/* exit code 1: restarted if the server is not shutting down */
			proc_exit(1);
		}

		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 sddl_log_flush_interval,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}
