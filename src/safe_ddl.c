/*-------------------------------------------------------------------------
 *
 * safe_ddl.c
 *	  Module entry point: settings, hooks, and the SQL functions that exist
 *	  in every layer's absence.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/safe_ddl.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "compat.h"
#include "exec/executor.h"
#include "exec/hold.h"
#include "hook/hook.h"
#include "log/log.h"
#include "policy/backfill.h"
#include "policy/policy.h"
#include "safe_ddl.h"

PG_MODULE_MAGIC;

int			sddl_mode = SDDL_MODE_ENFORCE;
bool		sddl_preloaded = false;

static const struct config_enum_entry sddl_mode_options[] = {
	{"off", SDDL_MODE_OFF, false},
	{"observe", SDDL_MODE_OBSERVE, false},
	{"enforce", SDDL_MODE_ENFORCE, false},
	{NULL, 0, false}
};

PG_FUNCTION_INFO_V1(safe_ddl_version);

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

	DefineCustomEnumVariable("safe_ddl.mode",
							 "What safe_ddl does with risky DDL.",
							 "off passes every statement through; observe "
							 "allows everything but warns and logs what enforce "
							 "would do; enforce rewrites or rejects risky "
							 "statements.",
							 &sddl_mode,
							 SDDL_MODE_ENFORCE,
							 sddl_mode_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	sddl_policy_define_gucs();
	sddl_backfill_define_gucs();	/* issue 12 */
	sddl_hold_define_gucs();	/* issue 12 */
	sddl_executor_define_gucs();
	sddl_log_init();

	SddlMarkGUCPrefixReserved("safe_ddl");

	sddl_hook_install();
	sddl_preloaded = true;
}

/*
 * Every SQL-callable function starts here.
 */
void
sddl_require_preload(void)
{
	if (!sddl_preloaded)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("safe_ddl must be loaded via \"shared_preload_libraries\""),
				 errhint("Add safe_ddl to \"shared_preload_libraries\" in postgresql.conf and restart the server.")));
}

/*
 * safe_ddl.version(): the version of the loaded library.
 */
Datum
safe_ddl_version(PG_FUNCTION_ARGS)
{
	sddl_require_preload();
	PG_RETURN_TEXT_P(cstring_to_text(SAFE_DDL_VERSION));
}
