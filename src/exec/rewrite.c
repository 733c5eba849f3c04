/*-------------------------------------------------------------------------
 *
 * rewrite.c
 *	  Run the safe equivalent of a risky statement, and undo it on failure
 *	  (see rewrite.h).
 *
 * The rewrites, all for a statement sent by the client in autocommit mode,
 * are listed in policy/rewrite_plan.c, which spells their SQL; the facts
 * they need (target relation, names to create) come from the analysis
 * (analysis->online).  This file runs them, step by step:
 *
 *	 the CONCURRENTLY forms			the statement's own tree, CONCURRENTLY set
 *	 ADD CHECK | FOREIGN KEY		the tree with NOT VALID; commit; VALIDATE
 *									each constraint it added
 *	 SET NOT NULL					the planned ADD CHECK ... NOT VALID;
 *									commit; VALIDATE; commit; the statement
 *									(no scan thanks to the validated CHECK);
 *									DROP the helper CHECK
 *	   (from 18)					the planned ADD CONSTRAINT ... NOT NULL
 *									... NOT VALID; commit; VALIDATE
 *	 VACUUM FULL | CLUSTER | REPACK	the planned REPACK (CONCURRENTLY) (19)
 *	 ADD UNIQUE | PRIMARY KEY		the planned CREATE UNIQUE INDEX
 *									CONCURRENTLY; ADD CONSTRAINT ... USING
 *									INDEX
 *
 * Multi-transaction sequences work like DefineIndex's concurrent path: the
 * active snapshot is popped, the transaction committed and a new one
 * started; nothing transaction-local (relation, snapshot, SPI connection)
 * is held across.  Steps run through the rest of the hook chain as
 * safe_ddl's own statements (exec/chain.h), which its hook lets pass.
 *
 * Undo: each step that leaves something behind registers how to remove it
 * before it can leave it (INVALID indexes appearing on a table) or right
 * after it (a NOT VALID constraint).  On any error or cancel, the
 * transaction is aborted, a fresh one runs the undo actions, and the
 * original error is re-thrown.  The undo tolerates what another session
 * dropped meanwhile (IF EXISTS, names looked up again): after a concurrent
 * DROP TABLE there is nothing left to undo, and the user gets PostgreSQL's
 * own error from the step that found the table gone.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/rewrite.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "nodes/makefuncs.h"
#include "parser/parser.h"
#include "tcop/dest.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "compat.h"
#include "exec/chain.h"
#include "exec/journal.h"
#include "exec/rewrite.h"

/* One way to undo part of a rewrite. */
typedef struct SddlUndo
{
	char	   *sql;			/* run this (must be idempotent), or */
	List	   *relids;			/* drop INVALID indexes of these relations */
	List	   *before;			/* ... that are not among these index OIDs */
} SddlUndo;

/* State of one rewrite; lives in the context that survives the commits. */
typedef struct SddlRewrite
{
	MemoryContext cxt;
	List	   *undo;			/* SddlUndo *, run in order */
	/* for the translation of a failed helper CHECK into SET NOT NULL's error */
	char	   *helper;
	char	   *column;
	char	   *relname;
	/* hint for a failure that cannot be undone, or NULL */
	char	   *unfinished_hint;
	SddlLockStats *stats;		/* lock waits of the steps, for the log */
	/* the rewrite journal (journal.h): what the entries share, their ids */
	SddlJournalEntry journal;
	List	   *journaled;		/* int64 *, ids of the rows written */
} SddlRewrite;

/* What the steps need of the hook's call, besides the statement's copy. */
typedef struct SddlStepArgs
{
	const char *queryString;
	ParamListInfo params;
	QueryEnvironment *queryEnv;
	QueryCompletion *qc;
	const char *safe_sql;		/* the planned SQL (rewrite_plan.c) */
} SddlStepArgs;

/* The statements rewrite_plan.c plans for the forms run from its SQL. */
#define SDDL_SET_NOT_NULL_STEPS 4
#define SDDL_UNIQUE_STEPS 2

/*
 * The quoted, schema-qualified name of a relation, or NULL when it is gone
 * (dropped by another session since its OID was looked up).
 */
static char *
sddl_qualified_name_if_any(Oid relid)
{
	char	   *nsp = get_namespace_name(get_rel_namespace(relid));
	char	   *rel = get_rel_name(relid);

	if (nsp == NULL || rel == NULL)
		return NULL;
	return quote_qualified_identifier(nsp, rel);
}

/* The quoted, schema-qualified name of a relation (rewrite.h). */
char *
sddl_qualified_name(Oid relid)
{
	char	   *name = sddl_qualified_name_if_any(relid);

	if (name == NULL)
		elog(ERROR, "cache lookup failed for relation %u", relid);
	return name;
}

/*
 * The OIDs of the indexes of a relation: all of them, or only the INVALID
 * ones.
 */
static List *
sddl_indexes_of(Oid relid, bool invalid_only)
{
	Relation	indrel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	List	   *result = NIL;

	indrel = table_open(IndexRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(indrel, IndexIndrelidIndexId, true, NULL, 1,
							  &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(tup);

		if (!invalid_only || !idx->indisvalid)
			result = lappend_oid(result, idx->indexrelid);
	}
	systable_endscan(scan);
	table_close(indrel, AccessShareLock);
	return result;
}

/* The OIDs of the INVALID indexes of a relation. */
static List *
sddl_invalid_indexes(Oid relid)
{
	return sddl_indexes_of(relid, true);
}

/* The OIDs of the constraints of a relation (rewrite.h). */
List *
sddl_constraint_oids(Oid relid)
{
	Relation	conrel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	List	   *result = NIL;

	conrel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(conrel, ConstraintRelidTypidNameIndexId, true,
							  NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		result = lappend_oid(result, ((Form_pg_constraint) GETSTRUCT(tup))->oid);
	systable_endscan(scan);
	table_close(conrel, AccessShareLock);
	return result;
}

char *
sddl_constraint_name(Oid conoid)
{
	HeapTuple	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
	char	   *name;

	if (!HeapTupleIsValid(tup))
		return NULL;
	name = pstrdup(NameStr(((Form_pg_constraint) GETSTRUCT(tup))->conname));
	ReleaseSysCache(tup);
	return name;
}

/*
 * Execution helpers.
 */

/*
 * Run a statement of safe_ddl's own through the rest of the hook chain.
 * bounded: a step that takes a strong lock in one transaction gets bounded
 * lock waits, like any statement safe_ddl lets through, and adds them to
 * these stats; NULL for the CONCURRENTLY forms, which wait their own way.
 */
static void
sddl_call_internal(PlannedStmt *pstmt, const char *queryString,
				   ParamListInfo params, QueryEnvironment *queryEnv,
				   QueryCompletion *qc, SddlLockStats *bounded)
{
	if (bounded != NULL)
	{
		SddlLockStats stepstats = {0};

		sddl_execute_step(&stepstats, pstmt, queryString, params, queryEnv,
						  qc);
		bounded->wait_ms += stepstats.wait_ms;
		bounded->attempts += stepstats.attempts > 1 ? stepstats.attempts - 1 : 0;
		if (stepstats.blockers != NULL)
			bounded->blockers = stepstats.blockers;
	}
	else
		sddl_chain_next_internal(pstmt, queryString, true,
								 PROCESS_UTILITY_TOPLEVEL, params, queryEnv,
								 None_Receiver, qc);
}

/*
 * Run one utility statement through the rest of the hook chain, at top
 * level, as safe_ddl's own.  Pushes a snapshot when none is active (after
 * an internal commit), as PortalRunUtility would.
 */
static void
sddl_run_planned(PlannedStmt *pstmt, const char *queryString,
				 ParamListInfo params, QueryEnvironment *queryEnv,
				 QueryCompletion *qc, SddlLockStats *bounded)
{
	QueryCompletion localqc;
	MemoryContext cxt = CurrentMemoryContext;
	bool		pushed = false;

	if (qc == NULL)
	{
		InitializeQueryCompletion(&localqc);
		qc = &localqc;
	}
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	sddl_call_internal(pstmt, queryString, params, queryEnv, qc, bounded);
	/* CONCURRENTLY forms pop the snapshot themselves and commit */
	if (pushed && ActiveSnapshotSet())
		PopActiveSnapshot();
	CommandCounterIncrement();
	/* after an internal commit, the current context is the new transaction's */
	MemoryContextSwitchTo(cxt);
}

/* Run SQL text of utility statements built by safe_ddl. */
static void
sddl_run_sql(const char *sql, QueryCompletion *qc, SddlLockStats *bounded)
{
	List	   *raw = raw_parser(sql, RAW_PARSE_DEFAULT);
	ListCell   *lc;

	foreach(lc, raw)
	{
		RawStmt    *rs = lfirst_node(RawStmt, lc);
		PlannedStmt *ps = makeNode(PlannedStmt);

		ps->commandType = CMD_UTILITY;
		ps->canSetTag = true;
		ps->utilityStmt = rs->stmt;
		ps->stmt_location = rs->stmt_location;
		ps->stmt_len = rs->stmt_len;
		sddl_run_planned(ps, sql, NULL, NULL, qc, bounded);
	}
}

/* Commit what is done so far and start a new transaction. */
static void
sddl_commit(SddlRewrite *rw)
{
	while (ActiveSnapshotSet())
		PopActiveSnapshot();
	CommitTransactionCommand();
	StartTransactionCommand();
	MemoryContextSwitchTo(rw->cxt);
}

static void
sddl_undo_sql(SddlRewrite *rw, char *sql)
{
	MemoryContext old = MemoryContextSwitchTo(rw->cxt);
	SddlUndo   *u = palloc0(sizeof(SddlUndo));

	u->sql = pstrdup(sql);
	rw->undo = lappend(rw->undo, u);
	MemoryContextSwitchTo(old);
}

/* Register: drop the INVALID indexes that appear on these relations. */
static void
sddl_undo_new_invalid_indexes(SddlRewrite *rw, List *relids)
{
	MemoryContext old = MemoryContextSwitchTo(rw->cxt);
	SddlUndo   *u = palloc0(sizeof(SddlUndo));
	ListCell   *lc;

	u->relids = list_copy(relids);
	foreach(lc, relids)
		u->before = list_concat(u->before, sddl_invalid_indexes(lfirst_oid(lc)));
	rw->undo = lappend(rw->undo, u);
	MemoryContextSwitchTo(old);
}

/*
 * Journal what the next step creates (journal.h), in the current
 * transaction: kind and object_name as rewrite_journal names them; for an
 * index, the table's INVALID indexes now, which are not ours.
 */
static void
sddl_journal(SddlRewrite *rw, const char *kind, const char *object_name)
{
	SddlJournalEntry e = rw->journal;
	int64		id;

	e.kind = kind;
	e.object_name = object_name;
	if (strcmp(kind, "index") == 0 || strcmp(kind, "unique_index") == 0 ||
		strcmp(kind, "reindex") == 0)
		e.invalid_before = sddl_invalid_indexes(e.relid);
	id = sddl_journal_add(&e);
	if (id != 0)
	{
		MemoryContext old = MemoryContextSwitchTo(rw->cxt);
		int64	   *p = palloc(sizeof(int64));

		*p = id;
		rw->journaled = lappend(rw->journaled, p);
		MemoryContextSwitchTo(old);
	}
}

/*
 * Journal each index a REINDEX ... CONCURRENTLY is about to rebuild, in
 * the current transaction (its phase 1 commit makes the rows durable with
 * the new INVALID <index>_ccnew copies): one "reindex" row per index,
 * naming the index and its table.  The index of REINDEX INDEX, or every
 * index of the table and of its TOAST table for REINDEX TABLE (the
 * relations of o->index_tables).  recover_rewrites() drops only the
 * INVALID <index>_ccnew* / <index>_ccold* indexes of a row's table.
 */
static void
sddl_journal_reindex(SddlRewrite *rw, const SddlOnlineFacts *o)
{
	SddlJournalEntry base = rw->journal;
	ListCell   *lc;

	foreach(lc, o->index_tables)
	{
		Oid			table = lfirst_oid(lc);
		List	   *indexes;
		ListCell   *lc2;

		if (get_rel_relkind(o->relid) == RELKIND_INDEX)
			indexes = list_make1_oid(o->relid);
		else
			indexes = sddl_indexes_of(table, false);
		foreach(lc2, indexes)
		{
			Oid			index = lfirst_oid(lc2);
			char	   *nspname = get_namespace_name(get_rel_namespace(table));
			char	   *relname = get_rel_name(table);
			char	   *index_name = get_rel_name(index);

			if (nspname == NULL || relname == NULL || index_name == NULL)
				continue;		/* dropped meanwhile: nothing to journal */
			rw->journal.relid = table;
			rw->journal.relation = quote_qualified_identifier(nspname,
															  relname);
			/* ChooseRelationName puts the copies in the table's schema */
			rw->journal.nspname = nspname;
			sddl_journal(rw, "reindex", index_name);
		}
	}
	rw->journal = base;
}

/*
 * The steps are over (done, or undone): delete their journal rows in the
 * current transaction, which commits them with what finished the steps.
 */
static void
sddl_journal_done(SddlRewrite *rw)
{
	ListCell   *lc;

	foreach(lc, rw->journaled)
		sddl_journal_remove(*(int64 *) lfirst(lc));
	rw->journaled = NIL;
}

/* Run one undo action in the current (fresh) transaction. */
static void
sddl_run_undo(SddlRewrite *rw, SddlUndo *u)
{
	ListCell   *lc;

	if (u->sql != NULL)
	{
		sddl_run_sql(u->sql, NULL, NULL);
		return;
	}
	foreach(lc, u->relids)
	{
		List	   *now = sddl_invalid_indexes(lfirst_oid(lc));
		ListCell   *lc2;

		foreach(lc2, now)
		{
			Oid			idx = lfirst_oid(lc2);
			char	   *name;
			char	   *sql;

			if (list_member_oid(u->before, idx) ||
				(name = sddl_qualified_name_if_any(idx)) == NULL)
				continue;		/* not ours, or dropped with its table */
			sql = psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s", name);
			sddl_run_sql(sql, NULL, NULL);
			/* the drop committed: start from a fresh transaction state */
			MemoryContextSwitchTo(rw->cxt);
		}
	}
}

/*
 * After a failure: abort what the failed transaction did, then undo what
 * earlier, committed steps did, each in a fresh transaction.  Failures of
 * the undo itself are reported as WARNINGs: the user still gets the
 * original error.
 */
static void
sddl_undo_all(SddlRewrite *rw)
{
	ListCell   *lc;
	volatile bool all_undone = true;

	AbortCurrentTransaction();
	StartTransactionCommand();
	MemoryContextSwitchTo(rw->cxt);

	foreach(lc, rw->undo)
	{
		SddlUndo   *u = (SddlUndo *) lfirst(lc);

		PG_TRY();
		{
			sddl_run_undo(rw, u);
			sddl_commit(rw);
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(rw->cxt);
			edata = CopyErrorData();
			FlushErrorState();
			AbortCurrentTransaction();
			StartTransactionCommand();
			MemoryContextSwitchTo(rw->cxt);
			all_undone = false;
			ereport(WARNING,
					(errmsg("safe_ddl could not undo a step of its rewrite: %s",
							edata->message),
					 u->sql ? errdetail("The undo statement was: %s", u->sql) : 0,
					 errhint("Drop what it left behind by hand: INVALID indexes (pg_index.indisvalid = false) with DROP INDEX CONCURRENTLY, NOT VALID constraints (pg_constraint.convalidated = false) with ALTER TABLE ... DROP CONSTRAINT.")));
		}
		PG_END_TRY();
	}

	/*
	 * Nothing left behind: forget the journal rows.  Otherwise they stay,
	 * for safe_ddl.recover_rewrites() to retry once this session has ended.
	 */
	if (all_undone && rw->journaled != NIL)
	{
		sddl_journal_done(rw);
		sddl_commit(rw);
	}
}

/*
 * Give the user the error the original statement would have given, where
 * a step of the rewrite words it differently.
 */
static void
sddl_translate_error(SddlRewrite *rw, ErrorData *edata)
{
	if (rw->helper != NULL && edata->sqlerrcode == ERRCODE_CHECK_VIOLATION &&
		edata->constraint_name != NULL &&
		strcmp(edata->constraint_name, rw->helper) == 0)
	{
		edata->sqlerrcode = ERRCODE_NOT_NULL_VIOLATION;
		edata->message = psprintf("column \"%s\" of relation \"%s\" contains null values",
								  rw->column, rw->relname);
		edata->detail = NULL;
		edata->constraint_name = NULL;
		edata->column_name = rw->column;
	}
	if (rw->unfinished_hint != NULL && edata->hint == NULL)
		edata->hint = rw->unfinished_hint;
}

/* A copy of a list of strings that survives the rewrite's commits. */
static List *
sddl_list_copy_strings(SddlRewrite *rw, List *strings)
{
	MemoryContext old = MemoryContextSwitchTo(rw->cxt);
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, strings)
		result = lappend(result, pstrdup((char *) lfirst(lc)));
	MemoryContextSwitchTo(old);
	return result;
}

/*
 * The statements of SQL text, each without its ";" and the white space
 * around it.
 */
static List *
sddl_split_sql(const char *sql)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, raw_parser(sql, RAW_PARSE_DEFAULT))
	{
		RawStmt    *rs = lfirst_node(RawStmt, lc);
		int			loc = rs->stmt_location;
		int			len = rs->stmt_len > 0 ? rs->stmt_len : strlen(sql + loc);

		while (len > 0 && isspace((unsigned char) sql[loc]))
		{
			loc++;
			len--;
		}
		result = lappend(result, pnstrdup(sql + loc, len));
	}
	return result;
}

/*
 * The simple forms: the statement itself, with CONCURRENTLY set in the
 * copy of its tree.
 */
static void
sddl_steps_concurrently(SddlRewrite *rw, const SddlOnlineFacts *o,
						PlannedStmt *copy, SddlStepArgs *args)
{
	Node	   *node = copy->utilityStmt;

	switch (o->form)
	{
		case SDDL_ONLINE_CREATE_INDEX:
			((IndexStmt *) node)->concurrent = true;
			break;
		case SDDL_ONLINE_DROP_INDEX:

			/*
			 * Interrupted after its first commit, DROP INDEX CONCURRENTLY
			 * leaves the index INVALID; only finishing the drop helps.
			 */
			rw->unfinished_hint = MemoryContextStrdup(rw->cxt,
													  psprintf("If the index is left INVALID, finish with: DROP INDEX CONCURRENTLY %s;",
															   quote_qualified_identifier(o->nspname, o->relname)));
			((DropStmt *) node)->concurrent = true;
			break;
		case SDDL_ONLINE_REINDEX:
			{
				ReindexStmt *stmt = (ReindexStmt *) node;

				stmt->params = lappend(stmt->params,
									   makeDefElem("concurrently", NULL, -1));
				break;
			}
		case SDDL_ONLINE_REFRESH:
			((RefreshMatViewStmt *) node)->concurrent = true;
			break;
		case SDDL_ONLINE_DETACH:
			{
				AlterTableCmd *cmd = linitial_node(AlterTableCmd,
												   ((AlterTableStmt *) node)->cmds);
				PartitionCmd *pc = (PartitionCmd *) cmd->def;

				/*
				 * Interrupted after its first commit, DETACH ... CONCURRENTLY
				 * leaves the partition pending detach; only FINALIZE helps.
				 */
				rw->unfinished_hint = MemoryContextStrdup(rw->cxt,
														  psprintf("If the partition is left pending detach, finish with: ALTER TABLE %s DETACH PARTITION %s FINALIZE;",
																   quote_qualified_identifier(o->nspname, o->relname),
																   quote_qualified_identifier(pc->name->schemaname,
																							  pc->name->relname)));
				pc->concurrent = true;
				break;
			}
		default:
			elog(ERROR, "safe_ddl: online form %d is not a CONCURRENTLY form",
				 (int) o->form);
	}
	if (o->index_tables != NIL)
		sddl_undo_new_invalid_indexes(rw, o->index_tables);

	/*
	 * The build's first internal commit makes the journal row durable with
	 * the INVALID index; the row is deleted in the build's last
	 * transaction, which marks the index valid.
	 */
	if (o->form == SDDL_ONLINE_CREATE_INDEX)
		sddl_journal(rw, "index", ((IndexStmt *) node)->idxname);
	else if (o->form == SDDL_ONLINE_REINDEX)
		sddl_journal_reindex(rw, o);
	sddl_run_planned(copy, args->queryString, args->params, args->queryEnv,
					 args->qc, NULL);
	sddl_journal_done(rw);
}

/*
 * ADD CHECK | FOREIGN KEY: the statement with NOT VALID, commit, then
 * VALIDATE each constraint it added (a FOREIGN KEY on a partitioned table
 * adds several).
 */
static void
sddl_steps_not_valid(SddlRewrite *rw, const SddlOnlineFacts *o,
					 PlannedStmt *copy, SddlStepArgs *args)
{
	AlterTableCmd *cmd = linitial_node(AlterTableCmd,
									   ((AlterTableStmt *) copy->utilityStmt)->cmds);
	Constraint *c = (Constraint *) cmd->def;
	char	   *rel = MemoryContextStrdup(rw->cxt,
										  quote_qualified_identifier(o->nspname, o->relname));
	List	   *before = sddl_constraint_oids(o->relid);
	List	   *added = NIL;
	ListCell   *lc;

	c->skip_validation = true;
	c->initially_valid = false;
	sddl_run_planned(copy, args->queryString, args->params, args->queryEnv,
					 args->qc, rw->stats);

	foreach(lc, sddl_constraint_oids(o->relid))
	{
		Oid			conoid = lfirst_oid(lc);
		char	   *name;

		if (list_member_oid(before, conoid))
			continue;
		name = sddl_constraint_name(conoid);
		if (name == NULL)
			continue;
		sddl_undo_sql(rw, psprintf("ALTER TABLE IF EXISTS %s DROP CONSTRAINT IF EXISTS %s",
								   rel, quote_identifier(name)));
		sddl_journal(rw, "not_valid", name);
		added = lappend(added, MemoryContextStrdup(rw->cxt, name));
	}
	sddl_commit(rw);
	foreach(lc, added)
		sddl_run_sql(psprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s",
							  rel, quote_identifier((char *) lfirst(lc))),
					 NULL, rw->stats);
	sddl_journal_done(rw);
}

#ifdef SDDL_HAS_NOTNULL_CONSTRAINTS
/*
 * SET NOT NULL from 18: the planned statements (rewrite_plan.c), ADD
 * CONSTRAINT ... NOT NULL ... NOT VALID; commit; VALIDATE, which fails
 * with SET NOT NULL's own error on a null; or the VALIDATE alone of the
 * column's NOT VALID constraint.
 */
static void
sddl_steps_set_not_null(SddlRewrite *rw, const SddlOnlineFacts *o,
						PlannedStmt *copy, SddlStepArgs *args)
{
	List	   *steps = sddl_split_sql(args->safe_sql);

	steps = sddl_list_copy_strings(rw, steps);
	if (!o->validate_only)
	{
		Assert(list_length(steps) == 2);
		sddl_run_sql(linitial(steps), NULL, rw->stats);
		sddl_undo_sql(rw, psprintf("ALTER TABLE IF EXISTS %s DROP CONSTRAINT IF EXISTS %s",
								   quote_qualified_identifier(o->nspname, o->relname),
								   quote_identifier(o->new_name)));
		sddl_journal(rw, "not_valid", o->new_name);
		sddl_commit(rw);
	}
	sddl_run_sql(llast(steps), NULL, rw->stats);
	sddl_journal_done(rw);
}
#else
/*
 * SET NOT NULL: the planned statements (rewrite_plan.c), ADD CHECK ... NOT
 * VALID; commit; VALIDATE; commit; the original statement, which finds the
 * validated CHECK and does not scan; DROP the CHECK.
 */
static void
sddl_steps_set_not_null(SddlRewrite *rw, const SddlOnlineFacts *o,
						PlannedStmt *copy, SddlStepArgs *args)
{
	AlterTableCmd *cmd = linitial_node(AlterTableCmd,
									   ((AlterTableStmt *) copy->utilityStmt)->cmds);
	List	   *steps = sddl_split_sql(args->safe_sql);
	char	   *rel = quote_qualified_identifier(o->nspname, o->relname);

	Assert(list_length(steps) == SDDL_SET_NOT_NULL_STEPS);
	steps = sddl_list_copy_strings(rw, steps);
	rw->column = MemoryContextStrdup(rw->cxt, cmd->name);
	rw->relname = MemoryContextStrdup(rw->cxt, o->relname);

	sddl_run_sql(list_nth(steps, 0), NULL, rw->stats);
	sddl_undo_sql(rw, psprintf("ALTER TABLE IF EXISTS %s DROP CONSTRAINT IF EXISTS %s",
							   rel, quote_identifier(o->new_name)));
	rw->helper = MemoryContextStrdup(rw->cxt, o->new_name);
	sddl_journal(rw, "helper_check", o->new_name);
	sddl_commit(rw);
	sddl_run_sql(list_nth(steps, 1), NULL, rw->stats);
	sddl_commit(rw);
	/* the original statement (steps[2] spells it): no scan now */
	sddl_run_planned(copy, args->queryString, args->params, args->queryEnv,
					 args->qc, rw->stats);
	sddl_run_sql(list_nth(steps, 3), NULL, rw->stats);
	sddl_journal_done(rw);
}
#endif

/*
 * VACUUM FULL, CLUSTER or REPACK (19): the planned REPACK (CONCURRENTLY),
 * which commits on its own like the other CONCURRENTLY forms and leaves
 * nothing behind when it fails: its transient table and replication slot
 * go with the failed transaction.  The client keeps its statement's tag.
 */
static void
sddl_steps_repack(SddlStepArgs *args)
{
	sddl_run_sql(args->safe_sql, NULL, NULL);
}

/*
 * The constraint name ADD UNIQUE | PRIMARY KEY would take is already a
 * constraint of the table (a CHECK, say): PostgreSQL's own error, as
 * index_create() raises it for the statement as given.  ADD CONSTRAINT
 * ... USING INDEX does not check, and would fail on pg_constraint's
 * unique index instead ("duplicate key value violates unique constraint
 * pg_constraint_conrelid_contypid_conname_index"), after the index build.
 * A relation of that name is left to CREATE INDEX's own error.
 */
static void
sddl_check_constraint_name(const SddlOnlineFacts *o)
{
	Oid			nspid = get_rel_namespace(o->relid);

	if (OidIsValid(nspid) &&
		!OidIsValid(get_relname_relid(o->new_name, nspid)) &&
		ConstraintNameIsUsed(CONSTRAINT_RELATION, o->relid, o->new_name))
		ereport(ERROR,
				errcode(ERRCODE_DUPLICATE_OBJECT),
				errmsg("constraint \"%s\" for relation \"%s\" already exists",
					   o->new_name, o->relname));
}

/*
 * ADD UNIQUE | PRIMARY KEY: the planned statements (rewrite_plan.c),
 * CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX.
 */
static void
sddl_steps_unique(SddlRewrite *rw, const SddlOnlineFacts *o,
				  SddlStepArgs *args)
{
	List	   *steps = sddl_split_sql(args->safe_sql);
	char	   *drop;

	Assert(list_length(steps) == SDDL_UNIQUE_STEPS);
	steps = sddl_list_copy_strings(rw, steps);
	drop = MemoryContextStrdup(rw->cxt,
							   psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s",
										quote_qualified_identifier(o->nspname,
																   o->new_name)));
	sddl_undo_new_invalid_indexes(rw, o->index_tables);
	sddl_check_constraint_name(o);
	/* durable with the index's catalog entry, deleted once it is attached */
	sddl_journal(rw, "unique_index", o->new_name);
	sddl_run_sql(list_nth(steps, 0), NULL, NULL);

	/*
	 * The index now exists and is ours: drop it if attaching fails.  Commit
	 * the build's last transaction (its pg_index update marking the index
	 * valid) before waiting for the next step's lock: holding it open, we
	 * would make a session that drops the table meanwhile wait for our
	 * transaction while we wait for its lock, a cycle our polling hides from
	 * the deadlock detector.
	 */
	sddl_commit(rw);
	sddl_undo_sql(rw, drop);
	sddl_run_sql(list_nth(steps, 1), args->qc, rw->stats);
	sddl_journal_done(rw);
}

/*
 * The steps of each rewrite.  Each gets a copy of the statement it may
 * modify.
 */
static void
sddl_rewrite_steps(SddlRewrite *rw, const SddlOnlineFacts *o,
				   PlannedStmt *copy, SddlStepArgs *args)
{
	switch (o->form)
	{
		case SDDL_ONLINE_NOT_VALID:
			sddl_steps_not_valid(rw, o, copy, args);
			break;
		case SDDL_ONLINE_SET_NOT_NULL:
			sddl_steps_set_not_null(rw, o, copy, args);
			break;
		case SDDL_ONLINE_UNIQUE:
			sddl_steps_unique(rw, o, args);
			break;
		case SDDL_ONLINE_REPACK:
			sddl_steps_repack(args);
			break;
		default:
			sddl_steps_concurrently(rw, o, copy, args);
			break;
	}
}

void
sddl_execute_rewrite(SddlAnalysis *analysis, const char *safe_sql,
					 SddlLockStats *stats, SDDL_PROCESS_UTILITY_PARAMS)
{
	SddlRewrite *rw = palloc0(sizeof(SddlRewrite));
	const SddlOnlineFacts *o = sddl_online_facts(analysis);
	PlannedStmt *copy = (PlannedStmt *) copyObjectImpl(pstmt);
	SddlStepArgs args;

	/*
	 * Without an online form, or without the planned SQL that some forms
	 * run, run the statement as given.
	 */
	if (o->form == SDDL_ONLINE_NONE || safe_sql == NULL)
	{
		sddl_execute_plain(analysis, stats, pstmt, queryString, readOnlyTree,
						   context, params, queryEnv, dest, qc);
		return;
	}

	rw->cxt = CurrentMemoryContext;
	rw->stats = stats;
	stats->attempts = 1;
	stats->rewritten_to = pstrdup(safe_sql);
	args.queryString = queryString;
	args.params = params;
	args.queryEnv = queryEnv;
	args.qc = qc;
	args.safe_sql = stats->rewritten_to;
	rw->journal.relid = o->relid;
	rw->journal.relation = quote_qualified_identifier(o->nspname, o->relname);
	rw->journal.nspname = o->nspname;
	rw->journal.command = CreateCommandName(pstmt->utilityStmt);
	rw->journal.statement = stats->statement;
	rw->journal.rewritten_to = stats->rewritten_to;

	/* what an interrupted rewrite of this table left is in the way */
	if (o->form == SDDL_ONLINE_CREATE_INDEX || o->form == SDDL_ONLINE_UNIQUE ||
		o->form == SDDL_ONLINE_NOT_VALID || o->form == SDDL_ONLINE_SET_NOT_NULL)
		sddl_journal_recover(o->relid);
	else if (o->form == SDDL_ONLINE_REINDEX)
	{
		ListCell   *lc;

		/* "reindex" rows name the table (o->relid may be the index) */
		foreach(lc, o->index_tables)
			sddl_journal_recover(lfirst_oid(lc));
	}

	PG_TRY();
	{
		sddl_rewrite_steps(rw, o, copy, &args);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(rw->cxt);
		edata = CopyErrorData();
		FlushErrorState();
		sddl_undo_all(rw);
		sddl_translate_error(rw, edata);
		ReThrowError(edata);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(rw->cxt);
}
