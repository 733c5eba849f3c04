/*-------------------------------------------------------------------------
 *
 * log_inflight.c
 *	  Statements in flight: an intercepted statement that never reaches its
 *	  own sddl_log_event() call still gets its lock log row.
 *
 * The hook logs a statement when it ends, in its PG_CATCH block when it
 * fails.  A FATAL error (pg_terminate_backend, idle_session_timeout, the
 * postmaster's smart or fast shutdown) does not unwind to that block: the
 * backend exits from inside errfinish().  So the hook announces the
 * statement first, with sddl_log_statement_begin(), which keeps a copy of
 * the event in backend-local memory; sddl_log_event() on that event ends
 * it.  What is still announced when
 *
 * - the backend exits (a before_shmem_exit callback) is logged as
 *   "terminated", with the SQLSTATE and message of the FATAL error that
 *   ended it (taken by an emit_log_hook);
 * - a statement announced after another and not ended when that one ends
 *   (an error went around its own logging) is logged as "failed".
 *
 * Not at transaction abort: a rewrite aborts and starts transactions
 * itself while its statement is still running.
 *
 * A backend killed with SIGKILL or SIGQUIT runs no code.  For those, each
 * announced statement also counts in the shared "inflight" counter until it
 * is logged: what is left there when the postmaster tears shared memory
 * down (log_persist.c) is counted as lost.
 *
 * Announcements nest (a statement run while another is in flight), up to
 * SDDL_LOG_MAX_INFLIGHT deep; deeper ones are not tracked.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/log/log_inflight.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "portability/instr_time.h"
#include "storage/ipc.h"
#include "utils/elog.h"
#include "utils/memutils.h"

#include "log/log.h"
#include "log/log_shmem.h"

#define SDDL_LOG_MAX_INFLIGHT	8

typedef struct SddlInflight
{
	const void *key;			/* the caller's event */
	SddlLogEvent event;			/* a copy, in sddl_inflight_cxt */
	instr_time	start;
} SddlInflight;

static SddlInflight sddl_inflight[SDDL_LOG_MAX_INFLIGHT];
static int	sddl_inflight_depth = 0;
static MemoryContext sddl_inflight_cxt = NULL;

/* The last error reported while a statement was in flight */
static int	sddl_inflight_errcode = 0;
static char sddl_inflight_message[SDDL_LOG_ERROR_LEN];

static emit_log_hook_type prev_emit_log_hook = NULL;

static char *
sddl_inflight_strdup(const char *s)
{
	return s ? MemoryContextStrdup(sddl_inflight_cxt, s) : NULL;
}

/*
 * Log every statement still in flight above depth "to", innermost first,
 * with this outcome.  Never raises an error.
 */
static void
sddl_inflight_finish(int to, const char *outcome)
{
	while (sddl_inflight_depth > to)
	{
		SddlInflight *f = &sddl_inflight[--sddl_inflight_depth];
		SddlLogEvent ev = f->event;
		instr_time	elapsed;

		if (sddl_log_shared != NULL)
			pg_atomic_fetch_sub_u32(&sddl_log_shared->inflight, 1);
		INSTR_TIME_SET_CURRENT(elapsed);
		INSTR_TIME_SUBTRACT(elapsed, f->start);
		ev.duration_ms = INSTR_TIME_GET_MILLISEC(elapsed);
		ev.outcome = outcome;
		if (sddl_inflight_errcode != 0)
		{
			ev.sqlstate = unpack_sql_state(sddl_inflight_errcode);
			ev.error = sddl_inflight_message;
		}
		sddl_log_event(&ev);
	}
	if (sddl_inflight_depth == 0)
	{
		sddl_inflight_errcode = 0;
		MemoryContextReset(sddl_inflight_cxt);
	}
}

/* A FATAL error (or an ERROR going around the caller): keep its details */
static void
sddl_inflight_emit_log(ErrorData *edata)
{
	if (sddl_inflight_depth > 0 && edata->elevel >= ERROR)
	{
		sddl_inflight_errcode = edata->sqlerrcode;
		strlcpy(sddl_inflight_message, edata->message ? edata->message : "",
				sizeof(sddl_inflight_message));
	}
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

static void
sddl_inflight_exit(int code, Datum arg)
{
	sddl_inflight_finish(0, "terminated");
}

/* Set up the callbacks, once per backend, at its first announcement. */
static void
sddl_inflight_setup(void)
{
	sddl_inflight_cxt = AllocSetContextCreate(TopMemoryContext,
											  "safe_ddl statements in flight",
											  ALLOCSET_SMALL_SIZES);
	before_shmem_exit(sddl_inflight_exit, (Datum) 0);
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = sddl_inflight_emit_log;
}

/*
 * Announce a statement whose event will be logged with
 * sddl_log_event(event) (or dropped with sddl_log_statement_end(event)).
 * The event's strings are copied: the caller may change its own event
 * afterwards.  Call it after the last point where an error may leave the
 * caller without logging.
 */
void
sddl_log_statement_begin(const SddlLogEvent *event)
{
	SddlInflight *f;
	MemoryContext oldcxt;

	if (sddl_log_shared == NULL || sddl_log_off() ||
		sddl_inflight_depth >= SDDL_LOG_MAX_INFLIGHT)
		return;
	if (sddl_inflight_cxt == NULL)
		sddl_inflight_setup();

	oldcxt = MemoryContextSwitchTo(sddl_inflight_cxt);
	f = &sddl_inflight[sddl_inflight_depth];
	f->key = event;
	f->event = *event;
	f->event.command = sddl_inflight_strdup(event->command);
	f->event.statement = sddl_inflight_strdup(event->statement);
	f->event.relations = sddl_inflight_strdup(event->relations);
	f->event.lock_mode = sddl_inflight_strdup(event->lock_mode);
	f->event.rule = sddl_inflight_strdup(event->rule);
	f->event.rewritten_to = sddl_inflight_strdup(event->rewritten_to);
	f->event.blockers = NULL;
	f->event.sqlstate = NULL;
	f->event.error = NULL;
	INSTR_TIME_SET_CURRENT(f->start);
	MemoryContextSwitchTo(oldcxt);

	if (sddl_inflight_depth == 0)
		sddl_inflight_errcode = 0;
	pg_atomic_fetch_add_u32(&sddl_log_shared->inflight, 1);
	sddl_inflight_depth++;
}

/*
 * The statement of this event ends (sddl_log_event() calls this for every
 * event it gets).  Statements announced after it and not ended, which an
 * error made skip their own logging, are logged as failed.
 */
void
sddl_log_statement_end(const SddlLogEvent *event)
{
	int			i;

	for (i = sddl_inflight_depth - 1; i >= 0; i--)
	{
		if (sddl_inflight[i].key == event)
		{
			sddl_inflight_finish(i + 1, "failed");
			/* the caller logs this one itself */
			sddl_inflight_depth = i;
			if (sddl_log_shared != NULL)
				pg_atomic_fetch_sub_u32(&sddl_log_shared->inflight, 1);
			if (i == 0)
			{
				sddl_inflight_errcode = 0;
				MemoryContextReset(sddl_inflight_cxt);
			}
			return;
		}
	}
}
