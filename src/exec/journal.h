/*-------------------------------------------------------------------------
 *
 * journal.h
 *	  The rewrite journal: a durable record, made before each step of a
 *	  rewrite that can leave something behind, of what the step creates
 *	  (safe_ddl.rewrite_journal; see journal.c).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/journal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_JOURNAL_H
#define SAFE_DDL_JOURNAL_H

#include "nodes/pg_list.h"

/* What a step is about to create; the kinds of rewrite_journal.kind. */
typedef struct SddlJournalEntry
{
	const char *kind;			/* index, unique_index, not_valid,
								 * helper_check, reindex */
	Oid			relid;			/* the table */
	const char *relation;		/* the table, quoted and qualified */
	const char *nspname;		/* the table's schema (an index's too) */
	const char *object_name;	/* the index or constraint, or NULL */
	List	   *invalid_before; /* OIDs of the table's INVALID indexes */
	const char *command;		/* of the statement, for the lock log */
	const char *statement;
	const char *rewritten_to;
} SddlJournalEntry;

/*
 * Record e in the current transaction; returns the row's id, or 0 when
 * there is no journal (the extension is not installed in this database, or
 * at a version without it) or the row could not be written: journaling
 * never fails the statement.  The caller's transaction makes the row
 * durable together with what the step creates.
 */
extern int64 sddl_journal_add(const SddlJournalEntry *e);

/* Delete the row (id from sddl_journal_add; 0 is ignored). */
extern void sddl_journal_remove(int64 id);

/*
 * Before a rewrite of relid: if an earlier rewrite of it was interrupted
 * for good (a journal row whose backend has ended), remove what it left,
 * with safe_ddl.recover_rewrites(), in the current transaction.  What the
 * log writer does for its database, done by the next rewrite of the table
 * in any database.  Never fails the statement.
 */
extern void sddl_journal_recover(Oid relid);

#endif							/* SAFE_DDL_JOURNAL_H */
