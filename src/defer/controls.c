/*-------------------------------------------------------------------------
 *
 * controls.c
 *	  safe_ddl.deferred_pause / _resume / _retry / _cancel(id): a DBA
 *	  steering one item of the deferred-build queue.
 *
 * Who may: a superuser, or a member of the role that owns the item's
 * table (who could have run, or dropped, the index or constraint anyway).
 * The queue itself stays the extension owner's; these functions change it
 * as the owner once the caller passed that check.  The row is locked, so
 * a worker taking the item at the same moment waits for the caller's
 * transaction and then sees the new state.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/defer/controls.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "defer/defer.h"
#include "defer/defer_int.h"

PG_FUNCTION_INFO_V1(safe_ddl_deferred_pause);
PG_FUNCTION_INFO_V1(safe_ddl_deferred_resume);
PG_FUNCTION_INFO_V1(safe_ddl_deferred_retry);
PG_FUNCTION_INFO_V1(safe_ddl_deferred_cancel);

/* One control: the states it applies to, the state it sets, its SQL. */
typedef struct SddlControl
{
	const char *verb;			/* for messages: "paused", ... */
	const char *from[3];		/* states it applies to */
	const char *from_words;		/* the same, for the hint */
	const char *set;			/* the SET list of its UPDATE */
	bool		wakes;			/* the item is queued again: wake the worker */
	bool		revives;		/* from a finished state: another item may
								 * have queued the same object since */
} SddlControl;

static const SddlControl sddl_pause = {
	"paused", {"queued"}, "a queued item",
	"state = 'paused'", false, false
};
static const SddlControl sddl_resume = {
	"resumed", {"paused"}, "a paused item",
	"state = 'queued', next_attempt_at = NULL", true, false
};
static const SddlControl sddl_retry = {
	"retried", {"failed", "cancelled"}, "a failed or cancelled item",
	"state = 'queued', attempts = 0, next_attempt_at = NULL, started_at = NULL, "
	"finished_at = NULL, worker_pid = NULL, last_sqlstate = NULL, last_error = NULL",
	true, true
};
static const SddlControl sddl_cancel = {
	"cancelled", {"queued", "paused", "failed"}, "a queued, paused or failed item",
	"state = 'cancelled', finished_at = pg_catalog.clock_timestamp()", false, false
};

static bool
sddl_may_steer(Oid relid)
{
	HeapTuple	tup;
	Oid			owner;

	if (superuser())
		return true;
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return false;			/* the table is gone: superusers only */
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return has_privs_of_role(GetUserId(), owner);
}

static Datum
sddl_control(FunctionCallInfo fcinfo, const SddlControl *ctl)
{
	int64		id = PG_GETARG_INT64(0);
	char		idbuf[32];
	const char *args[1];
	List	   *rows;
	char	  **row;
	bool		allowed = false;

	snprintf(idbuf, sizeof(idbuf), INT64_FORMAT, id);
	args[0] = idbuf;
	rows = sddl_queue_sql("SELECT state, relid, relation FROM safe_ddl.deferred_queue "
						  "WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8 FOR UPDATE",
						  1, args);
	if (rows == NIL)
		ereport(ERROR,
				errcode(ERRCODE_UNDEFINED_OBJECT),
				errmsg("deferred item " INT64_FORMAT " does not exist", id),
				errhint("The view safe_ddl.deferred lists the items of this database."));
	row = (char **) linitial(rows);
	if (!sddl_may_steer(atooid(row[1])))
		ereport(ERROR,
				errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				errmsg("permission denied for deferred item " INT64_FORMAT, id),
				errdetail("Only a superuser or a member of the role that owns table %s can steer its deferred items.",
						  row[2]));
	for (int i = 0; i < lengthof(ctl->from) && ctl->from[i] != NULL; i++)
		allowed |= strcmp(row[0], ctl->from[i]) == 0;
	if (!allowed)
		ereport(ERROR,
				errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				errmsg("deferred item " INT64_FORMAT " cannot be %s: it is %s",
					   id, ctl->verb, row[0]),
				errhint("Only %s can be %s.", ctl->from_words, ctl->verb));
	if (ctl->revives &&
		(rows = sddl_queue_sql("SELECT d.id FROM safe_ddl.deferred_queue d "
							   "JOIN safe_ddl.deferred_queue q ON q.relid OPERATOR(pg_catalog.=) d.relid "
							   "AND q.kind OPERATOR(pg_catalog.=) d.kind "
							   "AND q.object_name OPERATOR(pg_catalog.=) d.object_name "
							   "WHERE q.id OPERATOR(pg_catalog.=) $1::pg_catalog.int8 "
							   "AND d.id OPERATOR(pg_catalog.<>) q.id "
							   "AND d.state OPERATOR(pg_catalog.=) ANY ('{queued,running,paused}')",
							   1, args)) != NIL)
		ereport(ERROR,
				errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				errmsg("deferred item " INT64_FORMAT " cannot be %s: item %s is pending for the same object",
					   id, ctl->verb, ((char **) linitial(rows))[0]));
	rows = sddl_queue_sql(psprintf("UPDATE safe_ddl.deferred_queue SET %s "
								   "WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8 "
								   "RETURNING state", ctl->set),
						  1, args);
	if (ctl->wakes)
		sddl_defer_note_queued();
	PG_RETURN_TEXT_P(cstring_to_text(((char **) linitial(rows))[0]));
}

Datum
safe_ddl_deferred_pause(PG_FUNCTION_ARGS)
{
	return sddl_control(fcinfo, &sddl_pause);
}

Datum
safe_ddl_deferred_resume(PG_FUNCTION_ARGS)
{
	return sddl_control(fcinfo, &sddl_resume);
}

Datum
safe_ddl_deferred_retry(PG_FUNCTION_ARGS)
{
	return sddl_control(fcinfo, &sddl_retry);
}

Datum
safe_ddl_deferred_cancel(PG_FUNCTION_ARGS)
{
	return sddl_control(fcinfo, &sddl_cancel);
}
