# Helpers for safe_ddl's TAP tests.
#
# new_node() returns a PostgreSQL::Test::Cluster with safe_ddl preloaded.
# When the extension was installed with "make install DESTDIR=...", the
# harness exports SAFE_DDL_DESTDIR and the node finds it there.
package SafeDDL::Test;

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use Exporter 'import';

our @EXPORT = qw(new_node);

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
        my $pkglibdir = `pg_config --pkglibdir`;
        chomp $pkglibdir;
        $conf .= "extension_destdir = '$d'\n";
        $conf .= "dynamic_library_path = '$d$pkglibdir:\$libdir'\n";
    }
    $conf .= $opts{conf} if $opts{conf};
    $node->append_conf('postgresql.conf', $conf);
    return $node;
}

1;
