/*-------------------------------------------------------------------------
 *
 * statement.c
 *	  Running what policy deferred, in the client's transaction (see
 *	  sddl_defer_statement in defer.h).
 *
 *	 CREATE INDEX			nothing runs now; queued: CREATE INDEX
 *							CONCURRENTLY, same text, same name (chosen now
 *							the way PostgreSQL would have when the
 *							statement gave none)
 *	 ADD CHECK | FOREIGN KEY the statement with NOT VALID, now (new rows
 *	 (also of ADD COLUMN)	are checked from here on); queued: VALIDATE
 *							CONSTRAINT of each constraint it added
 *
 * The rows are inserted in the client's transaction: committed with it,
 * gone with its rollback.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/defer/statement.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_constraint.h"
#include "commands/defrem.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "parser/parse_target.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "defer/defer.h"
#include "defer/defer_int.h"
#include "exec/rewrite.h"
#include "policy/deferral.h"
#include "policy/messages.h"
#include "policy/rewrite_plan.h"

/* What one statement queued, for the NOTICE and the log. */
typedef struct SddlQueued
{
	StringInfoData notice;		/* "item N: statement" lines */
	StringInfoData statements;	/* the statements, ";\n" separated */
} SddlQueued;

/*
 * The schemas the session's search_path resolves to now, quoted, comma
 * separated: the worker runs the queued text with this search_path.
 */
static char *
sddl_search_path_now(void)
{
	StringInfoData buf;
	List	   *path = fetch_search_path(false);
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, path)
	{
		char	   *nsp = get_namespace_name(lfirst_oid(lc));

		if (nsp == NULL)
			continue;
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, quote_identifier(nsp));
	}
	list_free(path);
	return buf.data;
}

static void
sddl_queue_item(SddlQueued *q, SddlDeferKind kind, Oid relid,
				const char *object, const char *statement,
				const char *original)
{
	char		relidbuf[16];
	const char *args[9];
	List	   *rows;

	snprintf(relidbuf, sizeof(relidbuf), "%u", relid);
	args[0] = sddl_defer_kind_name(kind);
	args[1] = relidbuf;
	args[2] = sddl_qualified_name(relid);
	args[3] = object;
	args[4] = statement;
	args[5] = original;
	args[6] = GetUserNameFromId(GetUserId(), false);
	args[7] = GetConfigOption("application_name", true, false);
	args[8] = sddl_search_path_now();
	rows = sddl_queue_sql("INSERT INTO safe_ddl.deferred_queue "
						  "(kind, relid, relation, object_name, statement, original, "
						  "queued_by, application_name, search_path) "
						  "VALUES ($1, $2::pg_catalog.oid, $3, $4, $5, $6, $7, $8, $9) "
						  "RETURNING id",
						  9, args);
	appendStringInfo(&q->notice, "\n%s %s: %s",
					 kind == SDDL_DEFER_INDEX ? "Deferred build" : "Deferred validation",
					 ((char **) linitial(rows))[0], statement);
	appendStringInfo(&q->statements, "%s%s;", q->statements.len > 0 ? "\n" : "",
					 statement);
	sddl_defer_note_queued();
}

/*
 * Index naming, the way DefineIndex does it (ChooseIndexColumnNames,
 * ChooseIndexNameAddition, ChooseRelationName in indexcmds.c, static
 * there), with one difference: a name a still-pending deferred build will
 * take counts as taken, exactly as it would if that build had run when its
 * statement did.
 */

/* The column names an index's name is made of. */
static List *
sddl_index_column_names(List *elems)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, elems)
	{
		IndexElem  *ielem = lfirst_node(IndexElem, lc);
		const char *origname;
		const char *curname;
		char		buf[NAMEDATALEN];

		if (ielem->indexcolname)
			origname = ielem->indexcolname;
		else if (ielem->name)
			origname = ielem->name;
		else if ((origname = FigureIndexColname(ielem->expr)) == NULL)
			origname = "expr";

		/* a name already in the list gets a number */
		curname = origname;
		for (int i = 1;; i++)
		{
			ListCell   *lc2;
			char		nbuf[32];
			int			nlen;

			foreach(lc2, result)
			{
				if (strcmp(curname, (char *) lfirst(lc2)) == 0)
					break;
			}
			if (lc2 == NULL)
				break;
			snprintf(nbuf, sizeof(nbuf), "%d", i);
			nlen = pg_mbcliplen(origname, strlen(origname),
								NAMEDATALEN - 1 - strlen(nbuf));
			memcpy(buf, origname, nlen);
			strcpy(buf + nlen, nbuf);
			curname = buf;
		}
		result = lappend(result, pstrdup(curname));
	}
	return result;
}

static char *
sddl_index_name_addition(List *colnames)
{
	char		buf[NAMEDATALEN * 2];
	int			buflen = 0;
	ListCell   *lc;

	buf[0] = '\0';
	foreach(lc, colnames)
	{
		const char *name = (const char *) lfirst(lc);

		if (buflen > 0)
			buf[buflen++] = '_';
		strlcpy(buf + buflen, name, NAMEDATALEN);
		buflen += strlen(buf + buflen);
		if (buflen >= NAMEDATALEN)
			break;
	}
	return pstrdup(buf);
}

/* The index names pending deferred builds will take in a schema. */
static List *
sddl_pending_index_names(Oid nspid)
{
	char		nspbuf[16];
	const char *args[1];
	List	   *names = NIL;
	ListCell   *lc;

	snprintf(nspbuf, sizeof(nspbuf), "%u", nspid);
	args[0] = nspbuf;
	foreach(lc, sddl_queue_sql("SELECT q.object_name FROM safe_ddl.deferred_queue q "
							   "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) q.relid "
							   "WHERE q.kind OPERATOR(pg_catalog.=) 'index' "
							   "AND q.state OPERATOR(pg_catalog.=) ANY ('{queued,running,paused}') "
							   "AND c.relnamespace OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
							   1, args))
		names = lappend(names, ((char **) lfirst(lc))[0]);
	return names;
}

static bool
sddl_name_listed(List *names, const char *name)
{
	ListCell   *lc;

	foreach(lc, names)
	{
		if (strcmp((char *) lfirst(lc), name) == 0)
			return true;
	}
	return false;
}

char *
sddl_defer_index_name(IndexStmt *stmt, Oid relid, bool skip_pending)
{
	Oid			nspid = get_rel_namespace(relid);
	List	   *pending = skip_pending ? sddl_pending_index_names(nspid) : NIL;
	char	   *addition;
	char		modlabel[NAMEDATALEN];
	int			pass = 0;

	addition = sddl_index_name_addition(
										sddl_index_column_names(list_concat_copy(stmt->indexParams,
																				 stmt->indexIncludingParams)));
	strlcpy(modlabel, "idx", sizeof(modlabel));
	for (;;)
	{
		char	   *name = makeObjectName(get_rel_name(relid), addition, modlabel);

		if (!OidIsValid(get_relname_relid(name, nspid)) &&
			!sddl_name_listed(pending, name))
			return name;
		pfree(name);
		snprintf(modlabel, sizeof(modlabel), "idx%d", ++pass);
	}
}

/*
 * CREATE INDEX: queue CREATE INDEX CONCURRENTLY with the name fixed now.
 */
static void
sddl_defer_index(SddlAnalysis *analysis, SddlQueued *q, const char *original)
{
	IndexStmt  *stmt = castNode(IndexStmt, analysis->stmt);
	Oid			relid = sddl_online_facts(analysis)->relid;
	Oid			nspid = get_rel_namespace(relid);
	char	   *name = stmt->idxname;
	char	   *sql;

	if (name == NULL)
		name = sddl_defer_index_name(stmt, relid, true);
	else if (OidIsValid(get_relname_relid(name, nspid)) ||
			 sddl_name_listed(sddl_pending_index_names(nspid), name))
	{
		/* what CREATE INDEX would say; a pending build counts as there */
		if (stmt->if_not_exists)
		{
			ereport(NOTICE,
					errcode(ERRCODE_DUPLICATE_TABLE),
					errmsg("relation \"%s\" already exists, skipping", name));
			return;
		}
		ereport(ERROR,
				errcode(ERRCODE_DUPLICATE_TABLE),
				errmsg("relation \"%s\" already exists", name),
				OidIsValid(get_relname_relid(name, nspid)) ? 0 :
				errdetail("A deferred build of safe_ddl.deferred_queue creates an index of that name."));
	}
	sql = sddl_deferred_index_sql(original, name, sddl_qualified_name(relid));
	if (sql == NULL)
		elog(ERROR, "safe_ddl: could not spell the deferred form of: %s",
			 original);
	sddl_queue_item(q, SDDL_DEFER_INDEX, relid, name, sql, original);
}

/* Mark every CHECK and FOREIGN KEY the ALTER TABLE adds NOT VALID. */
static void
sddl_not_valid(Constraint *c)
{
	if (!IsA(c, Constraint) ||
		(c->contype != CONSTR_CHECK && c->contype != CONSTR_FOREIGN))
		return;
	c->skip_validation = true;
	c->initially_valid = false;
}

static void
sddl_mark_not_valid(AlterTableStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst_node(AlterTableCmd, lc);

		if (cmd->subtype == AT_AddConstraint)
			sddl_not_valid((Constraint *) cmd->def);
		else if (cmd->subtype == AT_AddColumn && IsA(cmd->def, ColumnDef))
		{
			ListCell   *lc2;

			foreach(lc2, ((ColumnDef *) cmd->def)->constraints)
				sddl_not_valid((Constraint *) lfirst(lc2));
		}
	}
}

/* Is this a CHECK or FOREIGN KEY that is not validated? */
static bool
sddl_constraint_pending(Oid conoid)
{
	HeapTuple	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
	Form_pg_constraint con;
	bool		result;

	if (!HeapTupleIsValid(tup))
		return false;
	con = (Form_pg_constraint) GETSTRUCT(tup);
	result = !con->convalidated &&
		(con->contype == CONSTRAINT_CHECK || con->contype == CONSTRAINT_FOREIGN);
	ReleaseSysCache(tup);
	return result;
}

/*
 * ADD CHECK | FOREIGN KEY: the statement with NOT VALID now, with bounded
 * lock waits; queue VALIDATE CONSTRAINT for each constraint it added.
 */
static void
sddl_defer_validation(SddlAnalysis *analysis, Oid relid_of_finding,
					  SddlQueued *q, const char *original,
					  SddlLockStats *stats, SDDL_PROCESS_UTILITY_PARAMS)
{
	PlannedStmt *copy = (PlannedStmt *) copyObjectImpl(pstmt);
	AlterTableStmt *stmt = castNode(AlterTableStmt, copy->utilityStmt);
	Oid			relid = relid_of_finding;
	List	   *before = sddl_constraint_oids(relid);
	ListCell   *lc;

	sddl_mark_not_valid(stmt);
	sddl_execute_plain(analysis, stats, copy, queryString, true, context,
					   params, queryEnv, dest, qc);
	CommandCounterIncrement();

	foreach(lc, sddl_constraint_oids(relid))
	{
		Oid			conoid = lfirst_oid(lc);
		char	   *name;

		if (list_member_oid(before, conoid) || !sddl_constraint_pending(conoid))
			continue;
		name = sddl_constraint_name(conoid);
		sddl_queue_item(q, SDDL_DEFER_VALIDATION, relid, name,
						psprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s",
								 sddl_qualified_name(relid),
								 quote_identifier(name)),
						original);
	}
}

void
sddl_defer_statement(SddlAnalysis *analysis, SddlDecision *decision,
					 const char *original, SddlLockStats *stats,
					 SDDL_PROCESS_UTILITY_PARAMS)
{
	SddlQueued	q;

	initStringInfo(&q.notice);
	initStringInfo(&q.statements);
	stats->attempts = 1;
	if (decision->defer_kind == SDDL_DEFER_INDEX)
		sddl_defer_index(analysis, &q, original);
	else
		sddl_defer_validation(analysis, decision->finding->rel->relid, &q,
							  original, stats, pstmt,
							  queryString, readOnlyTree, context, params,
							  queryEnv, dest, qc);
	if (q.statements.len == 0)
		return;
	stats->rewritten_to = q.statements.data;
	decision->detail = psprintf("%s%s", decision->detail ? decision->detail : "",
								q.notice.data);
	sddl_report_decision(decision);
}
