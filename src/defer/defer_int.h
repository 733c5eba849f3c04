/*-------------------------------------------------------------------------
 *
 * defer_int.h
 *	  Private to the defer layer: reading and writing the queue table.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/defer/defer_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_DEFER_INT_H
#define SAFE_DDL_DEFER_INT_H

#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"

/* The queue table, or InvalidOid when this database has none. */
extern Oid	sddl_defer_queue_relid(void);

/*
 * Run one statement on the queue through SPI, as the queue's owner (the
 * table is not writable, nor readable, by other roles), with text
 * parameters $1..$n (NULL entries are SQL NULLs).  Returns the rows, each
 * a char *[] of the columns as text (NULL for SQL NULL), in the caller's
 * memory context.
 */
extern List *sddl_queue_sql(const char *sql, int nargs, const char **args);

/*
 * The name CREATE INDEX chooses for an index the statement does not name,
 * as DefineIndex chooses it; with skip_pending, names still-pending
 * deferred builds will take count as taken (statement.c).
 */
extern char *sddl_defer_index_name(IndexStmt *stmt, Oid relid,
								   bool skip_pending);

#endif							/* SAFE_DDL_DEFER_INT_H */
