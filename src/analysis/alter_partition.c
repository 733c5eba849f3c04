/*-------------------------------------------------------------------------
 *
 * alter_partition.c
 *	  Analysis of ATTACH PARTITION, DETACH PARTITION, INHERIT and NO
 *	  INHERIT.
 *
 * Attaching a partition locks it ACCESS EXCLUSIVE and reads it to check
 * the partition constraint, unless its own constraints already prove it;
 * it also builds the partitioned table's indexes on it where it has no
 * matching one, and reads the default partition for rows of the new
 * bound.  Detaching without CONCURRENTLY locks the parent ACCESS
 * EXCLUSIVE.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/alter_partition.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/index.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "commands/tablecmds.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_node.h"
#include "parser/parse_utilcmd.h"
#include "partitioning/partbounds.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "analysis/catalog.h"
#include "compat.h"

/*
 * Must ATTACH PARTITION scan the new partition?  Not when its validated
 * CHECK constraints and NOT NULL columns already imply the partition
 * constraint: the server's own PartConstraintImpliedByRelConstraint()
 * decides, on the bound transformed as ATExecAttachPartition does.  The
 * relcache entries are looked at without a lock, like the size facts.
 */
static bool
sddl_attach_scans(Oid parentid, Oid partid, PartitionBoundSpec *bound)
{
	Relation	parent;
	Relation	part;
	bool		scans = true;

	if (bound == NULL || bound->is_default ||
		get_rel_relkind(partid) != RELKIND_RELATION)
		return true;
	parent = RelationIdGetRelation(parentid);
	if (parent == NULL)
		return true;
	part = RelationIdGetRelation(partid);
	if (part != NULL)
	{
		ParseState *pstate = make_parsestate(NULL);
		PartitionBoundSpec *spec;
		List	   *constraint;

		spec = transformPartitionBound(pstate, parent, bound);
		constraint = list_concat(SddlGetQualFromPartbound(part, parent, spec),
								 RelationGetPartitionQual(parent));
		if (constraint != NIL)
		{
			constraint = (List *) eval_const_expressions(NULL,
														 (Node *) constraint);
			constraint = (List *) canonicalize_qual((Expr *) constraint, true);
			constraint = list_make1(make_ands_explicit(constraint));
			constraint = map_partition_varattnos(constraint, 1, part, parent);
			scans = !PartConstraintImpliedByRelConstraint(part, constraint);
		}
		else
			scans = false;
		RelationClose(part);
	}
	RelationClose(parent);
	return scans;
}

/*
 * Will attaching a partition build indexes on it?  Every index of the
 * partitioned table needs a counterpart on the partition; one that has no
 * matching index (simple columns, same access method and uniqueness) is
 * built, which reads the partition.
 */
static bool
sddl_attach_builds_index(Oid parentid, Oid partid)
{
	ListCell   *lc;

	foreach(lc, sddl_catalog_indexes(parentid))
	{
		HeapTuple	tuple = (HeapTuple) lfirst(lc);
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(tuple);
		List	   *colnames = NIL;

		if (!sddl_index_is_plain(tuple))
			return true;
		for (int i = 0; i < idx->indnatts; i++)
			colnames = lappend(colnames,
							   get_attname(parentid, idx->indkey.values[i],
										   true));
		if (!sddl_has_plain_index(partid, sddl_rel_am(idx->indexrelid),
								  idx->indisunique, colnames, false))
			return true;
	}
	return false;
}

/* ALTER INDEX ... ATTACH PARTITION: the partition's index */
static void
sddl_at_attach_index(SddlAlterState *st, PartitionCmd *pc)
{
	Oid			idx = sddl_lookup_rangevar(pc->name);

	/* both tables are only read (RangeVarCallbackForAttachIndex) */
	sddl_add_rel(st->a, IndexGetRelation(st->relid, true), AccessShareLock,
				 false, false);
	if (OidIsValid(idx))
	{
		sddl_add_rel(st->a, IndexGetRelation(idx, true), AccessShareLock,
					 false, false);
		sddl_add_rel(st->a, idx, AccessExclusiveLock, false, false);
	}
}


void
sddl_at_attach_partition(SddlAlterState *st, AlterTableCmd *cmd,
						 LOCKMODE mode)
{
	PartitionCmd *pc = (PartitionCmd *) cmd->def;
	SddlRelation *part;
	Oid			defpart;

	sddl_add_rel(st->a, st->relid, mode, false, false);
	if (st->relkind == RELKIND_PARTITIONED_INDEX)
	{
		sddl_at_attach_index(st, pc);
		return;
	}

	/*
	 * Everything below needs a partition key (transformPartitionBound
	 * dereferences it).  The server refuses ATTACH to a plain table in
	 * transformPartitionCmd() before anything else, with this error; any
	 * other relation kind it refuses earlier still, when checking what the
	 * subcommand applies to, so there is nothing to analyse.
	 */
	if (OidIsValid(st->relid) && st->relkind != RELKIND_PARTITIONED_TABLE)
	{
		if (st->relkind == RELKIND_RELATION)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("table \"%s\" is not partitioned",
							get_rel_name(st->relid))));
		return;
	}

	part = sddl_add_rangevar(st->a, st->cxt, pc->name, AccessExclusiveLock,
							 false, false);
	if (part && OidIsValid(part->relid))
	{
		bool		scans = sddl_attach_scans(st->relid, part->relid,
											  pc->bound);

		sddl_add_rel(st->a, part->relid, AccessExclusiveLock, false,
					 scans || (part->relkind == RELKIND_RELATION &&
							   sddl_attach_builds_index(st->relid,
														part->relid)));
		sddl_add_tree(st->a, part->relid, AccessExclusiveLock, false, true,
					  false);
		if (scans && part->relkind != RELKIND_FOREIGN_TABLE)
			sddl_add_finding(st->a, part, SDDL_RULE_ATTACH_PARTITION_SCAN, st->index,
							 part->relname);
	}
	/* the default partition is scanned for rows of the new bound */
	defpart = get_default_partition_oid(st->relid);
	if (OidIsValid(defpart) && (part == NULL || defpart != part->relid))
		sddl_add_finding(st->a,
						 sddl_add_rel(st->a, defpart, AccessExclusiveLock,
									  false, true),
						 SDDL_RULE_ATTACH_PARTITION_SCAN, st->index, NULL);
}

void
sddl_at_detach_partition(SddlAlterState *st, AlterTableCmd *cmd,
						 LOCKMODE mode)
{
	PartitionCmd *pc = (PartitionCmd *) cmd->def;
	Oid			defpart;

	if (pc->concurrent)
		st->a->concurrent = true;
	sddl_add_rel(st->a, st->relid, mode, false, false);
	/*
	 * The partition ends ACCESS EXCLUSIVE in every form: CONCURRENTLY takes
	 * SHARE UPDATE EXCLUSIVE in its first transaction, then, once every
	 * query that could see the partition has finished, ACCESS EXCLUSIVE in
	 * its second one (DetachPartitionFinalize); FINALIZE takes it at once.
	 * The parent keeps the statement's lock (SHARE UPDATE EXCLUSIVE).
	 */
	sddl_add_rangevar(st->a, st->cxt, pc->name, AccessExclusiveLock, false,
					  false);
	defpart = get_default_partition_oid(st->relid);
	if (OidIsValid(defpart) && cmd->subtype == AT_DetachPartition)
		sddl_add_rel(st->a, defpart, AccessExclusiveLock, false, false);
	if (!pc->concurrent && cmd->subtype == AT_DetachPartition)
		sddl_add_finding(st->a, st->rel, SDDL_RULE_REQUIRE_CONCURRENT_DETACH_PARTITION,
						 st->index, pc->name->relname);
}

void
sddl_at_inherit(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	RangeVar   *parent = (RangeVar *) cmd->def;

	sddl_add_rel(st->a, st->relid, mode, false, false);
	sddl_add_rangevar(st->a, st->cxt, parent,
					  cmd->subtype == AT_AddInherit ? ShareUpdateExclusiveLock :
					  AccessShareLock, false, false);
}
