# Host test of the moderated GIC (hyp/vgic/tests/test_vgic.c): the
# decoders and the MMIO dispatcher built for the host against a fake GIC
# in memory.  Included from hyp/build.mk.
HYP_VGIC_HOST_SRCS := $(sort $(wildcard hyp/vgic/*.c)) hyp/devices/mmio.c \
	hyp/console.c
HYP_VGIC_HOST_OBJS := $(patsubst %.c,$(O)/host/hyp-vgic/%.o,$(HYP_VGIC_HOST_SRCS))
$(O)/host/hyp-vgic/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -Ihyp -Ihyp/arch/aarch64 -Ihyp/devices/tests \
		-c $< -o $@
$(O)/host/hyp/test_vgic: $(O)/host/hyp-vgic/hyp/vgic/tests/test_vgic.o \
		$(O)/host/hyp-vgic/hyp/devices/tests/fake_hw.o \
		$(HYP_VGIC_HOST_OBJS) $(CORE_HOST_OBJS) $(LIB_HOST_OBJS) \
		$(O)/host/tests/unit/support/check_abort.o
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_LDFLAGS) $^ -lcmocka -o $@
ALL_TARGETS += $(O)/host/hyp/test_vgic
# UNIT_BINS is part of TEST_SUITES already (tests/unit/build.mk).
UNIT_BINS += $(O)/host/hyp/test_vgic
unit: $(O)/host/hyp/test_vgic
