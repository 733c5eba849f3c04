# wait_deferred() and the last phase of a deferred CREATE INDEX CONCURRENTLY
# (issue 13; a CI failure of 410).  That phase waits for every transaction
# whose snapshot it finds (WaitForOlderSnapshots) to END.  A session that
# calls wait_deferred() drops its snapshot first thing, but a build that
# looked between the start of the call's statement and that moment waits
# for the caller, who waits for the build: both stood still until the
# caller's timeout.  wait_deferred() now sees the worker blocked by its own
# transaction and has the build restarted at once, without counting an
# attempt; the restarted build no longer sees the caller.
#
# The window is a statement's parse and plan, so the test makes it last:
# the call's argument is a subquery that waits for an advisory lock the
# test holds, so the statement has its snapshot (and no transaction ID)
# while the build reaches its last phase and waits for it; only then is
# the lock released and wait_deferred() itself runs.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $node = new_node('untie', conf => qq{
safe_ddl.defer_workers = 1
safe_ddl.defer_max_attempts = 1
log_min_messages = log
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION safe_ddl;
    SET safe_ddl.mode = off;
    CREATE TABLE orders (id int PRIMARY KEY, total int);
    INSERT INTO orders SELECT g, g % 100 FROM generate_series(1, 10000) g;
});

# the caller's statement will hold its snapshot until the test lets it go
$node->safe_psql('postgres', q{
    CREATE TABLE gate (id int);
});
my $gate = $node->background_psql('postgres');
$gate->query_safe('BEGIN; LOCK TABLE gate IN ACCESS EXCLUSIVE MODE');
my $caller = $node->background_psql('postgres');
my $caller_pid = $caller->query_safe('SELECT pg_backend_pid()');
$caller->query_until(qr/started/, q{
\echo started
SELECT count(*) FROM safe_ddl.wait_deferred(
    (SELECT '30s'::interval FROM (SELECT count(*) FROM gate) g));
});
ok($node->poll_query_until('postgres', qq{
        SELECT backend_xid IS NULL AND backend_xmin IS NOT NULL
           AND wait_event_type = 'Lock'
        FROM pg_stat_activity WHERE pid = $caller_pid}),
    'the caller has its snapshot, no transaction ID, and waits at the gate');

my $id = queue_deferred($node, 'index', 'orders', 'orders_total_idx',
    'CREATE INDEX CONCURRENTLY orders_total_idx ON public.orders (total)');

# the build's last phase waits for the caller's transaction to end
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM pg_locks l
        JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE a.backend_type = 'safe_ddl deferred build'
          AND l.locktype = 'virtualxid' AND NOT l.granted}),
    'the build waits for the caller (the old snapshot)');

# Before: the call and the build waited for each other until the timeout
# (an error).  Now the build is restarted and the call returns.
$gate->query_safe('COMMIT');
$gate->quit;
# the call's result ("0": nothing failed), then the answer to "SELECT 1"
is($caller->query_safe('SELECT 1'), "0\n1",
    'wait_deferred() returns, with nothing failed');
$caller->quit;

# A caller whose transaction holds a lock the build waits out (no
# transaction ID, so the call is allowed): the restarted build waits for it
# again, and the call fails at once instead of at its timeout.
$node->safe_psql('postgres', q{
    SET safe_ddl.mode = off;
    CREATE TABLE items (id int, v int);
    INSERT INTO items SELECT g, g FROM generate_series(1, 1000) g;
});
$caller = $node->background_psql('postgres', on_error_stop => 0);
$caller_pid = $caller->query_safe('SELECT pg_backend_pid()');
$caller->query_safe('BEGIN; LOCK TABLE items IN ROW EXCLUSIVE MODE');
my $id2 = queue_deferred($node, 'index', 'items', 'items_v_idx',
    'CREATE INDEX CONCURRENTLY items_v_idx ON public.items (v)');
ok($node->poll_query_until('postgres', qq{
        SELECT count(*) = 1 FROM pg_locks l
        JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE a.backend_type = 'safe_ddl deferred build'
          AND l.locktype = 'virtualxid' AND NOT l.granted
          AND l.virtualxid = (SELECT virtualxid FROM pg_locks
                              WHERE pid = $caller_pid AND locktype = 'virtualxid')}),
    'the build waits for the lock holder');
$caller->query(q{SELECT count(*) FROM safe_ddl.wait_deferred('30s')});
like($caller->{stderr},
    qr/ERROR:  safe_ddl.wait_deferred\(\) would wait for a deferred build that waits for this transaction/,
    'a caller holding a lock the build waits for is told at once');
$caller->{stderr} = '';
$caller->query_safe('ROLLBACK');
is($caller->query_safe(q{SELECT count(*) FROM safe_ddl.wait_deferred('30s')}),
    '0', 'after its ROLLBACK, the build finishes');
$caller->quit;
is($node->safe_psql('postgres', "SELECT state, attempts
        FROM safe_ddl.deferred_queue WHERE id = $id2"),
    'done|1', 'built once the lock holder went; the restart did not count');

# an open cursor holds a snapshot the build would wait for: refused
my ($ret, $stdout, $stderr) = $node->psql('postgres', q{
    BEGIN;
    DECLARE c CURSOR FOR SELECT * FROM pg_class;
    SELECT * FROM safe_ddl.wait_deferred('1s');
});
like($stderr, qr/safe_ddl.wait_deferred\(\) cannot run while a cursor is open/,
    'wait_deferred() refuses to run while a cursor is open');

is($node->safe_psql('postgres', "SELECT state, attempts, last_error IS NULL
        FROM safe_ddl.deferred_queue WHERE id = $id"),
    'done|1|t',
    'the item is done; the restart did not count as an attempt (max 1)');
is($node->safe_psql('postgres', q{
        SELECT string_agg(indexrelid::regclass::text, ',') FROM pg_index
        WHERE NOT indisvalid OR NOT indisready}),
    '', 'no INVALID index remains');
is($node->safe_psql('postgres', q{
        SELECT indisvalid FROM pg_index
        WHERE indexrelid = 'orders_total_idx'::regclass}),
    't', 'the index is valid');
ok($node->log_contains(
        qr/safe_ddl deferred build $id restarted: it waited for a session in safe_ddl.wait_deferred\(\)/),
    'the server log says why the build restarted');

done_testing();
