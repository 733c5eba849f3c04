/*-------------------------------------------------------------------------
 *
 * policy.c
 *	  Decide what to do with an analysed statement (see policy.h).
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/policy.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "policy.h"
#include "safe_ddl.h"

/*
 * Define the policy settings (safe_ddl.mode is defined in safe_ddl.c, the
 * rest arrive with the enforcement layer).
 */
void
sddl_policy_define_gucs(void)
{
}

/*
 * The foundation allows everything.
 */
SddlDecision *
sddl_decide(SddlAnalysis *analysis, const SddlPolicyContext *pcxt)
{
	SddlDecision *d = palloc0(sizeof(SddlDecision));

	d->action = SDDL_ACTION_ALLOW;
	return d;
}
