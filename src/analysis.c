/*-------------------------------------------------------------------------
 *
 * analysis.c
 *	  Describe what a utility statement will do (see analysis.h).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/parsenodes.h"
#include "storage/lock.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"

#include "analysis.h"

/*
 * Statement kinds that can lock a pre-existing relation in a way that
 * matters.  Everything else (SET, SHOW, BEGIN, COMMIT, PREPARE, LISTEN,
 * CREATE FUNCTION, ...) passes the hook without further work.
 */
bool
sddl_is_candidate(Node *parsetree)
{
	switch (nodeTag(parsetree))
	{
		case T_AlterTableStmt:
		case T_IndexStmt:
		case T_DropStmt:
		case T_ReindexStmt:
		case T_RenameStmt:
		case T_TruncateStmt:
		case T_LockStmt:
		case T_VacuumStmt:
		case T_ClusterStmt:
		case T_RefreshMatViewStmt:
		case T_CreateStmt:
		case T_CreateTrigStmt:
		case T_RuleStmt:
		case T_CreatePolicyStmt:
		case T_AlterPolicyStmt:
		case T_ViewStmt:
		case T_AlterEnumStmt:
		case T_AlterSeqStmt:
		case T_CommentStmt:
		case T_GrantStmt:
		case T_CreateStatsStmt:
		case T_AlterObjectSchemaStmt:
		case T_AlterOwnerStmt:
		case T_CreateTableAsStmt:
			return true;
		default:
			return false;
	}
}

/*
 * Analyse one statement.  The foundation only names the command; the
 * relation and lock analysis arrives with the analysis layer.
 */
SddlAnalysis *
sddl_analyze(Node *parsetree, SddlAnalysisContext *cxt)
{
	SddlAnalysis *a = palloc0(sizeof(SddlAnalysis));

	a->stmt = parsetree;
	a->command = GetCommandTagName(CreateCommandTag(parsetree));
	a->recognized = false;
	return a;
}

const char *
sddl_lockmode_name(LOCKMODE mode)
{
	switch (mode)
	{
		case NoLock:
			return "NoLock";
		case AccessShareLock:
			return "AccessShareLock";
		case RowShareLock:
			return "RowShareLock";
		case RowExclusiveLock:
			return "RowExclusiveLock";
		case ShareUpdateExclusiveLock:
			return "ShareUpdateExclusiveLock";
		case ShareLock:
			return "ShareLock";
		case ShareRowExclusiveLock:
			return "ShareRowExclusiveLock";
		case ExclusiveLock:
			return "ExclusiveLock";
		case AccessExclusiveLock:
			return "AccessExclusiveLock";
	}
	return "UnknownLock";
}

/* Plain SELECTs take AccessShareLock: only ACCESS EXCLUSIVE blocks them. */
bool
sddl_lock_blocks_reads(LOCKMODE mode)
{
	return mode >= AccessExclusiveLock;
}

/* INSERT/UPDATE/DELETE take RowExclusiveLock. */
bool
sddl_lock_blocks_writes(LOCKMODE mode)
{
	return mode >= ShareLock;
}
