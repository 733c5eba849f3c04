/*-------------------------------------------------------------------------
 *
 * notify.c
 *	  Remembering that the current transaction queued deferred work, so that
 *	  its commit can wake the database's deferred-build worker.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/defer/notify.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "defer/defer.h"

/* Set when the current transaction queued an item; cleared at its end. */
static bool sddl_defer_queued_in_xact = false;

void
sddl_defer_note_queued(void)
{
	/* The worker side turns this into a wake-up at commit (issue 13). */
	sddl_defer_queued_in_xact = true;
}
