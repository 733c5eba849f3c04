/*-------------------------------------------------------------------------
 *
 * rename.c
 *	  Analysis of renaming and moving to another schema: ALTER ... RENAME
 *	  (relations, columns, constraints, triggers, rules, policies) and
 *	  ALTER ... SET SCHEMA.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/rename.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "nodes/parsenodes.h"
#include "utils/lsyscache.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "analysis/catalog.h"

/* ALTER TABLE/VIEW/INDEX/SEQUENCE ... RENAME TO */
static void
sddl_rename_relation(SddlAnalysis *a, RenameStmt *stmt,
					 SddlAnalysisContext *cxt)
{
	Oid			relid = sddl_lookup_rangevar(stmt->relation);
	char		relkind;
	SddlRelation *r;

	if (!OidIsValid(relid))
	{
		sddl_add_rangevar(a, cxt, stmt->relation, AccessExclusiveLock, false,
						  false);
		return;
	}

	/*
	 * ALTER INDEX ... RENAME takes SHARE UPDATE EXCLUSIVE; any other
	 * spelling on an index ACCESS EXCLUSIVE (RenameRelation).
	 */
	relkind = get_rel_relkind(relid);
	r = sddl_add_rel(a, relid,
					 (stmt->renameType == OBJECT_INDEX &&
					  (relkind == RELKIND_INDEX ||
					   relkind == RELKIND_PARTITIONED_INDEX)) ?
					 ShareUpdateExclusiveLock : AccessExclusiveLock,
					 false, false);
	/* later statements of the check() input know it by its new name */
	if (r)
		sddl_note_renamed(cxt, relid, r->nspname, stmt->newname);
	if (r && (r->relkind == RELKIND_RELATION ||
			  r->relkind == RELKIND_PARTITIONED_TABLE ||
			  r->relkind == RELKIND_VIEW ||
			  r->relkind == RELKIND_MATVIEW ||
			  r->relkind == RELKIND_FOREIGN_TABLE))
		sddl_add_finding(a, r, SDDL_RULE_RENAMING_TABLE, SDDL_NO_CMD_INDEX, stmt->newname);
}

/*
 * RENAME CONSTRAINT of a key or exclusion constraint renames its index too,
 * under SHARE UPDATE EXCLUSIVE (RenameRelationInternal for an index).
 */
static void
sddl_rename_constraint_index(SddlAnalysis *a, Oid relid, const char *conname)
{
	HeapTuple	con = sddl_catalog_constraint(relid, conname);
	Form_pg_constraint form;

	if (con == NULL)
		return;
	form = (Form_pg_constraint) GETSTRUCT(con);
	if (form->contype == CONSTRAINT_PRIMARY ||
		form->contype == CONSTRAINT_UNIQUE ||
		form->contype == CONSTRAINT_EXCLUSION)
		sddl_add_rel(a, form->conindid, ShareUpdateExclusiveLock, false,
					 false);
}

void
sddl_analyze_rename(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	RenameStmt *stmt = (RenameStmt *) node;
	SddlRelation *r;

	if (sddl_objtype_is_relation(stmt->renameType))
	{
		sddl_rename_relation(a, stmt, cxt);
		return;
	}
	switch (stmt->renameType)
	{
		case OBJECT_COLUMN:
			r = sddl_add_rangevar(a, cxt, stmt->relation, AccessExclusiveLock,
								  false, false);
			if (r == NULL || !OidIsValid(r->relid))
				return;
			if (stmt->relation->inh)
				sddl_add_tree(a, r->relid, AccessExclusiveLock, false, false,
							  false);
			if (r->relkind != RELKIND_INDEX &&
				r->relkind != RELKIND_PARTITIONED_INDEX &&
				r->relkind != RELKIND_COMPOSITE_TYPE)
				sddl_add_finding(a, r, SDDL_RULE_RENAMING_COLUMN, SDDL_NO_CMD_INDEX, stmt->subname);
			return;

		case OBJECT_TABCONSTRAINT:
			r = sddl_add_rangevar(a, cxt, stmt->relation, AccessExclusiveLock,
								  false, false);
			if (r == NULL || !OidIsValid(r->relid))
				return;
			if (stmt->relation->inh)
				sddl_add_tree(a, r->relid, AccessExclusiveLock, false, false,
							  false);
			sddl_rename_constraint_index(a, r->relid, stmt->subname);
			return;

		case OBJECT_TRIGGER:
		case OBJECT_RULE:
		case OBJECT_POLICY:
			r = sddl_add_rangevar(a, cxt, stmt->relation, AccessExclusiveLock,
								  false, false);
			if (r && OidIsValid(r->relid) &&
				stmt->renameType == OBJECT_TRIGGER &&
				r->relkind == RELKIND_PARTITIONED_TABLE)
				sddl_add_tree(a, r->relid, AccessExclusiveLock, false, false,
							  false);
			return;

		case OBJECT_ATTRIBUTE:
		case OBJECT_DOMCONSTRAINT:
		case OBJECT_SCHEMA:
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
		case OBJECT_FUNCTION:
		case OBJECT_PROCEDURE:
		case OBJECT_ROUTINE:
		case OBJECT_AGGREGATE:
		case OBJECT_COLLATION:
		case OBJECT_CONVERSION:
		case OBJECT_STATISTIC_EXT:
		case OBJECT_TSCONFIGURATION:
		case OBJECT_TSDICTIONARY:
		case OBJECT_TSPARSER:
		case OBJECT_TSTEMPLATE:
		case OBJECT_LANGUAGE:
		case OBJECT_PUBLICATION:
		case OBJECT_SUBSCRIPTION:
		case OBJECT_EVENT_TRIGGER:
		case OBJECT_OPCLASS:
		case OBJECT_OPFAMILY:
		case OBJECT_FOREIGN_SERVER:
		case OBJECT_FDW:
		case OBJECT_ROLE:
		case OBJECT_DATABASE:
		case OBJECT_TABLESPACE:
			/* no relation is locked */
			return;

		default:
			a->recognized = false;
			return;
	}
}

/*
 * ALTER TABLE/VIEW/SEQUENCE ... SET SCHEMA: the relation and the sequences
 * it owns move together.
 */
void
sddl_analyze_set_schema(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	AlterObjectSchemaStmt *stmt = (AlterObjectSchemaStmt *) node;
	SddlRelation *r;
	ListCell   *lc;

	switch (stmt->objectType)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_FOREIGN_TABLE:
		case OBJECT_SEQUENCE:
			r = sddl_add_rangevar(a, cxt, stmt->relation, AccessExclusiveLock,
								  false, false);
			if (r && OidIsValid(r->relid))
			{
				/* later statements of the input find it in its new schema */
				sddl_note_renamed(cxt, r->relid, stmt->newschema, r->relname);
				foreach(lc, getOwnedSequences(r->relid))
					sddl_add_rel(a, lfirst_oid(lc), AccessExclusiveLock, false,
								 false);
			}
			return;
		default:
			/* other objects lock no relation */
			return;
	}
}
