# The lock log across a crash (issue #9): when the log writer is killed with
# SIGKILL the postmaster reinitialises shared memory, and the events still
# buffered then are saved and written after the restart, or counted in
# log_status().lost: statements issued = rows + lost, never fewer.  Also the
# 0.1 -> 0.2 update of the SQL objects that brings the new columns.
use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $node = new_node('log_crash', conf => "restart_after_crash = on\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION safe_ddl');

sub status
{
    my ($cols) = @_;
    return $node->safe_psql('postgres',
        "SELECT $cols FROM safe_ddl.log_status()");
}

sub rows_like
{
    my ($pattern) = @_;
    return $node->safe_psql('postgres',
        "SELECT count(*) FROM safe_ddl.lock_log WHERE statement LIKE '$pattern'");
}

is(status('lost, recovered'), '0|0', 'nothing lost or recovered at first');

# A session holding a lock on the table keeps the writer from writing (it
# retries every 5 s): what the test issues stays buffered until the crash.
# The ring is empty first: a batch of the writer's (CREATE EXTENSION's
# event) committing just before the holder's lock is granted leaves the
# ring a moment later, after $before below would have counted it.
$node->poll_query_until('postgres',
    'SELECT buffered = 0 FROM safe_ddl.log_status()')
  or die 'the writer did not empty the buffer';
my $holder = $node->background_psql('postgres');
$holder->query_safe(
    'BEGIN; LOCK TABLE safe_ddl.lock_log IN ACCESS EXCLUSIVE MODE');
my $before = status('buffered');    # the holder's LOCK TABLE, say
my $issued = 100;
$node->safe_psql('postgres',
    join('', map { "CREATE TABLE crash_$_ (a int);\n" } 1 .. $issued));
is(status('buffered'), $before + $issued, "the $issued events are buffered");

# SIGKILL of the writer: the postmaster kills every backend and
# reinitialises shared memory.
my $writer = status('worker_pid');
my $log_offset = -s $node->logfile;
kill 'KILL', $writer;
$node->poll_query_until('postgres', qq{
    SELECT buffered = 0 AND worker_pid IS NOT NULL AND worker_pid <> $writer
      FROM safe_ddl.log_status()})
  or die 'the server did not come back with a writer that emptied the buffer';
like(slurp_file($node->logfile, $log_offset),
    qr/terminated by signal 9/, 'the server went through a crash restart');
# the crash ended the holder's session too
eval { $holder->quit };

my $rows = rows_like('CREATE TABLE crash_%');
my ($lost, $recovered) = split /\|/, status('lost, recovered');
my $saved = $before + $issued;
is($rows + $lost, $issued,
    'every statement issued is in the log or counted as lost');
is($rows, $issued, 'all of them were recovered and written');
is($lost,      '0',     'none counted as lost');
is($recovered, $saved, 'log_status() counts them as recovered');
like(slurp_file($node->logfile, $log_offset),
    qr/safe_ddl lock log: saved $saved buffered events.*\n(.*\n)*.*safe_ddl lock log: recovered $saved events saved at the last stop, 0 lost/,
    'the server log says what was saved and recovered');
is( $node->safe_psql(
        'postgres',
        'SELECT count(*) - count(DISTINCT (pid, logged_at)) FROM safe_ddl.lock_log'),
    '0',
    'no event written twice');

# The counters survive a clean restart.
$node->restart;
is(status('lost, recovered'), "0|$saved",
    'the counters survive a restart');

# The update from 0.1 brings the new columns; the old function keeps
# working with the new library until then.
$node->safe_psql('postgres', q{
    CREATE DATABASE old_objects;});
$node->safe_psql('old_objects', q{CREATE EXTENSION safe_ddl VERSION '0.1'});
is( $node->safe_psql(
        'old_objects', 'SELECT buffered >= 0 FROM safe_ddl.log_status()'),
    't', 'log_status() of version 0.1 works with this library');
$node->safe_psql('old_objects', q{ALTER EXTENSION safe_ddl UPDATE TO '0.2'});
is( $node->safe_psql(
        'old_objects', 'SELECT lost, recovered FROM safe_ddl.log_status()'),
    "0|$saved", 'after ALTER EXTENSION UPDATE it has lost and recovered');

$node->stop;
done_testing();
