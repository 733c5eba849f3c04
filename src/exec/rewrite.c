/*-------------------------------------------------------------------------
 *
 * rewrite.c
 *	  Safe equivalents of risky statements (see rewrite.h).
 *
 * The rewrites, all for a statement sent by the client in autocommit mode:
 *
 *	 CREATE [UNIQUE] INDEX			-> CREATE [UNIQUE] INDEX CONCURRENTLY
 *	 DROP INDEX (one, no CASCADE)	-> DROP INDEX CONCURRENTLY
 *	 REINDEX INDEX | TABLE			-> REINDEX ... CONCURRENTLY
 *	 DETACH PARTITION (no default)	-> DETACH PARTITION ... CONCURRENTLY
 *	 REFRESH MATERIALIZED VIEW		-> ... CONCURRENTLY (populated view with
 *									   a usable unique index)
 *	 ADD CONSTRAINT CHECK | FOREIGN KEY
 *									-> ADD ... NOT VALID; commit;
 *									   VALIDATE CONSTRAINT
 *	 ALTER COLUMN SET NOT NULL		-> ADD CHECK (col IS NOT NULL) NOT VALID;
 *									   commit; VALIDATE; commit; SET NOT NULL
 *									   (no scan thanks to the validated
 *									   CHECK); DROP the helper CHECK
 *	 ADD UNIQUE | PRIMARY KEY		-> CREATE UNIQUE INDEX CONCURRENTLY;
 *									   ADD CONSTRAINT ... USING INDEX
 *
 * Multi-transaction sequences work like DefineIndex's concurrent path: the
 * active snapshot is popped, the transaction committed and a new one
 * started; nothing transaction-local (relation, snapshot, SPI connection)
 * is held across.  Steps run through the rest of the hook chain as
 * safe_ddl's own statements (exec/chain.h), which its hook lets pass.
 *
 * Undo: each step that leaves something behind registers how to remove it
 * before it can leave it (INVALID indexes appearing on a table) or right
 * after it (a NOT VALID constraint).  On any error or cancel, the
 * transaction is aborted, a fresh one runs the undo actions, and the
 * original error is re-thrown.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/exec/rewrite.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "commands/defrem.h"
#include "common/keywords.h"
#include "lib/stringinfo.h"
#include "nodes/makefuncs.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "tcop/dest.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "compat.h"
#include "exec/chain.h"
#include "exec/rewrite.h"

typedef enum SddlRewriteKind
{
	SDDL_RW_NONE,
	SDDL_RW_CREATE_INDEX,
	SDDL_RW_DROP_INDEX,
	SDDL_RW_REINDEX,
	SDDL_RW_DETACH,
	SDDL_RW_REFRESH,
	SDDL_RW_NOT_VALID,
	SDDL_RW_SET_NOT_NULL,
	SDDL_RW_UNIQUE
} SddlRewriteKind;

/* One way to undo part of a rewrite. */
typedef struct SddlUndo
{
	char	   *sql;			/* run this (must be idempotent), or */
	List	   *relids;			/* drop INVALID indexes of these relations */
	List	   *before;			/* ... that are not among these index OIDs */
} SddlUndo;

/* State of one rewrite; lives in the context that survives the commits. */
typedef struct SddlRewrite
{
	MemoryContext cxt;
	List	   *undo;			/* SddlUndo *, run in order */
	/* for the translation of a failed helper CHECK into SET NOT NULL's error */
	char	   *helper;
	char	   *column;
	char	   *relname;
	/* hint for a failure that cannot be undone, or NULL */
	char	   *unfinished_hint;
	SddlLockStats *stats;		/* lock waits of the steps, for the log */
} SddlRewrite;

/*
 * Find the one relation a statement names, without locking it.
 */
static Oid
sddl_rangevar_oid(RangeVar *rv)
{
	if (rv == NULL)
		return InvalidOid;
	return RangeVarGetRelid(rv, NoLock, true);
}

static char *
sddl_qualified_name(Oid relid)
{
	char	   *nsp = get_namespace_name(get_rel_namespace(relid));
	char	   *rel = get_rel_name(relid);

	if (nsp == NULL || rel == NULL)
		elog(ERROR, "cache lookup failed for relation %u", relid);
	return quote_qualified_identifier(nsp, rel);
}

static Oid
sddl_toast_oid(Oid relid)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			toast;

	if (!HeapTupleIsValid(tup))
		return InvalidOid;
	toast = ((Form_pg_class) GETSTRUCT(tup))->reltoastrelid;
	ReleaseSysCache(tup);
	return toast;
}

static bool
sddl_is_user_relation(Oid relid)
{
	Oid			nsp = get_rel_namespace(relid);

	return !IsCatalogRelationOid(relid) && !IsCatalogNamespace(nsp) &&
		!IsToastNamespace(nsp);
}

/*
 * For ALTER TABLE: the only subcommand, or NULL when there are several.
 */
static AlterTableCmd *
sddl_single_cmd(AlterTableStmt *stmt)
{
	if (list_length(stmt->cmds) != 1)
		return NULL;
	return lfirst_node(AlterTableCmd, list_head(stmt->cmds));
}

/*
 * Do all columns of this list (String nodes) have NOT NULL already?
 */
static bool
sddl_columns_not_null(Oid relid, List *keys)
{
	ListCell   *lc;

	foreach(lc, keys)
	{
		HeapTuple	tup = SearchSysCacheAttName(relid, strVal(lfirst(lc)));
		bool		notnull;

		if (!HeapTupleIsValid(tup))
			return false;
		notnull = ((Form_pg_attribute) GETSTRUCT(tup))->attnotnull;
		ReleaseSysCache(tup);
		if (!notnull)
			return false;
	}
	return true;
}

/*
 * Does the materialized view allow REFRESH ... CONCURRENTLY: populated, and
 * with a valid unique index on plain columns, without predicate?
 */
static bool
sddl_matview_refreshable_concurrently(Oid relid)
{
	HeapTuple	tup;
	bool		populated;
	Relation	indrel;
	SysScanDesc scan;
	ScanKeyData key;
	bool		usable = false;

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return false;
	populated = ((Form_pg_class) GETSTRUCT(tup))->relispopulated;
	ReleaseSysCache(tup);
	if (!populated)
		return false;

	indrel = table_open(IndexRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(indrel, IndexIndrelidIndexId, true, NULL, 1,
							  &key);
	while (!usable && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(tup);
		bool		plain = true;

		if (!idx->indisunique || !idx->indimmediate || !idx->indisvalid ||
			!heap_attisnull(tup, Anum_pg_index_indpred, NULL) ||
			!heap_attisnull(tup, Anum_pg_index_indexprs, NULL))
			continue;
		for (int i = 0; i < idx->indnkeyatts; i++)
		{
			if (idx->indkey.values[i] <= 0)
				plain = false;
		}
		usable = plain;
	}
	systable_endscan(scan);
	table_close(indrel, AccessShareLock);
	return usable;
}

/*
 * The OIDs of the INVALID indexes of a relation.
 */
static List *
sddl_invalid_indexes(Oid relid)
{
	Relation	indrel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	List	   *result = NIL;

	indrel = table_open(IndexRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(indrel, IndexIndrelidIndexId, true, NULL, 1,
							  &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(tup);

		if (!idx->indisvalid)
			result = lappend_oid(result, idx->indexrelid);
	}
	systable_endscan(scan);
	table_close(indrel, AccessShareLock);
	return result;
}

/*
 * The constraints of a relation: OIDs, in a list, and names of those that
 * are not validated, by OID.
 */
static List *
sddl_constraint_oids(Oid relid)
{
	Relation	conrel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	List	   *result = NIL;

	conrel = table_open(ConstraintRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(conrel, ConstraintRelidTypidNameIndexId, true,
							  NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		result = lappend_oid(result, ((Form_pg_constraint) GETSTRUCT(tup))->oid);
	systable_endscan(scan);
	table_close(conrel, AccessShareLock);
	return result;
}

static char *
sddl_constraint_name(Oid conoid)
{
	HeapTuple	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
	char	   *name;

	if (!HeapTupleIsValid(tup))
		return NULL;
	name = pstrdup(NameStr(((Form_pg_constraint) GETSTRUCT(tup))->conname));
	ReleaseSysCache(tup);
	return name;
}

/*
 * Which rewrite applies to this statement, or SDDL_RW_NONE.  Checks
 * everything that does not depend on where the statement runs.
 */
static SddlRewriteKind
sddl_rewrite_kind(Node *node)
{
	switch (nodeTag(node))
	{
		case T_IndexStmt:
			{
				IndexStmt  *stmt = (IndexStmt *) node;
				Oid			relid = sddl_rangevar_oid(stmt->relation);

				/* CONCURRENTLY does not support partitioned tables */
				if (stmt->concurrent || !OidIsValid(relid) ||
					(get_rel_relkind(relid) != RELKIND_RELATION &&
					 get_rel_relkind(relid) != RELKIND_MATVIEW) ||
					!sddl_is_user_relation(relid))
					return SDDL_RW_NONE;
				return SDDL_RW_CREATE_INDEX;
			}
		case T_DropStmt:
			{
				DropStmt   *stmt = (DropStmt *) node;
				Oid			relid;

				if (stmt->removeType != OBJECT_INDEX || stmt->concurrent ||
					list_length(stmt->objects) != 1 ||
					stmt->behavior == DROP_CASCADE)
					return SDDL_RW_NONE;
				relid = sddl_rangevar_oid(makeRangeVarFromNameList(linitial(stmt->objects)));
				if (!OidIsValid(relid) ||
					get_rel_relkind(relid) != RELKIND_INDEX ||
					!sddl_is_user_relation(relid))
					return SDDL_RW_NONE;
				return SDDL_RW_DROP_INDEX;
			}
		case T_ReindexStmt:
			{
				ReindexStmt *stmt = (ReindexStmt *) node;
				Oid			relid;
				ListCell   *lc;
				char		kind;

				if (stmt->kind != REINDEX_OBJECT_INDEX &&
					stmt->kind != REINDEX_OBJECT_TABLE)
					return SDDL_RW_NONE;
				foreach(lc, stmt->params)
				{
					if (strcmp(lfirst_node(DefElem, lc)->defname, "concurrently") == 0)
						return SDDL_RW_NONE;
				}
				relid = sddl_rangevar_oid(stmt->relation);
				if (!OidIsValid(relid) || !sddl_is_user_relation(relid))
					return SDDL_RW_NONE;
				kind = get_rel_relkind(relid);
				if (kind != RELKIND_INDEX && kind != RELKIND_RELATION &&
					kind != RELKIND_MATVIEW)
					return SDDL_RW_NONE;
				return SDDL_RW_REINDEX;
			}
		case T_RefreshMatViewStmt:
			{
				RefreshMatViewStmt *stmt = (RefreshMatViewStmt *) node;
				Oid			relid = sddl_rangevar_oid(stmt->relation);

				if (stmt->concurrent || stmt->skipData || !OidIsValid(relid) ||
					!sddl_matview_refreshable_concurrently(relid))
					return SDDL_RW_NONE;
				return SDDL_RW_REFRESH;
			}
		case T_AlterTableStmt:
			{
				AlterTableStmt *stmt = (AlterTableStmt *) node;
				AlterTableCmd *cmd = sddl_single_cmd(stmt);
				Oid			relid = sddl_rangevar_oid(stmt->relation);

				if (cmd == NULL || !OidIsValid(relid) ||
					!sddl_is_user_relation(relid))
					return SDDL_RW_NONE;
				if (cmd->subtype == AT_DetachPartition)
				{
					PartitionCmd *pc = (PartitionCmd *) cmd->def;

					if (pc->concurrent ||
						get_rel_relkind(relid) != RELKIND_PARTITIONED_TABLE ||
						OidIsValid(get_default_partition_oid(relid)))
						return SDDL_RW_NONE;
					return SDDL_RW_DETACH;
				}
				if (get_rel_relkind(relid) != RELKIND_RELATION)
					return SDDL_RW_NONE;
				if (cmd->subtype == AT_SetNotNull && cmd->name != NULL)
					return SDDL_RW_SET_NOT_NULL;
				if (cmd->subtype == AT_AddConstraint && IsA(cmd->def, Constraint))
				{
					Constraint *c = (Constraint *) cmd->def;

					if ((c->contype == CONSTR_CHECK ||
						 c->contype == CONSTR_FOREIGN) && !c->skip_validation)
						return SDDL_RW_NOT_VALID;
					if ((c->contype == CONSTR_UNIQUE ||
						 c->contype == CONSTR_PRIMARY) &&
						c->indexname == NULL && c->keys != NIL &&
						c->options == NIL &&
						(c->contype == CONSTR_UNIQUE ||
						 sddl_columns_not_null(relid, c->keys)))
						return SDDL_RW_UNIQUE;
				}
				return SDDL_RW_NONE;
			}
		default:
			return SDDL_RW_NONE;
	}
}

bool
sddl_rewrite_supported(SddlAnalysis *analysis)
{
	return sddl_rewrite_kind(analysis->stmt) != SDDL_RW_NONE;
}

/*
 * Text helpers: edit the statement's own text so that the SQL shown and
 * run keeps everything the user wrote (opclasses, WHERE, WITH, comments).
 */

/* The statement without trailing white space and semicolons. */
static char *
sddl_trimmed(const char *statement)
{
	char	   *s = pstrdup(statement);
	int			len = strlen(s);

	while (len > 0 && (isspace((unsigned char) s[len - 1]) || s[len - 1] == ';'))
		s[--len] = '\0';
	return s;
}

/*
 * Offset just after the first occurrence of keyword kw (lower case) as a
 * token outside parentheses, or -1.
 */
static int
sddl_after_keyword(const char *sql, const char *kw)
{
	core_yyscan_t yyscanner;
	core_yy_extra_type yyextra;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;
	int			kwnum = ScanKeywordLookup(kw, &ScanKeywords);
	int			kwtoken;
	int			depth = 0;
	int			result = -1;

	if (kwnum < 0)
		return -1;
	kwtoken = ScanKeywordTokens[kwnum];
	yyscanner = scanner_init(sql, &yyextra, &ScanKeywords, ScanKeywordTokens);
	for (;;)
	{
		int			tok = core_yylex(&yylval, &yylloc, yyscanner);

		if (tok == 0)
			break;
		if (tok == '(')
			depth++;
		else if (tok == ')')
			depth--;
		else if (depth == 0 && tok == kwtoken)
		{
			result = yylloc + strlen(kw);
			break;
		}
	}
	scanner_finish(yyscanner);
	return result;
}

/*
 * What goes between a statement and words appended to it: a newline when
 * the statement may end in a -- comment, which would swallow them.
 */
static const char *
sddl_append_sep(const char *sql)
{
	return strstr(sql, "--") ? "\n" : " ";
}

/* sql with text inserted at offset pos */
static char *
sddl_insert_at(const char *sql, int pos, const char *text)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, sql, pos);
	appendStringInfoString(&buf, text);
	appendStringInfoString(&buf, sql + pos);
	return buf.data;
}

/* sql with " CONCURRENTLY" after keyword kw, or NULL */
static char *
sddl_add_concurrently(const char *sql, const char *kw)
{
	int			pos = sddl_after_keyword(sql, kw);

	if (pos < 0)
		return NULL;
	return sddl_insert_at(sql, pos, " CONCURRENTLY");
}

/* the column list of a UNIQUE / PRIMARY KEY constraint, quoted */
static char *
sddl_column_list(List *keys)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, keys)
		appendStringInfo(&buf, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
						 quote_identifier(strVal(lfirst(lc))));
	return buf.data;
}

/* name the index of a UNIQUE / PRIMARY KEY constraint gets */
static char *
sddl_unique_index_name(Oid relid, Constraint *c)
{
	StringInfoData cols;
	ListCell   *lc;

	if (c->conname != NULL)
		return pstrdup(c->conname);
	if (c->contype == CONSTR_PRIMARY)
		return ChooseRelationName(get_rel_name(relid), NULL, "pkey",
								  get_rel_namespace(relid), true);
	initStringInfo(&cols);
	foreach(lc, c->keys)
		appendStringInfo(&cols, "%s%s", foreach_current_index(lc) > 0 ? "_" : "",
						 strVal(lfirst(lc)));
	return ChooseRelationName(get_rel_name(relid), cols.data, "key",
							  get_rel_namespace(relid), true);
}

static char *
sddl_unique_create_sql(Oid relid, Constraint *c, const char *idxname)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE UNIQUE INDEX CONCURRENTLY %s ON %s (%s)",
					 quote_identifier(idxname), sddl_qualified_name(relid),
					 sddl_column_list(c->keys));
	if (c->including != NIL)
		appendStringInfo(&buf, " INCLUDE (%s)", sddl_column_list(c->including));
	if (SddlConstraintNullsNotDistinct(c))
		appendStringInfoString(&buf, " NULLS NOT DISTINCT");
	if (c->indexspace != NULL)
		appendStringInfo(&buf, " TABLESPACE %s", quote_identifier(c->indexspace));
	return buf.data;
}

static char *
sddl_unique_attach_sql(Oid relid, Constraint *c, const char *idxname)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s",
					 sddl_qualified_name(relid), quote_identifier(idxname),
					 c->contype == CONSTR_PRIMARY ? "PRIMARY KEY" : "UNIQUE",
					 quote_identifier(idxname));
	if (c->deferrable)
		appendStringInfoString(&buf, " DEFERRABLE");
	if (c->initdeferred)
		appendStringInfoString(&buf, " INITIALLY DEFERRED");
	return buf.data;
}

static char *
sddl_not_null_helper_name(Oid relid, const char *column)
{
	return ChooseConstraintName(get_rel_name(relid), column,
								"safe_ddl_not_null",
								get_rel_namespace(relid), NIL);
}

char *
sddl_safe_sql(SddlAnalysis *analysis, const char *statement)
{
	SddlRewriteKind kind = sddl_rewrite_kind(analysis->stmt);
	char	   *sql;
	AlterTableCmd *cmd = NULL;
	Oid			relid = InvalidOid;

	if (kind == SDDL_RW_NONE || statement == NULL || statement[0] == '\0')
		return NULL;
	sql = sddl_trimmed(statement);
	if (IsA(analysis->stmt, AlterTableStmt))
	{
		cmd = sddl_single_cmd((AlterTableStmt *) analysis->stmt);
		relid = sddl_rangevar_oid(((AlterTableStmt *) analysis->stmt)->relation);
	}

	switch (kind)
	{
		case SDDL_RW_CREATE_INDEX:
		case SDDL_RW_DROP_INDEX:
			sql = sddl_add_concurrently(sql, "index");
			break;
		case SDDL_RW_REINDEX:
			sql = sddl_add_concurrently(sql,
										((ReindexStmt *) analysis->stmt)->kind == REINDEX_OBJECT_INDEX ?
										"index" : "table");
			break;
		case SDDL_RW_REFRESH:
			sql = sddl_add_concurrently(sql, "view");
			break;
		case SDDL_RW_DETACH:
			sql = psprintf("%s%sCONCURRENTLY", sql, sddl_append_sep(sql));
			break;
		case SDDL_RW_NOT_VALID:
			{
				Constraint *c;

				if (cmd == NULL)
					return NULL;
				c = (Constraint *) cmd->def;

				sql = psprintf("%s%sNOT VALID;\nALTER TABLE %s VALIDATE CONSTRAINT %s",
							   sql, sddl_append_sep(sql), sddl_qualified_name(relid),
							   c->conname ? quote_identifier(c->conname) :
							   "<constraint name>");
				break;
			}
		case SDDL_RW_SET_NOT_NULL:
			{
				const char *helper;
				char	   *rel;

				if (cmd == NULL)
					return NULL;
				helper = quote_identifier(sddl_not_null_helper_name(relid, cmd->name));
				rel = sddl_qualified_name(relid);

				sql = psprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID;\n"
							   "ALTER TABLE %s VALIDATE CONSTRAINT %s;\n"
							   "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL;\n"
							   "ALTER TABLE %s DROP CONSTRAINT %s",
							   rel, helper, quote_identifier(cmd->name),
							   rel, helper,
							   rel, quote_identifier(cmd->name),
							   rel, helper);
				break;
			}
		case SDDL_RW_UNIQUE:
			{
				Constraint *c;
				char	   *idx;

				if (cmd == NULL)
					return NULL;
				c = (Constraint *) cmd->def;
				idx = sddl_unique_index_name(relid, c);

				sql = psprintf("%s;\n%s", sddl_unique_create_sql(relid, c, idx),
							   sddl_unique_attach_sql(relid, c, idx));
				break;
			}
		case SDDL_RW_NONE:
			return NULL;
	}
	if (sql == NULL)
		return NULL;
	return psprintf("%s;", sql);
}

/*
 * Execution helpers.
 */

/*
 * Run a statement of safe_ddl's own through the rest of the hook chain.
 * bounded: a step that takes a strong lock in one transaction gets bounded
 * lock waits, like any statement safe_ddl lets through, and adds them to
 * these stats; NULL for the CONCURRENTLY forms, which wait their own way.
 */
static void
sddl_call_internal(PlannedStmt *pstmt, const char *queryString,
				   ParamListInfo params, QueryEnvironment *queryEnv,
				   QueryCompletion *qc, SddlLockStats *bounded)
{
	if (bounded != NULL)
	{
		SddlLockStats stepstats = {0};

		sddl_execute_step(&stepstats, pstmt, queryString, params, queryEnv,
						  qc);
		bounded->wait_ms += stepstats.wait_ms;
		bounded->attempts += stepstats.attempts > 1 ? stepstats.attempts - 1 : 0;
		if (stepstats.blockers != NULL)
			bounded->blockers = stepstats.blockers;
	}
	else
		sddl_chain_next_internal(pstmt, queryString, true,
								 PROCESS_UTILITY_TOPLEVEL, params, queryEnv,
								 None_Receiver, qc);
}

/*
 * Run one utility statement through the rest of the hook chain, at top
 * level, as safe_ddl's own.  Pushes a snapshot when none is active (after
 * an internal commit), as PortalRunUtility would.
 */
static void
sddl_run_planned(PlannedStmt *pstmt, const char *queryString,
				 ParamListInfo params, QueryEnvironment *queryEnv,
				 QueryCompletion *qc, SddlLockStats *bounded)
{
	QueryCompletion localqc;
	MemoryContext cxt = CurrentMemoryContext;
	bool		pushed = false;

	if (qc == NULL)
	{
		InitializeQueryCompletion(&localqc);
		qc = &localqc;
	}
	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	sddl_call_internal(pstmt, queryString, params, queryEnv, qc, bounded);
	/* CONCURRENTLY forms pop the snapshot themselves and commit */
	if (pushed && ActiveSnapshotSet())
		PopActiveSnapshot();
	CommandCounterIncrement();
	/* after an internal commit, the current context is the new transaction's */
	MemoryContextSwitchTo(cxt);
}

/* Run SQL text of utility statements built by safe_ddl. */
static void
sddl_run_sql(const char *sql, QueryCompletion *qc, SddlLockStats *bounded)
{
	List	   *raw = raw_parser(sql, RAW_PARSE_DEFAULT);
	ListCell   *lc;

	foreach(lc, raw)
	{
		RawStmt    *rs = lfirst_node(RawStmt, lc);
		PlannedStmt *ps = makeNode(PlannedStmt);

		ps->commandType = CMD_UTILITY;
		ps->canSetTag = true;
		ps->utilityStmt = rs->stmt;
		ps->stmt_location = rs->stmt_location;
		ps->stmt_len = rs->stmt_len;
		sddl_run_planned(ps, sql, NULL, NULL, qc, bounded);
	}
}

/* Commit what is done so far and start a new transaction. */
static void
sddl_commit(SddlRewrite *rw)
{
	while (ActiveSnapshotSet())
		PopActiveSnapshot();
	CommitTransactionCommand();
	StartTransactionCommand();
	MemoryContextSwitchTo(rw->cxt);
}

static void
sddl_undo_sql(SddlRewrite *rw, char *sql)
{
	MemoryContext old = MemoryContextSwitchTo(rw->cxt);
	SddlUndo   *u = palloc0(sizeof(SddlUndo));

	u->sql = pstrdup(sql);
	rw->undo = lappend(rw->undo, u);
	MemoryContextSwitchTo(old);
}

/* Register: drop the INVALID indexes that appear on these relations. */
static void
sddl_undo_new_invalid_indexes(SddlRewrite *rw, List *relids)
{
	MemoryContext old = MemoryContextSwitchTo(rw->cxt);
	SddlUndo   *u = palloc0(sizeof(SddlUndo));
	ListCell   *lc;

	u->relids = list_copy(relids);
	foreach(lc, relids)
		u->before = list_concat(u->before, sddl_invalid_indexes(lfirst_oid(lc)));
	rw->undo = lappend(rw->undo, u);
	MemoryContextSwitchTo(old);
}

/* Run one undo action in the current (fresh) transaction. */
static void
sddl_run_undo(SddlRewrite *rw, SddlUndo *u)
{
	ListCell   *lc;

	if (u->sql != NULL)
	{
		sddl_run_sql(u->sql, NULL, NULL);
		return;
	}
	foreach(lc, u->relids)
	{
		List	   *now = sddl_invalid_indexes(lfirst_oid(lc));
		ListCell   *lc2;

		foreach(lc2, now)
		{
			Oid			idx = lfirst_oid(lc2);
			char	   *sql;

			if (list_member_oid(u->before, idx))
				continue;
			sql = psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s",
						   sddl_qualified_name(idx));
			sddl_run_sql(sql, NULL, NULL);
			/* the drop committed: start from a fresh transaction state */
			MemoryContextSwitchTo(rw->cxt);
		}
	}
}

/*
 * After a failure: abort what the failed transaction did, then undo what
 * earlier, committed steps did, each in a fresh transaction.  Failures of
 * the undo itself are reported as WARNINGs: the user still gets the
 * original error.
 */
static void
sddl_undo_all(SddlRewrite *rw)
{
	ListCell   *lc;

	AbortCurrentTransaction();
	StartTransactionCommand();
	MemoryContextSwitchTo(rw->cxt);

	foreach(lc, rw->undo)
	{
		SddlUndo   *u = (SddlUndo *) lfirst(lc);

		PG_TRY();
		{
			sddl_run_undo(rw, u);
			sddl_commit(rw);
		}
		PG_CATCH();
		{
			ErrorData  *edata;

			MemoryContextSwitchTo(rw->cxt);
			edata = CopyErrorData();
			FlushErrorState();
			AbortCurrentTransaction();
			StartTransactionCommand();
			MemoryContextSwitchTo(rw->cxt);
			ereport(WARNING,
					(errmsg("safe_ddl could not undo a step of its rewrite: %s",
							edata->message),
					 u->sql ? errdetail("The undo statement was: %s", u->sql) : 0,
					 errhint("Drop what it left behind by hand: INVALID indexes (pg_index.indisvalid = false) with DROP INDEX CONCURRENTLY, NOT VALID constraints (pg_constraint.convalidated = false) with ALTER TABLE ... DROP CONSTRAINT.")));
		}
		PG_END_TRY();
	}
}

/*
 * Give the user the error the original statement would have given, where
 * a step of the rewrite words it differently.
 */
static void
sddl_translate_error(SddlRewrite *rw, ErrorData *edata)
{
	if (rw->helper != NULL && edata->sqlerrcode == ERRCODE_CHECK_VIOLATION &&
		edata->constraint_name != NULL &&
		strcmp(edata->constraint_name, rw->helper) == 0)
	{
		edata->sqlerrcode = ERRCODE_NOT_NULL_VIOLATION;
		edata->message = psprintf("column \"%s\" of relation \"%s\" contains null values",
								  rw->column, rw->relname);
		edata->detail = NULL;
		edata->constraint_name = NULL;
		edata->column_name = rw->column;
	}
	if (rw->unfinished_hint != NULL && edata->hint == NULL)
		edata->hint = rw->unfinished_hint;
}

/*
 * The steps of each rewrite.  Each gets a copy of the statement it may
 * modify.
 */
static void
sddl_rewrite_steps(SddlRewrite *rw, SddlRewriteKind kind, PlannedStmt *copy,
				   const char *queryString, ParamListInfo params,
				   QueryEnvironment *queryEnv, QueryCompletion *qc)
{
	Node	   *node = copy->utilityStmt;

	switch (kind)
	{
		case SDDL_RW_CREATE_INDEX:
			{
				IndexStmt  *stmt = (IndexStmt *) node;

				sddl_undo_new_invalid_indexes(rw, list_make1_oid(sddl_rangevar_oid(stmt->relation)));
				stmt->concurrent = true;
				sddl_run_planned(copy, queryString, params, queryEnv, qc, NULL);
				break;
			}
		case SDDL_RW_DROP_INDEX:
			{
				DropStmt   *stmt = (DropStmt *) node;
				Oid			idx = sddl_rangevar_oid(makeRangeVarFromNameList(linitial(stmt->objects)));

				/*
				 * Interrupted after its first commit, DROP INDEX CONCURRENTLY
				 * leaves the index INVALID; only finishing the drop helps.
				 */
				rw->unfinished_hint = MemoryContextStrdup(rw->cxt,
														  psprintf("If the index is left INVALID, finish with: DROP INDEX CONCURRENTLY %s;",
																   sddl_qualified_name(idx)));
				stmt->concurrent = true;
				sddl_run_planned(copy, queryString, params, queryEnv, qc, NULL);
				break;
			}
		case SDDL_RW_REINDEX:
			{
				ReindexStmt *stmt = (ReindexStmt *) node;
				Oid			relid = sddl_rangevar_oid(stmt->relation);
				List	   *relids;

				if (get_rel_relkind(relid) == RELKIND_INDEX)
					relids = list_make1_oid(IndexGetRelation(relid, false));
				else
				{
					Oid			toast = sddl_toast_oid(relid);

					relids = list_make1_oid(relid);
					if (OidIsValid(toast))
						relids = lappend_oid(relids, toast);
				}
				sddl_undo_new_invalid_indexes(rw, relids);
				stmt->params = lappend(stmt->params,
									   makeDefElem("concurrently", NULL, -1));
				sddl_run_planned(copy, queryString, params, queryEnv, qc, NULL);
				break;
			}
		case SDDL_RW_REFRESH:
			((RefreshMatViewStmt *) node)->concurrent = true;
			sddl_run_planned(copy, queryString, params, queryEnv, qc, NULL);
			break;
		case SDDL_RW_DETACH:
			{
				AlterTableCmd *cmd = sddl_single_cmd((AlterTableStmt *) node);
				PartitionCmd *pc = (PartitionCmd *) cmd->def;
				Oid			parent = sddl_rangevar_oid(((AlterTableStmt *) node)->relation);

				/*
				 * Interrupted after its first commit, DETACH ... CONCURRENTLY
				 * leaves the partition pending detach; only FINALIZE helps.
				 */
				rw->unfinished_hint = MemoryContextStrdup(rw->cxt,
														  psprintf("If the partition is left pending detach, finish with: ALTER TABLE %s DETACH PARTITION %s FINALIZE;",
																   sddl_qualified_name(parent),
																   quote_qualified_identifier(pc->name->schemaname,
																							  pc->name->relname)));
				pc->concurrent = true;
				sddl_run_planned(copy, queryString, params, queryEnv, qc, NULL);
				break;
			}
		case SDDL_RW_NOT_VALID:
			{
				AlterTableStmt *stmt = (AlterTableStmt *) node;
				AlterTableCmd *cmd = sddl_single_cmd(stmt);
				Constraint *c = (Constraint *) cmd->def;
				Oid			relid = sddl_rangevar_oid(stmt->relation);
				char	   *rel = sddl_qualified_name(relid);
				List	   *before = sddl_constraint_oids(relid);
				List	   *added = NIL;
				ListCell   *lc;

				c->skip_validation = true;
				c->initially_valid = false;
				sddl_run_planned(copy, queryString, params, queryEnv, qc, rw->stats);

				foreach(lc, sddl_constraint_oids(relid))
				{
					Oid			conoid = lfirst_oid(lc);
					char	   *name;

					if (list_member_oid(before, conoid))
						continue;
					name = sddl_constraint_name(conoid);
					if (name == NULL)
						continue;
					sddl_undo_sql(rw, psprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s",
											   rel, quote_identifier(name)));
					added = lappend(added, MemoryContextStrdup(rw->cxt, name));
				}
				sddl_commit(rw);
				foreach(lc, added)
					sddl_run_sql(psprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s",
										  rel, quote_identifier((char *) lfirst(lc))),
								 NULL, rw->stats);
				break;
			}
		case SDDL_RW_SET_NOT_NULL:
			{
				AlterTableStmt *stmt = (AlterTableStmt *) node;
				AlterTableCmd *cmd = sddl_single_cmd(stmt);
				Oid			relid = sddl_rangevar_oid(stmt->relation);
				char	   *rel = sddl_qualified_name(relid);
				char	   *helper;
				char	   *qhelper;

				helper = MemoryContextStrdup(rw->cxt,
											 sddl_not_null_helper_name(relid, cmd->name));
				qhelper = MemoryContextStrdup(rw->cxt, quote_identifier(helper));
				rw->column = MemoryContextStrdup(rw->cxt, cmd->name);
				rw->relname = MemoryContextStrdup(rw->cxt, get_rel_name(relid));
				rel = MemoryContextStrdup(rw->cxt, rel);

				sddl_run_sql(psprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID",
									  rel, qhelper, quote_identifier(cmd->name)),
							 NULL, rw->stats);
				sddl_undo_sql(rw, psprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s",
										   rel, qhelper));
				rw->helper = helper;
				sddl_commit(rw);
				sddl_run_sql(psprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s",
									  rel, qhelper), NULL, rw->stats);
				sddl_commit(rw);
				/* the original statement: no scan now */
				sddl_run_planned(copy, queryString, params, queryEnv, qc, rw->stats);
				sddl_run_sql(psprintf("ALTER TABLE %s DROP CONSTRAINT %s",
									  rel, qhelper), NULL, rw->stats);
				break;
			}
		case SDDL_RW_UNIQUE:
			{
				AlterTableStmt *stmt = (AlterTableStmt *) node;
				AlterTableCmd *cmd = sddl_single_cmd(stmt);
				Constraint *c = (Constraint *) cmd->def;
				Oid			relid = sddl_rangevar_oid(stmt->relation);
				char	   *idx = MemoryContextStrdup(rw->cxt,
													  sddl_unique_index_name(relid, c));
				char	   *create = MemoryContextStrdup(rw->cxt,
														 sddl_unique_create_sql(relid, c, idx));
				char	   *attach = MemoryContextStrdup(rw->cxt,
														 sddl_unique_attach_sql(relid, c, idx));
				char	   *drop = psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s",
											quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
																	   idx));

				drop = MemoryContextStrdup(rw->cxt, drop);
				sddl_undo_new_invalid_indexes(rw, list_make1_oid(relid));
				sddl_run_sql(create, NULL, NULL);
				/* the index now exists and is ours: drop it if attaching fails */
				MemoryContextSwitchTo(rw->cxt);
				sddl_undo_sql(rw, drop);
				sddl_run_sql(attach, qc, rw->stats);
				break;
			}
		case SDDL_RW_NONE:
			elog(ERROR, "safe_ddl: no rewrite for this statement");
	}
}

void
sddl_execute_rewrite(SddlAnalysis *analysis, const char *safe_sql,
					 SddlLockStats *stats, SDDL_PROCESS_UTILITY_PARAMS)
{
	SddlRewrite *rw = palloc0(sizeof(SddlRewrite));
	SddlRewriteKind kind = sddl_rewrite_kind(pstmt->utilityStmt);
	PlannedStmt *copy = (PlannedStmt *) copyObjectImpl(pstmt);

	/*
	 * The catalog may have changed since policy looked (a concurrent DROP
	 * of the default partition, a new unique index): without a rewrite,
	 * run the statement as given.
	 */
	if (kind == SDDL_RW_NONE)
	{
		sddl_execute_plain(analysis, stats, pstmt, queryString, readOnlyTree,
						   context, params, queryEnv, dest, qc);
		return;
	}

	rw->cxt = CurrentMemoryContext;
	rw->stats = stats;
	stats->attempts = 1;
	stats->rewritten_to = safe_sql ? pstrdup(safe_sql) : NULL;

	PG_TRY();
	{
		sddl_rewrite_steps(rw, kind, copy, queryString, params, queryEnv, qc);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(rw->cxt);
		edata = CopyErrorData();
		FlushErrorState();
		sddl_undo_all(rw);
		sddl_translate_error(rw, edata);
		ReThrowError(edata);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(rw->cxt);
}
