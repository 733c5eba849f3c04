/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  The catalog look-ups of the analysis, in one place.
 *
 * Every scan of pg_class, pg_index, pg_constraint, pg_depend, pg_inherits
 * and pg_attribute the analysis needs goes through these helpers, so each
 * catalog is read one way.  Rows are returned as copies (List of HeapTuple
 * or of the catalog's fixed-size struct) and the catalog is closed before
 * the caller looks at them: callers may recurse or scan again freely.
 *
 * Private to src/analysis/; uses only PostgreSQL.  Pure: reads only.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/catalog.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_ANALYSIS_CATALOG_H
#define SAFE_DDL_ANALYSIS_CATALOG_H

#include "access/htup.h"
#include "catalog/pg_class.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"

/* pg_class: keep a row?  "arg" is the caller's. */
typedef bool (*SddlClassFilter) (Form_pg_class c, void *arg);

/* OIDs of the pg_class rows the filter keeps, in catalog order. */
extern List *sddl_catalog_relations(SddlClassFilter keep, void *arg);

/* Access method of a relation (pg_class.relam), InvalidOid if none. */
extern Oid	sddl_rel_am(Oid relid);

/* The pg_attribute row of a column by name, or NULL (caller releases). */
extern HeapTuple sddl_column(Oid relid, const char *colname);

/* Type of a TypeName and its typmod, InvalidOid if none (no error). */
extern Oid	sddl_type_oid(TypeName *tn, int32 *typmod);

/* Tables (attrelid, once each) with a live column of the given type. */
extern List *sddl_catalog_tables_using_type(Oid typid);

/* Every inheritor of a relation at every level, without the relation. */
extern List *sddl_inheritors(Oid relid);

/* pg_index rows (HeapTuple copies) of the indexes of a table. */
extern List *sddl_catalog_indexes(Oid relid);

/* An index row with neither expressions nor a predicate? */
extern bool sddl_index_is_plain(HeapTuple indextup);

/*
 * Has the relation an index with neither expressions nor a predicate, of
 * the given access method and uniqueness, on exactly these columns (names,
 * in order; a NULL name matches nothing)?  With unattached_only, only one
 * that is not yet a partition of another index counts.
 */
extern bool sddl_has_plain_index(Oid relid, Oid amid, bool unique,
								 List *colnames, bool unattached_only);

/* Tables with an index marked clustered (pg_index.indisclustered). */
extern List *sddl_catalog_clustered_tables(void);

/* pg_constraint rows (HeapTuple copies) of a relation. */
extern List *sddl_catalog_constraints(Oid relid);

/* The constraint of a relation by name: a row copy, or NULL. */
extern HeapTuple sddl_catalog_constraint(Oid relid, const char *conname);

/*
 * Foreign keys (HeapTuple copies) whose referencing or referenced table is
 * the relation, in catalog order.
 */
extern List *sddl_catalog_foreign_keys(Oid relid);

/* Does the int2[] column "keycol" of a pg_constraint row hold attnum? */
extern bool sddl_constraint_has_key(HeapTuple contup, AttrNumber keycol,
									AttrNumber attnum);

/* Has the column a validated CHECK constraint? */
extern bool sddl_column_has_check(Oid relid, AttrNumber attnum);

/*
 * pg_depend rows (FormData_pg_depend copies): the objects that depend on
 * (refclassid, refobjid), and the objects (classid, objid) depends on.
 */
extern List *sddl_catalog_dependents(Oid refclassid, Oid refobjid);
extern List *sddl_catalog_dependencies(Oid classid, Oid objid);

/* The relation a pg_depend dependent stands for, InvalidOid if none. */
extern Oid	sddl_dependent_relation(Oid classid, Oid objid);

#endif							/* SAFE_DDL_ANALYSIS_CATALOG_H */
