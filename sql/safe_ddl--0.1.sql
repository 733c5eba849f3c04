/* safe_ddl--0.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION safe_ddl" to load this file. \quit

CREATE FUNCTION safe_ddl.version()
RETURNS text
AS 'MODULE_PATHNAME', 'safe_ddl_version'
LANGUAGE C STRICT STABLE PARALLEL SAFE;

COMMENT ON FUNCTION safe_ddl.version() IS
'version of the loaded safe_ddl library; fails unless safe_ddl is in shared_preload_libraries';

-- ---------------------------------------------------------------------
-- safe_ddl.check and safe_ddl.rules (analysis layer, src/check.c)
-- ---------------------------------------------------------------------

CREATE FUNCTION safe_ddl.check(sql text)
RETURNS TABLE (statement_no int, command text, relation regclass,
               lock_mode text, rewrites_table bool, scans_table bool,
               action text, rule text, message text, hint text)
AS 'MODULE_PATHNAME', 'safe_ddl_check'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION safe_ddl.check(text) IS
'analyse SQL without executing it: per statement and relation, the lock it takes, whether it rewrites or scans, and what safe_ddl would do';

CREATE FUNCTION safe_ddl.rules_list(OUT name text, OUT description text,
                                    OUT typical_lock text,
                                    OUT default_action text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'safe_ddl_rules'
LANGUAGE C STRICT STABLE;

CREATE VIEW safe_ddl.rules AS
  SELECT name, description, typical_lock, default_action
    FROM safe_ddl.rules_list();

COMMENT ON VIEW safe_ddl.rules IS
'the risks safe_ddl names and detects, with the lock at risk and the default action';

GRANT SELECT ON safe_ddl.rules TO PUBLIC;
CREATE FUNCTION safe_ddl.analysis_facts(sql text)
RETURNS TABLE (statement_no int, relation text, relkind text, is_new bool,
               held_mode text, reltuples float8, relpages bigint, bytes bigint,
               concurrent bool, rules text[])
AS 'MODULE_PATHNAME', 'safe_ddl_analysis_facts'
LANGUAGE C STRICT VOLATILE;

COMMENT ON FUNCTION safe_ddl.analysis_facts(text) IS
'the catalog facts behind check(): per statement and relation, whether it is new, the lock this transaction already holds, its size, and every rule found';
-- end of safe_ddl.check and safe_ddl.rules
