/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  The one place that knows about PostgreSQL version differences.
 *
 * safe_ddl supports PostgreSQL 14 to 19 (docs/versions.md says which are
 * tested).  Logic files never test
 * PG_VERSION_NUM themselves; they use the macros defined here.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_COMPAT_H
#define SAFE_DDL_COMPAT_H


#include "access/xact.h"
#include "tcop/utility.h"
#include "utils/guc.h"

#if PG_VERSION_NUM < 140000
#error "safe_ddl requires PostgreSQL 14 or later"
#endif

/*
 * ProcessUtility hook.  PostgreSQL 14 to 18 share one signature (14 added
 * readOnlyTree); these macros keep the parameter list in one place.
 */
#define SDDL_PROCESS_UTILITY_PARAMS \
	PlannedStmt *pstmt, const char *queryString, bool readOnlyTree, \
	ProcessUtilityContext context, ParamListInfo params, \
	QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc

/*
 * GUC prefix reservation: PostgreSQL 15 renamed EmitWarningsOnPlaceholders
 * to MarkGUCPrefixReserved and made it remove existing placeholders.
 */
#if PG_VERSION_NUM >= 150000
#define SddlMarkGUCPrefixReserved(prefix) MarkGUCPrefixReserved(prefix)
#else
#define SddlMarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/*
 * Shared memory requests: from PostgreSQL 15 they must be made in
 * shmem_request_hook; before, directly in _PG_init.
 */
#if PG_VERSION_NUM >= 150000
#define SDDL_HAVE_SHMEM_REQUEST_HOOK 1
#endif

/* PostgreSQL 16 renamed relfilenode to relfilelocator in the relcache. */
#if PG_VERSION_NUM >= 160000
#define SddlRelNewStorageSubid(rel) ((rel)->rd_newRelfilelocatorSubid)
#else
#define SddlRelNewStorageSubid(rel) ((rel)->rd_newRelfilenodeSubid)
#endif

/* -- analysis layer (src/analysis_alter.c) -- */
/* PostgreSQL 15 dropped the unused first argument of get_qual_from_partbound. */
#if PG_VERSION_NUM >= 150000
#define SddlGetQualFromPartbound(rel, parent, spec) \
	get_qual_from_partbound((parent), (spec))
#else
#define SddlGetQualFromPartbound(rel, parent, spec) \
	get_qual_from_partbound((rel), (parent), (spec))
#endif
/*
 * PostgreSQL 15 added MERGE, ALTER TABLE ... SET ACCESS METHOD, and unlogged
 * sequences (SET LOGGED/UNLOGGED then also rewrites the owned sequences).
 */
#if PG_VERSION_NUM >= 150000
#define SDDL_HAVE_MERGE_STMT 1
#define SDDL_HAVE_SET_ACCESS_METHOD 1
#define SDDL_HAVE_UNLOGGED_SEQUENCES 1
#endif

/*
 * PostgreSQL 15 turned A_Const's value into a union with an isnull flag;
 * before, a NULL constant was a T_Null Value node.
 */
#if PG_VERSION_NUM >= 150000
#define SddlAConstIsString(ac) \
	(!(ac)->isnull && IsA(&(ac)->val, String))
#else
#define SddlAConstIsString(ac) IsA(&(ac)->val, String)
#endif
/*
 * PostgreSQL 19 replaced ClusterStmt with RepackStmt: CLUSTER and REPACK
 * parse into it, with the table inside a VacuumRelation.  Until the
 * analysis knows REPACK's own forms, both are analysed like CLUSTER.
 */
#if PG_VERSION_NUM >= 190000
typedef RepackStmt SddlClusterStmt;
#define T_SddlClusterStmt T_RepackStmt
#define SddlClusterRelation(stmt) \
	((stmt)->relation ? (stmt)->relation->relation : NULL)
#else
typedef ClusterStmt SddlClusterStmt;
#define T_SddlClusterStmt T_ClusterStmt
#define SddlClusterRelation(stmt) ((stmt)->relation)
#endif

/*
 * PostgreSQL 19 added REPACK (CONCURRENTLY): an online rewrite of one
 * table, under SHARE UPDATE EXCLUSIVE until a brief ACCESS EXCLUSIVE for
 * the final swap, which CLUSTER and VACUUM FULL have no equivalent of.
 */
#if PG_VERSION_NUM >= 190000
#define SDDL_HAS_REPACK 1
#endif

/* PostgreSQL 19 can also report whether a domain's checks are volatile. */
#if PG_VERSION_NUM >= 190000
#define SddlDomainHasConstraints(typid) DomainHasConstraints((typid), NULL)
#else
#define SddlDomainHasConstraints(typid) DomainHasConstraints(typid)
#endif
/* PostgreSQL 17 added ALTER TABLE ... ALTER COLUMN ... SET EXPRESSION. */
#if PG_VERSION_NUM >= 170000
#define SDDL_HAS_SET_EXPRESSION 1
#endif

/*
 * PostgreSQL 18 added virtual generated columns (the default kind): the
 * raw Constraint says which kind, pg_attribute.attgenerated which one a
 * column is.  Before, every generated column was stored.
 */
#if PG_VERSION_NUM >= 180000
#define SddlConstraintGeneratedVirtual(c) \
	((c)->generated_kind == ATTRIBUTE_GENERATED_VIRTUAL)
#define SddlAttGeneratedVirtual(att) \
	((att)->attgenerated == ATTRIBUTE_GENERATED_VIRTUAL)
#else
#define SddlConstraintGeneratedVirtual(c) false
#define SddlAttGeneratedVirtual(att) false
#endif
/*
 * PostgreSQL 18 keeps NOT NULL constraints as pg_constraint rows, which can
 * be NOT VALID: attnotnull is then set although the column is unchecked.
 */
#if PG_VERSION_NUM >= 180000
#define SDDL_HAS_NOTNULL_CONSTRAINTS 1
#endif
/*
 * PostgreSQL 18 added NOT ENFORCED constraints (CHECK and FOREIGN KEY) and
 * ALTER CONSTRAINT ... [NOT] ENFORCED / [NO] INHERIT, whose subcommand
 * carries an ATAlterConstraint (before, a Constraint node).
 */
#if PG_VERSION_NUM >= 180000
#define SDDL_HAS_ENFORCEABILITY 1
#define SddlConstraintNotEnforced(c) (!(c)->is_enforced)
#else
#define SddlConstraintNotEnforced(c) false
#endif
/* PostgreSQL 18 added temporal keys: UNIQUE / PRIMARY KEY (..., WITHOUT OVERLAPS). */
#if PG_VERSION_NUM >= 180000
#define SddlConstraintWithoutOverlaps(c) ((c)->without_overlaps)
#else
#define SddlConstraintWithoutOverlaps(c) false
#endif
/*
 * PostgreSQL 18 changed several lock levels: GRANT/REVOKE on a named table
 * locks it (AccessShareLock), VACUUM/ANALYZE process inheritance children
 * as if named, ALTER COLUMN DROP NOT NULL no longer recurses by walking the
 * children with a lock of their own, and ADD UNIQUE/PRIMARY KEY recurses
 * to inheritance children too.
 */
#if PG_VERSION_NUM >= 180000
#define SDDL_PG18_LOCKS 1
#endif

/*
 * The RETURNING list of INSERT/UPDATE/DELETE: a list of ResTarget until
 * 17, a ReturningClause (with its OLD/NEW aliases) from 18.
 */
#if PG_VERSION_NUM >= 180000
#define SddlReturning(stmt) ((Node *) (stmt)->returningClause)
#else
#define SddlReturning(stmt) ((Node *) (stmt)->returningList)
#endif

/*
 * pg_attribute.attstattarget and pg_statistic_ext.stxstattarget, read with
 * SysCacheGetAttr: int4, -1 for the default, until 16; int2, NULL for the
 * default, from 17.
 */
#if PG_VERSION_NUM >= 170000
#define SddlDatumGetStatTarget(d) ((int) DatumGetInt16(d))
#else
#define SddlDatumGetStatTarget(d) ((int) DatumGetInt32(d))
#endif
/* -- end of analysis layer -- */

/* -- lock waits (src/lockwait.c) -- */
/* a random double in [0, 1) for backoff jitter (pg_prng: 15+) */
#if PG_VERSION_NUM >= 150000
#include "common/pg_prng.h"
#define SddlRandomDouble() pg_prng_double(&pg_global_prng_state)
#else
#define SddlRandomDouble() ((double) random() / ((double) MAX_RANDOM_VALUE + 1))
#endif
/* -- end of lock waits -- */

/* PostgreSQL 15 added UNIQUE NULLS NOT DISTINCT. */
#if PG_VERSION_NUM >= 150000
#define SddlConstraintNullsNotDistinct(c) ((c)->nulls_not_distinct)
#else
#define SddlConstraintNullsNotDistinct(c) false
#endif

/*
 * In an extended-protocol pipeline, CONCURRENTLY forms fail like in a
 * transaction block.  The flag exists in recent minor releases only.
 */
#ifdef XACT_FLAGS_PIPELINING
#define SddlInPipeline() ((MyXactFlags & XACT_FLAGS_PIPELINING) != 0)
#else
#define SddlInPipeline() false
#endif

/* -- lock log writer (src/log/log_insert.c) -- */
/*
 * PostgreSQL 16 added onlySummarizing to ExecInsertIndexTuples; 19 folds the
 * booleans into flags and moves the slot after the estate.
 */
#if PG_VERSION_NUM >= 190000
#define SddlExecInsertIndexTuples(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (estate), 0, (slot), NIL, NULL)
#elif PG_VERSION_NUM >= 160000
#define SddlExecInsertIndexTuples(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL, false)
#else
#define SddlExecInsertIndexTuples(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL)
#endif
/*
 * PostgreSQL 19 builds jsonb through a JsonbInState (pushJsonbValue returns
 * nothing; the value is in ->result) instead of a JsonbParseState pointer.
 * Declare the state as SddlJsonbBuild, zeroed, pass its address to
 * pushJsonbValue as before, and end with SddlJsonbFinish.
 */
#include "utils/jsonb.h"
#if PG_VERSION_NUM >= 190000
typedef JsonbInState SddlJsonbBuild;
#define SddlJsonbFinish(statep, token) \
	(pushJsonbValue((statep), (token), NULL), (statep)->result)
#else
typedef JsonbParseState *SddlJsonbBuild;
#define SddlJsonbFinish(statep, token) pushJsonbValue((statep), (token), NULL)
#endif
/* -- end of lock log writer -- */

/*
 * PostgreSQL 18 replaced pg_attribute_noreturn(), written after the
 * declarator, with pg_noreturn before it; keep the old spelling working.
 */
#ifndef pg_attribute_noreturn
#if defined(__GNUC__) || defined(__clang__)
#define pg_attribute_noreturn() __attribute__((noreturn))
#else
#define pg_attribute_noreturn()
#endif
#endif

/* -- lock-hold budget (src/exec/hold_*.c) -- */
/* PostgreSQL 17 replaced PGPROC.pgprocno by MyProcNumber. */
#if PG_VERSION_NUM >= 170000
#define SddlMyProcNumber() MyProcNumber
#else
#define SddlMyProcNumber() (MyProc->pgprocno)
#endif
/* -- end of lock-hold budget -- */

/* -- deferred builds (src/defer/build.c) -- */
/*
 * PostgreSQL 15 renamed pg_analyze_and_rewrite to
 * pg_analyze_and_rewrite_fixedparams; 18 removed PortalRun's run_once.
 */
#if PG_VERSION_NUM >= 150000
#define SddlAnalyzeAndRewrite(raw, sql) \
	pg_analyze_and_rewrite_fixedparams((raw), (sql), NULL, 0, NULL)
#else
#define SddlAnalyzeAndRewrite(raw, sql) \
	pg_analyze_and_rewrite((raw), (sql), NULL, 0, NULL)
#endif
#if PG_VERSION_NUM >= 180000
#define SddlPortalRun(portal, dest, qc) \
	PortalRun((portal), FETCH_ALL, true, (dest), (dest), (qc))
#else
#define SddlPortalRun(portal, dest, qc) \
	PortalRun((portal), FETCH_ALL, true, true, (dest), (dest), (qc))
#endif

/*
 * deferops (src/defer/utility.c, launcher.c): PostgreSQL 19 terminates a
 * background worker flagged BGWORKER_INTERRUPTIBLE that is connected to a
 * database being dropped, renamed, moved or copied, as it does autovacuum;
 * before 19 no flag exists and safe_ddl stops its worker itself.  16
 * replaced the per-class ownership checks by object_ownercheck.
 */
#if PG_VERSION_NUM >= 190000
#define SDDL_BGWORKER_INTERRUPTIBLE BGWORKER_INTERRUPTIBLE
#else
#define SDDL_BGWORKER_INTERRUPTIBLE 0
#endif
#if PG_VERSION_NUM >= 160000
#define SddlDatabaseOwnercheck(dbid) \
	object_ownercheck(DatabaseRelationId, (dbid), GetUserId())
#else
#define SddlDatabaseOwnercheck(dbid) pg_database_ownercheck((dbid), GetUserId())
#endif
/* -- end of deferred builds -- */

/* -- cost: hot-path instruction counts -- */

/*
 * Memory for a GUC check hook's *extra: PostgreSQL 16 moved GUC memory
 * into a memory context (guc_malloc, exported, freed with guc_free);
 * before, it was malloc'd and freed with free().
 */
#if PG_VERSION_NUM >= 160000
#define SddlGucMalloc(size) guc_malloc(LOG, (size))
#else
#define SddlGucMalloc(size) malloc(size)
#endif
/* -- end of cost -- */

/* PostgreSQL 15 and earlier do not declare _PG_init in fmgr.h. */
#if PG_VERSION_NUM < 160000
extern PGDLLEXPORT void _PG_init(void);
#endif

#endif							/* SAFE_DDL_COMPAT_H */
