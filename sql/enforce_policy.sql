--
-- Enforcement policy: the safe_ddl.* settings, exemptions, observe mode and
-- the break-glass override.
--
CREATE TABLE enf_pol (id int, total int);
INSERT INTO enf_pol SELECT g, g % 100 FROM generate_series(1, 10000) g;
ANALYZE enf_pol;

-- safe_ddl.small_table_size takes units; the default is 10MB
SHOW safe_ddl.small_table_size;
SET safe_ddl.small_table_size = '1GB';
SHOW safe_ddl.small_table_size;
SET safe_ddl.small_table_size = 512;
SHOW safe_ddl.small_table_size;
-- (the bounds in the message have units from PostgreSQL 16 on: pg_settings)
DO $$BEGIN SET safe_ddl.small_table_size = -1;
EXCEPTION WHEN invalid_parameter_value THEN
  RAISE NOTICE '%', regexp_replace(SQLERRM, ' \(.*\)$', '');
END$$;
SELECT min_val, max_val, unit FROM pg_settings WHERE name = 'safe_ddl.small_table_size';
SET safe_ddl.small_table_size = '400kB';
-- the fixture takes 440 kB: above the threshold, rejected
BEGIN;
CREATE INDEX enf_pol_total_idx ON enf_pol (total);
ROLLBACK;
SET safe_ddl.small_table_size = '500kB';
-- below the threshold: allowed
BEGIN;
CREATE INDEX enf_pol_total_idx ON enf_pol (total);
ROLLBACK;
SET safe_ddl.small_table_size = 0;

-- safe_ddl.disabled_rules: validated against the rules
SET safe_ddl.disabled_rules = 'require-concurrent-index-creation, no-such-rule';
SET safe_ddl.disabled_rules = 'require-concurrent-index-creation,renaming-column';
SHOW safe_ddl.disabled_rules;
BEGIN;
CREATE INDEX enf_pol_total_idx ON enf_pol (total);
ROLLBACK;
RESET safe_ddl.disabled_rules;

-- framework bookkeeping tables are never refused
CREATE TABLE django_migrations (id int, app text);
INSERT INTO django_migrations SELECT g, 'app' FROM generate_series(1, 10000) g;
BEGIN;
CREATE INDEX django_migrations_id_idx ON django_migrations (id);
ROLLBACK;
SHOW safe_ddl.bookkeeping_tables;
SET safe_ddl.bookkeeping_tables = 'enf_pol';
BEGIN;
CREATE INDEX enf_pol_total_idx ON enf_pol (total);
ROLLBACK;
RESET safe_ddl.bookkeeping_tables;
DROP TABLE django_migrations;
-- Entity Framework's mixed-case table keeps the exemption (the default
-- list was lower-cased when read, so it was refused)
CREATE TABLE "__EFMigrationsHistory" ("MigrationId" text, "ProductVersion" text);
INSERT INTO "__EFMigrationsHistory" SELECT g, '8.0' FROM generate_series(1, 1000) g;
BEGIN;
CREATE INDEX ef_idx ON "__EFMigrationsHistory" ("MigrationId");
ROLLBACK;
DROP TABLE "__EFMigrationsHistory";
-- a big application table does not get it by its name alone (renamed to
-- a bookkeeping name, in another schema): over 16 MB it is judged like any
-- other table (fillfactor 10 makes about 29 MB of 15000 rows)
CREATE SCHEMA enf_other;
CREATE TABLE enf_other.schema_migrations (version text) WITH (fillfactor = 10);
INSERT INTO enf_other.schema_migrations
  SELECT repeat(md5(g::text), 4) FROM generate_series(1, 15000) g;
SELECT pg_relation_size('enf_other.schema_migrations') > 16 * 1024 * 1024 AS big;
BEGIN;
CREATE INDEX enf_other_sm_idx ON enf_other.schema_migrations (version);
ROLLBACK;
DROP SCHEMA enf_other CASCADE;

-- observe mode set by the DBA (here for the role): the same text as a
-- WARNING, and the statement runs
ALTER ROLE CURRENT_USER SET safe_ddl.mode = observe;
\c
SET safe_ddl.small_table_size = 0;
SHOW safe_ddl.mode;
BEGIN;
CREATE INDEX enf_pol_total_idx ON enf_pol (total);
SELECT indexrelid::regclass FROM pg_index WHERE indrelid = 'enf_pol'::regclass;
ROLLBACK;
-- observe mode never rewrites: it says what enforce would run
CREATE INDEX enf_pol_total_idx ON enf_pol (total);
DROP INDEX enf_pol_total_idx;
ALTER ROLE CURRENT_USER RESET safe_ddl.mode;
\c
SET safe_ddl.small_table_size = 0;
SHOW safe_ddl.mode;

-- break-glass: a privileged SET LOCAL lets one statement through, and the
-- log records an override
BEGIN;
SET LOCAL safe_ddl.mode = observe;
CREATE INDEX enf_pol_total_idx ON enf_pol (total);
ROLLBACK;

-- application roles can relax none of the settings
CREATE ROLE enf_app;
GRANT ALL ON enf_pol TO enf_app;
SET ROLE enf_app;
SET safe_ddl.small_table_size = '1TB';
SET safe_ddl.disabled_rules = 'require-concurrent-index-creation';
SET safe_ddl.bookkeeping_tables = 'enf_pol';
RESET ROLE;
-- unless granted
GRANT SET ON PARAMETER safe_ddl.disabled_rules TO enf_app;
SET ROLE enf_app;
SET safe_ddl.disabled_rules = 'renaming-column';
RESET safe_ddl.disabled_rules;
RESET ROLE;
REVOKE SET ON PARAMETER safe_ddl.disabled_rules FROM enf_app;
REVOKE ALL ON enf_pol FROM enf_app;
DROP ROLE enf_app;

-- warn rules: a WARNING, and the statement runs
ALTER TABLE enf_pol RENAME COLUMN total TO amount;
ALTER TABLE enf_pol RENAME COLUMN amount TO total;

RESET safe_ddl.small_table_size;
DROP TABLE enf_pol;
