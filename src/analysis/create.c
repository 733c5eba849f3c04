/*-------------------------------------------------------------------------
 *
 * create.c
 *	  Analysis of CREATE TABLE (and FOREIGN TABLE), CREATE TRIGGER and
 *	  CREATE STATISTICS: the pre-existing tables a new object is attached
 *	  to, inherits from, copies or references.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/create.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "nodes/parsenodes.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"

/* CREATE TABLE: the tables it inherits from, copies or references. */
void
sddl_analyze_create(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	CreateStmt *stmt = (CreateStmt *) node;
	ListCell   *lc;
	bool		partition = (stmt->partbound != NULL);

	/* IF NOT EXISTS on an existing table: nothing happens */
	if (stmt->if_not_exists && OidIsValid(sddl_lookup_rangevar(stmt->relation)))
		return;

	foreach(lc, stmt->inhRelations)
	{
		RangeVar   *parent = (RangeVar *) lfirst(lc);
		SddlRelation *p;

		/* a partition's parent is locked ACCESS EXCLUSIVE, a parent SUE */
		p = sddl_add_rangevar(a, cxt, parent,
							  partition ? AccessExclusiveLock :
							  ShareUpdateExclusiveLock, false, false);
		if (p == NULL || !OidIsValid(p->relid))
			continue;
		if (partition)
		{
			Oid			defpart = InvalidOid;

			/* the default partition is scanned for rows of the new bound */
			if (!stmt->partbound->is_default)
				defpart = get_default_partition_oid(p->relid);
			if (OidIsValid(defpart))
			{
				SddlRelation *d = sddl_add_rel(a, defpart, AccessExclusiveLock,
											   false, true);

				sddl_add_finding(a, d, SDDL_RULE_ATTACH_PARTITION_SCAN, SDDL_NO_CMD_INDEX, NULL);
			}
			/*
			 * foreign keys are cloned: the tables they reference, and the
			 * tables referencing the parent (CloneFkReferenced), are locked
			 */
			sddl_add_fk_neighbours(a, p->relid, ShareRowExclusiveLock, true);
		}
	}

	foreach(lc, stmt->tableElts)
	{
		Node	   *elt = (Node *) lfirst(lc);

		if (IsA(elt, TableLikeClause))
			sddl_add_rangevar(a, cxt, ((TableLikeClause *) elt)->relation,
							  AccessShareLock, false, false);
		else if (IsA(elt, ColumnDef))
		{
			ListCell   *lc2;

			if (((ColumnDef *) elt)->raw_default)
				sddl_add_default_sequences(a, ((ColumnDef *) elt)->raw_default);

			foreach(lc2, ((ColumnDef *) elt)->constraints)
			{
				Constraint *c = (Constraint *) lfirst(lc2);

				if (c->contype == CONSTR_FOREIGN)
					sddl_add_referenced(a, cxt, c->pktable, false);
				else if (c->contype == CONSTR_DEFAULT && c->raw_expr)
					sddl_add_default_sequences(a, c->raw_expr);
			}
		}
	}
	foreach(lc, stmt->constraints)
	{
		Constraint *c = (Constraint *) lfirst(lc);

		if (c->contype == CONSTR_FOREIGN)
			sddl_add_referenced(a, cxt, c->pktable, false);
	}
	foreach(lc, stmt->tableElts)
	{
		Constraint *c = (Constraint *) lfirst(lc);

		if (IsA(c, Constraint) && c->contype == CONSTR_FOREIGN)
			sddl_add_referenced(a, cxt, c->pktable, false);
	}
}

/*
 * CREATE TRIGGER: the table; a row trigger on a partitioned table is
 * cloned to every partition.  A constraint trigger's FROM table is read.
 */
void
sddl_analyze_trigger(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	CreateTrigStmt *stmt = (CreateTrigStmt *) node;
	SddlRelation *r;

	r = sddl_add_rangevar(a, cxt, stmt->relation, ShareRowExclusiveLock,
						  false, false);
	if (r && OidIsValid(r->relid) && stmt->row &&
		r->relkind == RELKIND_PARTITIONED_TABLE)
		sddl_add_tree(a, r->relid, ShareRowExclusiveLock, false, false,
					  false);
	if (stmt->constrrel)
		sddl_add_rangevar(a, cxt, stmt->constrrel, AccessShareLock, false,
						  false);
}

/* CREATE STATISTICS: the table it is on */
void
sddl_analyze_statistics(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	ListCell   *lc;

	foreach(lc, ((CreateStatsStmt *) node)->relations)
	{
		Node	   *n = (Node *) lfirst(lc);

		if (IsA(n, RangeVar))
			sddl_add_rangevar(a, cxt, (RangeVar *) n,
							  ShareUpdateExclusiveLock, false, false);
	}
}
