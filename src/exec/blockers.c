/*-------------------------------------------------------------------------
 *
 * blockers.c
 *	  Who is in the way of a bounded lock wait, and the error when the
 *	  wait's budget runs out (see lockwait_int.h).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/blockers.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "exec/lockwait_int.h"
#include "exec/subxact.h"

static const char *const sddl_blockers_query =
	"WITH b AS ("
	" SELECT DISTINCT ON (l.pid) l.pid, a.application_name, a.state,"
	"  pg_catalog.round(EXTRACT(epoch FROM"
	"   pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) a.xact_start)::numeric, 3)"
	"   AS xact_age,"
	"  pg_catalog.left(pg_catalog.regexp_replace(a.query, '\\s+', ' ', 'g'), 100)"
	"   AS query,"
	"  l.mode,"
	"  pg_catalog.pg_backend_pid() OPERATOR(pg_catalog.=)"
	"   ANY (pg_catalog.pg_blocking_pids(l.pid)) AS waiting_on_us"
	" FROM pg_catalog.pg_locks l"
	" LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) l.pid"
	" WHERE l.locktype OPERATOR(pg_catalog.=) 'relation'"
	"  AND l.database OPERATOR(pg_catalog.=) $1"
	"  AND l.relation OPERATOR(pg_catalog.=) $2"
	"  AND l.granted"
	"  AND l.pid IS DISTINCT FROM pg_catalog.pg_backend_pid()"
	"  AND l.mode OPERATOR(pg_catalog.=) ANY ($3)"
	" ORDER BY l.pid)"
	" SELECT pg_catalog.json_agg(pg_catalog.json_build_object("
	"   'pid', pid, 'application_name', application_name, 'state', state,"
	"   'xact_age_s', xact_age, 'query', query, 'mode', mode))::text,"
	"  pg_catalog.string_agg(pg_catalog.format("
	"   'pid %s (application \"%s\", %s, transaction age %s s, query \"%s\")',"
	"   coalesce(pid::text, 'of a prepared transaction'),"
	"   application_name, coalesce(state, 'unknown state'),"
	"   coalesce(xact_age::text, '?'), query), ', '),"
	"  coalesce(pg_catalog.bool_or(waiting_on_us), false),"
	"  CASE WHEN pg_catalog.bool_and(xact_age IS NOT NULL)"
	"   THEN pg_catalog.max(xact_age) END"
	" FROM b";

/* One reading of the blockers, in sddl_collect_blockers' subtransaction. */
typedef struct SddlBlockersCall
{
	const SddlLockTarget *target;
	Datum	   *modes;
	int			nmodes;
	SddlBlockers *out;
	MemoryContext cxt;			/* where the results go */
} SddlBlockersCall;

static void
sddl_read_blockers(void *arg)
{
	SddlBlockersCall *c = (SddlBlockersCall *) arg;
	Oid			argtypes[3] = {OIDOID, OIDOID, TEXTARRAYOID};
	Datum		values[3];
	bool		isnull;
	Datum		d;

	values[0] = ObjectIdGetDatum(MyDatabaseId);
	values[1] = ObjectIdGetDatum(c->target->relid);
	values[2] = PointerGetDatum(construct_array(c->modes, c->nmodes, TEXTOID,
												-1, false, TYPALIGN_INT));
	/*
	 * read_only = false: SPI takes a snapshot of its own, as some
	 * statements (LOCK TABLE) arrive without an active one.
	 */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(sddl_blockers_query, 3, argtypes, values, NULL, false, 1)
		!= SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "safe_ddl: blockers query failed");

	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
					  &isnull);
	if (!isnull)
		c->out->json = MemoryContextStrdup(c->cxt, TextDatumGetCString(d));
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2,
					  &isnull);
	if (!isnull)
		c->out->text = MemoryContextStrdup(c->cxt, TextDatumGetCString(d));
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3,
					  &isnull);
	if (!isnull)
		c->out->waiting_on_us = DatumGetBool(d);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4,
					  &isnull);
	if (!isnull)
		c->out->oldest_ms = 1000.0 *
			DatumGetFloat8(DirectFunctionCall1(numeric_float8, d));
	SPI_finish();
}

/*
 * The sessions holding a lock on target's relation that conflicts with the
 * mode we need, read from pg_locks and pg_stat_activity in a throw-away
 * subtransaction (its catalog locks are released with it).  Sessions come
 * and go while we look: any error here is swallowed and leaves the result
 * empty, never failing the statement.
 */
void
sddl_collect_blockers(const SddlLockTarget *target, SddlBlockers *out)
{
	SddlBlockersCall call;
	ErrorData  *edata;
	Datum	   *modes;
	int			nmodes = 0;
	LOCKMODE	m;
	LOCKTAG		tag;
	LOCKMASK	conflicts;

	out->json = NULL;
	out->text = NULL;
	out->waiting_on_us = false;
	out->oldest_ms = -1;
	out->target = target;

	SET_LOCKTAG_RELATION(tag, MyDatabaseId, target->relid);
	conflicts = GetLockTagsMethodTable(&tag)->conflictTab[target->mode];

	if (IsInParallelMode())
		return;

	modes = palloc(sizeof(Datum) * MaxLockMode);
	for (m = 1; m <= MaxLockMode; m++)
		if (conflicts & LOCKBIT_ON(m))
			modes[nmodes++] =
				CStringGetTextDatum(GetLockmodeName(DEFAULT_LOCKMETHOD, m));

	call.target = target;
	call.modes = modes;
	call.nmodes = nmodes;
	call.out = out;
	call.cxt = CurrentMemoryContext;
	edata = sddl_subxact_try(sddl_read_blockers, &call, false);
	if (edata != NULL)
	{
		elog(DEBUG1, "safe_ddl: could not read blocking sessions: %s",
			 edata->message);
		FreeErrorData(edata);
	}

	if (out->json == NULL)
		out->json = pstrdup("[]");
}

/*
 * The budget ran out: fail exactly like lock_timeout does (SQLSTATE 55P03,
 * the same message), so that client retry wrappers keep working, with a
 * DETAIL saying what safe_ddl tried and who was in the way.
 */
void
sddl_raise_timeout(const SddlWaitPlan *plan, int attempts, double waited_ms,
				   const SddlBlockers *last)
{
	StringInfoData detail;

	initStringInfo(&detail);
	appendStringInfo(&detail,
					 "safe_ddl made %d attempts over %.3f s to acquire %s on relation \"%s\".",
					 attempts, waited_ms / 1000.0,
					 GetLockmodeName(DEFAULT_LOCKMETHOD, last->target->mode),
					 sddl_target_name(last->target));
	if (last->text != NULL)
		appendStringInfo(&detail, "  Blocking sessions at the last attempt: %s.",
						 last->text);
	else
		appendStringInfoString(&detail,
							   "  No blocking session was visible at the last attempt.");
	if (plan->holding_rel != NULL)
		appendStringInfo(&detail,
						 "  The wait was limited to %.0f ms because this transaction already holds %s on \"%s\", which waiting would stall too.",
						 plan->budget_ms,
						 GetLockmodeName(DEFAULT_LOCKMETHOD, plan->holding_mode),
						 plan->holding_rel);
	else if (plan->user_lock_timeout)
		appendStringInfo(&detail,
						 "  The wait was limited by lock_timeout (%d ms).",
						 LockTimeout);

	ereport(ERROR,
			(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
			 errmsg("canceling statement due to lock timeout"),
			 errdetail_internal("%s", detail.data),
			 errhint("Retry when the blocking sessions have finished, or end them.")));
}
