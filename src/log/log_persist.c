/*-------------------------------------------------------------------------
 *
 * log_persist.c
 *	  The lock log's ring across a crash or an immediate shutdown: saved to
 *	  a file when the postmaster tears shared memory down, reloaded when it
 *	  creates it again, and what cannot be saved counted as lost.
 *
 * When a backend crashes (the writer killed with SIGKILL, say) the
 * postmaster kills every other child, then calls shmem_exit() and creates
 * shared memory afresh; on an immediate shutdown it exits the same way once
 * its children are gone.  Both times the old segment is still mapped while
 * the on_shmem_exit callbacks run, and no child is left to write to it.  So
 * the postmaster registers sddl_log_persist_save() there: it copies every
 * whole event still buffered into SDDL_LOG_FILE, and the next shared memory
 * startup (sddl_log_persist_load) puts them back in the ring, flagged
 * SDDL_LOG_RECOVERED, for the writer to insert.
 *
 * Nothing is lost silently.  Counted in "lost": a slot whose markers say
 * its copy was interrupted or whose content is not sane, statements begun
 * and never logged by backends that died (the "inflight" counter of
 * log_inflight.c), records of the file that fail their CRC or no longer
 * fit the ring.  The counters (dropped, lost, recovered) travel in the file
 * and so survive the restart that makes them interesting.
 *
 * A recovered event may already be in the table: the writer commits a
 * batch, and is killed before it advances the tail.  The writer therefore
 * skips a recovered event whose (pid, logged_at) is already there;
 * logged_at is strictly increasing per backend (log.c), so that pair is
 * one event.
 *
 * Not covered: the postmaster itself killed with SIGKILL, or the machine
 * losing power.  Then no code runs between the last event and the end;
 * what the ring held is gone, and there is nothing left to count it from.
 *
 * The file: a header (magic, format version, the layout of a record, the
 * number of records, the counters, CRC of the header), then per record its
 * length, its CRC and its bytes (the fixed part and the statement up to
 * its terminating zero).  It is written to a temporary name and renamed;
 * it is removed once loaded.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/log/log_persist.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <unistd.h>

#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port/pg_crc32c.h"
#include "storage/fd.h"

#include "log/log_shmem.h"

#define SDDL_LOG_FILE			"pg_stat/safe_ddl_lock_log.buf"
#define SDDL_LOG_FILE_TMP		SDDL_LOG_FILE ".tmp"
#define SDDL_LOG_FILE_MAGIC		0x5344444C	/* "SDDL" */
#define SDDL_LOG_FILE_VERSION	1

typedef struct SddlLogFileHeader
{
	uint32		magic;
	uint32		version;
	uint32		fixed_size;		/* offsetof(SddlLogRecord, statement) */
	uint32		nrecords;
	uint64		dropped;
	uint64		lost;
	uint64		recovered;
	pg_crc32c	crc;			/* of everything above */
} SddlLogFileHeader;

/* Before each record's bytes */
typedef struct SddlLogFileRecord
{
	uint32		length;
	pg_crc32c	crc;
} SddlLogFileRecord;

#define SDDL_LOG_FIXED_SIZE		offsetof(SddlLogRecord, statement)

static pg_crc32c
sddl_log_crc(const void *data, Size len)
{
	pg_crc32c	crc;

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, data, len);
	FIN_CRC32C(crc);
	return crc;
}

/* Is every string of the fixed part terminated inside its field? */
static bool
sddl_log_strings_sane(const SddlLogRecord *rec)
{
#define SDDL_TERMINATED(f)	(memchr((f), '\0', sizeof(f)) != NULL)
	return SDDL_TERMINATED(rec->database) &&
		SDDL_TERMINATED(rec->username) &&
		SDDL_TERMINATED(rec->application_name) &&
		SDDL_TERMINATED(rec->command) &&
		SDDL_TERMINATED(rec->relations) &&
		SDDL_TERMINATED(rec->lock_mode) &&
		SDDL_TERMINATED(rec->outcome) && rec->outcome[0] != '\0' &&
		SDDL_TERMINATED(rec->rule) &&
		SDDL_TERMINATED(rec->rewritten_to) &&
		SDDL_TERMINATED(rec->blockers) &&
		SDDL_TERMINATED(rec->sqlstate) &&
		SDDL_TERMINATED(rec->error);
#undef SDDL_TERMINATED
}

/*
 * Does the slot of position pos hold a whole, plausible event?  Shared
 * memory is reinitialised after a crash because it may be corrupt: check
 * what can be checked before trusting it.
 */
static bool
sddl_log_slot_sane(SddlLogShared *shared, uint64 pos, Size *length)
{
	SddlLogRecord *rec = sddl_log_slot(shared, pos);
	const char *end;

	if (rec->begin_pos != pos || rec->done_pos != pos ||
		!sddl_log_strings_sane(rec) ||
		rec->encoding < 0 || rec->encoding >= _PG_LAST_ENCODING_)
		return false;
	end = memchr(rec->statement, '\0', shared->statement_capacity);
	if (end == NULL)
		return false;
	*length = SDDL_LOG_FIXED_SIZE + (end - rec->statement) + 1;
	return true;
}

/*
 * on_shmem_exit callback of the postmaster (and of a single-user backend):
 * save what the ring holds.  Runs at every teardown of shared memory, a
 * clean shutdown included (the writer has emptied the ring then, and only
 * the counters are saved, if any is not zero).  Never raises an error.
 */
void
sddl_log_persist_save(int code, Datum arg)
{
	SddlLogShared *shared = sddl_log_shared;
	SddlLogFileHeader hdr = {0};
	uint64		head;
	uint64		tail;
	uint64		pos;
	uint64		lost = 0;
	FILE	   *file;

	if (shared == NULL || IsUnderPostmaster)
		return;

	/* no child is left: nobody else touches the ring now */
	head = shared->head;
	tail = shared->tail;
	if (head < tail || head - tail > (uint64) shared->nslots)
	{
		ereport(LOG,
				(errmsg("safe_ddl lock log: the buffer's positions are corrupt, its events are lost")));
		tail = head;
	}
	/* statements that backends began and never logged */
	lost += pg_atomic_read_u32(&shared->inflight);
	/* a copy interrupted by the crash */
	if (sddl_log_slot(shared, head)->begin_pos == head &&
		sddl_log_slot(shared, head)->done_pos != head)
		lost++;

	hdr.magic = SDDL_LOG_FILE_MAGIC;
	hdr.version = SDDL_LOG_FILE_VERSION;
	hdr.fixed_size = SDDL_LOG_FIXED_SIZE;
	hdr.dropped = shared->dropped;
	hdr.recovered = shared->recovered;
	if (head == tail && lost == 0 && shared->lost == 0 &&
		hdr.dropped == 0 && hdr.recovered == 0)
		return;

	file = AllocateFile(SDDL_LOG_FILE_TMP, PG_BINARY_W);
	if (file == NULL)
		goto error;
	/* the header is written again once the records are counted */
	if (fwrite(&hdr, sizeof(hdr), 1, file) != 1)
		goto error;
	for (pos = tail; pos < head; pos++)
	{
		SddlLogFileRecord frec;
		Size		length;

		if (!sddl_log_slot_sane(shared, pos, &length))
		{
			lost++;
			continue;
		}
		frec.length = (uint32) length;
		frec.crc = sddl_log_crc(sddl_log_slot(shared, pos), length);
		if (fwrite(&frec, sizeof(frec), 1, file) != 1 ||
			fwrite(sddl_log_slot(shared, pos), length, 1, file) != 1)
			goto error;
		hdr.nrecords++;
	}
	hdr.lost = shared->lost + lost;
	hdr.crc = sddl_log_crc(&hdr, offsetof(SddlLogFileHeader, crc));
	if (fseek(file, 0, SEEK_SET) != 0 ||
		fwrite(&hdr, sizeof(hdr), 1, file) != 1 ||
		fflush(file) != 0 || pg_fsync(fileno(file)) != 0)
		goto error;
	if (FreeFile(file) != 0)
	{
		file = NULL;
		goto error;
	}
	file = NULL;
	if (durable_rename(SDDL_LOG_FILE_TMP, SDDL_LOG_FILE, LOG) != 0)
		goto error;
	if (hdr.nrecords > 0 || lost > 0)
		ereport(LOG,
				(errmsg("safe_ddl lock log: saved %u buffered events to \"%s\", %llu lost",
						hdr.nrecords, SDDL_LOG_FILE, (unsigned long long) lost)));
	return;

error:
	ereport(LOG,
			(errcode_for_file_access(),
			 errmsg("safe_ddl lock log: could not save %llu buffered events to \"%s\": %m",
					(unsigned long long) (head - tail), SDDL_LOG_FILE_TMP)));
	if (file != NULL)
		FreeFile(file);
	unlink(SDDL_LOG_FILE_TMP);
}

/*
 * Put one saved record into the next slot, as a recovered event.  The
 * statement is cut when the room for it is smaller than when it was saved.
 */
static void
sddl_log_restore_record(SddlLogShared *shared, const char *buf, Size length)
{
	SddlLogRecord *rec = sddl_log_slot(shared, shared->head);
	const SddlLogRecord *saved = (const SddlLogRecord *) buf;
	int			stmt_len = length - SDDL_LOG_FIXED_SIZE - 1;

	memcpy(rec, buf, SDDL_LOG_FIXED_SIZE);
	if (stmt_len >= shared->statement_capacity)
		stmt_len = pg_encoding_mbcliplen(saved->encoding, saved->statement,
										 stmt_len,
										 shared->statement_capacity - 1);
	memcpy(rec->statement, saved->statement, stmt_len);
	rec->statement[stmt_len] = '\0';
	rec->flags |= SDDL_LOG_RECOVERED;
	rec->begin_pos = rec->done_pos = shared->head;
	shared->head++;
	shared->recovered++;
}

/*
 * Read the records of the file into the ring; count those that cannot be
 * used as lost.  Returns false when the file ends early or is corrupt
 * (the records not read are then counted lost by the caller).
 */
static bool
sddl_log_load_records(SddlLogShared *shared, FILE *file, uint32 nrecords,
					  uint32 *done)
{
	Size		max_length = SDDL_LOG_FIXED_SIZE + SDDL_LOG_STATEMENT_MAX + 1;
	char	   *buf = palloc(max_length);

	for (*done = 0; *done < nrecords; (*done)++)
	{
		SddlLogFileRecord frec;
		const SddlLogRecord *saved = (const SddlLogRecord *) buf;

		if (fread(&frec, sizeof(frec), 1, file) != 1 ||
			frec.length <= SDDL_LOG_FIXED_SIZE || frec.length > max_length ||
			fread(buf, frec.length, 1, file) != 1)
		{
			pfree(buf);
			return false;
		}
		if (sddl_log_crc(buf, frec.length) != frec.crc ||
			buf[frec.length - 1] != '\0' ||
			!sddl_log_strings_sane(saved) ||
			saved->encoding < 0 || saved->encoding >= _PG_LAST_ENCODING_ ||
			shared->head - shared->tail >= (uint64) shared->nslots)
		{
			shared->lost++;
			continue;
		}
		sddl_log_restore_record(shared, buf, frec.length);
	}
	pfree(buf);
	return true;
}

/*
 * At shared memory creation, in the postmaster: reload what the previous
 * teardown saved, then remove the file.
 */
void
sddl_log_persist_load(SddlLogShared *shared)
{
	SddlLogFileHeader hdr;
	FILE	   *file;
	uint32		done = 0;
	uint64		lost_before;

	file = AllocateFile(SDDL_LOG_FILE, PG_BINARY_R);
	if (file == NULL)
	{
		if (errno != ENOENT)
			ereport(LOG,
					(errcode_for_file_access(),
					 errmsg("safe_ddl lock log: could not read \"%s\": %m",
							SDDL_LOG_FILE)));
		return;
	}
	if (fread(&hdr, sizeof(hdr), 1, file) != 1 ||
		hdr.magic != SDDL_LOG_FILE_MAGIC ||
		hdr.crc != sddl_log_crc(&hdr, offsetof(SddlLogFileHeader, crc)))
	{
		ereport(LOG,
				(errmsg("safe_ddl lock log: \"%s\" is corrupt and was ignored; the events it held are lost, their number unknown",
						SDDL_LOG_FILE)));
		goto done;
	}
	shared->dropped = hdr.dropped;
	shared->lost = hdr.lost;
	shared->recovered = hdr.recovered;
	lost_before = shared->lost;
	if (hdr.version != SDDL_LOG_FILE_VERSION ||
		hdr.fixed_size != SDDL_LOG_FIXED_SIZE)
		shared->lost += hdr.nrecords;	/* another version's layout */
	else if (!sddl_log_load_records(shared, file, hdr.nrecords, &done))
		shared->lost += hdr.nrecords - done;
	if (hdr.nrecords > 0)
		ereport(LOG,
				(errmsg("safe_ddl lock log: recovered %llu events saved at the last stop, %llu lost",
						(unsigned long long) shared->head,
						(unsigned long long) (shared->lost - lost_before))));

done:
	FreeFile(file);
	if (unlink(SDDL_LOG_FILE) != 0)
		ereport(LOG,
				(errcode_for_file_access(),
				 errmsg("safe_ddl lock log: could not remove \"%s\": %m",
						SDDL_LOG_FILE)));
}
