/*-------------------------------------------------------------------------
 *
 * policy.h
 *	  Decide what to do with an analysed statement: allow, warn, rewrite or
 *	  reject, from the DBA's safe_ddl.* settings.
 *
 * Policy reads the analysis and the settings; it never executes anything.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/policy/policy.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_POLICY_H
#define SAFE_DDL_POLICY_H

#include "analysis/analysis.h"
#include "policy/rules.h"

/* safe_ddl.mode */
typedef enum SddlMode
{
	SDDL_MODE_OFF,				/* pass every statement through untouched */
	SDDL_MODE_OBSERVE,			/* allow everything, warn and log */
	SDDL_MODE_ENFORCE			/* rewrite or reject risky statements */
} SddlMode;

extern int	sddl_mode;

/* Where the statement runs, as far as policy cares. */
typedef struct SddlPolicyContext
{
	bool		in_transaction_block;	/* inside BEGIN ... COMMIT (or a
										 * pipeline): no CONCURRENTLY */
	bool		top_level;		/* sent by the client, not from a function */
	const char *statement;		/* text of this statement alone, or NULL;
								 * used to spell the SQL to run instead */
	bool		can_defer;		/* this database has the deferred-build
								 * queue (issue 13) */
} SddlPolicyContext;

typedef struct SddlDecision
{
	SddlAction	action;
	const SddlFinding *finding; /* the finding that decided, or NULL */
	bool		override;		/* break-glass: a privileged SET LOCAL relaxed
								 * the mode */

	/*
	 * What enforce mode would have done (REJECT or REWRITE) when observe
	 * mode or the break-glass override turned it into a warning; otherwise
	 * equal to action.
	 */
	SddlAction	enforce_action;

	/* what SDDL_ACTION_DEFER (action or enforce_action) defers */
	SddlDeferKind defer_kind;

	/*
	 * The text shown to the user for the deciding finding, following the
	 * PostgreSQL error message style guide: message is lower case without
	 * a period, detail and hint are complete sentences.  Filled after
	 * deciding, by sddl_describe (messages.h), when there is a deciding
	 * finding; NULL otherwise.  For REWRITE, message announces the rewrite
	 * and hint is NULL.  safe_ddl.check() shows the same fields.
	 */
	char	   *message;
	char	   *detail;
	char	   *hint;
	char	   *safe_sql;		/* the SQL to run instead, or NULL */
} SddlDecision;

/*
 * The SQLSTATE of a rejection.  feature_not_supported (0A000): psycopg maps
 * it to NotSupportedError (ActiveRecord: StatementInvalid, SQLAlchemy:
 * NotSupportedError), which no framework or retry wrapper retries: they
 * retry OperationalError, i.e. 55P03 lock timeouts and 40001/40P01, and a
 * retry could not help here anyway.  55P03 stays reserved for real lock
 * timeouts, which are retryable.
 */
#define SDDL_ERRCODE_REJECTED ERRCODE_FEATURE_NOT_SUPPORTED

/* safe_ddl.small_table_size, in kB */
extern int	sddl_small_table_size;

extern void sddl_policy_define_gucs(void);
extern SddlDecision *sddl_decide(SddlAnalysis *analysis,
								 const SddlPolicyContext *pcxt);

/*
 * Is this relation one of the framework bookkeeping tables (by name, and
 * small enough to be one)?
 */
extern bool sddl_is_bookkeeping(const SddlRelation *rel);

/* Has this session SET safe_ddl.mode below the DBA's value (break-glass)? */
extern bool sddl_mode_relaxed_in_session(void);

/* Is this rule listed in safe_ddl.disabled_rules? */
extern bool sddl_rule_disabled(const SddlRule *rule);

#endif							/* SAFE_DDL_POLICY_H */
