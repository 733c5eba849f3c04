/*-------------------------------------------------------------------------
 *
 * domain.c
 *	  Analysis of ALTER DOMAIN: the tables with a column of the domain,
 *	  which are read when a constraint is added or validated.
 *
 * Analysis uses only PostgreSQL and compat.h; pure: no writes, no side
 * effects.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/analysis/domain.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_class.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "parser/parse_type.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "analysis/analysis.h"
#include "analysis/analysis_int.h"
#include "analysis/catalog.h"

/* AlterDomainStmt.subtype letters (gram.y) of the forms that validate */
#define SDDL_DOMAIN_ADD_CONSTRAINT		'C'
#define SDDL_DOMAIN_SET_NOT_NULL		'O'
#define SDDL_DOMAIN_VALIDATE_CONSTRAINT 'V'

/* Does this ALTER DOMAIN check the values already stored? */
static bool
sddl_domain_validates(AlterDomainStmt *stmt)
{
	switch (stmt->subtype)
	{
		case SDDL_DOMAIN_ADD_CONSTRAINT:
			return IsA(stmt->def, Constraint) &&
				((Constraint *) stmt->def)->contype == CONSTR_CHECK &&
				!((Constraint *) stmt->def)->skip_validation;
		case SDDL_DOMAIN_SET_NOT_NULL:
		case SDDL_DOMAIN_VALIDATE_CONSTRAINT:
			return true;
		default:
			return false;
	}
}

/* Tables with a column of the given domain (directly). */
void
sddl_analyze_alter_domain(SddlAnalysis *a, Node *node,
						  SddlAnalysisContext *cxt)
{
	AlterDomainStmt *stmt = (AlterDomainStmt *) node;
	Type		tup = LookupTypeName(NULL, makeTypeNameFromNameList(stmt->typeName),
									 NULL, true);
	Oid			domainoid;
	ListCell   *lc;

	if (tup == NULL)
		return;
	domainoid = typeTypeId(tup);
	ReleaseSysCache(tup);
	if (!sddl_domain_validates(stmt))
		return;

	foreach(lc, sddl_catalog_tables_using_type(domainoid))
	{
		char		kind = get_rel_relkind(lfirst_oid(lc));
		SddlRelation *r;

		if (kind != RELKIND_RELATION && kind != RELKIND_MATVIEW)
			continue;
		r = sddl_add_rel(a, lfirst_oid(lc), ShareLock, false, true);
		if (stmt->subtype == SDDL_DOMAIN_ADD_CONSTRAINT)
			sddl_add_finding(a, r, SDDL_RULE_CONSTRAINT_MISSING_NOT_VALID, SDDL_NO_CMD_INDEX,
							 ((Constraint *) stmt->def)->conname);
	}
}
