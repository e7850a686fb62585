# Benchmarks.  bench/host: callgrind instruction counts of the core on the
# host (DWARF 4: valgrind 3.19 cannot read clang 14's default DWARF 5),
# host, -O2 without sanitizers (what the hypervisor runs is -O2 too).
BENCH_CFLAGS := -std=c11 -O2 -gdwarf-4 $(WARNINGS) $(INCLUDES) $(DEPFLAGS)
BENCH_CORE_OBJS := $(patsubst %.c,$(O)/bench/%.o,$(CORE_SRCS))
BENCH_HOST_BIN := $(O)/bench/core_bench

$(O)/bench/core/%.o: core/%.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(BENCH_CFLAGS) $(CORE_WARNINGS) -ffreestanding -c $< -o $@

$(BENCH_HOST_BIN): bench/host/core_bench.c $(BENCH_CORE_OBJS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(BENCH_CFLAGS) $(filter %.c %.o,$^) -o $@

ALL_TARGETS += $(BENCH_HOST_BIN)

.PHONY: bench bench-host
bench-host: $(BENCH_HOST_BIN)
	bench/host/run.sh $(BENCH_HOST_BIN)
bench: deps bench-host

# bench/guest: the hypercall benchmark guest (an arm64 Image on the guest
# library), run under vhyp, the floor hypervisor and Linux KVM by
# bench/run-all.sh.
BENCH_GUEST_SRCS := $(sort $(wildcard bench/guest/*.c bench/guest/*.S))
BENCH_GUEST_OBJS := $(patsubst %,$(O)/bench-guest-obj/%.o,$(BENCH_GUEST_SRCS))
BENCH_GUEST := $(O)/bench/hypercalls.bin

$(O)/bench-guest-obj/bench/guest/%.o: bench/guest/%
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@
-include $(BENCH_GUEST_OBJS:.o=.d)

$(O)/bench/hypercalls.elf: $(BENCH_GUEST_OBJS) $(O)/aarch64/libguest.a $(GUEST_LDS)
	@mkdir -p $(dir $@)
	$(CROSS_LD) -T $(GUEST_LDS) -o $@ $(BENCH_GUEST_OBJS) $(O)/aarch64/libguest.a
$(BENCH_GUEST): $(O)/bench/hypercalls.elf
	$(CROSS_OBJCOPY) -O binary $< $@
ALL_TARGETS += $(BENCH_GUEST)

.PHONY: bench-guest bench-qemu
bench-guest: $(BENCH_GUEST)
# The QEMU -icount table: vhyp, its floor, Linux KVM (docs/benchmarks.md).
# run-all.sh builds the guest, vhyp.bin and vhyp-floor.bin when missing.
bench-qemu:
	O=$(O) bench/run-all.sh
bench: bench-qemu

# The floor: vhyp with an empty HVC handler (hyp/arch/aarch64/vectors.S
# under VHYP_FLOOR_EMPTY_HVC), the least an HVC round trip can cost here.
HYP_FLOOR_VECTORS := $(O)/hyp-obj/floor/vectors.o
HYP_FLOOR_OBJS := $(filter-out %/vectors.o,$(HYP_OBJS)) $(HYP_FLOOR_VECTORS)
$(HYP_FLOOR_VECTORS): hyp/arch/aarch64/vectors.S
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(HYP_CFLAGS) -DVHYP_FLOOR_EMPTY_HVC -MMD -MP -c $< -o $@
-include $(HYP_FLOOR_VECTORS:.o=.d)
$(O)/hyp/vhyp-floor.elf: $(HYP_FLOOR_OBJS) $(HYP_CORE_LIB) $(HYP_LDS)
	@mkdir -p $(dir $@)
	$(CROSS_LD) -pie --no-dynamic-linker -z norelro -z notext --no-undefined \
		-T $(HYP_LDS) -o $@ $(HYP_FLOOR_OBJS) $(HYP_CORE_LIB)
$(O)/hyp/vhyp-floor.bin: $(O)/hyp/vhyp-floor.elf
	$(CROSS_OBJCOPY) -O binary $< $@

# bench/irq-guest: the interrupt benchmark guest (GICv3, 2 vCPUs), run by
# bench/irq.sh under vhyp and under the passthrough hypervisor of d144c1d.
BENCH_IRQ_SRCS := $(sort $(wildcard bench/irq-guest/*.c))
BENCH_IRQ_OBJS := $(patsubst %,$(O)/bench-guest-obj/%.o,$(BENCH_IRQ_SRCS))
BENCH_IRQ_GUEST := $(O)/bench/irq.bin
$(O)/bench-guest-obj/bench/irq-guest/%.o: bench/irq-guest/%
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@
-include $(BENCH_IRQ_OBJS:.o=.d)
$(O)/bench/irq.elf: $(BENCH_IRQ_OBJS) $(O)/aarch64/libguest.a $(GUEST_LDS)
	@mkdir -p $(dir $@)
	$(CROSS_LD) -T $(GUEST_LDS) -o $@ $(BENCH_IRQ_OBJS) $(O)/aarch64/libguest.a
$(BENCH_IRQ_GUEST): $(O)/bench/irq.elf
	$(CROSS_OBJCOPY) -O binary $< $@
ALL_TARGETS += $(BENCH_IRQ_GUEST)
.PHONY: bench-irq
bench-irq:
	O=$(O) bench/irq.sh
bench: bench-irq

# Disk throughput (wall clock: dd of 256 MiB, normal and protected VM
# against the same kernels at EL1 with QEMU's virtio-blk) and the
# regression checks against d144c1d (hypercall cost within 5%, Debian boot
# ratio); docs/benchmarks.md.
.PHONY: bench-disk bench-regress
bench-disk:
	O=$(O) bench/disk.sh
bench-regress:
	O=$(O) bench/regress.sh
bench: bench-disk bench-regress
