# Loading safe_ddl: without preloading, with other ProcessUtility hooks, and
# with a bad setting in postgresql.conf.
use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

# 1. Not preloaded: CREATE EXTENSION works, every SQL function says why it
#    cannot work, and DDL is not intercepted.
my $plain = new_node('plain', preload => '');
$plain->start;
$plain->safe_psql('postgres', 'CREATE EXTENSION safe_ddl');
my ($ret, $out, $err) = $plain->psql('postgres',
    "\\set VERBOSITY verbose\nSELECT safe_ddl.version()");
isnt($ret, 0, 'version() fails when not preloaded');
like($err, qr/55000: safe_ddl must be loaded via "shared_preload_libraries"/,
    'not preloaded: SQLSTATE 55000 and a clear message');
like($err, qr/HINT:  Add safe_ddl to "shared_preload_libraries"/,
    'not preloaded: the hint says what to do');
$plain->safe_psql('postgres', 'CREATE TABLE t (a int); CREATE INDEX ON t (a)');
pass('DDL runs untouched without preloading');
$plain->stop;

# 2. Chained with pg_stat_statements and pgaudit, in both load orders: all
#    three see the DDL.  pgaudit has no build for PostgreSQL 19 yet: there
#    the chain is pg_stat_statements and safe_ddl; elsewhere a missing
#    pgaudit fails.
my $have_pgaudit = -e $plain->config_data('--pkglibdir') . '/pgaudit.so';
# (major: 19rc1 compares below 19)
ok($have_pgaudit || $plain->pg_version->major >= 19,
    'pgaudit is installed (it is packaged up to PostgreSQL 18)');
my @orders = $have_pgaudit
  ? ('pg_stat_statements,safe_ddl,pgaudit', 'pgaudit,safe_ddl,pg_stat_statements')
  : ('pg_stat_statements,safe_ddl', 'safe_ddl,pg_stat_statements');
foreach my $order (@orders)
{
    (my $name = $order) =~ s/[^a-z]//g;
    my $node = new_node(substr($name, 0, 20),
        preload => $order,
        conf => ($have_pgaudit ? "pgaudit.log = 'ddl'\n" : '')
          . "pg_stat_statements.track_utility = on\n");
    $node->start;
    $node->safe_psql('postgres',
        'CREATE EXTENSION safe_ddl; CREATE EXTENSION pg_stat_statements');
    $node->safe_psql('postgres',
        'CREATE TABLE chained (a int); ALTER TABLE chained ADD COLUMN b int');
    is( $node->safe_psql(
            'postgres',
            q{SELECT safe_ddl.version() = extversion FROM pg_extension WHERE extname = 'safe_ddl'}),
        't', "$order: safe_ddl is active");
    is( $node->safe_psql(
            'postgres',
            "SELECT count(*) FROM pg_stat_statements WHERE query LIKE 'ALTER TABLE chained%'"
        ),
        '1',
        "$order: pg_stat_statements still records the DDL");
    SKIP:
    {
        skip 'pgaudit is not packaged for this version', 1 unless $have_pgaudit;
        my $log = slurp_file($node->logfile);
        like($log, qr/AUDIT: SESSION,\d+,\d+,DDL,ALTER TABLE,,,ALTER TABLE chained ADD COLUMN b int/,
            "$order: pgaudit still audits the DDL");
    }
    $node->stop;
}

# 3. A malformed value in postgresql.conf is refused with PostgreSQL's
#    normal error; the server keeps the safe default.
my $bad = new_node('badconf', conf => "safe_ddl.mode = 'bogus'\n");
$bad->start;
is($bad->safe_psql('postgres', 'SHOW safe_ddl.mode'),
    'enforce', 'invalid safe_ddl.mode in postgresql.conf keeps enforce');
like(slurp_file($bad->logfile),
    qr/invalid value for parameter "safe_ddl.mode": "bogus"/,
    'invalid safe_ddl.mode in postgresql.conf is reported');
$bad->stop;

done_testing();
