# Deferred builds only run on a primary (issue 13): a standby replays the
# queue but never starts the launcher or a worker; once promoted, it builds
# what was queued on the old primary.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

# The primary queues but does not build: its items reach the standby queued.
my $primary = new_node('primary', init => { allows_streaming => 1 },
    conf => "safe_ddl.defer_workers = 0\n");
$primary->start;
$primary->safe_psql('postgres', q{
    CREATE EXTENSION safe_ddl;
    SET safe_ddl.mode = off;
    CREATE TABLE orders (id int PRIMARY KEY, total int);
    INSERT INTO orders SELECT g, g % 100 FROM generate_series(1, 20000) g;
    INSERT INTO safe_ddl.deferred_queue
        (kind, relid, relation, object_name, statement, original)
    VALUES ('index', 'orders'::regclass, 'public.orders', 'orders_total_idx',
            'CREATE INDEX CONCURRENTLY orders_total_idx ON public.orders (total)', 'x');
});
$primary->backup('base');

my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->append_conf('postgresql.conf', "safe_ddl.defer_workers = 2\n");
$standby->start;
$primary->wait_for_catchup($standby, 'replay');

is($standby->safe_psql('postgres',
        "SELECT state FROM safe_ddl.deferred_queue"),
    'queued', 'the standby has the queued item');
# The launcher is registered to start once recovery has finished.  A
# checkpoint on the primary, replayed, shows the standby running for a
# while; no launcher, no worker appears.
$primary->safe_psql('postgres', 'CHECKPOINT');
$primary->wait_for_catchup($standby, 'replay');
is($standby->safe_psql('postgres', q{
        SELECT count(*) FROM pg_stat_activity
        WHERE backend_type LIKE 'safe_ddl deferred%'}),
    '0', 'no deferred-build launcher or worker runs on the standby');
my ($ret, $out, $err) = $standby->psql('postgres',
    'SELECT safe_ddl.deferred_wake()');
is($standby->safe_psql('postgres', q{
        SELECT count(*) FROM pg_stat_activity
        WHERE backend_type LIKE 'safe_ddl deferred%'}),
    '0', 'a wake-up on the standby starts nothing');

$primary->stop;
$standby->promote;

ok($standby->poll_query_until('postgres', q{
        SELECT state = 'done' FROM safe_ddl.deferred_queue}),
    'once promoted, the standby builds the queued index');
is($standby->safe_psql('postgres', q{
        SELECT indisvalid FROM pg_index
        WHERE indexrelid = 'orders_total_idx'::regclass}),
    't', 'the index is valid on the promoted node');

$standby->stop;
done_testing();
