# hyp/: the EL2 hypervisor, an arm64 Linux Image (build/hyp/vhyp.bin),
# position independent, linked with the aarch64 build of core/.
HYP_ASM_OFFSETS_SRC := hyp/arch/aarch64/asm-offsets.c
HYP_C_SRCS := $(filter-out $(HYP_ASM_OFFSETS_SRC),$(sort $(wildcard hyp/*.c \
	hyp/arch/aarch64/*.c hyp/platform/*/*.c hyp/devices/*.c hyp/vgic/*.c)))
HYP_S_SRCS := $(sort $(wildcard hyp/arch/aarch64/*.S))
HYP_S_OBJS := $(patsubst %.S,$(O)/hyp-obj/%.o,$(HYP_S_SRCS))
HYP_OBJS := $(patsubst %.c,$(O)/hyp-obj/%.o,$(HYP_C_SRCS)) $(HYP_S_OBJS)
HYP_GEN := $(O)/hyp-gen
HYP_CFLAGS := $(CROSS_CFLAGS) -fpie -fvisibility=hidden -fdirect-access-external-data -Ihyp \
	-Ihyp/arch/aarch64 -I$(HYP_GEN)
HYP_LDS := hyp/arch/aarch64/vhyp.lds
# The core library the image links (overridable for bring-up experiments).
HYP_CORE_LIB ?= $(O)/aarch64/libcore.a

$(O)/hyp-obj/hyp/%.o: hyp/%.c
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(HYP_CFLAGS) -MMD -MP -c $< -o $@
$(O)/hyp-obj/hyp/%.o: hyp/%.S
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(HYP_CFLAGS) -MMD -MP -c $< -o $@
-include $(HYP_OBJS:.o=.d)

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
-include $(HYP_GEN)/asm-offsets.d
$(HYP_S_OBJS): $(HYP_GEN)/asm-offsets.h

$(O)/hyp/vhyp.elf: $(HYP_OBJS) $(HYP_CORE_LIB) $(HYP_LDS)
	@mkdir -p $(dir $@)
	$(CROSS_LD) -pie --no-dynamic-linker -z norelro -z notext --no-undefined \
		-T $(HYP_LDS) -o $@ $(HYP_OBJS) $(HYP_CORE_LIB)
$(O)/hyp/vhyp.bin: $(O)/hyp/vhyp.elf
	$(CROSS_OBJCOPY) -O binary $< $@

# The hypervisor needs the core's SMCCC dispatcher and stage-2 code; until
# they exist, `make all` skips it instead of failing to link.
ifneq ($(and $(wildcard core/smccc/*.c),$(wildcard core/vm/*.c),$(wildcard core/stage2/*.c)),)
ALL_TARGETS += $(O)/hyp/vhyp.bin
endif
.PHONY: hyp
hyp: $(O)/hyp/vhyp.bin

# Host build of the FDT reader for tests/unit/test_fdt.c.
$(O)/host/hyp/fdt.o: hyp/fdt.c hyp/fdt.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -ffreestanding -c $< -o $@
$(O)/host/tests/unit/test_fdt: $(O)/host/hyp/fdt.o

# tests/qemu/hyp-smoke: the bring-up guest (run with its run.sh).
SMOKE_SRCS := tests/qemu/hyp-smoke/start.S tests/qemu/hyp-smoke/main.c
SMOKE_OBJS := $(patsubst %,$(O)/hyp-obj/%.o,$(SMOKE_SRCS))
$(O)/hyp-obj/tests/qemu/hyp-smoke/%.o: tests/qemu/hyp-smoke/%
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(CROSS_CFLAGS) -c $< -o $@
$(O)/hyp/hyp-smoke.elf: $(SMOKE_OBJS) tests/qemu/hyp-smoke/guest.lds
	@mkdir -p $(dir $@)
	$(CROSS_LD) -T tests/qemu/hyp-smoke/guest.lds -o $@ $(SMOKE_OBJS)
$(O)/hyp/hyp-smoke.bin: $(O)/hyp/hyp-smoke.elf
	$(CROSS_OBJCOPY) -O binary $< $@
ALL_TARGETS += $(O)/hyp/hyp-smoke.bin
# `make test` runs the smoke guest under vhyp in several configurations.
ifneq ($(and $(wildcard core/smccc/*.c),$(wildcard core/vm/*.c),$(wildcard core/stage2/*.c)),)
TEST_SUITES += tests/qemu/hyp-smoke/suite.sh
endif
.PHONY: hyp-smoke
hyp-smoke: $(O)/hyp/vhyp.bin $(O)/hyp/hyp-smoke.bin
	@scripts/run-tests.sh tests/qemu/hyp-smoke/suite.sh

# Host test of the PSCI proxy (hyp/tests/test_psci.c): hyp/psci.c, cpu.c and
# console.c built for the host, the hardware faked in the test.
HYP_HOST_SRCS := hyp/psci.c hyp/cpu.c hyp/console.c
HYP_HOST_OBJS := $(patsubst %.c,$(O)/host/hyp-test/%.o,$(HYP_HOST_SRCS))
HYP_HOST_CFLAGS := $(HOST_CFLAGS) -Ihyp -Ihyp/arch/aarch64
$(O)/host/hyp-test/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HYP_HOST_CFLAGS) -c $< -o $@
$(O)/host/hyp/test_psci: $(O)/host/hyp-test/hyp/tests/test_psci.o \
		$(HYP_HOST_OBJS) $(CORE_HOST_OBJS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_LDFLAGS) $^ -lcmocka -lpthread -o $@
ALL_TARGETS += $(O)/host/hyp/test_psci
# UNIT_BINS is part of TEST_SUITES already (tests/unit/build.mk).
UNIT_BINS += $(O)/host/hyp/test_psci
unit: $(O)/host/hyp/test_psci

# The host side's own fragment (device models: host test).
-include hyp/devices/build.mk
# The moderated GIC's host test.
-include hyp/vgic/build.mk
