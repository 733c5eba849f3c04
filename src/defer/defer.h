/*-------------------------------------------------------------------------
 *
 * defer.h
 *	  Deferred online builds (issue 13): the interface between the
 *	  statement side (a migration's CREATE INDEX or constraint validation
 *	  queued in safe_ddl.deferred_queue inside the client's transaction) and
 *	  the worker side (a background worker per database that builds the
 *	  queued items online after commit).  See docs/deferred-builds.md.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/defer/defer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_DEFER_H
#define SAFE_DDL_DEFER_H

#include "analysis/analysis.h"
#include "compat.h"
#include "exec/executor.h"
#include "policy/policy.h"

/*
 * Called by the statement side after it inserted a row into
 * safe_ddl.deferred_queue in the current transaction.  When that transaction
 * commits, the worker side wakes this database's deferred-build worker; a
 * rollback wakes nobody.
 */
extern void sddl_defer_note_queued(void);

/*
 * Statement side (queue.c, statement.c, consistency.c).
 *
 * A queued row's statement is what the worker runs, as written, with
 * search_path set to the row's search_path column (the schemas the client's
 * search_path resolved to when it was queued, quoted and comma separated):
 * the deferred CREATE INDEX keeps the client's own text, whose functions,
 * operator classes and collations may be unqualified.
 */

/* Does this database have the queue (safe_ddl 0.3 or later installed)? */
extern bool sddl_defer_queue_exists(void);

/*
 * Run what policy deferred (decision->action == SDDL_ACTION_DEFER) in the
 * client's transaction (original: the text of the statement alone): queue the CREATE INDEX CONCURRENTLY, or add the
 * constraints NOT VALID (bounded lock waits) and queue their VALIDATE.
 * Reports the decision's NOTICE, with what was queued; the statements
 * queued go to stats->rewritten_to.
 */
extern void sddl_defer_statement(SddlAnalysis *analysis, SddlDecision *decision,
								 const char *original, SddlLockStats *stats,
								 SDDL_PROCESS_UTILITY_PARAMS);

/*
 * Before safe_ddl handles a statement (consistency.c): one that needs an
 * object a still-queued deferred item will create fails with a message
 * naming the item; a DROP of such an index, constraint or table cancels
 * the items.  Returns the statement to handle: pstmt, a modified copy (an
 * unnamed CREATE INDEX named so as not to take a queued name, a DROP INDEX
 * without the queued indexes), or NULL when nothing is left to run, with
 * *done_as saying what was done instead (the cancellations, as SQL).
 */
extern PlannedStmt *sddl_defer_check_statement(PlannedStmt *pstmt,
											   char **done_as);

/*
 * Before every utility statement, in every safe_ddl.mode (utility.c): a
 * command that needs a whole database to itself (DROP DATABASE, ALTER
 * DATABASE ... RENAME TO / SET TABLESPACE, CREATE DATABASE ... TEMPLATE)
 * first stops that database's deferred-build worker, and COMMIT PREPARED of
 * a transaction that queued items wakes it.  top_level: the statement is
 * the client's own, not one run by a function or procedure.  Every other
 * statement leaves after one switch on its node tag.
 */
extern void sddl_defer_utility(Node *stmt, bool top_level);

static inline void
sddl_defer_before_utility(Node *stmt, bool top_level)
{
	switch (nodeTag(stmt))
	{
		case T_RenameStmt:
			if (((RenameStmt *) stmt)->renameType != OBJECT_DATABASE)
				return;
			break;
		case T_TransactionStmt:
			if (((TransactionStmt *) stmt)->kind != TRANS_STMT_COMMIT_PREPARED)
				return;
			break;
		case T_DropdbStmt:
		case T_AlterDatabaseStmt:
		case T_CreatedbStmt:
			break;
		default:
			return;
	}
	sddl_defer_utility(stmt, top_level);
}

/*
 * Worker side (notify.c, launcher.c, worker.c, claim.c, build.c, wait.c).
 *
 * True in the deferred-build worker while it runs a queued item's statement
 * (its CREATE INDEX CONCURRENTLY, its VALIDATE CONSTRAINT, or the DROP INDEX
 * CONCURRENTLY that cleans up a failed build).  The statement side must
 * leave those statements alone: they are the deferral being carried out,
 * not a later statement that depends on it.
 */
extern bool sddl_defer_in_worker;

/* From _PG_init: the worker side's settings (safe_ddl.defer_workers, ...). */
extern void sddl_defer_define_gucs(void);

/*
 * From _PG_init, after the settings: shared memory, the commit callback
 * that turns sddl_defer_note_queued() into a wake-up, and the launcher.
 */
extern void sddl_defer_init(void);

#endif							/* SAFE_DDL_DEFER_H */
