/*-------------------------------------------------------------------------
 *
 * safe_ddl.h
 *	  What every layer of safe_ddl may know about the module itself: its
 *	  version, whether it was preloaded, and how it registers its
 *	  background workers.
 *
 * The bottom of the layering (with compat.h): it includes nothing of
 * safe_ddl's own, so any layer, the log included, may include it.  The
 * module entry point (_PG_init) lives in hook/init.c, at the top.
 *
 * Copyright (c) 2026, safe_ddl developers
 *
 * IDENTIFICATION
 *	  src/safe_ddl.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SAFE_DDL_H
#define SAFE_DDL_H

#define SAFE_DDL_VERSION "0.3"

/* true when the library was loaded through shared_preload_libraries */
extern bool sddl_preloaded;

extern void sddl_require_preload(void);

/* Seconds before the postmaster restarts a safe_ddl worker that exited */
#define SDDL_WORKER_RESTART_SECONDS 5

/*
 * Register one of safe_ddl's background workers (the log writer, the hold
 * monitor), started once recovery has finished.  Call from _PG_init under
 * process_shared_preload_libraries_in_progress.  flags: BGWORKER_*.
 */
extern void sddl_register_worker(const char *function_name, const char *name,
								 int flags);

#endif							/* SAFE_DDL_H */
