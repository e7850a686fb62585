# Host tests of the host side (hyp/devices/tests/test_devices.c and
# test_virtio.c): the device models, the MMIO dispatch and the accessor
# built for the host and run on the real core (tests/unit/support fake
# platform); only the EL2 mapping, its fault fixup and the UART are faked
# (fake_hw.c).  Included from hyp/build.mk.
HYP_DEV_HOST_SRCS := $(sort $(wildcard hyp/devices/*.c)) hyp/console.c \
	hyp/devices/tests/fake_hw.c
HYP_DEV_HOST_OBJS := $(patsubst %.c,$(O)/host/%.o,$(HYP_DEV_HOST_SRCS)) \
	$(UNIT_SUPPORT_OBJS) $(CORE_HOST_OBJS) $(LIB_HOST_OBJS)
HYP_DEV_TESTS := $(O)/host/hyp/test_devices $(O)/host/hyp/test_virtio
$(HYP_DEV_TESTS): $(O)/host/hyp/test_%: $(O)/host/hyp/devices/tests/test_%.o \
		$(HYP_DEV_HOST_OBJS)
	$(host_test_link)
ALL_TARGETS += $(HYP_DEV_TESTS)
# UNIT_BINS is part of TEST_SUITES already (tests/unit/build.mk).
UNIT_BINS += $(HYP_DEV_TESTS)
unit: $(HYP_DEV_TESTS)

# The device-model rule (docs/protected-vms.md; hyp/devices/model.h).  Every
# C file of hyp/devices/ not listed as trusted here is a device model: it is
# compiled without any project include path (only model.h, virtio.h,
# include/vhyp/board.h, include/vhyp/virtio_mmio.h and the compiler's
# headers are visible), and scripts/check-device-models.sh checks
# on every build that the models read no other header, leave undefined only
# the symbols of hyp/devices/model-symbols.allow after a partial link, hold
# no system instruction and (with clang-tidy) no integer-to-pointer cast.
# The hypervisor does not link if they do not.
HYP_DEV_TRUSTED := hyp/devices/host_access.c hyp/devices/isolation_probe.c \
	hyp/devices/mmio.c hyp/devices/model_glue.c hyp/devices/qemu_disk.c \
	hyp/devices/setup.c
HYP_DEV_MODELS := $(filter-out $(HYP_DEV_TRUSTED),$(sort $(wildcard hyp/devices/*.c)))
HYP_MODEL_CFLAGS := $(filter-out -I%,$(HYP_CFLAGS))
$(patsubst %,$(O)/aarch64/%.o,$(HYP_DEV_MODELS)): OBJ_FLAGS = $(HYP_CODE_MODEL)
DEVICE_MODEL_CHECK = CC="$(CROSS_CC)" LD="$(CROSS_LD)" \
	MODEL_CFLAGS="$(filter-out $(DEPFLAGS),$(HYP_MODEL_CFLAGS))" \
	scripts/check-device-models.sh
$(O)/hyp/device-models.ok: $(HYP_DEV_MODELS) hyp/devices/model.h \
		hyp/devices/virtio.h include/vhyp/board.h include/vhyp/virtio_mmio.h \
		hyp/devices/model-symbols.allow \
		scripts/check-device-models.sh
	@mkdir -p $(dir $@)
	$(DEVICE_MODEL_CHECK) $(O)/hyp/device-models $(HYP_DEV_MODELS)
	@{ printf 'CC=%q\n' "$(CROSS_CC)"; printf 'LD=%q\n' "$(CROSS_LD)"; \
	  printf 'MODEL_CFLAGS=%q\n' "$(filter-out $(DEPFLAGS),$(HYP_MODEL_CFLAGS))"; \
	  printf 'MODELS=%q\n' "$(HYP_DEV_MODELS)"; } >$(O)/hyp/device-models.env
	@touch $@
$(O)/hyp/vhyp.elf: $(O)/hyp/device-models.ok
# The negative test: fixture models that try to reach guest memory or the
# grant operation another way must fail the same check.
TEST_SUITES += hyp/devices/tests/model-rule.sh
.PHONY: model-rule-test
model-rule-test:
	@scripts/run-tests.sh hyp/devices/tests/model-rule.sh
# vhyp's disks (QEMU virtio-blk devices only EL2 reaches): persistence,
# ,ro, ,snapshot, several disks, bad --disk arguments.
TEST_SUITES += tests/qemu/disks/run.sh
.PHONY: disks-test
disks-test: all
	@scripts/run-tests.sh tests/qemu/disks/run.sh
