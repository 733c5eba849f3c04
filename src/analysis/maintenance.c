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

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xlog.h"
#include "catalog/catalog.h"
#include "catalog/heap.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_statistic_ext.h"
#include "commands/defrem.h"
#include "commands/tablecmds.h"
#include "commands/vacuum.h"
#include "nodes/parsenodes.h"
#include "replication/slot.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"

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

/* A statistics target of a pg_attribute row, the default for "unset". */
static int
sddl_stat_target(HeapTuple atttup)
{
	bool		isnull;
	Datum		d = SysCacheGetAttr(ATTNUM, atttup,
									Anum_pg_attribute_attstattarget, &isnull);
	int			target = isnull ? -1 : SddlDatumGetStatTarget(d);

	return target < 0 ? default_statistics_target : target;
}

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
		/* the table's index storage is new: the table counts as rewritten */
		heap = sddl_add_rel(a, IndexGetRelation(idx, true), heapmode,
							true, true);
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

#ifdef SDDL_HAS_REPACK
/*
 * Does the table meet REPACK (CONCURRENTLY)'s requirements (PostgreSQL
 * 19's check_concurrent_repack_requirements)?  A permanent plain table,
 * not a system catalog, whose changes logical decoding can identify: a
 * REPLICA IDENTITY USING INDEX, or by default a primary key that is not
 * deferrable (REPLICA IDENTITY FULL and NOTHING are refused); and a server
 * that can create the replication slot it decodes through.
 */
static bool
sddl_repack_concurrently_possible(Oid relid)
{
	HeapTuple	tup;
	Form_pg_class form;
	char		ident;
	Relation	indrel;
	SysScanDesc scan;
	ScanKeyData key;
	bool		found = false;

	if (wal_level < WAL_LEVEL_REPLICA || max_replication_slots <= 0)
		return false;
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return false;
	form = (Form_pg_class) GETSTRUCT(tup);
	ident = form->relreplident;
	if (form->relkind != RELKIND_RELATION ||
		form->relpersistence != RELPERSISTENCE_PERMANENT ||
		IsCatalogRelationOid(relid) || IsCatalogNamespace(form->relnamespace) ||
		IsToastNamespace(form->relnamespace) ||
		(ident != REPLICA_IDENTITY_DEFAULT && ident != REPLICA_IDENTITY_INDEX))
	{
		ReleaseSysCache(tup);
		return false;
	}
	ReleaseSysCache(tup);

	indrel = table_open(IndexRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(indrel, IndexIndrelidIndexId, true, NULL, 1,
							  &key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(tup);

		if (!idx->indisvalid)
			continue;
		if (ident == REPLICA_IDENTITY_INDEX)
			found = idx->indisreplident;
		else
			found = idx->indisprimary && idx->indimmediate;
	}
	systable_endscan(scan);
	table_close(indrel, AccessShareLock);
	return found;
}

/* Are all options of the list among the allowed ones (and FULL set)? */
static bool
sddl_repack_options_ok(List *options, bool vacuum)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if (strcmp(opt->defname, "verbose") == 0 ||
			strcmp(opt->defname, "analyze") == 0)
			continue;
		if (vacuum && strcmp(opt->defname, "full") == 0 &&
			(opt->arg == NULL || defGetBoolean(opt)))
			continue;
		return false;
	}
	return true;
}
#endif

/*
 * The one table that a VACUUM FULL, CLUSTER or REPACK statement rewrites
 * and that REPACK (CONCURRENTLY) can rewrite online instead (PostgreSQL
 * 19), or InvalidOid: the statement must name exactly one table, with no
 * column list and no option REPACK lacks (VACUUM FULL: only VERBOSE and
 * ANALYZE besides FULL), and the table must meet REPACK (CONCURRENTLY)'s
 * requirements.  An inheritance parent does not qualify for VACUUM FULL,
 * which processes its children too.  policy/rewrite_plan.c spells the
 * equivalent.
 */
Oid
sddl_repack_online_target(Node *node)
{
#ifdef SDDL_HAS_REPACK
	VacuumRelation *vrel;
	Oid			relid;

	if (IsA(node, VacuumStmt))
	{
		VacuumStmt *stmt = (VacuumStmt *) node;

		if (!stmt->is_vacuumcmd || !sddl_option_set(stmt->options, "full") ||
			!sddl_repack_options_ok(stmt->options, true) ||
			list_length(stmt->rels) != 1)
			return InvalidOid;
		vrel = linitial_node(VacuumRelation, stmt->rels);
	}
	else if (IsA(node, RepackStmt))
	{
		RepackStmt *stmt = (RepackStmt *) node;

		if (!sddl_repack_options_ok(stmt->params, false))
			return InvalidOid;
		vrel = stmt->relation;
	}
	else
		return InvalidOid;
	if (vrel == NULL || vrel->relation == NULL || vrel->va_cols != NIL)
		return InvalidOid;
	relid = sddl_lookup_rangevar(vrel->relation);
	if (!OidIsValid(relid) || has_subclass(relid) ||
		!sddl_repack_concurrently_possible(relid))
		return InvalidOid;
	return relid;
#else
	return InvalidOid;
#endif
}

/*
 * The sample an extended statistics object with a target of its own asks
 * for (ComputeExtStatisticsRows): 300 rows per unit of that target, when
 * ANALYZE analyses all its columns.  Without a target of its own it uses
 * its columns' targets, which the caller counts already.
 */
static int
sddl_ext_stats_sample_rows(Oid relid, List *va_cols)
{
	Relation	rel = RelationIdGetRelation(relid);
	int			rows = 0;
	ListCell   *lc;

	if (rel == NULL)
		return 0;
	foreach(lc, RelationGetStatExtList(rel))
	{
		HeapTuple	st = SearchSysCache1(STATEXTOID,
										 ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_statistic_ext form;
		bool		isnull;
		Datum		d;
		int			target;
		bool		analysed = true;

		if (!HeapTupleIsValid(st))
			continue;
		form = (Form_pg_statistic_ext) GETSTRUCT(st);
		d = SysCacheGetAttr(STATEXTOID, st, Anum_pg_statistic_ext_stxstattarget,
							&isnull);
		target = isnull ? -1 : SddlDatumGetStatTarget(d);
		for (int i = 0; i < form->stxkeys.dim1 && va_cols != NIL; i++)
		{
			char	   *name = get_attname(relid, form->stxkeys.values[i], true);

			if (name == NULL || !list_member(va_cols, makeString(name)))
				analysed = false;
		}
		if (target >= 0 && analysed)
			rows = Max(rows, 300 * target);
		ReleaseSysCache(st);
	}
	RelationClose(rel);
	return rows;
}

/*
 * ANALYZE's sample size for a relation (do_analyze_rel): 300 rows per
 * unit of the largest statistics target among the columns it analyses
 * (the column's own target, or default_statistics_target), among the
 * extended statistics objects with a target of their own, and, when no
 * column list is given, among the expression columns of its indexes; at
 * least 100.  A column whose target is 0 is not analysed.
 */
static int
sddl_analyze_sample_rows(Oid relid, List *va_cols)
{
	int			targrows = 100;
	int			natts = 0;
	HeapTuple	ct = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	ListCell   *lc;

	if (HeapTupleIsValid(ct))
	{
		natts = ((Form_pg_class) GETSTRUCT(ct))->relnatts;
		ReleaseSysCache(ct);
	}

	for (int attnum = 1; attnum <= natts; attnum++)
	{
		HeapTuple	at = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid),
										 Int16GetDatum((AttrNumber) attnum));
		Form_pg_attribute att;

		if (!HeapTupleIsValid(at))
			continue;
		att = (Form_pg_attribute) GETSTRUCT(at);
		if (!att->attisdropped &&
			(va_cols == NIL ||
			 list_member(va_cols, makeString(NameStr(att->attname)))))
			targrows = Max(targrows, 300 * sddl_stat_target(at));
		ReleaseSysCache(at);
	}
	targrows = Max(targrows, sddl_ext_stats_sample_rows(relid, va_cols));
	if (va_cols != NIL)
		return targrows;

	foreach(lc, sddl_catalog_indexes(relid))
	{
		Form_pg_index ind = (Form_pg_index) GETSTRUCT((HeapTuple) lfirst(lc));

		for (int i = 0; i < ind->indnatts; i++)
		{
			HeapTuple	at;

			if (ind->indkey.values[i] != 0)
				continue;		/* a plain column, analysed with the table */
			at = SearchSysCache2(ATTNUM, ObjectIdGetDatum(ind->indexrelid),
								 Int16GetDatum(i + 1));
			if (!HeapTupleIsValid(at))
				continue;
			targrows = Max(targrows, 300 * sddl_stat_target(at));
			ReleaseSysCache(at);
		}
	}
	return targrows;
}

/*
 * Does ANALYZE read every block of the relation?  It samples as many
 * blocks as its sample has rows (BlockSampler), so a relation with no more
 * blocks than that is read whole.  "blocks_of" is the relation whose size
 * counts: the relation itself, or, for the inheritance sample of a parent,
 * the parent's tree.
 */
static bool
sddl_analyze_reads_all(Oid relid, List *va_cols, int64 bytes)
{
	return bytes / BLCKSZ <= sddl_analyze_sample_rows(relid, va_cols);
}

/* The size of a relation and everything that inherits from it. */
static int64
sddl_tree_bytes(Oid relid)
{
	int64		total = 0;
	ListCell   *lc;

	foreach(lc, find_all_inheritors(relid, NoLock, NULL))
		total += sddl_relation_bytes(lfirst_oid(lc),
									 get_rel_relkind(lfirst_oid(lc)));
	return total;
}

/* Does ANALYZE (or VACUUM ANALYZE) of this relation alone read it whole? */
static bool
sddl_analyze_reads_own(Oid relid, List *va_cols)
{
	char		relkind = get_rel_relkind(relid);

	if (!RELKIND_HAS_STORAGE(relkind))
		return false;
	return sddl_analyze_reads_all(relid, va_cols,
								  sddl_relation_bytes(relid, relkind));
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
	Oid			online = full ? sddl_repack_online_target(node) : InvalidOid;
	ListCell   *lc;

	/* VACUUM (not ANALYZE alone) cannot run in a transaction block */
	a->no_transaction_block = vacuum;
	if (stmt->rels == NIL)
	{
		foreach(lc, sddl_relations_in(InvalidOid, true, false,
									  vacuum ? SDDL_VACUUM_RELKINDS :
									  SDDL_ANALYZE_RELKINDS))
			sddl_add_rel(a, lfirst_oid(lc), mode, full,
						 vacuum || (analyze &&
									sddl_analyze_reads_own(lfirst_oid(lc), NIL)));
		return;
	}

	foreach(lc, stmt->rels)
	{
		VacuumRelation *vrel = (VacuumRelation *) lfirst(lc);
		Oid			relid = sddl_lookup_rangevar(vrel->relation);
		SddlRelation *r;
		bool		tree_read = false;

		if (!OidIsValid(relid))
			continue;
		r = sddl_add_rel(a, relid, mode, full,
						 vacuum || (analyze &&
									sddl_analyze_reads_own(relid, vrel->va_cols)));
		/* 19: REPACK (CONCURRENTLY) does the same online */
		if (full && relid == online)
			sddl_add_finding(a, r, SDDL_RULE_REQUIRE_CONCURRENT_REPACK,
							 SDDL_NO_CMD_INDEX, "VACUUM FULL");
		else if (full)
			sddl_add_finding(a, r, SDDL_RULE_DISALLOWED_VACUUM_FULL, SDDL_NO_CMD_INDEX, NULL);

		/*
		 * The statistics of a parent sample its whole tree, each child in
		 * proportion to its size: all of it when the tree has no more
		 * blocks than the parent's sample has rows.
		 */
		if (analyze && vrel->relation->inh && has_subclass(relid))
			tree_read = sddl_analyze_reads_all(relid, vrel->va_cols,
											   sddl_tree_bytes(relid));

		if (get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE ||
			sddl_vacuum_children_named(vrel, relid))
		{
			/* each partition (18+: each child) is processed as if named */
			ListCell   *lc2;

			foreach(lc2, sddl_inheritors(relid))
			{
				Oid			child = lfirst_oid(lc2);
				SddlRelation *p;

				p = sddl_add_rel(a, child, mode, full,
								 vacuum || tree_read ||
								 (analyze &&
								  sddl_analyze_reads_own(child, vrel->va_cols)));
				if (full && p && RELKIND_HAS_STORAGE(p->relkind))
					sddl_add_finding(a, p, SDDL_RULE_DISALLOWED_VACUUM_FULL, SDDL_NO_CMD_INDEX,
									 NULL);
			}
		}
		else if (analyze && vrel->relation->inh && has_subclass(relid))
		{
			/* inheritance statistics sample the children */
			sddl_add_tree(a, relid, AccessShareLock, false, tree_read, false);
		}
	}
}

/*
 * Does the statement order the table by an index?  CLUSTER always does,
 * PostgreSQL 19's REPACK only with USING INDEX.
 */
static bool
sddl_cluster_orders_by_index(SddlClusterStmt *stmt)
{
#ifdef SDDL_HAS_REPACK
	return stmt->command != REPACK_COMMAND_REPACK || stmt->usingindex;
#else
	return true;
#endif
}

/*
 * Does the statement process every table rather than those with a
 * clustered index?  PostgreSQL 19's REPACK without a table and without
 * USING INDEX does; CLUSTER without a table takes the clustered ones.
 */
static bool
sddl_cluster_all_tables(SddlClusterStmt *stmt)
{
	return !sddl_cluster_orders_by_index(stmt);
}

/*
 * The index CLUSTER or REPACK orders one table by, which the server locks
 * in the table's mode (check_index_is_clusterable), SHARE UPDATE EXCLUSIVE
 * under CONCURRENTLY included: the index named, else (CLUSTER, REPACK ...
 * USING INDEX) the table's clustered index.  InvalidOid for none.
 */
static Oid
sddl_cluster_index(SddlClusterStmt *stmt, Oid relid)
{
	ListCell   *lc;

	if (stmt->indexname)
		return get_relname_relid(stmt->indexname, get_rel_namespace(relid));
	if (!sddl_cluster_orders_by_index(stmt))
		return InvalidOid;
	foreach(lc, sddl_catalog_indexes(relid))
	{
		Form_pg_index idx = (Form_pg_index) GETSTRUCT((HeapTuple) lfirst(lc));

		if (idx->indisclustered)
			return idx->indexrelid;
	}
	return InvalidOid;
}

/*
 * The lock CLUSTER or REPACK of a partitioned table takes on the
 * partitioned index, in its first transaction (check_index_is_clusterable):
 * ACCESS EXCLUSIVE from PostgreSQL 19 (repack.c), ACCESS SHARE before
 * (cluster.c).
 */
#ifdef SDDL_HAS_REPACK
#define SDDL_PARTITIONED_CLUSTER_INDEX_LOCK AccessExclusiveLock
#else
#define SDDL_PARTITIONED_CLUSTER_INDEX_LOCK AccessShareLock
#endif

/* The table, and the index it is ordered by, in the statement's mode. */
static SddlRelation *
sddl_add_cluster_target(SddlAnalysis *a, SddlClusterStmt *stmt, Oid relid,
						LOCKMODE mode)
{
	SddlRelation *r = sddl_add_rel(a, relid, mode, true, true);
	Oid			index = sddl_cluster_index(stmt, relid);

	if (OidIsValid(index))
		sddl_add_rel(a, index, mode, true, true);
	return r;
}

/*
 * The finding of a CLUSTER or REPACK that rewrites a table under ACCESS
 * EXCLUSIVE: require-concurrent-repack where REPACK (CONCURRENTLY) can do
 * it online (the statement's one table, online), and for REPACK itself
 * (PostgreSQL 19); disallowed-cluster, as before 19, otherwise.
 */
static void
sddl_cluster_finding(SddlAnalysis *a, SddlRelation *r, SddlClusterStmt *stmt,
					 Oid online)
{
	if (r == NULL)
		return;
#ifdef SDDL_HAS_REPACK
	if (r->relid == online || stmt->command == REPACK_COMMAND_REPACK)
	{
		sddl_add_finding(a, r, SDDL_RULE_REQUIRE_CONCURRENT_REPACK,
						 SDDL_NO_CMD_INDEX,
						 stmt->command == REPACK_COMMAND_REPACK ?
						 "REPACK" : "CLUSTER");
		return;
	}
#endif
	sddl_add_finding(a, r, SDDL_RULE_DISALLOWED_CLUSTER, SDDL_NO_CMD_INDEX,
					 NULL);
}

/*
 * REPACK (CONCURRENTLY) (PostgreSQL 19): one table, rewritten while
 * reads and writes go on under SHARE UPDATE EXCLUSIVE; ACCESS EXCLUSIVE
 * only for the final swap of the files, as REINDEX CONCURRENTLY's swap.
 * It cannot run in a transaction block.
 */
static bool
sddl_repack_concurrently(SddlAnalysis *a, SddlClusterStmt *stmt)
{
#ifdef SDDL_HAS_REPACK
	Oid			relid;

	if (!sddl_option_set(stmt->params, "concurrently"))
		return false;
	a->concurrent = true;
	relid = SddlClusterRelation(stmt) ?
		sddl_lookup_rangevar(SddlClusterRelation(stmt)) : InvalidOid;
	if (OidIsValid(relid))
		sddl_add_cluster_target(a, stmt, relid, ShareUpdateExclusiveLock);
	return true;
#else
	return false;
#endif
}

void
sddl_analyze_cluster(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	SddlClusterStmt *stmt = (SddlClusterStmt *) node;
	Oid			online;
	Oid			relid;
	Oid			index;
	ListCell   *lc;

	if (sddl_repack_concurrently(a, stmt))
		return;
	online = sddl_repack_online_target(node);

	if (SddlClusterRelation(stmt) == NULL)
	{
		/* every (clustered) table, each in its own transaction */
		List	   *tables = sddl_cluster_all_tables(stmt) ?
			sddl_relations_in(InvalidOid, true, false, "rm") :
			sddl_catalog_clustered_tables();

		a->no_transaction_block = true;
		foreach(lc, tables)
			sddl_cluster_finding(a, sddl_add_rel(a, lfirst_oid(lc),
												 AccessExclusiveLock, true, true),
								 stmt, online);
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
			sddl_cluster_finding(a, p, stmt, online);
		}

		/*
		 * The partitioned index, then each leaf partition's index with its
		 * partition, in the partition's transaction.
		 */
		index = sddl_cluster_index(stmt, relid);
		if (OidIsValid(index))
		{
			sddl_add_rel(a, index, SDDL_PARTITIONED_CLUSTER_INDEX_LOCK, false,
						 false);
			foreach(lc, sddl_inheritors(index))
			{
				if (get_rel_relkind(lfirst_oid(lc)) == RELKIND_INDEX)
					sddl_add_rel(a, lfirst_oid(lc), AccessExclusiveLock, true,
								 true);
			}
		}
		return;
	}
	sddl_cluster_finding(a, sddl_add_cluster_target(a, stmt, relid,
													AccessExclusiveLock),
						 stmt, online);
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
	r = sddl_add_rangevar(a, cxt, stmt->relation, mode,
						  !stmt->concurrent && !stmt->skipData,
						  !stmt->skipData);
	if (r == NULL || !OidIsValid(r->relid))
		return;
	/* WITH NO DATA: new, empty storage; nothing is read */
	if (stmt->skipData && !stmt->concurrent &&
		RELKIND_HAS_STORAGE(r->relkind))
		r->rewrites = true;
	if (!stmt->skipData)
		sddl_add_view_sources(a, r->relid, AccessShareLock, true);
	if (!stmt->concurrent)
		sddl_add_finding(a, r, SDDL_RULE_REQUIRE_CONCURRENT_REFRESH, SDDL_NO_CMD_INDEX, NULL);
}
