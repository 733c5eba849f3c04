/*-------------------------------------------------------------------------
 *
 * analysis_int.h
 *	  Helpers shared by the analysis files (analysis.c, analysis_alter.c).
 *	  Not part of the analysis contract: other layers use analysis.h.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/analysis_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_ANALYSIS_INT_H
#define SAFE_DDL_ANALYSIS_INT_H

#include "nodes/parsenodes.h"
#include "nodes/primnodes.h"

#include "analysis/analysis.h"

/* Pass to sddl_add_rel as "rewrites"/"scans" when there is nothing to say. */
#define SDDL_NO_REWRITE false
#define SDDL_NO_SCAN false

extern SddlRelation *sddl_add_rel(SddlAnalysis *a, Oid relid, LOCKMODE mode,
								  bool rewrites, bool scans);
extern SddlRelation *sddl_add_rel_copied(SddlAnalysis *a, Oid relid,
										 LOCKMODE mode);
extern SddlRelation *sddl_add_rangevar(SddlAnalysis *a,
									   SddlAnalysisContext *cxt,
									   const RangeVar *rv, LOCKMODE mode,
									   bool rewrites, bool scans);
extern void sddl_add_tree(SddlAnalysis *a, Oid relid, LOCKMODE mode,
						  bool rewrites, bool scans, bool include_self);
extern void sddl_add_finding(SddlAnalysis *a, SddlRelation *rel,
							 SddlRuleId rule, int cmd_index,
							 const char *object);
extern Oid	sddl_lookup_rangevar(const RangeVar *rv);
extern int64 sddl_relation_bytes(Oid relid, char relkind);
extern bool sddl_name_created(SddlAnalysisContext *cxt, const RangeVar *rv);
extern void sddl_add_fk_neighbours(SddlAnalysis *a, Oid relid,
								   LOCKMODE mode, bool referencing_too);

extern SddlRelation *sddl_add_referenced(SddlAnalysis *a,
										 SddlAnalysisContext *cxt,
										 const RangeVar *pktable, bool validates);
extern void sddl_add_default_sequences(SddlAnalysis *a, Node *rawexpr);
extern void sddl_add_column_drop(SddlAnalysis *a, Oid relid,
								 AttrNumber attnum, bool cascade);

extern void sddl_analyze_alter_table(SddlAnalysis *a, AlterTableStmt *stmt,
									 SddlAnalysisContext *cxt);

#endif							/* SAFE_DDL_ANALYSIS_INT_H */
