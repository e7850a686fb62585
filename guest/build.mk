# guest/: bare-metal guests (arm64 Images entered at EL1) and their library.
#
#   guest/include/guest/  headers: smccc.h kvm.h (library), rt.h; the FDT
#                         reader, printf, string functions and spinlock are
#                         the support library's (lib/, lib/include/lib/)
#   guest/lib/            portable library (also built for the host tests)
#   guest/lib/arch/       the HVC/SMC instructions (aarch64 only)
#   guest/rt/             runtime: Image header, start code, vectors, MMU,
#                         console, PSCI power-off, secondary CPUs
#   guest/<name>/main.c   one guest per directory (with its other *.c, *.S)
#                         -> $(O)/guest/<name>.bin
#
# A new guest needs only a directory with a main(): see docs/guest-library.md.
GUEST_CFLAGS := $(CROSS_CFLAGS) -Iguest/include
GUEST_LDS := guest/rt/guest.lds

GUESTLIB_SRCS := $(sort $(wildcard guest/lib/*.c))
GUEST_RT_SRCS := $(sort $(wildcard guest/lib/arch/*.c guest/rt/*.c guest/rt/*.S))
GUEST_RT_OBJS := $(patsubst %,$(O)/guest-obj/%.o,$(GUESTLIB_SRCS) $(GUEST_RT_SRCS)) \
	$(LIB_GUEST_OBJS)

$(O)/guest-obj/guest/%.c.o: guest/%.c
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@
$(O)/guest-obj/guest/%.S.o: guest/%.S
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(O)/aarch64/libguest.a: $(GUEST_RT_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@
	llvm-ar rcs $@ $^

# Every guest/<name>/ with a main.c (so a directory still being written,
# without its main yet, does not break the build).
GUEST_NAMES := $(patsubst guest/%/main.c,%,$(sort $(wildcard guest/*/main.c)))

define vhyp_guest
GUEST_$(1)_OBJS := $$(patsubst %,$$(O)/guest-obj/%.o,$$(sort $$(wildcard guest/$(1)/*.c guest/$(1)/*.S)))
$$(O)/guest/$(1).elf: $$(GUEST_$(1)_OBJS) $$(O)/aarch64/libguest.a $$(GUEST_LDS)
	@mkdir -p $$(dir $$@)
	$$(CROSS_LD) -T $$(GUEST_LDS) -o $$@ $$(GUEST_$(1)_OBJS) $$(O)/aarch64/libguest.a
$$(O)/guest/$(1).bin: $$(O)/guest/$(1).elf
	$$(CROSS_OBJCOPY) -O binary $$< $$@
ALL_TARGETS += $$(O)/guest/$(1).bin
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call vhyp_guest,$(g))))

-include $(GUEST_RT_OBJS:.o=.d) $(foreach g,$(GUEST_NAMES),$(GUEST_$(g)_OBJS:.o=.d))

.PHONY: guests
guests: $(foreach g,$(GUEST_NAMES),$(O)/guest/$(g).bin)

# Host build of the portable library for tests/unit/test_guestlib*.c.
GUESTLIB_HOST_OBJS := $(patsubst %.c,$(O)/host/%.o,$(GUESTLIB_SRCS))
$(O)/host/guest/lib/%.o: guest/lib/%.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -Iguest/include -ffreestanding -c $< -o $@
GUESTLIB_TESTS := $(patsubst tests/unit/%.c,$(O)/host/tests/unit/%,$(wildcard tests/unit/test_guestlib*.c))
$(GUESTLIB_TESTS): $(GUESTLIB_HOST_OBJS)
$(GUESTLIB_TESTS:=.o): HOST_CFLAGS += -Iguest/include
# The tests run the library against the real core: until its dispatcher and
# VM code exist, they cannot link, so they stay out of the build.
ifeq ($(wildcard core/smccc/*.c),)
UNIT_BINS := $(filter-out $(GUESTLIB_TESTS),$(UNIT_BINS))
TEST_SUITES := $(filter-out $(GUESTLIB_TESTS),$(TEST_SUITES))
endif
