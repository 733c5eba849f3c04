# safe_ddl.check() on a hot standby, the way CI lints a migration against
# a replica of production: the same findings as on the primary for a big
# table created and filled there, no error, nothing written, and no lock
# log writer running on the standby.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

# Bigger than safe_ddl.small_table_size (10MB by default), so findings are
# decided by the table's size as the catalog and the files report it.
use constant BIG_TABLE_ROWS => 400_000;

my $primary = new_node('primary', init => { allows_streaming => 1 });
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION safe_ddl');
$primary->safe_psql('postgres', q{
    SET safe_ddl.mode = off;
    CREATE TABLE orders (id int PRIMARY KEY, total int, note text);
    INSERT INTO orders SELECT g, g % 100, 'n' FROM generate_series(1, }
      . BIG_TABLE_ROWS . q{) g;
    CREATE TABLE small (id int);
    ANALYZE orders;
});
$primary->backup('base');

my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby, 'replay');

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'),
    't', 'the standby is in recovery');
ok( $standby->safe_psql('postgres',
        "SELECT pg_relation_size('orders') > 10 * 1024 * 1024"
    ) eq 't',
    'the table is big on the standby too');

# One migration with something of every action: a refusal, a rewrite, a
# scan under a lock, a free change and a new table.
my $migration = q{
CREATE INDEX orders_total_idx ON orders (total);
CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);
ALTER TABLE orders ADD COLUMN created timestamptz DEFAULT now();
ALTER TABLE orders ALTER COLUMN total TYPE bigint;
ALTER TABLE orders ALTER COLUMN note SET NOT NULL;
ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total >= 0);
ALTER TABLE small ADD COLUMN b int;
CREATE TABLE fresh (id int);
CREATE INDEX ON fresh (id);
};
my $check_sql = "SELECT statement_no, command, relation, lock_mode, "
  . "rewrites_table, scans_table, action, rule, message, hint "
  . "FROM safe_ddl.check(\$m\$$migration\$m\$) ORDER BY 1, 3, 8";

my $on_primary = $primary->safe_psql('postgres', $check_sql);
my ($ret, $on_standby, $err) = $standby->psql('postgres', $check_sql);
is($ret, 0, 'check() runs on the standby');
is($err, '', 'check() on the standby says nothing on stderr');
like($on_primary, qr/^1\|CREATE INDEX\|orders\|ShareLock\|f\|t\|rewrite\|require-concurrent-index-creation\|/m,
    'the primary rewrites the plain index on the big table');
like($on_primary, qr/^4\|ALTER TABLE\|orders\|AccessExclusiveLock\|t\|t\|reject\|changing-column-type\|/m,
    'the primary refuses the column type change on the big table');
is($on_standby, $on_primary,
    'check() finds the same on the standby as on the primary');

is( $standby->safe_psql('postgres',
        "SELECT count(*) FROM safe_ddl.rules"),
    $primary->safe_psql('postgres', "SELECT count(*) FROM safe_ddl.rules"),
    'the rules catalogue reads the same on the standby');

# Nothing written: on the primary check() assigns no transaction id and
# adds no lock log row; on the standby it could not write at all, and a
# read-only transaction is enough for it.
# Counted once the setup's events are all written: one still buffered
# would be written between the two counts and look like check()'s.
$primary->poll_query_until('postgres',
    'SELECT buffered = 0 FROM safe_ddl.log_status()')
  or die 'the writer did not empty the buffer';
my $log_rows = $primary->safe_psql('postgres',
    'SELECT count(*) FROM safe_ddl.lock_log');
is( $primary->safe_psql('postgres', qq{
        BEGIN;
        SELECT count(*) >= 0 FROM safe_ddl.check(\$m\$$migration\$m\$);
        SELECT txid_current_if_assigned() IS NULL;
        COMMIT;}),
    "t\nt",
    'check() on the primary assigns no transaction id');
is( $standby->safe_psql('postgres', qq{
        BEGIN READ ONLY;
        SELECT count(*) > 0 FROM safe_ddl.check(\$m\$$migration\$m\$);
        COMMIT;}),
    't',
    'check() on the standby runs in a read-only transaction');
# (an event check() logged would be written by now)
$primary->poll_query_until('postgres',
    'SELECT buffered = 0 FROM safe_ddl.log_status()')
  or die 'the writer did not empty the buffer';
is($primary->safe_psql('postgres', 'SELECT count(*) FROM safe_ddl.lock_log'),
    $log_rows, 'check() adds nothing to the lock log');

# The lock log writer runs on the primary only: a standby cannot write the
# log table, so the writer waits for the end of recovery.
is( $primary->safe_psql('postgres',
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'safe_ddl log writer'"),
    '1', 'the primary has its lock log writer');
is( $standby->safe_psql('postgres',
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'safe_ddl log writer'"),
    '0', 'the standby has no lock log writer');

# DDL cannot run on a standby: PostgreSQL's own read-only error reaches
# the user, not a safe_ddl error about logging.
($ret, undef, $err) = $standby->psql('postgres',
    'CREATE INDEX orders_total_idx2 ON orders (total)');
isnt($ret, 0, 'DDL on the standby fails');
like($err, qr/cannot execute CREATE INDEX in a read-only transaction/,
    'with PostgreSQL\'s read-only error');

$standby->stop;
unlike(slurp_file($standby->logfile), qr/(PANIC|FATAL|TRAP).*safe_ddl|safe_ddl.*(PANIC|FATAL)/,
    'no safe_ddl failure in the standby\'s log');
$primary->stop;

done_testing();
