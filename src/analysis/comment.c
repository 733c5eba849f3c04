/*-------------------------------------------------------------------------
 *
 * comment.c
 *	  Analysis of COMMENT ON, SECURITY LABEL ON and GRANT/REVOKE: the table
 *	  the object belongs to is locked while the description is written.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/comment.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "nodes/parsenodes.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "compat.h"

/* The table a commented or labelled object belongs to, and its lock. */
static void
sddl_analyze_described(SddlAnalysis *a, ObjectType objtype, Node *object,
					   SddlAnalysisContext *cxt)
{
	if (sddl_objtype_is_relation(objtype))
	{
		sddl_add_rangevar(a, cxt, makeRangeVarFromNameList((List *) object),
						  ShareUpdateExclusiveLock, false, false);
		return;
	}
	switch (objtype)
	{
		case OBJECT_COLUMN:
			sddl_add_rangevar(a, cxt, sddl_relation_of((List *) object),
							  ShareUpdateExclusiveLock, false, false);
			return;
		case OBJECT_TABCONSTRAINT:
		case OBJECT_TRIGGER:
		case OBJECT_RULE:
		case OBJECT_POLICY:
			/* get_object_address_relobject() reads the table's objects */
			sddl_add_rangevar(a, cxt, sddl_relation_of((List *) object),
							  AccessShareLock, false, false);
			return;
		default:
			return;
	}
}

void
sddl_analyze_comment(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	CommentStmt *stmt = (CommentStmt *) node;

	sddl_analyze_described(a, stmt->objtype, stmt->object, cxt);
}

void
sddl_analyze_seclabel(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	SecLabelStmt *stmt = (SecLabelStmt *) node;

	sddl_analyze_described(a, stmt->objtype, stmt->object, cxt);
}

/*
 * GRANT/REVOKE on named tables: from PostgreSQL 18 objectNamesToOids() looks
 * them up with AccessShareLock; before, the catalog changed without a table
 * lock.  ALL TABLES IN SCHEMA locks nothing.
 */
void
sddl_analyze_grant(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
#ifdef SDDL_PG18_LOCKS
	GrantStmt  *stmt = (GrantStmt *) node;
	ListCell   *lc;

	if (stmt->targtype != ACL_TARGET_OBJECT || stmt->objtype != OBJECT_TABLE)
		return;
	foreach(lc, stmt->objects)
		sddl_add_rangevar(a, cxt, (RangeVar *) lfirst(lc), AccessShareLock,
						  false, false);
#endif
}
