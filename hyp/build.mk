# hyp/: the EL2 hypervisor, an arm64 Linux Image (build/hyp/vhyp.bin),
# position independent, linked with the aarch64 build of core/.
HYP_C_SRCS := $(sort $(wildcard hyp/*.c hyp/arch/aarch64/*.c hyp/platform/*/*.c))
HYP_S_SRCS := $(sort $(wildcard hyp/arch/aarch64/*.S))
HYP_OBJS := $(patsubst %.c,$(O)/hyp-obj/%.o,$(HYP_C_SRCS)) \
	$(patsubst %.S,$(O)/hyp-obj/%.o,$(HYP_S_SRCS))
HYP_CFLAGS := $(CROSS_CFLAGS) -fpie -fvisibility=hidden -Ihyp \
	-Ihyp/arch/aarch64
HYP_LDS := hyp/arch/aarch64/vhyp.lds

$(O)/hyp-obj/hyp/%.o: hyp/%.c
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(HYP_CFLAGS) -MMD -MP -c $< -o $@
$(O)/hyp-obj/hyp/%.o: hyp/%.S
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(HYP_CFLAGS) -MMD -MP -c $< -o $@
-include $(HYP_OBJS:.o=.d)

$(O)/hyp/vhyp.elf: $(HYP_OBJS) $(O)/aarch64/libcore.a $(HYP_LDS)
	@mkdir -p $(dir $@)
	$(CROSS_LD) -pie --no-dynamic-linker -z norelro --no-undefined \
		-T $(HYP_LDS) -o $@ $(HYP_OBJS) $(O)/aarch64/libcore.a
$(O)/hyp/vhyp.bin: $(O)/hyp/vhyp.elf
	$(CROSS_OBJCOPY) -O binary $< $@

# The hypervisor needs the core's SMCCC dispatcher and stage-2 code; until
# they exist, `make all` skips it instead of failing to link.
ifneq ($(wildcard core/smccc/*.c),)
ALL_TARGETS += $(O)/hyp/vhyp.bin
endif
.PHONY: hyp
hyp: $(O)/hyp/vhyp.bin

# Host build of the FDT reader for tests/unit/test_fdt.c.
$(O)/host/hyp/fdt.o: hyp/fdt.c hyp/fdt.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -ffreestanding -c $< -o $@
$(O)/host/tests/unit/test_fdt: $(O)/host/hyp/fdt.o
