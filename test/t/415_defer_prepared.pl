# A migration that queued deferred builds in a prepared transaction (two-
# phase commit) has them built once COMMIT PREPARED runs, from any session
# of the database and after a restart too, without waiting for the hourly
# sweep (issue 13): the commit of a prepared transaction runs elsewhere, so
# the wake-up of an ordinary commit never comes.  ROLLBACK PREPARED queues
# nothing.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $node = new_node('prepared', conf => qq{
max_prepared_transactions = 4
safe_ddl.defer_workers = 2
safe_ddl.small_table_size = 0
safe_ddl.defer = 'index'
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION safe_ddl;
    CREATE TABLE orders (id int, total int, note text);
    INSERT INTO orders SELECT g, g % 100, 'n' || g FROM generate_series(1, 10000) g;
});

# A deferred CREATE INDEX in a transaction that is then prepared.
sub prepare_index
{
    my ($index, $column, $gid) = @_;
    my ($ret, $out, $err) = $node->psql('postgres', qq{
        BEGIN;
        CREATE INDEX $index ON orders ($column);
        PREPARE TRANSACTION '$gid';
    });
    is($ret, 0, "the migration building $index is prepared");
    like($err, qr/safe_ddl builds it online after commit/,
        "its CREATE INDEX of $index is deferred");
}

sub state_of
{
    my ($index) = @_;
    return $node->safe_psql('postgres', qq{
        SELECT state FROM safe_ddl.deferred_queue WHERE object_name = '$index'});
}

# --- COMMIT PREPARED ----------------------------------------------------
prepare_index('orders_total_idx', 'total', 'm1');
is(state_of('orders_total_idx'), '', 'nothing is visible while it is prepared');
$node->safe_psql('postgres', "COMMIT PREPARED 'm1'");
# No wait_deferred() here: it would wake the worker itself.
ok($node->poll_query_until('postgres', q{
        SELECT state = 'done' FROM safe_ddl.deferred_queue
        WHERE object_name = 'orders_total_idx'}),
    'COMMIT PREPARED has the queued index built');
is($node->safe_psql('postgres', q{
        SELECT indisvalid FROM pg_index
        WHERE indexrelid = 'orders_total_idx'::regclass}),
    't', 'the index is valid');

# --- ROLLBACK PREPARED --------------------------------------------------
prepare_index('orders_id_idx', 'id', 'm2');
$node->safe_psql('postgres', "ROLLBACK PREPARED 'm2'");
is(state_of('orders_id_idx'), '', 'ROLLBACK PREPARED queues nothing');

# --- COMMIT PREPARED after a restart ------------------------------------
# The launcher's sweep at start runs before the commit: only COMMIT
# PREPARED itself can call for the build.
prepare_index('orders_note_idx', 'note', 'm3');
$node->restart;
ok($node->poll_query_until('postgres', q{
        SELECT count(*) = 0 FROM pg_stat_activity
        WHERE backend_type = 'safe_ddl deferred build'}),
    'the sweep at start is over');
$node->safe_psql('postgres', "COMMIT PREPARED 'm3'");
ok($node->poll_query_until('postgres', q{
        SELECT state = 'done' FROM safe_ddl.deferred_queue
        WHERE object_name = 'orders_note_idx'}),
    'COMMIT PREPARED after a restart has the queued index built');

$node->stop;
done_testing();
