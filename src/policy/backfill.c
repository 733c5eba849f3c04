/*-------------------------------------------------------------------------
 *
 * backfill.c
 *	  The rule backfill-under-exclusive-lock (see backfill.h).
 *
 * The commonest outage no statement-by-statement check sees: an instant,
 * allowed ALTER TABLE takes ACCESS EXCLUSIVE, then the same transaction
 * backfills the new column.  The lock is held until COMMIT, so every query
 * on the table queues for the whole backfill (3 s measured for 200,000
 * rows of pgbench_accounts at scale 20; see BENCHMARKS.md).  The statement
 * is refused before it runs, which leaves the transaction to be rolled
 * back with the lock held only for the instant the ALTER took.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/policy/backfill.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "catalog/pg_class.h"
#include "lib/stringinfo.h"
#include "utils/guc.h"

#include "policy/backfill.h"
#include "policy/rules.h"
#include "safe_ddl.h"

/*
 * safe_ddl.backfill_max_rows: the most rows a statement may write while the
 * transaction holds a lock that blocks the application.
 *
 * Default 1000, the batch size of Rails' in_batches and of most batched
 * backfill recipes, so a backfill written the recommended way never trips
 * the rule.  Measured here, UPDATE of pgbench_accounts writes about 70,000
 * rows a second with its index (200,000 rows in 3 s): 1000 rows keep the
 * lock about 15 ms.  The planner's estimate of a selective WHERE clause
 * can be low by an order of magnitude (aid % 10 = 0 is estimated at 0.5%
 * of the rows, not 10%), so the threshold must sit well below the row
 * counts that hurt: 10,000 would let the 200,000-row backfill of the
 * issue through (estimated at 10,000).
 */
static int	sddl_backfill_max_rows = 1000;

/* How much of the statement that took the lock the DETAIL quotes. */
#define SDDL_BACKFILL_QUOTED_STATEMENT 120

void
sddl_backfill_define_gucs(void)
{
	DefineCustomIntVariable("safe_ddl.backfill_max_rows",
							"Most rows a statement may write while the transaction holds a lock that blocks the application.",
							"Above it, by the planner's estimate, UPDATE, DELETE, "
							"INSERT ... SELECT and MERGE on a pre-existing table "
							"at least safe_ddl.small_table_size large are refused "
							"(rule backfill-under-exclusive-lock); COPY FROM "
							"always is.",
							&sddl_backfill_max_rows,
							1000,
							0, INT_MAX,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
}

/* Can a long lock on, or a long write to, this relation hurt no one? */
static bool
sddl_backfill_harmless(bool is_new, char relpersistence, const char *relname,
					   int64 bytes)
{
	SddlRelation rel;

	/* the bookkeeping test of every other rule: name, and a small size */
	memset(&rel, 0, sizeof(rel));
	rel.relname = (char *) relname;
	rel.bytes = bytes;
	return is_new || relpersistence == RELPERSISTENCE_TEMP ||
		bytes < (int64) sddl_small_table_size * 1024 ||
		sddl_is_bookkeeping(&rel);
}

List *
sddl_backfill_relations_that_matter(SddlAnalysis *analysis)
{
	List	   *result = NIL;
	ListCell   *lc;

	if (sddl_rule_disabled(sddl_rule(SDDL_RULE_BACKFILL_UNDER_EXCLUSIVE_LOCK)))
		return NIL;
	foreach(lc, analysis->relations)
	{
		SddlRelation *r = (SddlRelation *) lfirst(lc);

		if (!OidIsValid(r->relid) || !sddl_lock_blocks_writes(r->lockmode))
			continue;
		if (r->relkind != RELKIND_RELATION &&
			r->relkind != RELKIND_PARTITIONED_TABLE &&
			r->relkind != RELKIND_MATVIEW)
			continue;
		if (sddl_backfill_harmless(r->is_new, r->relpersistence, r->relname,
								   r->bytes))
			continue;
		result = lappend(result, r);
	}
	return result;
}

/* The strongest of the held locks, the first taken among equals. */
static const SddlHeldLock *
sddl_backfill_worst(List *held)
{
	const SddlHeldLock *worst = NULL;
	ListCell   *lc;

	foreach(lc, held)
	{
		const SddlHeldLock *h = (const SddlHeldLock *) lfirst(lc);

		if (worst == NULL || h->mode > worst->mode)
			worst = h;
	}
	return worst;
}

/* "updating about 200000 rows of table "public.t"" */
static char *
sddl_backfill_operation(const SddlDmlFacts *facts)
{
	const char *verb;
	const char *prep = "of";

	if (facts->rows == SDDL_DML_ROWS_UNKNOWN)
		return psprintf("copying rows into table \"%s\"", facts->relname);
	if (strcmp(facts->command, "UPDATE") == 0)
		verb = "updating";
	else if (strcmp(facts->command, "DELETE") == 0)
		verb = "deleting";
	else
	{
		verb = strcmp(facts->command, "MERGE") == 0 ? "merging" : "inserting";
		prep = "into";
	}
	return psprintf("%s about %.0f rows %s table \"%s\"", verb, facts->rows,
					prep, facts->relname);
}

static char *
sddl_backfill_quote(const char *statement)
{
	if (strlen(statement) <= SDDL_BACKFILL_QUOTED_STATEMENT)
		return pstrdup(statement);
	return psprintf("%.*s...", SDDL_BACKFILL_QUOTED_STATEMENT, statement);
}

static void
sddl_backfill_describe(SddlDecision *d, const SddlDmlFacts *facts,
					   List *held)
{
	const SddlHeldLock *h = sddl_backfill_worst(held);
	const char *rule = sddl_rule(SDDL_RULE_BACKFILL_UNDER_EXCLUSIVE_LOCK)->name;
	StringInfoData buf;

	d->message = psprintf("%s would %s table \"%s\" for the whole %s",
						  sddl_backfill_operation(facts),
						  sddl_lock_blocks_reads(h->mode) ?
						  "block reads and writes of" : "block writes to",
						  h->relname, facts->command);

	initStringInfo(&buf);
	appendStringInfo(&buf, "This transaction holds %s on table \"%s\" since \"%s\" and keeps it until it ends",
					 sddl_lockmode_name(h->mode), h->relname,
					 sddl_backfill_quote(h->statement));
	if (list_length(held) > 1)
		appendStringInfo(&buf, ", with strong locks on %d other tables",
						 list_length(held) - 1);
	if (facts->rows == SDDL_DML_ROWS_UNKNOWN)
		appendStringInfo(&buf, ". COPY FROM writes an unknown number of rows into table \"%s\".",
						 facts->relname);
	else
		appendStringInfo(&buf, ". The planner expects the %s to write about %.0f rows of table \"%s\", more than safe_ddl.backfill_max_rows (%d).",
						 facts->command, facts->rows, facts->relname,
						 sddl_backfill_max_rows);
	if (d->action == SDDL_ACTION_REJECT)
		appendStringInfo(&buf, " safe_ddl refused the statement (rule %s).",
						 rule);
	else if (d->override)
		appendStringInfo(&buf, " safe_ddl allowed it because a safe_ddl setting was relaxed in this session, and logged the override (rule %s).",
						 rule);
	else
		appendStringInfo(&buf, " safe_ddl would refuse it in enforce mode (rule %s).",
						 rule);
	d->detail = buf.data;

	initStringInfo(&buf);
	appendStringInfo(&buf, "Commit the schema change first, then write the rows in batches of at most %d, each batch in its own transaction.",
					 sddl_backfill_max_rows);
	appendStringInfoString(&buf, "\nDjango: move the backfill to a separate data migration with atomic = False that updates the rows in batches.");
	appendStringInfoString(&buf, "\nRails: move the backfill to a separate migration with disable_ddl_transaction! and use in_batches.");
	appendStringInfoString(&buf, "\nAlembic: run the batches inside \"with op.get_context().autocommit_block():\", after the schema change.");
	if (d->action == SDDL_ACTION_REJECT)
		appendStringInfoString(&buf, "\nA DBA can let it through once with SET LOCAL safe_ddl.mode = observe in the same transaction.");
	d->hint = buf.data;
}

SddlDecision *
sddl_decide_backfill(const SddlDmlFacts *facts, List *held)
{
	SddlDecision *d;

	if (held == NIL || sddl_mode == SDDL_MODE_OFF ||
		sddl_rule_disabled(sddl_rule(SDDL_RULE_BACKFILL_UNDER_EXCLUSIVE_LOCK)))
		return NULL;
	if (sddl_backfill_harmless(facts->is_new, facts->relpersistence,
							   facts->name, facts->bytes))
		return NULL;
	if (facts->rows != SDDL_DML_ROWS_UNKNOWN &&
		facts->rows <= (double) sddl_backfill_max_rows)
		return NULL;

	d = palloc0(sizeof(SddlDecision));
	d->enforce_action = SDDL_ACTION_REJECT;
	if (sddl_mode == SDDL_MODE_ENFORCE)
		d->action = SDDL_ACTION_REJECT;
	else
	{
		d->action = SDDL_ACTION_WARN;
		d->override = sddl_mode_relaxed_in_session();
	}
	sddl_backfill_describe(d, facts, held);
	return d;
}
