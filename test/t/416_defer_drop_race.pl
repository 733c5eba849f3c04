# DROP TABLE and DROP INDEX racing the deferred-build worker's claim of an
# item (issue 13).  A DROP of a table or of a queued index cancels the items
# still queued; an item the worker has already claimed is past that.
# - DROP TABLE: the worker, waiting for the table's lock, gets it once the
#   DROP commits.  It must then end the item failed for good, with an error
#   saying the table was dropped: not build the index on another table
#   that took the name meanwhile, not retry, not leave an index behind.
# - DROP INDEX of the claimed build's index, which does not exist yet: the
#   build can no longer be cancelled, so the DROP is refused with a message
#   naming the item (not "does not exist", with the index appearing after).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $node = new_node('droprace', conf => qq{
safe_ddl.defer_workers = 2
safe_ddl.defer_retry_max_backoff = 1
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION safe_ddl;
    CREATE TABLE orders (id int, total int);
    INSERT INTO orders SELECT g, g % 100 FROM generate_series(1, 1000) g;
});

# Queue an index build on table, wake the worker, and wait until it has
# claimed the item and polls for the table's lock (held by the caller).
sub queue_and_claim
{
    my ($table, $index, $column) = @_;
    my $id = queue_deferred($node, 'index', $table, $index,
        "CREATE INDEX CONCURRENTLY $index ON public.$table ($column)");
    ok($node->poll_query_until('postgres', qq{
            SELECT q.state = 'running' AND a.wait_event_type = 'Extension'
            FROM safe_ddl.deferred_queue q
            JOIN pg_stat_activity a ON a.pid = q.worker_pid
            WHERE q.id = $id}),
        "the worker claimed the build of $index and waits for the table");
    return $id;
}

# --- DROP TABLE of a claimed build ------------------------------------
# The migration that drops the table holds its lock first.
my $ddl = $node->background_psql('postgres');
$ddl->query_safe('SET safe_ddl.mode = off');
$ddl->query_safe('BEGIN');
$ddl->query_safe('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');

my $id = queue_and_claim('orders', 'orders_total_idx', 'total');

# Dropped, and another table takes its name, in the same transaction.
$ddl->query_safe('DROP TABLE orders');
$ddl->query_safe('CREATE TABLE orders (id int, total int)');
$ddl->query_safe('COMMIT');
$ddl->quit;

is($node->safe_psql('postgres',
        "SELECT id, state FROM safe_ddl.wait_deferred('60s')"),
    "$id|failed", 'wait_deferred() returns the item, failed');
like($node->safe_psql('postgres',
        "SELECT last_error FROM safe_ddl.deferred_queue WHERE id = $id"),
    qr/^the table of deferred build $id was dropped/,
    'its error says the table was dropped');
is($node->safe_psql('postgres', qq{
        SELECT attempts, last_sqlstate, next_attempt_at IS NULL
        FROM safe_ddl.deferred_queue WHERE id = $id}),
    '1|42P01|t', 'failed at the first attempt, not to be retried');
is($node->safe_psql('postgres', q{
        SELECT count(*) FROM pg_class WHERE relname = 'orders_total_idx'}),
    '0', 'no index was built, on the new table or anywhere');
is($node->safe_psql('postgres', q{
        SELECT count(*) FROM pg_index WHERE NOT indisvalid}),
    '0', 'no INVALID index remains');

# --- DROP INDEX of a claimed build -------------------------------------
$node->safe_psql('postgres', q{
    CREATE TABLE items (id int, v int);
    INSERT INTO items SELECT g, g FROM generate_series(1, 1000) g;
});
$ddl = $node->background_psql('postgres');
$ddl->query_safe('BEGIN');
$ddl->query_safe('LOCK TABLE items IN SHARE MODE');
$id = queue_and_claim('items', 'items_v_idx', 'v');
my ($ret, $out, $err) = $node->psql('postgres', 'DROP INDEX items_v_idx');
isnt($ret, 0, 'DROP INDEX of the claimed build is refused');
like($err, qr/index "items_v_idx" cannot be dropped yet: safe_ddl is building it/,
    'the refusal says the index is being built');
like($err, qr/Deferred item $id is running/, 'and names the item');
$ddl->query_safe('COMMIT');
$ddl->quit;
ok($node->poll_query_until('postgres',
        "SELECT state = 'done' FROM safe_ddl.deferred_queue WHERE id = $id"),
    'the build goes on once the table is free');
is($node->safe_psql('postgres', qq{
        SELECT q.state, i.indisvalid
        FROM safe_ddl.deferred_queue q, pg_index i
        WHERE q.id = $id AND i.indexrelid = 'items_v_idx'::regclass}),
    'done|t', 'the item is done and its index valid');
($ret, $out, $err) = $node->psql('postgres',
    'SET safe_ddl.mode = off; DROP INDEX items_v_idx');
is($ret, 0, 'the index can be dropped once built');

$node->stop;
done_testing();
