/*-------------------------------------------------------------------------
 *
 * queue.c
 *	  Reading and writing safe_ddl.deferred_queue from a client's session.
 *
 * The queue belongs to the extension's owner and is revoked from PUBLIC:
 * a migration's role must not be able to queue arbitrary statements for
 * the worker to run.  safe_ddl reads and writes it as the owner, through
 * SPI, inside the client's transaction (a rolled-back migration queues
 * nothing), with every name schema-qualified and every operator from
 * pg_catalog, so that nothing in the client's search_path is called with
 * the owner's rights.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/defer/queue.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "defer/defer.h"
#include "defer/defer_int.h"

Oid
sddl_defer_queue_relid(void)
{
	Oid			nsp = get_namespace_oid("safe_ddl", true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return get_relname_relid("deferred_queue", nsp);
}

bool
sddl_defer_queue_exists(void)
{
	return OidIsValid(sddl_defer_queue_relid());
}

static Oid
sddl_queue_owner(Oid queue)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(queue));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", queue);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

List *
sddl_queue_sql(const char *sql, int nargs, const char **args)
{
	Oid			queue = sddl_defer_queue_relid();
	MemoryContext callercxt = CurrentMemoryContext;
	Oid			save_userid;
	int			save_sec;
	Oid		   *types = palloc(sizeof(Oid) * Max(nargs, 1));
	Datum	   *values = palloc(sizeof(Datum) * Max(nargs, 1));
	char	   *nulls = palloc(Max(nargs, 1));
	List	   *rows = NIL;
	int			rc;

	if (!OidIsValid(queue))
		ereport(ERROR,
				errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				errmsg("safe_ddl's deferred-build queue does not exist in this database"),
				errhint("Run ALTER EXTENSION safe_ddl UPDATE to install version 0.3 or later."));
	for (int i = 0; i < nargs; i++)
	{
		types[i] = TEXTOID;
		values[i] = args[i] ? CStringGetTextDatum(args[i]) : (Datum) 0;
		nulls[i] = args[i] ? ' ' : 'n';
	}

	/* an error restores the user at (sub)transaction abort */
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(sddl_queue_owner(queue),
						   save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
	if (rc < 0)
		elog(ERROR, "safe_ddl: query on the deferred-build queue failed: %s",
			 SPI_result_code_string(rc));
	if (SPI_tuptable != NULL)
	{
		TupleDesc	desc = SPI_tuptable->tupdesc;

		for (uint64 r = 0; r < SPI_processed; r++)
		{
			HeapTuple	tup = SPI_tuptable->vals[r];
			MemoryContext spicxt = MemoryContextSwitchTo(callercxt);
			char	  **row = palloc0(sizeof(char *) * desc->natts);

			MemoryContextSwitchTo(spicxt);
			for (int c = 0; c < desc->natts; c++)
			{
				char	   *v = SPI_getvalue(tup, desc, c + 1);

				if (v != NULL)
					row[c] = MemoryContextStrdup(callercxt, v);
			}
			spicxt = MemoryContextSwitchTo(callercxt);
			rows = lappend(rows, row);
			MemoryContextSwitchTo(spicxt);
		}
	}
	SPI_finish();
	SetUserIdAndSecContext(save_userid, save_sec);
	MemoryContextSwitchTo(callercxt);
	return rows;
}
