/*-------------------------------------------------------------------------
 *
 * backfill.h
 *	  The rule backfill-under-exclusive-lock: a data-modifying statement
 *	  that writes many rows of a big table while the transaction holds a
 *	  lock that blocks the application keeps that lock for its whole run.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/policy/backfill.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_BACKFILL_H
#define SAFE_DDL_BACKFILL_H

#include "analysis/analysis.h"
#include "policy/policy.h"

extern void sddl_backfill_define_gucs(void);

/*
 * Of the relations an intercepted statement locks, those whose strong lock
 * hurts the application if held long: pre-existing, not temporary, not a
 * migration tool's bookkeeping table, not smaller than
 * safe_ddl.small_table_size.  SddlRelation *.
 */
extern List *sddl_backfill_relations_that_matter(SddlAnalysis *analysis);

/*
 * Decide on a data-modifying statement while held (SddlHeldLock *, not
 * NIL) are held.  NULL when it is allowed silently; otherwise a decision
 * (REJECT, or WARN in observe mode) with its message, detail and hint.
 */
extern SddlDecision *sddl_decide_backfill(const SddlDmlFacts *facts,
										  List *held);

#endif							/* SAFE_DDL_BACKFILL_H */
