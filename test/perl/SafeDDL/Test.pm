# Helpers for safe_ddl's TAP tests.
#
# new_node() returns a PostgreSQL::Test::Cluster with safe_ddl preloaded.
# new_orders_node() starts one with the extension and a 10,000-row table
# "orders" (id int, total int), analysed.
# poll_lock_log() waits for a row of the lock log, which its writer
# inserts asynchronously.
# queue_deferred() queues a deferred build as the statement side does (a
# row of safe_ddl.deferred_queue, then a wake-up).
# When the extension was installed with "make install DESTDIR=...", the
# harness exports SAFE_DDL_DESTDIR and the node finds it there.
package SafeDDL::Test;

use strict;
use warnings;

use File::Basename qw(dirname);
use File::Spec;
use PostgreSQL::Test::Cluster;
use Exporter 'import';
use Time::HiRes qw(time usleep);

our @EXPORT = qw(new_node new_orders_node poll_lock_log queue_deferred);

my $destdir_conf = File::Spec->rel2abs(
    File::Spec->catfile(dirname(__FILE__), '..', '..', '..', 'scripts', 'destdir-conf'));

sub new_node
{
    my ($name, %opts) = @_;
    my $preload = exists $opts{preload} ? $opts{preload} : 'safe_ddl';
    my $node = PostgreSQL::Test::Cluster->new($name);

    $node->init(%{ $opts{init} || {} });
    my $conf = "fsync = off\n";
    $conf .= "shared_preload_libraries = '$preload'\n" if $preload ne '';
    if (my $d = $ENV{SAFE_DDL_DESTDIR})
    {
        # extension_destdir or extension_control_path, whichever the server has
        my $lines = `"$destdir_conf" "$d"`;
        die "destdir-conf failed" if $? != 0;
        $conf .= $lines;
    }
    $conf .= $opts{conf} if $opts{conf};
    $node->append_conf('postgresql.conf', $conf);
    return $node;
}

sub new_orders_node
{
    my ($name, $conf) = @_;
    my $node = new_node($name, conf => $conf);

    $node->start;
    $node->safe_psql('postgres', q{
        CREATE EXTENSION safe_ddl;
        CREATE TABLE orders (id int, total int);
        INSERT INTO orders SELECT g, g % 100 FROM generate_series(1, 10000) g;
        ANALYZE orders;
    });
    return $node;
}

# poll_lock_log($node, $query): run $query, a SELECT in database postgres
# that returns nothing until the lock log has the row it looks for, until
# it returns something (for 30 seconds at most).  Returns what it
# returned, or '' if it never did.
sub poll_lock_log
{
    my ($node, $query) = @_;
    my $start = time;
    while (time - $start < 30)
    {
        my $row = $node->safe_psql('postgres', $query);
        return $row if $row ne '';
        usleep(50_000);
    }
    return '';
}

# queue_deferred($node, $kind, $table, $object, $statement, %opts): queue
# an item ('index' or 'validation') for public.$table, as the statement
# side would, and wake the worker (unless wake => 0).  Options: by (the
# queuing role, default postgres), db (default postgres).  Returns its id.
sub queue_deferred
{
    my ($node, $kind, $table, $object, $statement, %opts) = @_;
    my $by = $opts{by} // 'postgres';
    my $db = $opts{db} // 'postgres';
    my $id = $node->safe_psql($db, qq{
        INSERT INTO safe_ddl.deferred_queue
            (kind, relid, relation, object_name, statement, original, queued_by)
        VALUES ('$kind', 'public.$table'::regclass, 'public.$table', '$object',
                \$s\$$statement\$s\$, 'original', '$by')
        RETURNING id;
    });
    $node->safe_psql($db, 'SELECT safe_ddl.deferred_wake()')
      if $opts{wake} // 1;
    return $id;
}

1;
