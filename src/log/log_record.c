/*-------------------------------------------------------------------------
 *
 * log_record.c
 *	  The column values of a lock log record, for the writer's two ways of
 *	  inserting it (log_insert.c directly, log_worker.c by SQL).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/log/log_record.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/dbcommands.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "log/log_shmem.h"

/*
 * The next item of a relation list, "schema.rel:LockMode" items separated
 * by commas (a comma or colon inside a double-quoted identifier does not
 * split): the relation and the lock mode (NULL without a colon), newly
 * allocated.  Returns false at the end of the list.
 */
static bool
sddl_log_next_relation(const char **pp, char **rel, char **mode)
{
	const char *p = *pp;
	const char *start;
	const char *end;
	const char *colon = NULL;
	bool		quoted = false;

	while (*p == ' ' || *p == ',')
		p++;
	if (*p == '\0')
		return false;
	start = p;
	for (; *p != '\0' && (quoted || *p != ','); p++)
	{
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ':' && !quoted)
			colon = p;
	}
	end = p;
	while (end > start && end[-1] == ' ')
		end--;
	*rel = pnstrdup(start, (colon ? colon : end) - start);
	*mode = colon ? pnstrdup(colon + 1, end - colon - 1) : NULL;
	*pp = p;
	return true;
}

/*
 * The relations of an event as JSON text: an array of {"relation": ...,
 * "lock_mode": ...}.
 */
static char *
sddl_log_relations_json(const char *list)
{
	StringInfoData buf;
	const char *p = list;
	char	   *rel;
	char	   *mode;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	while (sddl_log_next_relation(&p, &rel, &mode))
	{
		if (buf.len > 1)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, "{\"relation\": ");
		escape_json(&buf, rel);
		if (mode != NULL)
		{
			appendStringInfoString(&buf, ", \"lock_mode\": ");
			escape_json(&buf, mode);
		}
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/*
 * Push "key": "value" into an object being built.  The JsonbValue is zeroed
 * first: pushJsonbValue() copies it whole, union included, and valgrind
 * followed bytes of the union that were never set into the lock log's WAL
 * records.
 */
static void
sddl_log_push_pair(SddlJsonbBuild *state, const char *key, const char *value)
{
	JsonbValue	v;

	memset(&v, 0, sizeof(v));
	v.type = jbvString;
	v.val.string.val = (char *) key;
	v.val.string.len = strlen(key);
	(void) pushJsonbValue(state, WJB_KEY, &v);
	v.val.string.val = (char *) value;
	v.val.string.len = strlen(value);
	(void) pushJsonbValue(state, WJB_VALUE, &v);
}

/*
 * The same as jsonb, built directly: parsing the text costs several times
 * more than the rest of the row.
 */
static Datum
sddl_log_relations_jsonb(const char *list)
{
	SddlJsonbBuild state;
	const char *p = list;
	char	   *rel;
	char	   *mode;
	JsonbValue *array;

	memset(&state, 0, sizeof(state));
	(void) pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	while (sddl_log_next_relation(&p, &rel, &mode))
	{
		(void) pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
		sddl_log_push_pair(&state, "relation", rel);
		if (mode != NULL)
			sddl_log_push_pair(&state, "lock_mode", mode);
		(void) pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	}
	array = SddlJsonbFinish(&state, WJB_END_ARRAY);
	return JsonbPGetDatum(JsonbValueToJsonb(array));
}

/* A text value as jsonb: parsed, or (as_string) stored as a JSON string */
static Datum
sddl_log_jsonb(const char *str, bool as_string)
{
	if (as_string)
	{
		StringInfoData buf;

		initStringInfo(&buf);
		escape_json(&buf, str);
		str = buf.data;
	}
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(str));
}

/*
 * A name the backend could not look up safely, from its OID (pg_database
 * and pg_authid are shared catalogs: any database sees them).
 */
static const char *
sddl_log_resolve(const char *name, Oid oid, bool is_role)
{
	char	   *found;

	if (name[0] != '\0' || !OidIsValid(oid))
		return name;
	found = is_role ? GetUserNameFromId(oid, true) : get_database_name(oid);
	return found ? found : psprintf("%u", oid);
}

/*
 * A string of the record, in this database's encoding.  Events come from
 * every database of the cluster, whose encodings may differ.  Normally the
 * text is converted (an unconvertible character is a data error, which
 * makes the caller retry the row with ascii set); with ascii, or when the
 * source encoding says nothing (SQL_ASCII), non-ASCII bytes become '?'.
 */
static char *
sddl_log_conv(const char *str, int encoding, bool ascii)
{
	int			server = GetDatabaseEncoding();
	char	   *out;
	char	   *p;

	if (encoding == server || server == PG_SQL_ASCII)
		return (char *) str;
	if (!ascii && encoding != PG_SQL_ASCII)
		return pg_any_to_server(str, strlen(str), encoding);
	out = pstrdup(str);
	for (p = out; *p != '\0'; p++)
		if (IS_HIGHBIT_SET(*p))
			*p = '?';
	return out;
}

/* A text value from an optional field of the record */
static Datum
sddl_log_text(const SddlLogRecord *rec, const char *str, uint32 flag,
			  bool ascii, bool *isnull)
{
	if (flag != 0 && (rec->flags & flag) == 0)
	{
		*isnull = true;
		return (Datum) 0;
	}
	return CStringGetTextDatum(sddl_log_conv(str, rec->encoding, ascii));
}

/*
 * The values of the columns logged_at .. error of a record, in the order of
 * the SQL path's parameters.  relations and blockers are text for that path
 * (its INSERT casts them), or jsonb with as_jsonb.  sanitize replaces
 * characters that do not convert to this database's encoding.
 */
void
sddl_log_record_values(const SddlLogRecord *rec, bool sanitize, bool as_jsonb,
					   Datum *values, bool *nulls)
{
	uint32		f = rec->flags;

	memset(nulls, 0, sizeof(bool) * SDDL_LOG_NPARAMS);
	values[0] = TimestampTzGetDatum(rec->logged_at);
	values[1] = sddl_log_text(rec, sddl_log_resolve(rec->database,
													rec->database_oid, false),
							  0, sanitize, &nulls[1]);
	values[2] = sddl_log_text(rec, sddl_log_resolve(rec->username,
													rec->user_oid, true),
							  0, sanitize, &nulls[2]);
	values[3] = sddl_log_text(rec, rec->application_name,
							  SDDL_LOG_HAS_APPNAME, sanitize, &nulls[3]);
	values[4] = Int32GetDatum(rec->pid);
	values[5] = sddl_log_text(rec, rec->command, SDDL_LOG_HAS_COMMAND,
							  sanitize, &nulls[5]);
	values[6] = sddl_log_text(rec, rec->statement, SDDL_LOG_HAS_STATEMENT,
							  sanitize, &nulls[6]);
	if (f & SDDL_LOG_HAS_RELATIONS)
	{
		char	   *list = sddl_log_conv(rec->relations, rec->encoding,
										 sanitize);

		values[7] = as_jsonb ? sddl_log_relations_jsonb(list) :
			CStringGetTextDatum(sddl_log_relations_json(list));
	}
	else
		nulls[7] = true;
	values[8] = sddl_log_text(rec, rec->lock_mode, SDDL_LOG_HAS_LOCK_MODE,
							  sanitize, &nulls[8]);
	values[9] = Float8GetDatum(rec->lock_wait_ms);
	values[10] = Int32GetDatum(rec->attempts);
	values[11] = Float8GetDatum(rec->duration_ms);
	values[12] = sddl_log_text(rec, rec->outcome, 0, sanitize, &nulls[12]);
	values[13] = sddl_log_text(rec, rec->rule, SDDL_LOG_HAS_RULE, sanitize,
							   &nulls[13]);
	values[14] = sddl_log_text(rec, rec->rewritten_to, SDDL_LOG_HAS_REWRITTEN,
							   sanitize, &nulls[14]);
	if (as_jsonb && (f & SDDL_LOG_HAS_BLOCKERS))
		values[15] = sddl_log_jsonb(sddl_log_conv(rec->blockers, rec->encoding,
												  sanitize),
									sanitize ||
									(f & SDDL_LOG_BLOCKERS_TRUNCATED) != 0);
	else
		values[15] = sddl_log_text(rec, rec->blockers, SDDL_LOG_HAS_BLOCKERS,
								   sanitize, &nulls[15]);
	values[16] = sddl_log_text(rec, rec->sqlstate, SDDL_LOG_HAS_SQLSTATE,
							   sanitize, &nulls[16]);
	values[17] = sddl_log_text(rec, rec->error, SDDL_LOG_HAS_ERROR, sanitize,
							   &nulls[17]);
}
