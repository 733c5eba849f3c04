/*-------------------------------------------------------------------------
 *
 * alter_constraint.c
 *	  Analysis of the ALTER TABLE constraint subcommands: ADD CONSTRAINT,
 *	  VALIDATE CONSTRAINT, DROP CONSTRAINT.
 *
 * A CHECK or foreign key added without NOT VALID reads the whole table
 * under the statement's lock (a foreign key also locks the table it
 * references); PRIMARY KEY, UNIQUE and EXCLUDE build an index, on every
 * partition of a partitioned table.  VALIDATE reads the table under SHARE
 * UPDATE EXCLUSIVE only.  Dropping a foreign key locks the referenced
 * table; dropping a key with CASCADE drops the foreign keys that use it.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/alter_constraint.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/index.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "nodes/parsenodes.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "analysis/catalog.h"
#include "compat.h"

/*
 * Does making this index a primary key have to check NOT NULL, that is,
 * is one of its key columns nullable?
 */
static bool
sddl_pk_checks_not_null(Oid relid, Oid indexid)
{
	HeapTuple	t = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexid));
	bool		scan = false;

	if (!HeapTupleIsValid(t))
		return false;
	for (int i = 0; i < ((Form_pg_index) GETSTRUCT(t))->indnkeyatts; i++)
	{
		HeapTuple	at = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid),
										 Int16GetDatum(((Form_pg_index) GETSTRUCT(t))->indkey.values[i]));

		if (HeapTupleIsValid(at))
		{
			if (!((Form_pg_attribute) GETSTRUCT(at))->attnotnull)
				scan = true;
			ReleaseSysCache(at);
		}
	}
	ReleaseSysCache(t);
	return scan;
}

/* Is one of the named key columns of relid nullable? */
static bool
sddl_keys_nullable(Oid relid, List *keys)
{
	ListCell   *lc;
	bool		nullable = false;

	foreach(lc, keys)
	{
		HeapTuple	at = SearchSysCacheAttName(relid, strVal(lfirst(lc)));

		if (!HeapTupleIsValid(at))
			continue;
		if (!((Form_pg_attribute) GETSTRUCT(at))->attnotnull)
			nullable = true;
		ReleaseSysCache(at);
	}
	return nullable;
}

/* Does this server take the lock levels PostgreSQL 18 changed? */
static bool
sddl_pg18_locks(void)
{
#ifdef SDDL_PG18_LOCKS
	return true;
#else
	return false;
#endif
}

/* Does ADD of this index constraint take the ALTER TABLE's lock on children? */
static bool
sddl_index_constraint_recurses(const Constraint *c)
{
	return sddl_pg18_locks() || c->contype == CONSTR_PRIMARY;
}

/* ADD PRIMARY KEY, UNIQUE or EXCLUDE */
static void
sddl_at_add_index_constraint(SddlAlterState *st, Constraint *c,
							 LOCKMODE mode)
{
	if (c->indexname)
	{
		/* USING INDEX: no build; a primary key checks NOT NULL */
		Oid			idx = get_relname_relid(c->indexname,
											get_rel_namespace(st->relid));
		bool		scan = (c->contype == CONSTR_PRIMARY && OidIsValid(idx) &&
							sddl_pk_checks_not_null(st->relid, idx));

		sddl_at_apply(st, mode, false, scan, false);
		sddl_add_rel(st->a, idx, ShareUpdateExclusiveLock, false, false);
		if (scan)
			sddl_add_finding(st->a, st->rel, SDDL_RULE_ADDING_NOT_NULLABLE_FIELD,
							 st->index, c->conname);
		return;
	}

	/*
	 * The index is built on every partition (DefineIndex takes SHARE); a
	 * primary key also sets NOT NULL on them, which recurses with the ALTER
	 * TABLE's lock.  From PostgreSQL 18 every index constraint recurses
	 * with the ALTER TABLE's lock (to partitions and inheritance children
	 * alike); the index is still built on the parent's tree only.
	 */
	sddl_at_apply(st, mode, false, true, false);
	if (st->relkind == RELKIND_PARTITIONED_TABLE)
		sddl_add_tree(st->a, st->relid,
					  sddl_index_constraint_recurses(c) ? mode : ShareLock,
					  false, true, false);
	else if (c->contype == CONSTR_PRIMARY)
	{
		ListCell   *lc;

		/*
		 * Inheritance children get the NOT NULL and check it where a key
		 * column is still nullable.  Under ONLY, PostgreSQL 18 still locks
		 * them to see that their columns are NOT NULL already.
		 */
		if (st->recurse)
			foreach(lc, st->children)
				sddl_add_rel(st->a, lfirst_oid(lc), mode, false,
							 sddl_keys_nullable(lfirst_oid(lc), c->keys));
		else if (sddl_pg18_locks())
			foreach(lc, find_inheritance_children(st->relid, NoLock))
				sddl_add_rel(st->a, lfirst_oid(lc), mode, false, false);
	}
	else if (sddl_index_constraint_recurses(c))
		sddl_at_apply(st, mode, false, false, true);
	sddl_add_finding(st->a, st->rel,
					 c->contype == CONSTR_EXCLUSION ?
					 SDDL_RULE_DISALLOWED_EXCLUSION_CONSTRAINT :
					 SDDL_RULE_DISALLOWED_UNIQUE_CONSTRAINT,
					 st->index, c->conname);
}

void
sddl_at_add_constraint(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	Constraint *c = (Constraint *) cmd->def;
	bool		validates;

	if (!IsA(c, Constraint))
	{
		sddl_at_apply(st, mode, false, false, false);
		return;
	}

	/* NOT ENFORCED (18) implies NOT VALID: nothing to check, no scan */
	validates = !c->skip_validation && !SddlConstraintNotEnforced(c);
	switch (c->contype)
	{
		case CONSTR_CHECK:
			sddl_at_apply(st, mode, false, validates, !c->is_no_inherit);
			if (validates)
				sddl_add_finding(st->a, st->rel, SDDL_RULE_CONSTRAINT_MISSING_NOT_VALID,
								 st->index, c->conname);
			break;

		case CONSTR_FOREIGN:
			/* partitions get the constraint too (partitioned only) */
			sddl_at_apply(st, mode, false, validates,
						  st->relkind == RELKIND_PARTITIONED_TABLE);

			/*
			 * From PostgreSQL 18 the inheritance children are locked too
			 * (they do not get the constraint: no scan).
			 */
			if (sddl_pg18_locks() && st->relkind != RELKIND_PARTITIONED_TABLE)
				sddl_at_apply(st, mode, false, false, true);
			sddl_add_referenced(st->a, st->cxt, c->pktable, validates);
			if (validates)
				sddl_add_finding(st->a, st->rel,
								 SDDL_RULE_CONSTRAINT_MISSING_NOT_VALID,
								 st->index, c->conname);
			break;

		case CONSTR_PRIMARY:
		case CONSTR_UNIQUE:
		case CONSTR_EXCLUSION:
			sddl_at_add_index_constraint(st, c, mode);
			break;

		case CONSTR_NOTNULL:

			/*
			 * ADD CONSTRAINT ... NOT NULL col (PostgreSQL 18): SET NOT NULL
			 * by another name, inherited unless NO INHERIT; NOT VALID
			 * skips the scan.
			 */
			if (c->skip_validation || list_length(c->keys) != 1)
				sddl_at_apply(st, mode, false, false, !c->is_no_inherit);
			else if (c->is_no_inherit)
			{
				bool		recurse = st->recurse;

				st->recurse = false;
				sddl_at_column_not_null(st, strVal(linitial(c->keys)), mode);
				st->recurse = recurse;
			}
			else
				sddl_at_column_not_null(st, strVal(linitial(c->keys)), mode);
			break;

		default:
			sddl_at_apply(st, mode, false, false, false);
			break;
	}
}

#ifdef SDDL_HAS_ENFORCEABILITY
/*
 * ALTER CONSTRAINT ... INHERIT of a NOT NULL constraint (18) adds it to
 * every child, each scanned where the column is still nullable there.
 */
static void
sddl_at_constraint_inherit(SddlAlterState *st, HeapTuple con, LOCKMODE mode)
{
	char	   *colname = get_attname(st->relid, extractNotNullColumn(con), true);
	bool		recurse = st->recurse;

	if (colname == NULL)
	{
		sddl_at_apply(st, mode, false, false, true);
		return;
	}
	/* the children, whatever ONLY says: an inheritable constraint goes down */
	st->recurse = true;
	if (st->children == NIL)
		st->children = sddl_inheritors(st->relid);
	sddl_at_column_not_null(st, colname, mode);
	st->recurse = recurse;
}
#endif

/*
 * ALTER CONSTRAINT.  From 18: ENFORCED on a NOT ENFORCED constraint
 * validates it, a scan under the statement's lock (a foreign key also
 * reads the table it references, and 19 lets CHECK constraints be
 * altered so too); NOT ENFORCED on a foreign key drops its triggers,
 * which locks the referenced table; INHERIT of a NOT NULL constraint scans
 * the children; NO INHERIT locks them.  Deferrability, and every form up
 * to 17, only changes the catalog.
 */
void
sddl_at_alter_constraint(SddlAlterState *st, AlterTableCmd *cmd,
						 LOCKMODE mode)
{
#ifdef SDDL_HAS_ENFORCEABILITY
	ATAlterConstraint *ac = (ATAlterConstraint *) cmd->def;
	HeapTuple	con = NULL;
	Form_pg_constraint form;
	bool		partitioned = st->relkind == RELKIND_PARTITIONED_TABLE;

	if (ac != NULL && IsA(ac, ATAlterConstraint) && OidIsValid(st->relid))
		con = sddl_catalog_constraint(st->relid, ac->conname);
	if (con == NULL)
	{
		sddl_at_apply(st, mode, false, false, false);
		return;
	}
	form = (Form_pg_constraint) GETSTRUCT(con);
	if (ac->alterEnforceability && ac->is_enforced && !form->conenforced)
	{
		if (form->contype == CONSTRAINT_FOREIGN)
		{
			sddl_at_apply(st, mode, false, true, partitioned);
			sddl_add_rel(st->a, form->confrelid, ShareRowExclusiveLock,
						 false, false);
		}
		else
			sddl_at_apply(st, mode, false, true, !form->connoinherit);
		sddl_add_finding(st->a, st->rel, SDDL_RULE_CONSTRAINT_MISSING_NOT_VALID,
						 st->index, ac->conname);
		return;
	}
	if (ac->alterEnforceability && !ac->is_enforced && form->conenforced &&
		form->contype == CONSTRAINT_FOREIGN)
	{
		sddl_at_apply(st, mode, false, false, partitioned);
		sddl_add_rel(st->a, form->confrelid, AccessExclusiveLock, false,
					 false);
		return;
	}
	if (ac->alterInheritability && form->contype == CONSTRAINT_NOTNULL &&
		ac->noinherit != form->connoinherit)
	{
		if (!ac->noinherit)
			sddl_at_constraint_inherit(st, con, mode);
		else
			sddl_at_apply(st, mode, false, false, true);
		return;
	}
#endif
	sddl_at_apply(st, mode, false, false, false);
}

void
sddl_at_validate(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	HeapTuple	con = sddl_catalog_constraint(st->relid, cmd->name);
	Form_pg_constraint form;

	if (con == NULL)
	{
		sddl_at_apply(st, mode, false, false, false);
		return;
	}
	form = (Form_pg_constraint) GETSTRUCT(con);
	if (form->convalidated)
	{
		sddl_at_apply(st, mode, false, false, false);
		return;
	}
	if (form->contype == CONSTRAINT_FOREIGN)
	{
		sddl_at_apply(st, mode, false, true,
					  st->relkind == RELKIND_PARTITIONED_TABLE);
		sddl_add_referenced_validated(st->a, form->confrelid, RowShareLock);
	}
	else
		sddl_at_apply(st, mode, false, true, !form->connoinherit);
}

void
sddl_at_drop_constraint(SddlAlterState *st, AlterTableCmd *cmd, LOCKMODE mode)
{
	HeapTuple	con = sddl_catalog_constraint(st->relid, cmd->name);
	Form_pg_constraint form;
	ListCell   *lc;

	if (con == NULL)
	{
		sddl_at_apply(st, mode, false, false, false);
		return;
	}
	form = (Form_pg_constraint) GETSTRUCT(con);
	sddl_at_apply(st, mode, false, false, !form->connoinherit);
	if (!st->recurse && !form->connoinherit)
	{
		/* ONLY: the direct children keep it as a local constraint */
		foreach(lc, find_inheritance_children(st->relid, NoLock))
			sddl_add_rel(st->a, lfirst_oid(lc), mode, false, false);
	}
	if (form->contype == CONSTRAINT_FOREIGN)
		sddl_add_tree(st->a, form->confrelid, AccessExclusiveLock, false,
					  false, true);
	/*
	 * The index of a key or exclusion constraint is dropped with it, and
	 * so are the indexes attached to it on the partitions, each taking
	 * its table along.
	 */
	if (form->contype == CONSTRAINT_PRIMARY ||
		form->contype == CONSTRAINT_UNIQUE ||
		form->contype == CONSTRAINT_EXCLUSION)
	{
		sddl_add_rel(st->a, form->conindid, AccessExclusiveLock, false,
					 false);
		foreach(lc, sddl_inheritors(form->conindid))
		{
			sddl_add_rel(st->a, lfirst_oid(lc), AccessExclusiveLock, false,
						 false);
			sddl_add_rel(st->a, IndexGetRelation(lfirst_oid(lc), true),
						 AccessExclusiveLock, false, false);
		}
	}
	if ((form->contype == CONSTRAINT_PRIMARY ||
		 form->contype == CONSTRAINT_UNIQUE) && cmd->behavior == DROP_CASCADE)
	{
		/* foreign keys that use its index go too */
		foreach(lc, sddl_catalog_foreign_keys(st->relid))
		{
			Form_pg_constraint fk = (Form_pg_constraint) GETSTRUCT((HeapTuple) lfirst(lc));

			if (fk->confrelid == st->relid && fk->conindid == form->conindid)
				sddl_add_rel(st->a, fk->conrelid, AccessExclusiveLock, false,
							 false);
		}
	}
}
