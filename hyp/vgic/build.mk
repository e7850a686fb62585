# Host test of the moderated GIC (hyp/vgic/tests/test_vgic.c): the
# decoders and the MMIO dispatcher built for the host against a fake GIC
# in memory.  Included from hyp/build.mk.
HYP_VGIC_HOST_SRCS := hyp/vgic/tests/test_vgic.c $(sort $(wildcard hyp/vgic/*.c)) \
	hyp/devices/mmio.c hyp/console.c hyp/devices/tests/fake_hw.c
$(O)/host/hyp/test_vgic: $(patsubst %.c,$(O)/host/%.o,$(HYP_VGIC_HOST_SRCS)) \
		$(CORE_HOST_OBJS) $(LIB_HOST_OBJS) \
		$(O)/host/tests/unit/support/check_abort.o
	$(host_test_link)
ALL_TARGETS += $(O)/host/hyp/test_vgic
# UNIT_BINS is part of TEST_SUITES already (tests/unit/build.mk).
UNIT_BINS += $(O)/host/hyp/test_vgic
unit: $(O)/host/hyp/test_vgic
