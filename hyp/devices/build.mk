# Host test of the host side (hyp/devices/tests/test_devices.c): the device
# models, the MMIO dispatch and the accessor built for the host and run on
# the real core (tests/unit/support fake platform); only the EL2 mapping,
# its fault fixup and the UART are faked.  Included from hyp/build.mk.
HYP_DEV_HOST_SRCS := $(sort $(wildcard hyp/devices/*.c)) hyp/console.c
HYP_DEV_HOST_OBJS := $(patsubst %.c,$(O)/host/hyp-dev/%.o,$(HYP_DEV_HOST_SRCS))
$(O)/host/hyp-dev/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -Ihyp -Ihyp/arch/aarch64 -Itests/unit/support \
		-c $< -o $@
ifneq ($(wildcard tests/unit/support/fake_platform.c),)
$(O)/host/hyp/test_devices: $(O)/host/hyp-dev/hyp/devices/tests/test_devices.o \
		$(O)/host/hyp-dev/hyp/devices/tests/fake_hw.o \
		$(HYP_DEV_HOST_OBJS) $(UNIT_SUPPORT_OBJS) $(CORE_HOST_OBJS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_LDFLAGS) $^ -lcmocka -o $@
ALL_TARGETS += $(O)/host/hyp/test_devices
# UNIT_BINS is part of TEST_SUITES already (tests/unit/build.mk).
UNIT_BINS += $(O)/host/hyp/test_devices
unit: $(O)/host/hyp/test_devices
# The virtio devices (hyp/devices/tests/test_virtio.c), same fakes.
ifneq ($(wildcard hyp/devices/tests/test_virtio.c),)
$(O)/host/hyp/test_virtio: $(O)/host/hyp-dev/hyp/devices/tests/test_virtio.o \
		$(O)/host/hyp-dev/hyp/devices/tests/fake_hw.o \
		$(HYP_DEV_HOST_OBJS) $(UNIT_SUPPORT_OBJS) $(CORE_HOST_OBJS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_LDFLAGS) $^ -lcmocka -o $@
ALL_TARGETS += $(O)/host/hyp/test_virtio
UNIT_BINS += $(O)/host/hyp/test_virtio
unit: $(O)/host/hyp/test_virtio
endif
endif
