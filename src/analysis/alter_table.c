/*-------------------------------------------------------------------------
 *
 * alter_table.c
 *	  Analysis of ALTER TABLE (and ALTER INDEX/VIEW/MATERIALIZED VIEW/
 *	  SEQUENCE/FOREIGN TABLE, which share its parse node): the relation,
 *	  its lock, and the table of subcommand handlers.
 *
 * The lock mode on the named relation is the server's own:
 * AlterTableGetLockLevel() over all subcommands, exactly as
 * ProcessUtilitySlow computes it.  Each subcommand then adds what it does
 * to other relations (inheritance children, referenced tables, partitions)
 * and whether it rewrites or scans; its handler is in the file of its
 * concern (alter_column.c, alter_type.c, alter_constraint.c,
 * alter_partition.c, alter_storage.c) or, when it only takes the lock,
 * here.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/alter_table.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/dependency.h"
#include "catalog/pg_class.h"
#include "commands/tablecmds.h"
#include "nodes/parsenodes.h"
#include "utils/lsyscache.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "analysis/catalog.h"
#include "compat.h"

/* Apply to the relation and, when the subcommand recurses, its children. */
void
sddl_at_apply(SddlAlterState *st, LOCKMODE mode, bool rewrites, bool scans,
			  bool recurses)
{
	ListCell   *lc;

	sddl_add_rel(st->a, st->relid, mode, rewrites, scans);
	if (!recurses || !st->recurse)
		return;
	foreach(lc, st->children)
		sddl_add_rel(st->a, lfirst_oid(lc), mode, rewrites, scans);
}

/* The relation and, unless ONLY, its inheritors: each judged on its own. */
List *
sddl_at_targets(SddlAlterState *st)
{
	List	   *targets = list_make1_oid(st->relid);

	if (st->recurse)
		targets = list_concat(targets, st->children);
	return targets;
}

/* A subcommand that takes the statement's lock on the relation only. */
static void
sddl_at_local(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	sddl_at_apply(st, mode, false, false, false);
}

/* A subcommand that takes the lock on the relation and its children. */
static void
sddl_at_recursing(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	sddl_at_apply(st, mode, false, false, true);
}

/*
 * DROP NOT NULL: until PostgreSQL 17 it recursed with the statement's lock
 * on every child; from 18 it drops the NOT NULL constraint, and the
 * inherited copies go with it without a lock of their own on the children.
 */
static void
sddl_at_drop_not_null(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
#ifdef SDDL_PG18_LOCKS
	sddl_at_apply(st, mode, false, false, false);
#else
	sddl_at_apply(st, mode, false, false, true);
#endif
}

/* ENABLE/DISABLE TRIGGER: triggers cloned to partitions follow. */
static void
sddl_at_trigger_state(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	sddl_at_apply(st, mode, false, false,
				  st->relkind == RELKIND_PARTITIONED_TABLE);
}

/* OWNER TO: the owned sequences change owner too. */
static void
sddl_at_change_owner(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	ListCell   *lc;

	sddl_at_apply(st, mode, false, false, false);
	foreach(lc, getOwnedSequences(st->relid))
		sddl_add_rel(st->a, lfirst_oid(lc), mode, false, false);
}

/*
 * An index the subcommand names: locked in the given mode (CLUSTER ON
 * checks it is clusterable under the statement's lock; REPLICA IDENTITY
 * USING INDEX opens it in SHARE mode).
 */
static void
sddl_at_named_index(SddlAlterState *st, const char *indexname, LOCKMODE mode)
{
	Oid			idx;

	if (indexname == NULL || !OidIsValid(st->relid))
		return;
	idx = get_relname_relid(indexname, get_rel_namespace(st->relid));
	sddl_add_rel(st->a, idx, mode, false, false);
}

/* CLUSTER ON: the index is checked under the statement's lock. */
static void
sddl_at_cluster_on(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	sddl_at_apply(st, mode, false, false, false);
	sddl_at_named_index(st, cmd->name, mode);
}

/* REPLICA IDENTITY USING INDEX: the index is opened in SHARE mode. */
static void
sddl_at_replica_identity(SddlAlterState *st, AlterTableCmd *cmd,
						 LOCKMODE mode)
{
	ReplicaIdentityStmt *ri = (ReplicaIdentityStmt *) cmd->def;

	sddl_at_apply(st, mode, false, false, false);
	if (ri && IsA(ri, ReplicaIdentityStmt) &&
		ri->identity_type == REPLICA_IDENTITY_INDEX)
		sddl_at_named_index(st, ri->name, ShareLock);
}

typedef struct SddlAlterHandler
{
	AlterTableType subtype;
	SddlAlterFn analyze;
} SddlAlterHandler;

static const SddlAlterHandler sddl_alter_handlers[] = {
	/* columns: alter_column.c, alter_type.c */
	{AT_AddColumn, sddl_at_add_column},
	{AT_AddColumnToView, sddl_at_add_column},
	{AT_ColumnDefault, sddl_at_column_default},
	{AT_SetNotNull, sddl_at_set_not_null},
	{AT_DropColumn, sddl_at_drop_column},
	{AT_AlterColumnType, sddl_at_alter_type},
	{AT_DropNotNull, sddl_at_drop_not_null},
	{AT_SetStatistics, sddl_at_recursing},
	{AT_SetStorage, sddl_at_recursing},
	{AT_DropExpression, sddl_at_recursing},
#ifdef SDDL_HAS_SET_EXPRESSION
	{AT_SetExpression, sddl_at_set_expression},
#endif

	/* constraints: alter_constraint.c */
	{AT_AddConstraint, sddl_at_add_constraint},
	{AT_ValidateConstraint, sddl_at_validate},
	{AT_DropConstraint, sddl_at_drop_constraint},
	{AT_AlterConstraint, sddl_at_alter_constraint},

	/* partitions and inheritance: alter_partition.c */
	{AT_AttachPartition, sddl_at_attach_partition},
	{AT_DetachPartition, sddl_at_detach_partition},
	{AT_DetachPartitionFinalize, sddl_at_detach_partition},
	{AT_AddInherit, sddl_at_inherit},
	{AT_DropInherit, sddl_at_inherit},

	/* storage: alter_storage.c */
#ifdef SDDL_HAVE_SET_ACCESS_METHOD
	{AT_SetAccessMethod, sddl_at_set_access_method},
#endif
	{AT_SetLogged, sddl_at_set_logged},
	{AT_SetUnLogged, sddl_at_set_logged},
	{AT_SetTableSpace, sddl_at_set_tablespace},

	/* triggers, owner */
	{AT_EnableTrig, sddl_at_trigger_state},
	{AT_EnableAlwaysTrig, sddl_at_trigger_state},
	{AT_EnableReplicaTrig, sddl_at_trigger_state},
	{AT_DisableTrig, sddl_at_trigger_state},
	{AT_EnableTrigAll, sddl_at_trigger_state},
	{AT_DisableTrigAll, sddl_at_trigger_state},
	{AT_EnableTrigUser, sddl_at_trigger_state},
	{AT_DisableTrigUser, sddl_at_trigger_state},
	{AT_ChangeOwner, sddl_at_change_owner},

	/* catalog-only changes: the lock on the relation, nothing else */
	{AT_AddIdentity, sddl_at_local},
	{AT_SetIdentity, sddl_at_local},
	{AT_DropIdentity, sddl_at_local},
	{AT_SetOptions, sddl_at_local},
	{AT_ResetOptions, sddl_at_local},
	{AT_SetCompression, sddl_at_local},
	{AT_ClusterOn, sddl_at_cluster_on},
	{AT_DropCluster, sddl_at_local},
	{AT_SetRelOptions, sddl_at_local},
	{AT_ResetRelOptions, sddl_at_local},
	{AT_ReplaceRelOptions, sddl_at_local},
	{AT_EnableRule, sddl_at_local},
	{AT_EnableAlwaysRule, sddl_at_local},
	{AT_EnableReplicaRule, sddl_at_local},
	{AT_DisableRule, sddl_at_local},
	{AT_AddOf, sddl_at_local},
	{AT_DropOf, sddl_at_local},
	{AT_ReplicaIdentity, sddl_at_replica_identity},
	{AT_EnableRowSecurity, sddl_at_local},
	{AT_DisableRowSecurity, sddl_at_local},
	{AT_ForceRowSecurity, sddl_at_local},
	{AT_NoForceRowSecurity, sddl_at_local},
	{AT_GenericOptions, sddl_at_local},
	{AT_AlterColumnGenericOptions, sddl_at_local},
};

static void
sddl_at_cmd(SddlAlterState *st, AlterTableCmd *cmd)
{
	LOCKMODE	mode = AlterTableGetLockLevel(list_make1(cmd));

	for (int i = 0; i < lengthof(sddl_alter_handlers); i++)
	{
		if (sddl_alter_handlers[i].subtype == cmd->subtype)
		{
			sddl_alter_handlers[i].analyze(st, cmd, mode);
			return;
		}
	}
	/* a subcommand this analysis does not know: say so */
	sddl_at_apply(st, mode, false, false, false);
	st->a->recognized = false;
}

void
sddl_analyze_alter_table(SddlAnalysis *a, Node *node,
						 SddlAnalysisContext *cxt)
{
	AlterTableStmt *stmt = (AlterTableStmt *) node;
	SddlAlterState st;
	LOCKMODE	lockmode;
	ListCell   *lc;

	lockmode = AlterTableGetLockLevel(stmt->cmds);

	memset(&st, 0, sizeof(st));
	st.a = a;
	st.cxt = cxt;

	if (sddl_name_created(cxt, stmt->relation))
	{
		/*
		 * A table created earlier in the same check() input: it is new and
		 * has no catalog entry yet, but its subcommands still lock other
		 * tables (the table a foreign key references, a partition).
		 */
		st.relid = InvalidOid;
		st.relkind = RELKIND_RELATION;
		st.rel = sddl_add_rangevar(a, cxt, stmt->relation, lockmode, false,
								   false);
	}
	else
	{
		st.relid = sddl_lookup_rangevar(stmt->relation);
		if (!OidIsValid(st.relid))
			return;
		st.relkind = get_rel_relkind(st.relid);
		st.rel = sddl_add_rel(a, st.relid, lockmode, false, false);
		if (st.rel == NULL)
			return;
	}
	st.recurse = stmt->relation->inh;
	if (st.recurse && OidIsValid(st.relid) &&
		(st.relkind == RELKIND_RELATION ||
		 st.relkind == RELKIND_PARTITIONED_TABLE ||
		 st.relkind == RELKIND_FOREIGN_TABLE))
		st.children = sddl_inheritors(st.relid);

	foreach(lc, stmt->cmds)
	{
		sddl_at_cmd(&st, (AlterTableCmd *) lfirst(lc));
		st.index++;
	}
}
