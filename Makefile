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

INCLUDES := -Iinclude -Icore/include

# -MMD -MP: every object also records the headers it read (the .d files
# included at the end), so changing a header rebuilds what uses it.
DEPFLAGS := -MMD -MP

HOST_CFLAGS := -std=c11 -g -O1 $(WARNINGS) $(INCLUDES) $(DEPFLAGS) \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
HOST_LDFLAGS := -fsanitize=address,undefined

# Flags for everything that runs on aarch64 without an OS (hypervisor,
# core, guests): no FP/SIMD, since EL2 does not save the guest's vector
# state; strict alignment, since code may run with the MMU off.
CROSS_CFLAGS := -std=c11 -O2 -g -ffreestanding -fno-builtin -nostdlib \
	-mgeneral-regs-only -mstrict-align -fno-pic -fno-stack-protector \
	-mcpu=cortex-a57 -fno-omit-frame-pointer $(WARNINGS) $(INCLUDES) $(DEPFLAGS)

include core/build.mk
-include tests/unit/build.mk
-include tests/fuzz/build.mk
-include hyp/build.mk
-include guest/build.mk
-include guest/tests.mk
-include tools/build.mk
-include tests/qemu/build.mk
-include tests/linux/build.mk
-include bench/build.mk

# Style and static analysis run with the tests (scripts/lint-suite.sh).
TEST_SUITES += scripts/lint-suite.sh
# One source for the board layout (include/vhyp/board.h).
TEST_SUITES += scripts/check-board-literals.sh
-include guest/protected.mk
-include tests/qemu/protected/build.mk
-include tests/pkvm-linux/build.mk
-include guest/virtio-neg/build.mk
include tests/qemu/attack/build.mk

.PHONY: all deps deps-run deps-test test run unit help clean format format-check tidy cppcheck lint \
	tidy-core tidy-hyp cppcheck-core cppcheck-hyp \
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

# clang-tidy and cppcheck on core/ (host flags) and on every C file of the
# hypervisor, hyp/ (the aarch64 target it is built for; host tests aside,
# as for core/).  A finding fails `make test` (scripts/lint-suite.sh).
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
tidy: tidy-core tidy-hyp
cppcheck-core:
	$(CPPCHECK) $(INCLUDES) core
cppcheck-hyp:
	$(CPPCHECK) $(HYP_LINT_INCLUDES) $(HYP_LINT_SRCS)
cppcheck: cppcheck-core cppcheck-hyp
lint: format-check tidy cppcheck

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
