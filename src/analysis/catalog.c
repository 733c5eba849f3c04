/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  The catalog look-ups of the analysis (see catalog.h).
 *
 * Each catalog is opened in ACCESS SHARE mode, read, and closed before the
 * rows are handed back as copies, so the statement handlers never hold a
 * scan open while they recurse or look elsewhere.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/catalog.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_trigger.h"
#include "parser/parse_type.h"
#include "utils/array.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "analysis/catalog.h"

/* Called for each row a scan returns; "arg" is the caller's. */
typedef void (*SddlRowFn) (HeapTuple tuple, void *arg);

/*
 * Read the rows of catalog "catid" that match the first "nkeys" keys,
 * through index "indexid" (InvalidOid: a full scan), and hand each to fn.
 */
static void
sddl_scan_catalog(Oid catid, Oid indexid, ScanKeyData *keys, int nkeys,
				  SddlRowFn fn, void *arg)
{
	Relation	catalog = table_open(catid, AccessShareLock);
	SysScanDesc scan;
	HeapTuple	tuple;

	scan = systable_beginscan(catalog, indexid, OidIsValid(indexid), NULL,
							  nkeys, keys);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		fn(tuple, arg);
	systable_endscan(scan);
	table_close(catalog, AccessShareLock);
}

/* SddlRowFn: append a copy of the row to the List * at arg. */
static void
sddl_collect_row(HeapTuple tuple, void *arg)
{
	List	  **rows = (List **) arg;

	*rows = lappend(*rows, heap_copytuple(tuple));
}

/* ----------------------------------------------------------------
 *		pg_class, pg_attribute, pg_inherits
 * ----------------------------------------------------------------
 */

/* What sddl_catalog_relations() passes to its row function. */
typedef struct SddlClassScan
{
	SddlClassFilter keep;
	void	   *arg;
	List	   *result;
} SddlClassScan;

static void
sddl_class_row(HeapTuple tuple, void *arg)
{
	SddlClassScan *cs = (SddlClassScan *) arg;
	Form_pg_class c = (Form_pg_class) GETSTRUCT(tuple);

	if (cs->keep(c, cs->arg))
		cs->result = lappend_oid(cs->result, c->oid);
}

List *
sddl_catalog_relations(SddlClassFilter keep, void *arg)
{
	SddlClassScan cs;

	cs.keep = keep;
	cs.arg = arg;
	cs.result = NIL;
	sddl_scan_catalog(RelationRelationId, InvalidOid, NULL, 0,
					  sddl_class_row, &cs);
	return cs.result;
}

Oid
sddl_rel_am(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			am = InvalidOid;

	if (HeapTupleIsValid(tuple))
	{
		am = ((Form_pg_class) GETSTRUCT(tuple))->relam;
		ReleaseSysCache(tuple);
	}
	return am;
}

HeapTuple
sddl_column(Oid relid, const char *colname)
{
	HeapTuple	tuple;

	if (colname == NULL)
		return NULL;
	tuple = SearchSysCacheAttName(relid, colname);
	if (!HeapTupleIsValid(tuple))
		return NULL;
	return tuple;
}

Oid
sddl_type_oid(TypeName *tn, int32 *typmod)
{
	Type		tup;
	Oid			typid;

	*typmod = -1;
	if (tn == NULL)
		return InvalidOid;
	tup = LookupTypeName(NULL, tn, typmod, true);
	if (tup == NULL)
		return InvalidOid;
	typid = typeTypeId(tup);
	ReleaseSysCache(tup);
	return typid;
}

/* What sddl_catalog_tables_using_type() passes to its row function. */
typedef struct SddlTypeScan
{
	Oid			typid;
	List	   *tables;
} SddlTypeScan;

static void
sddl_attribute_row(HeapTuple tuple, void *arg)
{
	SddlTypeScan *ts = (SddlTypeScan *) arg;
	Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tuple);

	if (att->atttypid == ts->typid && !att->attisdropped && att->attnum > 0)
		ts->tables = list_append_unique_oid(ts->tables, att->attrelid);
}

List *
sddl_catalog_tables_using_type(Oid typid)
{
	SddlTypeScan ts;

	ts.typid = typid;
	ts.tables = NIL;
	sddl_scan_catalog(AttributeRelationId, InvalidOid, NULL, 0,
					  sddl_attribute_row, &ts);
	return ts.tables;
}

/*
 * find_all_inheritors() without locking; it always lists the relation
 * itself first, which is left out here.
 */
List *
sddl_inheritors(Oid relid)
{
	return list_delete_first(find_all_inheritors(relid, NoLock, NULL));
}

/* ----------------------------------------------------------------
 *		pg_index
 * ----------------------------------------------------------------
 */

List *
sddl_catalog_indexes(Oid relid)
{
	List	   *rows = NIL;
	ScanKeyData key;

	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	sddl_scan_catalog(IndexRelationId, IndexIndrelidIndexId, &key, 1,
					  sddl_collect_row, &rows);
	return rows;
}

bool
sddl_index_is_plain(HeapTuple indextup)
{
	return heap_attisnull(indextup, Anum_pg_index_indexprs, NULL) &&
		heap_attisnull(indextup, Anum_pg_index_indpred, NULL);
}

bool
sddl_has_plain_index(Oid relid, Oid amid, bool unique, List *colnames,
					 bool unattached_only)
{
	ListCell   *lc;

	foreach(lc, sddl_catalog_indexes(relid))
	{
		HeapTuple	tuple = (HeapTuple) lfirst(lc);
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(tuple);
		bool		match = true;
		int			i = 0;
		ListCell   *nc;

		if (idx->indnatts != list_length(colnames) ||
			idx->indisunique != unique ||
			!sddl_index_is_plain(tuple) ||
			(unattached_only && has_superclass(idx->indexrelid)) ||
			sddl_rel_am(idx->indexrelid) != amid)
			continue;
		foreach(nc, colnames)
		{
			const char *name = (const char *) lfirst(nc);

			if (name == NULL || get_attnum(relid, name) != idx->indkey.values[i++])
				match = false;
		}
		if (match)
			return true;
	}
	return false;
}

static void
sddl_clustered_row(HeapTuple tuple, void *arg)
{
	List	  **tables = (List **) arg;
	Form_pg_index idx = (Form_pg_index) GETSTRUCT(tuple);

	if (idx->indisclustered)
		*tables = lappend_oid(*tables, idx->indrelid);
}

List *
sddl_catalog_clustered_tables(void)
{
	List	   *tables = NIL;

	sddl_scan_catalog(IndexRelationId, InvalidOid, NULL, 0,
					  sddl_clustered_row, &tables);
	return tables;
}

/* ----------------------------------------------------------------
 *		pg_constraint
 * ----------------------------------------------------------------
 */

/* Copies of the pg_constraint rows matching the first nkeys of key[]. */
static List *
sddl_constraint_rows(ScanKeyData *key, int nkeys)
{
	List	   *rows = NIL;

	sddl_scan_catalog(ConstraintRelationId, ConstraintRelidTypidNameIndexId,
					  key, nkeys, sddl_collect_row, &rows);
	return rows;
}

List *
sddl_catalog_constraints(Oid relid)
{
	ScanKeyData key;

	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	return sddl_constraint_rows(&key, 1);
}

HeapTuple
sddl_catalog_constraint(Oid relid, const char *conname)
{
	ScanKeyData key[3];
	List	   *rows;

	if (conname == NULL)
		return NULL;
	ScanKeyInit(&key[0], Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	ScanKeyInit(&key[1], Anum_pg_constraint_contypid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(InvalidOid));
	ScanKeyInit(&key[2], Anum_pg_constraint_conname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum(conname));
	rows = sddl_constraint_rows(key, 3);
	return rows == NIL ? NULL : (HeapTuple) linitial(rows);
}

/* What sddl_catalog_foreign_keys() passes to its row function. */
typedef struct SddlForeignKeyScan
{
	Oid			relid;
	List	   *rows;
} SddlForeignKeyScan;

static void
sddl_foreign_key_row(HeapTuple tuple, void *arg)
{
	SddlForeignKeyScan *fs = (SddlForeignKeyScan *) arg;
	Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);

	if (con->contype == CONSTRAINT_FOREIGN &&
		(con->conrelid == fs->relid || con->confrelid == fs->relid))
		fs->rows = lappend(fs->rows, heap_copytuple(tuple));
}

/*
 * No index leads with confrelid, so the referenced side needs a full scan;
 * one scan serves both sides.
 */
List *
sddl_catalog_foreign_keys(Oid relid)
{
	SddlForeignKeyScan fs;

	fs.relid = relid;
	fs.rows = NIL;
	sddl_scan_catalog(ConstraintRelationId, InvalidOid, NULL, 0,
					  sddl_foreign_key_row, &fs);
	return fs.rows;
}

bool
sddl_constraint_has_key(HeapTuple contup, AttrNumber keycol,
						AttrNumber attnum)
{
	bool		isnull;
	Datum		d;
	ArrayType  *arr;
	int16	   *keys;

	d = SysCacheGetAttr(CONSTROID, contup, keycol, &isnull);
	if (isnull)
		return false;
	arr = DatumGetArrayTypeP(d);
	keys = (int16 *) ARR_DATA_PTR(arr);
	for (int i = 0; i < ARR_DIMS(arr)[0]; i++)
	{
		if (keys[i] == attnum)
			return true;
	}
	return false;
}

bool
sddl_column_has_check(Oid relid, AttrNumber attnum)
{
	ListCell   *lc;

	foreach(lc, sddl_catalog_constraints(relid))
	{
		HeapTuple	tuple = (HeapTuple) lfirst(lc);
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tuple);

		if (con->contype == CONSTRAINT_CHECK && con->convalidated &&
			sddl_constraint_has_key(tuple, Anum_pg_constraint_conkey, attnum))
			return true;
	}
	return false;
}

/* ----------------------------------------------------------------
 *		pg_depend
 * ----------------------------------------------------------------
 */

static void
sddl_depend_row(HeapTuple tuple, void *arg)
{
	List	  **rows = (List **) arg;
	Form_pg_depend dep = palloc(sizeof(FormData_pg_depend));

	memcpy(dep, GETSTRUCT(tuple), sizeof(FormData_pg_depend));
	*rows = lappend(*rows, dep);
}

/* Copies of the pg_depend rows whose (classcol, objcol) is (classid, objid). */
static List *
sddl_depend_rows(Oid indexid, AttrNumber classcol, AttrNumber objcol,
				 Oid classid, Oid objid)
{
	List	   *rows = NIL;
	ScanKeyData key[2];

	ScanKeyInit(&key[0], classcol, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(classid));
	ScanKeyInit(&key[1], objcol, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(objid));
	sddl_scan_catalog(DependRelationId, indexid, key, 2, sddl_depend_row,
					  &rows);
	return rows;
}

List *
sddl_catalog_dependents(Oid refclassid, Oid refobjid)
{
	return sddl_depend_rows(DependReferenceIndexId, Anum_pg_depend_refclassid,
							Anum_pg_depend_refobjid, refclassid, refobjid);
}

List *
sddl_catalog_dependencies(Oid classid, Oid objid)
{
	return sddl_depend_rows(DependDependerIndexId, Anum_pg_depend_classid,
							Anum_pg_depend_objid, classid, objid);
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

/*
 * The catalogs of objects that belong to one relation: where their OID
 * and their relation's OID are.
 */
typedef struct SddlRelationObject
{
	Oid			classid;		/* the catalog */
	Oid			indexid;		/* its OID index */
	AttrNumber	oidcol;
	AttrNumber	relcol;
} SddlRelationObject;

static const SddlRelationObject sddl_relation_objects[] = {
	{RewriteRelationId, RewriteOidIndexId,
	Anum_pg_rewrite_oid, Anum_pg_rewrite_ev_class},
	{ConstraintRelationId, ConstraintOidIndexId,
	Anum_pg_constraint_oid, Anum_pg_constraint_conrelid},
	{AttrDefaultRelationId, AttrDefaultOidIndexId,
	Anum_pg_attrdef_oid, Anum_pg_attrdef_adrelid},
	{PolicyRelationId, PolicyOidIndexId,
	Anum_pg_policy_oid, Anum_pg_policy_polrelid},
	{TriggerRelationId, TriggerOidIndexId,
	Anum_pg_trigger_oid, Anum_pg_trigger_tgrelid},
};

Oid
sddl_dependent_relation(Oid classid, Oid objid)
{
	if (classid == RelationRelationId)
		return objid;
	for (int i = 0; i < lengthof(sddl_relation_objects); i++)
	{
		const SddlRelationObject *o = &sddl_relation_objects[i];

		if (o->classid == classid)
			return sddl_catalog_row_relid(o->classid, o->indexid, o->oidcol,
										  o->relcol, objid);
	}
	return InvalidOid;
}
