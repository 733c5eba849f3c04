/*-------------------------------------------------------------------------
 *
 * log.c
 *	  The durable lock log (see log.h).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/log.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "log.h"

/*
 * Set up the log's settings, shared memory and background worker.  Called
 * from _PG_init while shared_preload_libraries is being processed.
 */
void
sddl_log_init(void)
{
}

/*
 * Record one event.  Never raises an error: logging must not fail DDL.
 * The foundation reports events at DEBUG1 only.
 */
void
sddl_log_event(const SddlLogEvent *event)
{
	elog(DEBUG1, "safe_ddl: %s: %s", event->command, event->outcome);
}
