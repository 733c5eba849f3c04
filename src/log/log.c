/*-------------------------------------------------------------------------
 *
 * log.c
 *	  The durable lock log (see log.h): settings, shared memory, and what a
 *	  backend does with each event.
 *
 * A backend copies each event into a ring in shared memory and goes on; the
 * background worker of log_worker.c writes the rows into safe_ddl.lock_log
 * of the database named by safe_ddl.database.  log_shmem.h explains the
 * ring and its locking.
 *
 * sddl_log_event() may be called from the hook's PG_CATCH block, with an
 * error being propagated: it must never raise an error and never wait
 * long.  It therefore allocates nothing, does no catalog access on that
 * path, and counts an event it cannot store instead of waiting for room.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/log/log.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/dbcommands.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "log/log.h"
#include "log/log_shmem.h"
#include "safe_ddl.h"

/* safe_ddl.log_level */
typedef enum SddlLogLevel
{
	SDDL_LOG_OFF,				/* log nothing */
	SDDL_LOG_NON_ALLOWED,		/* outcomes other than allowed, and allowed
								 * statements that waited long enough */
	SDDL_LOG_ALL				/* every intercepted statement */
} SddlLogLevel;

static const struct config_enum_entry sddl_log_level_options[] = {
	{"off", SDDL_LOG_OFF, false},
	{"non_allowed", SDDL_LOG_NON_ALLOWED, false},
	{"all", SDDL_LOG_ALL, false},
	{NULL, 0, false}
};

/* Settings */
static int	sddl_log_level = SDDL_LOG_ALL;
static int	sddl_log_min_wait = 100;
static int	sddl_log_statement_max_length = 4096;
static int	sddl_log_buffer_size = 256;
char	   *sddl_log_database = NULL;
int			sddl_log_flush_interval = 1000;
int			sddl_log_retention = 0;

SddlLogShared *sddl_log_shared = NULL;

#ifdef SDDL_HAVE_SHMEM_REQUEST_HOOK
static shmem_request_hook_type prev_shmem_request_hook = NULL;
#endif
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* The current user's name, looked up once per role (see sddl_log_username) */
static Oid	cached_userid = InvalidOid;
static char cached_username[NAMEDATALEN];

/* Columns of safe_ddl.log_status() */
#define SDDL_LOG_STATUS_COLS	9

PG_FUNCTION_INFO_V1(safe_ddl_log_status);

static void sddl_log_shmem_request(void);
static void sddl_log_shmem_startup(void);
static Size sddl_log_shmem_size(void);

/*
 * Set up the log's settings, shared memory and background worker.  Called
 * from _PG_init while shared_preload_libraries is being processed.
 */
void
sddl_log_init(void)
{
	DefineCustomEnumVariable("safe_ddl.log_level",
							 "Which intercepted statements are written to safe_ddl.lock_log.",
							 "all logs every intercepted statement; non_allowed logs "
							 "those safe_ddl warned about, rewrote or rejected, those "
							 "that failed, and allowed ones that waited for locks at "
							 "least safe_ddl.log_min_wait; off logs nothing.",
							 &sddl_log_level,
							 SDDL_LOG_ALL,
							 sddl_log_level_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("safe_ddl.log_min_wait",
							"Lock wait from which an allowed statement is logged when "
							"safe_ddl.log_level is non_allowed.",
							"-1 never logs allowed statements in that mode.",
							&sddl_log_min_wait,
							100,
							-1, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("safe_ddl.log_statement_max_length",
							"Longest statement text stored in safe_ddl.lock_log; longer "
							"ones are truncated.",
							"The space reserved per event is fixed at server start by "
							"the value then; a larger value set later is capped to it.",
							&sddl_log_statement_max_length,
							4096,
							0, SDDL_LOG_STATEMENT_MAX,
							PGC_SUSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("safe_ddl.log_buffer_size",
							"Number of events the shared memory buffer of the lock log "
							"holds until the background worker writes them.",
							"When it is full, further events are counted as dropped.",
							&sddl_log_buffer_size,
							256,
							16, 65536,
							PGC_POSTMASTER,
							0,
							NULL, NULL, NULL);

	DefineCustomStringVariable("safe_ddl.database",
							   "Database whose safe_ddl.lock_log receives the events of "
							   "every database of the cluster.",
							   "The background worker connects to it; install the "
							   "extension there.",
							   &sddl_log_database,
							   "postgres",
							   PGC_POSTMASTER,
							   0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("safe_ddl.log_flush_interval",
							"Longest time an event waits in shared memory before the "
							"background worker writes it.",
							NULL,
							&sddl_log_flush_interval,
							1000,
							10, 3600 * 1000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("safe_ddl.log_retention",
							"Age after which the background worker deletes rows of "
							"safe_ddl.lock_log.",
							"0 keeps rows forever.",
							&sddl_log_retention,
							0,
							0, INT_MAX,
							PGC_SIGHUP,
							GUC_UNIT_MIN,
							NULL, NULL, NULL);

#ifdef SDDL_HAVE_SHMEM_REQUEST_HOOK
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = sddl_log_shmem_request;
#else
	sddl_log_shmem_request();
#endif
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = sddl_log_shmem_startup;

	sddl_log_register_worker();
}

/*
 * Size of one record: the fixed part plus the statement room chosen by
 * safe_ddl.log_statement_max_length at server start.
 */
static Size
sddl_log_slot_size(void)
{
	return MAXALIGN(offsetof(SddlLogRecord, statement) +
					sddl_log_statement_max_length + 1);
}

static Size
sddl_log_shmem_size(void)
{
	return add_size(MAXALIGN(offsetof(SddlLogShared, slots)),
					mul_size(sddl_log_slot_size(), sddl_log_buffer_size));
}

static void
sddl_log_shmem_request(void)
{
#ifdef SDDL_HAVE_SHMEM_REQUEST_HOOK
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
#endif
	RequestAddinShmemSpace(sddl_log_shmem_size());
	RequestNamedLWLockTranche(SDDL_LOG_TRANCHE, 1);
}

/*
 * Create or attach the ring.  Runs in the postmaster (and in each backend
 * on EXEC_BACKEND builds), at server start and after every crash.  The ring
 * starts with what the last teardown saved (log_persist.c): nothing after a
 * clean shutdown, which drains it, the buffered events after a crash or an
 * immediate shutdown.
 */
static void
sddl_log_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	sddl_log_shared = ShmemInitStruct("safe_ddl lock log",
									  sddl_log_shmem_size(), &found);
	if (!found)
	{
		memset(sddl_log_shared, 0, offsetof(SddlLogShared, slots));
		sddl_log_shared->lock = &(GetNamedLWLockTranche(SDDL_LOG_TRANCHE))->lock;
		sddl_log_shared->nslots = sddl_log_buffer_size;
		sddl_log_shared->slot_size = sddl_log_slot_size();
		sddl_log_shared->statement_capacity = sddl_log_statement_max_length + 1;
		pg_atomic_init_u32(&sddl_log_shared->inflight, 0);
		if (!IsUnderPostmaster)
			sddl_log_persist_load(sddl_log_shared);
	}
	LWLockRelease(AddinShmemInitLock);

	/* the postmaster saves the ring when it tears shared memory down */
	if (!IsUnderPostmaster)
		on_shmem_exit(sddl_log_persist_save, (Datum) 0);
}

/*
 * Should this event be logged, according to safe_ddl.log_level?
 */
static bool
sddl_log_wanted(const SddlLogEvent *event)
{
	switch (sddl_log_level)
	{
		case SDDL_LOG_OFF:
			return false;
		case SDDL_LOG_ALL:
			return true;
		case SDDL_LOG_NON_ALLOWED:
			if (event->outcome == NULL || strcmp(event->outcome, "allowed") != 0)
				return true;
			return sddl_log_min_wait >= 0 &&
				event->lock_wait_ms >= (double) sddl_log_min_wait;
		default:
			/* not a valid setting: log rather than lose the event */
			break;
	}
	return true;
}

/* Is safe_ddl.log_level off? (log_inflight.c announces nothing then) */
bool
sddl_log_off(void)
{
	return sddl_log_level == SDDL_LOG_OFF;
}

/*
 * Copy src into dst of size dstlen (> 0), truncated on a character
 * boundary to at most limit bytes (limit < dstlen).  Returns true when the
 * whole string fitted.
 */
static bool
sddl_log_copy(char *dst, Size dstlen, const char *src, int limit)
{
	int			len;

	Assert(dstlen > 0 && limit >= 0 && limit < dstlen);
	len = strnlen(src, limit + 1);
	if (len > limit)
	{
		len = pg_mbcliplen(src, len, limit);
		memcpy(dst, src, len);
		dst[len] = '\0';
		return false;
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
	return true;
}

/* Copy an optional field; set its flag when present, empty it when not. */
static void
sddl_log_copy_opt(SddlLogRecord *rec, uint32 flag, char *dst, Size dstlen,
				  const char *src)
{
	if (src == NULL)
	{
		dst[0] = '\0';
		return;
	}
	rec->flags |= flag;
	(void) sddl_log_copy(dst, dstlen, src, dstlen - 1);
}

/*
 * The current role's name, or "" when it is not known without reading the
 * catalog and reading it is not safe (an error is being propagated).  The
 * worker then resolves the role's OID.  Looked up once per role.
 */
static const char *
sddl_log_username(Oid userid, bool may_lookup)
{
	if (userid == cached_userid)
		return cached_username;
	if (may_lookup)
	{
		char	   *name = GetUserNameFromId(userid, true);

		if (name != NULL)
		{
			strlcpy(cached_username, name, sizeof(cached_username));
			cached_userid = userid;
			pfree(name);
			return cached_username;
		}
	}
	return "";
}

/*
 * The current database's name, with the same rules; looked up once.
 */
static const char *
sddl_log_dbname(bool may_lookup)
{
	static char dbname[NAMEDATALEN];

	if (dbname[0] != '\0')
		return dbname;
	if (may_lookup && OidIsValid(MyDatabaseId))
	{
		char	   *name = get_database_name(MyDatabaseId);

		if (name != NULL)
		{
			strlcpy(dbname, name, sizeof(dbname));
			pfree(name);
		}
	}
	return dbname;
}

/*
 * Cut a relation list that does not fit after its last complete item.
 */
static void
sddl_log_trim_relations(char *relations)
{
	char	   *comma = strrchr(relations, ',');

	if (comma != NULL)
		*comma = '\0';
}

/*
 * Record one event.  Never raises an error: logging must not fail DDL, and
 * the caller may be propagating an error.
 */
void
sddl_log_event(const SddlLogEvent *event)
{
	SddlLogShared *shared = sddl_log_shared;
	SddlLogRecord *rec;
	Oid			userid;
	const char *username;
	const char *dbname;
	bool		may_lookup;
	int			stmt_limit;
	Latch	   *wake = NULL;
	TimestampTz now;
	static TimestampTz last_logged_at = 0;

	/* the statement is no longer in flight, logged or not */
	sddl_log_statement_end(event);

	if (shared == NULL || !sddl_log_wanted(event))
		return;

	/* session facts, captured here in the backend */
	may_lookup = event->sqlstate == NULL && IsTransactionState() &&
		!proc_exit_inprogress;
	userid = GetUserId();
	username = sddl_log_username(userid, may_lookup);
	dbname = sddl_log_dbname(may_lookup);

	/*
	 * Strictly increasing per backend: (pid, logged_at) names one event,
	 * which the writer relies on to skip recovered events already written.
	 */
	now = GetCurrentTimestamp();
	if (now <= last_logged_at)
		now = last_logged_at + 1;
	last_logged_at = now;
	stmt_limit = Min(sddl_log_statement_max_length,
					 shared->statement_capacity - 1);

	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	if (shared->head - shared->tail >= (uint64) shared->nslots)
	{
		/* full: count the loss rather than wait for the worker */
		shared->dropped++;
		if (!shared->extension_missing)
			wake = shared->worker_latch;
		LWLockRelease(shared->lock);
		if (wake != NULL)
			SetLatch(wake);
		return;
	}

	/* markers around the copy: see log_shmem.h */
	rec = sddl_log_slot(shared, shared->head);
	rec->done_pos = SDDL_LOG_NO_POS;
	rec->begin_pos = shared->head;
	pg_write_barrier();

	/*
	 * Every field is set below, each string field at least to "" (the crash
	 * save checks that each is terminated inside its field), so the slot is
	 * not cleared first: clearing its 12 kB cost more instructions than all
	 * the rest of the backend's logging together.
	 */
	rec->flags = 0;
	rec->logged_at = now;
	rec->pid = MyProcPid;
	rec->database_oid = MyDatabaseId;
	rec->user_oid = userid;
	rec->encoding = GetDatabaseEncoding();
	rec->lock_wait_ms = event->lock_wait_ms;
	rec->attempts = event->attempts;
	rec->duration_ms = event->duration_ms;
	(void) sddl_log_copy(rec->database, sizeof(rec->database), dbname,
						 sizeof(rec->database) - 1);
	(void) sddl_log_copy(rec->username, sizeof(rec->username), username,
						 sizeof(rec->username) - 1);
	sddl_log_copy_opt(rec, SDDL_LOG_HAS_APPNAME, rec->application_name,
					  sizeof(rec->application_name), application_name);
	sddl_log_copy_opt(rec, SDDL_LOG_HAS_COMMAND, rec->command,
					  sizeof(rec->command), event->command);
	sddl_log_copy_opt(rec, SDDL_LOG_HAS_LOCK_MODE, rec->lock_mode,
					  sizeof(rec->lock_mode), event->lock_mode);
	(void) sddl_log_copy(rec->outcome, sizeof(rec->outcome),
						 event->outcome ? event->outcome : "allowed",
						 sizeof(rec->outcome) - 1);
	sddl_log_copy_opt(rec, SDDL_LOG_HAS_RULE, rec->rule,
					  sizeof(rec->rule), event->rule);
	sddl_log_copy_opt(rec, SDDL_LOG_HAS_REWRITTEN, rec->rewritten_to,
					  sizeof(rec->rewritten_to), event->rewritten_to);
	sddl_log_copy_opt(rec, SDDL_LOG_HAS_SQLSTATE, rec->sqlstate,
					  sizeof(rec->sqlstate), event->sqlstate);
	sddl_log_copy_opt(rec, SDDL_LOG_HAS_ERROR, rec->error,
					  sizeof(rec->error), event->error);
	if (event->relations != NULL)
	{
		rec->flags |= SDDL_LOG_HAS_RELATIONS;
		if (!sddl_log_copy(rec->relations, sizeof(rec->relations),
						   event->relations, sizeof(rec->relations) - 1))
			sddl_log_trim_relations(rec->relations);
	}
	else
		rec->relations[0] = '\0';
	if (event->blockers != NULL)
	{
		rec->flags |= SDDL_LOG_HAS_BLOCKERS;
		if (!sddl_log_copy(rec->blockers, sizeof(rec->blockers),
						   event->blockers, sizeof(rec->blockers) - 1))
			rec->flags |= SDDL_LOG_BLOCKERS_TRUNCATED;
	}
	else
		rec->blockers[0] = '\0';
	if (event->statement != NULL)
	{
		rec->flags |= SDDL_LOG_HAS_STATEMENT;
		(void) sddl_log_copy(rec->statement, shared->statement_capacity,
							 event->statement, stmt_limit);
	}
	else
		rec->statement[0] = '\0';

	pg_write_barrier();
	rec->done_pos = shared->head;
	shared->head++;
	/*
	 * The worker wakes up by itself every flush interval; hurry it when the
	 * ring is half full, unless it is waiting for the extension anyway.
	 */
	if (shared->head - shared->tail >= (uint64) shared->nslots / 2 &&
		!shared->extension_missing)
		wake = shared->worker_latch;
	LWLockRelease(shared->lock);

	if (wake != NULL)
		SetLatch(wake);
}

/*
 * safe_ddl.log_status(): the state of the lock log's buffer.  The columns
 * lost and recovered came with version 0.2 of the SQL objects: an older
 * installation's function gets the first seven.
 */
Datum
safe_ddl_log_status(PG_FUNCTION_ARGS)
{
	SddlLogShared *shared = sddl_log_shared;
	TupleDesc	tupdesc;
	Datum		values[SDDL_LOG_STATUS_COLS];
	bool		nulls[SDDL_LOG_STATUS_COLS] = {0};
	SddlLogShared copy;

	sddl_require_preload();
	if (shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the safe_ddl lock log has no shared memory")));

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (tupdesc->natts > SDDL_LOG_STATUS_COLS)
		elog(ERROR, "safe_ddl.log_status() returns %d columns, expected at most %d",
			 tupdesc->natts, SDDL_LOG_STATUS_COLS);

	LWLockAcquire(shared->lock, LW_SHARED);
	copy.head = shared->head;
	copy.tail = shared->tail;
	copy.dropped = shared->dropped;
	copy.written = shared->written;
	copy.last_flush = shared->last_flush;
	copy.worker_pid = shared->worker_pid;
	copy.extension_missing = shared->extension_missing;
	copy.lost = shared->lost;
	copy.recovered = shared->recovered;
	LWLockRelease(shared->lock);

	values[0] = Int64GetDatum((int64) (copy.head - copy.tail));
	values[1] = Int64GetDatum((int64) copy.dropped);
	values[2] = Int64GetDatum((int64) copy.written);
	if (copy.last_flush == 0)
		nulls[3] = true;
	else
		values[3] = TimestampTzGetDatum(copy.last_flush);
	values[4] = CStringGetTextDatum(sddl_log_database);
	if (copy.worker_pid == 0)
		nulls[5] = true;
	else
		values[5] = Int32GetDatum(copy.worker_pid);
	values[6] = BoolGetDatum(!copy.extension_missing);
	values[7] = Int64GetDatum((int64) copy.lost);
	values[8] = Int64GetDatum((int64) copy.recovered);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
