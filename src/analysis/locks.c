/*-------------------------------------------------------------------------
 *
 * locks.c
 *	  Lock-mode facts: their pg_locks names, what they block, and which
 *	  one this transaction already holds on a relation.
 *
 * The one place that knows how the table-level lock modes relate to the
 * application's reads and writes; the other layers ask through
 * analysis.h.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/locks.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "storage/lmgr.h"
#include "storage/lockdefs.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"

const char *
sddl_lockmode_name(LOCKMODE mode)
{
	switch (mode)
	{
		case NoLock:
			return "NoLock";
		case AccessShareLock:
			return "AccessShareLock";
		case RowShareLock:
			return "RowShareLock";
		case RowExclusiveLock:
			return "RowExclusiveLock";
		case ShareUpdateExclusiveLock:
			return "ShareUpdateExclusiveLock";
		case ShareLock:
			return "ShareLock";
		case ShareRowExclusiveLock:
			return "ShareRowExclusiveLock";
		case ExclusiveLock:
			return "ExclusiveLock";
		case AccessExclusiveLock:
			return "AccessExclusiveLock";
		default:
			return "UnknownLock";
	}
}

/* Plain SELECTs take AccessShareLock: only ACCESS EXCLUSIVE blocks them. */
bool
sddl_lock_blocks_reads(LOCKMODE mode)
{
	return mode >= AccessExclusiveLock;
}

/* INSERT/UPDATE/DELETE take RowExclusiveLock. */
bool
sddl_lock_blocks_writes(LOCKMODE mode)
{
	return mode >= ShareLock;
}

/* Strongest lock this transaction holds on a relation, NoLock if none. */
LOCKMODE
sddl_held_mode(Relation rel)
{
	for (LOCKMODE mode = AccessExclusiveLock; mode > NoLock; mode--)
	{
		if (CheckRelationLockedByMe(rel, mode, false))
			return mode;
	}
	return NoLock;
}
