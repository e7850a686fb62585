# core/: portable, freestanding C.  Built for the host (unit tests,
# fuzzer, callgrind bench: see their fragments) and for aarch64 bare
# metal with the hypervisor's code model (libcore.a, linked into it).
CORE_SRCS := $(sort $(wildcard core/*/*.c))
CORE_FLAGS := $(CORE_WARNINGS) -ffreestanding

# Host objects (with sanitizers) for the unit tests.
CORE_HOST_OBJS := $(patsubst %.c,$(O)/host/%.o,$(CORE_SRCS))
$(O)/host/core/%: OBJ_FLAGS = $(CORE_FLAGS)

# aarch64 objects: what the hypervisor links.
CORE_CROSS_OBJS := $(patsubst %,$(O)/aarch64/%.o,$(CORE_SRCS))
$(O)/aarch64/core/%: OBJ_FLAGS = $(INCLUDES) $(CORE_WARNINGS) $(HYP_CODE_MODEL)
$(O)/aarch64/libcore.a: $(CORE_CROSS_OBJS)
	$(cross_archive)

ALL_TARGETS += $(O)/aarch64/libcore.a
