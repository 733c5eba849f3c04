/*-------------------------------------------------------------------------
 *
 * alter_storage.c
 *	  Analysis of what moves or rewrites a relation's storage without
 *	  changing its rows: ALTER TABLE SET ACCESS METHOD, SET LOGGED/
 *	  UNLOGGED, SET TABLESPACE, and ALTER ... ALL IN TABLESPACE.
 *
 * SET ACCESS METHOD and SET LOGGED/UNLOGGED rewrite the table; SET
 * TABLESPACE copies its files block by block; all under ACCESS
 * EXCLUSIVE.
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
#include "access/tableam.h"
#include "catalog/dependency.h"
#include "catalog/pg_class.h"
#include "catalog/pg_tablespace.h"
#include "commands/defrem.h"
#include "commands/tablespace.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "analysis/catalog.h"
#include "compat.h"

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
			sddl_add_finding(a, r, SDDL_RULE_REWRITING_TABLE, SDDL_NO_CMD_INDEX,
							 stmt->new_tablespacename);
	}
}

#ifdef SDDL_HAVE_SET_ACCESS_METHOD
/* SET ACCESS METHOD: a rewrite, unless the method does not change */
void
sddl_at_set_access_method(SddlAlterState *st, AlterTableCmd *cmd,
						  LOCKMODE mode)
{
	bool		storage = RELKIND_HAS_STORAGE(st->relkind);
	const char *amname = cmd->name ? cmd->name : default_table_access_method;

	if (get_table_am_oid(amname, true) == sddl_rel_am(st->relid))
	{
		sddl_at_apply(st, mode, false, false, false);
		return;
	}
	sddl_at_apply(st, mode, storage, storage, false);
	if (storage)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_REWRITING_TABLE,
						 st->index, amname);
}
#endif

/* SET LOGGED / UNLOGGED: a rewrite */
void
sddl_at_set_logged(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	bool		storage = RELKIND_HAS_STORAGE(st->relkind);

	sddl_at_apply(st, mode, storage, storage, false);
	if (storage)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_REWRITING_TABLE, st->index,
						 NULL);
#ifdef SDDL_HAVE_UNLOGGED_SEQUENCES
	/* identity and serial sequences follow the table */
	if (OidIsValid(st->relid))
	{
		ListCell   *lc;

		foreach(lc, getOwnedSequences(st->relid))
			sddl_add_rel(st->a, lfirst_oid(lc), mode, true, false);
	}
#endif
}

/* SET TABLESPACE: the files are copied, unless the tablespace is the same */
void
sddl_at_set_tablespace(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	Oid			tsoid = get_tablespace_oid(cmd->name, true);
	Oid			cur = get_rel_tablespace(st->relid);
	bool		moves;

	if (cur == InvalidOid)
		cur = MyDatabaseTableSpace;
	if (tsoid == InvalidOid && strcmp(cmd->name, "pg_default") == 0)
		tsoid = DEFAULTTABLESPACE_OID;
	moves = RELKIND_HAS_STORAGE(st->relkind) && tsoid != cur;
	sddl_at_apply(st, mode, false, false, false);
	if (moves && OidIsValid(st->relid))
		sddl_add_rel_copied(st->a, st->relid, mode);
	if (moves)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_REWRITING_TABLE,
						 st->index, cmd->name);
}
