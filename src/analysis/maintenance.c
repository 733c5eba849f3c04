/*-------------------------------------------------------------------------
 *
 * maintenance.c
 *	  Analysis of index and maintenance commands: CREATE INDEX, REINDEX,
 *	  VACUUM and ANALYZE, CLUSTER, TRUNCATE, LOCK, REFRESH MATERIALIZED
 *	  VIEW.
 *
 * These lock the tables they name (and, for partitioned tables, every
 * partition) in the mode the server's own code takes, and read or rewrite
 * them; the CONCURRENTLY forms and the database-wide forms cannot run in
 * a transaction block, which the handlers record too.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/maintenance.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/catalog.h"
#include "catalog/heap.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "commands/defrem.h"
#include "commands/tablecmds.h"
#include "nodes/parsenodes.h"
#include "utils/lsyscache.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "analysis/catalog.h"
#include "compat.h"

/*
 * Relation kinds (pg_class.relkind letters) the database-wide forms
 * process: REINDEX reads tables and materialized views (system catalogs
 * are tables only); VACUUM also visits TOAST tables, ANALYZE also
 * partitioned tables.
 */
#define SDDL_REINDEX_RELKINDS	"rm"
#define SDDL_REINDEX_SYSTEM_RELKINDS "r"
#define SDDL_VACUUM_RELKINDS	"rmt"
#define SDDL_ANALYZE_RELKINDS	"rmp"

/* The boolean value of a DefElem option list entry, false if absent. */
static bool
sddl_option_set(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *opt = (DefElem *) lfirst(lc);

		if (strcmp(opt->defname, name) == 0)
			return opt->arg == NULL ? true : defGetBoolean(opt);
	}
	return false;
}

/* Which relations sddl_relations_in() keeps. */
typedef struct SddlRelationsIn
{
	Oid			nspid;			/* one namespace, or InvalidOid for all */
	bool		user_only;		/* leave out system and TOAST namespaces */
	bool		system_only;	/* only pg_catalog */
	const char *relkinds;
} SddlRelationsIn;

static bool
sddl_relations_in_keep(Form_pg_class c, void *arg)
{
	SddlRelationsIn *in = (SddlRelationsIn *) arg;

	if (strchr(in->relkinds, c->relkind) == NULL)
		return false;
	if (OidIsValid(in->nspid) && c->relnamespace != in->nspid)
		return false;
	if (c->relpersistence == RELPERSISTENCE_TEMP &&
		!isTempOrTempToastNamespace(c->relnamespace))
		return false;
	if (in->user_only)
	{
		char	   *nspname = get_namespace_name(c->relnamespace);

		if (IsCatalogNamespace(c->relnamespace) ||
			IsToastNamespace(c->relnamespace) || nspname == NULL ||
			strcmp(nspname, "information_schema") == 0)
			return false;
	}
	if (in->system_only && !IsCatalogNamespace(c->relnamespace))
		return false;
	return true;
}

/* Relations of a namespace (or all user namespaces) of the given kinds. */
static List *
sddl_relations_in(Oid nspid, bool user_only, bool system_only,
				  const char *relkinds)
{
	SddlRelationsIn in;

	in.nspid = nspid;
	in.user_only = user_only;
	in.system_only = system_only;
	in.relkinds = relkinds;
	return sddl_catalog_relations(sddl_relations_in_keep, &in);
}

/*
 * Does a partition already have an index CREATE INDEX on its partitioned
 * table would attach instead of building (DefineIndex/CompareIndexInfo)?
 * Only simple column indexes with default operator classes are matched;
 * anything else is assumed to be built.
 */
static bool
sddl_partition_has_index(Oid partid, IndexStmt *stmt)
{
	Oid			amid = get_am_oid(stmt->accessMethod ? stmt->accessMethod :
								  DEFAULT_INDEX_TYPE, true);
	List	   *colnames = NIL;
	ListCell   *lc;

	if (!OidIsValid(amid) || stmt->whereClause ||
		stmt->indexIncludingParams || stmt->excludeOpNames)
		return false;
	foreach(lc, stmt->indexParams)
	{
		IndexElem  *elem = (IndexElem *) lfirst(lc);

		if (elem->name == NULL || elem->opclass || elem->collation)
			return false;
		colnames = lappend(colnames, elem->name);
	}
	return sddl_has_plain_index(partid, amid, stmt->unique, colnames, true);
}

void
sddl_analyze_index(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	IndexStmt  *stmt = (IndexStmt *) node;
	LOCKMODE	mode = stmt->concurrent ? ShareUpdateExclusiveLock : ShareLock;
	Oid			relid;
	char		relkind;
	SddlRelation *r;

	a->concurrent = stmt->concurrent;
	relid = sddl_existing_relid(a, cxt, stmt->relation, mode, true);
	if (!OidIsValid(relid))
		return;

	/* IF NOT EXISTS on an existing index: the table is locked, no build */
	if (stmt->if_not_exists && stmt->idxname &&
		OidIsValid(get_relname_relid(stmt->idxname,
									 get_rel_namespace(relid))))
	{
		sddl_add_rel(a, relid, mode, false, false);
		return;
	}

	relkind = get_rel_relkind(relid);
	r = sddl_add_rel(a, relid, mode, false, true);

	/*
	 * A partitioned table: every partition gets its index built, unless it
	 * already has one that is attached instead.
	 */
	if (relkind == RELKIND_PARTITIONED_TABLE && stmt->relation->inh)
	{
		ListCell   *lc;

		foreach(lc, sddl_inheritors(relid))
			sddl_add_rel(a, lfirst_oid(lc), mode, false,
						 !sddl_partition_has_index(lfirst_oid(lc), stmt));
	}
	if (!stmt->concurrent)
		sddl_add_finding(a, r, SDDL_RULE_REQUIRE_CONCURRENT_INDEX_CREATION, SDDL_NO_CMD_INDEX,
						 stmt->idxname);
}

/* What PreventInTransactionBlock() rejects among the REINDEX forms. */
static bool
sddl_reindex_no_transaction_block(ReindexStmt *stmt)
{
	char		relkind;

	if (stmt->kind == REINDEX_OBJECT_SCHEMA ||
		stmt->kind == REINDEX_OBJECT_SYSTEM ||
		stmt->kind == REINDEX_OBJECT_DATABASE)
		return true;
	if (stmt->relation == NULL)
		return false;
	relkind = get_rel_relkind(sddl_lookup_rangevar(stmt->relation));
	return relkind == RELKIND_PARTITIONED_TABLE ||
		relkind == RELKIND_PARTITIONED_INDEX;
}

/* REINDEX INDEX: each leaf index is rebuilt (its own row), its table read. */
static void
sddl_reindex_index(SddlAnalysis *a, Oid relid, LOCKMODE heapmode,
				   LOCKMODE idxmode)
{
	ListCell   *lc;

	foreach(lc, find_all_inheritors(relid, NoLock, NULL))
	{
		Oid			idx = lfirst_oid(lc);
		SddlRelation *heap;

		if (get_rel_relkind(idx) != RELKIND_INDEX)
			continue;
		heap = sddl_add_rel(a, IndexGetRelation(idx, true), heapmode,
							false, true);
		sddl_add_rel(a, idx, idxmode, true, true);
		if (!a->concurrent)
			sddl_add_finding(a, heap, SDDL_RULE_REQUIRE_CONCURRENT_REINDEX, SDDL_NO_CMD_INDEX,
							 get_rel_name(idx));
	}
	/* the partitioned index itself, named in the statement */
	if (get_rel_relkind(relid) == RELKIND_PARTITIONED_INDEX)
		sddl_add_rel(a, relid, heapmode, false, false);
}

void
sddl_analyze_reindex(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	ReindexStmt *stmt = (ReindexStmt *) node;
	bool		concurrent = sddl_option_set(stmt->params, "concurrently");
	LOCKMODE	heapmode = concurrent ? ShareUpdateExclusiveLock : ShareLock;
	LOCKMODE	idxmode = concurrent ? ShareUpdateExclusiveLock :
		AccessExclusiveLock;
	List	   *tables = NIL;
	ListCell   *lc;
	Oid			relid;

	a->concurrent = concurrent;
	a->no_transaction_block = sddl_reindex_no_transaction_block(stmt);
	switch (stmt->kind)
	{
		case REINDEX_OBJECT_INDEX:
			relid = sddl_lookup_rangevar(stmt->relation);
			if (OidIsValid(relid))
				sddl_reindex_index(a, relid, heapmode, idxmode);
			return;

		case REINDEX_OBJECT_TABLE:
			relid = sddl_lookup_rangevar(stmt->relation);
			if (!OidIsValid(relid))
				return;
			tables = find_all_inheritors(relid, NoLock, NULL);
			if (get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE)
				sddl_add_rel(a, relid, heapmode, false, false);
			break;

		case REINDEX_OBJECT_SCHEMA:
			{
				Oid			nspid = get_namespace_oid(stmt->name, true);

				/*
				 * No such schema: nothing to judge, the server reports it.
				 * (InvalidOid would mean "every schema" below.)
				 */
				if (!OidIsValid(nspid))
					return;
				tables = sddl_relations_in(nspid, false, false,
										   SDDL_REINDEX_RELKINDS);
			}
			break;

		case REINDEX_OBJECT_DATABASE:
			tables = sddl_relations_in(InvalidOid, true, false,
									   SDDL_REINDEX_RELKINDS);
			break;

		case REINDEX_OBJECT_SYSTEM:
			tables = sddl_relations_in(InvalidOid, false, true,
									   SDDL_REINDEX_SYSTEM_RELKINDS);
			break;

		default:
			a->recognized = false;
			return;
	}

	foreach(lc, tables)
	{
		Oid			tab = lfirst_oid(lc);
		SddlRelation *r;

		if (!RELKIND_HAS_STORAGE(get_rel_relkind(tab)))
			continue;
		r = sddl_add_rel(a, tab, heapmode, true, true);
		if (!concurrent)
			sddl_add_finding(a, r, SDDL_RULE_REQUIRE_CONCURRENT_REINDEX, SDDL_NO_CMD_INDEX, NULL);
	}
}

/*
 * From PostgreSQL 18, VACUUM and ANALYZE process the inheritance children
 * of a table named without ONLY as if they were named too.
 */
static bool
sddl_vacuum_children_named(VacuumRelation *vrel, Oid relid)
{
#ifdef SDDL_PG18_LOCKS
	return vrel->relation->inh && has_subclass(relid);
#else
	return false;
#endif
}

void
sddl_analyze_vacuum(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	VacuumStmt *stmt = (VacuumStmt *) node;
	bool		full = stmt->is_vacuumcmd && sddl_option_set(stmt->options, "full");
	bool		analyze = !stmt->is_vacuumcmd ||
		sddl_option_set(stmt->options, "analyze");
	bool		vacuum = stmt->is_vacuumcmd;
	LOCKMODE	mode = full ? AccessExclusiveLock : ShareUpdateExclusiveLock;
	ListCell   *lc;

	/* VACUUM (not ANALYZE alone) cannot run in a transaction block */
	a->no_transaction_block = vacuum;
	if (stmt->rels == NIL)
	{
		foreach(lc, sddl_relations_in(InvalidOid, true, false,
									  vacuum ? SDDL_VACUUM_RELKINDS :
									  SDDL_ANALYZE_RELKINDS))
			sddl_add_rel(a, lfirst_oid(lc), mode, full, vacuum);
		return;
	}

	foreach(lc, stmt->rels)
	{
		VacuumRelation *vrel = (VacuumRelation *) lfirst(lc);
		Oid			relid = sddl_lookup_rangevar(vrel->relation);
		SddlRelation *r;

		if (!OidIsValid(relid))
			continue;
		r = sddl_add_rel(a, relid, mode, full, vacuum);
		if (full)
			sddl_add_finding(a, r, SDDL_RULE_DISALLOWED_VACUUM_FULL, SDDL_NO_CMD_INDEX, NULL);

		if (get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE ||
			sddl_vacuum_children_named(vrel, relid))
		{
			/* each partition (18+: each child) is processed as if named */
			ListCell   *lc2;

			foreach(lc2, sddl_inheritors(relid))
			{
				SddlRelation *p = sddl_add_rel(a, lfirst_oid(lc2), mode, full,
											   vacuum);

				if (full && p && RELKIND_HAS_STORAGE(p->relkind))
					sddl_add_finding(a, p, SDDL_RULE_DISALLOWED_VACUUM_FULL, SDDL_NO_CMD_INDEX,
									 NULL);
			}
		}
		else if (analyze && vrel->relation->inh && has_subclass(relid))
		{
			/* inheritance statistics sample the children */
			sddl_add_tree(a, relid, AccessShareLock, false, false, false);
		}
	}
}

void
sddl_analyze_cluster(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	SddlClusterStmt *stmt = (SddlClusterStmt *) node;
	Oid			relid;
	ListCell   *lc;

	if (SddlClusterRelation(stmt) == NULL)
	{
		/* every table with a clustered index, each in its own transaction */
		a->no_transaction_block = true;
		foreach(lc, sddl_catalog_clustered_tables())
			sddl_add_finding(a, sddl_add_rel(a, lfirst_oid(lc),
											 AccessExclusiveLock, true, true),
							 SDDL_RULE_DISALLOWED_CLUSTER, SDDL_NO_CMD_INDEX, NULL);
		return;
	}

	relid = sddl_lookup_rangevar(SddlClusterRelation(stmt));
	if (!OidIsValid(relid))
		return;
	if (get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE)
	{
		/* each partition in its own transaction */
		a->no_transaction_block = true;
		sddl_add_rel(a, relid, AccessExclusiveLock, false, false);
		foreach(lc, sddl_inheritors(relid))
		{
			SddlRelation *p;

			p = sddl_add_rel(a, lfirst_oid(lc), AccessExclusiveLock,
							 RELKIND_HAS_STORAGE(get_rel_relkind(lfirst_oid(lc))),
							 true);
			sddl_add_finding(a, p, SDDL_RULE_DISALLOWED_CLUSTER, SDDL_NO_CMD_INDEX, NULL);
		}
		return;
	}
	sddl_add_finding(a, sddl_add_rel(a, relid, AccessExclusiveLock, true, true),
					 SDDL_RULE_DISALLOWED_CLUSTER, SDDL_NO_CMD_INDEX, NULL);
	if (stmt->indexname)
		sddl_add_rel(a, get_relname_relid(stmt->indexname,
										  get_rel_namespace(relid)),
					 AccessExclusiveLock, true, true);
}

/* The tables TRUNCATE names, with their inheritors unless ONLY. */
static List *
sddl_truncate_targets(SddlAnalysis *a, TruncateStmt *stmt,
					  SddlAnalysisContext *cxt)
{
	List	   *relids = NIL;
	ListCell   *lc;

	foreach(lc, stmt->relations)
	{
		RangeVar   *rv = (RangeVar *) lfirst(lc);
		Oid			relid;

		relid = sddl_existing_relid(a, cxt, rv, AccessExclusiveLock, false);
		if (!OidIsValid(relid))
			continue;
		if (rv->inh)
			relids = list_concat_unique_oid(relids,
											find_all_inheritors(relid, NoLock,
																NULL));
		else
			relids = list_append_unique_oid(relids, relid);
	}
	return relids;
}

void
sddl_analyze_truncate(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	TruncateStmt *stmt = (TruncateStmt *) node;
	List	   *relids = sddl_truncate_targets(a, stmt, cxt);
	ListCell   *lc;

	/* CASCADE: tables referencing the truncated ones, transitively */
	if (stmt->behavior == DROP_CASCADE)
	{
		for (;;)
		{
			List	   *more = heap_truncate_find_FKs(relids);
			int			before = list_length(relids);

			relids = list_concat_unique_oid(relids, more);
			if (list_length(relids) == before)
				break;
		}
	}

	foreach(lc, relids)
	{
		Oid			relid = lfirst_oid(lc);
		SddlRelation *r;

		/* a table created in this transaction is truncated in place */
		r = sddl_add_rel(a, relid, AccessExclusiveLock, false, false);
		if (r && !r->is_new && RELKIND_HAS_STORAGE(r->relkind))
			r->rewrites = true;

		if (stmt->restart_seqs)
		{
			ListCell   *lc2;

			foreach(lc2, getOwnedSequences(relid))
				sddl_add_rel(a, lfirst_oid(lc2), AccessExclusiveLock, true,
							 false);
		}
	}
}

/* LOCK on a view locks what the view reads, recursively. */
static void
sddl_lock_view(SddlAnalysis *a, Oid viewid, LOCKMODE mode, List **done)
{
	ListCell   *lc;
	SddlAnalysis tmp = {0};

	if (list_member_oid(*done, viewid))
		return;
	*done = lappend_oid(*done, viewid);
	sddl_add_view_sources(&tmp, viewid, mode, false);
	foreach(lc, tmp.relations)
	{
		SddlRelation *r = (SddlRelation *) lfirst(lc);

		sddl_add_rel(a, r->relid, mode, false, false);
		if (r->relkind == RELKIND_VIEW)
			sddl_lock_view(a, r->relid, mode, done);
		else if (r->relkind == RELKIND_PARTITIONED_TABLE ||
				 has_subclass(r->relid))
			sddl_add_tree(a, r->relid, mode, false, false, false);
	}
}

void
sddl_analyze_lock(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	LockStmt   *stmt = (LockStmt *) node;
	ListCell   *lc;
	List	   *done = NIL;

	/* RequireTransactionBlock() in standard_ProcessUtility() */
	a->requires_transaction_block = true;
	foreach(lc, stmt->relations)
	{
		RangeVar   *rv = (RangeVar *) lfirst(lc);
		SddlRelation *r = sddl_add_rangevar(a, cxt, rv, stmt->mode, false,
											false);

		if (r == NULL || !OidIsValid(r->relid))
			continue;
		if (r->relkind == RELKIND_VIEW)
			sddl_lock_view(a, r->relid, stmt->mode, &done);
		else if (rv->inh)
			sddl_add_tree(a, r->relid, stmt->mode, false, false, false);
	}
}

void
sddl_analyze_refresh(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	RefreshMatViewStmt *stmt = (RefreshMatViewStmt *) node;
	LOCKMODE	mode = stmt->concurrent ? ExclusiveLock : AccessExclusiveLock;
	SddlRelation *r;

	/*
	 * CONCURRENTLY runs inside a transaction block and a subtransaction:
	 * a->concurrent stays false.
	 */
	r = sddl_add_rangevar(a, cxt, stmt->relation, mode, !stmt->concurrent,
						  !stmt->skipData);
	if (r == NULL || !OidIsValid(r->relid))
		return;
	if (!stmt->skipData)
		sddl_add_view_sources(a, r->relid, AccessShareLock, true);
	if (!stmt->concurrent)
		sddl_add_finding(a, r, SDDL_RULE_REQUIRE_CONCURRENT_REFRESH, SDDL_NO_CMD_INDEX, NULL);
}
