# A database whose deferred-build worker is busy can still be renamed,
# moved, copied and dropped without WITH (FORCE), as with autovacuum
# (issue 13): PostgreSQL refuses those commands while any other session is
# connected to the database ("database ... is being accessed by other
# users"), and the worker is one.  safe_ddl stops it first; the build it
# was running is retried once the command is done (rename, move, copy), or
# goes with the database (drop).
#
# The build is kept busy with no session connected to its database: its
# index expression reads a shared catalog that a session of another
# database holds locked.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $node = new_node('dbcmd', conf => qq{
safe_ddl.defer_workers = 2
safe_ddl.defer_max_attempts = 20
safe_ddl.defer_retry_max_backoff = 1
log_min_messages = log
});
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE busy');
$node->safe_psql('busy', q{
    CREATE EXTENSION safe_ddl;
    SET safe_ddl.mode = off;
    CREATE FUNCTION gate(int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
    BEGIN
        PERFORM FROM pg_catalog.pg_replication_origin LIMIT 1;
        RETURN $1;
    END $$;
    CREATE TABLE t (v int);
    INSERT INTO t SELECT g FROM generate_series(1, 100) g;
    INSERT INTO safe_ddl.deferred_queue
        (kind, relid, relation, object_name, statement, original)
    VALUES ('index', 't'::regclass, 'public.t', 't_gate_idx',
            'CREATE INDEX CONCURRENTLY t_gate_idx ON public.t (public.gate(v))',
            'original');
});

# Holds the build: every read of pg_replication_origin waits for it.
my $gate = $node->background_psql('postgres');
$gate->query_safe(
    'BEGIN; LOCK TABLE pg_catalog.pg_replication_origin IN ACCESS EXCLUSIVE MODE');
$node->safe_psql('busy', 'SELECT safe_ddl.deferred_wake()');

# The database's worker, waiting in its build for the gate.
sub wait_for_busy_worker
{
    my ($db, $what) = @_;
    ok($node->poll_query_until('postgres', qq{
            SELECT count(*) = 1 FROM pg_stat_activity
            WHERE backend_type = 'safe_ddl deferred build'
              AND datname = '$db' AND wait_event_type = 'Lock'
              AND query LIKE 'CREATE INDEX CONCURRENTLY t_gate_idx%'}),
        "the build in database $db waits for the gate $what");
}

# A database command must work while the build runs: no other session is
# connected to the database, only its worker.
sub database_command_ok
{
    my ($sql, $what) = @_;
    my ($ret, $out, $err) = $node->psql('postgres', $sql);
    is($ret, 0, "$what succeeds while the database's build runs");
    unlike($err, qr/being accessed by other users/, "$what: no other user")
      or diag($err);
}

wait_for_busy_worker('busy', 'at first');

# Where PostgreSQL refuses the command anyway (in a transaction block, from
# a function), the worker is left alone.
my $log_offset = -s $node->logfile;
my ($ret, $out, $err) = $node->psql('postgres',
    'BEGIN; DROP DATABASE busy; COMMIT');
like($err, qr/DROP DATABASE cannot run inside a transaction block/,
    'DROP DATABASE in a transaction block fails as in PostgreSQL');
($ret, $out, $err) = $node->psql('postgres',
    q{DO $$ BEGIN EXECUTE 'DROP DATABASE busy'; END $$});
like($err, qr/DROP DATABASE cannot be executed from a function/,
    'DROP DATABASE from a function fails as in PostgreSQL');
unlike(slurp_file($node->logfile, $log_offset),
    qr/stopping the deferred-build worker/,
    'neither stopped the worker');

database_command_ok('ALTER DATABASE busy RENAME TO busy2', 'ALTER DATABASE ... RENAME');
like(slurp_file($node->logfile, $log_offset),
    qr/safe_ddl is stopping the deferred-build worker of database "busy" \(process \d+\) for ALTER DATABASE ... RENAME TO/,
    'the rename stopped the worker, and the server log says so');
wait_for_busy_worker('busy2', 'again after the rename');

database_command_ok('CREATE DATABASE busy_copy TEMPLATE busy2',
    'CREATE DATABASE ... TEMPLATE');
wait_for_busy_worker('busy2', 'again after the copy');

my $tsdir = PostgreSQL::Test::Utils::tempdir();
$node->safe_psql('postgres', "CREATE TABLESPACE moved LOCATION '$tsdir'");
database_command_ok('ALTER DATABASE busy2 SET TABLESPACE moved',
    'ALTER DATABASE ... SET TABLESPACE');
wait_for_busy_worker('busy2', 'again after the move');

is($node->safe_psql('busy2', q{
        SELECT state FROM safe_ddl.deferred_queue WHERE object_name = 't_gate_idx'}),
    'running', 'the item is still running: each command interrupted one attempt');

database_command_ok('DROP DATABASE busy2', 'DROP DATABASE');
is($node->safe_psql('postgres',
        "SELECT count(*) FROM pg_database WHERE datname = 'busy2'"),
    '0', 'the database is gone');

$gate->query_safe('COMMIT');
$gate->quit;

# The build of the renamed database is not retried anywhere, and the copy
# keeps its queue as it was (its item runs once its worker is woken).
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 0 FROM pg_stat_activity
        WHERE backend_type = 'safe_ddl deferred build'}),
    'no deferred-build worker is left once the database is dropped');
is($node->safe_psql('busy_copy', q{
        SELECT count(*) FROM safe_ddl.wait_deferred('120s')}),
    '0', 'the copied database builds its copied item once woken');
is($node->safe_psql('busy_copy', q{
        SELECT indisvalid FROM pg_index
        WHERE indexrelid = 't_gate_idx'::regclass}),
    't', 'the index of the copy is valid');

$node->stop;
done_testing();
