/*-------------------------------------------------------------------------
 *
 * alter_storage.c
 *	  Analysis of what moves or rewrites a relation's storage without
 *	  changing its rows: ALTER ... ALL IN TABLESPACE.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/alter_storage.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/catalog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/tablespace.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/acl.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "analysis/catalog.h"

/* Which relations ALTER ... ALL IN TABLESPACE moves. */
typedef struct SddlMoveAll
{
	Oid			orig;			/* from this tablespace (InvalidOid: the
								 * database's default) */
	ObjectType	objtype;		/* TABLE, INDEX or MATERIALIZED VIEW */
	List	   *roles;			/* OWNED BY, or NIL */
} SddlMoveAll;

static bool
sddl_move_all_keep(Form_pg_class c, void *arg)
{
	SddlMoveAll *m = (SddlMoveAll *) arg;

	if (c->reltablespace != m->orig || c->relisshared ||
		IsCatalogNamespace(c->relnamespace) ||
		IsToastNamespace(c->relnamespace) ||
		isAnyTempNamespace(c->relnamespace))
		return false;
	if ((m->objtype == OBJECT_TABLE &&
		 c->relkind != RELKIND_RELATION &&
		 c->relkind != RELKIND_PARTITIONED_TABLE) ||
		(m->objtype == OBJECT_INDEX &&
		 c->relkind != RELKIND_INDEX &&
		 c->relkind != RELKIND_PARTITIONED_INDEX) ||
		(m->objtype == OBJECT_MATVIEW &&
		 c->relkind != RELKIND_MATVIEW))
		return false;
	return m->roles == NIL || list_member_oid(m->roles, c->relowner);
}

/*
 * ALTER TABLE/INDEX/MATERIALIZED VIEW ALL IN TABLESPACE: every matching
 * relation of the database is locked ACCESS EXCLUSIVE and copied to the
 * new tablespace (AlterTableMoveAll).
 */
void
sddl_analyze_move_all(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	AlterTableMoveAllStmt *stmt = (AlterTableMoveAllStmt *) node;
	Oid			orig = get_tablespace_oid(stmt->orig_tablespacename, true);
	Oid			dest = get_tablespace_oid(stmt->new_tablespacename, true);
	SddlMoveAll m;
	ListCell   *lc;

	if (!OidIsValid(orig) || !OidIsValid(dest))
		return;
	if (orig == MyDatabaseTableSpace)
		orig = InvalidOid;
	if (dest == MyDatabaseTableSpace)
		dest = InvalidOid;
	if (orig == dest)
		return;
	m.orig = orig;
	m.objtype = stmt->objtype;
	m.roles = NIL;
	foreach(lc, stmt->roles)
		m.roles = lappend_oid(m.roles,
							  get_rolespec_oid((RoleSpec *) lfirst(lc), true));

	foreach(lc, sddl_catalog_relations(sddl_move_all_keep, &m))
	{
		SddlRelation *r = sddl_add_rel_copied(a, lfirst_oid(lc),
											  AccessExclusiveLock);

		if (r && RELKIND_HAS_STORAGE(r->relkind))
			sddl_add_finding(a, r, SDDL_RULE_REWRITING_TABLE, -1,
							 stmt->new_tablespacename);
	}
}
