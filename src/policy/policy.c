/*-------------------------------------------------------------------------
 *
 * policy.c
 *	  Decide what to do with an analysed statement (see policy.h).
 *
 * For each finding of the analysis:
 *
 *	 - a rule listed in safe_ddl.disabled_rules is ignored;
 *	 - a relation that cannot hurt anyone is allowed: framework bookkeeping
 *	   tables, relations created in this transaction, temporary tables, and
 *	   relations smaller than safe_ddl.small_table_size;
 *	 - a rule with a safe rewrite is rewritten when the statement is sent
 *	   by the client in autocommit mode and the rewrite applies to it;
 *	 - otherwise the rule's default action applies, a rewrite that cannot
 *	   happen becoming a rejection;
 *	 - a rejection whose every cause safe_ddl.defer lists, of one kind, on
 *	   a statement the deferred form reproduces, is deferred instead
 *	   (deferral.c, issue 13).
 *
 * The strictest finding decides.  In observe mode, and under the
 * break-glass override, a rejection or rewrite becomes a warning with the
 * same text.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/policy/policy.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "catalog/pg_class.h"
#include "lib/stringinfo.h"
#include "utils/guc.h"
#include "utils/varlena.h"

#include "compat.h"
#include "policy/deferral.h"
#include "policy/policy.h"
#include "policy/rewrite_plan.h"

/* safe_ddl.mode: what safe_ddl does with risky DDL */
int			sddl_mode = SDDL_MODE_ENFORCE;

static const struct config_enum_entry sddl_mode_options[] = {
	{"off", SDDL_MODE_OFF, false},
	{"observe", SDDL_MODE_OBSERVE, false},
	{"enforce", SDDL_MODE_ENFORCE, false},
	{NULL, 0, false}
};

/*
 * safe_ddl.small_table_size, in kB.
 *
 * Default 10MB.  Below that size, every statement safe_ddl guards finishes
 * within a fraction of a second even with a cold cache: reading or writing
 * 10MB takes about 10ms from memory and about 100ms from a slow disk, and
 * an index build or a validation scan of a table that size is of the same
 * order.  A lock held that long is shorter than typical application
 * timeouts, so refusing the statement would cost developers more than it
 * protects.  Above it, the risk grows with the size while the benefit of
 * enforcement does too.  The size is the real size of the relation on disk,
 * never pg_class statistics, which can be missing or stale.
 */
#define SDDL_DEFAULT_SMALL_TABLE_KB (10 * 1024)
int			sddl_small_table_size = SDDL_DEFAULT_SMALL_TABLE_KB;

/* safe_ddl.disabled_rules: comma-separated rule names */
static char *sddl_disabled_rules = NULL;

/*
 * safe_ddl.bookkeeping_tables: tables where migration tools record what they
 * applied.  They are created and written by the tool itself on every run,
 * are tiny, and a rejection there would break every migration.
 */
static char *sddl_bookkeeping_tables = NULL;

/*
 * The names are identifiers, as in search_path: unquoted ones are
 * lower-cased, so a mixed-case name (Entity Framework's) is double-quoted.
 */
#define SDDL_DEFAULT_BOOKKEEPING \
	"django_migrations, alembic_version, schema_migrations, " \
	"ar_internal_metadata, flyway_schema_history, databasechangelog, " \
	"databasechangeloglock, knex_migrations, knex_migrations_lock, " \
	"goose_db_version, \"__EFMigrationsHistory\""

/*
 * The largest table the bookkeeping exemption covers.  The tools' tables
 * hold one short row per migration: tens of kilobytes, a few megabytes for
 * the longest-lived projects.  A big application table that merely carries
 * one of the names (renamed, or in another schema) is judged like any
 * other table.
 */
#define SDDL_BOOKKEEPING_MAX_BYTES ((int64) 16 * 1024 * 1024)

/*
 * safe_ddl.disabled_rules and safe_ddl.bookkeeping_tables, parsed.  Every
 * candidate statement tests its relations and findings against both, so
 * the check hook parses a value once, into the setting's "extra", and the
 * assign hook points these at it: a test is then a few strcmp calls, with
 * no parsing and no allocation.  One chunk, as GUC extras must be: the
 * pointers point into the names that follow them.  NULL (safe_ddl not
 * preloaded, so the settings do not exist): nothing is listed.
 */
typedef struct SddlNameList
{
	int			count;
	const char *names[FLEXIBLE_ARRAY_MEMBER];
} SddlNameList;

static const SddlNameList *sddl_disabled_rules_list = NULL;
static const SddlNameList *sddl_bookkeeping_list = NULL;

/* The extra for a parsed value, or NULL (out of memory, already logged). */
static SddlNameList *
sddl_name_list_extra(List *names)
{
	SddlNameList *result;
	Size		size;
	char	   *p;
	ListCell   *lc;
	int			i = 0;

	size = offsetof(SddlNameList, names) + list_length(names) * sizeof(char *);
	foreach(lc, names)
		size += strlen((char *) lfirst(lc)) + 1;
	result = SddlGucMalloc(size);
	if (result == NULL)
		return NULL;
	result->count = list_length(names);
	p = (char *) &result->names[result->count];
	foreach(lc, names)
	{
		Size		len = strlen((char *) lfirst(lc)) + 1;

		memcpy(p, lfirst(lc), len);
		result->names[i++] = p;
		p += len;
	}
	return result;
}

/*
 * Check hook of both list settings: a valid list of names and, for
 * safe_ddl.disabled_rules, names of rules.  Leaves the parsed list in
 * *extra.
 */
static bool
sddl_check_list(char **newval, void **extra, bool rules)
{
	char	   *rawstring = pstrdup(*newval);
	List	   *names;
	ListCell   *lc;
	bool		ok = true;

	if (!SplitIdentifierString(rawstring, ',', &names))
	{
		GUC_check_errdetail("List syntax is invalid.");
		ok = false;
	}
	foreach(lc, names)
	{
		char	   *name = (char *) lfirst(lc);
		StringInfoData valid;

		if (!ok || !rules || sddl_rule_lookup(name) != NULL)
			continue;
		initStringInfo(&valid);
		for (int i = 0; i < sddl_rule_count; i++)
			appendStringInfo(&valid, "%s%s", i > 0 ? ", " : "",
							 sddl_rules[i].name);
		GUC_check_errdetail("\"%s\" is not a safe_ddl rule.", name);
		GUC_check_errhint("Valid rule names are: %s.", valid.data);
		ok = false;
	}
	if (ok)
	{
		*extra = sddl_name_list_extra(names);
		ok = (*extra != NULL);
	}
	pfree(rawstring);
	list_free(names);
	return ok;
}

static bool
sddl_check_disabled_rules(char **newval, void **extra, GucSource source)
{
	return sddl_check_list(newval, extra, true);
}

static void
sddl_assign_disabled_rules(const char *newval, void *extra)
{
	sddl_disabled_rules_list = (const SddlNameList *) extra;
}

static bool
sddl_check_bookkeeping(char **newval, void **extra, GucSource source)
{
	return sddl_check_list(newval, extra, false);
}

static void
sddl_assign_bookkeeping(const char *newval, void *extra)
{
	sddl_bookkeeping_list = (const SddlNameList *) extra;
}

void
sddl_policy_define_gucs(void)
{
	DefineCustomEnumVariable("safe_ddl.mode",
							 "What safe_ddl does with risky DDL.",
							 "off passes every statement through; observe "
							 "allows everything but warns and logs what enforce "
							 "would do; enforce rewrites or rejects risky "
							 "statements.",
							 &sddl_mode,
							 SDDL_MODE_ENFORCE,
							 sddl_mode_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("safe_ddl.small_table_size",
							"Size below which statements with long locks are allowed on a table.",
							"Statements on relations smaller than this (real size "
							"on disk) finish in milliseconds, so safe_ddl allows "
							"them.  0 enforces the rules on every pre-existing "
							"relation.",
							&sddl_small_table_size,
							SDDL_DEFAULT_SMALL_TABLE_KB,
							0, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomStringVariable("safe_ddl.disabled_rules",
							   "Comma-separated safe_ddl rules that are not enforced.",
							   "Every name must be a rule of safe_ddl.rules.",
							   &sddl_disabled_rules,
							   "",
							   PGC_SUSET,
							   GUC_LIST_INPUT,
							   sddl_check_disabled_rules,
							   sddl_assign_disabled_rules, NULL);

	sddl_deferral_define_gucs();

	DefineCustomStringVariable("safe_ddl.bookkeeping_tables",
							   "Tables of migration tools that safe_ddl never rejects statements on.",
							   "Matched by table name in any schema.",
							   &sddl_bookkeeping_tables,
							   SDDL_DEFAULT_BOOKKEEPING,
							   PGC_SUSET,
							   GUC_LIST_INPUT,
							   sddl_check_bookkeeping,
							   sddl_assign_bookkeeping, NULL);
}

/* Is name in the parsed list? */
static bool
sddl_name_listed(const SddlNameList *list, const char *name)
{
	if (list == NULL || name == NULL)
		return false;
	for (int i = 0; i < list->count; i++)
		if (strcmp(list->names[i], name) == 0)
			return true;
	return false;
}

/*
 * Is relname listed in the comma-separated list?  Names in the list follow
 * identifier rules (unquoted ones are case-folded); relname is the exact
 * catalog name.  For the reset values of the list settings, which only a
 * finding a session setting let through needs (the current values are
 * parsed once, above).
 */
static bool
sddl_name_in_list(const char *list, const char *relname)
{
	char	   *rawstring;
	List	   *names;
	ListCell   *lc;
	bool		found = false;

	if (list == NULL || list[0] == '\0' || relname == NULL)
		return false;
	rawstring = pstrdup(list);
	if (!SplitIdentifierString(rawstring, ',', &names))
		return false;
	foreach(lc, names)
	{
		if (strcmp((char *) lfirst(lc), relname) == 0)
		{
			found = true;
			break;
		}
	}
	list_free(names);
	pfree(rawstring);
	return found;
}

bool
sddl_is_bookkeeping(const SddlRelation *rel)
{
	return rel->bytes <= SDDL_BOOKKEEPING_MAX_BYTES &&
		sddl_name_listed(sddl_bookkeeping_list, rel->relname);
}

bool
sddl_rule_disabled(const SddlRule *rule)
{
	return sddl_name_listed(sddl_disabled_rules_list, rule->name);
}

/*
 * Can no one else be hurt by a long lock on this relation?
 */
static bool
sddl_relation_exempt(const SddlFinding *f)
{
	const SddlRelation *rel = f->rel;

	if (rel == NULL)
		return false;
	/* the name test last: it is the only one that compares strings */
	if (rel->is_new || rel->relpersistence == RELPERSISTENCE_TEMP)
		return true;
	if (rel->bytes < (int64) sddl_small_table_size * 1024)
		return true;
	return sddl_is_bookkeeping(rel);
}

/*
 * Break-glass through the other settings: was this finding let through only
 * because the session changed safe_ddl.disabled_rules,
 * safe_ddl.bookkeeping_tables or safe_ddl.small_table_size away from the
 * value the DBA configured (the reset value)?  Called for a finding that
 * was ignored or exempted.
 */
static bool
sddl_finding_relaxed_by_session(const SddlFinding *f)
{
	const SddlRelation *rel = f->rel;
	const char *reset;
	int			reset_kb;

	if (sddl_rule_disabled(sddl_rule(f->rule)))
		return !sddl_name_in_list(GetConfigOptionResetString("safe_ddl.disabled_rules"),
								  sddl_rule(f->rule)->name);
	if (rel == NULL || rel->is_new || rel->relpersistence == RELPERSISTENCE_TEMP)
		return false;
	if (sddl_is_bookkeeping(rel))
		return !sddl_name_in_list(GetConfigOptionResetString("safe_ddl.bookkeeping_tables"),
								  rel->relname);
	reset = GetConfigOptionResetString("safe_ddl.small_table_size");
	if (reset == NULL || !parse_int(reset, &reset_kb, GUC_UNIT_KB, NULL))
		return false;
	return rel->bytes >= (int64) reset_kb * 1024;
}

/*
 * What enforce mode does with a finding on a relation that is not exempt.
 */
static SddlAction
sddl_finding_action(const SddlFinding *f, SddlAnalysis *analysis,
					bool autocommit, int *rewritable)
{
	SddlAction	action = sddl_rule(f->rule)->default_action;

	if (sddl_rule(f->rule)->has_rewrite)
	{
		/* *rewritable: -1 unknown, 0 no, 1 yes; computed once */
		if (*rewritable < 0)
			*rewritable = (autocommit && sddl_rewrite_supported(analysis)) ? 1 : 0;
		if (*rewritable)
			return SDDL_ACTION_REWRITE;
	}
	if (action == SDDL_ACTION_REWRITE)
		action = SDDL_ACTION_REJECT;
	return action;
}

/*
 * Order of strictness: the strictest finding decides.
 */
static int
sddl_action_rank(SddlAction action)
{
	switch (action)
	{
		case SDDL_ACTION_ALLOW:
			return 0;
		case SDDL_ACTION_WARN:
			return 1;
		case SDDL_ACTION_REWRITE:
		case SDDL_ACTION_DEFER:
			return 2;
		case SDDL_ACTION_REJECT:
			return 3;
	}
	return 0;
}

/*
 * Break-glass: has this session relaxed safe_ddl.mode below the value the
 * DBA configured (server, database or role setting)?  The reset value is
 * what the session would have without SET / SET LOCAL; since the setting
 * is PGC_SUSET, only a superuser or a role granted SET on it can make the
 * two differ.
 */
bool
sddl_mode_relaxed_in_session(void)
{
	const char *reset = GetConfigOptionResetString("safe_ddl.mode");

	return sddl_mode == SDDL_MODE_OBSERVE && reset != NULL &&
		strcmp(reset, "enforce") == 0;
}

SddlDecision *
sddl_decide(SddlAnalysis *analysis, const SddlPolicyContext *pcxt)
{
	SddlDecision *d = palloc0(sizeof(SddlDecision));
	bool		autocommit;
	int			rewritable = -1;
	const SddlFinding *relaxed = NULL;
	SddlAction	relaxed_action = SDDL_ACTION_ALLOW;
	SddlDeferKind defer = SDDL_DEFER_NONE;
	bool		defer_blocked = false;
	ListCell   *lc;

	d->action = SDDL_ACTION_ALLOW;
	d->enforce_action = SDDL_ACTION_ALLOW;

	autocommit = pcxt->top_level && !pcxt->in_transaction_block;

	foreach(lc, analysis->findings)
	{
		SddlFinding *f = (SddlFinding *) lfirst(lc);
		SddlAction	action;

		if (sddl_rule_disabled(sddl_rule(f->rule)) || sddl_relation_exempt(f))
		{
			/* remember the strictest finding a session setting let through */
			if (sddl_finding_relaxed_by_session(f))
			{
				action = sddl_finding_action(f, analysis, autocommit,
											 &rewritable);
				if (sddl_action_rank(action) > sddl_action_rank(relaxed_action))
				{
					relaxed_action = action;
					relaxed = f;
				}
			}
			continue;
		}

		action = sddl_finding_action(f, analysis, autocommit, &rewritable);
		if (sddl_action_rank(action) > sddl_action_rank(d->enforce_action))
		{
			d->enforce_action = action;
			d->finding = f;
		}
		/* deferral: every refusal must have the same deferred form */
		if (action == SDDL_ACTION_REJECT && !defer_blocked &&
			pcxt->can_defer && !autocommit)
		{
			SddlDeferKind kind = sddl_finding_defer_kind(f, analysis);

			if (kind == SDDL_DEFER_NONE ||
				(kind != SDDL_DEFER_FOLLOWS && defer != SDDL_DEFER_NONE &&
				 defer != kind))
				defer_blocked = true;
			else if (kind != SDDL_DEFER_FOLLOWS)
				defer = kind;
		}
	}

	/*
	 * A statement refused only because it would hold its lock for a scan
	 * that can wait until after commit is deferred instead (issue 13).
	 */
	if (d->enforce_action == SDDL_ACTION_REJECT && !defer_blocked &&
		defer != SDDL_DEFER_NONE)
	{
		d->enforce_action = SDDL_ACTION_DEFER;
		d->defer_kind = defer;
	}

	d->action = d->enforce_action;

	/*
	 * A rewrite runs only if every finding the statement has is covered by
	 * it; a rewritable finding alongside a warning one still rewrites, but
	 * alongside a rejected one the rejection wins (rank order above).
	 */
	if (sddl_mode != SDDL_MODE_ENFORCE &&
		(d->action == SDDL_ACTION_REJECT || d->action == SDDL_ACTION_REWRITE ||
		 d->action == SDDL_ACTION_DEFER))
	{
		d->action = SDDL_ACTION_WARN;
		d->override = sddl_mode_relaxed_in_session();
	}

	/*
	 * A refusal or rewrite that only a session's SET of another setting
	 * avoided is a break-glass too: allowed, and logged as an override with
	 * the rule it bypassed.
	 */
	if (relaxed != NULL && relaxed_action != SDDL_ACTION_WARN &&
		sddl_action_rank(relaxed_action) > sddl_action_rank(d->enforce_action))
	{
		d->action = SDDL_ACTION_ALLOW;
		d->enforce_action = relaxed_action;
		d->finding = relaxed;
		d->override = true;
	}

	return d;
}
