/*-------------------------------------------------------------------------
 *
 * rewrite_plan.h
 *	  The SQL of a statement's online form: what safe_ddl shows the user
 *	  and, for the forms built from new statements, runs.
 *
 * Pure: built from the analysis (its online form and catalog facts, see
 * analysis.h) and the statement's own text; reads no catalog and changes
 * nothing.  Execution and undo are exec/rewrite.c's.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/policy/rewrite_plan.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_REWRITE_PLAN_H
#define SAFE_DDL_REWRITE_PLAN_H

#include "analysis/analysis.h"

/*
 * Does an online form exist for this statement as a whole (ignoring where
 * it runs)?
 */
extern bool sddl_rewrite_supported(SddlAnalysis *analysis);

/*
 * The SQL a user should run instead, spelled from the statement's own text
 * where possible; NULL when there is no mechanical equivalent.  Statements
 * are separated by ";\n" and end with ";".  For SET NOT NULL and ADD
 * UNIQUE / PRIMARY KEY these are exactly the statements the rewrite runs.
 */
extern char *sddl_safe_sql(SddlAnalysis *analysis, const char *statement);

/*
 * The deferred form of a CREATE INDEX (issue 13), from its own text: the
 * same statement with CONCURRENTLY, named new_name when its text names no
 * index, and the table written as qualified_rel, since the worker runs it
 * in another session.  NULL when the text does not have the expected shape.
 */
extern char *sddl_deferred_index_sql(const char *statement,
									 const char *new_name,
									 const char *qualified_rel);

#endif							/* SAFE_DDL_REWRITE_PLAN_H */
