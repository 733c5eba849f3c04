/*-------------------------------------------------------------------------
 *
 * messages.h
 *	  The text of safe_ddl's rejections, warnings and rewrite notices.
 *
 * Developers meet safe_ddl through these texts in their migration tool's
 * output (Django prints only the ERROR's message, DETAIL and HINT, never
 * the SQL), so each must name the operation, the relation, the lock, its
 * effect, the table's size, the rule, and the exact way out.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/policy/messages.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_MESSAGES_H
#define SAFE_DDL_MESSAGES_H

#include "policy/policy.h"

/*
 * Fill d->message, d->detail, d->hint and d->safe_sql for d->finding, once
 * sddl_decide has decided; the hook and check() call it.
 */
extern void sddl_describe(SddlDecision *d, SddlAnalysis *analysis,
						  const SddlPolicyContext *pcxt);

/* Raise the decision's ERROR (reject) or WARNING (warn); never returns for
 * ERROR. */
extern void sddl_report_decision(const SddlDecision *d);

#endif							/* SAFE_DDL_MESSAGES_H */
