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
GUEST_FLAGS := $(INCLUDES) -Iguest/include
GUEST_LDS := guest/rt/guest.lds
$(O)/aarch64/guest/%: OBJ_FLAGS = $(GUEST_FLAGS)

GUESTLIB_SRCS := $(sort $(wildcard guest/lib/*.c))
GUEST_RT_SRCS := $(sort $(wildcard guest/lib/arch/*.c guest/rt/*.c guest/rt/*.S))
GUEST_RT_OBJS := $(patsubst %,$(O)/aarch64/%.o,$(GUESTLIB_SRCS) $(GUEST_RT_SRCS)) \
	$(LIB_GUEST_OBJS)
GUEST_LIB := $(O)/aarch64/libguest.a
$(GUEST_LIB): $(GUEST_RT_OBJS)
	$(cross_archive)

# Every guest/<name>/ with a main.c.
GUEST_NAMES := $(patsubst guest/%/main.c,%,$(sort $(wildcard guest/*/main.c)))

define vhyp_guest
GUEST_$(1)_OBJS := $$(patsubst %,$$(O)/aarch64/%.o,$$(sort $$(wildcard guest/$(1)/*.c guest/$(1)/*.S)))
$$(O)/guest/$(1).elf: $$(GUEST_$(1)_OBJS) $$(GUEST_LIB) $$(GUEST_LDS)
	$$(guest_link)
ALL_TARGETS += $$(O)/guest/$(1).bin
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call vhyp_guest,$(g))))

.PHONY: guests
guests: $(foreach g,$(GUEST_NAMES),$(O)/guest/$(g).bin)

# Host build of the portable library for tests/unit/test_guestlib*.c.
GUESTLIB_HOST_OBJS := $(patsubst %.c,$(O)/host/%.o,$(GUESTLIB_SRCS))
$(O)/host/guest/%: OBJ_FLAGS = -Iguest/include -ffreestanding
GUESTLIB_TESTS := $(patsubst tests/unit/%.c,$(O)/host/tests/unit/%,$(wildcard tests/unit/test_guestlib*.c))
$(GUESTLIB_TESTS): $(GUESTLIB_HOST_OBJS)
