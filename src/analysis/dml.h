/*-------------------------------------------------------------------------
 *
 * dml.h
 *	  Facts about a data-modifying statement (UPDATE, DELETE, INSERT,
 *	  MERGE, COPY FROM) and about the strong locks the current transaction
 *	  holds, for the backfill rule (policy/backfill.c).
 *
 * Like the rest of the analysis this is pure: it reads the plan, the
 * relation cache and the storage manager, and changes nothing.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/dml.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_DML_H
#define SAFE_DDL_DML_H

#include "datatype/timestamp.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "storage/lockdefs.h"

/*
 * A lock that blocks the application, held by this transaction since a
 * statement safe_ddl intercepted (see exec/hold.h).
 */
typedef struct SddlHeldLock
{
	Oid			relid;
	LOCKMODE	mode;			/* strongest mode held */
	char	   *relname;		/* "schema.relation", quoted as needed */
	char	   *statement;		/* the statement that took it */
	TimestampTz since;			/* when that statement finished */
	SubTransactionId subid;		/* subtransaction owning the entry */
} SddlHeldLock;

/* The row count of COPY FROM, which has no planner estimate. */
#define SDDL_DML_ROWS_UNKNOWN (-1.0)

/* What a data-modifying statement is about to do. */
typedef struct SddlDmlFacts
{
	const char *command;		/* "UPDATE", "DELETE", "INSERT", "MERGE",
								 * "COPY" */
	Oid			relid;			/* target relation */
	char	   *relname;		/* "schema.relation", quoted as needed */
	char	   *name;			/* the relation's name alone */
	char		relpersistence;
	bool		is_new;			/* created or truncated in this transaction */
	int64		bytes;			/* real size of the target on disk */
	double		rows;			/* planner estimate of the rows it writes,
								 * or SDDL_DML_ROWS_UNKNOWN */
} SddlDmlFacts;

/*
 * Fill facts for a planned UPDATE, DELETE, INSERT or MERGE whose top node
 * modifies one table; false for anything else (SELECT, a data-modifying
 * CTE, a utility statement).
 */
extern bool sddl_analyze_dml(PlannedStmt *pstmt, SddlDmlFacts *facts);

/* The same for COPY ... FROM into a table; false for COPY TO. */
extern bool sddl_analyze_copy(CopyStmt *stmt, SddlDmlFacts *facts);

#endif							/* SAFE_DDL_DML_H */
