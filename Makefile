# vhyp top-level build.  Each part of the tree owns a build.mk fragment;
# this file holds the toolchains, the shared flags and the user-facing
# targets.  `make help` lists them.

.DEFAULT_GOAL := all
# Keep intermediate objects: they are not throwaway, rebuilding them is.
.SECONDARY:
SHELL := /bin/bash
O ?= build

# Host toolchain: clang, for the sanitizers and libFuzzer.
HOST_CC ?= clang
# Bare-metal aarch64 toolchain: clang + ld.lld.
CROSS_CC ?= clang --target=aarch64-none-elf
CROSS_LD ?= ld.lld
CROSS_OBJCOPY ?= llvm-objcopy

WARNINGS := -Wall -Wextra -Werror -Wshadow
# Core code also builds with -Wconversion: silent truncation of a register
# value is exactly the bug class the ABI cannot afford.
CORE_WARNINGS := $(WARNINGS) -Wconversion -Wsign-conversion

INCLUDES := -Iinclude -Icore/include -Ilib/include

# -MMD -MP: every object also records the headers it read (the .d files
# included at the end), so changing a header rebuilds what uses it.
DEPFLAGS := -MMD -MP

HOST_CFLAGS := -std=c11 -g -O1 $(WARNINGS) $(INCLUDES) $(DEPFLAGS) \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
HOST_LDFLAGS := -fsanitize=address,undefined

# Flags for everything that runs on aarch64 without an OS (hypervisor,
# core, guests): no FP/SIMD, since EL2 does not save the guest's vector
# state; strict alignment, since code may run with the MMU off.  The
# include path is the object's own (OBJ_FLAGS below): the device models
# get none.
CROSS_BASE_CFLAGS := -std=c11 -O2 -g -ffreestanding -fno-builtin -nostdlib \
	-mgeneral-regs-only -mstrict-align -fno-pic -fno-stack-protector \
	-mcpu=cortex-a57 -fno-omit-frame-pointer $(WARNINGS) $(DEPFLAGS)
CROSS_CFLAGS := $(CROSS_BASE_CFLAGS) $(INCLUDES)

# The hypervisor's code model, for hyp/ and for the core it links: a
# position-independent executable that relocates itself (head.S applies
# its R_AARCH64_RELATIVE relocations before any C runs).  Nothing in the
# one static image can be preempted, so hidden visibility and direct
# PC-relative access to external data: no GOT load on the hypercall
# path.  Const tables of pointers land in .data.rel.ro (the compiler puts
# them there under -fpie), which the linker script keeps before the
# read-only boundary.
HYP_CODE_MODEL := -fpie -fvisibility=hidden -fdirect-access-external-data

FUZZ_CFLAGS := -std=c11 -g -O1 $(WARNINGS) $(INCLUDES) $(DEPFLAGS) \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
# bench/host: callgrind instruction counts of the core on the host (DWARF
# 4: valgrind 3.19 cannot read clang 14's default DWARF 5), -O2 without
# sanitizers (what the hypervisor runs is -O2 too).
BENCH_CFLAGS := -std=c11 -O2 -gdwarf-4 $(WARNINGS) $(INCLUDES) $(DEPFLAGS)

# ---- The rules, once per flavour ------------------------------------------
# The fragments (*/build.mk) only list sources, objects and targets; these
# rules build them.  An object's flavour is the directory it is built in:
#   $(O)/host/P.o        host clang, ASan + UBSan (unit tests, host builds)
#   $(O)/fuzz/P.o        host clang, libFuzzer coverage + ASan + UBSan
#   $(O)/bench/P.o       host clang, -O2, no sanitizers (callgrind)
#   $(O)/aarch64/P.c.o   bare-metal aarch64 (core, hypervisor, guests)
#   $(O)/aarch64/P.S.o
# (P: the source's path without its suffix).  What differs per part of the
# tree (include paths, warnings, code model) is OBJ_FLAGS, which the
# fragments set for their objects' directories (pattern-specific) or for
# single objects (target-specific).
OBJ_FLAGS :=
$(O)/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(OBJ_FLAGS) -c $< -o $@
$(O)/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(FUZZ_CFLAGS) $(OBJ_FLAGS) -c $< -o $@
$(O)/bench/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(BENCH_CFLAGS) $(OBJ_FLAGS) -c $< -o $@
define cross_compile
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(CROSS_BASE_CFLAGS) $(OBJ_FLAGS) -c $< -o $@
endef
$(O)/aarch64/%.c.o: %.c
	$(cross_compile)
$(O)/aarch64/%.S.o: %.S
	$(cross_compile)

# Links: a cmocka host test, an aarch64 archive, a guest Image (its
# objects and libguest.a, at the guest runtime's fixed address), the
# hypervisor (a PIE), and any raw binary from its ELF.
define host_test_link
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_LDFLAGS) $(filter %.o,$^) -lcmocka -lpthread -o $@
endef
define cross_archive
	@mkdir -p $(dir $@)
	@rm -f $@
	llvm-ar rcs $@ $(filter %.o,$^)
endef
define guest_link
	@mkdir -p $(dir $@)
	$(CROSS_LD) -T $(GUEST_LDS) -o $@ $(filter %.o,$^) $(filter %.a,$^)
endef
define hyp_link
	@mkdir -p $(dir $@)
	$(CROSS_LD) -pie --no-dynamic-linker -z norelro --no-undefined \
		-T $(HYP_LDS) -o $@ $(filter %.o,$^) $(filter %.a,$^)
endef
$(O)/%.bin: $(O)/%.elf
	$(CROSS_OBJCOPY) -O binary $< $@

include core/build.mk
include lib/build.mk
include tests/unit/build.mk
include tests/fuzz/build.mk
include hyp/build.mk
include guest/build.mk
include guest/tests.mk
include tools/build.mk
include tests/qemu/build.mk
include tests/linux/build.mk
include bench/build.mk

# Style and static analysis run with the tests (scripts/lint-suite.sh).
TEST_SUITES += scripts/lint-suite.sh
# One source for the board layout (include/vhyp/board.h).
TEST_SUITES += scripts/check-board-literals.sh
include guest/protected.mk
include tests/qemu/protected/build.mk
include tests/pkvm-linux/build.mk
include guest/virtio-neg/build.mk
include tests/qemu/attack/build.mk

.PHONY: all deps deps-run deps-test test run unit help clean format format-check tidy cppcheck lint \
	tidy-core tidy-hyp tidy-lib cppcheck-core cppcheck-hyp cppcheck-lib \
	fresh-check

all: $(ALL_TARGETS)

# Two dependency sets (scripts/install-deps.sh): what `make run` needs, and
# what the tests and benchmarks need on top.  `make deps` is the latter.
deps-run:
	@scripts/install-deps.sh run
deps deps-test:
	@scripts/install-deps.sh test

JOBS := $(shell nproc 2>/dev/null || echo 2)

# The README's second command: installs, builds and runs every test.
test: deps-test
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@scripts/run-tests.sh $(TEST_SUITES)

# The README's first command: the demo guest under vhyp in QEMU.  Builds
# only what the run needs (the hypervisor, the demo guest, the console
# filter, the runner's --features checker).
run: deps-run
	@$(MAKE) --no-print-directory -j$(JOBS) $(O)/hyp/vhyp.bin $(O)/guest/demo.bin \
		$(RUN_TOOLS) $(O)/tools/vhyp-features
	@./vhyp run $(ARGS)

# The README's two commands on a clean clone in a clean Debian bookworm
# chroot (root, debootstrap; FRESH='run' for make run only).
FRESH ?= run test
fresh-check:
	@scripts/fresh-check.sh $(FRESH)

help:
	@echo "make run      boot the demo guest under vhyp (ARGS='--protected' ...)"
	@echo "make test     install dependencies, build, run every test"
	@echo "make unit     host unit tests only"
	@echo "make fuzz     libFuzzer on the dispatcher (FUZZ_SECONDS=600)"
	@echo "make bench    benchmarks (host callgrind + QEMU icount)"
	@echo "make lint     clang-format check, clang-tidy, cppcheck"
	@echo "make fresh-check  make run and make test in a clean bookworm chroot (FRESH=run)"

FORMAT_FILES = $(shell git ls-files '*.c' '*.h')
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

# clang-tidy and cppcheck on core/ (host flags), on every C file of the
# hypervisor, hyp/, and on the support library it links, lib/ (the aarch64
# target they are built for; host tests aside, as for core/).  A finding
# fails `make test` (scripts/lint-suite.sh).
HYP_LINT_SRCS = $(HYP_C_SRCS) $(HYP_ASM_OFFSETS_SRC)
HYP_LINT_INCLUDES := $(INCLUDES) -Ihyp -Ihyp/arch/aarch64
CPPCHECK := cppcheck --quiet --error-exitcode=1 \
	--enable=warning,style,performance,portability --std=c11 --inline-suppr \
	--suppress=missingIncludeSystem
tidy-core:
	clang-tidy --quiet $(CORE_SRCS) -- -std=c11 $(INCLUDES)
tidy-hyp:
	clang-tidy --quiet $(HYP_LINT_SRCS) -- -std=c11 --target=aarch64-none-elf \
		-ffreestanding -mgeneral-regs-only $(HYP_LINT_INCLUDES)
# lib/: one clang-tidy process per file.  clang-tidy 14's va_list checker
# keeps state from one file to the next and then reports the va_copy'd
# list of lib/fmt.c as uninitialized (fmt.c twice in one run: clean, then
# ten findings); alone, each file is analysed as it is.
tidy-lib:
	@set -e; for f in $(LIB_SRCS); do \
		echo "clang-tidy $$f"; \
		clang-tidy --quiet $$f -- -std=c11 --target=aarch64-none-elf \
			-ffreestanding -mgeneral-regs-only $(INCLUDES); \
	done
tidy: tidy-core tidy-hyp tidy-lib
cppcheck-core:
	$(CPPCHECK) $(INCLUDES) core
cppcheck-hyp:
	$(CPPCHECK) $(HYP_LINT_INCLUDES) $(HYP_LINT_SRCS)
cppcheck-lib:
	$(CPPCHECK) $(INCLUDES) $(LIB_SRCS)
cppcheck: cppcheck-core cppcheck-hyp cppcheck-lib
lint: format-check tidy cppcheck

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
