/*-------------------------------------------------------------------------
 *
 * init.c
 *	  Module entry point: defines every layer's settings and installs the
 *	  hook.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/hook/init.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

#include "compat.h"
#include "defer/defer.h"
#include "exec/executor.h"
#include "exec/hold.h"
#include "hook/hook.h"
#include "log/log.h"
#include "policy/backfill.h"
#include "policy/policy.h"
#include "safe_ddl.h"

PG_MODULE_MAGIC;

/*
 * Module load.  safe_ddl only works when preloaded: its hook must see every
 * statement of every session, and its log needs shared memory.  Loaded any
 * other way (CREATE EXTENSION without preloading), it installs nothing and
 * its SQL functions say what is missing, like pg_stat_statements does, so
 * that CREATE EXTENSION and dump/restore keep working.
 */
void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;

	sddl_policy_define_gucs();
	sddl_backfill_define_gucs();	/* issue 12 */
	sddl_hold_define_gucs();	/* issue 12 */
	sddl_executor_define_gucs();
	sddl_log_init();
	sddl_defer_define_gucs();	/* issue 13: worker side */
	sddl_defer_init();

	SddlMarkGUCPrefixReserved("safe_ddl");

	sddl_hook_install();
	sddl_preloaded = true;
}
