/*-------------------------------------------------------------------------
 *
 * worker_int.h
 *	  The worker side of deferred builds, private to src/defer: the shared
 *	  state between the backends that queue work, the launcher, the
 *	  per-database workers and the sessions in wait_deferred().
 *
 * One slot per database with deferred work.  A committing transaction that
 * queued items sets its database's "wanted" flag and wakes the worker (or,
 * when none runs, the launcher, which starts one).  The worker clears
 * "wanted" each time it starts a scan of the queue, so a wake-up that
 * arrives while it works is never lost: it scans again before it may exit.
 * Each scan has a number; a scan that found nothing pending publishes its
 * number as "settled", which is what wait_deferred() watches, with no
 * snapshot held (see wait.c).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/defer/worker_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_WORKER_INT_H
#define SAFE_DDL_WORKER_INT_H

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "storage/condition_variable.h"
#include "storage/latch.h"
#include "storage/spin.h"

/*
 * Databases with deferred work at the same time.  When every slot is taken
 * the wake-up of another database is left to the next sweep (and says so
 * in the server log).
 */
#define SDDL_DEFER_SLOTS 64

typedef struct SddlDeferSlot
{
	Oid			dbid;			/* InvalidOid: free */
	bool		wanted;			/* work may be waiting: a worker should scan */
	bool		launching;		/* registered by the launcher, not attached */
	pid_t		worker_pid;		/* the database's worker, 0 if none */
	Latch	   *worker_latch;
	TimestampTz not_before;		/* after a worker died: restart no earlier */
	uint64		scans_started;	/* numbers of the worker's queue scans */
	uint64		scans_settled;	/* the last scan that found nothing pending */
	bool		restart_requested;	/* wait.c cancelled the build: retry it now */
	ConditionVariable settled_cv;	/* broadcast when scans_settled moves */
} SddlDeferSlot;

typedef struct SddlDeferShared
{
	slock_t		mutex;			/* protects everything below */
	pid_t		launcher_pid;
	Latch	   *launcher_latch;
	bool		sweep_requested;	/* look for queued work in every database */
	SddlDeferSlot slots[SDDL_DEFER_SLOTS];
} SddlDeferShared;

extern SddlDeferShared *sddl_defer_shared;

/* settings (notify.c) */
extern int	sddl_defer_workers;
extern int	sddl_defer_max_attempts;
extern int	sddl_defer_retry_max_backoff;	/* seconds */

/* The worker's own search_path, outside builds. */
#define SDDL_DEFER_WORKER_SEARCH_PATH	"pg_catalog, pg_temp"

/* Restart delay of a database's worker that died mid-build. */
#define SDDL_DEFER_RESTART_MS	5000

/*
 * notify.c: mark dbid as having work and wake whoever must act; returns the
 * slot index, or -1 when no slot was free.  Takes the mutex.
 */
extern int	sddl_defer_wake(Oid dbid);

/*
 * The same, and *since is the number of the last scan started before the
 * wake-up (read with it, under the mutex): every scan numbered above it
 * starts after the wake-up, and one will run.
 */
extern int	sddl_defer_wake_since(Oid dbid, uint64 *since);
extern int	sddl_defer_slot_find(Oid dbid, bool create);	/* mutex held */

/* launcher.c */
extern void sddl_defer_launcher_register(void);
extern PGDLLEXPORT void sddl_defer_launcher_main(Datum arg);

/* worker.c */
extern PGDLLEXPORT void sddl_defer_worker_main(Datum arg);

/*
 * worker.c: did a session in wait_deferred() cancel this worker's build
 * (see wait.c)?  Clears the request.
 */
extern bool sddl_defer_take_restart(void);

/* One queued item, as claimed by claim.c and run by build.c. */
typedef struct SddlDeferItem
{
	int64		id;
	char	   *kind;			/* "index" or "validation" */
	Oid			relid;
	char	   *object_name;
	char	   *statement;
	char	   *search_path;	/* to run it with; NULL: the default */
	int			attempts;		/* including this one */
} SddlDeferItem;

/* How an attempt ended. */
typedef struct SddlDeferOutcome
{
	bool		ok;
	bool		permanent;		/* not worth a retry */
	bool		restart;		/* cancelled by wait.c: again at once, free */
	char	   *sqlstate;
	char	   *error;
} SddlDeferOutcome;

/* claim.c: the queue table, in transactions of their own */
extern bool sddl_worker_queue_exists(void);
extern int	sddl_defer_recover_stale(void);
extern SddlDeferItem *sddl_defer_claim(int *pending, TimestampTz *next_at);
extern void sddl_defer_finish(const SddlDeferItem *item,
							  const SddlDeferOutcome *outcome);

/* build.c: run one claimed item (never throws) */
extern void sddl_defer_build(const SddlDeferItem *item,
							 SddlDeferOutcome *outcome);

#endif							/* SAFE_DDL_WORKER_INT_H */
