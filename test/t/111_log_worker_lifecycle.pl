# The lock log writer's life: it does not run on a hot standby, starts on
# promotion, and comes back after being terminated, writing what was
# buffered meanwhile.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $primary = new_node('log_primary', init => { allows_streaming => 1 });
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION safe_ddl');
$primary->backup('b');

my $standby = PostgreSQL::Test::Cluster->new('log_standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

# 1. Hot standby: no writer, nothing buffered, nothing written.
is( $standby->safe_psql(
        'postgres',
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'safe_ddl log writer'"
    ),
    '0',
    'no lock log writer runs on a hot standby');
is( $standby->safe_psql(
        'postgres',
        'SELECT buffered, worker_pid IS NULL FROM safe_ddl.log_status()'),
    '0|t',
    'log_status() works on the standby and shows no writer');
like(slurp_file($standby->logfile), qr/database system is ready to accept read-only connections/,
    'the standby runs normally');
unlike(slurp_file($standby->logfile), qr/safe_ddl log writer.*exited/,
    'and the writer never tried to start there');

# 2. Promotion starts the writer, and DDL is logged.
$standby->promote;
$standby->poll_query_until('postgres',
    "SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'safe_ddl log writer'"
) or die 'writer did not start';
pass('the writer starts after promotion');
$standby->safe_psql('postgres', 'CREATE TABLE after_promotion (a int)');
ok( $standby->poll_query_until(
        'postgres',
        "SELECT count(*) = 1 FROM safe_ddl.lock_log WHERE statement = 'CREATE TABLE after_promotion (a int)'"
    ),
    'DDL on the promoted server is logged');

# 3. A terminated writer drains its buffer, is restarted by the postmaster,
#    and events logged while it was away are written.
my $pid = $standby->safe_psql('postgres',
    'SELECT worker_pid FROM safe_ddl.log_status()');
$standby->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
$standby->safe_psql('postgres', 'CREATE TABLE while_away (a int)');
ok( $standby->poll_query_until(
        'postgres',
        "SELECT worker_pid IS NOT NULL AND worker_pid <> $pid FROM safe_ddl.log_status()"
    ),
    'the postmaster restarts a terminated writer');
ok( $standby->poll_query_until(
        'postgres',
        "SELECT count(*) = 1 FROM safe_ddl.lock_log WHERE statement = 'CREATE TABLE while_away (a int)'"
    ),
    'the event logged while it was away is written');
is( $standby->safe_psql('postgres', 'SELECT dropped FROM safe_ddl.log_status()'),
    '0', 'nothing was dropped');

$standby->stop;
$primary->stop;
done_testing();
