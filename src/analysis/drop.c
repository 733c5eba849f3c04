/*-------------------------------------------------------------------------
 *
 * drop.c
 *	  Analysis of DROP and of what goes with the dropped objects.
 *
 * A DROP locks more than what it names: the tables foreign keys reference,
 * the parent of a partition, and, following pg_depend the way
 * performDeletion() does, every relation whose column, default,
 * constraint, trigger, rule or policy goes with the object.  A dropped
 * column (ALTER TABLE DROP COLUMN) is followed the same way.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/drop.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_statistic_ext.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "parser/parse_type.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "analysis/catalog.h"

/*
 * How many dependency levels a drop is followed.  Deeper dependents are
 * not listed; real schemas stay far below this.
 */
#define SDDL_DROP_MAX_DEPTH 16

/* sddl_add_object_drop()'s subid for the object itself, not one column */
#define SDDL_WHOLE_OBJECT (-1)

/*
 * Does a dependent go with its referenced object even without CASCADE?
 * Extension members go with a dropped extension; a dropped relation's
 * dependents are never extension members.
 */
static bool
sddl_dependent_goes(char deptype, bool cascade, bool extension_members)
{
	if (cascade)
		return true;
	return deptype == DEPENDENCY_AUTO ||
		deptype == DEPENDENCY_INTERNAL ||
		deptype == DEPENDENCY_PARTITION_PRI ||
		deptype == DEPENDENCY_PARTITION_SEC ||
		(extension_members && deptype == DEPENDENCY_EXTENSION);
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
	char		relkind;
	ListCell   *lc;

	if (depth > SDDL_DROP_MAX_DEPTH || list_member_oid(*done, relid))
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

	foreach(lc, sddl_catalog_dependents(RelationRelationId, relid))
	{
		Form_pg_depend dep = (Form_pg_depend) lfirst(lc);
		Oid			other;

		if (!sddl_dependent_goes(dep->deptype, cascade, false))
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
}

static void sddl_add_object_drop(SddlAnalysis *a, Oid classid, Oid objid,
								 int32 subid, bool cascade, List **done,
								 List **seen, int depth);

/*
 * One object that goes with a dropped non-relation object: a relation is
 * dropped; a column default, constraint, trigger, rule or policy locks its
 * table (a foreign key also the table it references); anything else (a
 * type, function, ...) takes its own dependents along.
 */
static void
sddl_add_dependent_drop(SddlAnalysis *a, Oid depclass, Oid depobj,
						bool cascade, List **done, List **seen, int depth)
{
	Oid			rel;
	char		kind;

	if (depclass == RelationRelationId)
	{
		kind = get_rel_relkind(depobj);
		if (kind == RELKIND_INDEX || kind == RELKIND_PARTITIONED_INDEX)
			sddl_add_rel(a, IndexGetRelation(depobj, true),
						 AccessExclusiveLock, false, false);
		sddl_add_dropped(a, depobj, cascade, done, depth + 1);
		return;
	}
	rel = sddl_dependent_relation(depclass, depobj);
	if (!OidIsValid(rel))
	{
		sddl_add_object_drop(a, depclass, depobj, SDDL_WHOLE_OBJECT, cascade,
							 done, seen, depth + 1);
		return;
	}
	kind = get_rel_relkind(rel);
	if (depclass == RewriteRelationId &&
		(kind == RELKIND_VIEW || kind == RELKIND_MATVIEW))
		sddl_add_dropped(a, rel, cascade, done, depth + 1);
	else
		sddl_add_rel(a, rel, AccessExclusiveLock, false, false);
	if (depclass == ConstraintRelationId)
	{
		HeapTuple	con = SearchSysCache1(CONSTROID, ObjectIdGetDatum(depobj));

		if (HeapTupleIsValid(con))
		{
			Form_pg_constraint c = (Form_pg_constraint) GETSTRUCT(con);

			if (c->contype == CONSTRAINT_FOREIGN)
				sddl_add_rel(a, c->confrelid, AccessExclusiveLock,
							 false, false);
			ReleaseSysCache(con);
		}
	}
}

/*
 * A non-relation object is dropped (schema, type, function, extension):
 * follow pg_depend like performDeletion() does.  Automatic, internal and
 * extension-member dependents always go; normal ones only with CASCADE.
 * A column number as "subid" limits it to the dependents of that column.
 */
static void
sddl_add_object_drop(SddlAnalysis *a, Oid classid, Oid objid, int32 subid,
					 bool cascade, List **done, List **seen, int depth)
{
	List	   *next = NIL;
	ListCell   *lc;

	if (depth > SDDL_DROP_MAX_DEPTH)
		return;
	foreach(lc, sddl_catalog_dependents(classid, objid))
	{
		Form_pg_depend dep = (Form_pg_depend) lfirst(lc);

		if (subid >= 0 && dep->refobjsubid != subid)
			continue;
		if (!sddl_dependent_goes(dep->deptype, cascade, true))
			continue;
		if (dep->classid == RelationRelationId && dep->objsubid != 0)
		{
			/* a column of this type goes: ALTER TABLE DROP COLUMN */
			sddl_add_rel(a, dep->objid, AccessExclusiveLock, false, false);
			continue;
		}
		next = lappend(next, dep);
	}

	foreach(lc, next)
	{
		Form_pg_depend dep = (Form_pg_depend) lfirst(lc);

		if (list_member_oid(*seen, dep->objid))
			continue;
		*seen = lappend_oid(*seen, dep->objid);
		sddl_add_dependent_drop(a, dep->classid, dep->objid, cascade, done,
								seen, depth);
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
		sddl_add_finding(a, heap, SDDL_RULE_REQUIRE_CONCURRENT_INDEX_DELETION, SDDL_NO_CMD_INDEX,
						 get_rel_name(indexid));
}

/* DROP TABLE, VIEW, MATERIALIZED VIEW, FOREIGN TABLE, SEQUENCE, INDEX */
static void
sddl_drop_relations(SddlAnalysis *a, DropStmt *stmt, SddlAnalysisContext *cxt)
{
	bool		cascade = (stmt->behavior == DROP_CASCADE);
	List	   *done = NIL;
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		RangeVar   *rv = makeRangeVarFromNameList((List *) lfirst(lc));
		Oid			relid;

		relid = sddl_existing_relid(a, cxt, rv, AccessExclusiveLock, false);
		if (!OidIsValid(relid))
			continue;
		if (stmt->removeType == OBJECT_INDEX)
			sddl_analyze_drop_index(a, stmt, relid);
		else
			sddl_add_dropped(a, relid, cascade, &done, 0);
	}
}

/* DROP TRIGGER, RULE, POLICY: the table they belong to */
static void
sddl_drop_table_objects(SddlAnalysis *a, DropStmt *stmt,
						SddlAnalysisContext *cxt)
{
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		RangeVar   *rv = sddl_relation_of((List *) lfirst(lc));
		SddlRelation *r;

		r = sddl_add_rangevar(a, cxt, rv, AccessExclusiveLock, false, false);
		/* cloned row triggers of the partitions go too */
		if (r && OidIsValid(r->relid) &&
			stmt->removeType == OBJECT_TRIGGER &&
			r->relkind == RELKIND_PARTITIONED_TABLE)
			sddl_add_tree(a, r->relid, AccessExclusiveLock, false, false,
						  false);
	}
}

/* DROP STATISTICS: the table of the statistics object */
static void
sddl_drop_statistics(SddlAnalysis *a, DropStmt *stmt)
{
	ListCell   *lc;

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
}

/*
 * The catalog address of one object named in DROP SCHEMA, EXTENSION, TYPE,
 * DOMAIN, FUNCTION, PROCEDURE or ROUTINE; InvalidOid if it does not exist.
 */
static Oid
sddl_drop_object_oid(ObjectType type, Node *obj, Oid *classid)
{
	Oid			objid = InvalidOid;

	switch (type)
	{
		case OBJECT_SCHEMA:
			*classid = NamespaceRelationId;
			return get_namespace_oid(strVal(obj), true);
		case OBJECT_EXTENSION:
			*classid = ExtensionRelationId;
			return get_extension_oid(strVal(obj), true);
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
			{
				Type		tup = LookupTypeName(NULL, (TypeName *) obj, NULL,
												 true);

				*classid = TypeRelationId;
				if (tup)
				{
					objid = typeTypeId(tup);
					ReleaseSysCache(tup);
				}
				return objid;
			}
		default:
			*classid = ProcedureRelationId;
			return LookupFuncWithArgs(type, (ObjectWithArgs *) obj, true);
	}
}

/* DROP of objects that are not relations but may take relations along */
static void
sddl_drop_objects(SddlAnalysis *a, DropStmt *stmt)
{
	bool		cascade = (stmt->behavior == DROP_CASCADE);
	List	   *done = NIL;
	List	   *seen = NIL;
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		Oid			classid;
		Oid			objid = sddl_drop_object_oid(stmt->removeType,
												 (Node *) lfirst(lc),
												 &classid);

		if (OidIsValid(objid))
			sddl_add_object_drop(a, classid, objid, SDDL_WHOLE_OBJECT,
								 cascade, &done, &seen, 0);
	}
}

void
sddl_analyze_drop(SddlAnalysis *a, Node *node, SddlAnalysisContext *cxt)
{
	DropStmt   *stmt = (DropStmt *) node;

	a->concurrent = stmt->concurrent;
	if (sddl_objtype_is_relation(stmt->removeType))
	{
		sddl_drop_relations(a, stmt, cxt);
		return;
	}
	switch (stmt->removeType)
	{
		case OBJECT_TRIGGER:
		case OBJECT_RULE:
		case OBJECT_POLICY:
			sddl_drop_table_objects(a, stmt, cxt);
			return;

		case OBJECT_STATISTIC_EXT:
			sddl_drop_statistics(a, stmt);
			return;

		case OBJECT_SCHEMA:
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
		case OBJECT_FUNCTION:
		case OBJECT_PROCEDURE:
		case OBJECT_ROUTINE:
		case OBJECT_EXTENSION:
			sddl_drop_objects(a, stmt);
			return;

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
			a->recognized = (stmt->behavior != DROP_CASCADE);
			return;

		default:
			a->recognized = false;
			return;
	}
}
