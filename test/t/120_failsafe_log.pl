# Fail-safe: a statement whose analysis fails inside safe_ddl reaches the
# server unchanged, the client gets the server's own error, and the event
# is still in the lock log (as failed, with the server's SQLSTATE).
use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $node = new_node('failsafe_log', conf => "safe_ddl.small_table_size = 0\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION safe_ddl;
    CREATE TABLE lp (a int, b text) PARTITION BY LIST (a);
    CREATE TABLE lp_missing (a int);
});

my ($ret, $out, $err) = $node->psql('postgres',
    'ALTER TABLE lp ATTACH PARTITION lp_missing FOR VALUES IN (1)');
like($err, qr/ERROR:  child table is missing column "b"/,
    "analysis error: the server's own error reaches the client");
unlike($err, qr/convert row type/, 'analysis error: not safe_ddl\'s');

my $row = poll_lock_log($node, q{
    SELECT outcome || '|' || coalesce(sqlstate, '') || '|' || coalesce(error, '')
      FROM safe_ddl.lock_log WHERE statement LIKE 'ALTER TABLE lp ATTACH%'});
is($row, 'failed|42804|child table is missing column "b"',
    'analysis error: logged as failed with the server\'s error');

$node->stop;
done_testing();
