# Nothing is left behind after a rewrite is interrupted for good (issue #9).
# A CREATE INDEX that safe_ddl rewrote to CREATE INDEX CONCURRENTLY, held
# in its build by a writer's open transaction (the build waits for it after
# its first commit, with the index INVALID in pg_index), is ended
#
# 1. with pg_terminate_backend: the statement is logged as "terminated" by
#    its own backend on its way out;
# 2. with SIGKILL: the cluster crash-restarts, and the statement's row
#    comes from the rewrite journal.
#
# 3. an ADD CHECK rewritten to ADD ... NOT VALID + VALIDATE, killed with
#    SIGKILL during its VALIDATE (the CHECK calls a slow function).
#
# Every time the log writer finds the journal row of the dead rewrite and
# drops the INVALID index(es) or the NOT VALID constraint, and the journal is
# empty afterwards.
#
# 4. In a database the log writer does not connect to, the next rewrite of
#    the same table removes what the killed one left.
#
# 5.-7. a REINDEX rewritten to REINDEX ... CONCURRENTLY, terminated or
#    killed with its INVALID <index>_ccnew copy waiting for a writer, or
#    killed with the old index renamed <index>_ccold waiting for a reader.
#    As in 1.-3., the log writer drops what they left.  A rewrite
# that finishes, and one that fails in its session, leave no journal row.
use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use SafeDDL::Test;

my $node = new_node('rewrite_crash',
    conf => "max_parallel_maintenance_workers = 0\nrestart_after_crash = on\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION safe_ddl;
    CREATE TABLE t (id int, v int);
    INSERT INTO t SELECT g, g FROM generate_series(1, 1000) g;
    CREATE FUNCTION slow(int) RETURNS int IMMUTABLE LANGUAGE plpgsql
        AS $$ BEGIN PERFORM pg_sleep(60); RETURN $1; END $$;
});

# Run $statement as application $app with every table counted as big (so
# it is rewritten) while $blocker_sql holds an open transaction, wait until
# the statement waits for a lock with the INVALID index $invalid committed,
# and return [blocker session, session, pid].
sub start_held
{
    my ($app, $blocker_sql, $statement, $invalid, $db) = @_;
    $db //= 'postgres';
    my $blocker = $node->background_psql($db);
    $blocker->query_safe("BEGIN; $blocker_sql");
    my $ddl = $node->background_psql($db, on_error_stop => 0);
    $ddl->query_safe("SET application_name = '$app'");
    $ddl->query_safe('SET safe_ddl.small_table_size = 0');
    my $pid = $ddl->query_safe('SELECT pg_backend_pid()');
    $ddl->query_until(qr/started/, "\\echo started\n$statement;\n");
    $node->poll_query_until($db, qq{
        SELECT EXISTS (SELECT FROM pg_index
                        WHERE indexrelid = to_regclass('$invalid')
                          AND NOT indisvalid)
           AND EXISTS (SELECT FROM pg_stat_activity
                        WHERE pid = $pid AND wait_event_type = 'Lock')})
      or die "$app: $statement was not held";
    return ($blocker, $ddl, $pid);
}

# CREATE INDEX $index as $app (in database $db), its build held by a writer.
sub start_held_build
{
    my ($app, $index, $db) = @_;
    $db //= 'postgres';
    my ($writer, $ddl, $pid) = start_held($app, 'INSERT INTO t VALUES (0, 0)',
        "CREATE INDEX $index ON t (v)", $index, $db);
    is($node->safe_psql($db, qq{
        SELECT kind || '|' || object_name || '|' || statement
          FROM safe_ddl.rewrite_journal WHERE pid = $pid}),
        "index|$index|CREATE INDEX $index ON t (v)",
        "$app: the journal names the index being built");
    return ($writer, $ddl, $pid);
}

# Wait until the log writer has cleaned up after $app.
sub cleaned_up
{
    my ($app, $index) = @_;
    $node->poll_query_until('postgres', qq{
        SELECT to_regclass('$index') IS NULL
           AND NOT EXISTS (SELECT FROM safe_ddl.rewrite_journal)})
      or return 'not cleaned up';
    return $node->safe_psql('postgres', q{
        SELECT count(*) FROM pg_index WHERE NOT indisvalid});
}

# The lock log rows of $app become what is expected (the writer inserts
# them asynchronously).
sub logged_as
{
    my ($app, $expected, $name) = @_;
    ok( $node->poll_query_until('postgres', qq{
            SELECT concat_ws('|', count(*), min(command), min(outcome),
                             min(statement))
              FROM safe_ddl.lock_log WHERE application_name = '$app'},
            $expected),
        $name);
}

# SIGKILL backend $pid and return once the server is back from the crash
# restart.  A query right after the kill may still reach the server as it
# was, before the postmaster noticed the death (a loaded machine): wait for
# the postmaster's "reinitializing" first, then for connections.
sub kill_and_restart
{
    my ($pid, @sessions) = @_;
    my $offset = -s $node->logfile;
    kill 'KILL', $pid;
    eval { $_->quit } foreach @sessions;
    $node->wait_for_log(qr/all server processes terminated; reinitializing/,
        $offset);
    $node->poll_query_until('postgres', 'SELECT true')
      or die 'the server did not come back';
}

# 0. A rewrite that finishes leaves no journal row.
$node->safe_psql('postgres', q{
    SET safe_ddl.small_table_size = 0;
    CREATE INDEX t_done ON t (id);
});
is($node->safe_psql('postgres', q{
    SELECT count(*) FROM safe_ddl.rewrite_journal}),
    '0', 'a finished rewrite leaves no journal row');

# 1. pg_terminate_backend.
{
    my ($writer, $ddl, $pid) = start_held_build('sddl_term', 't_term');
    $node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
    eval { $ddl->quit };
    $writer->query_safe('COMMIT');
    $writer->quit;
    is(cleaned_up('sddl_term', 't_term'), '0',
        'terminated: the INVALID index is dropped, the journal emptied');
    logged_as('sddl_term', '1|CREATE INDEX|terminated|CREATE INDEX t_term ON t (v)',
        'terminated: the statement is logged once');
}

# 2. SIGKILL: the postmaster restarts every process.
{
    my ($writer, $ddl, $pid) = start_held_build('sddl_kill', 't_kill');
    kill_and_restart($pid, $ddl, $writer);
    is(cleaned_up('sddl_kill', 't_kill'), '0',
        'killed: the INVALID index is dropped after the crash restart, the journal emptied');
    logged_as('sddl_kill', '1|CREATE INDEX|terminated|CREATE INDEX t_kill ON t (v)',
        'killed: the statement is logged once, from the journal');
}

# 3. SIGKILL during the VALIDATE of a rewritten ADD CHECK.
{
    my $ddl = $node->background_psql('postgres', on_error_stop => 0);
    $ddl->query_safe("SET application_name = 'sddl_check'");
    $ddl->query_safe('SET safe_ddl.small_table_size = 0');
    my $pid = $ddl->query_safe('SELECT pg_backend_pid()');
    $ddl->query_until(qr/started/,
        "\\echo started\nALTER TABLE t ADD CONSTRAINT t_slow CHECK (slow(v) > 0);\n");
    $node->poll_query_until('postgres', qq{
        SELECT count(*) = 1 FROM pg_stat_activity
         WHERE pid = $pid AND wait_event = 'PgSleep'})
      or die 'the VALIDATE did not start';
    is($node->safe_psql('postgres', q{
        SELECT kind || '|' || object_name || '|' || k.convalidated
          FROM safe_ddl.rewrite_journal j
          JOIN pg_constraint k ON k.conrelid = j.relid AND k.conname = j.object_name}),
        'not_valid|t_slow|false',
        'check: the journal names the NOT VALID constraint being validated');
    kill_and_restart($pid, $ddl);
    ok( $node->poll_query_until('postgres', q{
            SELECT NOT EXISTS (SELECT FROM pg_constraint WHERE conname = 't_slow')
               AND NOT EXISTS (SELECT FROM safe_ddl.rewrite_journal)}),
        'check: the NOT VALID constraint is dropped after the crash restart, the journal emptied');
    logged_as('sddl_check',
        '1|ALTER TABLE|terminated|ALTER TABLE t ADD CONSTRAINT t_slow CHECK (slow(v) > 0)',
        'check: the statement is logged once, from the journal');
}

# 4. Another database: the next rewrite of the table cleans up.
$node->safe_psql('postgres', 'CREATE DATABASE other');
$node->safe_psql('other', q{
    CREATE EXTENSION safe_ddl;
    CREATE TABLE t (id int, v int);
    INSERT INTO t SELECT g, g FROM generate_series(1, 1000) g;
});
{
    my ($writer, $ddl, $pid) = start_held_build('sddl_other', 't_other', 'other');
    kill_and_restart($pid, $ddl, $writer);
    is($node->safe_psql('other', q{
        SELECT count(*) FROM pg_index WHERE indexrelid = to_regclass('t_other')
                                         AND NOT indisvalid}),
        '1', 'other database: the INVALID index is still there');
    $node->safe_psql('other', q{
        SET safe_ddl.small_table_size = 0;
        CREATE INDEX t_next ON t (id);
    });
    is($node->safe_psql('other', q{
        SELECT string_agg(indexrelid::regclass || ':' || indisvalid, ',')
          FROM pg_index WHERE indrelid = 't'::regclass}),
        't_next:true',
        'other database: the next rewrite of the table dropped the INVALID index');
    is($node->safe_psql('other', 'SELECT count(*) FROM safe_ddl.rewrite_journal'),
        '0', 'other database: the journal is empty');
}


# 5.-7. A REINDEX that safe_ddl rewrote to REINDEX ... CONCURRENTLY leaves
# the INVALID copy <index>_ccnew while it waits for a writer before its
# build, and the INVALID old index, renamed <index>_ccold, while it waits
# for a reader after the swap.  Only those are dropped: an INVALID index of
# the table from before the statement, named like a copy, stays.
$node->safe_psql('postgres', q{
    CREATE INDEX t_r ON t (v);
    CREATE INDEX t_r_ccnew9 ON t (id);
    UPDATE pg_index SET indisvalid = false
     WHERE indexrelid = 't_r_ccnew9'::regclass;
});

# Run "REINDEX INDEX t_r" as application $app, held by $blocker's open
# transaction until the INVALID $leftover exists; return [sessions, pid].
sub start_held_reindex
{
    my ($app, $blocker_sql, $leftover) = @_;
    my ($blocker, $ddl, $pid) = start_held($app, $blocker_sql,
        'REINDEX INDEX t_r', $leftover);
    is($node->safe_psql('postgres', qq{
        SELECT kind || '|' || relid::regclass || '|' || object_name || '|'
               || statement || '|' || rewritten_to
          FROM safe_ddl.rewrite_journal WHERE pid = $pid}),
        'reindex|t|t_r|REINDEX INDEX t_r|REINDEX INDEX CONCURRENTLY t_r;',
        "$app: the journal names the index being rebuilt");
    return ($blocker, $ddl, $pid);
}

# The REINDEX's leftover is gone, the journal empty, t_r valid and the
# older INVALID index still there.
sub reindex_cleaned_up
{
    my ($leftover) = @_;
    $node->poll_query_until('postgres', qq{
        SELECT to_regclass('$leftover') IS NULL
           AND NOT EXISTS (SELECT FROM safe_ddl.rewrite_journal)})
      or return 'not cleaned up';
    return $node->safe_psql('postgres', q{
        SELECT string_agg(c.relname || '=' || i.indisvalid, ',' ORDER BY c.relname)
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE c.relname LIKE 't\_r%'});
}

# 5. pg_terminate_backend while the REINDEX waits before its build.
{
    my ($blocker, $ddl, $pid) = start_held_reindex('sddl_rterm',
        'INSERT INTO t VALUES (0, 0)', 't_r_ccnew');
    $node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
    eval { $ddl->quit };
    $blocker->query_safe('COMMIT');
    $blocker->quit;
    is(reindex_cleaned_up('t_r_ccnew'), 't_r=true,t_r_ccnew9=false',
        'reindex terminated: the INVALID _ccnew copy is dropped, nothing else');
    logged_as('sddl_rterm', '1|REINDEX|terminated|REINDEX INDEX t_r',
        'reindex terminated: the statement is logged once');
}

# 6.-7. SIGKILL of a REINDEX held by $blocker_sql with $leftover INVALID.
sub kill_held_reindex
{
    my ($app, $blocker_sql, $leftover, $what) = @_;
    my ($blocker, $ddl, $pid) = start_held_reindex($app, $blocker_sql,
        $leftover);
    kill_and_restart($pid, $ddl, $blocker);
    is(reindex_cleaned_up($leftover), 't_r=true,t_r_ccnew9=false',
        "$app: the INVALID $what is dropped after the crash restart");
    logged_as($app, '1|REINDEX|terminated|REINDEX INDEX t_r',
        "$app: the statement is logged once, from the journal");
}

# 6. while the REINDEX waits for a writer before its build;
kill_held_reindex('sddl_rkill', 'INSERT INTO t VALUES (0, 0)', 't_r_ccnew',
    '_ccnew copy');
# 7. while it waits for a reader after the swap.
kill_held_reindex('sddl_rold', 'SELECT count(*) FROM t', 't_r_ccold',
    'old index renamed _ccold');

$node->stop;
done_testing();
