/*-------------------------------------------------------------------------
 *
 * sequence.c
 *	  Analysis of CREATE SEQUENCE and ALTER SEQUENCE.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/sequence.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/defrem.h"
#include "nodes/parsenodes.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"

/*
 * OWNED BY names a column of a table: the table is read to find it.  Other
 * options are not about relations.
 */
static bool
sddl_add_sequence_owner(SddlAnalysis *a, SddlAnalysisContext *cxt,
						DefElem *opt)
{
	List	   *owner;

	if (strcmp(opt->defname, "owned_by") != 0)
		return false;
	owner = defGetQualifiedName(opt);
	if (list_length(owner) >= 2)
		sddl_add_rangevar(a, cxt, sddl_relation_of(owner), AccessShareLock,
						  false, false);
	return true;
}

/* CREATE SEQUENCE: only OWNED BY touches a pre-existing relation */
void
sddl_analyze_create_seq(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	ListCell   *lc;

	foreach(lc, ((CreateSeqStmt *) node)->options)
		(void) sddl_add_sequence_owner(a, cxt, (DefElem *) lfirst(lc));
}

/*
 * ALTER SEQUENCE: SHARE ROW EXCLUSIVE on the sequence, which gets a new
 * relfilenode for any option but OWNED BY.
 */
void
sddl_analyze_alter_seq(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	AlterSeqStmt *stmt = (AlterSeqStmt *) node;
	bool		rewrite = false;
	ListCell   *lc;

	foreach(lc, stmt->options)
	{
		if (!sddl_add_sequence_owner(a, cxt, (DefElem *) lfirst(lc)))
			rewrite = true;
	}
	sddl_add_rangevar(a, cxt, stmt->sequence, ShareRowExclusiveLock, rewrite,
					  false);
}
