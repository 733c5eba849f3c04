# pg_upgrade with safe_ddl preloaded in both clusters and enforcing: the
# restore of the schema (binary-upgrade mode) must not be intercepted, even
# for statements that safe_ddl would refuse from a client, and the extension
# and its objects must come through intact.
use strict;
use warnings;

use File::Temp qw(tempdir);
use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $old = new_node('old', conf => "safe_ddl.mode = enforce\n");
$old->start;
$old->safe_psql(
    'postgres', q{
    CREATE EXTENSION safe_ddl;
    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, total numeric);
    INSERT INTO orders SELECT g, g % 100, g FROM generate_series(1, 20000) g;
    CREATE INDEX orders_customer_idx ON orders (customer_id);
    ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);
    CREATE MATERIALIZED VIEW order_totals AS SELECT customer_id, sum(total) FROM orders GROUP BY 1;
});
$old->stop;

# Every table counts as big in the new cluster: only the binary-upgrade
# guard lets the restore's CREATE INDEX and ADD CONSTRAINT through.
my $new = new_node('new',
    conf => "safe_ddl.mode = enforce\nsafe_ddl.small_table_size = 0\n");

my $workdir = tempdir(CLEANUP => 1);
chdir $workdir;
command_ok(
    [
        'pg_upgrade', '--no-sync',
        '-d', $old->data_dir, '-D', $new->data_dir,
        '-b', $old->config_data('--bindir'), '-B', $new->config_data('--bindir'),
        '-s', $new->host, '-p', $old->port, '-P', $new->port,
    ],
    'pg_upgrade succeeds with safe_ddl preloaded and enforcing');

$new->start;
is($new->safe_psql('postgres', 'SELECT count(*) FROM orders'),
    '20000', 'data came through');
is( $new->safe_psql(
        'postgres',
        "SELECT string_agg(indexrelid::regclass::text, ',' ORDER BY indexrelid::regclass::text) FROM pg_index WHERE indrelid = 'orders'::regclass AND indisvalid"
    ),
    'orders_customer_idx,orders_pkey',
    'indexes restored and valid');
is( $new->safe_psql(
        'postgres',
        "SELECT convalidated FROM pg_constraint WHERE conname = 'orders_total_check'"),
    't',
    'CHECK constraint restored validated');
is( $new->safe_psql(
        'postgres',
        q{SELECT safe_ddl.version() = extversion FROM pg_extension WHERE extname = 'safe_ddl'}),
    't', 'safe_ddl works in the upgraded cluster');
$new->stop;

done_testing();
