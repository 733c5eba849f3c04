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

#include "nodes/pg_list.h"
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
	bool		rewrites;		/* new relfilenode for it or its indexes */
	bool		scans;			/* reads the whole relation: rewrite,
								 * validation, index build, the query of
								 * CREATE TABLE AS / REFRESH; never set for
								 * indexes and sequences, nor for the table a
								 * foreign key references (it is probed) */

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
	List	   *relations;		/* SddlRelation *, each relid once */
	List	   *findings;		/* SddlFinding * */
} SddlAnalysis;

/*
 * Relations created earlier in the same safe_ddl.check() input, which count
 * as new just like relations created earlier in the transaction.  NULL when
 * analysing a statement the hook received.
 */
typedef struct SddlAnalysisContext
{
	List	   *created_names;	/* RangeVar * created earlier in the input */
} SddlAnalysisContext;

/*
 * Cheap test, no catalog access: can this statement kind ever need
 * analysis?  The hook calls it for every utility statement, so it must stay
 * a switch on the node tag.
 */
extern bool sddl_is_candidate(Node *parsetree);

extern SddlAnalysis *sddl_analyze(Node *parsetree, SddlAnalysisContext *cxt);

/* pg_locks.mode spelling of a lock mode, e.g. "AccessExclusiveLock" */
extern const char *sddl_lockmode_name(LOCKMODE mode);

/* Whether a lock mode conflicts with the application's reads / writes. */
extern bool sddl_lock_blocks_reads(LOCKMODE mode);
extern bool sddl_lock_blocks_writes(LOCKMODE mode);

#endif							/* SAFE_DDL_ANALYSIS_H */
