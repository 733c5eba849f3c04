/*-------------------------------------------------------------------------
 *
 * rewrite_plan.c
 *	  The SQL of a statement's online form (see rewrite_plan.h).
 *
 *	 CREATE [UNIQUE] INDEX			-> CREATE [UNIQUE] INDEX CONCURRENTLY
 *	 DROP INDEX (one, no CASCADE)	-> DROP INDEX CONCURRENTLY
 *	 REINDEX INDEX | TABLE			-> REINDEX ... CONCURRENTLY
 *	 DETACH PARTITION (no default)	-> DETACH PARTITION ... CONCURRENTLY
 *	 REFRESH MATERIALIZED VIEW		-> ... CONCURRENTLY
 *	 ADD CONSTRAINT CHECK | FOREIGN KEY
 *									-> ADD ... NOT VALID; VALIDATE CONSTRAINT
 *	 ADD CONSTRAINT NOT NULL (18+)	-> ADD ... NOT VALID; VALIDATE CONSTRAINT
 *	 ALTER COLUMN SET NOT NULL		-> ADD CHECK (col IS NOT NULL) NOT VALID;
 *									   VALIDATE; SET NOT NULL; DROP the CHECK
 *	   (from 18)					-> ADD CONSTRAINT ... NOT NULL col NOT
 *									   VALID; VALIDATE CONSTRAINT
 *	 ADD UNIQUE | PRIMARY KEY		-> CREATE UNIQUE INDEX CONCURRENTLY;
 *									   ADD CONSTRAINT ... USING INDEX
 *	 VACUUM FULL | CLUSTER | REPACK (19)
 *									-> REPACK (CONCURRENTLY) [USING INDEX]
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/policy/rewrite_plan.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/defrem.h"
#include "common/keywords.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "utils/builtins.h"

#include "compat.h"
#include "policy/rewrite_plan.h"

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

/*
 * The span [*start, *end) of the relation name that follows keyword kw
 * (and an optional ONLY): name tokens joined by '.'.  False when the
 * statement does not have that shape.
 */
static bool
sddl_relation_span(const char *sql, const char *kw, int *start, int *end)
{
	core_yyscan_t yyscanner;
	core_yy_extra_type yyextra;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;
	int			pos = sddl_after_keyword(sql, kw);
	int			only = ScanKeywordTokens[ScanKeywordLookup("only", &ScanKeywords)];
	int			tok;
	bool		want_name = true;

	if (pos < 0)
		return false;
	*start = -1;
	*end = -1;
	yyscanner = scanner_init(sql + pos, &yyextra, &ScanKeywords,
							 ScanKeywordTokens);
	while ((tok = core_yylex(&yylval, &yylloc, yyscanner)) != 0)
	{
		if (*start < 0 && tok == only)
			continue;
		if (want_name && tok != '.' && tok != '(' && tok != ';')
		{
			if (*start < 0)
				*start = pos + yylloc;
			want_name = false;
			continue;
		}
		if (!want_name && tok == '.')
		{
			want_name = true;
			continue;
		}
		*end = pos + yylloc;
		break;
	}
	scanner_finish(yyscanner);
	if (*start < 0 || *end < 0 || want_name)
		return false;
	while (*end > *start && isspace((unsigned char) sql[*end - 1]))
		(*end)--;
	return true;
}

/* Does the text after CREATE INDEX start with a name (not with ON)? */
static bool
sddl_names_index(const char *rest)
{
	core_yyscan_t yyscanner;
	core_yy_extra_type yyextra;
	core_YYSTYPE yylval;
	YYLTYPE		yylloc;
	int			tok;

	yyscanner = scanner_init(rest, &yyextra, &ScanKeywords, ScanKeywordTokens);
	tok = core_yylex(&yylval, &yylloc, yyscanner);
	scanner_finish(yyscanner);
	return tok != ScanKeywordTokens[ScanKeywordLookup("on", &ScanKeywords)];
}

char *
sddl_deferred_index_sql(const char *statement, const char *new_name,
						const char *qualified_rel)
{
	char	   *sql = sddl_trimmed(statement);
	int			start;
	int			end;
	int			pos;
	StringInfoData buf;

	/* the relation first: inserting the name shifts the offsets after it */
	if (!sddl_relation_span(sql, "on", &start, &end))
		return NULL;
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, sql, start);
	appendStringInfoString(&buf, qualified_rel);
	appendStringInfoString(&buf, sql + end);
	sql = buf.data;

	pos = sddl_after_keyword(sql, "index");
	if (pos < 0)
		return NULL;
	/* "INDEX ON" names no index: name it */
	return sddl_insert_at(sql, pos,
						  sddl_names_index(sql + pos) ? " CONCURRENTLY" :
						  psprintf(" CONCURRENTLY %s",
								   quote_identifier(new_name)));
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

static char *
sddl_unique_create_sql(const SddlOnlineFacts *o, Constraint *c)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "CREATE UNIQUE INDEX CONCURRENTLY %s ON %s (%s)",
					 quote_identifier(o->new_name),
					 quote_qualified_identifier(o->nspname, o->relname),
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
sddl_unique_attach_sql(const SddlOnlineFacts *o, Constraint *c)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s",
					 quote_qualified_identifier(o->nspname, o->relname),
					 quote_identifier(o->new_name),
					 c->contype == CONSTR_PRIMARY ? "PRIMARY KEY" : "UNIQUE",
					 quote_identifier(o->new_name));
	if (c->deferrable)
		appendStringInfoString(&buf, " DEFERRABLE");
	if (c->initdeferred)
		appendStringInfoString(&buf, " INITIALLY DEFERRED");
	return buf.data;
}

#ifdef SDDL_HAS_NOTNULL_CONSTRAINTS
/*
 * From 18: the NOT NULL constraint SET NOT NULL would create, added NOT
 * VALID (a brief ACCESS EXCLUSIVE, no scan), then validated under SHARE
 * UPDATE EXCLUSIVE; or only the validation of the column's NOT VALID one.
 * ONLY stays ONLY.  The result is SET NOT NULL's: the same constraint,
 * validated, and attnotnull set.
 */
static char *
sddl_set_not_null_sql(SddlAnalysis *analysis, const SddlOnlineFacts *o,
					  const char *column)
{
	AlterTableStmt *stmt = castNode(AlterTableStmt, analysis->stmt);
	char	   *rel = psprintf("%s%s", stmt->relation->inh ? "" : "ONLY ",
							   quote_qualified_identifier(o->nspname, o->relname));
	char	   *validate = psprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s",
									rel, quote_identifier(o->new_name));

	if (o->validate_only)
		return validate;
	return psprintf("ALTER TABLE %s ADD CONSTRAINT %s NOT NULL %s NOT VALID;\n%s",
					rel, quote_identifier(o->new_name), quote_identifier(column),
					validate);
}
#else
static char *
sddl_set_not_null_sql(SddlAnalysis *analysis, const SddlOnlineFacts *o,
					  const char *column)
{
	const char *rel = quote_qualified_identifier(o->nspname, o->relname);
	const char *helper = quote_identifier(o->new_name);

	return psprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID;\n"
					"ALTER TABLE %s VALIDATE CONSTRAINT %s;\n"
					"ALTER TABLE %s ALTER COLUMN %s SET NOT NULL;\n"
					"ALTER TABLE %s DROP CONSTRAINT %s",
					rel, helper, quote_identifier(column),
					rel, helper,
					rel, quote_identifier(column),
					rel, helper);
}
#endif

#ifdef SDDL_HAS_REPACK
/*
 * REPACK (CONCURRENTLY) of the statement's one table, with its VERBOSE and
 * ANALYZE options; CLUSTER and REPACK ... USING INDEX keep their order
 * (the named index, or the one the table is clustered on).
 */
static char *
sddl_repack_sql(SddlAnalysis *analysis, const SddlOnlineFacts *o)
{
	StringInfoData buf;
	List	   *options;
	bool		using_index = false;
	const char *index = NULL;
	ListCell   *lc;

	if (IsA(analysis->stmt, VacuumStmt))
		options = ((VacuumStmt *) analysis->stmt)->options;
	else
	{
		RepackStmt *stmt = castNode(RepackStmt, analysis->stmt);

		options = stmt->params;
		using_index = stmt->usingindex || stmt->command == REPACK_COMMAND_CLUSTER;
		index = stmt->indexname;
	}
	initStringInfo(&buf);
	appendStringInfoString(&buf, "REPACK (CONCURRENTLY");
	foreach(lc, options)
	{
		DefElem    *opt = lfirst_node(DefElem, lc);

		if ((strcmp(opt->defname, "verbose") == 0 ||
			 strcmp(opt->defname, "analyze") == 0) &&
			(opt->arg == NULL || defGetBoolean(opt)))
			appendStringInfo(&buf, ", %s",
							 strcmp(opt->defname, "verbose") == 0 ? "VERBOSE" : "ANALYZE");
	}
	appendStringInfo(&buf, ") %s",
					 quote_qualified_identifier(o->nspname, o->relname));
	if (using_index)
		appendStringInfoString(&buf, " USING INDEX");
	if (using_index && index != NULL)
		appendStringInfo(&buf, " %s", quote_identifier(index));
	return buf.data;
}
#endif

bool
sddl_rewrite_supported(SddlAnalysis *analysis)
{
	return sddl_online_facts(analysis)->form != SDDL_ONLINE_NONE;
}

/* The only subcommand of an ALTER TABLE with an online form. */
static AlterTableCmd *
sddl_online_cmd(SddlAnalysis *analysis)
{
	return linitial_node(AlterTableCmd,
						 castNode(AlterTableStmt, analysis->stmt)->cmds);
}

char *
sddl_safe_sql(SddlAnalysis *analysis, const char *statement)
{
	const SddlOnlineFacts *o = sddl_online_facts(analysis);
	char	   *sql;

	if (o->form == SDDL_ONLINE_NONE || statement == NULL || statement[0] == '\0')
		return NULL;
	sql = sddl_trimmed(statement);

	switch (o->form)
	{
		case SDDL_ONLINE_CREATE_INDEX:
		case SDDL_ONLINE_DROP_INDEX:
			sql = sddl_add_concurrently(sql, "index");
			break;
		case SDDL_ONLINE_REINDEX:
			sql = sddl_add_concurrently(sql,
										((ReindexStmt *) analysis->stmt)->kind == REINDEX_OBJECT_INDEX ?
										"index" : "table");
			break;
		case SDDL_ONLINE_REFRESH:
			sql = sddl_add_concurrently(sql, "view");
			break;
		case SDDL_ONLINE_DETACH:
			sql = psprintf("%s%sCONCURRENTLY", sql, sddl_append_sep(sql));
			break;
		case SDDL_ONLINE_NOT_VALID:
			{
				Constraint *c = castNode(Constraint, sddl_online_cmd(analysis)->def);

				sql = psprintf("%s%sNOT VALID;\nALTER TABLE %s VALIDATE CONSTRAINT %s",
							   sql, sddl_append_sep(sql),
							   quote_qualified_identifier(o->nspname, o->relname),
							   c->conname ? quote_identifier(c->conname) :
							   "<constraint name>");
				break;
			}
		case SDDL_ONLINE_SET_NOT_NULL:
			sql = sddl_set_not_null_sql(analysis, o,
										sddl_online_cmd(analysis)->name);
			break;
		case SDDL_ONLINE_REPACK:
#ifdef SDDL_HAS_REPACK
			sql = sddl_repack_sql(analysis, o);
#else
			sql = NULL;
#endif
			break;
		case SDDL_ONLINE_UNIQUE:
			{
				Constraint *c = castNode(Constraint, sddl_online_cmd(analysis)->def);

				sql = psprintf("%s;\n%s", sddl_unique_create_sql(o, c),
							   sddl_unique_attach_sql(o, c));
				break;
			}
		case SDDL_ONLINE_NONE:
			return NULL;
	}
	if (sql == NULL)
		return NULL;
	return psprintf("%s;", sql);
}
