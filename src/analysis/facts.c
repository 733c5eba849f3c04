/*-------------------------------------------------------------------------
 *
 * facts.c
 *	  The online form of a statement and the catalog facts it needs (see
 *	  sddl_online_facts in analysis.h).
 *
 * Which CONCURRENTLY / NOT VALID equivalent exists depends only on the
 * statement and the catalog: the relation kind (CONCURRENTLY does not
 * support partitioned tables), user relation or catalog, a default
 * partition, a materialized view's unique index, NOT NULL key columns.
 * Names the online form will create are chosen here too, the way the
 * server would choose them, so that the SQL shown and the SQL run agree.
 * Uses only PostgreSQL and compat.h; pure: reads the catalog, changes
 * nothing.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/facts.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/catalog.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "commands/defrem.h"
#include "lib/stringinfo.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "compat.h"

static bool
sddl_is_user_relation(Oid relid)
{
	Oid			nsp = get_rel_namespace(relid);

	return !IsCatalogRelationOid(relid) && !IsCatalogNamespace(nsp) &&
		!IsToastNamespace(nsp);
}

static Oid
sddl_toast_oid(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			toast;

	if (!HeapTupleIsValid(tup))
		return InvalidOid;
	toast = ((Form_pg_class) GETSTRUCT(tup))->reltoastrelid;
	ReleaseSysCache(tup);
	return toast;
}

/* Is index the index of an exclusion constraint? */
static bool
sddl_is_exclusion_index(Oid index)
{
	HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
	bool		excl;

	if (!HeapTupleIsValid(tup))
		return false;
	excl = ((Form_pg_index) GETSTRUCT(tup))->indisexclusion;
	ReleaseSysCache(tup);
	return excl;
}

/*
 * Does the table have an exclusion-constraint index?  REINDEX CONCURRENTLY
 * cannot rebuild those: REINDEX INDEX ... CONCURRENTLY fails on one, and
 * REINDEX TABLE ... CONCURRENTLY skips it with a warning, so neither is
 * the same statement as the plain REINDEX.
 */
static bool
sddl_has_exclusion_index(Oid relid)
{
	Relation	indrel = table_open(IndexRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(indrel, IndexIndrelidIndexId, true, NULL, 1,
							  &key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
		found = ((Form_pg_index) GETSTRUCT(tup))->indisexclusion;
	systable_endscan(scan);
	table_close(indrel, AccessShareLock);
	return found;
}

/*
 * For ALTER TABLE: the only subcommand, or NULL when there are several.
 */
static AlterTableCmd *
sddl_single_cmd(AlterTableStmt *stmt)
{
	if (list_length(stmt->cmds) != 1)
		return NULL;
	return lfirst_node(AlterTableCmd, list_head(stmt->cmds));
}

/*
 * Do all columns of this list (String nodes) have NOT NULL already?
 */
static bool
sddl_columns_not_null(Oid relid, List *keys)
{
	ListCell   *lc;

	foreach(lc, keys)
	{
		HeapTuple	tup = SearchSysCacheAttName(relid, strVal(lfirst(lc)));
		bool		notnull;

		if (!HeapTupleIsValid(tup))
			return false;
		notnull = ((Form_pg_attribute) GETSTRUCT(tup))->attnotnull;
		ReleaseSysCache(tup);
		if (!notnull)
			return false;
	}
	return true;
}

/*
 * Does the materialized view allow REFRESH ... CONCURRENTLY: populated, and
 * with a valid unique index on plain columns, without predicate?
 */
static bool
sddl_matview_refreshable_concurrently(Oid relid)
{
	HeapTuple	tup;
	bool		populated;
	Relation	indrel;
	SysScanDesc scan;
	ScanKeyData key;
	bool		usable = false;

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return false;
	populated = ((Form_pg_class) GETSTRUCT(tup))->relispopulated;
	ReleaseSysCache(tup);
	if (!populated)
		return false;

	indrel = table_open(IndexRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(indrel, IndexIndrelidIndexId, true, NULL, 1,
							  &key);
	while (!usable && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(tup);
		bool		plain = true;

		if (!idx->indisunique || !idx->indimmediate || !idx->indisvalid ||
			!heap_attisnull(tup, Anum_pg_index_indpred, NULL) ||
			!heap_attisnull(tup, Anum_pg_index_indexprs, NULL))
			continue;
		for (int i = 0; i < idx->indnkeyatts; i++)
		{
			if (idx->indkey.values[i] <= 0)
				plain = false;
		}
		usable = plain;
	}
	systable_endscan(scan);
	table_close(indrel, AccessShareLock);
	return usable;
}

/* The name the index of a UNIQUE / PRIMARY KEY constraint gets. */
static char *
sddl_unique_index_name(Oid relid, Constraint *c)
{
	StringInfoData cols;
	ListCell   *lc;

	if (c->conname != NULL)
		return pstrdup(c->conname);
	if (c->contype == CONSTR_PRIMARY)
		return ChooseRelationName(get_rel_name(relid), NULL, "pkey",
								  get_rel_namespace(relid), true);
	initStringInfo(&cols);
	foreach(lc, c->keys)
		appendStringInfo(&cols, "%s%s", foreach_current_index(lc) > 0 ? "_" : "",
						 strVal(lfirst(lc)));
	return ChooseRelationName(get_rel_name(relid), cols.data, "key",
							  get_rel_namespace(relid), true);
}

/*
 * SET NOT NULL's online form names what it creates.  Up to 17, a helper
 * CHECK (col IS NOT NULL), validated, lets SET NOT NULL skip its scan.
 * From 18, NOT NULL is a constraint of its own that can be added NOT VALID
 * and validated later: the one SET NOT NULL would create, under the name it
 * would choose, or the column's NOT VALID one already there, which SET NOT
 * NULL would validate.
 */
static void
sddl_set_not_null_facts(SddlOnlineFacts *o, const char *column)
{
#ifdef SDDL_HAS_NOTNULL_CONSTRAINTS
	AttrNumber	attnum = get_attnum(o->relid, column);
	HeapTuple	con = attnum > 0 ? findNotNullConstraintAttnum(o->relid, attnum) : NULL;

	if (con != NULL)
	{
		Form_pg_constraint form = (Form_pg_constraint) GETSTRUCT(con);

		o->new_name = pstrdup(NameStr(form->conname));
		o->validate_only = true;
		heap_freetuple(con);
		return;
	}
	o->new_name = ChooseConstraintName(get_rel_name(o->relid), column,
									   "not_null",
									   get_rel_namespace(o->relid), NIL);
#else
	o->new_name = ChooseConstraintName(get_rel_name(o->relid), column,
									   "safe_ddl_not_null",
									   get_rel_namespace(o->relid), NIL);
#endif
}

/* The online form of a single-subcommand ALTER TABLE on a user table. */
static SddlOnlineForm
sddl_alter_online_form(SddlOnlineFacts *o, AlterTableCmd *cmd)
{
	char		relkind = get_rel_relkind(o->relid);

	if (cmd->subtype == AT_DetachPartition)
	{
		PartitionCmd *pc = (PartitionCmd *) cmd->def;

		if (pc->concurrent || relkind != RELKIND_PARTITIONED_TABLE ||
			OidIsValid(get_default_partition_oid(o->relid)))
			return SDDL_ONLINE_NONE;
		return SDDL_ONLINE_DETACH;
	}
	if (relkind != RELKIND_RELATION)
		return SDDL_ONLINE_NONE;
	if (cmd->subtype == AT_SetNotNull && cmd->name != NULL)
	{
		sddl_set_not_null_facts(o, cmd->name);
		return SDDL_ONLINE_SET_NOT_NULL;
	}
	if (cmd->subtype == AT_AddConstraint && IsA(cmd->def, Constraint))
	{
		Constraint *c = (Constraint *) cmd->def;

		/* ADD CONSTRAINT ... NOT NULL col (18) has NOT VALID too */
		if ((c->contype == CONSTR_CHECK ||
			 c->contype == CONSTR_FOREIGN ||
			 c->contype == CONSTR_NOTNULL) && !c->skip_validation)
			return SDDL_ONLINE_NOT_VALID;
		/* a temporal key's index is not a plain unique index */
		if ((c->contype == CONSTR_UNIQUE ||
			 c->contype == CONSTR_PRIMARY) &&
			!SddlConstraintWithoutOverlaps(c) &&
			c->indexname == NULL && c->keys != NIL &&
			c->options == NIL &&
			(c->contype == CONSTR_UNIQUE ||
			 sddl_columns_not_null(o->relid, c->keys)))
		{
			o->new_name = sddl_unique_index_name(o->relid, c);
			o->index_tables = list_make1_oid(o->relid);
			return SDDL_ONLINE_UNIQUE;
		}
	}
	return SDDL_ONLINE_NONE;
}

/* Is "concurrently" among the options of REINDEX, whatever its value? */
static bool
sddl_reindex_has_concurrently(ReindexStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->params)
	{
		if (strcmp(lfirst_node(DefElem, lc)->defname, "concurrently") == 0)
			return true;
	}
	return false;
}

/*
 * The online form of a statement naming a user relation o->relid, with
 * the relations an interrupted build may leave INVALID indexes on.
 */
static SddlOnlineForm
sddl_online_form(SddlOnlineFacts *o, Node *node)
{
	char		relkind = get_rel_relkind(o->relid);

	switch (nodeTag(node))
	{
		case T_IndexStmt:
			/* CONCURRENTLY does not support partitioned tables */
			if (relkind != RELKIND_RELATION && relkind != RELKIND_MATVIEW)
				return SDDL_ONLINE_NONE;
			o->index_tables = list_make1_oid(o->relid);
			return SDDL_ONLINE_CREATE_INDEX;
		case T_DropStmt:
			if (relkind != RELKIND_INDEX)
				return SDDL_ONLINE_NONE;
			return SDDL_ONLINE_DROP_INDEX;
		case T_ReindexStmt:
			if (relkind == RELKIND_INDEX ?
				sddl_is_exclusion_index(o->relid) :
				relkind == RELKIND_RELATION && sddl_has_exclusion_index(o->relid))
				return SDDL_ONLINE_NONE;
			if (relkind == RELKIND_INDEX)
				o->index_tables = list_make1_oid(IndexGetRelation(o->relid,
																  false));
			else if (relkind == RELKIND_RELATION || relkind == RELKIND_MATVIEW)
			{
				Oid			toast = sddl_toast_oid(o->relid);

				o->index_tables = list_make1_oid(o->relid);
				if (OidIsValid(toast))
					o->index_tables = lappend_oid(o->index_tables, toast);
			}
			else
				return SDDL_ONLINE_NONE;
			return SDDL_ONLINE_REINDEX;
		case T_RefreshMatViewStmt:
			if (!sddl_matview_refreshable_concurrently(o->relid))
				return SDDL_ONLINE_NONE;
			return SDDL_ONLINE_REFRESH;
		case T_AlterTableStmt:
			return sddl_alter_online_form(o, sddl_single_cmd((AlterTableStmt *) node));
		case T_VacuumStmt:
		case T_SddlClusterStmt:
			if (sddl_repack_online_target(node) != o->relid)
				return SDDL_ONLINE_NONE;
			return SDDL_ONLINE_REPACK;
		default:
			return SDDL_ONLINE_NONE;
	}
}

/*
 * The relation a statement that may have an online form names, or NULL
 * when its shape rules one out (already CONCURRENTLY, several objects,
 * CASCADE, REINDEX of a schema, ...).
 */
static RangeVar *
sddl_online_target(Node *node)
{
	switch (nodeTag(node))
	{
		case T_IndexStmt:
			{
				IndexStmt  *stmt = (IndexStmt *) node;

				return stmt->concurrent ? NULL : stmt->relation;
			}
		case T_DropStmt:
			{
				DropStmt   *stmt = (DropStmt *) node;

				if (stmt->removeType != OBJECT_INDEX || stmt->concurrent ||
					list_length(stmt->objects) != 1 ||
					stmt->behavior == DROP_CASCADE)
					return NULL;
				return makeRangeVarFromNameList(linitial(stmt->objects));
			}
		case T_ReindexStmt:
			{
				ReindexStmt *stmt = (ReindexStmt *) node;

				if ((stmt->kind != REINDEX_OBJECT_INDEX &&
					 stmt->kind != REINDEX_OBJECT_TABLE) ||
					sddl_reindex_has_concurrently(stmt))
					return NULL;
				return stmt->relation;
			}
		case T_RefreshMatViewStmt:
			{
				RefreshMatViewStmt *stmt = (RefreshMatViewStmt *) node;

				return stmt->concurrent || stmt->skipData ? NULL : stmt->relation;
			}
		case T_AlterTableStmt:
			{
				AlterTableStmt *stmt = (AlterTableStmt *) node;

				return sddl_single_cmd(stmt) ? stmt->relation : NULL;
			}
		case T_VacuumStmt:
			{
				VacuumStmt *stmt = (VacuumStmt *) node;

				if (list_length(stmt->rels) != 1)
					return NULL;
				return linitial_node(VacuumRelation, stmt->rels)->relation;
			}
		case T_SddlClusterStmt:
			return SddlClusterRelation((SddlClusterStmt *) node);
		default:
			return NULL;
	}
}

SddlOnlineFacts *
sddl_online_facts(SddlAnalysis *analysis)
{
	SddlOnlineFacts *o;
	RangeVar   *rv;

	if (analysis->online != NULL)
		return analysis->online;
	o = palloc0(sizeof(SddlOnlineFacts));
	analysis->online = o;
	o->form = SDDL_ONLINE_NONE;

	rv = sddl_online_target(analysis->stmt);
	/* a relation renamed earlier in the check() input: by its new name */
	sddl_use_renamed(analysis->renamed);
	o->relid = rv ? sddl_lookup_rangevar(rv) : InvalidOid;
	sddl_use_renamed(NIL);
	if (!OidIsValid(o->relid))
		return o;
	/* REFRESH of any materialized view; the rest on user relations only */
	if (!IsA(analysis->stmt, RefreshMatViewStmt) &&
		!sddl_is_user_relation(o->relid))
		return o;
	o->form = sddl_online_form(o, analysis->stmt);
	if (o->form == SDDL_ONLINE_NONE)
	{
		o->index_tables = NIL;
		o->new_name = NULL;
		o->validate_only = false;
		return o;
	}
	o->nspname = get_namespace_name(get_rel_namespace(o->relid));
	o->relname = get_rel_name(o->relid);
	if (o->nspname == NULL || o->relname == NULL)
		elog(ERROR, "cache lookup failed for relation %u", o->relid);
	sddl_use_renamed(analysis->renamed);
	{
		const SddlRenamed *ren = sddl_renamed_entry(o->relid);

		if (ren != NULL)
		{
			o->nspname = pstrdup(ren->nspname);
			o->relname = pstrdup(ren->relname);
		}
	}
	sddl_use_renamed(NIL);
	return o;
}
