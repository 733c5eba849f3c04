# safe_ddl: PGXS build and test harness.
#
#   make                       build (add WERROR=1 for warnings as errors)
#   make install               install into the server found by PG_CONFIG
#   make installcheck          pg_regress + isolation + TAP, each against a
#                              temporary instance with safe_ddl preloaded
#   make installcheck EXTERNAL_SERVER=1
#                              regress and isolation against a running,
#                              already preloaded server (PGHOST, PGPORT, ...),
#                              as Debian's pg_buildext installcheck does
#
# SAFE_DDL_DESTDIR=/abs/path  use an extension installed with
#                              "make install DESTDIR=/abs/path" instead of a
#                              system install (scripts/destdir-conf: Debian's
#                              extension_destdir, or extension_control_path
#                              on 18+).
#
# scripts/test wraps all of this; it is what README.md and CI run.

EXTENSION	= safe_ddl
MODULE_big	= safe_ddl
OBJS		= $(patsubst %.c,%.o,$(sort $(wildcard src/*.c src/*/*.c)))
DATA		= $(wildcard sql/safe_ddl--*.sql)
PGFILEDESC	= "safe_ddl - lock-aware guard for schema changes"

PG_CPPFLAGS	= -I$(srcdir)/src
PG_CFLAGS	= -Wextra -Wno-unused-parameter -Wno-sign-compare \
			  -Wno-missing-field-initializers -Wshadow=compatible-local
ifneq ($(filter 1 yes,$(WERROR)),)
PG_CFLAGS	+= -Werror
endif

# Tests are discovered, so adding one never means editing this file.
# "init" runs first: it creates the extension the later files use.
REGRESS		= init $(filter-out init safe_ddl--%,$(sort $(basename $(notdir $(wildcard sql/*.sql)))))
ISOLATION	= $(sort $(basename $(notdir $(wildcard test/specs/*.spec))))
TAP_TESTS	= 1
PROVE_TESTS	= $(sort $(wildcard test/t/*.pl))
PROVE_FLAGS	+= -I $(CURDIR)/test/perl

ifdef EXTERNAL_SERVER
REGRESS_OPTS	=
ISOLATION_OPTS	= --inputdir=test
else
REGRESS_OPTS	= --temp-instance=./tmp_check --temp-config=test/safe_ddl.conf
ISOLATION_OPTS	= --inputdir=test --temp-instance=./tmp_check_iso --temp-config=test/safe_ddl.conf
REGRESS_PREP	= test/safe_ddl.conf
endif

export SAFE_DDL_DESTDIR

PG_CONFIG	?= pg_config
PGXS		:= $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

PG_MAJOR	:= $(shell $(PG_CONFIG) --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')

# An isolation spec named pgNN_*.spec uses syntax PostgreSQL NN added: the
# servers before NN leave it out (regress tests stop after a version check
# instead, which a spec cannot do).
sddl_spec_major	= $(patsubst pg%,%,$(firstword $(subst _, ,$(1))))
sddl_spec_runs	= $(if $(filter pg%,$(firstword $(subst _, ,$(1)))),$(shell [ $(PG_MAJOR) -ge $(call sddl_spec_major,$(1)) ] && echo y),y)
ISOLATION	:= $(foreach s,$(ISOLATION),$(if $(call sddl_spec_runs,$(s)),$(s)))

# The configuration of every temporary test instance.  With SAFE_DDL_DESTDIR
# the server loads the library and finds the control file there.
test/safe_ddl.conf: FORCE
	@{ cat $(srcdir)/test/safe_ddl.conf.in; \
	  if [ -n "$(SAFE_DDL_DESTDIR)" ]; then \
	    PG_CONFIG=$(PG_CONFIG) $(srcdir)/scripts/destdir-conf "$(SAFE_DDL_DESTDIR)" || exit 1; \
	  fi; } > $@

.PHONY: FORCE
FORCE:

EXTRA_CLEAN	= test/safe_ddl.conf output_iso tmp_check_iso tmp_install
