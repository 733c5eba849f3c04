/*-------------------------------------------------------------------------
 *
 * deferral.h
 *	  safe_ddl.defer (issue 13): which refusals inside a transaction block
 *	  become deferred online builds, and which statements qualify.
 *
 * Policy only decides; the defer layer queues, the worker builds.  See
 * docs/deferred-builds.md.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/policy/deferral.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_DEFERRAL_H
#define SAFE_DDL_DEFERRAL_H

#include "analysis/analysis.h"
#include "policy/rules.h"

extern void sddl_deferral_define_gucs(void);

/* Is this kind listed in safe_ddl.defer? */
extern bool sddl_defer_enabled(SddlDeferKind kind);

/* Is anything listed in safe_ddl.defer? */
extern bool sddl_defer_any(void);

/* The word of safe_ddl.defer and of deferred_queue.kind for a kind. */
extern const char *sddl_defer_kind_name(SddlDeferKind kind);

/*
 * What the refusal of this finding can become under safe_ddl.defer, given
 * the statement's shape: SDDL_DEFER_NONE when its rule has no deferred
 * form, the setting does not list it, or the statement is not one the
 * deferred form reproduces (a UNIQUE index, a partitioned table, ...);
 * SDDL_DEFER_FOLLOWS when the finding goes with whatever the statement's
 * other findings are deferred as.
 */
extern SddlDeferKind sddl_finding_defer_kind(const SddlFinding *f,
											 SddlAnalysis *analysis);

#endif							/* SAFE_DDL_DEFERRAL_H */
