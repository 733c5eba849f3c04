# Enforcement outcomes in the lock log: every decision safe_ddl takes is
# recorded with its rule, a rewrite with the SQL it ran instead, a refusal
# with SQLSTATE 0A000, an observe-mode warning as "warned", and a DBA's
# break-glass SET LOCAL as "override".  A failed rewrite is logged as
# failed with the original error's SQLSTATE and leaves nothing behind.
use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $node = new_orders_node('rewrite_log',
    "safe_ddl.small_table_size = 0\nmax_parallel_maintenance_workers = 0\n");

# Poll until the row for $stmt_like is in the log; return its fields.
sub logged
{
    my ($stmt_like) = @_;
    return poll_lock_log($node, qq{
        SELECT outcome || '|' || coalesce(rule, '') || '|' ||
               coalesce(sqlstate, '') || '|' || coalesce(rewritten_to, '')
          FROM safe_ddl.lock_log WHERE statement LIKE '$stmt_like'
         ORDER BY logged_at DESC LIMIT 1});
}

# refused in a transaction block
my ($ret, $out, $err) = $node->psql('postgres', q{
    \set VERBOSITY verbose
    BEGIN;
    CREATE INDEX orders_total_refused ON orders (total);
    ROLLBACK;});
like($err, qr/ERROR:  0A000: creating index "orders_total_refused" on table "orders" would block writes/,
    'refusal: SQLSTATE 0A000 and the operation and relation in the message');
like($err, qr/DETAIL:  .*safe_ddl refused the statement \(rule require-concurrent-index-creation\)/,
    'refusal: the rule and safe_ddl in the DETAIL');
like($err, qr/HINT:  Run instead, outside a transaction block:\nCREATE INDEX CONCURRENTLY orders_total_refused ON orders \(total\);/,
    'refusal: the exact SQL in the HINT');
like($err, qr/AddIndexConcurrently.*\n.*algorithm: :concurrently.*\n.*postgresql_concurrently=True/,
    'refusal: the Django, Rails and Alembic ways in the HINT');
is(logged('CREATE INDEX orders_total_refused%'),
    'rejected|require-concurrent-index-creation|0A000|',
    'refusal logged as rejected with its rule and SQLSTATE');

# rewritten in autocommit
$node->safe_psql('postgres', 'CREATE INDEX orders_total_idx ON orders (total)');
is(logged('CREATE INDEX orders_total_idx%'),
    'rewritten|require-concurrent-index-creation||CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);',
    'rewrite logged with the SQL run instead');

# a failed rewrite: the original error, logged as failed, nothing left
($ret, $out, $err) = $node->psql('postgres',
    'CREATE UNIQUE INDEX orders_total_key ON orders (total)');
like($err, qr/could not create unique index "orders_total_key"/,
    'failed rewrite: the original error');
is(logged('CREATE UNIQUE INDEX orders_total_key%'),
    'failed|require-concurrent-index-creation|23505|CREATE UNIQUE INDEX CONCURRENTLY orders_total_key ON orders (total);',
    'failed rewrite logged as failed with the original SQLSTATE');
is($node->safe_psql('postgres',
        "SELECT count(*) FROM pg_index WHERE indrelid = 'orders'::regclass AND NOT indisvalid"),
    '0', 'failed rewrite: no INVALID index left behind');

# break-glass: a superuser's SET LOCAL, logged as override
($ret, $out, $err) = $node->psql('postgres', q{
    BEGIN;
    SET LOCAL safe_ddl.mode = observe;
    CREATE INDEX orders_id_glass ON orders (id);
    COMMIT;});
is($ret, 0, 'break-glass: the statement runs');
like($err, qr/WARNING:  creating index "orders_id_glass" on table "orders" would block writes/,
    'break-glass: the refusal text as a WARNING');
is(logged('CREATE INDEX orders_id_glass%'),
    'override|require-concurrent-index-creation||', 'break-glass logged as override');

# break-glass through another setting: SET LOCAL of disabled_rules
($ret, $out, $err) = $node->psql('postgres', q{
    BEGIN;
    SET LOCAL safe_ddl.disabled_rules = 'require-concurrent-index-creation';
    CREATE INDEX orders_id_disabled ON orders (id);
    COMMIT;});
is($ret, 0, 'break-glass by disabled_rules: the statement runs');
is(logged('CREATE INDEX orders_id_disabled%'),
    'override|require-concurrent-index-creation||',
    'break-glass by disabled_rules logged as override with the bypassed rule');

# a DBA's disabled_rules (not a session change): allowed, not override
$node->safe_psql('postgres',
    "ALTER DATABASE postgres SET safe_ddl.disabled_rules = 'require-concurrent-index-creation'");
$node->safe_psql('postgres', q{
    BEGIN;
    CREATE INDEX orders_id_dba ON orders (id);
    COMMIT;});
is(logged('CREATE INDEX orders_id_dba%'), 'allowed|||',
    'a rule disabled by the DBA is simply allowed');
$node->safe_psql('postgres', 'ALTER DATABASE postgres RESET safe_ddl.disabled_rules');

# observe mode configured by the DBA: warned, not override
$node->safe_psql('postgres', 'ALTER DATABASE postgres SET safe_ddl.mode = observe');
($ret, $out, $err) = $node->psql('postgres', q{
    BEGIN;
    CREATE INDEX orders_id_observe ON orders (id);
    COMMIT;});
is($ret, 0, 'observe: the statement runs');
is(logged('CREATE INDEX orders_id_observe%'),
    'warned|require-concurrent-index-creation||', 'observe mode logged as warned');
$node->safe_psql('postgres', 'ALTER DATABASE postgres RESET safe_ddl.mode');

# a constraint rewrite: both steps in rewritten_to
$node->safe_psql('postgres',
    'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0)');
is(logged('ALTER TABLE orders ADD CONSTRAINT orders_total_check%'),
    "rewritten|constraint-missing-not-valid||ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;\n"
      . "ALTER TABLE public.orders VALIDATE CONSTRAINT orders_total_check;",
    'constraint rewrite logged with both steps');

$node->stop;
done_testing();
