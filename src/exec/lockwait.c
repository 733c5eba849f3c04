/*-------------------------------------------------------------------------
 *
 * lockwait.c
 *	  Bounded lock waits with retries inside the client's transaction.
 *
 * A DDL statement that needs a lock conflicting with the application's
 * reads or writes must never sit in the lock queue behind a long
 * transaction: every query arriving after it would queue behind it, and the
 * table freezes.  So before the statement runs, safe_ddl takes the locks it
 * needs itself, in a deterministic order (by relation OID), with bounded
 * waits, and retries with exponential backoff and jitter until a total
 * budget runs out.
 *
 * Waiting strategy (safe_ddl.lock_wait_strategy), chosen by measurement
 * (see docs/lock-waits.md, and BENCHMARKS.md):
 *
 * - conditional: ConditionalLockRelationOid, polled with backoff.  The
 *	 statement never enters the lock queue, so no application query ever
 *	 queues behind it; the cost is that under continuous conflicting traffic
 *	 the statement may only get its lock late.
 * - queue: a queued wait bounded by safe_ddl.lock_timeout per attempt (the
 *	 hand-written "SET lock_timeout + retry" best practice).  Every attempt
 *	 stalls the application for up to that long.
 * - hybrid (default): conditional polling while a long transaction is in
 *	 the way; a queued wait of safe_ddl.lock_timeout once every blocker seen
 *	 is a young transaction (younger than that wait: typically OLTP traffic,
 *	 which ends within it), and in the second half of the budget.  On a busy
 *	 table polling alone may take seconds to find an instant with no lock
 *	 held at all; a short queued wait behind young transactions gets
 *	 through at the cost of a stall no longer than the wait.
 *
 * Measured (BENCHMARKS.md, ADD COLUMN behind a 6 s reader, pgbench at 400
 * tps): polling kept the application's p99 at the no-migration level
 * (about 20 ms, no transaction over 100 ms); 50 ms queued attempts raised
 * p99 to about 100 ms; vanilla PostgreSQL froze the table for 5.5 s.
 *
 * The locks are taken first; the statement runs once, after they are all
 * held, and is never retried: a retried statement would repeat what its
 * client sees (NOTICEs, event triggers' effects) and change the
 * transaction's statistics (pg_stat_get_xact_*).  A polled attempt needs no
 * subtransaction: ConditionalLockRelationOid never fails, and an attempt
 * that misses a lock releases the ones it took.  A queued attempt, whose
 * lock_timeout raises an error, runs in a light internal subtransaction
 * (the PL/pgSQL exception block pattern) around the lock acquisition only:
 * a timed-out attempt is rolled back, releasing what it locked, while the
 * client's transaction and its earlier work survive; a successful one is
 * released, handing its locks to the transaction.  The subtransaction never
 * contains the statement, so the statement runs at the client's own nesting
 * level, exactly as without safe_ddl.
 *
 * A lock the statement takes that the analysis did not foresee waits in
 * the lock queue for at most the rest of the budget (lock_timeout is set to
 * it while the statement runs), and fails with 55P03 then: bounded, never
 * retried.
 *
 * Statements that refuse subtransactions (the CONCURRENTLY forms, VACUUM,
 * ...) are never wrapped.  Statements run from a function get conditional
 * polling only (a subtransaction in the middle of a caller's SPI execution
 * is not ours to open), then run once the same way.
 *
 * Deadlocks: conditional polling never waits in the lock queue, so the
 * server's deadlock detector cannot see a cycle through this backend.  When
 * a blocker is itself waiting for a lock this transaction holds, the next
 * attempt is a plain queued wait long enough for the deadlock detector to
 * run, and a deadlock is reported by the server as usual (never retried).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/lockwait.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"
#include "utils/wait_event.h"

#include "exec/executor.h"
#include "exec/lockwait_int.h"

/* safe_ddl.lock_wait_strategy values */
typedef enum SddlWaitStrategy
{
	SDDL_WAIT_CONDITIONAL,
	SDDL_WAIT_QUEUE,
	SDDL_WAIT_HYBRID
} SddlWaitStrategy;

static const struct config_enum_entry sddl_wait_strategy_options[] = {
	{"conditional", SDDL_WAIT_CONDITIONAL, false},
	{"queue", SDDL_WAIT_QUEUE, false},
	{"hybrid", SDDL_WAIT_HYBRID, false},
	{NULL, 0, false}
};

/* Defaults of the settings, all in milliseconds (BENCHMARKS.md). */
#define SDDL_DEFAULT_LOCK_TIMEOUT_MS 50
#define SDDL_DEFAULT_RETRY_BACKOFF_MS 10
#define SDDL_DEFAULT_RETRY_MAX_BACKOFF_MS 250
#define SDDL_DEFAULT_WAIT_BUDGET_MS 20000
#define SDDL_DEFAULT_WAIT_BUDGET_HOLDING_MS 2000

/* Largest single wait or pause a setting may ask for: one minute. */
#define SDDL_MAX_SINGLE_WAIT_MS (60 * 1000)

/*
 * A queued attempt meant to let the deadlock detector see a cycle through
 * us waits this much longer than deadlock_timeout.
 */
#define SDDL_DEADLOCK_MARGIN_MS 100

/* Each pause is the backoff less a random part of up to this fraction. */
#define SDDL_BACKOFF_JITTER 0.5

/* The shortest wait an attempt gets. */
#define SDDL_MIN_ATTEMPT_MS 1

/* settings, all in milliseconds */
static int	sddl_lock_timeout = SDDL_DEFAULT_LOCK_TIMEOUT_MS;
static int	sddl_lock_retry_backoff = SDDL_DEFAULT_RETRY_BACKOFF_MS;
static int	sddl_lock_retry_max_backoff = SDDL_DEFAULT_RETRY_MAX_BACKOFF_MS;
static int	sddl_lock_wait_budget = SDDL_DEFAULT_WAIT_BUDGET_MS;
static int	sddl_lock_wait_budget_holding = SDDL_DEFAULT_WAIT_BUDGET_HOLDING_MS;
static int	sddl_wait_strategy = SDDL_WAIT_HYBRID;

/*
 * The lock being taken right now, so that an attempt ended by an error
 * (lock timeout) still knows which lock it was waiting for.
 */
static const SddlLockTarget *sddl_trying = NULL;

static int	sddl_target_cmp(const ListCell *a, const ListCell *b);
static char *sddl_strongly_held_elsewhere(List *targets, LOCKMODE *mode);
static void sddl_plan_waits(List *targets, bool check_holding,
							SddlWaitPlan *plan);
static double sddl_elapsed_ms(instr_time start);
static void sddl_sleep_ms(double ms);
static void sddl_set_lock_timeout(int ms);
static bool sddl_attempt_queued(List *targets, int wait_ms,
								const SddlLockTarget **failed);
static bool sddl_attempt_polled(List *targets, const SddlLockTarget **failed);
static void sddl_run_bounded(SddlLockedAction action, void *arg,
							 double remaining_ms);

/*
 * Define the lock-wait settings.  All are PGC_SUSET: they protect other
 * sessions' traffic, so a migration role must not be able to lift them.
 */
void
sddl_lockwait_define_gucs(void)
{
	DefineCustomIntVariable("safe_ddl.lock_timeout",
							"Longest single wait for a lock in the lock queue.",
							"Each queued attempt to take the locks a DDL "
							"statement needs waits at most this long; "
							"application queries arriving meanwhile queue "
							"behind it for at most this long.",
							&sddl_lock_timeout,
							SDDL_DEFAULT_LOCK_TIMEOUT_MS, 1, SDDL_MAX_SINGLE_WAIT_MS,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("safe_ddl.lock_retry_backoff",
							"First pause between two lock attempts.",
							"The pause doubles after each failed attempt, up "
							"to safe_ddl.lock_retry_max_backoff, with random "
							"jitter of up to half of it.",
							&sddl_lock_retry_backoff,
							SDDL_DEFAULT_RETRY_BACKOFF_MS, 1, SDDL_MAX_SINGLE_WAIT_MS,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("safe_ddl.lock_retry_max_backoff",
							"Longest pause between two lock attempts.",
							NULL,
							&sddl_lock_retry_max_backoff,
							SDDL_DEFAULT_RETRY_MAX_BACKOFF_MS, 1,
							SDDL_MAX_SINGLE_WAIT_MS,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("safe_ddl.lock_wait_budget",
							"Total time a DDL statement may spend acquiring its locks.",
							"When it runs out the statement fails with "
							"SQLSTATE 55P03, like lock_timeout.  0 disables "
							"bounded waits: statements wait like in vanilla "
							"PostgreSQL.",
							&sddl_lock_wait_budget,
							SDDL_DEFAULT_WAIT_BUDGET_MS, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("safe_ddl.lock_wait_budget_holding",
							"Total lock wait budget when the transaction already holds strong locks.",
							"Applies when the transaction already holds a lock "
							"that blocks the application's writes on another "
							"pre-existing relation: waiting would stall that "
							"relation too.",
							&sddl_lock_wait_budget_holding,
							SDDL_DEFAULT_WAIT_BUDGET_HOLDING_MS, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomEnumVariable("safe_ddl.lock_wait_strategy",
							 "How safe_ddl waits for the locks of a DDL statement.",
							 "conditional polls without ever entering the "
							 "lock queue; queue waits in the queue for at most "
							 "safe_ddl.lock_timeout per attempt; hybrid polls "
							 "while an old transaction blocks, and queues "
							 "behind young ones and in the second half of the "
							 "budget.",
							 &sddl_wait_strategy,
							 SDDL_WAIT_HYBRID,
							 sddl_wait_strategy_options,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);
}

/*
 * Which of the analysed relations need a bounded wait: pre-existing, not
 * temporary, locked in a mode that blocks the application's reads or
 * writes, and not already held in that mode by this transaction.  Sorted
 * by OID so that two migrations always lock in the same order.
 */
List *
sddl_lock_targets(List *relations)
{
	List	   *targets = NIL;
	ListCell   *lc;

	foreach(lc, relations)
	{
		SddlRelation *rel = (SddlRelation *) lfirst(lc);
		SddlLockTarget *t;

		if (rel->is_new || rel->relpersistence == RELPERSISTENCE_TEMP ||
			!OidIsValid(rel->relid))
			continue;
		if (!sddl_lock_blocks_reads(rel->lockmode) &&
			!sddl_lock_blocks_writes(rel->lockmode))
			continue;
		if (rel->held_mode >= rel->lockmode)
			continue;
		t = palloc(sizeof(SddlLockTarget));
		t->relid = rel->relid;
		t->mode = rel->lockmode;
		t->nspname = rel->nspname;
		t->relname = rel->relname;
		targets = lappend(targets, t);
	}
	list_sort(targets, sddl_target_cmp);
	return targets;
}

char *
sddl_target_name(const SddlLockTarget *t)
{
	if (t->nspname != NULL)
		return psprintf("%s.%s", t->nspname, t->relname);
	if (t->relname != NULL)
		return pstrdup(t->relname);
	return psprintf("%u", t->relid);
}

static int
sddl_target_cmp(const ListCell *a, const ListCell *b)
{
	const SddlLockTarget *ta = lfirst(a);
	const SddlLockTarget *tb = lfirst(b);

	if (ta->relid != tb->relid)
		return ta->relid < tb->relid ? -1 : 1;
	return 0;
}

/* Is bounded waiting switched on at all? */
bool
sddl_lockwait_enabled(void)
{
	return sddl_lock_wait_budget > 0;
}

/*
 * Run action(arg) once the locks in targets (from sddl_lock_targets) are
 * held, waiting for them within the budget.  may_queue: attempts may wait
 * in the lock queue, each in a light internal subtransaction around the
 * lock acquisition (top-level statements); otherwise locks are only polled
 * conditionally.  Either way the action runs once, after the locks are
 * held, outside any subtransaction of ours.
 *
 * On success stats holds the time spent acquiring the locks and the number
 * of attempts.  When the budget runs out, raises ERRCODE_LOCK_NOT_AVAILABLE
 * with PostgreSQL's own message, so that client retry wrappers keep working.
 */
void
sddl_lockwait_run(List *targets, bool may_queue, SddlLockStats *stats,
				  SddlLockedAction action, void *arg)
{
	SddlWaitPlan plan;
	SddlBlockers last = {0};
	instr_time	start;
	double		backoff = sddl_lock_retry_backoff;
	bool		force_queue = false;

	last.oldest_ms = -1;		/* nothing seen yet: start by polling */
	sddl_plan_waits(targets,
					IsTransactionBlock() || IsSubTransaction() || !may_queue,
					&plan);
	INSTR_TIME_SET_CURRENT(start);
	stats->attempts = 0;
	stats->wait_ms = 0;

	for (;;)
	{
		const SddlLockTarget *failed = NULL;
		bool		locked;
		double		elapsed = sddl_elapsed_ms(start);
		double		remaining = plan.budget_ms - elapsed;
		bool		queued;
		int			wait_ms;
		double		pause;

		stats->attempts++;

		/*
		 * Queue only where the strategy says so, or to let the deadlock
		 * detector see a cycle through us.
		 */
		queued = may_queue &&
			(force_queue ||
			 sddl_wait_strategy == SDDL_WAIT_QUEUE ||
			 (sddl_wait_strategy == SDDL_WAIT_HYBRID &&
			  (elapsed >= plan.budget_ms / 2 ||
			   (last.oldest_ms >= 0 && last.oldest_ms < plan.attempt_ms))));
		wait_ms = (int) Min((double) plan.attempt_ms, ceil(remaining));
		if (force_queue && !plan.user_lock_timeout)
			wait_ms = Max(wait_ms, DeadlockTimeout + SDDL_DEADLOCK_MARGIN_MS);
		wait_ms = Max(wait_ms, SDDL_MIN_ATTEMPT_MS);
		/* one long queued attempt per suspected cycle, then look again */
		force_queue = false;

		if (queued)
			locked = sddl_attempt_queued(targets, wait_ms, &failed);
		else
			locked = sddl_attempt_polled(targets, &failed);
		if (locked)
			break;

		/* who was in the way, for the DETAIL and the log */
		if (failed == NULL)
			failed = linitial(targets);
		sddl_collect_blockers(failed, &last);

		/*
		 * The log names who was in the way.  A reading that found nobody
		 * (the blocker ended between the failed attempt and the reading)
		 * keeps the sessions an earlier reading found: they are what the
		 * statement waited for.
		 */
		if (last.text != NULL || stats->blockers == NULL)
			stats->blockers = last.json;

		elapsed = sddl_elapsed_ms(start);
		stats->wait_ms = elapsed;
		if (elapsed >= plan.budget_ms)
			sddl_raise_timeout(&plan, stats->attempts, elapsed, &last);

		elog(DEBUG1, "safe_ddl: %s on \"%s\" not available at attempt %d, retrying",
			 GetLockmodeName(DEFAULT_LOCKMETHOD, failed->mode),
			 sddl_target_name(failed),
			 stats->attempts);

		if (last.waiting_on_us && may_queue)
		{
			/* possible deadlock: queue now, without pausing */
			force_queue = true;
			continue;
		}

		pause = backoff * ((1.0 - SDDL_BACKOFF_JITTER) +
						   SDDL_BACKOFF_JITTER * SddlRandomDouble());
		pause = Min(pause, plan.budget_ms - elapsed);
		sddl_sleep_ms(pause);
		backoff = Min(backoff * 2, (double) sddl_lock_retry_max_backoff);
	}

	stats->wait_ms = sddl_elapsed_ms(start);
	sddl_run_bounded(action, arg, plan.budget_ms - stats->wait_ms);
}

/*
 * Run the statement, once, with the locks safe_ddl foresaw held.  Any other
 * lock it needs waits in the queue for at most what is left of the budget:
 * lock_timeout is set to that while it runs, at a GUC nest level of its own
 * (the way a function's SET clause is applied), restored after it; an
 * error's (sub)transaction abort restores it too.  A client's lower
 * lock_timeout already made the budget smaller (sddl_plan_waits).
 */
static void
sddl_run_bounded(SddlLockedAction action, void *arg, double remaining_ms)
{
	int			nest = NewGUCNestLevel();

	sddl_set_lock_timeout((int) Max(ceil(remaining_ms), SDDL_MIN_ATTEMPT_MS));
	action(arg);
	AtEOXact_GUC(true, nest);
}

/*
 * A pre-existing relation, other than the targets, on which this
 * transaction holds a lock that blocks the application's writes
 * (ShareLock or stronger), as "schema.relation" with that mode; the one of
 * lowest OID when there are several; NULL if none.
 *
 * Read from this backend's own entries of the shared lock table
 * (PGPROC.myProcLocks), one partition at a time under its lock in shared
 * mode.  A lock that strong is never a fast-path lock, so these are all
 * of them, as pg_locks shows them.  (Before: a copy of the whole lock
 * table, GetLockStatusData, which scans every backend's entries under all
 * partition locks: about 120,000 instructions a statement at the default
 * max_connections; bench/exec_overhead.sh, workload ddl_tx.)  A partition
 * whose list is empty is skipped without taking its lock, as
 * LockReleaseAll does: only another backend moving one of our fast-path
 * locks into the main table can add to it meanwhile, and those are weak.
 * The relation cache is read only after the partition lock is released.
 */
static char *
sddl_strongly_held_elsewhere(List *targets, LOCKMODE *mode)
{
	List	   *relids = NIL;
	List	   *modes = NIL;
	ListCell   *lc1;
	Oid			found = InvalidOid;
	char	   *name = NULL;

	for (int i = 0; i < NUM_LOCK_PARTITIONS; i++)
	{
		SDDL_PROCLOCK_ITER(it);

		if (SDDL_MY_PROCLOCKS_EMPTY(i))
			continue;
		LWLockAcquire(LockHashPartitionLockByIndex(i), LW_SHARED);
		SDDL_FOREACH_MY_PROCLOCK(it, i)
		{
			PROCLOCK   *pl = SDDL_PROCLOCK(it);
			const LOCKTAG *tag = &pl->tag.myLock->tag;
			LOCKMODE	strongest = NoLock;

			if (tag->locktag_type != LOCKTAG_RELATION ||
				tag->locktag_field1 != MyDatabaseId)
				continue;
			for (LOCKMODE m = ShareLock; m <= AccessExclusiveLock; m++)
				if (pl->holdMask & LOCKBIT_ON(m))
					strongest = m;
			if (strongest == NoLock)
				continue;
			relids = lappend_oid(relids, (Oid) tag->locktag_field2);
			modes = lappend_int(modes, strongest);
		}
		LWLockRelease(LockHashPartitionLockByIndex(i));
	}

	foreach(lc1, relids)
	{
		Oid			relid = lfirst_oid(lc1);
		bool		is_target = false;
		ListCell   *lc;
		Relation	rel;

		if (OidIsValid(found) && relid > found)
			continue;
		foreach(lc, targets)
			if (((SddlLockTarget *) lfirst(lc))->relid == relid)
				is_target = true;
		if (is_target || IsCatalogRelationOid(relid))
			continue;

		/* we hold a lock on it, so it cannot go away under us */
		rel = RelationIdGetRelation(relid);
		if (rel == NULL)
			continue;
		if (!RELATION_IS_LOCAL(rel))
		{
			found = relid;
			*mode = (LOCKMODE) list_nth_int(modes, foreach_current_index(lc1));
			name = psprintf("%s.%s",
							get_namespace_name(RelationGetNamespace(rel)),
							RelationGetRelationName(rel));
		}
		RelationClose(rel);
	}
	return name;
}

/*
 * Decide the budget and the per-attempt wait.
 *
 * A client's own lock_timeout, when lower, wins: it bounds both.  Its
 * statement_timeout is left to the server, which cancels us as usual.
 * When the transaction already holds a lock blocking the application's
 * writes on another pre-existing relation, every millisecond we wait
 * stalls that relation too, so the tighter holding budget applies.
 */
static void
sddl_plan_waits(List *targets, bool check_holding, SddlWaitPlan *plan)
{
	plan->budget_ms = sddl_lock_wait_budget;
	plan->attempt_ms = sddl_lock_timeout;
	plan->user_lock_timeout = false;
	plan->holding_rel = NULL;
	plan->holding_mode = NoLock;

	/* only a tighter holding budget makes the test worth its cost */
	if (check_holding && sddl_lock_wait_budget_holding < plan->budget_ms)
	{
		plan->holding_rel = sddl_strongly_held_elsewhere(targets,
														 &plan->holding_mode);
		if (plan->holding_rel != NULL)
			plan->budget_ms = sddl_lock_wait_budget_holding;
	}

	if (LockTimeout > 0 && LockTimeout <= plan->budget_ms)
	{
		plan->budget_ms = LockTimeout;
		plan->user_lock_timeout = true;
	}
	plan->attempt_ms = (int) Min((double) plan->attempt_ms, plan->budget_ms);
	if (plan->attempt_ms < SDDL_MIN_ATTEMPT_MS)
		plan->attempt_ms = SDDL_MIN_ATTEMPT_MS;
}

static double
sddl_elapsed_ms(instr_time start)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	return INSTR_TIME_GET_MILLISEC(now);
}

/*
 * Sleep, interruptibly: a cancel (pg_cancel_backend, Ctrl-C) or
 * statement_timeout sets our latch and CHECK_FOR_INTERRUPTS raises its
 * error at once.
 */
static void
sddl_sleep_ms(double ms)
{
	instr_time	start;

	INSTR_TIME_SET_CURRENT(start);
	for (;;)
	{
		double		left;

		CHECK_FOR_INTERRUPTS();
		left = ms - sddl_elapsed_ms(start);
		if (left <= 0)
			break;
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 (long) ceil(left), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* Set lock_timeout at the current GUC nest level (undone by AtEOXact_GUC). */
static void
sddl_set_lock_timeout(int ms)
{
	char		buf[32];

	snprintf(buf, sizeof(buf), "%d", ms);
	(void) set_config_option("lock_timeout", buf, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

/*
 * Take the locks in order.  Conditional: stop at the first one not
 * available, and say which.  Queued: wait within lock_timeout, which raises
 * 55P03 when it expires.
 */
static bool
sddl_take_locks(List *targets, bool queued, const SddlLockTarget **failed,
				int *ntaken)
{
	ListCell   *lc;

	*ntaken = 0;
	foreach(lc, targets)
	{
		const SddlLockTarget *t = lfirst(lc);

		*failed = t;
		sddl_trying = t;
		if (queued)
			LockRelationOid(t->relid, t->mode);
		else if (!ConditionalLockRelationOid(t->relid, t->mode))
		{
			sddl_trying = NULL;
			return false;
		}
		(*ntaken)++;
	}
	*failed = NULL;
	sddl_trying = NULL;
	return true;
}

/*
 * One queued attempt, in a light internal subtransaction around the lock
 * acquisition only, following pl_exec.c's exception block: on a lock
 * timeout, roll back (releasing whatever the attempt locked) and report
 * failure; on success, release the subtransaction, which hands its locks
 * to the enclosing transaction.  Nothing in it writes, so it assigns no
 * transaction ID and touches no statistics.  Any error other than a lock
 * timeout (a deadlock, 40P01; a cancel) is re-thrown after the rollback.
 */
static bool
sddl_attempt_queued(List *targets, int wait_ms,
					const SddlLockTarget **failed)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	const SddlLockTarget *volatile failed_target = NULL;
	volatile bool locked = false;

	sddl_trying = NULL;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);

	PG_TRY();
	{
		int			nest = NewGUCNestLevel();
		const SddlLockTarget *f = NULL;
		int			ntaken;

		sddl_set_lock_timeout(wait_ms);
		locked = sddl_take_locks(targets, true, &f, &ntaken);
		failed_target = f;
		AtEOXact_GUC(true, nest);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		failed_target = sddl_trying;
		sddl_trying = NULL;

		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;

		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			ReThrowError(edata);
		FreeErrorData(edata);
		locked = false;
	}
	PG_END_TRY();

	*failed = failed_target;
	return locked;
}

/*
 * One polled attempt, without a subtransaction: conditional acquisition
 * only, releasing the locks this attempt took when one is missing.
 * Unlocking only drops this attempt's reference: a lock the transaction
 * held before stays held.
 */
static bool
sddl_attempt_polled(List *targets, const SddlLockTarget **failed)
{
	int			ntaken;
	ListCell   *lc;
	int			i = 0;

	if (sddl_take_locks(targets, false, failed, &ntaken))
		return true;
	foreach(lc, targets)
	{
		const SddlLockTarget *t = lfirst(lc);

		if (i++ >= ntaken)
			break;
		UnlockRelationOid(t->relid, t->mode);
	}
	return false;
}
