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

#endif							/* SAFE_DDL_HOOK_H */
