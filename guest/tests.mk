# guest/tests.mk: the QEMU integration guests (guest/conformance,
# guest/smp, guest/hostile) share the helpers in guest/conformance/common/
# (TAP output, raw SMCCC calls with every register controlled, expected
# exceptions, command line, PRNG).  guest/build.mk already turns each of
# those directories into $(O)/guest/<name>.bin; this fragment only adds the
# shared objects to their link.  Included from the top-level Makefile
# after guest/build.mk.
GUEST_TEST_NAMES := $(filter conformance smp hostile,$(GUEST_NAMES))
GUEST_TESTCOMMON_SRCS := $(sort $(wildcard guest/conformance/common/*.c \
	guest/conformance/common/*.S))
GUEST_TESTCOMMON_OBJS := $(patsubst %,$(O)/aarch64/%.o,$(GUEST_TESTCOMMON_SRCS))

# The link recipe (guest_link) links every object among the prerequisites.
$(foreach g,$(GUEST_TEST_NAMES),$(eval $(O)/guest/$(g).elf: $(GUEST_TESTCOMMON_OBJS)))

.PHONY: test-guests
test-guests: $(foreach g,$(GUEST_TEST_NAMES),$(O)/guest/$(g).bin)
