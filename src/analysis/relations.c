/*-------------------------------------------------------------------------
 *
 * relations.c
 *	  Building the analysis result: the list of relations a statement
 *	  touches (each once, with the strongest lock mode and whether it is
 *	  rewritten or scanned), their catalog facts, and the findings.
 *
 * The statement handlers only say "this relation, this mode"; merging,
 * sizes, "is it new" and the locks already held are worked out here.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.  Names are resolved with NoLock.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/relations.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_inherits.h"
#include "nodes/makefuncs.h"
#include "storage/smgr.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "analysis/catalog.h"

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
 * Relations a statement can rewrite: those with storage, except sequences,
 * whose one row written to new storage (ALTER SEQUENCE, RESTART IDENTITY)
 * is no table rewrite.
 */
#define SDDL_RELKIND_REWRITABLE(relkind) \
	(RELKIND_HAS_STORAGE(relkind) && (relkind) != RELKIND_SEQUENCE)

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

/*
 * Add a relation to the analysis, or merge with its earlier entry: the
 * strongest lock mode wins, rewrite and scan accumulate.  Relations without
 * storage (partitioned tables, views) are not rewritten or scanned
 * themselves: their leaves are (a partitioned table is reported so once
 * the analysis is complete, see sddl_analyze).  Returns NULL if the
 * relation vanished.
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
			if (SDDL_RELKIND_REWRITABLE(r->relkind))
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
	if (SDDL_RELKIND_REWRITABLE(r->relkind))
		r->rewrites = rewrites;
	if (SDDL_RELKIND_SCANNABLE(r->relkind))
		r->scans = scans || rewrites;
	r->reltuples = classform->reltuples;
	r->relpages = classform->relpages;
	ReleaseSysCache(tuple);
	/* renamed earlier in the check() input: the name it has by now */
	{
		const SddlRenamed *ren = sddl_renamed_entry(relid);

		if (ren != NULL)
		{
			r->nspname = pstrdup(ren->nspname);
			r->relname = pstrdup(ren->relname);
		}
	}

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

	if (r && SDDL_RELKIND_REWRITABLE(r->relkind))
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

/*
 * The relations renamed earlier in the check() input of the statement being
 * analysed (sddl_analyze and sddl_online_facts set it; NIL otherwise).
 */
static List *sddl_renamed = NIL;

void
sddl_use_renamed(List *renamed)
{
	sddl_renamed = renamed;
}

/* The new name of a relation renamed earlier in the input, or NULL. */
const SddlRenamed *
sddl_renamed_entry(Oid relid)
{
	ListCell   *lc;

	foreach(lc, sddl_renamed)
	{
		SddlRenamed *r = (SddlRenamed *) lfirst(lc);

		if (r->relid == relid)
			return r;
	}
	return NULL;
}

/* Record that a statement of the check() input renames or moves relid. */
void
sddl_note_renamed(SddlAnalysisContext *cxt, Oid relid, const char *nspname,
				  const char *relname)
{
	SddlRenamed *r = NULL;
	ListCell   *lc;

	if (cxt == NULL || !OidIsValid(relid) || nspname == NULL ||
		relname == NULL)
		return;
	foreach(lc, cxt->renamed)
	{
		if (((SddlRenamed *) lfirst(lc))->relid == relid)
			r = (SddlRenamed *) lfirst(lc);
	}
	if (r == NULL)
	{
		r = palloc0(sizeof(SddlRenamed));
		r->relid = relid;
		cxt->renamed = lappend(cxt->renamed, r);
	}
	r->nspname = pstrdup(nspname);
	r->relname = pstrdup(relname);
}

/*
 * Resolve a name without locking; InvalidOid if there is no such relation.
 * A relation renamed earlier in the check() input answers to its new name
 * only (an unqualified new name matches in whatever schema it is).
 */
Oid
sddl_lookup_rangevar(const RangeVar *rv)
{
	Oid			relid;
	ListCell   *lc;

	if (rv == NULL || rv->relname == NULL)
		return InvalidOid;
	foreach(lc, sddl_renamed)
	{
		SddlRenamed *r = (SddlRenamed *) lfirst(lc);

		if (strcmp(r->relname, rv->relname) == 0 &&
			(rv->schemaname == NULL || strcmp(r->nspname, rv->schemaname) == 0))
			return r->relid;
	}
	relid = RangeVarGetRelidExtended(rv, NoLock, RVR_MISSING_OK, NULL, NULL);
	if (OidIsValid(relid) && sddl_renamed_entry(relid) != NULL)
		return InvalidOid;		/* that name is gone */
	return relid;
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
	ListCell   *lc;

	if (!OidIsValid(relid))
		return;
	if (include_self)
		sddl_add_rel(a, relid, mode, rewrites, scans);
	foreach(lc, sddl_inheritors(relid))
		sddl_add_rel(a, lfirst_oid(lc), mode, rewrites, scans);
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
	ListCell   *lc;

	foreach(lc, sddl_catalog_foreign_keys(relid))
	{
		Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT((HeapTuple) lfirst(lc));

		if (con->conrelid == relid && con->confrelid != relid)
			sddl_add_rel(a, con->confrelid, mode, false, false);
		else if (referencing_too && con->confrelid == relid &&
				 con->conrelid != relid)
			sddl_add_rel(a, con->conrelid, mode, false, false);
	}
}

/*
 * The table a new foreign key references: SHARE ROW EXCLUSIVE, on every
 * partition too when it is partitioned.  Validation (RI_Initial_Check)
 * joins the referencing table with this one: on tables of any size the
 * planner reads both in full (a hash or merge join), so with "validates"
 * it counts as scanned.
 */
SddlRelation *
sddl_add_referenced(SddlAnalysis *a, SddlAnalysisContext *cxt,
					const RangeVar *pktable, bool validates)
{
	SddlRelation *pk = sddl_add_rangevar(a, cxt, pktable,
										 ShareRowExclusiveLock, false,
										 validates);

	if (pk && OidIsValid(pk->relid) &&
		pk->relkind == RELKIND_PARTITIONED_TABLE)
		sddl_add_tree(a, pk->relid, ShareRowExclusiveLock, false, validates,
					  false);
	return pk;
}

/*
 * The table an existing foreign key references, when the key is validated
 * (VALIDATE CONSTRAINT, or re-created valid after a rewrite): locked in
 * the given mode, read in full by the validating join, and its partitions
 * read under the query's ACCESS SHARE.
 */
void
sddl_add_referenced_validated(SddlAnalysis *a, Oid pkrelid, LOCKMODE mode)
{
	SddlRelation *pk = sddl_add_rel(a, pkrelid, mode, false, true);

	if (pk && pk->relkind == RELKIND_PARTITIONED_TABLE)
		sddl_add_tree(a, pkrelid, AccessShareLock, false, true, false);
}

/*
 * A relation named in the statement that must exist to be analysed
 * further: its OID, not yet added.  A name created earlier in the same
 * check() input is added as new (scanned if "scans") and InvalidOid is
 * returned, as for a name that does not exist.
 */
Oid
sddl_existing_relid(SddlAnalysis *a, SddlAnalysisContext *cxt,
					const RangeVar *rv, LOCKMODE mode, bool scans)
{
	if (sddl_name_created(cxt, rv))
	{
		sddl_add_rangevar(a, cxt, rv, mode, false, scans);
		return InvalidOid;
	}
	return sddl_lookup_rangevar(rv);
}

/* RangeVar for the relation part of a qualified name list. */
RangeVar *
sddl_relation_of(List *names)
{
	if (list_length(names) < 2)
		return NULL;
	return makeRangeVarFromNameList(list_truncate(list_copy(names),
												  list_length(names) - 1));
}

/* Does the object type name a relation (TABLE, VIEW, INDEX, ...)? */
bool
sddl_objtype_is_relation(ObjectType objtype)
{
	switch (objtype)
	{
		case OBJECT_TABLE:
		case OBJECT_VIEW:
		case OBJECT_MATVIEW:
		case OBJECT_FOREIGN_TABLE:
		case OBJECT_SEQUENCE:
		case OBJECT_INDEX:
			return true;
		default:
			return false;
	}
}
