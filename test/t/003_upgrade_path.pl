# The upgrade path: a database that installed the first version and was
# updated with ALTER EXTENSION ... UPDATE must end up with exactly the
# objects of a fresh install of the newest version (columns in the same
# order, defaults, constraints, indexes, functions, views, comments,
# privileges and policies).  Every change to the newest install script
# needs its twin in an update script; this test fails when one is missing.
use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $node = new_node('upgrade_path');
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('postgres', 'CREATE DATABASE upgraded');
$node->safe_psql('fresh', 'CREATE EXTENSION safe_ddl');
$node->safe_psql('upgraded', q{CREATE EXTENSION safe_ddl VERSION '0.1'});
$node->safe_psql('upgraded', 'ALTER EXTENSION safe_ddl UPDATE');

is( $node->safe_psql('upgraded',
        q{SELECT extversion FROM pg_extension WHERE extname = 'safe_ddl'}),
    $node->safe_psql('fresh',
        q{SELECT extversion FROM pg_extension WHERE extname = 'safe_ddl'}),
    'the update reaches the default version');

# One line per property of each object safe_ddl owns, in a stable order.
my $describe = q{
WITH ext AS (
    SELECT oid FROM pg_extension WHERE extname = 'safe_ddl'
), rels AS (
    SELECT c.oid, c.relname, c.relkind FROM pg_class c
    WHERE c.relnamespace = 'safe_ddl'::regnamespace
)
SELECT line FROM (
    SELECT 'member ' || pg_describe_object(d.classid, d.objid, 0)
    FROM pg_depend d, ext
    WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid
      AND d.deptype = 'e'
  UNION ALL
    SELECT format('column %s.%s #%s %s notnull=%s default=%s comment=%s',
                  r.relname, a.attname, a.attnum,
                  format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(ad.adbin, ad.adrelid),
                  col_description(r.oid, a.attnum))
    FROM rels r
    JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0
                        AND NOT a.attisdropped
    LEFT JOIN pg_attrdef ad ON ad.adrelid = r.oid AND ad.adnum = a.attnum
    WHERE r.relkind IN ('r', 'v', 'p')
  UNION ALL
    SELECT format('relation %s kind=%s acl=%s options=%s rls=%s comment=%s',
                  c.relname, c.relkind, c.relacl, c.reloptions,
                  c.relrowsecurity, obj_description(c.oid, 'pg_class'))
    FROM pg_class c WHERE c.relnamespace = 'safe_ddl'::regnamespace
  UNION ALL
    SELECT 'index ' || pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN rels r ON r.oid = i.indrelid
  UNION ALL
    SELECT format('constraint %s.%s %s', r.relname, co.conname,
                  pg_get_constraintdef(co.oid))
    FROM pg_constraint co JOIN rels r ON r.oid = co.conrelid
  UNION ALL
    SELECT format('view %s %s', r.relname, pg_get_viewdef(r.oid))
    FROM rels r WHERE r.relkind = 'v'
  UNION ALL
    SELECT format('sequence %s %s %s %s', s.seqrelid::regclass, s.seqincrement,
                  s.seqcache, s.seqcycle)
    FROM pg_sequence s JOIN rels r ON r.oid = s.seqrelid
  UNION ALL
    SELECT format('function %s acl=%s comment=%s %s',
                  p.oid::regprocedure, p.proacl,
                  obj_description(p.oid, 'pg_proc'),
                  CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) END)
    FROM pg_proc p WHERE p.pronamespace = 'safe_ddl'::regnamespace
  UNION ALL
    SELECT format('policy %s.%s %s %s %s', pol.tablename, pol.policyname,
                  pol.cmd, pol.roles, pol.qual)
    FROM pg_policies pol WHERE pol.schemaname = 'safe_ddl'
  UNION ALL
    SELECT 'config_dump ' || array_to_string(e.extconfig::regclass[]::text[], ',')
           || ' ' || coalesce(array_to_string(e.extcondition, ','), '')
    FROM pg_extension e WHERE e.extname = 'safe_ddl'
) objects(line)
ORDER BY line COLLATE "C";
};

my $fresh = $node->safe_psql('fresh', $describe);
my $upgraded = $node->safe_psql('upgraded', $describe);
cmp_ok(scalar(split /\n/, $fresh), '>', 50,
    'the description covers the objects of a fresh install');
is($upgraded, $fresh,
    'an install updated from 0.1 has the same objects as a fresh install');

$node->stop;
done_testing();
