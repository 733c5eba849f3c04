# The lock log across an immediate shutdown (issue #9): the events buffered
# then are saved and written after the next start; a statement that was
# running is counted as lost (its backend got SIGQUIT and ran no code); a
# saved record damaged on disk is counted as lost, the others are written.
# Statements issued = rows + lost, always.
use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $node = new_node('log_immediate');
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION safe_ddl;
    CREATE TABLE small (a int);
    INSERT INTO small SELECT generate_series(1, 10);
    -- an index expression that takes its time: a statement in flight
    CREATE FUNCTION slow(int) RETURNS int IMMUTABLE LANGUAGE plpgsql
        AS $$ BEGIN PERFORM pg_sleep(60); RETURN $1; END $$;
});

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

# Issue $n statements named $prefix while a session keeps the writer from
# writing (a lock on the table), then stop the server in immediate mode.
# With $in_flight, one more statement is running at that moment.
sub buffer_and_stop
{
    my ($prefix, $n, $in_flight) = @_;
    # The ring empty first: an event the writer is writing when the holder's
    # lock is granted would leave the ring after $before counted it.
    $node->poll_query_until('postgres',
        'SELECT buffered = 0 FROM safe_ddl.log_status()')
      or die 'the writer did not empty the buffer';
    my $holder = $node->background_psql('postgres');
    $holder->query_safe(
        'BEGIN; LOCK TABLE safe_ddl.lock_log IN ACCESS EXCLUSIVE MODE');
    my $before = status('buffered');
    $node->safe_psql('postgres',
        join('', map { "CREATE TABLE ${prefix}_$_ (a int);\n" } 1 .. $n));
    is(status('buffered'), $before + $n, "$prefix: $n events buffered");
    my $running;
    if ($in_flight)
    {
        $running = $node->background_psql('postgres', on_error_stop => 0);
        $running->query_until(qr/started/, q{
            \echo started
            CREATE INDEX small_slow_idx ON small ((slow(a)));
        });
        $node->poll_query_until('postgres', q{
            SELECT count(*) = 1 FROM pg_stat_activity
             WHERE query LIKE 'CREATE INDEX small_slow_idx%'
               AND wait_event = 'PgSleep'})
          or die 'the CREATE INDEX did not start';
    }
    $node->stop('immediate');
    # the sessions died with the server
    eval { $holder->quit };
    eval { $running->quit } if $running;
    return $before;
}

# 1. Events buffered and a statement in flight at an immediate shutdown.
my $issued = 50;
my $before = buffer_and_stop('imm', $issued, 1);
like(slurp_file($node->logfile),
    qr/safe_ddl lock log: saved @{[$before + $issued]} buffered events to "[^"]+", 1 lost/,
    'the postmaster saved the buffer and counted the statement in flight');
$node->start;
$node->poll_query_until('postgres',
    'SELECT buffered = 0 AND worker_pid IS NOT NULL FROM safe_ddl.log_status()')
  or die 'the buffer was not written after the start';
my $rows = rows_like('CREATE TABLE imm_%');
my ($lost, $recovered) = split /\|/, status('lost, recovered');
is($rows + rows_like('CREATE INDEX small_slow_idx%') + $lost, $issued + 1,
    'every statement issued is in the log or counted as lost');
is($rows, $issued, 'every buffered event was written after the start');
is($lost, '1', 'the statement in flight is counted as lost');
is($recovered, $before + $issued, 'the buffered events count as recovered');
is( $node->safe_psql(
        'postgres',
        'SELECT count(*) - count(DISTINCT (pid, logged_at)) FROM safe_ddl.lock_log'),
    '0',
    'no event written twice');

# 2. A saved record damaged on disk: counted as lost, the others written.
my $issued2 = 20;
my $before2 = buffer_and_stop('dmg', $issued2, 0);
my $file = $node->data_dir . '/pg_stat/safe_ddl_lock_log.buf';
ok(-s $file, 'the buffer was saved');
# The last bytes of the file are the end of the last record's statement.
open(my $fh, '+<', $file) or die "open $file: $!";
binmode $fh;
seek($fh, -3, 2);
print $fh 'X';
close $fh;
$node->start;
$node->poll_query_until('postgres',
    'SELECT buffered = 0 AND worker_pid IS NOT NULL FROM safe_ddl.log_status()')
  or die 'the buffer was not written after the start';
my $rows2 = rows_like('CREATE TABLE dmg_%');
my ($lost2, $recovered2) = split /\|/, status('lost, recovered');
is($rows2 + ($lost2 - $lost), $issued2,
    'with a damaged record: every statement is in the log or counted as lost');
is($rows2, $issued2 - 1, 'the damaged record is not written');
is($lost2 - $lost, 1, 'it is counted as lost');
like(slurp_file($node->logfile),
    qr/recovered @{[$before2 + $issued2 - 1]} events saved at the last stop, 1 lost/,
    'the server log says so');

# 3. A clean shutdown with nothing buffered loses nothing more.
$node->restart;
is(status('lost'), $lost2, 'a clean restart loses nothing');

$node->stop;
done_testing();
