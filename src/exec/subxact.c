/*-------------------------------------------------------------------------
 *
 * subxact.c
 *	  Throw-away subtransactions for safe_ddl's own work (see subxact.h).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/subxact.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "utils/resowner.h"

#include "exec/subxact.h"

/*
 * Errors safe_ddl must never swallow: a cancel, a termination, and any
 * error while an interrupt is pending (it would be lost with the error).
 * (FATAL and PANIC never get here: they exit without unwinding.)
 */
static bool
sddl_must_propagate(const ErrorData *edata)
{
	return edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
		edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN ||
		edata->sqlerrcode == ERRCODE_CRASH_SHUTDOWN ||
		QueryCancelPending || ProcDiePending;
}

ErrorData *
sddl_subxact_try(SddlSubxactBody body, void *arg, bool keep)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile result = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		body(arg);
		if (keep)
			ReleaseCurrentSubTransaction();
		else
			RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		if (sddl_must_propagate(edata))
			ReThrowError(edata);
		result = edata;
	}
	PG_END_TRY();
	return result;
}
