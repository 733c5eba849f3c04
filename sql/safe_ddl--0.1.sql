/* safe_ddl--0.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION safe_ddl" to load this file. \quit

CREATE FUNCTION safe_ddl.version()
RETURNS text
AS 'MODULE_PATHNAME', 'safe_ddl_version'
LANGUAGE C STRICT STABLE PARALLEL SAFE;

COMMENT ON FUNCTION safe_ddl.version() IS
'version of the loaded safe_ddl library; fails unless safe_ddl is in shared_preload_libraries';
