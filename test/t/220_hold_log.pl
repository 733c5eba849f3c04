# Holding a lock (issue 12), as the user and the lock log see it: a backfill
# refused under the lock it would prolong (SQLSTATE 0A000, the lock and the
# statement that took it, the recipes; logged as rejected with its rule), and
# the lock-hold budget ending a transaction that keeps ACCESS EXCLUSIVE while
# a session queues behind it: a running statement canceled (57014), an idle
# session terminated like idle_in_transaction_session_timeout (25P03), each
# logged as hold_cancelled / hold_terminated.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $node = new_orders_node('hold_log',
    "safe_ddl.small_table_size = 0\nsafe_ddl.lock_hold_budget = '300ms'\n");

# Poll until a row with this outcome is in the log; return its fields.
sub logged
{
    my ($outcome) = @_;
    return poll_lock_log($node, qq{
        SELECT coalesce(rule, '') || '|' || coalesce(sqlstate, '') || '|' ||
               coalesce(lock_mode, '') || '|' || relations::text || '|' ||
               statement || '|' || (lock_wait_ms >= 300)::text || '|' ||
               (duration_ms >= lock_wait_ms)::text || '|' || coalesce(error, '')
          FROM safe_ddl.lock_log WHERE outcome = '$outcome'
         ORDER BY id DESC LIMIT 1});
}

# Wait until a session holds ACCESS EXCLUSIVE on orders.
sub wait_for_holder
{
    $node->poll_query_until('postgres', q{
        SELECT EXISTS (SELECT FROM pg_locks
                        WHERE relation = 'orders'::regclass
                          AND mode = 'AccessExclusiveLock' AND granted)})
      or die 'the holder never took its lock';
}

# --- the backfill rule
my ($ret, $out, $err) = $node->psql('postgres', q{
    \set VERBOSITY verbose
    BEGIN;
    ALTER TABLE orders ADD COLUMN note text;
    UPDATE orders SET note = 'x';
    ROLLBACK;});
like($err, qr/ERROR:  0A000: updating about 10000 rows of table "public.orders" would block reads and writes of table "public.orders" for the whole UPDATE/,
    'backfill: SQLSTATE 0A000, the operation, the rows and the table');
like($err, qr/DETAIL:  This transaction holds AccessExclusiveLock on table "public.orders" since "ALTER TABLE orders ADD COLUMN note text"/,
    'backfill: the lock held and the statement that took it');
like($err, qr/HINT:  Commit the schema change first.*\nDjango: .*atomic = False.*\nRails: .*disable_ddl_transaction!.*in_batches.*\nAlembic: .*autocommit_block/,
    'backfill: the recipes in the HINT');
like(logged('rejected'),
    qr/^backfill-under-exclusive-lock\|0A000\|AccessExclusiveLock\|\[\{"relation": "public.orders", "lock_mode": "AccessExclusiveLock"\}\]\|UPDATE orders SET note = 'x';?\|false\|true\|updating about 10000 rows/,
    'backfill: logged as rejected with its rule, the lock held and the backfill');

# --- the budget, running statement
my ($in, $hout, $herr) = ('', '', '');
my $psql = $node->installed_command('psql');
my $h = IPC::Run::start(
    [ $psql, '-X', '-d', $node->connstr('postgres'), '-c',
      'BEGIN; ALTER TABLE orders ADD COLUMN c1 text; SELECT pg_sleep(600);' ],
    \$in, \$hout, \$herr);
wait_for_holder();
is($node->safe_psql('postgres', 'SELECT count(*) FROM orders'), '10000',
    'running holder: the queued reader proceeds');
$h->finish;
like($herr, qr/ERROR:  canceling statement because this transaction held a lock on table "public.orders" while other sessions waited longer than safe_ddl.lock_hold_budget/,
    'running holder: canceled with the reason');
like($herr, qr/DETAIL:  This transaction held AccessExclusiveLock on table "public.orders" for \d+ ms, since "ALTER TABLE orders ADD COLUMN c1 text"; 1 session waited for it, the oldest for \d+ ms/,
    'running holder: the lock, the hold and the waiters in the DETAIL');
like(logged('hold_cancelled'),
    qr/^\|57014\|AccessExclusiveLock\|.*"public.orders".*\|ALTER TABLE orders ADD COLUMN c1 text;?\|true\|true\|canceling statement .* 1 session waited/,
    'running holder: logged as hold_cancelled with the lock, the hold and the wait');

# --- the budget, idle in transaction
($in, $hout, $herr) = ("BEGIN;\nALTER TABLE orders ADD COLUMN c2 text;\n", '', '');
$h = IPC::Run::start([ $psql, '-X', '-d', $node->connstr('postgres') ],
    \$in, \$hout, \$herr);
# IPC::Run feeds stdin only while pumped
$h->pump while length $in;
wait_for_holder();
is($node->safe_psql('postgres', 'SELECT count(*) FROM orders'), '10000',
    'idle holder: the queued reader proceeds');
$node->poll_query_until('postgres', q{
    SELECT NOT EXISTS (SELECT FROM pg_stat_activity
                        WHERE query LIKE 'ALTER TABLE orders ADD COLUMN c2%')})
  or die 'the idle holder was not terminated';
# psql sees the termination when it next uses the connection
$in .= "SELECT 1;\n\\q\n";
$h->finish;
like($herr, qr/FATAL:  terminating connection because this transaction, idle, held a lock on table "public.orders"/,
    'idle holder: terminated with the reason');
like(logged('hold_terminated'),
    qr/^\|25P03\|AccessExclusiveLock\|.*\|ALTER TABLE orders ADD COLUMN c2 text;?\|true\|true\|terminating connection/,
    'idle holder: logged as hold_terminated with SQLSTATE 25P03');
is($node->safe_psql('postgres',
        "SELECT count(*) FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname IN ('c1', 'c2')"),
    '0', 'both transactions were rolled back');

# --- no waiter: held three times the budget, not ended
($ret, $out, $err) = $node->psql('postgres',
    'BEGIN; ALTER TABLE orders ADD COLUMN c3 text; SELECT pg_sleep(1); COMMIT;');
is($ret, 0, 'no waiter: a long hold is not ended');

$node->stop;
done_testing();
