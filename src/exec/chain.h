/*-------------------------------------------------------------------------
 *
 * chain.h
 *	  The ProcessUtility hook chain: what was installed before safe_ddl,
 *	  how to call it, and whether safe_ddl itself is running a statement.
 *
 * The lowest piece of execution: the hook installs itself through it, and
 * the executor and the rewrites call the rest of the chain through it, so
 * that nothing below the hook ever needs the hook.  Uses only PostgreSQL
 * and compat.h.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/chain.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_CHAIN_H
#define SAFE_DDL_CHAIN_H

#include "tcop/utility.h"

#include "compat.h"

/* Install hook as ProcessUtility_hook, keeping the one installed before. */
extern void sddl_chain_install(ProcessUtility_hook_type hook);

/* Run a statement through the rest of the chain (or the standard one). */
extern void sddl_chain_next(SDDL_PROCESS_UTILITY_PARAMS);

/*
 * Run a statement of safe_ddl's own (a rewrite step, an undo) through the
 * rest of the chain; while it runs, sddl_chain_internal() is true for its
 * parse tree (and only for it), so that safe_ddl's hook lets it through
 * untouched.
 */
extern void sddl_chain_next_internal(SDDL_PROCESS_UTILITY_PARAMS);

/* Is stmt the statement of its own that safe_ddl is running right now? */
extern bool sddl_chain_internal(const Node *stmt);

#endif							/* SAFE_DDL_CHAIN_H */
