/*-------------------------------------------------------------------------
 *
 * lockwait_int.h
 *	  What the bounded lock waits (lockwait.c) share with the report of who
 *	  was in the way (blockers.c).  Private to exec/: other layers use
 *	  executor.h.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/lockwait_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_LOCKWAIT_INT_H
#define SAFE_DDL_LOCKWAIT_INT_H

#include "storage/lockdefs.h"

#include "compat.h"

/* One lock to take before the statement runs. */
typedef struct SddlLockTarget
{
	Oid			relid;
	LOCKMODE	mode;
	/* the analysis' names, for messages (sddl_target_name) */
	const char *nspname;
	const char *relname;
} SddlLockTarget;

/*
 * "schema.relation" for messages, built only when one is needed: the
 * statements that wait for nothing never format it.
 */
extern char *sddl_target_name(const SddlLockTarget *t);

/* How long this statement may wait, decided once before the first attempt. */
typedef struct SddlWaitPlan
{
	double		budget_ms;		/* total */
	int			attempt_ms;		/* per queued attempt */
	bool		user_lock_timeout;	/* the client's lock_timeout set them */
	const char *holding_rel;	/* a relation this transaction already
								 * holds strongly, or NULL */
	LOCKMODE	holding_mode;
} SddlWaitPlan;

/* What the blockers query saw at one failed attempt. */
typedef struct SddlBlockers
{
	char	   *json;			/* JSON array */
	char	   *text;			/* for the DETAIL */
	bool		waiting_on_us;	/* a blocker waits for a lock we hold */
	double		oldest_ms;		/* age of the oldest blocking transaction,
								 * -1 if unknown or none */
	const SddlLockTarget *target;	/* the lock that was not available */
} SddlBlockers;

/*
 * The sessions holding a lock on target's relation that conflicts with
 * the mode we need; never fails (a cancel excepted).
 */
extern void sddl_collect_blockers(const SddlLockTarget *target,
								  SddlBlockers *out);

/* The budget ran out: raise lock_timeout's error, with what was tried. */
extern void sddl_raise_timeout(const SddlWaitPlan *plan, int attempts,
							   double waited_ms, const SddlBlockers *last)
			pg_attribute_noreturn();

#endif							/* SAFE_DDL_LOCKWAIT_INT_H */
