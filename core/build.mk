# core/: portable, freestanding C.  Built twice: for the host (tests, fuzzer,
# callgrind bench) and for aarch64 bare metal (linked into the hypervisor).
CORE_SRCS := $(sort $(wildcard core/*/*.c))

# Host objects (with sanitizers) for the unit tests.
CORE_HOST_OBJS := $(patsubst %.c,$(O)/host/%.o,$(CORE_SRCS))
$(O)/host/core/%.o: core/%.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(CORE_WARNINGS) -ffreestanding -c $< -o $@

# aarch64 objects: what the hypervisor links.
CORE_CROSS_OBJS := $(patsubst %.c,$(O)/aarch64/%.o,$(CORE_SRCS))
$(O)/aarch64/core/%.o: core/%.c
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(CROSS_CFLAGS) $(CORE_WARNINGS) -c $< -o $@
$(O)/aarch64/libcore.a: $(CORE_CROSS_OBJS)
	@rm -f $@
	llvm-ar rcs $@ $^

ALL_TARGETS += $(O)/aarch64/libcore.a
