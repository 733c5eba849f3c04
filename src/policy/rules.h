/*-------------------------------------------------------------------------
 *
 * rules.h
 *	  The catalogue of risks safe_ddl names, detects and acts on.
 *
 * Rule names are a contract with users (safe_ddl.disabled_rules, the
 * safe_ddl.rules view, the lock log, error messages): never rename one.
 * Where squawk has a rule for the same risk, its name is reused.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/policy/rules.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_RULES_H
#define SAFE_DDL_RULES_H

#include "analysis/analysis.h"

/* What enforcement does with a statement. */
typedef enum SddlAction
{
	SDDL_ACTION_ALLOW,
	SDDL_ACTION_WARN,
	SDDL_ACTION_REWRITE,
	SDDL_ACTION_REJECT
} SddlAction;

typedef struct SddlRule
{
	const char *name;			/* stable, kebab-case */
	const char *description;	/* one sentence, for the rules view */
	const char *typical_lock;	/* pg_locks.mode name of the lock at risk */
	SddlAction	default_action; /* on a big, pre-existing table */
	bool		has_rewrite;	/* a safe equivalent exists in autocommit */
} SddlRule;

extern const SddlRule sddl_rules[];
extern const int sddl_rule_count;

extern const SddlRule *sddl_rule(SddlRuleId id);
extern const SddlRule *sddl_rule_lookup(const char *name);
extern const char *sddl_action_name(SddlAction action);

#endif							/* SAFE_DDL_RULES_H */
