/*-------------------------------------------------------------------------
 *
 * analysis_int.h
 *	  Declarations shared by the analysis files.  Not part of the
 *	  analysis contract: other layers use analysis.h.
 *
 * relations.c builds the result (relations and findings); query.c and
 * drop.c offer what several statements share; each statement kind has a
 * handler, picked by dispatch.c from its table.  Catalog look-ups are in
 * catalog.h.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
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
#include "utils/relcache.h"

#include "analysis/analysis.h"

/* SddlFinding.cmd_index of a finding not about an ALTER TABLE subcommand */
#define SDDL_NO_CMD_INDEX (-1)

/* relations.c: the relation list and the findings */
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
extern void sddl_use_renamed(List *renamed);
extern const SddlRenamed *sddl_renamed_entry(Oid relid);
extern void sddl_note_renamed(SddlAnalysisContext *cxt, Oid relid,
							  const char *nspname, const char *relname);
extern int64 sddl_relation_bytes(Oid relid, char relkind);
extern Oid	sddl_existing_relid(SddlAnalysis *a, SddlAnalysisContext *cxt,
								const RangeVar *rv, LOCKMODE mode,
								bool scans);
extern RangeVar *sddl_relation_of(List *names);
extern bool sddl_objtype_is_relation(ObjectType objtype);
extern void sddl_add_fk_neighbours(SddlAnalysis *a, Oid relid,
								   LOCKMODE mode, bool referencing_too);
extern SddlRelation *sddl_add_referenced(SddlAnalysis *a,
										 SddlAnalysisContext *cxt,
										 const RangeVar *pktable, bool validates);
extern void sddl_add_referenced_validated(SddlAnalysis *a, Oid pkrelid,
										  LOCKMODE mode);

/* locks.c */
extern LOCKMODE sddl_held_mode(Relation rel);

/* query.c: what queries and defaults inside DDL read */
extern void sddl_add_default_sequences(SddlAnalysis *a, Node *rawexpr);
extern void sddl_add_view_sources(SddlAnalysis *a, Oid viewid, LOCKMODE mode,
								  bool scans);
extern void sddl_add_query_sources(SddlAnalysis *a, SddlAnalysisContext *cxt,
								   Node *query, bool scans);

/*
 * maintenance.c: the one table a VACUUM FULL, CLUSTER or REPACK statement
 * can rewrite with REPACK (CONCURRENTLY) instead (PostgreSQL 19), or
 * InvalidOid; facts.c offers it as the statement's online form.
 */
extern Oid	sddl_repack_online_target(Node *stmt);

/* drop.c: what goes with a dropped column */
extern void sddl_add_column_drop(SddlAnalysis *a, Oid relid,
								 AttrNumber attnum, bool cascade);

/*
 * Statement handlers, one per statement kind (dispatch.c's table).  Each
 * receives the statement as the node the table lists it under.
 */
typedef void (*SddlAnalyzeFn) (SddlAnalysis *a, Node *stmt,
							   SddlAnalysisContext *cxt);

extern void sddl_analyze_alter_table(SddlAnalysis *a, Node *stmt,
									 SddlAnalysisContext *cxt);
extern void sddl_analyze_move_all(SddlAnalysis *a, Node *stmt,
								  SddlAnalysisContext *cxt);
extern void sddl_analyze_index(SddlAnalysis *a, Node *stmt,
							   SddlAnalysisContext *cxt);
extern void sddl_analyze_reindex(SddlAnalysis *a, Node *stmt,
								 SddlAnalysisContext *cxt);
extern void sddl_analyze_vacuum(SddlAnalysis *a, Node *stmt,
								SddlAnalysisContext *cxt);
extern void sddl_analyze_cluster(SddlAnalysis *a, Node *stmt,
								 SddlAnalysisContext *cxt);
extern void sddl_analyze_truncate(SddlAnalysis *a, Node *stmt,
								  SddlAnalysisContext *cxt);
extern void sddl_analyze_lock(SddlAnalysis *a, Node *stmt,
							  SddlAnalysisContext *cxt);
extern void sddl_analyze_refresh(SddlAnalysis *a, Node *stmt,
								 SddlAnalysisContext *cxt);
extern void sddl_analyze_drop(SddlAnalysis *a, Node *stmt,
							  SddlAnalysisContext *cxt);
extern void sddl_analyze_rule(SddlAnalysis *a, Node *stmt,
							  SddlAnalysisContext *cxt);
extern void sddl_analyze_policy(SddlAnalysis *a, Node *stmt,
								SddlAnalysisContext *cxt);
extern void sddl_analyze_view(SddlAnalysis *a, Node *stmt,
							  SddlAnalysisContext *cxt);
extern void sddl_analyze_create_as(SddlAnalysis *a, Node *stmt,
								   SddlAnalysisContext *cxt);
extern void sddl_analyze_select_into(SddlAnalysis *a, Node *stmt,
									 SddlAnalysisContext *cxt);
extern void sddl_analyze_create(SddlAnalysis *a, Node *stmt,
								SddlAnalysisContext *cxt);
extern void sddl_analyze_trigger(SddlAnalysis *a, Node *stmt,
								 SddlAnalysisContext *cxt);
extern void sddl_analyze_statistics(SddlAnalysis *a, Node *stmt,
									SddlAnalysisContext *cxt);
extern void sddl_analyze_create_seq(SddlAnalysis *a, Node *stmt,
									SddlAnalysisContext *cxt);
extern void sddl_analyze_alter_seq(SddlAnalysis *a, Node *stmt,
								   SddlAnalysisContext *cxt);
extern void sddl_analyze_alter_domain(SddlAnalysis *a, Node *stmt,
									  SddlAnalysisContext *cxt);
extern void sddl_analyze_rename(SddlAnalysis *a, Node *stmt,
								SddlAnalysisContext *cxt);
extern void sddl_analyze_set_schema(SddlAnalysis *a, Node *stmt,
									SddlAnalysisContext *cxt);
extern void sddl_analyze_comment(SddlAnalysis *a, Node *stmt,
								 SddlAnalysisContext *cxt);
extern void sddl_analyze_seclabel(SddlAnalysis *a, Node *stmt,
								  SddlAnalysisContext *cxt);
extern void sddl_analyze_grant(SddlAnalysis *a, Node *stmt,
							   SddlAnalysisContext *cxt);
extern void sddl_analyze_modify(SddlAnalysis *a, Node *stmt,
								SddlAnalysisContext *cxt);

/*
 * ALTER TABLE (alter_table.c and the alter_*.c files of its subcommands):
 * the state of one statement, and one handler per subcommand kind.
 */
typedef struct SddlAlterState
{
	SddlAnalysis *a;
	SddlAnalysisContext *cxt;
	Oid			relid;			/* InvalidOid: created earlier in the input */
	char		relkind;
	SddlRelation *rel;
	List	   *children;		/* inheritors, without the relation itself */
	bool		recurse;		/* not ONLY */
	int			index;			/* subcommand position */
} SddlAlterState;

typedef void (*SddlAlterFn) (SddlAlterState *st, AlterTableCmd *cmd,
							 LOCKMODE mode);

extern void sddl_at_apply(SddlAlterState *st, LOCKMODE mode, bool rewrites,
						  bool scans, bool recurses);
extern List *sddl_at_targets(SddlAlterState *st);

/* alter_column.c */
extern void sddl_at_add_column(SddlAlterState *st, AlterTableCmd *cmd,
							   LOCKMODE mode);
extern void sddl_at_column_default(SddlAlterState *st, AlterTableCmd *cmd,
								   LOCKMODE mode);
extern void sddl_at_set_not_null(SddlAlterState *st, AlterTableCmd *cmd,
								 LOCKMODE mode);
extern void sddl_at_column_not_null(SddlAlterState *st, const char *colname,
									LOCKMODE mode);
/* PostgreSQL 17+ (SDDL_HAS_SET_EXPRESSION) */
extern void sddl_at_set_expression(SddlAlterState *st, AlterTableCmd *cmd,
								   LOCKMODE mode);
extern void sddl_at_drop_column(SddlAlterState *st, AlterTableCmd *cmd,
								LOCKMODE mode);

/* alter_type.c */
extern void sddl_at_alter_type(SddlAlterState *st, AlterTableCmd *cmd,
							   LOCKMODE mode);
extern void sddl_add_fk_of_column(SddlAnalysis *a, Oid relid,
								  AttrNumber attnum, LOCKMODE mode,
								  bool scans);

/* alter_constraint.c */
extern void sddl_at_add_constraint(SddlAlterState *st, AlterTableCmd *cmd,
								   LOCKMODE mode);
extern void sddl_at_validate(SddlAlterState *st, AlterTableCmd *cmd,
							 LOCKMODE mode);
extern void sddl_at_alter_constraint(SddlAlterState *st, AlterTableCmd *cmd,
									 LOCKMODE mode);
extern void sddl_at_drop_constraint(SddlAlterState *st, AlterTableCmd *cmd,
									LOCKMODE mode);

/* alter_partition.c */
extern void sddl_at_attach_partition(SddlAlterState *st, AlterTableCmd *cmd,
									 LOCKMODE mode);
extern void sddl_at_detach_partition(SddlAlterState *st, AlterTableCmd *cmd,
									 LOCKMODE mode);
extern void sddl_at_inherit(SddlAlterState *st, AlterTableCmd *cmd,
							LOCKMODE mode);

/* alter_storage.c */
extern void sddl_at_set_access_method(SddlAlterState *st, AlterTableCmd *cmd,
									  LOCKMODE mode);
extern void sddl_at_set_logged(SddlAlterState *st, AlterTableCmd *cmd,
							   LOCKMODE mode);
extern void sddl_at_set_tablespace(SddlAlterState *st, AlterTableCmd *cmd,
								   LOCKMODE mode);

#endif							/* SAFE_DDL_ANALYSIS_INT_H */
