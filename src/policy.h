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
 *	  src/policy.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_POLICY_H
#define SAFE_DDL_POLICY_H

#include "analysis.h"

/* Where the statement runs, as far as policy cares. */
typedef struct SddlPolicyContext
{
	bool		in_transaction_block;	/* inside BEGIN ... COMMIT */
	bool		top_level;		/* sent by the client, not from a function */
} SddlPolicyContext;

typedef struct SddlDecision
{
	SddlAction	action;
	const SddlFinding *finding; /* the finding that decided, or NULL */
	bool		override;		/* break-glass: a privileged SET LOCAL relaxed
								 * the mode */
} SddlDecision;

extern void sddl_policy_define_gucs(void);
extern SddlDecision *sddl_decide(SddlAnalysis *analysis,
								 const SddlPolicyContext *pcxt);

#endif							/* SAFE_DDL_POLICY_H */
