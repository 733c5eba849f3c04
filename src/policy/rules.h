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
	SDDL_ACTION_REJECT,
	SDDL_ACTION_DEFER			/* queued, built online after commit (issue
								 * 13); decided for a whole statement, never
								 * a rule's default */
} SddlAction;

/*
 * What a refusal of the rule inside a transaction block can become under
 * safe_ddl.defer (issue 13, docs/deferred-builds.md): the words of the
 * setting, in this order.
 */
typedef enum SddlDeferKind
{
	SDDL_DEFER_NONE,			/* never deferred */
	SDDL_DEFER_INDEX,			/* "index": CREATE INDEX CONCURRENTLY later */
	SDDL_DEFER_VALIDATION,		/* "validation": ADD ... NOT VALID now,
								 * VALIDATE CONSTRAINT later */
	SDDL_DEFER_FOLLOWS			/* the scan the rule is about is the one
								 * deferring the statement removes: deferred
								 * with it, never alone */
} SddlDeferKind;

/*
 * Which arguments a rule's operation text takes (see SddlRule.op_named).
 */
typedef enum SddlOpArgs
{
	SDDL_OP_OBJECT_REL,			/* op_named: the object, then the relation;
								 * op_unnamed: the relation */
	SDDL_OP_REL_OBJECT,			/* op_named: the relation, then the object;
								 * op_unnamed: the relation */
	SDDL_OP_REL_ONLY,			/* op_named, always, with the relation */
	SDDL_OP_REL_PARENT			/* op_named: the relation (a partition),
								 * then the table the statement names */
} SddlOpArgs;

/*
 * The texts of a rule's messages for a form of statement the rule covers
 * that its own texts would misname: they replace the rule's texts of the
 * same names (policy/messages.c).
 */
typedef struct SddlRuleForm
{
	const char *op_named;
	const char *op_unnamed;
	const char *instead;
	const char *django;
	const char *rails;
	const char *alembic;
} SddlRuleForm;

typedef struct SddlRule
{
	const char *name;			/* stable, kebab-case */
	const char *description;	/* one sentence, for the rules view */
	const char *typical_lock;	/* pg_locks.mode name of the lock at risk */

	/*
	 * The texts of its messages (policy/messages.c puts them together).
	 * The operation starts the message (creating index "x" on table "t"),
	 * with the object the finding names (op_named) or without
	 * (op_unnamed); op_args says which arguments they take.
	 */
	const char *op_named;
	const char *op_unnamed;
	const char *op_named_pk;	/* for a PRIMARY KEY, when it is not called
								 * what op_named calls it; or NULL */
	const char *op_unnamed_pk;
	const SddlRuleForm *enforcing;	/* for ALTER CONSTRAINT ... ENFORCED
									 * (18), which enforces a constraint
									 * that exists already; or NULL */
	const char *duration;		/* how long the lock is held */
	const char *instead;		/* what to do when there is no safe SQL */

	/* how to write it instead in each migration framework, or NULL */
	const char *django;
	const char *rails;
	const char *alembic;

	SddlAction	default_action; /* on a big, pre-existing table */
	SddlOpArgs	op_args;
	bool		has_rewrite;	/* a safe equivalent exists in autocommit */
	bool		breaks_code;	/* the risk is to application code, not a
								 * lock: no lock effect in the message, no
								 * break-glass hint */
	bool		lock_already_held;	/* the lock at risk is the one this
									 * transaction already holds */
	SddlDeferKind defer_kind;	/* what safe_ddl.defer can turn its refusal
								 * into */
} SddlRule;

extern const SddlRule sddl_rules[];
extern const int sddl_rule_count;

extern const SddlRule *sddl_rule(SddlRuleId id);
extern const SddlRule *sddl_rule_lookup(const char *name);
extern const char *sddl_action_name(SddlAction action);

#endif							/* SAFE_DDL_RULES_H */
