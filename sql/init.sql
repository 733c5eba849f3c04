--
-- Loading safe_ddl: the extension, its settings and who may change them.
--
CREATE EXTENSION safe_ddl;
SELECT safe_ddl.version();

-- safe_ddl.mode defaults to enforce
SHOW safe_ddl.mode;
SET safe_ddl.mode = observe;
SHOW safe_ddl.mode;
SET safe_ddl.mode = off;
SHOW safe_ddl.mode;
RESET safe_ddl.mode;

-- invalid values are refused with PostgreSQL's normal GUC error
SET safe_ddl.mode = 'bogus';
SET safe_ddl.mode = '';
SHOW safe_ddl.mode;

-- the prefix is reserved: a misspelt setting is an error, not a placeholder
SET safe_ddl.moed = off;

-- application roles cannot relax the policy
CREATE ROLE sddl_app;
SET ROLE sddl_app;
SET safe_ddl.mode = off;
SHOW safe_ddl.mode;
RESET ROLE;

-- unless a superuser grants them SET on it
GRANT SET ON PARAMETER safe_ddl.mode TO sddl_app;
SET ROLE sddl_app;
SET safe_ddl.mode = observe;
SHOW safe_ddl.mode;
RESET safe_ddl.mode;
RESET ROLE;
REVOKE SET ON PARAMETER safe_ddl.mode FROM sddl_app;

-- settable per role and per database
ALTER ROLE sddl_app SET safe_ddl.mode = observe;
ALTER DATABASE contrib_regression SET safe_ddl.mode = enforce;
SELECT coalesce(r.rolname, '(database)') AS applies_to, c AS setting
  FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole,
       unnest(s.setconfig) c
 WHERE c LIKE 'safe_ddl.%'
 ORDER BY 1;
ALTER ROLE sddl_app RESET safe_ddl.mode;
ALTER DATABASE contrib_regression RESET safe_ddl.mode;
DROP ROLE sddl_app;

-- the extension's objects live in its own schema
SELECT e.extname, n.nspname, e.extrelocatable
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname = 'safe_ddl';
