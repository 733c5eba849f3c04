# Deferred builds survive a restart (issue 13): items queued while no
# worker could run, and an item left "running" by a worker that died with
# its invalid index, are built once the server starts again, with no
# wake-up from any session: the launcher's sweep at start finds them.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $node = new_node('restart', conf => qq{
safe_ddl.defer_workers = 0
safe_ddl.defer_retry_max_backoff = 1
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION safe_ddl;
    SET safe_ddl.mode = off;
    CREATE TABLE orders (id int PRIMARY KEY, total int, note text);
    INSERT INTO orders SELECT g, g % 100, 'n' || g FROM generate_series(1, 20000) g;
    ALTER TABLE orders ADD CONSTRAINT total_nonneg CHECK (total >= 0) NOT VALID;
});
$node->safe_psql('postgres', 'CREATE DATABASE other');
$node->safe_psql('other', q{
    CREATE EXTENSION safe_ddl;
    CREATE TABLE items (id int, v int);
    INSERT INTO items SELECT g, g FROM generate_series(1, 1000) g;
});

# An interrupted build: the invalid index a failed CONCURRENTLY leaves, and
# its item "running" under a process that is gone.
$node->psql('postgres', q{
    SET safe_ddl.mode = off;
    CREATE INDEX CONCURRENTLY orders_note_idx ON orders ((1 / (total - total)));
});
is($node->safe_psql('postgres', q{
        SELECT indisvalid FROM pg_index
        WHERE indexrelid = 'orders_note_idx'::regclass}),
    'f', 'an invalid index is left as by a build cut short');

$node->safe_psql('postgres', q{
    INSERT INTO safe_ddl.deferred_queue
        (kind, relid, relation, object_name, statement, original)
    VALUES ('index', 'orders'::regclass, 'public.orders', 'orders_total_idx',
            'CREATE INDEX CONCURRENTLY orders_total_idx ON public.orders (total)', 'x'),
           ('validation', 'orders'::regclass, 'public.orders', 'total_nonneg',
            'ALTER TABLE public.orders VALIDATE CONSTRAINT total_nonneg', 'x');
    INSERT INTO safe_ddl.deferred_queue
        (kind, relid, relation, object_name, statement, original,
         state, attempts, worker_pid, started_at)
    VALUES ('index', 'orders'::regclass, 'public.orders', 'orders_note_idx',
            'CREATE INDEX CONCURRENTLY orders_note_idx ON public.orders (note)', 'x',
            'running', 1, 999999, now());
});
$node->safe_psql('other', q{
    INSERT INTO safe_ddl.deferred_queue
        (kind, relid, relation, object_name, statement, original)
    VALUES ('index', 'items'::regclass, 'public.items', 'items_v_idx',
            'CREATE INDEX CONCURRENTLY items_v_idx ON public.items (v)', 'x');
});

# With no worker allowed, nothing runs.
$node->safe_psql('postgres', 'SELECT safe_ddl.deferred_wake()');
my ($ret, $out, $err) = $node->psql('postgres',
    "SELECT * FROM safe_ddl.wait_deferred('1s')");
like($err, qr/deferred builds are queued but none can run/,
    'wait_deferred() says that no worker may run');
is($node->safe_psql('postgres',
        "SELECT string_agg(state, ',' ORDER BY id) FROM safe_ddl.deferred_queue"),
    'queued,queued,running', 'the items wait while defer_workers is 0');

$node->stop;
$node->append_conf('postgresql.conf', "safe_ddl.defer_workers = 2\n");
$node->start;

# Nobody wakes anybody: the sweep at start finds both databases' items.
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 3 FROM safe_ddl.deferred_queue WHERE state = 'done'}),
    'after the restart the queued items are built');
ok($node->poll_query_until('other', q{
        SELECT count(*) = 1 FROM safe_ddl.deferred_queue WHERE state = 'done'}),
    "and the other database's item too");
is($node->safe_psql('postgres', q{
        SELECT string_agg(object_name || ':' || attempts, ',' ORDER BY id)
        FROM safe_ddl.deferred_queue}),
    'orders_total_idx:1,total_nonneg:1,orders_note_idx:2',
    'the interrupted item was retried as its second attempt');
is($node->safe_psql('postgres', q{
        SELECT string_agg(c.relname || ':' || i.indisvalid, ',' ORDER BY c.relname)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = 'orders'::regclass}),
    'orders_note_idx:true,orders_pkey:true,orders_total_idx:true',
    'every index is valid: the leftover was dropped and built again');
is($node->safe_psql('postgres', q{
        SELECT pg_get_indexdef('orders_note_idx'::regclass)}),
    'CREATE INDEX orders_note_idx ON public.orders USING btree (note)',
    'the index has the queued definition, not the leftover one');
is($node->safe_psql('postgres', q{
        SELECT convalidated FROM pg_constraint WHERE conname = 'total_nonneg'}),
    't', 'the queued validation ran');
is($node->safe_psql('other', q{
        SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_v_idx'::regclass}),
    't', "the other database's index is valid");

$node->stop;
done_testing();
