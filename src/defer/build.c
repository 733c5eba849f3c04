/*-------------------------------------------------------------------------
 *
 * build.c
 *	  Running one claimed deferred build: CREATE INDEX CONCURRENTLY with the
 *	  queued definition and name, or ALTER TABLE ... VALIDATE CONSTRAINT.
 *
 * The queued text runs as a top-level statement outside any transaction
 * block, the way a client's simple query would (a portal, so that CREATE
 * INDEX CONCURRENTLY can commit between its phases), and so through
 * safe_ddl's own hook: it is analysed, its lock waits are bounded, and it is
 * logged in safe_ddl.lock_log like any statement.
 *
 * - Who: the table's owner, the one role that could have run the statement
 *   (VALIDATE evaluates the CHECK expression as the current user: run as
 *   the bootstrap superuser it would call the owner's functions with a
 *   superuser's rights).
 * - What: only what the item says.  The text is parsed and must be exactly
 *   one CREATE INDEX CONCURRENTLY (not UNIQUE) of the item's index name on
 *   the item's table, or one VALIDATE CONSTRAINT of the item's constraint
 *   on it; anything else fails the item.
 * - Locks: CONCURRENTLY and VALIDATE take SHARE UPDATE EXCLUSIVE on the
 *   table, which blocks none of the application's reads and writes; it is
 *   taken first by polling (never queued behind another migration or a
 *   VACUUM for more than SDDL_DEFER_LOCK_WAIT_MS, after which the attempt
 *   fails and is retried later).  The stronger locks a VALIDATE of a
 *   foreign key takes on the referenced table get the hook's bounded waits.
 * - Never an INVALID index left behind: when a build fails, the invalid
 *   index it made (by the item's name, on the item's table, not valid) is
 *   dropped with DROP INDEX CONCURRENTLY.  When the worker was terminated
 *   mid-build, the next attempt of the item finds that index and drops it
 *   before building again: an index of that name could not exist before
 *   the first attempt (the first attempt fails on it instead), so on a
 *   later attempt it is this item's.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/defer/build.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "miscadmin.h"
#include "parser/parser.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "defer/defer.h"
#include "defer/worker_int.h"

/* Longest poll for the table's SHARE UPDATE EXCLUSIVE lock per attempt. */
#define SDDL_DEFER_LOCK_WAIT_MS		10000L

/* For an item queued without a search_path: the server's default. */
#define SDDL_DEFER_DEFAULT_SEARCH_PATH	"\"$user\", public"

/* Between two polls of the lock. */
#define SDDL_DEFER_LOCK_POLL_MS		100L

/* Holds the statement being run (see sddl_run_statement). */
static MemoryContext sddl_statement_cxt = NULL;

/* What the checks before a build found. */
typedef struct SddlBuildPlan
{
	Oid			owner;			/* the table's owner */
	char	   *nspname;		/* the table's schema */
	char	   *relname;
	bool		already_built;	/* the index exists and is valid */
	bool		drop_leftover;	/* an invalid index of an earlier attempt */
} SddlBuildPlan;

/* The index named name in namespace nsp, on relid: valid or not. */
static Oid
sddl_item_index(Oid nsp, const char *name, Oid relid, bool *valid,
				bool *elsewhere)
{
	Oid			indexid = get_relname_relid(name, nsp);
	HeapTuple	tup;

	*valid = false;
	*elsewhere = false;
	if (!OidIsValid(indexid))
		return InvalidOid;
	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexid));
	if (!HeapTupleIsValid(tup))
	{
		*elsewhere = true;		/* a relation of that name, not an index */
		return indexid;
	}
	if (((Form_pg_index) GETSTRUCT(tup))->indrelid != relid)
		*elsewhere = true;
	*valid = ((Form_pg_index) GETSTRUCT(tup))->indisvalid;
	ReleaseSysCache(tup);
	return indexid;
}

/*
 * The queued text must be the item and nothing else.  Resolving its table
 * uses the search_path the statement runs with.
 */
static void
sddl_check_statement(const SddlDeferItem *item)
{
	List	   *parsed = raw_parser(item->statement, RAW_PARSE_DEFAULT);
	Node	   *stmt = NULL;
	RangeVar   *rv = NULL;
	bool		ok = false;

	if (list_length(parsed) == 1)
		stmt = linitial_node(RawStmt, parsed)->stmt;
	if (stmt != NULL && strcmp(item->kind, "index") == 0 &&
		IsA(stmt, IndexStmt))
	{
		IndexStmt  *is = (IndexStmt *) stmt;

		ok = is->concurrent && !is->unique && is->idxname != NULL &&
			strcmp(is->idxname, item->object_name) == 0;
		rv = is->relation;
	}
	else if (stmt != NULL && strcmp(item->kind, "validation") == 0 &&
			 IsA(stmt, AlterTableStmt))
	{
		AlterTableStmt *as = (AlterTableStmt *) stmt;
		AlterTableCmd *cmd = list_length(as->cmds) == 1 ?
			linitial_node(AlterTableCmd, as->cmds) : NULL;

		ok = cmd != NULL && cmd->subtype == AT_ValidateConstraint &&
			cmd->name != NULL && strcmp(cmd->name, item->object_name) == 0;
		rv = as->relation;
	}
	if (ok && rv != NULL)
		ok = RangeVarGetRelid(rv, NoLock, true) == item->relid;
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("deferred build %lld is not a %s of \"%s\" on its table",
						(long long) item->id,
						strcmp(item->kind, "index") == 0 ?
						"CREATE INDEX CONCURRENTLY" : "VALIDATE CONSTRAINT",
						item->object_name),
				 errdetail("Statement: %s", item->statement)));
}

/*
 * Checks before a build, in a transaction of their own: the table is
 * there, the statement is the item's, and whether the index exists.
 */
static void
sddl_plan_build(const SddlDeferItem *item, SddlBuildPlan *plan)
{
	MemoryContext outer = CurrentMemoryContext;
	HeapTuple	tup;
	Oid			nsp;

	memset(plan, 0, sizeof(*plan));
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(item->relid));
	if (!HeapTupleIsValid(tup))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("the table of deferred build %lld no longer exists",
						(long long) item->id)));
	nsp = ((Form_pg_class) GETSTRUCT(tup))->relnamespace;
	plan->owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	plan->nspname = MemoryContextStrdup(outer, get_namespace_name(nsp));
	plan->relname = MemoryContextStrdup(outer,
										NameStr(((Form_pg_class) GETSTRUCT(tup))->relname));
	ReleaseSysCache(tup);

	sddl_check_statement(item);

	if (strcmp(item->kind, "index") == 0)
	{
		bool		valid;
		bool		elsewhere;

		if (OidIsValid(sddl_item_index(nsp, item->object_name, item->relid,
									   &valid, &elsewhere)))
		{
			if (!elsewhere && valid)
				plan->already_built = true;
			else if (!elsewhere && item->attempts > 1)
				plan->drop_leftover = true;
			else
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_TABLE),
						 errmsg("relation \"%s\" already exists",
								item->object_name),
						 errdetail("Deferred build %lld cannot create its index under that name.",
								   (long long) item->id)));
		}
	}
	CommitTransactionCommand();
	MemoryContextSwitchTo(outer);
}

/*
 * Take SHARE UPDATE EXCLUSIVE on the table by polling: the build never
 * waits in the lock queue, and gives up after SDDL_DEFER_LOCK_WAIT_MS.
 */
static void
sddl_lock_table(Oid relid, const char *relname)
{
	TimestampTz start = GetCurrentTimestamp();

	while (!ConditionalLockRelationOid(relid, ShareUpdateExclusiveLock))
	{
		if (TimestampDifferenceExceeds(start, GetCurrentTimestamp(),
									   SDDL_DEFER_LOCK_WAIT_MS))
			ereport(ERROR,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("could not obtain lock on relation \"%s\"", relname),
					 errdetail("Another session held a lock conflicting with SHARE UPDATE EXCLUSIVE for %ld ms.",
							   SDDL_DEFER_LOCK_WAIT_MS)));
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 SDDL_DEFER_LOCK_POLL_MS, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Once the table is locked: is it still the item's?  The item was claimed
 * and checked before the lock, and a DROP TABLE may have committed while
 * the worker polled for it, maybe with a new table of the same name that
 * the queued text would now name.  A DROP TABLE cancels only the items
 * still queued (consistency.c): a claimed one ends here, failed for good,
 * rather than build its index on a table nobody queued it for.
 */
static void
sddl_check_table_kept(const SddlDeferItem *item)
{
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(item->relid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("the table of deferred build %lld was dropped before the build started",
						(long long) item->id),
				 errdetail("Statement: %s", item->statement)));
	sddl_check_statement(item);
}

/*
 * Run sql as a top-level statement outside a transaction block, as the
 * table's owner, once its table is locked: the way exec_simple_query runs
 * a client's statement.  With item, the item's own statement: the table is
 * checked once locked.  Throws on failure (the caller aborts).
 */
static void
sddl_run_statement(const char *sql, const SddlDeferItem *item, Oid relid,
				   const SddlBuildPlan *plan)
{
	MemoryContext outer = CurrentMemoryContext;
	Oid			save_userid;
	int			save_sec;
	List	   *parsed;
	RawStmt    *raw;
	List	   *planned;
	Portal		portal;
	DestReceiver *receiver;
	QueryCompletion qc;

	/*
	 * The parse and plan trees the portal runs must outlive the
	 * transactions CONCURRENTLY commits between its phases: like
	 * exec_simple_query's MessageContext, a context of their own.
	 */
	if (sddl_statement_cxt == NULL)
		sddl_statement_cxt = AllocSetContextCreate(TopMemoryContext,
												   "safe_ddl deferred statement",
												   ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(sddl_statement_cxt);

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	MemoryContextSwitchTo(sddl_statement_cxt);
	debug_query_string = sql;
	pgstat_report_activity(STATE_RUNNING, sql);

	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(plan->owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);

	sddl_lock_table(relid, plan->relname);
	if (item != NULL)
		sddl_check_table_kept(item);

	parsed = pg_parse_query(sql);
	if (list_length(parsed) != 1)
		elog(ERROR, "deferred build statement is not one statement");
	raw = linitial_node(RawStmt, parsed);
	planned = pg_plan_queries(SddlAnalyzeAndRewrite(raw, sql), sql,
							  CURSOR_OPT_PARALLEL_OK, NULL);

	portal = CreatePortal("", true, true);
	portal->visible = false;
	PortalDefineQuery(portal, NULL, sql, CreateCommandTag(raw->stmt),
					  planned, NULL);
	PortalStart(portal, NULL, 0, InvalidSnapshot);
	receiver = CreateDestReceiver(DestNone);
	sddl_defer_in_worker = true;
	(void) SddlPortalRun(portal, receiver, &qc);
	sddl_defer_in_worker = false;
	receiver->rDestroy(receiver);
	PortalDrop(portal, false);

	SetUserIdAndSecContext(save_userid, save_sec);
	CommitTransactionCommand();
	MemoryContextSwitchTo(outer);
	debug_query_string = NULL;
	pgstat_report_activity(STATE_IDLE, NULL);
}

/*
 * The errors a retry cannot cure: bad data (a row violating the constraint
 * being validated, an expression failing on a row), a missing object, a
 * name taken, a privilege, a statement the server refuses.  Everything
 * else (a lock, a cancel, a deadlock, resources) is worth another attempt.
 */
static bool
sddl_error_is_permanent(int sqlerrcode)
{
	switch (ERRCODE_TO_CATEGORY(sqlerrcode))
	{
		case ERRCODE_DATA_EXCEPTION:
		case ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION:
		case ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION:
		case ERRCODE_FEATURE_NOT_SUPPORTED:
		case ERRCODE_INVALID_TRANSACTION_STATE:
			return true;
		default:
			return false;
	}
}

/*
 * After a failed build: drop the invalid index it left, if any.  Errors
 * here are reported and left to the next attempt, which drops the leftover
 * before it builds.
 */
/*
 * After a failed statement whose error the caller, holding interrupts, has
 * already reported or copied: end the transaction and give the worker back
 * its own identity.
 * The abort restores the user its transaction started with: after
 * CONCURRENTLY committed between phases, that is the table's owner; the
 * worker's own queue updates need its own user back.
 */
static void
sddl_recover_from_error(Oid save_userid, int save_sec)
{
	AbortOutOfAnyTransaction();
	FlushErrorState();
	RESUME_INTERRUPTS();
	SetUserIdAndSecContext(save_userid, save_sec);
	sddl_defer_in_worker = false;
	debug_query_string = NULL;
}

static void
sddl_drop_failed_index(const SddlDeferItem *item, const SddlBuildPlan *plan)
{
	MemoryContext outer = CurrentMemoryContext;
	bool		leftover = false;
	Oid			save_userid;
	int			save_sec;

	GetUserIdAndSecContext(&save_userid, &save_sec);
	PG_TRY();
	{
		Oid			nsp;
		bool		valid;
		bool		elsewhere;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		nsp = get_namespace_oid(plan->nspname, true);
		leftover = OidIsValid(nsp) &&
			OidIsValid(sddl_item_index(nsp, item->object_name, item->relid,
									   &valid, &elsewhere)) &&
			!valid && !elsewhere;
		CommitTransactionCommand();
		MemoryContextSwitchTo(outer);
		if (leftover)
			sddl_run_statement(psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s",
										quote_qualified_identifier(plan->nspname,
																   item->object_name)),
							   NULL, item->relid, plan);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(outer);
		HOLD_INTERRUPTS();
		EmitErrorReport();
		sddl_recover_from_error(save_userid, save_sec);
		ereport(WARNING,
				(errmsg("safe_ddl could not drop the invalid index \"%s\" left by deferred build %lld",
						item->object_name, (long long) item->id),
				 errdetail("The next attempt drops it before building.")));
	}
	PG_END_TRY();
	SetConfigOption("search_path", SDDL_DEFER_WORKER_SEARCH_PATH, PGC_SUSET,
					PGC_S_OVERRIDE);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* The item's whole attempt; throws on failure. */
static void
sddl_build_item(const SddlDeferItem *item, SddlBuildPlan *plan)
{
	sddl_plan_build(item, plan);

	if (item->attempts > sddl_defer_max_attempts)
	{
		/* re-queued after its worker ended, with no attempt left */
		if (plan->drop_leftover)
			sddl_drop_failed_index(item, plan);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("deferred build %lld gave up after %d attempts",
						(long long) item->id, item->attempts - 1)));
	}
	if (plan->already_built)
		return;					/* an earlier attempt ended after building */
	if (plan->drop_leftover)
		sddl_drop_failed_index(item, plan);

	sddl_run_statement(item->statement, item, item->relid, plan);

	/* CONCURRENTLY leaves an invalid index only on failure; make sure */
	if (strcmp(item->kind, "index") == 0)
	{
		SddlBuildPlan after;

		sddl_plan_build(item, &after);
		if (!after.already_built)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("index \"%s\" is not valid after its deferred build",
							item->object_name)));
	}
}

void
sddl_defer_build(const SddlDeferItem *item, SddlDeferOutcome *outcome)
{
	MemoryContext outer = CurrentMemoryContext;
	SddlBuildPlan plan;
	Oid			save_userid;
	int			save_sec;

	GetUserIdAndSecContext(&save_userid, &save_sec);
	memset(outcome, 0, sizeof(*outcome));
	memset(&plan, 0, sizeof(plan));
	PG_TRY();
	{
		/*
		 * The search_path the client had when it queued the item (the
		 * statement side records it): the text may name unqualified
		 * functions, operator classes, collations.
		 */
		SetConfigOption("search_path",
						item->search_path ? item->search_path :
						SDDL_DEFER_DEFAULT_SEARCH_PATH,
						PGC_SUSET, PGC_S_OVERRIDE);
		sddl_build_item(item, &plan);
		outcome->ok = true;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(outer);
		HOLD_INTERRUPTS();
		edata = CopyErrorData();
		sddl_recover_from_error(save_userid, save_sec);

		outcome->sqlstate = pstrdup(unpack_sql_state(edata->sqlerrcode));
		outcome->error = edata->message;
		outcome->permanent = sddl_error_is_permanent(edata->sqlerrcode) ||
			edata->sqlerrcode == ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
		/* a cancel that wait.c asked for, to untie a wait on its session */
		outcome->restart = sddl_defer_take_restart() &&
			edata->sqlerrcode == ERRCODE_QUERY_CANCELED;

		/* never leave an invalid index behind */
		if (strcmp(item->kind, "index") == 0 && OidIsValid(plan.owner))
			sddl_drop_failed_index(item, &plan);
	}
	PG_END_TRY();
	SetConfigOption("search_path", SDDL_DEFER_WORKER_SEARCH_PATH, PGC_SUSET,
					PGC_S_OVERRIDE);
	pgstat_report_activity(STATE_IDLE, NULL);
}
