/*-------------------------------------------------------------------------
 *
 * log.h
 *	  The durable lock log: every intercepted statement, its lock waits and
 *	  its outcome, recorded even when its transaction aborts.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/log/log.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_LOG_H
#define SAFE_DDL_LOG_H

/* One row of safe_ddl.lock_log, as the hook describes it. */
typedef struct SddlLogEvent
{
	const char *command;		/* command tag */
	const char *statement;		/* text of this statement only */
	const char *relations;		/* "schema.rel:LockMode" items, comma
								 * separated */
	const char *lock_mode;		/* strongest mode requested */
	double		lock_wait_ms;
	int			attempts;
	double		duration_ms;
	const char *outcome;		/* allowed, warned, rewritten, rejected,
								 * lock_timeout, failed, override,
								 * terminated */
	const char *rule;
	const char *rewritten_to;
	const char *blockers;		/* JSON array */
	const char *sqlstate;		/* five characters, or NULL */
	const char *error;			/* message of a failure */
} SddlLogEvent;

extern void sddl_log_init(void);
extern void sddl_log_event(const SddlLogEvent *event);

/*
 * A statement in flight (log_inflight.c): if it never reaches
 * sddl_log_event(event), because the session was terminated or an error
 * went around the caller, it is logged anyway, as "terminated" or "failed".
 */
extern void sddl_log_statement_begin(const SddlLogEvent *event);
extern void sddl_log_statement_end(const SddlLogEvent *event);

#endif							/* SAFE_DDL_LOG_H */
