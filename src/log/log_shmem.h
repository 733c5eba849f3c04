/*-------------------------------------------------------------------------
 *
 * log_shmem.h
 *	  The lock log's shared state: a ring of fixed-size records in shared
 *	  memory, filled by every backend and drained by one background worker.
 *	  Private to log*.c.
 *
 * Design
 * ------
 * A lock log row must survive the abort of the transaction whose statement
 * it describes (a rejection is an ERROR, a lock timeout aborts, the client
 * may roll back).  So a backend never writes the table itself: it copies the
 * event into a slot of this ring, which is not transactional, and a
 * background worker connected to safe_ddl.database inserts the rows with
 * SPI in its own transactions.  Events of every database of the cluster go
 * through the same ring into that one table.
 *
 * Every slot has the same size, fixed at server start: the fixed part
 * below plus room for a statement of safe_ddl.log_statement_max_length
 * bytes as it was then.  Strings are truncated (on a character boundary)
 * to fit.  head and tail count records ever written and ever consumed; the
 * slot of position p is p % nslots, so the ring is full when
 * head - tail == nslots, and an event arriving then is counted in dropped
 * instead of waiting.
 *
 * Each slot carries two copies of its position: begin_pos, stored before
 * the copy, and done_pos, stored after it (write barriers between).  Only
 * the slot whose two markers equal its position holds a whole event; a
 * backend killed in the middle of a copy leaves begin_pos = head and a
 * stale done_pos, which the crash save (log_persist.c) counts as lost.
 *
 * Locking: "lock" (one LWLock of the tranche "safe_ddl_log") protects head,
 * tail, the counters, worker_latch and the content of the slots being
 * written.  A backend holds it exclusively only while it copies one event
 * (a few memcpy calls).  The worker holds it only to read and advance the
 * positions; it reads the slots in [tail, head) without the lock, which is
 * safe because only the worker advances tail, so no backend writes those
 * slots until the worker has released them, and the lock's acquire and
 * release order the backend's writes before the worker's reads.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/log/log_shmem.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_LOG_SHMEM_H
#define SAFE_DDL_LOG_SHMEM_H

#include "datatype/timestamp.h"
#include "port/atomics.h"
#include "storage/latch.h"
#include "storage/lwlock.h"

#define SDDL_LOG_TRANCHE		"safe_ddl_log"

/* Room for each string field of a record, terminating zero included. */
#define SDDL_LOG_NAME_LEN		NAMEDATALEN
#define SDDL_LOG_COMMAND_LEN	64
#define SDDL_LOG_RELATIONS_LEN	2048
#define SDDL_LOG_LOCK_MODE_LEN	32
#define SDDL_LOG_OUTCOME_LEN	16
#define SDDL_LOG_RULE_LEN		64
#define SDDL_LOG_REWRITTEN_LEN	4096
#define SDDL_LOG_BLOCKERS_LEN	4096
#define SDDL_LOG_SQLSTATE_LEN	8
#define SDDL_LOG_ERROR_LEN		1024

/* Longest statement a slot can hold (safe_ddl.log_statement_max_length) */
#define SDDL_LOG_STATEMENT_MAX	65536

/* done_pos of a slot being written: no position is this */
#define SDDL_LOG_NO_POS			PG_UINT64_MAX

/* Which string fields are present (SQL NULL otherwise). */
#define SDDL_LOG_HAS_STATEMENT		(1 << 0)
#define SDDL_LOG_HAS_RELATIONS		(1 << 1)
#define SDDL_LOG_HAS_LOCK_MODE		(1 << 2)
#define SDDL_LOG_HAS_RULE			(1 << 3)
#define SDDL_LOG_HAS_REWRITTEN		(1 << 4)
#define SDDL_LOG_HAS_BLOCKERS		(1 << 5)
#define SDDL_LOG_HAS_SQLSTATE		(1 << 6)
#define SDDL_LOG_HAS_ERROR			(1 << 7)
#define SDDL_LOG_HAS_APPNAME		(1 << 8)
#define SDDL_LOG_HAS_COMMAND		(1 << 9)
/* blockers did not fit: it is stored as a JSON string, not as JSON */
#define SDDL_LOG_BLOCKERS_TRUNCATED	(1 << 10)
/* reloaded after a crash or immediate shutdown: the writer may have
 * inserted it already, so it skips it when (pid, logged_at) is there */
#define SDDL_LOG_RECOVERED			(1 << 11)

/* One event, as stored in a slot of the ring. */
typedef struct SddlLogRecord
{
	uint64		begin_pos;		/* position, stored before the copy */
	uint64		done_pos;		/* position, stored after the copy */
	TimestampTz logged_at;		/* strictly increasing per backend */
	double		lock_wait_ms;
	double		duration_ms;
	Oid			database_oid;	/* resolved by the worker when database is "" */
	Oid			user_oid;		/* resolved by the worker when username is "" */
	int32		encoding;		/* of the database the event comes from */
	int32		pid;
	int32		attempts;
	uint32		flags;
	char		database[SDDL_LOG_NAME_LEN];
	char		username[SDDL_LOG_NAME_LEN];
	char		application_name[SDDL_LOG_NAME_LEN];
	char		command[SDDL_LOG_COMMAND_LEN];
	char		relations[SDDL_LOG_RELATIONS_LEN];
	char		lock_mode[SDDL_LOG_LOCK_MODE_LEN];
	char		outcome[SDDL_LOG_OUTCOME_LEN];
	char		rule[SDDL_LOG_RULE_LEN];
	char		rewritten_to[SDDL_LOG_REWRITTEN_LEN];
	char		blockers[SDDL_LOG_BLOCKERS_LEN];
	char		sqlstate[SDDL_LOG_SQLSTATE_LEN];
	char		error[SDDL_LOG_ERROR_LEN];
	char		statement[FLEXIBLE_ARRAY_MEMBER];	/* statement_capacity */
} SddlLogRecord;

typedef struct SddlLogShared
{
	LWLock	   *lock;
	Latch	   *worker_latch;	/* the worker's latch, NULL without worker */
	int			worker_pid;
	bool		extension_missing;	/* worker found no lock_log to write */
	int			nslots;
	Size		slot_size;		/* MAXALIGNed record size */
	int			statement_capacity; /* bytes, terminating zero included */
	uint64		head;			/* records ever added */
	uint64		tail;			/* records ever consumed by the worker */
	uint64		dropped;		/* events lost: ring full or unwritable */
	uint64		written;		/* rows the worker inserted */
	uint64		lost;			/* events lost in crashes (log_persist.c) */
	uint64		recovered;		/* events saved at a crash and reloaded */
	pg_atomic_uint32 inflight;	/* statements begun and not yet logged
								 * (log_inflight.c) */
	TimestampTz last_flush;		/* end of the worker's last insert */
	char		slots[FLEXIBLE_ARRAY_MEMBER];
} SddlLogShared;

/* NULL unless preloaded and shared memory is attached */
extern SddlLogShared *sddl_log_shared;

/* Settings (log.c) */
extern char *sddl_log_database;
extern int	sddl_log_flush_interval;
extern int	sddl_log_retention;

static inline SddlLogRecord *
sddl_log_slot(SddlLogShared *shared, uint64 pos)
{
	return (SddlLogRecord *) (shared->slots +
							  (pos % shared->nslots) * shared->slot_size);
}

/* log.c */
extern bool sddl_log_off(void);

/* log_persist.c */
extern void sddl_log_persist_load(SddlLogShared *shared);
extern void sddl_log_persist_save(int code, Datum arg);

/* log_record.c: the writer's view of a record */
#define SDDL_LOG_NPARAMS	18	/* columns logged_at .. error */
extern void sddl_log_record_values(const SddlLogRecord *rec, bool sanitize,
								   bool as_jsonb, Datum *values, bool *nulls);

/* log_insert.c */
extern int	sddl_log_insert_direct(Oid relid, uint64 from, int n);

/* log_worker.c */
extern void sddl_log_register_worker(void);
extern PGDLLEXPORT void sddl_log_worker_main(Datum main_arg);

#endif							/* SAFE_DDL_LOG_SHMEM_H */
