/*-------------------------------------------------------------------------
 *
 * safe_ddl.c
 *	  Whether the module was preloaded, the SQL functions that exist in
 *	  every layer's absence, and the registration of its background workers
 *	  (see safe_ddl.h).
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
#include "postmaster/bgworker.h"
#include "utils/builtins.h"

#include "safe_ddl.h"

bool		sddl_preloaded = false;

PG_FUNCTION_INFO_V1(safe_ddl_version);

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

void
sddl_register_worker(const char *function_name, const char *name, int flags)
{
	BackgroundWorker worker;

	/*
	 * pg_upgrade starts both clusters in binary-upgrade mode and drops and
	 * recreates every database, the log writer's included: a connected
	 * writer makes that fail.  No worker has anything to do then anyway,
	 * since the hook leaves binary-upgrade statements alone.
	 */
	if (IsBinaryUpgrade)
		return;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = flags;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = SDDL_WORKER_RESTART_SECONDS;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "safe_ddl");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "%s", function_name);
	snprintf(worker.bgw_name, BGW_MAXLEN, "%s", name);
	snprintf(worker.bgw_type, BGW_MAXLEN, "%s", name);
	worker.bgw_main_arg = (Datum) 0;
	worker.bgw_notify_pid = 0;
	RegisterBackgroundWorker(&worker);
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
