/*-------------------------------------------------------------------------
 *
 * consistency.c
 *	  A later statement that names an object a still-queued deferred item
 *	  will create (see sddl_defer_check_statement in defer.h).
 *
 * Until the worker has run an item, its index does not exist and its
 * constraint is NOT VALID.  A statement that needs them would otherwise
 * fail with PostgreSQL's "does not exist", or succeed and make the queued
 * statement fail later (a RENAME of the table it names, a second index of
 * the same name).  Such a statement fails with a message naming the item
 * and the fix instead; a DROP of the index, of the constraint or of the
 * table cancels the items it makes pointless.  In observe mode (and under
 * its break-glass SET LOCAL) the refusals are WARNINGs: the statement runs,
 * and the queued item may fail later.
 *
 * Items still queued or paused count, and a running index build whose
 * index does not exist yet (the worker claimed it and waits for the
 * table's lock): a DROP INDEX of it is refused, since the build cannot be
 * cancelled any more, rather than fail with "does not exist" and see the
 * index appear afterwards.  Once a running build's index exists (INVALID
 * while it is built), it is a relation like any other, and PostgreSQL's
 * own locks order the statements.  The cost: one switch on the node tag for every
 * statement safe_ddl looks at, and for the few kinds that can name such an
 * object, one probe of the queue's partial index of pending items; the
 * queue is read further only when it holds any.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/defer/consistency.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/parallel.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "lib/stringinfo.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"

#include "defer/defer.h"
#include "defer/defer_int.h"
#include "exec/subxact.h"

/* One queued or paused item a statement names. */
typedef struct SddlPending
{
	char	   *id;
	char	   *state;
	char	   *statement;
} SddlPending;

/* What the check of one statement found, worked out in a subtransaction. */
typedef struct SddlCheck
{
	PlannedStmt *pstmt;			/* in: the statement; out: what to run, or
								 * NULL for nothing */
	/* out: the error to raise, when errmsg is set */
	char	   *errmsg;
	char	   *errdetail;
	char	   *errhint;
	/* out: NOTICEs of cancelled items */
	List	   *notices;
	/* out: what a statement left with nothing to run was done as */
	StringInfoData done_as;
} SddlCheck;

#define SDDL_PENDING_STATES "'{queued,paused}'"

/*
 * Does the queue hold any queued, running or paused item?  One probe of
 * its partial index deferred_queue_pending_idx, with a fresh snapshot (the
 * transaction's own rows included).
 */
static bool
sddl_queue_has_pending(void)
{
	Oid			nsp = get_namespace_oid("safe_ddl", true);
	Oid			queue;
	Oid			index;
	Relation	rel;
	SysScanDesc scan;
	Snapshot	snap;
	bool		found;

	if (!OidIsValid(nsp))
		return false;
	queue = get_relname_relid("deferred_queue", nsp);
	index = get_relname_relid("deferred_queue_pending_idx", nsp);
	if (!OidIsValid(queue) || !OidIsValid(index))
		return false;
	rel = table_open(queue, AccessShareLock);
	snap = RegisterSnapshot(GetLatestSnapshot());
	scan = systable_beginscan(rel, index, true, snap, 0, NULL);
	found = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	UnregisterSnapshot(snap);
	table_close(rel, AccessShareLock);
	return found;
}

static SddlPending *
sddl_pending_first(List *rows)
{
	SddlPending *p;
	char	  **row;

	if (rows == NIL)
		return NULL;
	row = (char **) linitial(rows);
	p = palloc(sizeof(SddlPending));
	p->id = row[0];
	p->state = row[1];
	p->statement = row[2];
	return p;
}

/*
 * The queued, paused or running build of index name in schema nspid (a
 * running one counts only until its index exists: see the callers).
 */
static SddlPending *
sddl_pending_index_in(Oid nspid, const char *name)
{
	char		nspbuf[16];
	const char *args[2];

	snprintf(nspbuf, sizeof(nspbuf), "%u", nspid);
	args[0] = nspbuf;
	args[1] = name;
	return sddl_pending_first(
							  sddl_queue_sql("SELECT q.id, q.state, q.statement FROM safe_ddl.deferred_queue q "
											 "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) q.relid "
											 "WHERE q.kind OPERATOR(pg_catalog.=) 'index' "
											 "AND q.state OPERATOR(pg_catalog.=) ANY ('{queued,paused,running}') "
											 "AND c.relnamespace OPERATOR(pg_catalog.=) $1::pg_catalog.oid "
											 "AND q.object_name OPERATOR(pg_catalog.=) $2",
											 2, args));
}

/*
 * The queued or paused build of the index a statement names: in the
 * schema it names, or the first schema of the search_path with one, as
 * long as no relation of that name exists (a real one wins).
 */
static SddlPending *
sddl_pending_index(const RangeVar *rv)
{
	SddlPending *p = NULL;
	List	   *path;
	ListCell   *lc;

	if (rv == NULL || rv->relname == NULL)
		return NULL;
	if (rv->schemaname != NULL)
	{
		Oid			nsp = get_namespace_oid(rv->schemaname, true);

		if (!OidIsValid(nsp) || OidIsValid(get_relname_relid(rv->relname, nsp)))
			return NULL;
		return sddl_pending_index_in(nsp, rv->relname);
	}
	if (OidIsValid(RelnameGetRelid(rv->relname)))
		return NULL;
	path = fetch_search_path(false);
	foreach(lc, path)
	{
		if ((p = sddl_pending_index_in(lfirst_oid(lc), rv->relname)) != NULL)
			break;
	}
	list_free(path);
	return p;
}

/* The queued or paused validation of constraint name of table relid. */
static SddlPending *
sddl_pending_validation(Oid relid, const char *name)
{
	char		relbuf[16];
	const char *args[2];

	if (!OidIsValid(relid) || name == NULL)
		return NULL;
	snprintf(relbuf, sizeof(relbuf), "%u", relid);
	args[0] = relbuf;
	args[1] = name;
	return sddl_pending_first(
							  sddl_queue_sql("SELECT id, state, statement FROM safe_ddl.deferred_queue "
											 "WHERE kind OPERATOR(pg_catalog.=) 'validation' "
											 "AND state OPERATOR(pg_catalog.=) ANY (" SDDL_PENDING_STATES ") "
											 "AND relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid "
											 "AND object_name OPERATOR(pg_catalog.=) $2",
											 2, args));
}

/* Any queued or paused item of table relid. */
static SddlPending *
sddl_pending_of_table(Oid relid)
{
	char		relbuf[16];
	const char *args[1];

	if (!OidIsValid(relid))
		return NULL;
	snprintf(relbuf, sizeof(relbuf), "%u", relid);
	args[0] = relbuf;
	return sddl_pending_first(
							  sddl_queue_sql("SELECT id, state, statement FROM safe_ddl.deferred_queue "
											 "WHERE state OPERATOR(pg_catalog.=) ANY (" SDDL_PENDING_STATES ") "
											 "AND relid OPERATOR(pg_catalog.=) $1::pg_catalog.oid "
											 "ORDER BY id LIMIT 1",
											 1, args));
}

/*
 * Cancel items: the one with this id, or every queued or paused item of
 * table relid.  Returns "id: statement" lines of what was cancelled.
 */
static List *
sddl_cancel(const char *id, Oid relid, const char *why)
{
	char		relbuf[16];
	const char *args[3];
	List	   *lines = NIL;
	ListCell   *lc;

	snprintf(relbuf, sizeof(relbuf), "%u", relid);
	args[0] = id;
	args[1] = OidIsValid(relid) ? relbuf : NULL;
	args[2] = why;
	foreach(lc, sddl_queue_sql("WITH c AS (UPDATE safe_ddl.deferred_queue "
							   "SET state = 'cancelled', finished_at = pg_catalog.clock_timestamp(), "
							   "last_error = $3 "
							   "WHERE state OPERATOR(pg_catalog.=) ANY (" SDDL_PENDING_STATES ") "
							   "AND (id OPERATOR(pg_catalog.=) $1::pg_catalog.int8 "
							   "OR relid OPERATOR(pg_catalog.=) $2::pg_catalog.oid) "
							   "RETURNING id, statement) "
							   "SELECT id, statement FROM c ORDER BY id",
							   3, args))
	{
		char	  **row = (char **) lfirst(lc);

		lines = lappend(lines, psprintf("%s: %s", row[0], row[1]));
	}
	return lines;
}

static void
sddl_refuse(SddlCheck *c, SddlPending *p, const char *message)
{
	c->errmsg = pstrdup(message);
	c->errdetail = psprintf("Deferred item %s is %s: %s", p->id, p->state,
							p->statement);
	if (strcmp(p->state, "running") == 0)
		c->errhint = pstrdup("Wait for it with SELECT safe_ddl.wait_deferred(timeout) in a transaction that holds no lock on its table.");
	else
		c->errhint = psprintf("Wait for it with SELECT safe_ddl.wait_deferred(timeout) in a transaction after the one that queued it committed, or cancel it with SELECT safe_ddl.deferred_cancel(%s).",
							  p->id);
}

static Oid
sddl_table_oid(RangeVar *rv)
{
	return rv ? RangeVarGetRelid(rv, NoLock, true) : InvalidOid;
}

/* DROP INDEX of queued indexes cancels them; DROP TABLE, its items. */
static void
sddl_check_drop(SddlCheck *c, DropStmt *stmt)
{
	List	   *keep = NIL;
	bool		changed = false;
	ListCell   *lc;

	if (stmt->removeType == OBJECT_TABLE)
	{
		foreach(lc, stmt->objects)
		{
			Oid			relid = sddl_table_oid(makeRangeVarFromNameList((List *) lfirst(lc)));

			if (OidIsValid(relid))
				c->notices = list_concat(c->notices,
										 sddl_cancel(NULL, relid, "cancelled: DROP TABLE"));
		}
		return;
	}
	if (stmt->removeType != OBJECT_INDEX)
		return;
	foreach(lc, stmt->objects)
	{
		SddlPending *p = sddl_pending_index(makeRangeVarFromNameList((List *) lfirst(lc)));
		List	   *cancelled = NIL;

		if (p == NULL)
		{
			keep = lappend(keep, lfirst(lc));
			continue;
		}

		/*
		 * A running build cannot be cancelled; nor can a queued one the
		 * worker claimed since it was looked up (the cancel finds it
		 * running).  The index would appear after this DROP: refuse it.
		 */
		if (strcmp(p->state, "running") == 0 ||
			(cancelled = sddl_cancel(p->id, InvalidOid, "cancelled: DROP INDEX")) == NIL)
		{
			p->state = "running";
			sddl_refuse(c, p, psprintf("index \"%s\" cannot be dropped yet: safe_ddl is building it",
									   NameListToString((List *) lfirst(lc))));
			return;
		}
		c->notices = list_concat(c->notices, cancelled);
		appendStringInfo(&c->done_as, "%sSELECT safe_ddl.deferred_cancel(%s);",
						 c->done_as.len > 0 ? "\n" : "", p->id);
		changed = true;
	}
	if (!changed)
		return;
	if (keep == NIL)
	{
		c->pstmt = NULL;
		return;
	}
	c->pstmt = (PlannedStmt *) copyObjectImpl(c->pstmt);
	((DropStmt *) c->pstmt->utilityStmt)->objects = keep;
}

static void
sddl_check_alter_table(SddlCheck *c, AlterTableStmt *stmt)
{
	Oid			relid;
	ListCell   *lc;
	SddlPending *p;

	if (stmt->objtype == OBJECT_INDEX)
	{
		if ((p = sddl_pending_index(stmt->relation)) != NULL)
			sddl_refuse(c, p, psprintf("index \"%s\" does not exist yet: safe_ddl deferred its build",
									   stmt->relation->relname));
		return;
	}
	if (stmt->objtype != OBJECT_TABLE ||
		!OidIsValid(relid = sddl_table_oid(stmt->relation)))
		return;
	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);
		Constraint *con = (Constraint *) cmd->def;
		RangeVar   *index = NULL;

		if (cmd->subtype == AT_AddConstraint && IsA(con, Constraint) &&
			con->indexname != NULL)
			index = makeRangeVar(get_namespace_name(get_rel_namespace(relid)),
								 con->indexname, -1);
		else if (cmd->subtype == AT_ClusterOn)
			index = makeRangeVar(get_namespace_name(get_rel_namespace(relid)),
								 cmd->name, -1);
		if (index != NULL && (p = sddl_pending_index(index)) != NULL)
		{
			sddl_refuse(c, p, psprintf("index \"%s\" does not exist yet: safe_ddl deferred its build",
									   index->relname));
			return;
		}
		if (cmd->subtype == AT_ValidateConstraint &&
			(p = sddl_pending_validation(relid, cmd->name)) != NULL)
		{
			sddl_refuse(c, p, psprintf("constraint \"%s\" of relation \"%s\" is already queued for validation by safe_ddl",
									   cmd->name, stmt->relation->relname));
			return;
		}
		if (cmd->subtype == AT_DropConstraint &&
			(p = sddl_pending_validation(relid, cmd->name)) != NULL)
			c->notices = list_concat(c->notices,
									 sddl_cancel(p->id, InvalidOid, "cancelled: DROP CONSTRAINT"));
	}
}

/* RENAME of a queued index, of its table or a column, of a constraint. */
static void
sddl_check_rename(SddlCheck *c, RenameStmt *stmt)
{
	SddlPending *p = NULL;
	Oid			relid;

	/* a relation renamed to the name a queued build will take */
	if (stmt->relation != NULL && stmt->subname == NULL &&
		stmt->newname != NULL &&
		OidIsValid(relid = sddl_table_oid(stmt->relation)) &&
		(p = sddl_pending_index_in(get_rel_namespace(relid), stmt->newname)) != NULL)
	{
		sddl_refuse(c, p, psprintf("relation \"%s\" already exists as a deferred build of safe_ddl",
								   stmt->newname));
		return;
	}
	switch (stmt->renameType)
	{
		case OBJECT_INDEX:
			if ((p = sddl_pending_index(stmt->relation)) != NULL)
				sddl_refuse(c, p, psprintf("index \"%s\" does not exist yet: safe_ddl deferred its build",
										   stmt->relation->relname));
			break;
		case OBJECT_TABLE:
		case OBJECT_COLUMN:
			if ((p = sddl_pending_of_table(sddl_table_oid(stmt->relation))) != NULL)
				sddl_refuse(c, p, psprintf("table \"%s\" has deferred builds queued that name it",
										   stmt->relation->relname));
			break;
		case OBJECT_TABCONSTRAINT:
			relid = sddl_table_oid(stmt->relation);
			if ((p = sddl_pending_validation(relid, stmt->subname)) != NULL)
				sddl_refuse(c, p, psprintf("constraint \"%s\" of relation \"%s\" is queued for validation by safe_ddl",
										   stmt->subname, stmt->relation->relname));
			break;
		default:
			break;
	}
}

static void
sddl_check_body(void *arg)
{
	SddlCheck  *c = (SddlCheck *) arg;
	Node	   *node = c->pstmt->utilityStmt;
	SddlPending *p;

	switch (nodeTag(node))
	{
		case T_DropStmt:
			sddl_check_drop(c, (DropStmt *) node);
			break;
		case T_AlterTableStmt:
			sddl_check_alter_table(c, (AlterTableStmt *) node);
			break;
		case T_RenameStmt:
			sddl_check_rename(c, (RenameStmt *) node);
			break;
		case T_IndexStmt:
			{
				IndexStmt  *stmt = (IndexStmt *) node;
				Oid			relid = sddl_table_oid(stmt->relation);

				if (!OidIsValid(relid))
					break;
				if (stmt->idxname != NULL)
				{
					p = sddl_pending_index_in(get_rel_namespace(relid),
											  stmt->idxname);
					if (p != NULL)
						sddl_refuse(c, p, psprintf("relation \"%s\" already exists as a deferred build of safe_ddl",
												   stmt->idxname));
					break;
				}

				/*
				 * No name: PostgreSQL's choice must not be one a queued build
				 * takes.  Name it the way a deferred build would be.
				 */
				{
					char	   *chosen = sddl_defer_index_name(stmt, relid, true);

					if (strcmp(chosen, sddl_defer_index_name(stmt, relid, false)) != 0)
					{
						c->pstmt = (PlannedStmt *) copyObjectImpl(c->pstmt);
						((IndexStmt *) c->pstmt->utilityStmt)->idxname = chosen;
					}
				}
				break;
			}
		case T_CommentStmt:
			{
				CommentStmt *stmt = (CommentStmt *) node;

				if (stmt->objtype == OBJECT_INDEX &&
					(p = sddl_pending_index(makeRangeVarFromNameList((List *) stmt->object))) != NULL)
					sddl_refuse(c, p, psprintf("index \"%s\" does not exist yet: safe_ddl deferred its build",
											   NameListToString((List *) stmt->object)));
				break;
			}
		case T_ReindexStmt:
			{
				ReindexStmt *stmt = (ReindexStmt *) node;

				if (stmt->kind == REINDEX_OBJECT_INDEX &&
					(p = sddl_pending_index(stmt->relation)) != NULL)
					sddl_refuse(c, p, psprintf("index \"%s\" does not exist yet: safe_ddl deferred its build",
											   stmt->relation->relname));
				break;
			}
		case T_CreateStmt:
		case T_ViewStmt:
		case T_CreateTableAsStmt:
			{
				/* a new relation must not take a queued build's name */
				RangeVar   *rv = IsA(node, CreateStmt) ? ((CreateStmt *) node)->relation :
				IsA(node, ViewStmt) ? ((ViewStmt *) node)->view :
				((CreateTableAsStmt *) node)->into->rel;

				if (rv->relpersistence != RELPERSISTENCE_TEMP &&
					(p = sddl_pending_index_in(RangeVarGetCreationNamespace(rv),
											   rv->relname)) != NULL)
					sddl_refuse(c, p, psprintf("relation \"%s\" already exists as a deferred build of safe_ddl",
											   rv->relname));
				break;
			}
		case T_AlterObjectSchemaStmt:
			{
				AlterObjectSchemaStmt *stmt = (AlterObjectSchemaStmt *) node;

				if (stmt->objectType == OBJECT_TABLE &&
					(p = sddl_pending_of_table(sddl_table_oid(stmt->relation))) != NULL)
					sddl_refuse(c, p, psprintf("table \"%s\" has deferred builds queued that name it",
											   stmt->relation->relname));
				break;
			}
		default:
			break;
	}
}

PlannedStmt *
sddl_defer_check_statement(PlannedStmt *pstmt, char **done_as)
{
	SddlCheck	c = {0};
	ErrorData  *edata;
	ListCell   *lc;

	switch (nodeTag(pstmt->utilityStmt))
	{
		case T_DropStmt:
		case T_AlterTableStmt:
		case T_RenameStmt:
		case T_IndexStmt:
		case T_CommentStmt:
		case T_ReindexStmt:
		case T_AlterObjectSchemaStmt:
		case T_CreateStmt:
		case T_ViewStmt:
		case T_CreateTableAsStmt:
			break;
		default:
			return pstmt;
	}
	/* the worker carrying out an item, and its cleanup, are the deferral */
	if (sddl_defer_in_worker || IsInParallelMode() || !sddl_queue_has_pending())
		return pstmt;

	/*
	 * Fail-open: should looking at the queue fail, the statement goes on
	 * as if nothing were queued.
	 */
	c.pstmt = pstmt;
	initStringInfo(&c.done_as);
	if ((edata = sddl_subxact_try(sddl_check_body, &c, true)) != NULL)
	{
		elog(DEBUG1, "safe_ddl: could not check the deferred-build queue: %s",
			 edata->message);
		return pstmt;
	}
	foreach(lc, c.notices)
		ereport(NOTICE,
				errmsg("safe_ddl cancelled deferred item %s",
					   (char *) lfirst(lc)));
	/* observe mode, and its break-glass, refuse nothing: they warn */
	if (c.errmsg != NULL)
		ereport(sddl_mode == SDDL_MODE_ENFORCE ? ERROR : WARNING,
				errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				errmsg_internal("%s", c.errmsg),
				errdetail_internal("%s", c.errdetail),
				errhint("%s", c.errhint));
	if (c.pstmt == NULL)
		*done_as = c.done_as.data;
	return c.pstmt;
}
