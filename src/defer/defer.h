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

/*
 * Called by the statement side after it inserted a row into
 * safe_ddl.deferred_queue in the current transaction.  When that transaction
 * commits, the worker side wakes this database's deferred-build worker; a
 * rollback wakes nobody.
 */
extern void sddl_defer_note_queued(void);

/*
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
