/*-------------------------------------------------------------------------
 *
 * check.c
 *	  safe_ddl.check(sql text) and safe_ddl.rules: the analysis and the
 *	  rules catalogue as SQL, for CI and for people.
 *
 * check() parses its argument like the server would and analyses each
 * statement without executing it.  Tables created by earlier statements of
 * the same input count as new, like tables created earlier in the
 * transaction.  It is the SQL interface of the analysis, so besides
 * analysis.h it asks policy what enforcement would do; it never includes
 * the hook, the executor or the log (scripts/check-layering).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/hook/check.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "catalog/namespace.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "analysis/analysis.h"
#include "defer/defer.h"
#include "policy/deferral.h"
#include "policy/messages.h"
#include "policy/policy.h"
#include "policy/rules.h"
#include "safe_ddl.h"

PG_FUNCTION_INFO_V1(safe_ddl_check);
PG_FUNCTION_INFO_V1(safe_ddl_rules);
PG_FUNCTION_INFO_V1(safe_ddl_analysis_facts);

#define CHECK_COLS 10
#define RULES_COLS 4
#define FACTS_COLS 10

/* Set up a materialised set-returning function call (any PG version). */
static Tuplestorestate *
sddl_srf_begin(FunctionCallInfo fcinfo, TupleDesc *tupdesc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcxt;
	Tuplestorestate *store;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	*tupdesc = CreateTupleDescCopy(*tupdesc);
	store = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = *tupdesc;
	MemoryContextSwitchTo(oldcxt);
	return store;
}

static List *sddl_note_created_name(List *created, Node *stmt);

/*
 * A syntax error in check()'s argument points into the argument, not into
 * the query that called check().
 */
static void
sddl_check_error_callback(void *arg)
{
	int			pos = geterrposition();

	if (pos > 0)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery((const char *) arg);
	}
}

static List *
sddl_parse(const char *sql)
{
	ErrorContextCallback errcallback;
	List	   *result;

	errcallback.callback = sddl_check_error_callback;
	errcallback.arg = (void *) sql;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	result = pg_parse_query(sql);
	error_context_stack = errcallback.previous;
	return result;
}

/* The finding to show on a relation's row: the deciding one first. */
static const SddlFinding *
sddl_row_finding(SddlAnalysis *analysis, SddlDecision *decision,
				 SddlRelation *rel)
{
	ListCell   *lc;

	const SddlFinding *best = NULL;

	if (decision->finding && decision->finding->rel == rel)
		return decision->finding;
	/* otherwise the one whose rule has the strongest default action */
	foreach(lc, analysis->findings)
	{
		SddlFinding *f = (SddlFinding *) lfirst(lc);

		if (f->rel == rel &&
			(best == NULL ||
			 sddl_rule(f->rule)->default_action > sddl_rule(best->rule)->default_action))
			best = f;
	}
	return best;
}

/*
 * Names later statements of the same input will see as new.  A name that
 * already exists is not created (IF NOT EXISTS, or the statement fails).
 */
static List *
sddl_note_created(List *created, Node *stmt)
{
	List	   *result = sddl_note_created_name(created, stmt);
	RangeVar   *rv;

	if (result == created)
		return created;
	rv = (RangeVar *) llast(result);
	if (OidIsValid(RangeVarGetRelidExtended(rv, NoLock, RVR_MISSING_OK,
											NULL, NULL)))
		return list_delete_last(result);
	return result;
}

static List *
sddl_note_created_name(List *created, Node *stmt)
{
	switch (nodeTag(stmt))
	{
		case T_CreateStmt:
		case T_CreateForeignTableStmt:
			return lappend(created, ((CreateStmt *) stmt)->relation);
		case T_CreateTableAsStmt:
			return lappend(created, ((CreateTableAsStmt *) stmt)->into->rel);
		case T_ViewStmt:
			return lappend(created, ((ViewStmt *) stmt)->view);
		case T_SelectStmt:
			if (((SelectStmt *) stmt)->intoClause)
				return lappend(created,
							   ((SelectStmt *) stmt)->intoClause->rel);
			return created;
		case T_CreateSeqStmt:
			return lappend(created, ((CreateSeqStmt *) stmt)->sequence);
		case T_IndexStmt:
			{
				IndexStmt  *idx = (IndexStmt *) stmt;

				if (idx->idxname)
					return lappend(created,
								   makeRangeVar(idx->relation->schemaname,
												idx->idxname, -1));
				return created;
			}
		case T_RenameStmt:
			{
				RenameStmt *ren = (RenameStmt *) stmt;

				/* a new relation renamed stays new under its new name */
				if (ren->relation && ren->newname && ren->subname == NULL &&
					(ren->renameType == OBJECT_TABLE ||
					 ren->renameType == OBJECT_VIEW ||
					 ren->renameType == OBJECT_MATVIEW ||
					 ren->renameType == OBJECT_INDEX ||
					 ren->renameType == OBJECT_SEQUENCE ||
					 ren->renameType == OBJECT_FOREIGN_TABLE))
				{
					SddlAnalysisContext probe;

					memset(&probe, 0, sizeof(probe));
					probe.created_names = created;
					if (sddl_name_created(&probe, ren->relation))
						return lappend(created,
									   makeRangeVar(ren->relation->schemaname,
													ren->newname, -1));
				}
				return created;
			}
		default:
			return created;
	}
}

/*
 * Follow BEGIN / COMMIT in check()'s input: migration tools print an atomic
 * migration wrapped in them (manage.py sqlmigrate, alembic upgrade --sql),
 * and a statement between them is judged as the migration will run it, in a
 * transaction block, whether or not check() itself is called in one.
 */
static void
sddl_track_transaction_block(Node *stmt, bool *in_block)
{
	if (!IsA(stmt, TransactionStmt))
		return;
	switch (((TransactionStmt *) stmt)->kind)
	{
		case TRANS_STMT_BEGIN:
		case TRANS_STMT_START:
			*in_block = true;
			break;
		case TRANS_STMT_COMMIT:
		case TRANS_STMT_ROLLBACK:
		case TRANS_STMT_PREPARE:
		case TRANS_STMT_COMMIT_PREPARED:
		case TRANS_STMT_ROLLBACK_PREPARED:
			*in_block = false;
			break;
		default:
			break;
	}
}

/*
 * The text of one statement of check()'s input, for the SQL quoted in
 * hints: without the blank lines and "--" comment lines a migration tool
 * prints before it (the parser counts them as part of the statement).
 */
static char *
sddl_statement_text(const char *sql, const RawStmt *raw)
{
	const char *start = sql + raw->stmt_location;
	const char *end = raw->stmt_len > 0 ? start + raw->stmt_len : start + strlen(start);

	for (;;)
	{
		while (start < end && isspace((unsigned char) *start))
			start++;
		if (end - start >= 2 && start[0] == '-' && start[1] == '-')
		{
			while (start < end && *start != '\n')
				start++;
			continue;
		}
		break;
	}
	return pnstrdup(start, end - start);
}

/*
 * safe_ddl.check(sql text): one row per statement and pre-existing relation
 * it affects (relation NULL when none).
 */
Datum
safe_ddl_check(PG_FUNCTION_ARGS)
{
	char	   *sql;
	List	   *parsetrees;
	ListCell   *lc;
	TupleDesc	tupdesc;
	Tuplestorestate *store;
	SddlAnalysisContext cxt;
	SddlPolicyContext pcxt;
	int			stmtno = 0;
	bool		in_block = false;

	sddl_require_preload();
	sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	store = sddl_srf_begin(fcinfo, &tupdesc);

	/* malformed SQL raises PostgreSQL's usual syntax error here */
	parsetrees = sddl_parse(sql);

	memset(&cxt, 0, sizeof(cxt));
	memset(&pcxt, 0, sizeof(pcxt));
	pcxt.top_level = true;
	/* issue 13: what a transaction block would defer, check() shows so */
	pcxt.can_defer = sddl_defer_any() && sddl_defer_queue_exists();

	foreach(lc, parsetrees)
	{
		RawStmt    *raw = lfirst_node(RawStmt, lc);
		Node	   *stmt = raw->stmt;
		SddlAnalysis *analysis;
		SddlDecision *decision;
		Datum		values[CHECK_COLS];
		bool		nulls[CHECK_COLS];
		ListCell   *rc;
		bool		any = false;

		stmtno++;
		sddl_track_transaction_block(stmt, &in_block);
		pcxt.in_transaction_block = IsTransactionBlock() || in_block;
		analysis = sddl_analyze(stmt, &cxt);
		/* enforce: the statement's own text, for the SQL shown in hints */
		pcxt.statement = sddl_statement_text(sql, raw);
		decision = sddl_decide(analysis, &pcxt);
		if (decision->finding)
			sddl_describe(decision, analysis, &pcxt);

		memset(nulls, 0, sizeof(nulls));
		values[0] = Int32GetDatum(stmtno);
		values[1] = CStringGetTextDatum(analysis->command);
		values[6] = CStringGetTextDatum(sddl_action_name(decision->action));
		nulls[8] = true;		/* message: from policy, when it has one */
		nulls[9] = true;		/* hint */

		foreach(rc, analysis->relations)
		{
			SddlRelation *rel = (SddlRelation *) lfirst(rc);
			const SddlFinding *f = sddl_row_finding(analysis, decision, rel);

			any = true;
			if (OidIsValid(rel->relid))
			{
				values[2] = ObjectIdGetDatum(rel->relid);
				nulls[2] = false;
			}
			else
				nulls[2] = true;
			values[3] = CStringGetTextDatum(sddl_lockmode_name(rel->lockmode));
			nulls[3] = false;
			values[4] = BoolGetDatum(rel->rewrites);
			nulls[4] = false;
			values[5] = BoolGetDatum(rel->scans);
			nulls[5] = false;
			if (f)
			{
				values[7] = CStringGetTextDatum(sddl_rule(f->rule)->name);
				nulls[7] = false;
			}
			else
				nulls[7] = true;
			/* enforce: policy's message and hint on the deciding row */
			nulls[8] = nulls[9] = true;
			if (f && f == decision->finding && decision->message)
			{
				values[8] = CStringGetTextDatum(decision->message);
				nulls[8] = false;
				if (decision->hint)
				{
					values[9] = CStringGetTextDatum(decision->hint);
					nulls[9] = false;
				}
			}
			tuplestore_putvalues(store, tupdesc, values, nulls);
		}

		if (!any)
		{
			nulls[2] = true;
			nulls[3] = true;
			values[4] = BoolGetDatum(false);
			nulls[4] = !analysis->recognized;
			values[5] = BoolGetDatum(false);
			nulls[5] = !analysis->recognized;
			nulls[7] = true;
			if (!analysis->recognized)
			{
				values[8] = CStringGetTextDatum("safe_ddl does not analyse this kind of statement");
				nulls[8] = false;
			}
			tuplestore_putvalues(store, tupdesc, values, nulls);
		}

		cxt.created_names = sddl_note_created(cxt.created_names, stmt);
	}

	return (Datum) 0;
}

/*
 * The rules catalogue: name, description, typical lock, default action.
 */
Datum
safe_ddl_rules(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *store;

	sddl_require_preload();
	store = sddl_srf_begin(fcinfo, &tupdesc);
	for (int i = 0; i < sddl_rule_count; i++)
	{
		Datum		values[RULES_COLS];
		bool		nulls[RULES_COLS] = {false};

		values[0] = CStringGetTextDatum(sddl_rules[i].name);
		values[1] = CStringGetTextDatum(sddl_rules[i].description);
		values[2] = CStringGetTextDatum(sddl_rules[i].typical_lock);
		values[3] = CStringGetTextDatum(sddl_action_name(sddl_rules[i].default_action));
		tuplestore_putvalues(store, tupdesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * safe_ddl.analysis_facts(sql text): the catalog facts the analysis hands
 * to policy, per statement and relation, for tests and for DBAs wondering
 * why a statement was judged the way it was.
 */
Datum
safe_ddl_analysis_facts(PG_FUNCTION_ARGS)
{
	char	   *sql;
	List	   *parsetrees;
	ListCell   *lc;
	TupleDesc	tupdesc;
	Tuplestorestate *store;
	SddlAnalysisContext cxt;
	int			stmtno = 0;

	sddl_require_preload();
	sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	store = sddl_srf_begin(fcinfo, &tupdesc);
	parsetrees = sddl_parse(sql);
	memset(&cxt, 0, sizeof(cxt));

	foreach(lc, parsetrees)
	{
		RawStmt    *raw = lfirst_node(RawStmt, lc);
		SddlAnalysis *analysis;
		ListCell   *rc;

		stmtno++;
		analysis = sddl_analyze(raw->stmt, &cxt);
		foreach(rc, analysis->relations)
		{
			SddlRelation *rel = (SddlRelation *) lfirst(rc);
			Datum		values[FACTS_COLS];
			bool		nulls[FACTS_COLS] = {false};
			List	   *rules = NIL;
			ListCell   *fc;

			values[0] = Int32GetDatum(stmtno);
			values[1] = CStringGetTextDatum(rel->nspname ?
											quote_qualified_identifier(rel->nspname, rel->relname) :
											quote_identifier(rel->relname));
			values[2] = CStringGetTextDatum(psprintf("%c", rel->relkind));
			values[3] = BoolGetDatum(rel->is_new);
			values[4] = CStringGetTextDatum(sddl_lockmode_name(rel->held_mode));
			values[5] = Float8GetDatum(rel->reltuples);
			values[6] = Int64GetDatum((int64) rel->relpages);
			values[7] = Int64GetDatum(rel->bytes);
			values[8] = BoolGetDatum(analysis->concurrent);
			foreach(fc, analysis->findings)
			{
				SddlFinding *f = (SddlFinding *) lfirst(fc);

				if (f->rel == rel)
					rules = lappend(rules, (void *) sddl_rule(f->rule)->name);
			}
			if (rules == NIL)
				nulls[9] = true;
			else
			{
				Datum	   *elems = palloc(sizeof(Datum) * list_length(rules));
				int			i = 0;

				foreach(fc, rules)
					elems[i++] = CStringGetTextDatum((char *) lfirst(fc));
				values[9] = PointerGetDatum(construct_array(elems, i, TEXTOID,
															-1, false,
															TYPALIGN_INT));
			}
			tuplestore_putvalues(store, tupdesc, values, nulls);
		}
		cxt.created_names = sddl_note_created(cxt.created_names, raw->stmt);
	}
	return (Datum) 0;
}
