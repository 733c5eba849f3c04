/*-------------------------------------------------------------------------
 *
 * rewrite.h
 *	  Run the safe equivalent of a risky statement, and undo it on failure,
 *	  when a statement arrives in autocommit mode.
 *
 * Every rewrite preserves the statement's effect, and leaves the database
 * as if the statement had never run when any step fails or is cancelled:
 * no INVALID index, no NOT VALID constraint, no helper CHECK.  The user
 * then gets the original error.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/rewrite.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_REWRITE_H
#define SAFE_DDL_REWRITE_H

#include "analysis/analysis.h"
#include "compat.h"
#include "exec/executor.h"

/*
 * Run the online form of the statement (analysis->online), whose SQL policy
 * planned as safe_sql (policy/rewrite_plan.c); the hook passes it down.
 * Must be called at top level, outside any transaction block, from the
 * ProcessUtility hook with its arguments; it may commit and start
 * transactions.  Records safe_sql in stats->rewritten_to.  On failure,
 * undoes what it did and re-throws the original error.
 */
extern void sddl_execute_rewrite(SddlAnalysis *analysis, const char *safe_sql,
								 SddlLockStats *stats,
								 SDDL_PROCESS_UTILITY_PARAMS);

/*
 * The OIDs of the constraints of a relation, and the name of one (NULL if
 * it is gone): what a statement added is the difference of two lists.
 */
extern List *sddl_constraint_oids(Oid relid);
extern char *sddl_constraint_name(Oid conoid);

/* The quoted, schema-qualified name of a relation. */
extern char *sddl_qualified_name(Oid relid);

#endif							/* SAFE_DDL_REWRITE_H */
