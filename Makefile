# husk — a minimal, fast and secure OCI container runtime.
#
#   make                 build ./husk
#   make check           C unit tests + the bats suite (installs test deps)
#   make demo            run bundles/hello
#   make bench           husk vs crun vs runc (see bench/README.md)
#   make install PREFIX=/usr/local DESTDIR=
#   make format          clang-format every source file
#
# Knobs: LIBC=glibc (instead of musl), DEVELOPER=1 (-Werror),
# SANITIZE=address,undefined, STATIC=0 (with glibc: shared libraries), V=1.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
CC         ?= cc
PKG_CONFIG ?= pkg-config

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wno-format-nonliteral
# -Os, here and for the musl libraries (tools/musl-deps.sh): husk's own
# work is under a million instructions per container, its cost is page
# faults and syscalls, not code speed.  -Os made no measurable difference
# to `make bench` and the binary 61 KB smaller (bench/README.md).
CFLAGS  ?= -Os -g
override CFLAGS  += -std=gnu11 $(WARN) -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 \
           -fstack-protector-strong -DHUSK_VERSION='"$(VERSION)"'
ifeq ($(DEVELOPER),1)
override CFLAGS  += -Werror
endif
ifneq ($(SANITIZE),)
# GCC's format checks see NULLs that the sanitizers' instrumentation
# invents (ns/dev.c's constant table): not warnings worth failing on.
override CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -Wno-format-overflow
override LDFLAGS += -fsanitize=$(SANITIZE)
endif

# husk is linked statically, against musl (LIBC=musl, the default) or glibc
# (LIBC=glibc; with STATIC=0, against shared libraries).  Every container
# start executes husk, and on a VM a static glibc spends ~1 ms of CPU in
# its start-up (CPU feature probing that traps) and adds 780 KB to the
# binary; with shared libraries the dynamic loader was a quarter of husk's
# CPU time (bench/README.md).  musl's libseccomp, jansson and libcap are
# built once from Debian's source packages (tools/musl-deps.sh, under a
# minute, into $(MUSL_DIR)).  A sanitized build is glibc and dynamic (the
# sanitizers need both).
LIBC ?= $(if $(SANITIZE),glibc,musl)
MUSL_DIR := .cache/musl
ifeq ($(LIBC),musl)
ifeq ($(origin CC),default)
CC := musl-gcc
endif
STATIC := 1
HUSK_LDFLAGS := -static
MUSL_LIBS := $(MUSL_DIR)/lib/libseccomp.a $(MUSL_DIR)/lib/libjansson.a $(MUSL_DIR)/lib/libcap.a
# base/alloc.c replaces musl's malloc (why: see there).  musl has no
# _FORTIFY_SOURCE: glibc's run-time checks of memcpy & co. are not in this
# build; the fuzzers and SANITIZE builds (glibc) look for memory errors.
override CFLAGS  += -isystem $(MUSL_DIR)/include -DHUSK_OWN_MALLOC
override LDLIBS  += -L$(MUSL_DIR)/lib -lseccomp -ljansson -lcap
else ifneq ($(LIBC),glibc)
$(error LIBC must be musl or glibc, not '$(LIBC)')
else
STATIC ?= $(if $(SANITIZE),0,1)
ifeq ($(STATIC),1)
HUSK_LDFLAGS := -static
PKG_STATIC := --static
endif
DEPS_PC := libseccomp jansson libcap
PC_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(DEPS_PC) 2>/dev/null)
PC_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKG_STATIC) $(DEPS_PC) 2>/dev/null)
override CFLAGS  += $(PC_CFLAGS)
override LDLIBS  += $(PC_LIBS)
endif
# Size: every function and object in a section of its own, so that the
# link drops what nothing calls (most of it in the libraries), and no
# unwind tables (C has no exceptions; gdb unwinds with -g's .debug_frame).
# Not for the sanitizers, whose reports unwind the stack.
ifeq ($(SANITIZE),)
override CFLAGS += -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables
HUSK_LDFLAGS += -Wl,--gc-sections
endif

# The test helpers and the freestanding shim are built for the machine
# itself, whatever husk's libc.
HOST_CC ?= cc

# Objects built with other flags must not be linked together: the build
# mode (LIBC, SANITIZE, DEVELOPER, STATIC, CC) is recorded, and every object
# depends on that record, so switching modes rebuilds everything.
BUILD_MODE := libc=$(LIBC) cc=$(CC) sanitize=$(SANITIZE) developer=$(DEVELOPER) static=$(STATIC)
BUILD_STAMP := .cache/build-mode
$(shell mkdir -p .cache; [ "$$(cat $(BUILD_STAMP) 2>/dev/null)" = "$(BUILD_MODE)" ] || echo "$(BUILD_MODE)" >$(BUILD_STAMP))

# Modules depend one way: cli -> runtime -> {ns, cgroup} -> base.
LIB_SRC := $(wildcard base/*.c ns/*.c cgroup/*.c runtime/*.c)
CLI_SRC := $(wildcard cli/*.c)
LIB_OBJ := $(LIB_SRC:.c=.o) runtime/shim/blob.o
CLI_OBJ := $(CLI_SRC:.c=.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:.c=)

ifneq ($(V),1)
Q := @
endif

all: husk

husk: $(LIB_OBJ) $(CLI_OBJ) $(BUILD_STAMP) $(MUSL_LIBS)
	@echo "  LD    $@"
	$(Q)$(CC) $(LDFLAGS) $(HUSK_LDFLAGS) -o $@ $(LIB_OBJ) $(CLI_OBJ) $(LDLIBS)

%.o: %.c $(wildcard */*.h) $(BUILD_STAMP) $(MUSL_LIBS)
	@echo "  CC    $@"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

tests/unit/test_%: tests/unit/test_%.c tests/unit/unit.h $(LIB_OBJ) $(BUILD_STAMP) $(MUSL_LIBS)
	@echo "  CC    $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(HUSK_LDFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)

# GCC would turn calloc's malloc + memset into a call to calloc.
base/alloc.o: override CFLAGS += -fno-builtin

$(MUSL_LIBS) &: tools/musl-deps.sh
	@echo "  DEPS  $(MUSL_DIR) (libseccomp, jansson, libcap for musl)"
	$(Q)./tools/musl-deps.sh $(MUSL_DIR)

# The shim that execs the payload (runtime/shim/shim.c): freestanding, no
# libc, under 2 KB, linked into husk by runtime/shim/blob.S.  Only
# for x86_64 and aarch64: elsewhere it is empty, and husk re-executes a
# sealed copy of itself instead (runtime/self.c).
SHIM_ARCH := $(filter x86_64 aarch64,$(firstword $(subst -, ,$(shell $(HOST_CC) -dumpmachine))))
SHIM_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Os -Wall -Wextra -static -nostdlib \
	-nostartfiles -ffreestanding -fno-builtin -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-pie -no-pie \
	-ffunction-sections -fdata-sections -Wl,--gc-sections -s \
	-Wl,--build-id=none -Wl,-z,noseparate-code -Wl,-z,norelro \
	$(if $(filter x86_64,$(SHIM_ARCH)),-fcf-protection=none)
runtime/shim/shim.bin: runtime/shim/shim.c runtime/sync.h base/base.h $(BUILD_STAMP)
	@echo "  SHIM  $@"
ifneq ($(SHIM_ARCH),)
	$(Q)$(HOST_CC) $(SHIM_CFLAGS) -o $@ $<
else
	$(Q): >$@
endif

runtime/shim/blob.o: runtime/shim/blob.S runtime/shim/shim.bin
	@echo "  AS    $@"
	$(Q)$(CC) -c -o $@ $<

# The helper program that runs inside test containers (static: the test
# rootfs is busybox only).
tests/probe/probe: tests/probe/probe.c
	@echo "  CC    $@"
	$(Q)$(HOST_CC) -std=gnu11 -O2 -Wall -static -o $@ $<

# The benchmark's limit program (bench/limit.c), static and on husk's libc
# (a static glibc's start-up costs ~1 ms on a VM): bench/run.sh times it,
# tests/98-bench.bats checks what it does.
bench/limit: bench/limit.c $(MUSL_LIBS)
	@echo "  CC    $@"
	$(Q)$(CC) -std=gnu11 -O2 -Wall -Wextra $(if $(MUSL_LIBS),-isystem $(MUSL_DIR)/include) -static -o $@ $<

# The --console-socket receiver the terminal tests use (runs on the host).
tests/probe/recvtty: tests/probe/recvtty.c
	@echo "  CC    $@"
	$(Q)$(HOST_CC) -std=gnu11 -O2 -Wall -Wextra -o $@ $<

deps:
	@./tests/install-deps.sh build

test-deps:
	@./tests/install-deps.sh test

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "  UNIT  $$t"; ./$$t; done

check: test-deps
	$(MAKE) husk tests/probe/probe tests/probe/recvtty $(UNIT_BIN)
	$(MAKE) unit
	./tests/run-bats.sh
	$(MAKE) fuzz
	$(MAKE) check-vm

# The bundle parser, the seccomp compiler and the state.json reader under
# libFuzzer + ASan/UBSan.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_OUT=$${FUZZ_OUT:-.cache/fuzz} tests/fuzz/run.sh $(FUZZ_SECONDS)

# The cgroup v2 tests run in a VM: this machine and CI have hybrid cgroups.
# On v2: the cgroup unit tests, 50-cgroup, rootless in a delegated subtree
# (35-rootless: 10 limits, 13 pause/resume) with user namespaces limited
# (14) and disabled system-wide (15, tagged vm-only: the host run leaves it
# out), and the lessons whose output depends on the cgroup version (06
# memory, 07 cpu, 08 pids).
VM_BATS ?= tests/50-cgroup.bats
VM_ROOTLESS ?= ./tests/run-bats.sh -f "rootless: (10|13|14|15) " tests/35-rootless.bats
VM_LESSONS ?= ./tests/run-bats.sh -f "lessons: 0[678] " tests/96-lessons.bats
check-vm: husk tests/probe/probe tests/unit/test_cgroup
	@rc=0; tests/vm/run.sh -- sh -c './tests/unit/test_cgroup && ./tests/run-bats.sh $(VM_BATS) && $(VM_ROOTLESS) && $(VM_LESSONS)' || rc=$$?; \
	if [ $$rc = 77 ] && [ "$${MUST_WORK:-0}" != 1 ]; then echo "check-vm: skipped (qemu cannot run)"; rc=0; fi; exit $$rc

demo: deps husk
	./bundles/demo.sh

bench: deps husk
	./bench/run.sh

install: husk
	install -D -m 0755 husk $(DESTDIR)$(BINDIR)/husk
	install -D -m 0644 doc/husk.1 $(DESTDIR)$(MANDIR)/man1/husk.1

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(wildcard */*.h tests/unit/*.[ch] tests/probe/*.c)

clean:
	rm -f husk $(LIB_OBJ) $(CLI_OBJ) $(UNIT_BIN) tests/probe/probe tests/probe/recvtty bench/limit \
		runtime/shim/shim.bin

.PHONY: all deps test-deps unit check check-vm fuzz demo bench install format clean
