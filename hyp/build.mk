# hyp/: the EL2 hypervisor, an arm64 Linux Image (build/hyp/vhyp.bin),
# position independent, linked with the aarch64 build of core/ (both with
# HYP_CODE_MODEL, the top-level Makefile).
HYP_ASM_OFFSETS_SRC := hyp/arch/aarch64/asm-offsets.c
HYP_C_SRCS := $(filter-out $(HYP_ASM_OFFSETS_SRC),$(sort $(wildcard hyp/*.c \
	hyp/arch/aarch64/*.c hyp/platform/*/*.c hyp/devices/*.c hyp/vgic/*.c)))
HYP_S_SRCS := $(sort $(wildcard hyp/arch/aarch64/*.S))
HYP_S_OBJS := $(patsubst %,$(O)/aarch64/%.o,$(HYP_S_SRCS))
HYP_OBJS := $(patsubst %,$(O)/aarch64/%.o,$(HYP_C_SRCS)) $(HYP_S_OBJS) $(LIB_HYP_OBJS)
HYP_GEN := $(O)/hyp-gen
HYP_FLAGS := $(HYP_CODE_MODEL) -Ihyp -Ihyp/arch/aarch64 -I$(HYP_GEN)
HYP_CFLAGS := $(CROSS_CFLAGS) $(HYP_FLAGS)
$(O)/aarch64/hyp/%: OBJ_FLAGS = $(INCLUDES) $(HYP_FLAGS)
HYP_LDS := hyp/arch/aarch64/vhyp.lds
HYP_CORE_LIB := $(O)/aarch64/libcore.a

# The sizes and offsets of C types the assembly uses, generated from C:
# asm-offsets.c compiled to assembly, each "->NAME value" marker line
# turned into a #define.  Every .S object waits for the header.
$(HYP_GEN)/asm-offsets.h: $(HYP_ASM_OFFSETS_SRC)
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(filter-out $(DEPFLAGS),$(HYP_CFLAGS)) -MMD -MP -MT $@ \
		-MF $(HYP_GEN)/asm-offsets.d -S $< -o $(HYP_GEN)/asm-offsets.s
	@{ echo '/* Generated from $< by hyp/build.mk: do not edit. */'; \
	  sed -n 's/^[[:space:]]*\.ascii[[:space:]]*"->\([A-Z0-9_]*\) [#$$]*\(-*[0-9]*\)"/#define \1 \2/p' \
		$(HYP_GEN)/asm-offsets.s; } >$@.tmp
	@test "$$(grep -c '^#define' $@.tmp)" = "$$(grep -c '^[[:space:]]DEFINE(' $<)" || \
		{ echo "$@: a DEFINE of $< did not reach the header" >&2; exit 1; }
	@mv $@.tmp $@
$(HYP_S_OBJS): $(HYP_GEN)/asm-offsets.h

$(O)/hyp/vhyp.elf: $(HYP_OBJS) $(HYP_CORE_LIB) $(HYP_LDS)
	$(hyp_link)
ALL_TARGETS += $(O)/hyp/vhyp.bin
.PHONY: hyp
hyp: $(O)/hyp/vhyp.bin

# Host builds of hyp/ files for their host tests (test_fdt in tests/unit:
# the board parser; the PSCI proxy, the device models, the moderated GIC):
# one object per source, with the fakes' include paths.
$(O)/host/hyp/%: OBJ_FLAGS = -Ihyp -Ihyp/arch/aarch64 -Ihyp/devices/tests \
	-Itests/unit/support
$(O)/host/tests/unit/test_fdt: $(O)/host/hyp/fdt.o

# tests/qemu/hyp-smoke: the bring-up guest (run with its run.sh), on the
# guest runtime like every other guest (guest/build.mk, included later:
# hence the literal paths of libguest.a and the linker script).
SMOKE_SRCS := tests/qemu/hyp-smoke/calls.S tests/qemu/hyp-smoke/main.c
SMOKE_OBJS := $(patsubst %,$(O)/aarch64/%.o,$(SMOKE_SRCS))
$(O)/aarch64/tests/qemu/hyp-smoke/%: OBJ_FLAGS = $(GUEST_FLAGS)
$(O)/hyp/hyp-smoke.elf: $(SMOKE_OBJS) $(O)/aarch64/libguest.a guest/rt/guest.lds
	$(guest_link)
ALL_TARGETS += $(O)/hyp/hyp-smoke.bin
# `make test` runs the smoke guest under vhyp in several configurations.
TEST_SUITES += tests/qemu/hyp-smoke/suite.sh
.PHONY: hyp-smoke
hyp-smoke: $(O)/hyp/vhyp.bin $(O)/hyp/hyp-smoke.bin
	@scripts/run-tests.sh tests/qemu/hyp-smoke/suite.sh

# Host test of the PSCI proxy (hyp/tests/test_psci.c): hyp/psci.c, cpu.c and
# console.c built for the host, the hardware faked in the test.
HYP_PSCI_TEST_SRCS := hyp/tests/test_psci.c hyp/psci.c hyp/cpu.c hyp/console.c \
	tests/unit/support/check_abort.c
$(O)/host/hyp/test_psci: $(patsubst %.c,$(O)/host/%.o,$(HYP_PSCI_TEST_SRCS)) \
		$(CORE_HOST_OBJS) $(LIB_HOST_OBJS)
	$(host_test_link)
ALL_TARGETS += $(O)/host/hyp/test_psci
# UNIT_BINS is part of TEST_SUITES already (tests/unit/build.mk).
UNIT_BINS += $(O)/host/hyp/test_psci
unit: $(O)/host/hyp/test_psci

# The host side's own fragment (device models: host tests, the model rule).
include hyp/devices/build.mk
# The moderated GIC's host test.
include hyp/vgic/build.mk
