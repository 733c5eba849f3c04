/*-------------------------------------------------------------------------
 *
 * utility.c
 *	  Utility statements the worker side must hear of before they run,
 *	  whatever safe_ddl.mode says (see sddl_defer_before_utility in
 *	  defer.h): the commands on a whole database that PostgreSQL refuses
 *	  while another session is connected to it, and COMMIT PREPARED.
 *
 * Database commands.  DROP DATABASE, ALTER DATABASE ... RENAME TO, ALTER
 * DATABASE ... SET TABLESPACE and CREATE DATABASE ... TEMPLATE fail with
 * "database ... is being accessed by other users" while any other process
 * is connected to the database (CountOtherDBBackends, which waits up to 5
 * seconds for them to leave).  Autovacuum workers are told to go; a
 * background worker is not before PostgreSQL 19, and then only when it is
 * flagged BGWORKER_INTERRUPTIBLE (launcher.c sets the flag where it
 * exists).  So before such a command runs, the session that runs it:
 *
 *   1. takes the lock on the database that the command takes itself, in
 *      the same mode and transaction (so nothing changes for the command):
 *      from then on, a worker that starts connecting waits in its startup
 *      for the command to finish, before it announces itself in the
 *      database, and so is not counted (InitPostgres announces a backend
 *      only once it holds its lock on the database);
 *   2. terminates the database's deferred-build worker if one is
 *      connected, as DROP DATABASE does with autovacuum.  Its build ends at
 *      once; the item stays "running" under the dead process, and the next
 *      worker of the database (launched again after SDDL_DEFER_RESTART_MS)
 *      drops the invalid index and retries it (claim.c, build.c).  After a
 *      DROP DATABASE that worker cannot connect, and the database is
 *      forgotten (worker.c).
 *
 * Only for a role that owns the database (a superuser does): for anyone
 * else PostgreSQL refuses the command anyway, and no one else may stop a
 * build.
 *
 * COMMIT PREPARED.  A transaction that queued items and was prepared wakes
 * nobody at PREPARE (notify.c): its rows are not visible until COMMIT
 * PREPARED, which runs in another transaction, maybe another session, maybe
 * after a restart.  A prepared transaction keeps its locks, and one that
 * wrote to safe_ddl.deferred_queue holds ROW EXCLUSIVE on it: a conditional
 * SHARE lock on the queue fails then.  So COMMIT PREPARED wakes the worker
 * (at the commit of its own transaction) when that probe fails: never
 * missed, and rarely for nothing (another session writing to the queue at
 * that moment).  No 2PC state or shared memory is needed, and the probe
 * costs one lock attempt in databases with safe_ddl installed.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/defer/utility.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_database.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/acl.h"

#include "compat.h"
#include "defer/defer.h"
#include "defer/defer_int.h"
#include "defer/worker_int.h"

/* The database CREATE DATABASE copies when the statement names none. */
#define SDDL_DEFAULT_TEMPLATE	"template1"

/*
 * Before a command that needs database dbname to itself: see the file
 * header.  lockmode is the lock the command takes on the database.
 */
static void
sddl_defer_release_database(const char *dbname, LOCKMODE lockmode,
							bool top_level_only, bool top_level,
							const char *command)
{
	SddlDeferShared *shared = sddl_defer_shared;
	Oid			dbid;
	pid_t		pid = 0;
	int			i;

	/*
	 * Where the command fails anyway (PreventInTransactionBlock, a
	 * standby), it fails with PostgreSQL's message and stops nothing.
	 */
	if (shared == NULL || dbname == NULL || RecoveryInProgress() ||
		(top_level_only && (!top_level || IsTransactionBlock())))
		return;
	dbid = get_database_oid(dbname, true);
	if (!OidIsValid(dbid) || dbid == MyDatabaseId ||
		!SddlDatabaseOwnercheck(dbid))
		return;					/* the command fails on its own */

	LockSharedObject(DatabaseRelationId, dbid, 0, lockmode);

	SpinLockAcquire(&shared->mutex);
	i = sddl_defer_slot_find(dbid, false);
	if (i >= 0)
		pid = shared->slots[i].worker_pid;
	SpinLockRelease(&shared->mutex);
	if (pid == 0)
		return;

	/*
	 * Only a worker already connected to the database: one still starting
	 * waits for our lock, and must not be stopped before it connects (it
	 * would take the database for a dropped one and forget it).
	 */
	{
		PGPROC	   *proc = BackendPidGetProc(pid);

		if (proc == NULL || proc->databaseId != dbid)
			return;
	}
	ereport(LOG,
			(errmsg("safe_ddl is stopping the deferred-build worker of database \"%s\" (process %d) for %s",
					dbname, (int) pid, command),
			 errdetail("A build it was running is retried by the database's next worker.")));
	if (kill(pid, SIGTERM) != 0 && errno != ESRCH)
		ereport(WARNING,
				(errmsg("safe_ddl could not signal the deferred-build worker (process %d): %m",
						(int) pid)));
}

/* The option name of a CREATE/ALTER DATABASE statement, or NULL. */
static DefElem *
sddl_database_option(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if (strcmp(opt->defname, name) == 0)
			return opt;
	}
	return NULL;
}

/* COMMIT PREPARED: see the file header. */
static void
sddl_defer_commit_prepared(void)
{
	Oid			queue = sddl_defer_queue_relid();

	if (!OidIsValid(queue))
		return;
	if (ConditionalLockRelationOid(queue, ShareLock))
	{
		/* nobody, prepared or not, has written to the queue */
		UnlockRelationOid(queue, ShareLock);
		return;
	}
	sddl_defer_note_queued();
}

void
sddl_defer_utility(Node *stmt, bool top_level)
{
	switch (nodeTag(stmt))
	{
		case T_DropdbStmt:
			sddl_defer_release_database(((DropdbStmt *) stmt)->dbname,
										AccessExclusiveLock, true, top_level,
										"DROP DATABASE");
			break;
		case T_RenameStmt:
			if (((RenameStmt *) stmt)->renameType != OBJECT_DATABASE)
				break;
			sddl_defer_release_database(((RenameStmt *) stmt)->subname,
										AccessExclusiveLock, false, top_level,
										"ALTER DATABASE ... RENAME TO");
			break;
		case T_AlterDatabaseStmt:
			{
				AlterDatabaseStmt *ad = (AlterDatabaseStmt *) stmt;

				if (sddl_database_option(ad->options, "tablespace") != NULL)
					sddl_defer_release_database(ad->dbname, AccessExclusiveLock,
												true, top_level,
												"ALTER DATABASE ... SET TABLESPACE");
				break;
			}
		case T_CreatedbStmt:
			{
				DefElem    *opt = sddl_database_option(((CreatedbStmt *) stmt)->options,
													   "template");

				sddl_defer_release_database(opt != NULL && opt->arg != NULL ?
											defGetString(opt) :
											SDDL_DEFAULT_TEMPLATE,
											ShareLock, true, top_level,
											"CREATE DATABASE ... TEMPLATE");
				break;
			}
		case T_TransactionStmt:
			if (((TransactionStmt *) stmt)->kind == TRANS_STMT_COMMIT_PREPARED)
				sddl_defer_commit_prepared();
			break;
		default:
			break;
	}
}
