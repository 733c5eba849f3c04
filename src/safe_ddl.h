/*-------------------------------------------------------------------------
 *
 * safe_ddl.h
 *	  What every layer of safe_ddl may know about the module itself: its
 *	  version and whether it was preloaded.
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

#define SAFE_DDL_VERSION "0.1"

/* true when the library was loaded through shared_preload_libraries */
extern bool sddl_preloaded;

extern void sddl_require_preload(void);

#endif							/* SAFE_DDL_H */
