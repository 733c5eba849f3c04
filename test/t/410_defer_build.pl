# The deferred-build worker (issue 13): items in safe_ddl.deferred_queue are
# built online after commit.  A queued index is built CONCURRENTLY and is
# valid; a queued validation validates; a build whose worker is terminated
# mid-build leaves no INVALID index and is retried to the end; a validation
# that finds a violating row fails once, with its error, and the constraint
# stays NOT VALID; an item of an unprivileged role builds as that role.
# Items are queued here as the statement side does (a row, then a wake-up).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $node = new_node('defer', conf => qq{
safe_ddl.defer_workers = 2
safe_ddl.defer_retry_max_backoff = 1
log_min_messages = log
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION safe_ddl;
    SET safe_ddl.mode = off;
    CREATE TABLE orders (id int PRIMARY KEY, total int, note text);
    INSERT INTO orders SELECT g, g % 100, 'n' || g FROM generate_series(1, 50000) g;
    CREATE ROLE app LOGIN;
    GRANT USAGE, CREATE ON SCHEMA public TO app;
});
$node->safe_psql('postgres', q{
    CREATE TABLE app_items (id int, v int);
    INSERT INTO app_items SELECT g, g FROM generate_series(1, 1000) g;
}, extra_params => ['-U', 'app']);

# Queue an item as the statement side would, and wake the worker.
sub queue
{
    my ($kind, $table, $object, $statement, $by) = @_;
    return queue_deferred($node, $kind, $table, $object, $statement,
        by => $by);
}

sub item
{
    my ($id, $cols) = @_;
    return $node->safe_psql('postgres',
        "SELECT $cols FROM safe_ddl.deferred_queue WHERE id = $id");
}

# --- an index -----------------------------------------------------------
my $id = queue('index', 'orders', 'orders_total_idx',
    'CREATE INDEX CONCURRENTLY orders_total_idx ON public.orders (total)');
is($node->safe_psql('postgres',
        "SELECT count(*) FROM safe_ddl.wait_deferred('60s')"),
    '0', 'wait_deferred() returns nothing failed after an index build');
is(item($id, 'state, attempts, last_error IS NULL, finished_at >= started_at'),
    'done|1|t|t', 'the index item is done after one attempt');
is($node->safe_psql('postgres', q{
        SELECT indisvalid FROM pg_index
        WHERE indexrelid = 'orders_total_idx'::regclass}),
    't', 'the index exists and is valid');
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM safe_ddl.lock_log
        WHERE statement LIKE 'CREATE INDEX CONCURRENTLY orders_total_idx%'
          AND application_name = 'safe_ddl deferred build'
          AND outcome = 'allowed'}),
    'the build is in the lock log like any statement');

# --- a validation -------------------------------------------------------
$node->safe_psql('postgres', q{
    SET safe_ddl.mode = off;
    ALTER TABLE orders ADD CONSTRAINT total_nonneg CHECK (total >= 0) NOT VALID;
});
$id = queue('validation', 'orders', 'total_nonneg',
    'ALTER TABLE public.orders VALIDATE CONSTRAINT total_nonneg');
is($node->safe_psql('postgres',
        "SELECT count(*) FROM safe_ddl.wait_deferred('60s')"),
    '0', 'wait_deferred() returns nothing failed after a validation');
is(item($id, 'state, attempts'), 'done|1', 'the validation item is done');
is($node->safe_psql('postgres', q{
        SELECT convalidated FROM pg_constraint WHERE conname = 'total_nonneg'}),
    't', 'the constraint is validated');

# --- the worker terminated mid-build ------------------------------------
# A writer's open transaction makes CREATE INDEX CONCURRENTLY wait after it
# created the (still invalid) index: the worker is terminated there.
my $writer = $node->background_psql('postgres');
$writer->query_safe(
    'BEGIN; INSERT INTO orders VALUES (100001, 1, \'w\')');
$id = queue('index', 'orders', 'orders_note_idx',
    'CREATE INDEX CONCURRENTLY orders_note_idx ON public.orders (note)');
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM pg_stat_activity
        WHERE backend_type = 'safe_ddl deferred build'
          AND wait_event_type = 'Lock'
          AND query LIKE 'CREATE INDEX CONCURRENTLY orders_note_idx%'}),
    'the build waits for the writer');
is($node->safe_psql('postgres', q{
        SELECT indisvalid FROM pg_index
        WHERE indexrelid = 'orders_note_idx'::regclass}),
    'f', 'mid-build, the index is there and invalid');
my $pid = item($id, 'worker_pid');
is(item($id, 'state'), 'running', 'the item is running meanwhile');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
$writer->query_safe('COMMIT');
$writer->quit;
is($node->safe_psql('postgres',
        "SELECT count(*) FROM safe_ddl.wait_deferred('120s')"),
    '0', 'wait_deferred() waits for the retried build');
is(item($id, 'state, attempts, worker_pid <> ' . $pid),
    'done|2|t', 'a new worker retried the build and finished it');
is($node->safe_psql('postgres', q{
        SELECT string_agg(indexrelid::regclass::text, ',') FROM pg_index
        WHERE NOT indisvalid OR NOT indisready}),
    '', 'no INVALID index remains');
is($node->safe_psql('postgres', q{
        SELECT indisvalid FROM pg_index
        WHERE indexrelid = 'orders_note_idx'::regclass}),
    't', 'the retried index is valid');

# --- a violating row ----------------------------------------------------
$node->safe_psql('postgres', q{
    SET safe_ddl.mode = off;
    ALTER TABLE orders ADD CONSTRAINT total_small CHECK (total < 50) NOT VALID;
});
$id = queue('validation', 'orders', 'total_small',
    'ALTER TABLE public.orders VALIDATE CONSTRAINT total_small');
my $failed = $node->safe_psql('postgres',
    "SELECT id, state, last_error FROM safe_ddl.wait_deferred('60s')");
my $failed_id = $id;
like($failed, qr/^$id\|failed\|check constraint "total_small" .*is violated by some row$/,
    'wait_deferred() returns the failed validation with its error');
is(item($id, 'state, attempts, last_sqlstate, next_attempt_at IS NULL'),
    'failed|1|23514|t', 'failed at once, with its SQLSTATE, and not retried');
is($node->safe_psql('postgres', q{
        SELECT convalidated FROM pg_constraint WHERE conname = 'total_small'}),
    'f', 'the constraint is left NOT VALID');

# --- an unprivileged application role -----------------------------------
$id = queue('index', 'app_items', 'app_items_v_idx',
    'CREATE INDEX CONCURRENTLY app_items_v_idx ON public.app_items (v)', 'app');
my ($ret, $out, $err) = $node->psql('postgres',
    "SELECT id FROM safe_ddl.wait_deferred('60s') WHERE id = $id",
    extra_params => ['-U', 'app']);
is($ret, 0, 'the application role may call wait_deferred()');
is(item($id, 'state'), 'done', "the application role's item is built");
is($node->safe_psql('postgres', q{
        SELECT c.relowner::regrole, i.indisvalid
        FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
        WHERE c.oid = 'app_items_v_idx'::regclass}),
    'app|t', "the index belongs to the table's owner and is valid");
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM safe_ddl.lock_log
        WHERE statement LIKE 'CREATE INDEX CONCURRENTLY app_items_v_idx%'
          AND username = 'app' AND outcome = 'allowed'}),
    "the build ran as the table's owner");

# --- a cancelled build of the application's table -----------------------
# The build runs as the table's owner; after a cancel the worker cleans up
# (the invalid index goes) and records the retry as itself.
$writer = $node->background_psql('postgres');
$writer->query_safe('BEGIN; INSERT INTO app_items VALUES (0, 0)');
$id = queue('index', 'app_items', 'app_items_id_idx',
    'CREATE INDEX CONCURRENTLY app_items_id_idx ON public.app_items (id)', 'app');
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM pg_stat_activity
        WHERE backend_type = 'safe_ddl deferred build'
          AND wait_event_type = 'Lock'
          AND query LIKE 'CREATE INDEX CONCURRENTLY app_items_id_idx%'}),
    'the build of the application table waits for the writer');
$pid = item($id, 'worker_pid');
$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
# the clean-up (DROP INDEX CONCURRENTLY) waits for the writer too
$writer->query_safe('COMMIT');
$writer->quit;
is($node->safe_psql('postgres',
        "SELECT string_agg(id::text, ',') FROM safe_ddl.wait_deferred('60s')"),
    $failed_id, 'the cancelled build is retried and succeeds: only the old failure is returned');
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM safe_ddl.lock_log
        WHERE statement = 'DROP INDEX CONCURRENTLY IF EXISTS public.app_items_id_idx'
          AND username = 'app' AND outcome = 'allowed'}),
    'the invalid index of the cancelled build was dropped, as the owner');
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM safe_ddl.lock_log
        WHERE statement LIKE 'CREATE INDEX CONCURRENTLY app_items_id_idx%'
          AND outcome = 'failed' AND sqlstate = '57014'}),
    'the cancelled attempt is in the lock log');
is($node->safe_psql('postgres', q{
        SELECT indisvalid FROM pg_index
        WHERE indexrelid = 'app_items_id_idx'::regclass}),
    't', 'the index is valid');
is(item($id, 'state, attempts, worker_pid = ' . $pid),
    'done|2|t', 'the same worker recorded the retry and ran it: it survived the cancel');

# --- what a deferring transaction took, in the lock log ----------------
# A deferred CREATE INDEX only queues the build: the transaction takes no
# lock on the table, and the log names the table without a lock mode.  A
# deferred validation adds the constraint NOT VALID at once, under the
# ACCESS EXCLUSIVE lock the log names.
is($node->safe_psql('postgres', q{
        SET safe_ddl.small_table_size = 0;
        SET safe_ddl.defer = 'index, validation';
        BEGIN;
        CREATE INDEX orders_id_total_idx ON orders (id, total);
        SELECT count(*) FROM pg_locks
         WHERE relation = 'orders'::regclass AND pid = pg_backend_pid();
        ALTER TABLE orders ADD CONSTRAINT total_max CHECK (total < 1000);
        SELECT bool_or(mode = 'AccessExclusiveLock') FROM pg_locks
         WHERE relation = 'orders'::regclass AND pid = pg_backend_pid();
        COMMIT;}),
    "0\nt", 'deferring: no lock on the table for the index, ACCESS EXCLUSIVE for the constraint');
# the strongest lock mode and the relations logged for a statement
sub logged_locks
{
    my ($stmt_like) = @_;
    return poll_lock_log($node, qq{
        SELECT coalesce(lock_mode, 'none') || ' ' || relations::text
          FROM safe_ddl.lock_log WHERE statement LIKE '$stmt_like'});
}
is(logged_locks('CREATE INDEX orders_id_total_idx%'),
    'none [{"relation": "public.orders"}]',
    'the deferred index is logged with its table and no lock');
is(logged_locks('ALTER TABLE orders ADD CONSTRAINT total_max%'),
    'AccessExclusiveLock [{"relation": "public.orders", "lock_mode": "AccessExclusiveLock"}]',
    'the deferred validation is logged with the lock its NOT VALID form took');
is($node->safe_psql('postgres',
        "SELECT string_agg(id::text, ',') FROM safe_ddl.wait_deferred('60s')"),
    $failed_id, 'the deferred index and validation are built');

# --- refused in a transaction that wrote --------------------------------
($ret, $out, $err) = $node->psql('postgres', q{
    BEGIN;
    INSERT INTO orders VALUES (100002, 1, 'x');
    SELECT * FROM safe_ddl.wait_deferred('1s');
});
like($err, qr/cannot run in a transaction that has written/,
    'wait_deferred() refuses to wait in a transaction holding an xid');

# The workers are gone once nothing is pending.
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 0 FROM pg_stat_activity
        WHERE backend_type = 'safe_ddl deferred build'}),
    'no deferred-build worker stays once the queue is settled');

$node->stop;
done_testing();
