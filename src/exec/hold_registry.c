/*-------------------------------------------------------------------------
 *
 * hold_registry.c
 *	  The strong locks this transaction holds since a statement safe_ddl
 *	  intercepted (see hold.h).
 *
 * The list lives in TopTransactionContext and follows the locks: a
 * subtransaction's entries pass to its parent when it commits and vanish
 * when it aborts (its locks are released), and everything is forgotten at
 * the end of the transaction.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/hold_registry.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/timestamp.h"

#include "analysis/analysis.h"
#include "exec/hold.h"
#include "exec/hold_int.h"

bool		sddl_hold_active = false;

/* SddlHeldLock *, in TopTransactionContext */
static List *sddl_held = NIL;

static void sddl_hold_xact_callback(XactEvent event, void *arg);
static void sddl_hold_subxact_callback(SubXactEvent event,
									   SubTransactionId mySubid,
									   SubTransactionId parentSubid,
									   void *arg);

void
sddl_hold_init(void)
{
	RegisterXactCallback(sddl_hold_xact_callback, NULL);
	RegisterSubXactCallback(sddl_hold_subxact_callback, NULL);
	sddl_hold_budget_init();
}

/* The strongest lock that blocks the application held on relid, or NoLock. */
static LOCKMODE
sddl_blocking_mode_held(Oid relid)
{
	Relation	rel = RelationIdGetRelation(relid);
	LOCKMODE	held = NoLock;

	if (rel == NULL)
		return NoLock;
	for (LOCKMODE mode = AccessExclusiveLock; mode > NoLock; mode--)
	{
		if (!sddl_lock_blocks_writes(mode))
			break;
		if (CheckRelationLockedByMe(rel, mode, false))
		{
			held = mode;
			break;
		}
	}
	RelationClose(rel);
	return held;
}

static SddlHeldLock *
sddl_hold_find(Oid relid)
{
	ListCell   *lc;

	foreach(lc, sddl_held)
	{
		SddlHeldLock *h = (SddlHeldLock *) lfirst(lc);

		if (h->relid == relid)
			return h;
	}
	return NULL;
}

void
sddl_hold_note(List *relations, const char *statement)
{
	MemoryContext oldcxt;
	ListCell   *lc;
	bool		changed = false;

	if (relations == NIL)
		return;
	oldcxt = MemoryContextSwitchTo(TopTransactionContext);
	foreach(lc, relations)
	{
		SddlRelation *r = (SddlRelation *) lfirst(lc);
		LOCKMODE	mode = sddl_blocking_mode_held(r->relid);
		SddlHeldLock *h;

		if (mode == NoLock)
			continue;
		/* the first statement that took a blocking lock started the harm */
		h = sddl_hold_find(r->relid);
		if (h != NULL)
		{
			if (mode > h->mode)
			{
				h->mode = mode;
				changed = true;
			}
			continue;
		}
		h = palloc0(sizeof(SddlHeldLock));
		h->relid = r->relid;
		h->mode = mode;
		h->relname = quote_qualified_identifier(r->nspname, r->relname);
		h->statement = pstrdup(statement ? statement : "");
		/* the lock was taken during the statement: count from its start */
		h->since = GetCurrentStatementStartTimestamp();
		h->subid = GetCurrentSubTransactionId();
		sddl_held = lappend(sddl_held, h);
		changed = true;
	}
	MemoryContextSwitchTo(oldcxt);
	sddl_hold_active = (sddl_held != NIL);
	if (changed)
		sddl_hold_changed();
}

List *
sddl_hold_list(void)
{
	return sddl_held;
}

static void
sddl_hold_forget(void)
{
	/* the memory goes with TopTransactionContext */
	sddl_held = NIL;
	sddl_hold_active = false;
	sddl_hold_changed();
}

static void
sddl_hold_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			if (sddl_held != NIL || sddl_hold_active)
			{
				sddl_hold_ending(event == XACT_EVENT_ABORT ||
								 event == XACT_EVENT_PARALLEL_ABORT);
				sddl_hold_forget();
			}
			break;
		default:
			break;
	}
}

static void
sddl_hold_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						   SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	if (sddl_held == NIL)
		return;
	switch (event)
	{
		case SUBXACT_EVENT_COMMIT_SUB:
			foreach(lc, sddl_held)
			{
				SddlHeldLock *h = (SddlHeldLock *) lfirst(lc);

				if (h->subid == mySubid)
					h->subid = parentSubid;
			}
			break;
		case SUBXACT_EVENT_ABORT_SUB:
			foreach(lc, sddl_held)
			{
				SddlHeldLock *h = (SddlHeldLock *) lfirst(lc);

				if (h->subid == mySubid)
					sddl_held = foreach_delete_current(sddl_held, lc);
			}
			sddl_hold_active = (sddl_held != NIL);
			sddl_hold_changed();
			break;
		default:
			break;
	}
}
