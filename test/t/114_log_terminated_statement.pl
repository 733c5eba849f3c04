# A statement interrupted in the middle still gets its lock log row
# (issue #9).  pg_terminate_backend during a CREATE INDEX that safe_ddl
# rewrote to CREATE INDEX CONCURRENTLY (a big table, enforce mode,
# autocommit) ends the session with a FATAL error, which never reaches the
# hook's error handling: the row is written as "terminated" anyway.  A
# cancelled one is "failed".  Neither is left counted as lost.
use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $node = new_node('log_terminated',
    conf => "max_parallel_maintenance_workers = 0\n");
$node->start;
# A table above safe_ddl.small_table_size (10MB by default), and an index
# expression that takes its time on every row.
$node->safe_psql('postgres', q{
    CREATE EXTENSION safe_ddl;
    CREATE TABLE big (id int, total int);
    INSERT INTO big SELECT g, g % 100 FROM generate_series(1, 400000) g;
    ANALYZE big;
    CREATE FUNCTION slow(int) RETURNS int IMMUTABLE LANGUAGE plpgsql
        AS $$ BEGIN PERFORM pg_sleep(60); RETURN $1; END $$;
});
cmp_ok($node->safe_psql('postgres', q{SELECT pg_relation_size('big')}),
    '>', 10 * 1024 * 1024, 'the table is big for safe_ddl');

# Start $sql in its own session as application $app, wait until it sleeps
# in slow(), then interrupt it with $signal_function.
sub interrupt_while_sleeping
{
    my ($app, $sql, $signal_function) = @_;
    my $session = $node->background_psql('postgres', on_error_stop => 0);
    $session->query_safe("SET application_name = '$app'");
    $session->query_until(qr/started/, "\\echo started\n$sql;\n");
    $node->poll_query_until('postgres', qq{
        SELECT count(*) = 1 FROM pg_stat_activity
         WHERE application_name = '$app' AND wait_event = 'PgSleep'})
      or die "$app: the statement did not start";
    $node->safe_psql('postgres', qq{
        SELECT $signal_function(pid) FROM pg_stat_activity
         WHERE application_name = '$app'});
    eval { $session->quit };
}

sub logged
{
    my ($app) = @_;
    $node->poll_query_until('postgres',
        "SELECT count(*) > 0 FROM safe_ddl.lock_log WHERE application_name = '$app'")
      or return '';
    return $node->safe_psql('postgres', qq{
        SELECT concat_ws('|', count(*), min(command), min(outcome), min(rule),
                         min(sqlstate), min(error), min(statement))
          FROM safe_ddl.lock_log WHERE application_name = '$app'});
}

# 1. Terminated during the rewritten CREATE INDEX.
interrupt_while_sleeping('sddl_terminated',
    'CREATE INDEX big_slow_idx ON big ((slow(total)))',
    'pg_terminate_backend');
is( logged('sddl_terminated'),
    '1|CREATE INDEX|terminated|require-concurrent-index-creation|57P01|'
      . 'terminating connection due to administrator command|'
      . 'CREATE INDEX big_slow_idx ON big ((slow(total)))',
    'a terminated statement is logged once, as terminated, with its rule and the FATAL error');
# what the rewrite left behind is for its cleanup; drop it here
$node->safe_psql('postgres', 'DROP INDEX IF EXISTS big_slow_idx');

# 2. Cancelled during the rewritten CREATE INDEX.
interrupt_while_sleeping('sddl_cancelled',
    'CREATE INDEX big_slow2_idx ON big ((slow(total)))',
    'pg_cancel_backend');
like(logged('sddl_cancelled'),
    qr/^1\|CREATE INDEX\|failed\|require-concurrent-index-creation\|57014\|canceling statement due to user request\|/,
    'a cancelled statement is logged once, as failed');

# 3. Nothing is left counted as in flight: an immediate shutdown now loses
#    nothing.
$node->stop('immediate');
$node->start;
is($node->safe_psql('postgres', 'SELECT lost FROM safe_ddl.log_status()'),
    '0', 'no statement is left in flight');

$node->stop;
done_testing();
