/*-------------------------------------------------------------------------
 *
 * safe_ddl.h
 *	  Settings and state shared by every layer of safe_ddl.
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

/* safe_ddl.mode */
typedef enum SddlMode
{
	SDDL_MODE_OFF,				/* pass every statement through untouched */
	SDDL_MODE_OBSERVE,			/* allow everything, warn and log */
	SDDL_MODE_ENFORCE			/* rewrite or reject risky statements */
} SddlMode;

extern int	sddl_mode;

/* true when the library was loaded through shared_preload_libraries */
extern bool sddl_preloaded;

extern void sddl_require_preload(void);

#endif							/* SAFE_DDL_H */
