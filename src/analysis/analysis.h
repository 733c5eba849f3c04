/*-------------------------------------------------------------------------
 *
 * analysis.h
 *	  Describe what a utility statement will do: which pre-existing
 *	  relations it locks, in which mode, whether it rewrites or scans them,
 *	  and the catalog facts policy needs.
 *
 * The analysis is pure: it reads the parse tree and the catalog, changes
 * nothing and takes no locks beyond what catalog reads need.  It must never
 * include hook.h, executor.h or log.h (scripts/check-layering enforces it).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/analysis.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_ANALYSIS_H
#define SAFE_DDL_ANALYSIS_H

#include "datatype/timestamp.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "nodes/plannodes.h"
#include "nodes/primnodes.h"
#include "storage/block.h"
#include "storage/lockdefs.h"


/*
 * The risks the analysis can detect.  Each is a rule of the rule table
 * (policy/rules.c), which holds its user-facing name and texts; the
 * analysis only names the risk.
 */
typedef enum SddlRuleId
{
	SDDL_RULE_ADDING_FIELD_WITH_DEFAULT,		/* adding-field-with-default */
	SDDL_RULE_ADDING_NOT_NULLABLE_FIELD,		/* adding-not-nullable-field */
	SDDL_RULE_ADDING_REQUIRED_FIELD,		/* adding-required-field */
	SDDL_RULE_ADDING_STORED_GENERATED_COLUMN,		/* adding-stored-generated-column */
	SDDL_RULE_ATTACH_PARTITION_SCAN,		/* attach-partition-scan */
	SDDL_RULE_BACKFILL_UNDER_EXCLUSIVE_LOCK,		/* backfill-under-exclusive-lock */
	SDDL_RULE_CHANGING_COLUMN_TYPE,		/* changing-column-type */
	SDDL_RULE_CONSTRAINT_MISSING_NOT_VALID,		/* constraint-missing-not-valid */
	SDDL_RULE_DISALLOWED_CLUSTER,		/* disallowed-cluster */
	SDDL_RULE_DISALLOWED_EXCLUSION_CONSTRAINT,		/* disallowed-exclusion-constraint */
	SDDL_RULE_DISALLOWED_UNIQUE_CONSTRAINT,		/* disallowed-unique-constraint */
	SDDL_RULE_DISALLOWED_VACUUM_FULL,		/* disallowed-vacuum-full */
	SDDL_RULE_RENAMING_COLUMN,		/* renaming-column */
	SDDL_RULE_RENAMING_TABLE,		/* renaming-table */
	SDDL_RULE_REQUIRE_CONCURRENT_DETACH_PARTITION,		/* require-concurrent-detach-partition */
	SDDL_RULE_REQUIRE_CONCURRENT_INDEX_CREATION,		/* require-concurrent-index-creation */
	SDDL_RULE_REQUIRE_CONCURRENT_INDEX_DELETION,		/* require-concurrent-index-deletion */
	SDDL_RULE_REQUIRE_CONCURRENT_REFRESH,		/* require-concurrent-refresh */
	SDDL_RULE_REQUIRE_CONCURRENT_REINDEX,		/* require-concurrent-reindex */
	SDDL_RULE_REQUIRE_CONCURRENT_REPACK,		/* require-concurrent-repack */
	SDDL_RULE_REWRITING_TABLE,		/* rewriting-table */
	SDDL_RULE_SCAN_UNDER_EXCLUSIVE_LOCK,		/* scan-under-exclusive-lock */
	SDDL_RULE_COUNT
} SddlRuleId;

/* One pre-existing relation a statement touches. */
typedef struct SddlRelation
{
	Oid			relid;			/* InvalidOid for a relation created earlier
								 * in the same check() input (is_new): it
								 * does not exist yet; relname names it */
	char		relkind;		/* pg_class.relkind */
	char		relpersistence; /* pg_class.relpersistence */
	char	   *nspname;
	char	   *relname;
	LOCKMODE	lockmode;		/* strongest mode the statement takes on it */
	bool		rewrites;		/* new relfilenode for it or its indexes
								 * (a partitioned table: for one of its
								 * partitions); never set for sequences */
	bool		scans;			/* reads the whole relation: rewrite,
								 * validation (on both sides of a foreign
								 * key), index build, the query of CREATE
								 * TABLE AS / REFRESH / DML, ANALYZE of a
								 * table no bigger than its sample (a
								 * partitioned table: of one of its
								 * partitions); never set for indexes and
								 * sequences */

	/* catalog facts */
	bool		is_new;			/* created in the current transaction, or
								 * earlier in the same check() input */
	double		reltuples;		/* pg_class.reltuples, -1 if never analysed */
	BlockNumber relpages;		/* pg_class.relpages */
	int64		bytes;			/* real size of the main fork (for a
								 * partitioned table: of all its leaves) */
	LOCKMODE	held_mode;		/* strongest lock this transaction already
								 * holds on it, NoLock if none */
} SddlRelation;

/* One risk detected on one relation. */
typedef struct SddlFinding
{
	SddlRuleId	rule;
	SddlRelation *rel;			/* the relation at risk, never NULL */
	int			cmd_index;		/* ALTER TABLE: 0-based position of the
								 * subcommand in stmt->cmds; otherwise -1 */
	char	   *object;			/* index, constraint or column the finding is
								 * about, or NULL */
} SddlFinding;

/*
 * The online form of a statement: an equivalent with weaker locks that
 * exists for this statement on this relation, wherever it runs.  The
 * analysis names it, like it names risks; policy (rewrite_plan.c) decides
 * whether to use it and spells its SQL, exec runs it.
 */
typedef enum SddlOnlineForm
{
	SDDL_ONLINE_NONE,
	SDDL_ONLINE_CREATE_INDEX,	/* CREATE INDEX CONCURRENTLY */
	SDDL_ONLINE_DROP_INDEX,		/* DROP INDEX CONCURRENTLY */
	SDDL_ONLINE_REINDEX,		/* REINDEX ... CONCURRENTLY */
	SDDL_ONLINE_DETACH,			/* DETACH PARTITION ... CONCURRENTLY */
	SDDL_ONLINE_REFRESH,		/* REFRESH ... CONCURRENTLY */
	SDDL_ONLINE_NOT_VALID,		/* ADD ... NOT VALID, then VALIDATE */
	SDDL_ONLINE_SET_NOT_NULL,	/* through a validated CHECK (col IS NOT
								 * NULL) */
	SDDL_ONLINE_UNIQUE,			/* CREATE UNIQUE INDEX CONCURRENTLY, then
								 * ADD CONSTRAINT ... USING INDEX */
	SDDL_ONLINE_REPACK			/* VACUUM FULL, CLUSTER, REPACK -> REPACK
								 * (CONCURRENTLY), PostgreSQL 19 */
} SddlOnlineForm;

/* The catalog facts the online form of a statement needs (facts.c). */
typedef struct SddlOnlineFacts
{
	SddlOnlineForm form;
	Oid			relid;			/* the relation the statement names: the
								 * index for DROP INDEX and REINDEX INDEX */
	char	   *nspname;		/* its schema */
	char	   *relname;		/* its name */
	List	   *index_tables;	/* OIDs of the relations an interrupted
								 * CONCURRENTLY build may leave INVALID
								 * indexes on */
	char	   *new_name;		/* what the online form creates: the unique
								 * index (UNIQUE), the helper CHECK (SET NOT
								 * NULL up to 17), the NOT NULL constraint
								 * (SET NOT NULL from 18); otherwise NULL */
	bool		validate_only;	/* SET NOT NULL from 18: new_name is the
								 * column's NOT VALID NOT NULL constraint
								 * already there, which only needs
								 * VALIDATE */
} SddlOnlineFacts;

/* Everything the analysis knows about one statement. */
typedef struct SddlAnalysis
{
	Node	   *stmt;			/* the statement analysed (not copied) */
	const char *command;		/* command tag, e.g. "ALTER TABLE" */
	bool		recognized;		/* false: the analysis does not know this
								 * statement kind, and says so */
	bool		concurrent;		/* a CONCURRENTLY form: cannot run in a
								 * transaction block or subtransaction */
	bool		no_transaction_block;	/* cannot run inside a transaction
										 * block either (the CONCURRENTLY
										 * forms, VACUUM, REINDEX SCHEMA,
										 * CLUSTER of many tables, ...) */
	bool		requires_transaction_block; /* refused at top level outside
											 * one (LOCK TABLE), where a
											 * subtransaction counts as one */
	List	   *relations;		/* SddlRelation *, each relid once */
	List	   *findings;		/* SddlFinding * */
	SddlOnlineFacts *online;	/* NULL until sddl_online_facts() */
	List	   *renamed;		/* the context's renamed relations when the
								 * statement was analysed (SddlRenamed *) */
} SddlAnalysis;

/*
 * Relations created earlier in the same safe_ddl.check() input, which count
 * as new just like relations created earlier in the transaction.  NULL when
 * analysing a statement the hook received.
 */
typedef struct SddlAnalysisContext
{
	List	   *created_names;	/* RangeVar * created earlier in the input */
	List	   *renamed;		/* SddlRenamed *: pre-existing relations
								 * renamed or moved to another schema
								 * earlier in the input (filled by the
								 * analysis itself) */
} SddlAnalysisContext;

/*
 * A pre-existing relation renamed (RENAME TO) or moved (SET SCHEMA) by an
 * earlier statement of the same check() input: later statements find it
 * under its new name only, and rows and hints use that name.
 */
typedef struct SddlRenamed
{
	Oid			relid;
	char	   *nspname;		/* its schema now */
	char	   *relname;		/* its name now */
} SddlRenamed;

/*
 * Cheap test, no catalog access: can this statement kind ever need
 * analysis?  The hook calls it for every utility statement, so it must stay
 * a switch on the node tag.
 */
extern bool sddl_is_candidate(Node *parsetree);

extern SddlAnalysis *sddl_analyze(Node *parsetree, SddlAnalysisContext *cxt);

/*
 * The online form of the analysed statement and its facts, read from the
 * catalog on first use and kept in analysis->online: only statements with
 * a risk that has an online form ever need them.
 */
extern SddlOnlineFacts *sddl_online_facts(SddlAnalysis *analysis);

/*
 * Was a table of this name created earlier in the same check() input?  An
 * unqualified name matches whatever schema it was created in.
 */
extern bool sddl_name_created(SddlAnalysisContext *cxt, const RangeVar *rv);

/* pg_locks.mode spelling of a lock mode, e.g. "AccessExclusiveLock" */
extern const char *sddl_lockmode_name(LOCKMODE mode);

/* Whether a lock mode conflicts with the application's reads / writes. */
extern bool sddl_lock_blocks_reads(LOCKMODE mode);
extern bool sddl_lock_blocks_writes(LOCKMODE mode);

/*
 * Data-modifying statements (dml.c), for the backfill rule
 * (policy/backfill.c) and the lock-hold budget (exec/hold.h).
 */

/*
 * A lock that blocks the application, held by this transaction since a
 * statement safe_ddl intercepted (see exec/hold.h).
 */
typedef struct SddlHeldLock
{
	Oid			relid;
	LOCKMODE	mode;			/* strongest mode held */
	char	   *relname;		/* "schema.relation", quoted as needed */
	char	   *statement;		/* the statement that took it */
	TimestampTz since;			/* when that statement finished */
	SubTransactionId subid;		/* subtransaction owning the entry */
} SddlHeldLock;

/* The row count of COPY FROM, which has no planner estimate. */
#define SDDL_DML_ROWS_UNKNOWN (-1.0)

/* What a data-modifying statement is about to do. */
typedef struct SddlDmlFacts
{
	const char *command;		/* "UPDATE", "DELETE", "INSERT", "MERGE",
								 * "COPY" */
	Oid			relid;			/* target relation */
	char	   *relname;		/* "schema.relation", quoted as needed */
	char	   *name;			/* the relation's name alone */
	char		relpersistence;
	bool		is_new;			/* created or truncated in this transaction */
	int64		bytes;			/* real size of the target on disk */
	double		rows;			/* planner estimate of the rows it writes,
								 * or SDDL_DML_ROWS_UNKNOWN */
} SddlDmlFacts;

/*
 * The facts (SddlDmlFacts *) of each table a planned statement writes with
 * UPDATE, DELETE, INSERT or MERGE: the statement's own target, and those of
 * its data-modifying WITH queries, which a SELECT can carry too.  NIL when
 * it writes none (a plain SELECT, a utility statement).
 */
extern List *sddl_analyze_dml(PlannedStmt *pstmt);

/* The same for COPY ... FROM into a table; false for COPY TO. */
extern bool sddl_analyze_copy(CopyStmt *stmt, SddlDmlFacts *facts);

#endif							/* SAFE_DDL_ANALYSIS_H */
