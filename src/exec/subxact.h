/*-------------------------------------------------------------------------
 *
 * subxact.h
 *	  Run a piece of safe_ddl's own work in a throw-away subtransaction,
 *	  catching its errors (the PL/pgSQL exception block pattern).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/subxact.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_SUBXACT_H
#define SAFE_DDL_SUBXACT_H

typedef void (*SddlSubxactBody) (void *arg);

/*
 * Run body(arg) in an internal subtransaction, released (committed into the
 * caller's transaction) on success, or rolled back when keep is false.  An
 * error inside is caught: the subtransaction is rolled back, closing what
 * body had open, and the error is returned (in the caller's memory
 * context), except errors that must never be swallowed (a cancel, a
 * termination), which are re-thrown after the rollback.  Returns NULL on
 * success.  The caller's memory context and resource owner are restored
 * either way; body must allocate what it returns there.
 */
extern struct ErrorData *sddl_subxact_try(SddlSubxactBody body, void *arg,
										  bool keep);

#endif							/* SAFE_DDL_SUBXACT_H */
