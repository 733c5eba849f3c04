/*-------------------------------------------------------------------------
 *
 * safe_ddl.c
 *	  Whether the module was preloaded, and the SQL functions that exist in
 *	  every layer's absence (see safe_ddl.h).
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

/*
 * safe_ddl.version(): the version of the loaded library.
 */
Datum
safe_ddl_version(PG_FUNCTION_ARGS)
{
	sddl_require_preload();
	PG_RETURN_TEXT_P(cstring_to_text(SAFE_DDL_VERSION));
}
