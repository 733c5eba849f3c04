/*-------------------------------------------------------------------------
 *
 * hook.h
 *	  The ProcessUtility hook: receives every utility statement, sends the
 *	  interesting ones through analysis, policy, executor and log.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/hook/hook.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_HOOK_H
#define SAFE_DDL_HOOK_H

#include "compat.h"

extern void sddl_hook_install(void);

/*
 * The executor-start hook and the COPY FROM check of the backfill rule
 * (dml.c).  sddl_check_copy returns only if the COPY may run.
 */
extern void sddl_dml_hook_install(void);
extern void sddl_check_copy(PlannedStmt *pstmt, const char *queryString);

/* The text of this statement alone, out of a multi-statement string. */
extern char *sddl_statement_text(PlannedStmt *pstmt, const char *queryString);

#endif							/* SAFE_DDL_HOOK_H */
