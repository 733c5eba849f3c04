/*-------------------------------------------------------------------------
 *
 * journal.c
 *	  The rewrite journal (see journal.h).
 *
 * A backend terminated or killed in the middle of a rewrite cannot undo
 * anything: the INVALID index of an interrupted CREATE INDEX CONCURRENTLY,
 * a NOT VALID constraint or the helper CHECK of SET NOT NULL stay.  So
 * each such step is journaled first, in the transaction that makes what it
 * creates durable (the row is inserted before CREATE INDEX CONCURRENTLY,
 * whose first internal commit commits it with the index's catalog entry;
 * after ADD CONSTRAINT ... NOT VALID, before the commit that follows), and
 * the row is deleted in the transaction that finishes the step.  A row
 * whose backend is gone therefore names exactly what a dead rewrite left;
 * safe_ddl.recover_rewrites() (SQL, in the extension script), which the
 * log writer calls, removes it and logs the interrupted statement.
 *
 * The row is written with SPI as the journal's owner (the role that
 * installed the extension), like a SECURITY DEFINER function would: the
 * migration role has no right on the table.  The query names everything
 * schema-qualified.  Journaling never fails a statement: without the table
 * (extension not installed here) nothing is journaled, and an error while
 * writing is caught in a subtransaction and only reported at DEBUG1.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/journal.c
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
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "exec/journal.h"
#include "exec/subxact.h"

#define SDDL_JOURNAL_NARGS 13

static const char *const sddl_journal_insert =
	"INSERT INTO safe_ddl.rewrite_journal (pid, backend_start, username,"
	" relid, relation, kind, nspname, object_name, invalid_before, command,"
	" statement, rewritten_to, application_name)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
	" RETURNING id";

/* recover_rewrites() only when the table has a row of an ended backend */
static const char *const sddl_journal_recover_sql =
	"SELECT safe_ddl.recover_rewrites() WHERE EXISTS ("
	" SELECT FROM safe_ddl.rewrite_journal j"
	" WHERE j.relid OPERATOR(pg_catalog.=) $1 AND NOT EXISTS ("
	"  SELECT FROM pg_catalog.pg_stat_activity a"
	"  WHERE a.pid OPERATOR(pg_catalog.=) j.pid"
	"   AND a.backend_start OPERATOR(pg_catalog.=) j.backend_start))";

static const char *const sddl_journal_delete =
	"DELETE FROM safe_ddl.rewrite_journal WHERE id OPERATOR(pg_catalog.=) $1";

/* One SPI statement of the journal, run by sddl_journal_run. */
typedef struct SddlJournalCall
{
	const char *sql;
	int			nargs;
	Oid		   *argtypes;
	Datum	   *values;
	char	   *nulls;
	int64		id;				/* out: RETURNING id */
} SddlJournalCall;

/* The journal's OID and owner, or InvalidOid when there is none. */
static Oid
sddl_journal_owner(void)
{
	Oid			nsp = get_namespace_oid("safe_ddl", true);
	Oid			relid;
	HeapTuple	tup;
	Oid			owner;

	if (!OidIsValid(nsp))
		return InvalidOid;
	relid = get_relname_relid("rewrite_journal", nsp);
	if (!OidIsValid(relid))
		return InvalidOid;
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return InvalidOid;
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/* sddl_subxact_try body: run the call's statement as the journal's owner. */
static void
sddl_journal_exec(void *arg)
{
	SddlJournalCall *c = (SddlJournalCall *) arg;
	Oid			owner = sddl_journal_owner();
	Oid			save_userid;
	int			save_sec;
	bool		pushed = false;

	if (!OidIsValid(owner))
		return;
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(c->sql, c->nargs, c->argtypes, c->values,
							  c->nulls, false, 0) < 0)
		elog(ERROR, "safe_ddl: could not write the rewrite journal");
	if (SPI_processed == 1 && SPI_tuptable != NULL)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0],
									  SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			c->id = DatumGetInt64(d);
	}
	SPI_finish();
	if (pushed)
		PopActiveSnapshot();
	/* on error, the subtransaction's abort restores the user */
	SetUserIdAndSecContext(save_userid, save_sec);
}

static void
sddl_journal_run(SddlJournalCall *c)
{
	ErrorData  *edata = sddl_subxact_try(sddl_journal_exec, c, true);

	if (edata != NULL)
	{
		elog(DEBUG1, "safe_ddl: rewrite journal not written: %s",
			 edata->message);
		FreeErrorData(edata);
		c->id = 0;
	}
}

static Datum
sddl_text_or_null(const char *s, char *null)
{
	*null = s ? ' ' : 'n';
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

int64
sddl_journal_add(const SddlJournalEntry *e)
{
	Oid			types[SDDL_JOURNAL_NARGS] = {INT4OID, TIMESTAMPTZOID, TEXTOID,
		OIDOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, OIDARRAYOID, TEXTOID,
	TEXTOID, TEXTOID, TEXTOID};
	Datum		values[SDDL_JOURNAL_NARGS];
	char		nulls[SDDL_JOURNAL_NARGS];
	Datum	   *before;
	int			nbefore = 0;
	ListCell   *lc;
	SddlJournalCall c;

	before = palloc(sizeof(Datum) * (list_length(e->invalid_before) + 1));
	foreach(lc, e->invalid_before)
		before[nbefore++] = ObjectIdGetDatum(lfirst_oid(lc));

	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int32GetDatum(MyProcPid);
	values[1] = TimestampTzGetDatum(MyStartTimestamp);
	values[2] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
	values[3] = ObjectIdGetDatum(e->relid);
	values[4] = CStringGetTextDatum(e->relation);
	values[5] = CStringGetTextDatum(e->kind);
	values[6] = CStringGetTextDatum(e->nspname);
	values[7] = sddl_text_or_null(e->object_name, &nulls[7]);
	values[8] = PointerGetDatum(construct_array(before, nbefore, OIDOID,
												sizeof(Oid), true,
												TYPALIGN_INT));
	values[9] = sddl_text_or_null(e->command, &nulls[9]);
	values[10] = sddl_text_or_null(e->statement, &nulls[10]);
	values[11] = sddl_text_or_null(e->rewritten_to, &nulls[11]);
	values[12] = sddl_text_or_null(application_name, &nulls[12]);

	c.sql = sddl_journal_insert;
	c.nargs = SDDL_JOURNAL_NARGS;
	c.argtypes = types;
	c.values = values;
	c.nulls = nulls;
	c.id = 0;
	sddl_journal_run(&c);
	return c.id;
}

/* Run one journal statement of a single parameter. */
static void
sddl_journal_run1(const char *sql, Oid type, Datum value)
{
	SddlJournalCall c;

	c.sql = sql;
	c.nargs = 1;
	c.argtypes = &type;
	c.values = &value;
	c.nulls = NULL;
	c.id = 0;
	sddl_journal_run(&c);
}

void
sddl_journal_remove(int64 id)
{
	if (id != 0)
		sddl_journal_run1(sddl_journal_delete, INT8OID, Int64GetDatum(id));
}

void
sddl_journal_recover(Oid relid)
{
	sddl_journal_run1(sddl_journal_recover_sql, OIDOID,
					  ObjectIdGetDatum(relid));
}
