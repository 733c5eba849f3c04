# PostgreSQL 19: VACUUM FULL of a big table in autocommit runs as REPACK
# (CONCURRENTLY) and the lock log records it as rewritten, with rule
# require-concurrent-repack and the SQL run instead.  REPACK (CONCURRENTLY)
# decodes the table's changes through a replication slot, which wal_level
# minimal cannot have: there the statement has no online form and is
# refused as on 15 to 18 (rule disallowed-vacuum-full).
use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $node = new_orders_node('repack_log', "safe_ddl.small_table_size = 0\n");
if ($node->safe_psql('postgres', 'SHOW server_version_num') < 190000)
{
    $node->stop;
    plan skip_all => 'REPACK (CONCURRENTLY) is PostgreSQL 19 and later';
}
# the key REPACK (CONCURRENTLY) identifies rows by (safe_ddl off: a setup step)
$node->safe_psql('postgres', q{
    SET safe_ddl.mode = off;
    ALTER TABLE orders ADD PRIMARY KEY (id);
    ANALYZE orders;});

# Poll until the row for $stmt_like is in the log; return its fields.
sub logged
{
    my ($stmt_like) = @_;
    return poll_lock_log($node, qq{
        SELECT outcome || '|' || coalesce(rule, '') || '|' ||
               coalesce(rewritten_to, '')
          FROM safe_ddl.lock_log WHERE statement LIKE '$stmt_like'
         ORDER BY logged_at DESC LIMIT 1});
}

sub relfilenode
{
    return $node->safe_psql('postgres',
        "SELECT relfilenode FROM pg_class WHERE oid = 'orders'::regclass");
}

# wal_level minimal (the test clusters' default): no slot, no online form
is($node->safe_psql('postgres', 'SHOW wal_level'), 'minimal',
    'the cluster starts with wal_level minimal');
my $before = relfilenode();
my ($ret, $out, $err) = $node->psql('postgres', 'VACUUM FULL orders');
like($err, qr/rule disallowed-vacuum-full/,
    'wal_level minimal: VACUUM FULL refused under the rule of 15 to 18');
is(logged('VACUUM FULL orders%'), 'rejected|disallowed-vacuum-full|',
    'wal_level minimal: logged as rejected');
is(relfilenode(), $before, 'wal_level minimal: the table is not rewritten');

# wal_level replica: run as REPACK (CONCURRENTLY), logged as rewritten
$node->append_conf('postgresql.conf', "wal_level = replica\nmax_wal_senders = 10\n");
$node->restart;
$node->safe_psql('postgres', 'TRUNCATE safe_ddl.lock_log');
($ret, $out, $err) = $node->psql('postgres', 'VACUUM FULL orders');
is($ret, 0, 'wal_level replica: VACUUM FULL succeeds');
like($err, qr/NOTICE:  rewriting table "orders" with VACUUM FULL would block reads and writes, so safe_ddl runs a safe equivalent instead/,
    'wal_level replica: a NOTICE announces the rewrite');
is(logged('VACUUM FULL orders%'),
    'rewritten|require-concurrent-repack|REPACK (CONCURRENTLY) public.orders;',
    'wal_level replica: logged as rewritten with the SQL run instead');
isnt(relfilenode(), $before, 'wal_level replica: the table is rewritten');
is($node->safe_psql('postgres', 'SELECT count(*) FROM orders'), '10000',
    'wal_level replica: every row is still there');
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_replication_slots'), '0',
    'wal_level replica: no replication slot left behind');

# REPACK (CONCURRENTLY) ... USING INDEX: the lock log names the index with
# the table, both in SHARE UPDATE EXCLUSIVE (what the server takes)
$node->safe_psql('postgres',
    'REPACK (CONCURRENTLY) orders USING INDEX orders_pkey');
is(poll_lock_log($node, q{
        SELECT relations::text FROM safe_ddl.lock_log
         WHERE statement LIKE 'REPACK (CONCURRENTLY) orders USING INDEX%'}),
    '[{"relation": "public.orders", "lock_mode": "ShareUpdateExclusiveLock"}, '
      . '{"relation": "public.orders_pkey", "lock_mode": "ShareUpdateExclusiveLock"}]',
    'REPACK (CONCURRENTLY) USING INDEX: the index is logged in the table\'s mode');

$node->stop;
done_testing();
