/*-------------------------------------------------------------------------
 *
 * analysis.c
 *	  Describe what a utility statement will do (see analysis.h).
 *
 * For each statement this file works out, from the parse tree and the live
 * catalog, which pre-existing relations the server will lock and in which
 * mode, whether it rewrites or scans them, and the risks (findings) that
 * follow.  The lock modes mirror what the server's own code takes; where
 * the server exposes its logic (AlterTableGetLockLevel) it is called.
 *
 * The analysis is pure: names are resolved with NoLock, the catalog is only
 * read, and nothing is changed.  A statement on a table another session
 * holds locked is analysed without waiting.  A relation that does not exist
 * is skipped: the real statement will report the error.
 *
 * ALTER TABLE lives in analysis_alter.c.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/analysis.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/catalog.h"
#include "catalog/pg_am.h"
#include "catalog/dependency.h"
#include "catalog/heap.h"
#include "catalog/index.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "parser/parse_func.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/tablespace.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "commands/tablecmds.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "parser/parse_type.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/smgr.h"
#include "tcop/cmdtag.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/varlena.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

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
		case T_ClusterStmt:
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

/* ----------------------------------------------------------------
 *		Relations and findings
 * ----------------------------------------------------------------
 */

/*
 * Real size in bytes of a relation's main fork, read from the storage
 * manager (not the statistics).  The relcache entry is looked at without a
 * lock, like the relation size functions do for a relation they cannot
 * lock; a file that vanished under us counts as empty.
 */
static int64
sddl_storage_bytes(Relation rel)
{
	SMgrRelation smgr;

	if (!RELKIND_HAS_STORAGE(rel->rd_rel->relkind))
		return 0;
	smgr = RelationGetSmgr(rel);
	if (!smgrexists(smgr, MAIN_FORKNUM))
		return 0;
	return (int64) smgrnblocks(smgr, MAIN_FORKNUM) * BLCKSZ;
}

/*
 * Relations whose rows a statement can read in full: tables, materialized
 * views, TOAST tables.  Index builds and rewrites read the table, not the
 * index; sequences hold one row.
 */
#define SDDL_RELKIND_SCANNABLE(relkind) \
	((relkind) == RELKIND_RELATION || (relkind) == RELKIND_MATVIEW || \
	 (relkind) == RELKIND_TOASTVALUE)

/* Size of a relation; for a partitioned table, of all its leaves. */
int64
sddl_relation_bytes(Oid relid, char relkind)
{
	int64		total = 0;
	List	   *rels;
	ListCell   *lc;

	if (relkind == RELKIND_PARTITIONED_TABLE ||
		relkind == RELKIND_PARTITIONED_INDEX)
		rels = find_all_inheritors(relid, NoLock, NULL);
	else
		rels = list_make1_oid(relid);

	foreach(lc, rels)
	{
		Relation	rel = RelationIdGetRelation(lfirst_oid(lc));

		if (rel == NULL)
			continue;
		total += sddl_storage_bytes(rel);
		RelationClose(rel);
	}
	return total;
}

/* Strongest lock this transaction holds on a relation, NoLock if none. */
static LOCKMODE
sddl_held_mode(Relation rel)
{
	for (LOCKMODE mode = AccessExclusiveLock; mode > NoLock; mode--)
	{
		if (CheckRelationLockedByMe(rel, mode, false))
			return mode;
	}
	return NoLock;
}

/*
 * Add a relation to the analysis, or merge with its earlier entry: the
 * strongest lock mode wins, rewrite and scan accumulate.  Relations without
 * storage (partitioned tables, views) are never rewritten or scanned
 * themselves: their leaves are.  Returns NULL if the relation vanished.
 */
SddlRelation *
sddl_add_rel(SddlAnalysis *a, Oid relid, LOCKMODE mode, bool rewrites,
			 bool scans)
{
	SddlRelation *r;
	HeapTuple	tuple;
	Form_pg_class classform;
	Relation	rel;
	ListCell   *lc;

	if (!OidIsValid(relid))
		return NULL;

	foreach(lc, a->relations)
	{
		r = (SddlRelation *) lfirst(lc);
		if (r->relid == relid)
		{
			if (mode > r->lockmode)
				r->lockmode = mode;
			if (RELKIND_HAS_STORAGE(r->relkind))
				r->rewrites |= rewrites;
			if (SDDL_RELKIND_SCANNABLE(r->relkind))
				r->scans |= scans || rewrites;
			return r;
		}
	}

	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		return NULL;
	classform = (Form_pg_class) GETSTRUCT(tuple);

	r = palloc0(sizeof(SddlRelation));
	r->relid = relid;
	r->relkind = classform->relkind;
	r->relpersistence = classform->relpersistence;
	r->relname = pstrdup(NameStr(classform->relname));
	r->nspname = get_namespace_name(classform->relnamespace);
	r->lockmode = mode;
	if (RELKIND_HAS_STORAGE(r->relkind))
		r->rewrites = rewrites;
	if (SDDL_RELKIND_SCANNABLE(r->relkind))
		r->scans = scans || rewrites;
	r->reltuples = classform->reltuples;
	r->relpages = classform->relpages;
	ReleaseSysCache(tuple);

	r->bytes = sddl_relation_bytes(relid, r->relkind);

	rel = RelationIdGetRelation(relid);
	if (rel != NULL)
	{
		/* created in this transaction, or our own temporary table */
		r->is_new = RELATION_IS_LOCAL(rel);
		r->held_mode = sddl_held_mode(rel);
		RelationClose(rel);
	}

	a->relations = lappend(a->relations, r);
	return r;
}

/*
 * A relation whose storage is copied block by block to a new relfilenode
 * (SET TABLESPACE): rewritten, but not read through a scan.
 */
SddlRelation *
sddl_add_rel_copied(SddlAnalysis *a, Oid relid, LOCKMODE mode)
{
	SddlRelation *r = sddl_add_rel(a, relid, mode, false, false);

	if (r && RELKIND_HAS_STORAGE(r->relkind))
		r->rewrites = true;
	return r;
}

/*
 * Was a table of this name created earlier in the same check() input?
 * An unqualified name matches whatever schema it was created in.
 */
bool
sddl_name_created(SddlAnalysisContext *cxt, const RangeVar *rv)
{
	ListCell   *lc;

	if (cxt == NULL || rv == NULL)
		return false;
	foreach(lc, cxt->created_names)
	{
		RangeVar   *c = (RangeVar *) lfirst(lc);

		if (strcmp(c->relname, rv->relname) != 0)
			continue;
		if (rv->schemaname == NULL || c->schemaname == NULL ||
			strcmp(rv->schemaname, c->schemaname) == 0)
			return true;
	}
	return false;
}

/* Resolve a name without locking; InvalidOid if there is no such relation. */
Oid
sddl_lookup_rangevar(const RangeVar *rv)
{
	if (rv == NULL || rv->relname == NULL)
		return InvalidOid;
	return RangeVarGetRelidExtended(rv, NoLock, RVR_MISSING_OK, NULL, NULL);
}

/*
 * Add a relation named in the statement.  A name created earlier in the
 * same check() input stands for a relation that does not exist yet: it is
 * listed as new, with no OID.
 */
SddlRelation *
sddl_add_rangevar(SddlAnalysis *a, SddlAnalysisContext *cxt,
				  const RangeVar *rv, LOCKMODE mode, bool rewrites, bool scans)
{
	if (sddl_name_created(cxt, rv))
	{
		SddlRelation *r;
		ListCell   *lc;

		foreach(lc, a->relations)
		{
			r = (SddlRelation *) lfirst(lc);
			if (!OidIsValid(r->relid) && strcmp(r->relname, rv->relname) == 0)
			{
				if (mode > r->lockmode)
					r->lockmode = mode;
				return r;
			}
		}
		r = palloc0(sizeof(SddlRelation));
		r->relid = InvalidOid;
		r->relkind = RELKIND_RELATION;
		r->relpersistence = rv->relpersistence;
		r->nspname = rv->schemaname ? pstrdup(rv->schemaname) : NULL;
		r->relname = pstrdup(rv->relname);
		r->lockmode = mode;
		r->rewrites = rewrites;
		r->scans = scans || rewrites;
		r->is_new = true;
		r->reltuples = -1;
		a->relations = lappend(a->relations, r);
		return r;
	}
	return sddl_add_rel(a, sddl_lookup_rangevar(rv), mode, rewrites, scans);
}

/*
 * Add a relation and everything that inherits from it (partitions at every
 * level, inheritance children), found without locking.
 */
void
sddl_add_tree(SddlAnalysis *a, Oid relid, LOCKMODE mode, bool rewrites,
			  bool scans, bool include_self)
{
	List	   *rels;
	ListCell   *lc;

	if (!OidIsValid(relid))
		return;
	rels = find_all_inheritors(relid, NoLock, NULL);
	foreach(lc, rels)
	{
		Oid			child = lfirst_oid(lc);

		if (child == relid && !include_self)
			continue;
		sddl_add_rel(a, child, mode, rewrites, scans);
	}
}

/*
 * Record a risk.  Relations that are new (created in this transaction or
 * earlier in the same check() input, or our own temporary tables) carry no
 * findings: nobody else can be blocked on them and they hold no data that
 * predates the migration.  They stay listed in the relations.
 */
void
sddl_add_finding(SddlAnalysis *a, SddlRelation *rel, SddlRuleId rule,
				 int cmd_index, const char *object)
{
	SddlFinding *f;
	ListCell   *lc;

	if (rel == NULL || rel->is_new)
		return;

	/* one finding per rule, relation and object */
	foreach(lc, a->findings)
	{
		f = (SddlFinding *) lfirst(lc);
		if (f->rule == rule && f->rel == rel &&
			((f->object == NULL && object == NULL) ||
			 (f->object && object && strcmp(f->object, object) == 0)))
			return;
	}

	f = palloc0(sizeof(SddlFinding));
	f->rule = rule;
	f->rel = rel;
	f->cmd_index = cmd_index;
	f->object = object ? pstrdup(object) : NULL;
	a->findings = lappend(a->findings, f);
}

/*
 * Relations on the other side of the foreign keys of a relation: those it
 * references and, if referencing_too, those that reference it.
 */
void
sddl_add_fk_neighbours(SddlAnalysis *a, Oid relid, LOCKMODE mode,
					   bool referencing_too)
{
	Relation	conrel;
	SysScanDesc scan;
	HeapTuple	tuple;

	conrel = table_open(ConstraintRelationId, AccessShareLock);
	scan = systable_beginscan(conrel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);

		if (con->contype != CONSTRAINT_FOREIGN)
			continue;
		if (con->conrelid == relid && con->confrelid != relid)
			sddl_add_rel(a, con->confrelid, mode, false, false);
		else if (referencing_too && con->confrelid == relid &&
				 con->conrelid != relid)
			sddl_add_rel(a, con->conrelid, mode, false, false);
	}
	systable_endscan(scan);
	table_close(conrel, AccessShareLock);
}

/*
 * The table a new foreign key references: SHARE ROW EXCLUSIVE, on every
 * partition too when it is partitioned.  Validation reads the referencing
 * table in full and probes this one through its unique index, so it is
 * not counted as scanned (a hash join may still read it whole: that is the
 * planner's choice, not the statement's).
 */
SddlRelation *
sddl_add_referenced(SddlAnalysis *a, SddlAnalysisContext *cxt,
					const RangeVar *pktable, bool validates)
{
	SddlRelation *pk = sddl_add_rangevar(a, cxt, pktable,
										 ShareRowExclusiveLock, false, false);

	if (pk && OidIsValid(pk->relid) &&
		pk->relkind == RELKIND_PARTITIONED_TABLE)
		sddl_add_tree(a, pk->relid, ShareRowExclusiveLock, false, false,
					  false);
	return pk;
}

/*
 * Sequences named by nextval('...') in a raw default expression: looking
 * the name up as a regclass locks them in ACCESS SHARE mode.
 */
static bool
sddl_nextval_walker(Node *node, void *context)
{
	SddlAnalysis *a = (SddlAnalysis *) context;

	if (node == NULL)
		return false;
	if (IsA(node, FuncCall))
	{
		FuncCall   *fc = (FuncCall *) node;
		Node	   *arg;

		if (strcmp(strVal(llast(fc->funcname)), "nextval") == 0 &&
			list_length(fc->args) == 1)
		{
			arg = (Node *) linitial(fc->args);
			if (IsA(arg, TypeCast))
				arg = ((TypeCast *) arg)->arg;
			if (IsA(arg, A_Const) && SddlAConstIsString((A_Const *) arg))
			{
				List	   *names;

				names = textToQualifiedNameList(cstring_to_text(strVal(&((A_Const *) arg)->val)));
				sddl_add_rel(a, sddl_lookup_rangevar(makeRangeVarFromNameList(names)),
							 AccessShareLock, false, false);
			}
		}
	}
	return raw_expression_tree_walker(node, sddl_nextval_walker, context);
}

void
sddl_add_default_sequences(SddlAnalysis *a, Node *rawexpr)
{
	(void) sddl_nextval_walker(rawexpr, a);
}

/* ----------------------------------------------------------------
 *		Helpers for the statement handlers
 * ----------------------------------------------------------------
 */

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

/* Relations of a namespace (or all user namespaces) of the given kinds. */
static List *
sddl_relations_in(Oid nspid, bool user_only, bool system_only,
				  const char *relkinds)
{
	List	   *result = NIL;
	Relation	classrel;
	SysScanDesc scan;
	HeapTuple	tuple;

	classrel = table_open(RelationRelationId, AccessShareLock);
	scan = systable_beginscan(classrel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_class c = (Form_pg_class) GETSTRUCT(tuple);

		if (strchr(relkinds, c->relkind) == NULL)
			continue;
		if (OidIsValid(nspid) && c->relnamespace != nspid)
			continue;
		if (c->relpersistence == RELPERSISTENCE_TEMP &&
			!isTempOrTempToastNamespace(c->relnamespace))
			continue;
		if (user_only)
		{
			char	   *nspname = get_namespace_name(c->relnamespace);

			if (IsCatalogNamespace(c->relnamespace) ||
				IsToastNamespace(c->relnamespace) || nspname == NULL ||
				strcmp(nspname, "information_schema") == 0)
				continue;
		}
		if (system_only && !IsCatalogNamespace(c->relnamespace))
			continue;
		result = lappend_oid(result, c->oid);
	}
	systable_endscan(scan);
	table_close(classrel, AccessShareLock);
	return result;
}

/*
 * Column "relcol" (a relation OID) of the row of catalog "catid" whose OID
 * column "oidcol", indexed by "indexid", is "objid"; InvalidOid if there is
 * no such row.  (get_catalog_object_by_oid() would do, but it does not know
 * every catalog on every supported version: pg_attrdef is missing in 15.)
 */
static Oid
sddl_catalog_row_relid(Oid catid, Oid indexid, AttrNumber oidcol,
					   AttrNumber relcol, Oid objid)
{
	Relation	catalog = table_open(catid, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			result = InvalidOid;

	ScanKeyInit(&key, oidcol, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(objid));
	scan = systable_beginscan(catalog, indexid, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
	{
		bool		isnull;
		Datum		d = heap_getattr(tuple, relcol, RelationGetDescr(catalog),
									 &isnull);

		if (!isnull)
			result = DatumGetObjectId(d);
	}
	systable_endscan(scan);
	table_close(catalog, AccessShareLock);
	return result;
}

/* The relation a pg_depend dependent stands for, InvalidOid if none. */
static Oid
sddl_dependent_relation(Oid classid, Oid objid)
{
	switch (classid)
	{
		case RelationRelationId:
			return objid;
		case RewriteRelationId:
			return sddl_catalog_row_relid(RewriteRelationId, RewriteOidIndexId,
										  Anum_pg_rewrite_oid,
										  Anum_pg_rewrite_ev_class, objid);
		case ConstraintRelationId:
			return sddl_catalog_row_relid(ConstraintRelationId, ConstraintOidIndexId,
										  Anum_pg_constraint_oid,
										  Anum_pg_constraint_conrelid, objid);
		case AttrDefaultRelationId:
			return sddl_catalog_row_relid(AttrDefaultRelationId, AttrDefaultOidIndexId,
										  Anum_pg_attrdef_oid,
										  Anum_pg_attrdef_adrelid, objid);
		case PolicyRelationId:
			return sddl_catalog_row_relid(PolicyRelationId, PolicyOidIndexId,
										  Anum_pg_policy_oid,
										  Anum_pg_policy_polrelid, objid);
		case TriggerRelationId:
			return sddl_catalog_row_relid(TriggerRelationId, TriggerOidIndexId,
										  Anum_pg_trigger_oid,
										  Anum_pg_trigger_tgrelid, objid);
		default:
			return InvalidOid;
	}
}

/*
 * A relation is dropped: it and whatever goes with it.  Without CASCADE
 * only automatic and internal dependents go (partitions, owned sequences,
 * indexes, the relation's own rules and constraints); with CASCADE also
 * views, inheritance children and foreign keys of other tables.  Dropping a
 * foreign key locks the table it references, dropping a partition locks its
 * parent: both in ACCESS EXCLUSIVE mode.
 */
static void
sddl_add_dropped(SddlAnalysis *a, Oid relid, bool cascade, List **done,
				 int depth)
{
	Relation	deprel;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	char		relkind;

	if (depth > 16 || list_member_oid(*done, relid))
		return;
	*done = lappend_oid(*done, relid);
	relkind = get_rel_relkind(relid);
	if (relkind == '\0')
		return;
	if (relkind != RELKIND_INDEX && relkind != RELKIND_PARTITIONED_INDEX &&
		relkind != RELKIND_TOASTVALUE)
		sddl_add_rel(a, relid, AccessExclusiveLock, false, false);

	/* foreign keys of this relation go: the referenced tables are locked */
	sddl_add_fk_neighbours(a, relid, AccessExclusiveLock, false);

	/* a dropped partition locks its parent and the default partition */
	if (get_rel_relispartition(relid))
	{
		Oid			parent = get_partition_parent(relid, true);
		Oid			defpart = get_default_partition_oid(parent);

		sddl_add_rel(a, parent, AccessExclusiveLock, false, false);
		if (OidIsValid(defpart) && defpart != relid)
			sddl_add_rel(a, defpart, AccessExclusiveLock, false, false);
	}

	deprel = table_open(DependRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(RelationRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(deprel, DependReferenceIndexId, true, NULL, 2,
							  key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);
		Oid			other;
		bool		automatic;

		automatic = (dep->deptype == DEPENDENCY_AUTO ||
					 dep->deptype == DEPENDENCY_INTERNAL ||
					 dep->deptype == DEPENDENCY_PARTITION_PRI ||
					 dep->deptype == DEPENDENCY_PARTITION_SEC);
		if (!automatic && !cascade)
			continue;
		other = sddl_dependent_relation(dep->classid, dep->objid);
		if (!OidIsValid(other) || other == relid)
			continue;
		if (dep->classid == RelationRelationId ||
			dep->classid == RewriteRelationId)
			sddl_add_dropped(a, other, cascade, done, depth + 1);
		else
			sddl_add_rel(a, other, AccessExclusiveLock, false, false);
	}
	systable_endscan(scan);
	table_close(deprel, AccessShareLock);
}

/*
 * A non-relation object is dropped (schema, type, function, extension):
 * follow pg_depend like performDeletion() does.  Automatic, internal and
 * extension-member dependents always go; normal ones only with CASCADE.
 * Every relation that goes is dropped; a column, default, constraint,
 * trigger, rule or policy that goes locks its table ACCESS EXCLUSIVE.
 */
static void
sddl_add_object_drop(SddlAnalysis *a, Oid classid, Oid objid, int32 subid,
					 bool cascade, List **done, List **seen, int depth)
{
	Relation	deprel;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	List	   *next = NIL;
	ListCell   *nc;

	if (depth > 16)
		return;
	deprel = table_open(DependRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(classid));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(objid));
	scan = systable_beginscan(deprel, DependReferenceIndexId, true, NULL, 2,
							  key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);
		bool		automatic;

		if (subid >= 0 && dep->refobjsubid != subid)
			continue;
		automatic = (dep->deptype == DEPENDENCY_AUTO ||
					 dep->deptype == DEPENDENCY_INTERNAL ||
					 dep->deptype == DEPENDENCY_EXTENSION ||
					 dep->deptype == DEPENDENCY_PARTITION_PRI ||
					 dep->deptype == DEPENDENCY_PARTITION_SEC);
		if (!automatic && !cascade)
			continue;
		if (dep->classid == RelationRelationId && dep->objsubid != 0)
		{
			/* a column of this type goes: ALTER TABLE DROP COLUMN */
			sddl_add_rel(a, dep->objid, AccessExclusiveLock, false, false);
			continue;
		}
		{
			ObjectAddress *obj = palloc(sizeof(ObjectAddress));

			obj->classId = dep->classid;
			obj->objectId = dep->objid;
			obj->objectSubId = 0;
			next = lappend(next, obj);
		}
	}
	systable_endscan(scan);
	table_close(deprel, AccessShareLock);

	foreach(nc, next)
	{
		ObjectAddress *obj = (ObjectAddress *) lfirst(nc);
		Oid			depclass = obj->classId;
		Oid			depobj = obj->objectId;
		Oid			rel;
		char		kind;
		ListCell   *lc;
		bool		already = false;

		foreach(lc, *seen)
		{
			if (lfirst_oid(lc) == depobj)
				already = true;
		}
		if (already)
			continue;
		*seen = lappend_oid(*seen, depobj);

		if (depclass == RelationRelationId)
		{
			kind = get_rel_relkind(depobj);
			if (kind == RELKIND_INDEX || kind == RELKIND_PARTITIONED_INDEX)
				sddl_add_rel(a, IndexGetRelation(depobj, true),
							 AccessExclusiveLock, false, false);
			sddl_add_dropped(a, depobj, cascade, done, depth + 1);
			continue;
		}
		rel = sddl_dependent_relation(depclass, depobj);
		if (OidIsValid(rel))
		{
			kind = get_rel_relkind(rel);
			if (depclass == RewriteRelationId &&
				(kind == RELKIND_VIEW || kind == RELKIND_MATVIEW))
				sddl_add_dropped(a, rel, cascade, done, depth + 1);
			else
				sddl_add_rel(a, rel, AccessExclusiveLock, false, false);
			if (depclass == ConstraintRelationId)
			{
				HeapTuple	con = SearchSysCache1(CONSTROID,
												  ObjectIdGetDatum(depobj));

				if (HeapTupleIsValid(con))
				{
					Form_pg_constraint c = (Form_pg_constraint) GETSTRUCT(con);

					if (c->contype == CONSTRAINT_FOREIGN)
						sddl_add_rel(a, c->confrelid, AccessExclusiveLock,
									 false, false);
					ReleaseSysCache(con);
				}
			}
			continue;
		}
		/* a type, function, ... that goes takes its own dependents along */
		sddl_add_object_drop(a, depclass, depobj, -1, cascade, done, seen,
							 depth + 1);
	}
}

/*
 * A column is dropped: what depends on it goes too (views, constraints and
 * indexes that use it; with CASCADE also the normal dependents).
 */
void
sddl_add_column_drop(SddlAnalysis *a, Oid relid, AttrNumber attnum,
					 bool cascade)
{
	List	   *done = list_make1_oid(relid);
	List	   *seen = NIL;

	sddl_add_object_drop(a, RelationRelationId, relid, attnum, cascade,
						 &done, &seen, 0);
}

/*
 * Relations a view or materialized view reads: what its _RETURN rule
 * depends on.
 */
static void
sddl_add_view_sources(SddlAnalysis *a, Oid viewid, LOCKMODE mode, bool scans)
{
	Relation	deprel;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			ruleid = InvalidOid;

	/* find the view's rule */
	deprel = table_open(DependRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(RelationRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(viewid));
	scan = systable_beginscan(deprel, DependReferenceIndexId, true, NULL, 2,
							  key);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);

		if (dep->classid == RewriteRelationId &&
			dep->deptype == DEPENDENCY_INTERNAL)
			ruleid = dep->objid;
	}
	systable_endscan(scan);

	if (OidIsValid(ruleid))
	{
		ScanKeyInit(&key[0], Anum_pg_depend_classid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(RewriteRelationId));
		ScanKeyInit(&key[1], Anum_pg_depend_objid, BTEqualStrategyNumber,
					F_OIDEQ, ObjectIdGetDatum(ruleid));
		scan = systable_beginscan(deprel, DependDependerIndexId, true, NULL, 2,
								  key);
		while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		{
			Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tuple);
			char		kind;

			if (dep->refclassid != RelationRelationId ||
				dep->refobjid == viewid)
				continue;
			kind = get_rel_relkind(dep->refobjid);
			if (kind == RELKIND_INDEX || kind == RELKIND_PARTITIONED_INDEX ||
				kind == RELKIND_SEQUENCE)
				continue;
			sddl_add_rel(a, dep->refobjid, mode, false, scans);
		}
		systable_endscan(scan);
	}
	table_close(deprel, AccessShareLock);
}

/* Relations a query reads, from its raw or analysed tree. */
typedef struct SddlQueryWalk
{
	SddlAnalysis *a;
	SddlAnalysisContext *cxt;
	List	   *ctenames;
	bool		scans;			/* the query's result is materialised */
	bool		analysed;		/* walking a Query, not a raw parse tree */
} SddlQueryWalk;

static bool
sddl_query_walker(Node *node, void *context)
{
	SddlQueryWalk *w = (SddlQueryWalk *) context;

	if (node == NULL)
		return false;
	if (IsA(node, IntoClause))
		return false;			/* the table being created */
	if (IsA(node, WithClause))
	{
		ListCell   *lc;

		foreach(lc, ((WithClause *) node)->ctes)
		{
			CommonTableExpr *cte = (CommonTableExpr *) lfirst(lc);

			w->ctenames = lappend(w->ctenames, cte->ctename);
		}
	}
	else if (IsA(node, RangeVar))
	{
		RangeVar   *rv = (RangeVar *) node;
		ListCell   *lc;
		bool		is_cte = false;

		if (rv->schemaname == NULL)
		{
			foreach(lc, w->ctenames)
			{
				if (strcmp((char *) lfirst(lc), rv->relname) == 0)
					is_cte = true;
			}
		}
		if (!is_cte)
			sddl_add_rangevar(w->a, w->cxt, rv, AccessShareLock, false,
							  w->scans);
		return false;
	}
	else if (IsA(node, InsertStmt) || IsA(node, UpdateStmt) ||
			 IsA(node, DeleteStmt))
	{
		RangeVar   *target;

		/* the target of a DML action (rules): ROW EXCLUSIVE */
		if (IsA(node, InsertStmt))
			target = ((InsertStmt *) node)->relation;
		else if (IsA(node, UpdateStmt))
			target = ((UpdateStmt *) node)->relation;
		else
			target = ((DeleteStmt *) node)->relation;
		sddl_add_rangevar(w->a, w->cxt, target, RowExclusiveLock, false,
						  false);
	}
	else if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_RELATION)
			sddl_add_rel(w->a, rte->relid, AccessShareLock, false, w->scans);
		return false;
	}
	else if (IsA(node, Query))
	{
		w->analysed = true;
		return query_tree_walker((Query *) node, sddl_query_walker, context,
								 QTW_EXAMINE_RTES_BEFORE);
	}
	if (w->analysed)
		return expression_tree_walker(node, sddl_query_walker, context);
	return raw_expression_tree_walker(node, sddl_query_walker, context);
}

static void
sddl_add_query_sources(SddlAnalysis *a, SddlAnalysisContext *cxt, Node *query,
					   bool scans)
{
	SddlQueryWalk w;

	w.a = a;
	w.scans = scans;
	w.cxt = cxt;
	w.ctenames = NIL;
	w.analysed = false;
	(void) sddl_query_walker(query, &w);
}

/* RangeVar for the relation part of a qualified name list. */
static RangeVar *
sddl_relation_of(List *names)
{
	if (list_length(names) < 2)
		return NULL;
	return makeRangeVarFromNameList(list_truncate(list_copy(names),
												  list_length(names) - 1));
}

/* ----------------------------------------------------------------
 *		Statement handlers
 * ----------------------------------------------------------------
 */

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
	Relation	indrel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		found = false;
	ListCell   *lc;

	if (stmt->whereClause || stmt->indexIncludingParams || stmt->excludeOpNames)
		return false;
	foreach(lc, stmt->indexParams)
	{
		IndexElem  *elem = (IndexElem *) lfirst(lc);

		if (elem->name == NULL || elem->opclass || elem->collation)
			return false;
	}

	indrel = table_open(IndexRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(partid));
	scan = systable_beginscan(indrel, IndexIndrelidIndexId, true, NULL, 1,
							  &key);
	while (!found && HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(tuple);
		HeapTuple	classtup;
		bool		match = true;
		int			i = 0;

		if (idx->indnatts != list_length(stmt->indexParams) ||
			idx->indisunique != stmt->unique ||
			!heap_attisnull(tuple, Anum_pg_index_indexprs, NULL) ||
			!heap_attisnull(tuple, Anum_pg_index_indpred, NULL) ||
			has_superclass(idx->indexrelid))
			continue;
		classtup = SearchSysCache1(RELOID, ObjectIdGetDatum(idx->indexrelid));
		if (!HeapTupleIsValid(classtup))
			continue;
		if (((Form_pg_class) GETSTRUCT(classtup))->relam != amid)
			match = false;
		ReleaseSysCache(classtup);
		foreach(lc, stmt->indexParams)
		{
			IndexElem  *elem = (IndexElem *) lfirst(lc);

			if (get_attnum(partid, elem->name) != idx->indkey.values[i++])
				match = false;
		}
		found = match;
	}
	systable_endscan(scan);
	table_close(indrel, AccessShareLock);
	return found;
}

static void
sddl_analyze_index(SddlAnalysis *a, IndexStmt *stmt, SddlAnalysisContext *cxt)
{
	LOCKMODE	mode = stmt->concurrent ? ShareUpdateExclusiveLock : ShareLock;
	Oid			relid;
	char		relkind;
	SddlRelation *r;

	a->concurrent = stmt->concurrent;
	if (sddl_name_created(cxt, stmt->relation))
	{
		sddl_add_rangevar(a, cxt, stmt->relation, mode, false, true);
		return;
	}
	relid = sddl_lookup_rangevar(stmt->relation);
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

		foreach(lc, find_all_inheritors(relid, NoLock, NULL))
		{
			Oid			part = lfirst_oid(lc);

			if (part == relid)
				continue;
			sddl_add_rel(a, part, mode, false,
						 !sddl_partition_has_index(part, stmt));
		}
	}
	if (!stmt->concurrent)
		sddl_add_finding(a, r, SDDL_RULE_REQUIRE_CONCURRENT_INDEX_CREATION, -1,
						 stmt->idxname);
}

static void
sddl_analyze_drop_index(SddlAnalysis *a, DropStmt *stmt, Oid indexid)
{
	LOCKMODE	mode = stmt->concurrent ? ShareUpdateExclusiveLock :
		AccessExclusiveLock;
	List	   *indexes;
	ListCell   *lc;
	SddlRelation *heap;

	/* a partitioned index: every partition of its table is locked */
	if (get_rel_relkind(indexid) == RELKIND_PARTITIONED_INDEX)
		sddl_add_tree(a, IndexGetRelation(indexid, true), mode, false, false,
					  true);
	indexes = find_all_inheritors(indexid, NoLock, NULL);
	foreach(lc, indexes)
	{
		Oid			idx = lfirst_oid(lc);
		Oid			heapid = IndexGetRelation(idx, true);

		sddl_add_rel(a, heapid, mode, false, false);
		sddl_add_rel(a, idx, mode, false, false);
	}
	heap = sddl_add_rel(a, IndexGetRelation(indexid, true), mode, false,
						false);
	if (!stmt->concurrent)
		sddl_add_finding(a, heap, SDDL_RULE_REQUIRE_CONCURRENT_INDEX_DELETION, -1,
						 get_rel_name(indexid));
}

static void
sddl_analyze_drop(SddlAnalysis *a, DropStmt *stmt, SddlAnalysisContext *cxt)
{
	bool		cascade = (stmt->behavior == DROP_CASCADE);
	List	   *done = NIL;
	ListCell   *lc;

	a->concurrent = stmt->concurrent;
	switch (stmt->removeType)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_FOREIGN_TABLE:
		case OBJECT_SEQUENCE:
		case OBJECT_INDEX:
			foreach(lc, stmt->objects)
			{
				RangeVar   *rv = makeRangeVarFromNameList((List *) lfirst(lc));
				Oid			relid;

				if (sddl_name_created(cxt, rv))
				{
					sddl_add_rangevar(a, cxt, rv, AccessExclusiveLock, false,
									  false);
					continue;
				}
				relid = sddl_lookup_rangevar(rv);
				if (!OidIsValid(relid))
					continue;
				if (stmt->removeType == OBJECT_INDEX)
					sddl_analyze_drop_index(a, stmt, relid);
				else
					sddl_add_dropped(a, relid, cascade, &done, 0);
			}
			break;

		case OBJECT_TRIGGER:
		case OBJECT_RULE:
		case OBJECT_POLICY:
			foreach(lc, stmt->objects)
			{
				RangeVar   *rv = sddl_relation_of((List *) lfirst(lc));
				SddlRelation *r;

				r = sddl_add_rangevar(a, cxt, rv, AccessExclusiveLock, false,
									  false);
				/* cloned row triggers of the partitions go too */
				if (r && OidIsValid(r->relid) &&
					stmt->removeType == OBJECT_TRIGGER &&
					r->relkind == RELKIND_PARTITIONED_TABLE)
					sddl_add_tree(a, r->relid, AccessExclusiveLock, false,
								  false, false);
			}
			break;

		case OBJECT_STATISTIC_EXT:
			/* the table of the statistics object */
			foreach(lc, stmt->objects)
			{
				Oid			statoid = get_statistics_object_oid((List *) lfirst(lc),
																true);
				HeapTuple	tuple;

				if (!OidIsValid(statoid))
					continue;
				tuple = SearchSysCache1(STATEXTOID, ObjectIdGetDatum(statoid));
				if (!HeapTupleIsValid(tuple))
					continue;
				sddl_add_rel(a, ((Form_pg_statistic_ext) GETSTRUCT(tuple))->stxrelid,
							 ShareUpdateExclusiveLock, false, false);
				ReleaseSysCache(tuple);
			}
			break;

		case OBJECT_SCHEMA:
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
		case OBJECT_FUNCTION:
		case OBJECT_PROCEDURE:
		case OBJECT_ROUTINE:
		case OBJECT_EXTENSION:
			{
				List	   *seen = NIL;

				foreach(lc, stmt->objects)
				{
					Node	   *obj = (Node *) lfirst(lc);
					Oid			classid;
					Oid			objid = InvalidOid;

					switch (stmt->removeType)
					{
						case OBJECT_SCHEMA:
							classid = NamespaceRelationId;
							objid = get_namespace_oid(strVal(obj), true);
							break;
						case OBJECT_EXTENSION:
							classid = ExtensionRelationId;
							objid = get_extension_oid(strVal(obj), true);
							break;
						case OBJECT_TYPE:
						case OBJECT_DOMAIN:
							{
								Type		tup = LookupTypeName(NULL, (TypeName *) obj,
																 NULL, true);

								classid = TypeRelationId;
								if (tup)
								{
									objid = typeTypeId(tup);
									ReleaseSysCache(tup);
								}
								break;
							}
						default:
							classid = ProcedureRelationId;
							objid = LookupFuncWithArgs(stmt->removeType,
													   (ObjectWithArgs *) obj,
													   true);
							break;
					}
					if (OidIsValid(objid))
						sddl_add_object_drop(a, classid, objid, -1, cascade,
											 &done, &seen, 0);
				}
				return;
			}

		case OBJECT_AGGREGATE:
		case OBJECT_OPERATOR:
		case OBJECT_COLLATION:
		case OBJECT_CONVERSION:
		case OBJECT_TSCONFIGURATION:
		case OBJECT_TSDICTIONARY:
		case OBJECT_TSPARSER:
		case OBJECT_TSTEMPLATE:
		case OBJECT_CAST:
		case OBJECT_LANGUAGE:
		case OBJECT_PUBLICATION:
		case OBJECT_EVENT_TRIGGER:
		case OBJECT_OPCLASS:
		case OBJECT_OPFAMILY:
		case OBJECT_TRANSFORM:
		case OBJECT_ACCESS_METHOD:
		case OBJECT_FOREIGN_SERVER:
		case OBJECT_FDW:

			/*
			 * Without CASCADE these fail rather than drop a table or a
			 * column: they lock no pre-existing relation.  With CASCADE
			 * they may drop columns, defaults or whole tables: not analysed.
			 */
			a->recognized = !cascade;
			return;

		default:
			a->recognized = false;
			return;
	}
}

static void
sddl_analyze_reindex(SddlAnalysis *a, ReindexStmt *stmt,
					 SddlAnalysisContext *cxt)
{
	bool		concurrent = sddl_option_set(stmt->params, "concurrently");
	LOCKMODE	heapmode = concurrent ? ShareUpdateExclusiveLock : ShareLock;
	LOCKMODE	idxmode = concurrent ? ShareUpdateExclusiveLock :
		AccessExclusiveLock;
	List	   *tables = NIL;
	ListCell   *lc;
	Oid			relid;

	a->concurrent = concurrent;
	switch (stmt->kind)
	{
		case REINDEX_OBJECT_INDEX:
			relid = sddl_lookup_rangevar(stmt->relation);
			if (!OidIsValid(relid))
				return;
			foreach(lc, find_all_inheritors(relid, NoLock, NULL))
			{
				Oid			idx = lfirst_oid(lc);
				SddlRelation *heap;

				if (get_rel_relkind(idx) != RELKIND_INDEX)
					continue;
				/* the index is rewritten (its own row), the table read */
				heap = sddl_add_rel(a, IndexGetRelation(idx, true), heapmode,
									false, true);
				sddl_add_rel(a, idx, idxmode, true, true);
				if (!concurrent)
					sddl_add_finding(a, heap, SDDL_RULE_REQUIRE_CONCURRENT_REINDEX, -1,
									 get_rel_name(idx));
			}
			/* the partitioned index itself, named in the statement */
			if (get_rel_relkind(relid) == RELKIND_PARTITIONED_INDEX)
				sddl_add_rel(a, relid, heapmode, false, false);
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
			tables = sddl_relations_in(get_namespace_oid(stmt->name, true),
									   false, false, "rm");
			break;

		case REINDEX_OBJECT_DATABASE:
			tables = sddl_relations_in(InvalidOid, true, false, "rm");
			break;

		case REINDEX_OBJECT_SYSTEM:
			tables = sddl_relations_in(InvalidOid, false, true, "r");
			break;
	}

	foreach(lc, tables)
	{
		Oid			tab = lfirst_oid(lc);
		SddlRelation *r;

		if (!RELKIND_HAS_STORAGE(get_rel_relkind(tab)))
			continue;
		r = sddl_add_rel(a, tab, heapmode, true, true);
		if (!concurrent)
			sddl_add_finding(a, r, SDDL_RULE_REQUIRE_CONCURRENT_REINDEX, -1, NULL);
	}
}

static void
sddl_analyze_vacuum(SddlAnalysis *a, VacuumStmt *stmt,
					SddlAnalysisContext *cxt)
{
	bool		full = stmt->is_vacuumcmd && sddl_option_set(stmt->options, "full");
	bool		analyze = !stmt->is_vacuumcmd ||
		sddl_option_set(stmt->options, "analyze");
	bool		vacuum = stmt->is_vacuumcmd;
	LOCKMODE	mode = full ? AccessExclusiveLock : ShareUpdateExclusiveLock;
	List	   *targets = NIL;
	ListCell   *lc;

	if (stmt->rels == NIL)
	{
		targets = sddl_relations_in(InvalidOid, true, false,
									vacuum ? "rmt" : "rmp");
		foreach(lc, targets)
			sddl_add_rel(a, lfirst_oid(lc), mode, full, vacuum);
		return;
	}

	foreach(lc, stmt->rels)
	{
		VacuumRelation *vrel = (VacuumRelation *) lfirst(lc);
		Oid			relid = sddl_lookup_rangevar(vrel->relation);
		char		relkind;
		SddlRelation *r;

		if (!OidIsValid(relid))
			continue;
		relkind = get_rel_relkind(relid);
		r = sddl_add_rel(a, relid, mode, full, vacuum);
		if (full)
			sddl_add_finding(a, r, SDDL_RULE_DISALLOWED_VACUUM_FULL, -1, NULL);

		if (relkind == RELKIND_PARTITIONED_TABLE)
		{
			/* each partition is processed as if named */
			ListCell   *lc2;

			foreach(lc2, find_all_inheritors(relid, NoLock, NULL))
			{
				SddlRelation *p;

				if (lfirst_oid(lc2) == relid)
					continue;
				p = sddl_add_rel(a, lfirst_oid(lc2), mode, full, vacuum);
				if (full && p && RELKIND_HAS_STORAGE(p->relkind))
					sddl_add_finding(a, p, SDDL_RULE_DISALLOWED_VACUUM_FULL, -1,
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

static void
sddl_analyze_cluster(SddlAnalysis *a, ClusterStmt *stmt,
					 SddlAnalysisContext *cxt)
{
	Oid			relid;
	ListCell   *lc;

	if (stmt->relation == NULL)
	{
		/* every table with a clustered index, each in its own transaction */
		Relation	indrel = table_open(IndexRelationId, AccessShareLock);
		SysScanDesc scan = systable_beginscan(indrel, InvalidOid, false, NULL,
											  0, NULL);
		HeapTuple	tuple;
		List	   *tables = NIL;

		while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		{
			Form_pg_index idx = (Form_pg_index) GETSTRUCT(tuple);

			if (idx->indisclustered)
				tables = lappend_oid(tables, idx->indrelid);
		}
		systable_endscan(scan);
		table_close(indrel, AccessShareLock);
		foreach(lc, tables)
			sddl_add_finding(a, sddl_add_rel(a, lfirst_oid(lc),
											 AccessExclusiveLock, true, true),
							 SDDL_RULE_DISALLOWED_CLUSTER, -1, NULL);
		return;
	}

	relid = sddl_lookup_rangevar(stmt->relation);
	if (!OidIsValid(relid))
		return;
	if (get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE)
	{
		sddl_add_rel(a, relid, AccessExclusiveLock, false, false);
		foreach(lc, find_all_inheritors(relid, NoLock, NULL))
		{
			SddlRelation *p;

			if (lfirst_oid(lc) == relid)
				continue;
			p = sddl_add_rel(a, lfirst_oid(lc), AccessExclusiveLock,
							 RELKIND_HAS_STORAGE(get_rel_relkind(lfirst_oid(lc))),
							 true);
			sddl_add_finding(a, p, SDDL_RULE_DISALLOWED_CLUSTER, -1, NULL);
		}
		return;
	}
	sddl_add_finding(a, sddl_add_rel(a, relid, AccessExclusiveLock, true, true),
					 SDDL_RULE_DISALLOWED_CLUSTER, -1, NULL);
	if (stmt->indexname)
		sddl_add_rel(a, get_relname_relid(stmt->indexname,
										  get_rel_namespace(relid)),
					 AccessExclusiveLock, true, true);
}

static void
sddl_analyze_truncate(SddlAnalysis *a, TruncateStmt *stmt,
					  SddlAnalysisContext *cxt)
{
	List	   *relids = NIL;
	ListCell   *lc;

	foreach(lc, stmt->relations)
	{
		RangeVar   *rv = (RangeVar *) lfirst(lc);
		Oid			relid;

		if (sddl_name_created(cxt, rv))
		{
			sddl_add_rangevar(a, cxt, rv, AccessExclusiveLock, false, false);
			continue;
		}
		relid = sddl_lookup_rangevar(rv);
		if (!OidIsValid(relid))
			continue;
		if (rv->inh)
			relids = list_concat_unique_oid(relids,
											find_all_inheritors(relid, NoLock,
																NULL));
		else
			relids = list_append_unique_oid(relids, relid);
	}

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

static void
sddl_analyze_lock(SddlAnalysis *a, LockStmt *stmt, SddlAnalysisContext *cxt)
{
	ListCell   *lc;
	List	   *done = NIL;

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

static void
sddl_analyze_refresh(SddlAnalysis *a, RefreshMatViewStmt *stmt,
					 SddlAnalysisContext *cxt)
{
	LOCKMODE	mode = stmt->concurrent ? ExclusiveLock : AccessExclusiveLock;
	SddlRelation *r;

	r = sddl_add_rangevar(a, cxt, stmt->relation, mode, !stmt->concurrent,
						  !stmt->skipData);
	if (r == NULL || !OidIsValid(r->relid))
		return;
	if (!stmt->skipData)
		sddl_add_view_sources(a, r->relid, AccessShareLock, true);
	if (!stmt->concurrent)
		sddl_add_finding(a, r, SDDL_RULE_REQUIRE_CONCURRENT_REFRESH, -1, NULL);
}

static void
sddl_analyze_rename(SddlAnalysis *a, RenameStmt *stmt, SddlAnalysisContext *cxt)
{
	SddlRelation *r;
	Oid			relid;

	switch (stmt->renameType)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_FOREIGN_TABLE:
		case OBJECT_SEQUENCE:
		case OBJECT_INDEX:
			relid = sddl_lookup_rangevar(stmt->relation);
			if (!OidIsValid(relid))
			{
				sddl_add_rangevar(a, cxt, stmt->relation, AccessExclusiveLock,
								  false, false);
				return;
			}

			/*
			 * ALTER INDEX ... RENAME takes SHARE UPDATE EXCLUSIVE; any other
			 * spelling on an index ACCESS EXCLUSIVE (RenameRelation).
			 */
			r = sddl_add_rel(a, relid,
							 (stmt->renameType == OBJECT_INDEX &&
							  (get_rel_relkind(relid) == RELKIND_INDEX ||
							   get_rel_relkind(relid) == RELKIND_PARTITIONED_INDEX)) ?
							 ShareUpdateExclusiveLock : AccessExclusiveLock,
							 false, false);
			if (r && (r->relkind == RELKIND_RELATION ||
					  r->relkind == RELKIND_PARTITIONED_TABLE ||
					  r->relkind == RELKIND_VIEW ||
					  r->relkind == RELKIND_MATVIEW ||
					  r->relkind == RELKIND_FOREIGN_TABLE))
				sddl_add_finding(a, r, SDDL_RULE_RENAMING_TABLE, -1, stmt->newname);
			return;

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
				sddl_add_finding(a, r, SDDL_RULE_RENAMING_COLUMN, -1, stmt->subname);
			return;

		case OBJECT_TABCONSTRAINT:
			r = sddl_add_rangevar(a, cxt, stmt->relation, AccessExclusiveLock,
								  false, false);
			if (r && OidIsValid(r->relid) && stmt->relation->inh)
				sddl_add_tree(a, r->relid, AccessExclusiveLock, false, false,
							  false);
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

/* CREATE TABLE: the tables it inherits from, copies or references. */
static void
sddl_analyze_create(SddlAnalysis *a, CreateStmt *stmt, SddlAnalysisContext *cxt)
{
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

				sddl_add_finding(a, d, SDDL_RULE_ATTACH_PARTITION_SCAN, -1, NULL);
			}
			/* foreign keys are cloned: their referenced tables are locked */
			sddl_add_fk_neighbours(a, p->relid, ShareRowExclusiveLock, false);
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

static void
sddl_analyze_comment(SddlAnalysis *a, ObjectType objtype, Node *object,
					 SddlAnalysisContext *cxt)
{
	switch (objtype)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_FOREIGN_TABLE:
		case OBJECT_SEQUENCE:
		case OBJECT_INDEX:
			sddl_add_rangevar(a, cxt, makeRangeVarFromNameList((List *) object),
							  ShareUpdateExclusiveLock, false, false);
			return;
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

static void
sddl_analyze_alter_seq(SddlAnalysis *a, AlterSeqStmt *stmt,
					   SddlAnalysisContext *cxt)
{
	bool		rewrite = false;
	ListCell   *lc;

	foreach(lc, stmt->options)
	{
		DefElem    *opt = (DefElem *) lfirst(lc);

		if (strcmp(opt->defname, "owned_by") == 0)
		{
			List	   *owner = defGetQualifiedName(opt);

			if (list_length(owner) >= 2)
				sddl_add_rangevar(a, cxt, sddl_relation_of(owner),
								  AccessShareLock, false, false);
		}
		else
			rewrite = true;
	}
	sddl_add_rangevar(a, cxt, stmt->sequence, ShareRowExclusiveLock, rewrite,
					  false);
}

/* Tables with a column of the given domain (directly). */
static void
sddl_analyze_alter_domain(SddlAnalysis *a, AlterDomainStmt *stmt)
{
	TypeName   *tn = makeTypeNameFromNameList(stmt->typeName);
	Type		tup = LookupTypeName(NULL, tn, NULL, true);
	Oid			domainoid;
	bool		validates = false;
	Relation	attrel;
	SysScanDesc scan;
	HeapTuple	tuple;
	List	   *tables = NIL;
	ListCell   *lc;

	if (tup == NULL)
		return;
	domainoid = typeTypeId(tup);
	ReleaseSysCache(tup);

	switch (stmt->subtype)
	{
		case 'C':				/* ADD CONSTRAINT */
			validates = IsA(stmt->def, Constraint) &&
				((Constraint *) stmt->def)->contype == CONSTR_CHECK &&
				!((Constraint *) stmt->def)->skip_validation;
			break;
		case 'O':				/* SET NOT NULL */
		case 'V':				/* VALIDATE CONSTRAINT */
			validates = true;
			break;
		default:
			return;
	}
	if (!validates)
		return;

	attrel = table_open(AttributeRelationId, AccessShareLock);
	scan = systable_beginscan(attrel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tuple);

		if (att->atttypid == domainoid && !att->attisdropped &&
			att->attnum > 0)
			tables = list_append_unique_oid(tables, att->attrelid);
	}
	systable_endscan(scan);
	table_close(attrel, AccessShareLock);

	foreach(lc, tables)
	{
		char		kind = get_rel_relkind(lfirst_oid(lc));
		SddlRelation *r;

		if (kind != RELKIND_RELATION && kind != RELKIND_MATVIEW)
			continue;
		r = sddl_add_rel(a, lfirst_oid(lc), ShareLock, false, true);
		if (stmt->subtype == 'C')
			sddl_add_finding(a, r, SDDL_RULE_CONSTRAINT_MISSING_NOT_VALID, -1,
							 ((Constraint *) stmt->def)->conname);
	}
}

/*
 * ALTER TABLE/INDEX/MATERIALIZED VIEW ALL IN TABLESPACE: every matching
 * relation of the database is locked ACCESS EXCLUSIVE and copied to the
 * new tablespace (AlterTableMoveAll).
 */
static void
sddl_analyze_move_all(SddlAnalysis *a, AlterTableMoveAllStmt *stmt)
{
	Oid			orig = get_tablespace_oid(stmt->orig_tablespacename, true);
	Oid			dest = get_tablespace_oid(stmt->new_tablespacename, true);
	List	   *roles = NIL;
	Relation	classrel;
	SysScanDesc scan;
	HeapTuple	tuple;
	ListCell   *lc;

	if (!OidIsValid(orig) || !OidIsValid(dest))
		return;
	if (orig == MyDatabaseTableSpace)
		orig = InvalidOid;
	if (dest == MyDatabaseTableSpace)
		dest = InvalidOid;
	if (orig == dest)
		return;
	foreach(lc, stmt->roles)
		roles = lappend_oid(roles, get_rolespec_oid((RoleSpec *) lfirst(lc),
													 true));

	classrel = table_open(RelationRelationId, AccessShareLock);
	scan = systable_beginscan(classrel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_class c = (Form_pg_class) GETSTRUCT(tuple);
		SddlRelation *r;

		if (c->reltablespace != orig || c->relisshared ||
			IsCatalogNamespace(c->relnamespace) ||
			IsToastNamespace(c->relnamespace) ||
			isAnyTempNamespace(c->relnamespace))
			continue;
		if ((stmt->objtype == OBJECT_TABLE &&
			 c->relkind != RELKIND_RELATION &&
			 c->relkind != RELKIND_PARTITIONED_TABLE) ||
			(stmt->objtype == OBJECT_INDEX &&
			 c->relkind != RELKIND_INDEX &&
			 c->relkind != RELKIND_PARTITIONED_INDEX) ||
			(stmt->objtype == OBJECT_MATVIEW &&
			 c->relkind != RELKIND_MATVIEW))
			continue;
		if (roles != NIL && !list_member_oid(roles, c->relowner))
			continue;
		r = sddl_add_rel_copied(a, c->oid, AccessExclusiveLock);
		if (r && RELKIND_HAS_STORAGE(r->relkind))
			sddl_add_finding(a, r, SDDL_RULE_REWRITING_TABLE, -1,
							 stmt->new_tablespacename);
	}
	systable_endscan(scan);
	table_close(classrel, AccessShareLock);
}

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
			sddl_add_finding(a, r, SDDL_RULE_SCAN_UNDER_EXCLUSIVE_LOCK, -1, NULL);
	}
}

/*
 * Analyse one statement.
 */
SddlAnalysis *
sddl_analyze(Node *parsetree, SddlAnalysisContext *cxt)
{
	SddlAnalysis *a = palloc0(sizeof(SddlAnalysis));

	a->stmt = parsetree;
	a->command = GetCommandTagName(CreateCommandTag(parsetree));
	a->recognized = true;

	switch (nodeTag(parsetree))
	{
		case T_AlterTableStmt:
			sddl_analyze_alter_table(a, (AlterTableStmt *) parsetree, cxt);
			break;
		case T_IndexStmt:
			sddl_analyze_index(a, (IndexStmt *) parsetree, cxt);
			break;
		case T_DropStmt:
			sddl_analyze_drop(a, (DropStmt *) parsetree, cxt);
			break;
		case T_ReindexStmt:
			sddl_analyze_reindex(a, (ReindexStmt *) parsetree, cxt);
			break;
		case T_RenameStmt:
			sddl_analyze_rename(a, (RenameStmt *) parsetree, cxt);
			break;
		case T_TruncateStmt:
			sddl_analyze_truncate(a, (TruncateStmt *) parsetree, cxt);
			break;
		case T_LockStmt:
			sddl_analyze_lock(a, (LockStmt *) parsetree, cxt);
			break;
		case T_VacuumStmt:
			sddl_analyze_vacuum(a, (VacuumStmt *) parsetree, cxt);
			break;
		case T_ClusterStmt:
			sddl_analyze_cluster(a, (ClusterStmt *) parsetree, cxt);
			break;
		case T_RefreshMatViewStmt:
			sddl_analyze_refresh(a, (RefreshMatViewStmt *) parsetree, cxt);
			break;
		case T_CreateStmt:
		case T_CreateForeignTableStmt:
			sddl_analyze_create(a, (CreateStmt *) parsetree, cxt);
			break;
		case T_CreateTrigStmt:
			{
				CreateTrigStmt *stmt = (CreateTrigStmt *) parsetree;
				SddlRelation *r;

				r = sddl_add_rangevar(a, cxt, stmt->relation,
									  ShareRowExclusiveLock, false, false);
				if (r && OidIsValid(r->relid) && stmt->row &&
					r->relkind == RELKIND_PARTITIONED_TABLE)
					sddl_add_tree(a, r->relid, ShareRowExclusiveLock, false,
								  false, false);
				if (stmt->constrrel)
					sddl_add_rangevar(a, cxt, stmt->constrrel,
									  AccessShareLock, false, false);
				break;
			}
		case T_RuleStmt:
			{
				RuleStmt   *stmt = (RuleStmt *) parsetree;
				ListCell   *lc;

				sddl_add_rangevar(a, cxt, stmt->relation, AccessExclusiveLock,
								  false, false);
				/* the actions are parse-analysed: what they read and write */
				sddl_add_query_sources(a, cxt, stmt->whereClause, false);
				foreach(lc, stmt->actions)
				{
					Node	   *action = (Node *) lfirst(lc);

					/* NOTIFY actions read nothing */
					if (IsA(action, SelectStmt) || IsA(action, InsertStmt) ||
						IsA(action, UpdateStmt) || IsA(action, DeleteStmt))
						sddl_add_query_sources(a, cxt, action, false);
				}
				break;
			}
		case T_CreatePolicyStmt:
			{
				CreatePolicyStmt *stmt = (CreatePolicyStmt *) parsetree;

				sddl_add_rangevar(a, cxt, stmt->table, AccessExclusiveLock,
								  false, false);
				sddl_add_query_sources(a, cxt, stmt->qual, false);
				sddl_add_query_sources(a, cxt, stmt->with_check, false);
				break;
			}
		case T_AlterPolicyStmt:
			{
				AlterPolicyStmt *stmt = (AlterPolicyStmt *) parsetree;

				sddl_add_rangevar(a, cxt, stmt->table, AccessExclusiveLock,
								  false, false);
				sddl_add_query_sources(a, cxt, stmt->qual, false);
				sddl_add_query_sources(a, cxt, stmt->with_check, false);
				break;
			}
		case T_ViewStmt:
			{
				ViewStmt   *stmt = (ViewStmt *) parsetree;

				if (stmt->replace)
				{
					Oid			viewid = sddl_lookup_rangevar(stmt->view);

					if (OidIsValid(viewid))
						sddl_add_rel(a, viewid, AccessExclusiveLock, false,
									 false);
				}
				sddl_add_query_sources(a, cxt, stmt->query, false);
				break;
			}
		case T_CreateTableAsStmt:
			{
				CreateTableAsStmt *stmt = (CreateTableAsStmt *) parsetree;

				if (stmt->if_not_exists &&
					OidIsValid(sddl_lookup_rangevar(stmt->into->rel)))
					break;
				/* parse analysis reads the sources even WITH NO DATA */
				if (IsA(stmt->query, SelectStmt) || IsA(stmt->query, Query))
					sddl_add_query_sources(a, cxt, stmt->query,
										   !stmt->into->skipData);
				else
					a->recognized = false;	/* CREATE TABLE AS EXECUTE */
				break;
			}
		case T_AlterEnumStmt:
			/* ADD/RENAME VALUE lock no relation */
			break;
		case T_CreateSeqStmt:
			{
				ListCell   *lc;

				/* OWNED BY reads the owning table */
				foreach(lc, ((CreateSeqStmt *) parsetree)->options)
				{
					DefElem    *opt = (DefElem *) lfirst(lc);
					List	   *owner;

					if (strcmp(opt->defname, "owned_by") != 0)
						continue;
					owner = defGetQualifiedName(opt);
					if (list_length(owner) >= 2)
						sddl_add_rangevar(a, cxt, sddl_relation_of(owner),
										  AccessShareLock, false, false);
				}
				break;
			}
		case T_SelectStmt:
			{
				SelectStmt *sel = (SelectStmt *) parsetree;

				/* SELECT ... INTO is CREATE TABLE AS */
				if (sel->intoClause == NULL)
				{
					a->recognized = false;
					break;
				}
				sddl_add_query_sources(a, cxt, parsetree, true);
				break;
			}
		case T_AlterSeqStmt:
			sddl_analyze_alter_seq(a, (AlterSeqStmt *) parsetree, cxt);
			break;
		case T_CommentStmt:
			sddl_analyze_comment(a, ((CommentStmt *) parsetree)->objtype,
								 ((CommentStmt *) parsetree)->object, cxt);
			break;
		case T_SecLabelStmt:
			sddl_analyze_comment(a, ((SecLabelStmt *) parsetree)->objtype,
								 ((SecLabelStmt *) parsetree)->object, cxt);
			break;
		case T_GrantStmt:
			/* privileges are changed in the catalog without a table lock */
			break;
		case T_CreateStatsStmt:
			{
				ListCell   *lc;

				foreach(lc, ((CreateStatsStmt *) parsetree)->relations)
				{
					Node	   *n = (Node *) lfirst(lc);

					if (IsA(n, RangeVar))
						sddl_add_rangevar(a, cxt, (RangeVar *) n,
										  ShareUpdateExclusiveLock, false,
										  false);
				}
				break;
			}
		case T_AlterObjectSchemaStmt:
			{
				AlterObjectSchemaStmt *stmt = (AlterObjectSchemaStmt *) parsetree;
				SddlRelation *r;
				ListCell   *lc;

				switch (stmt->objectType)
				{
					case OBJECT_TABLE:
					case OBJECT_VIEW:
					case OBJECT_MATVIEW:
					case OBJECT_FOREIGN_TABLE:
					case OBJECT_SEQUENCE:
						r = sddl_add_rangevar(a, cxt, stmt->relation,
											  AccessExclusiveLock, false,
											  false);
						if (r && OidIsValid(r->relid))
						{
							foreach(lc, getOwnedSequences(r->relid))
								sddl_add_rel(a, lfirst_oid(lc),
											 AccessExclusiveLock, false,
											 false);
						}
						break;
					default:
						break;
				}
				break;
			}
		case T_AlterOwnerStmt:
			/* relations change owner through ALTER TABLE */
			break;
		case T_AlterDomainStmt:
			sddl_analyze_alter_domain(a, (AlterDomainStmt *) parsetree);
			break;
		case T_AlterTableMoveAllStmt:
			sddl_analyze_move_all(a, (AlterTableMoveAllStmt *) parsetree);
			break;
		case T_DropOwnedStmt:
		case T_ReassignOwnedStmt:
		case T_CreatePublicationStmt:
		case T_AlterPublicationStmt:
			/* may lock many relations: not analysed, and said so */
			a->recognized = false;
			break;
		case T_InsertStmt:
		case T_UpdateStmt:
		case T_DeleteStmt:
#ifdef SDDL_HAVE_MERGE_STMT
		case T_MergeStmt:
#endif
		case T_CopyStmt:
		case T_ExplainStmt:
		case T_DoStmt:
		case T_CallStmt:
		case T_ExecuteStmt:
			/* not DDL, or runs statements of its own: not analysed */
			a->recognized = false;
			break;
		default:

			/*
			 * Not a candidate (sddl_is_candidate): a statement kind that
			 * locks no pre-existing relation in a way that matters.
			 */
			a->recognized = !sddl_is_candidate(parsetree);
			break;
	}

	/* what PreventInTransactionBlock() rejects */
	switch (nodeTag(parsetree))
	{
		case T_VacuumStmt:
			a->no_transaction_block = ((VacuumStmt *) parsetree)->is_vacuumcmd;
			break;
		case T_ReindexStmt:
			{
				ReindexStmt *r = (ReindexStmt *) parsetree;

				a->no_transaction_block =
					r->kind == REINDEX_OBJECT_SCHEMA ||
					r->kind == REINDEX_OBJECT_SYSTEM ||
					r->kind == REINDEX_OBJECT_DATABASE ||
					(r->relation &&
					 (get_rel_relkind(sddl_lookup_rangevar(r->relation)) ==
					  RELKIND_PARTITIONED_TABLE ||
					  get_rel_relkind(sddl_lookup_rangevar(r->relation)) ==
					  RELKIND_PARTITIONED_INDEX));
				break;
			}
		case T_ClusterStmt:
			{
				ClusterStmt *c = (ClusterStmt *) parsetree;

				a->no_transaction_block = c->relation == NULL ||
					get_rel_relkind(sddl_lookup_rangevar(c->relation)) ==
					RELKIND_PARTITIONED_TABLE;
				break;
			}
		default:
			break;
	}
	if (a->concurrent &&
		!(IsA(parsetree, RefreshMatViewStmt)))
		a->no_transaction_block = true;

	sddl_add_scan_findings(a);
	return a;
}

const char *
sddl_lockmode_name(LOCKMODE mode)
{
	switch (mode)
	{
		case NoLock:
			return "NoLock";
		case AccessShareLock:
			return "AccessShareLock";
		case RowShareLock:
			return "RowShareLock";
		case RowExclusiveLock:
			return "RowExclusiveLock";
		case ShareUpdateExclusiveLock:
			return "ShareUpdateExclusiveLock";
		case ShareLock:
			return "ShareLock";
		case ShareRowExclusiveLock:
			return "ShareRowExclusiveLock";
		case ExclusiveLock:
			return "ExclusiveLock";
		case AccessExclusiveLock:
			return "AccessExclusiveLock";
	}
	return "UnknownLock";
}

/* Plain SELECTs take AccessShareLock: only ACCESS EXCLUSIVE blocks them. */
bool
sddl_lock_blocks_reads(LOCKMODE mode)
{
	return mode >= AccessExclusiveLock;
}

/* INSERT/UPDATE/DELETE take RowExclusiveLock. */
bool
sddl_lock_blocks_writes(LOCKMODE mode)
{
	return mode >= ShareLock;
}
