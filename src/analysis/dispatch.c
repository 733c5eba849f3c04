/*-------------------------------------------------------------------------
 *
 * dispatch.c
 *	  Describe what a utility statement will do (see analysis.h): the
 *	  cheap candidate test and the table of statement handlers.
 *
 * For each statement the analysis works out, from the parse tree and the
 * live catalog, which pre-existing relations the server will lock and in
 * which mode, whether it rewrites or scans them, and the risks (findings)
 * that follow.  The lock modes mirror what the server's own code takes;
 * where the server exposes its logic (AlterTableGetLockLevel) it is called.
 * One handler per statement kind, in the file of its concern, fills in the
 * result; this file picks the handler and adds what holds for every
 * statement.
 *
 * The analysis is pure: names are resolved with NoLock, the catalog is only
 * read, and nothing is changed.  A statement on a table another session
 * holds locked is analysed without waiting.  A relation that does not exist
 * is skipped: the real statement will report the error.  Analysis uses
 * only PostgreSQL and compat.h.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/dispatch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "nodes/parsenodes.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "utils/lsyscache.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "compat.h"

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
		case T_LockStmt:

			/*
			 * LOCK TABLE in a mode that blocks neither reads nor writes is
			 * what pg_dump sends for every table it dumps: not a schema
			 * change, and no one queues behind it.
			 */
			return ((LockStmt *) parsetree)->mode > RowExclusiveLock;
		case T_AlterTableStmt:
		case T_IndexStmt:
		case T_DropStmt:
		case T_ReindexStmt:
		case T_RenameStmt:
		case T_TruncateStmt:
		case T_VacuumStmt:
		case T_SddlClusterStmt:
		case T_RefreshMatViewStmt:
		case T_CreateStmt:
		case T_CreateForeignTableStmt:
		case T_CreateTrigStmt:
		case T_RuleStmt:
		case T_CreatePolicyStmt:
		case T_AlterPolicyStmt:
		case T_ViewStmt:
		case T_AlterEnumStmt:
		case T_AlterSeqStmt:
		case T_CommentStmt:
		case T_SecLabelStmt:
		case T_GrantStmt:
		case T_CreateStatsStmt:
		case T_AlterObjectSchemaStmt:
		case T_AlterOwnerStmt:
		case T_CreateTableAsStmt:
		case T_AlterDomainStmt:
		case T_AlterTableMoveAllStmt:
		case T_DropOwnedStmt:
		case T_ReassignOwnedStmt:
		case T_CreatePublicationStmt:
		case T_AlterPublicationStmt:
		case T_CreateSeqStmt:
			return true;
		default:
			return false;
	}
}

/* A statement kind that locks no relation: nothing to add. */
static void
sddl_analyze_nothing(SddlAnalysis *a, Node *stmt, SddlAnalysisContext *cxt)
{
}

/* A statement kind the analysis does not describe, and says so. */
static void
sddl_analyze_unknown(SddlAnalysis *a, Node *stmt, SddlAnalysisContext *cxt)
{
	a->recognized = false;
}

typedef struct SddlStmtHandler
{
	NodeTag		tag;
	SddlAnalyzeFn analyze;
} SddlStmtHandler;

static const SddlStmtHandler sddl_stmt_handlers[] = {
	/* ALTER TABLE and its subcommands: alter_table.c */
	{T_AlterTableStmt, sddl_analyze_alter_table},
	{T_AlterTableMoveAllStmt, sddl_analyze_move_all},

	/* index and maintenance commands: maintenance.c */
	{T_IndexStmt, sddl_analyze_index},
	{T_ReindexStmt, sddl_analyze_reindex},
	{T_VacuumStmt, sddl_analyze_vacuum},
	{T_SddlClusterStmt, sddl_analyze_cluster},
	{T_TruncateStmt, sddl_analyze_truncate},
	{T_LockStmt, sddl_analyze_lock},
	{T_RefreshMatViewStmt, sddl_analyze_refresh},

	/* drop.c */
	{T_DropStmt, sddl_analyze_drop},

	/* queries inside DDL: query.c */
	{T_RuleStmt, sddl_analyze_rule},
	{T_CreatePolicyStmt, sddl_analyze_policy},
	{T_AlterPolicyStmt, sddl_analyze_policy},
	{T_ViewStmt, sddl_analyze_view},
	{T_CreateTableAsStmt, sddl_analyze_create_as},
	{T_SelectStmt, sddl_analyze_select_into},

	/* create.c, sequence.c, domain.c, rename.c, comment.c */
	{T_CreateStmt, sddl_analyze_create},
	{T_CreateForeignTableStmt, sddl_analyze_create},
	{T_CreateTrigStmt, sddl_analyze_trigger},
	{T_CreateStatsStmt, sddl_analyze_statistics},
	{T_CreateSeqStmt, sddl_analyze_create_seq},
	{T_AlterSeqStmt, sddl_analyze_alter_seq},
	{T_AlterDomainStmt, sddl_analyze_alter_domain},
	{T_RenameStmt, sddl_analyze_rename},
	{T_AlterObjectSchemaStmt, sddl_analyze_set_schema},
	{T_CommentStmt, sddl_analyze_comment},
	{T_SecLabelStmt, sddl_analyze_seclabel},

	/* ADD/RENAME VALUE lock no relation */
	{T_AlterEnumStmt, sddl_analyze_nothing},
	{T_GrantStmt, sddl_analyze_grant},
	/* relations change owner through ALTER TABLE */
	{T_AlterOwnerStmt, sddl_analyze_nothing},

	/* may lock many relations: not analysed, and said so */
	{T_DropOwnedStmt, sddl_analyze_unknown},
	{T_ReassignOwnedStmt, sddl_analyze_unknown},
	{T_CreatePublicationStmt, sddl_analyze_unknown},
	{T_AlterPublicationStmt, sddl_analyze_unknown},

	/*
	 * data changes in a migration (modify.c): only check() sees them, the
	 * hook never analyses them (sddl_is_candidate)
	 */
	{T_InsertStmt, sddl_analyze_modify},
	{T_UpdateStmt, sddl_analyze_modify},
	{T_DeleteStmt, sddl_analyze_modify},
#ifdef SDDL_HAVE_MERGE_STMT
	{T_MergeStmt, sddl_analyze_modify},
#endif

	/* not DDL, or runs statements of its own: not analysed */
	{T_CopyStmt, sddl_analyze_unknown},
	{T_ExplainStmt, sddl_analyze_unknown},
	{T_DoStmt, sddl_analyze_unknown},
	{T_CallStmt, sddl_analyze_unknown},
	{T_ExecuteStmt, sddl_analyze_unknown},
};

/*
 * After the statement-specific analysis: a scan of a pre-existing table on
 * which this transaction already holds ACCESS EXCLUSIVE blocks everyone for
 * the whole scan.
 */
static void
sddl_add_scan_findings(SddlAnalysis *a)
{
	ListCell   *lc;

	foreach(lc, a->relations)
	{
		SddlRelation *r = (SddlRelation *) lfirst(lc);

		if (r->scans && r->held_mode == AccessExclusiveLock && !r->is_new &&
			OidIsValid(r->relid))
			sddl_add_finding(a, r, SDDL_RULE_SCAN_UNDER_EXCLUSIVE_LOCK, SDDL_NO_CMD_INDEX, NULL);
	}
}

/*
 * A partitioned table has no storage of its own: it is rewritten or read
 * when one of its partitions is.  Its row says so, for a statement that
 * lists it, so that the table the user named shows what happens to its
 * data.
 */
static void
sddl_mark_partitioned_parents(SddlAnalysis *a)
{
	ListCell   *lc;

	foreach(lc, a->relations)
	{
		SddlRelation *r = (SddlRelation *) lfirst(lc);
		ListCell   *anc;

		if (!OidIsValid(r->relid) || !(r->rewrites || r->scans) ||
			!get_rel_relispartition(r->relid))
			continue;
		foreach(anc, get_partition_ancestors(r->relid))
		{
			ListCell   *lc2;

			foreach(lc2, a->relations)
			{
				SddlRelation *p = (SddlRelation *) lfirst(lc2);

				if (p->relid == lfirst_oid(anc) &&
					p->relkind == RELKIND_PARTITIONED_TABLE)
				{
					p->rewrites |= r->rewrites;
					p->scans |= r->scans;
				}
			}
		}
	}
}

/*
 * Analyse one statement.
 */
SddlAnalysis *
sddl_analyze(Node *parsetree, SddlAnalysisContext *cxt)
{
	SddlAnalysis *a = palloc0(sizeof(SddlAnalysis));
	SddlAnalyzeFn analyze = NULL;

	a->stmt = parsetree;
	a->command = GetCommandTagName(CreateCommandTag(parsetree));
	a->recognized = true;
	/* relations renamed earlier in the same check() input */
	a->renamed = cxt ? cxt->renamed : NIL;
	sddl_use_renamed(a->renamed);

	for (int i = 0; i < lengthof(sddl_stmt_handlers); i++)
	{
		if (sddl_stmt_handlers[i].tag == nodeTag(parsetree))
		{
			analyze = sddl_stmt_handlers[i].analyze;
			break;
		}
	}
	if (analyze != NULL)
		analyze(a, parsetree, cxt);
	else
	{
		/*
		 * Not in the table, and not a candidate (sddl_is_candidate): a
		 * statement kind that locks no pre-existing relation in a way that
		 * matters.
		 */
		a->recognized = !sddl_is_candidate(parsetree);
	}

	/*
	 * What PreventInTransactionBlock() rejects: the CONCURRENTLY forms, and
	 * what the handlers set (VACUUM, REINDEX SCHEMA, CLUSTER of many
	 * tables, ...).
	 */
	if (a->concurrent)
		a->no_transaction_block = true;

	sddl_add_scan_findings(a);
	sddl_mark_partitioned_parents(a);
	/* a rename recorded by this statement is for the next ones */
	a->renamed = cxt ? cxt->renamed : NIL;
	sddl_use_renamed(NIL);
	return a;
}
