# Benchmarks.  bench/host: callgrind instruction counts of the core on the
# host (the bench flavour of the top-level Makefile: -O2, no sanitizers).
BENCH_CORE_OBJS := $(patsubst %.c,$(O)/bench/%.o,$(CORE_SRCS))
BENCH_HOST_BIN := $(O)/bench/core_bench
$(O)/bench/core/%: OBJ_FLAGS = $(CORE_FLAGS)

$(BENCH_HOST_BIN): $(O)/bench/bench/host/core_bench.o \
		$(O)/bench/tests/unit/support/check_abort.o $(BENCH_CORE_OBJS)
	$(HOST_CC) $(BENCH_CFLAGS) $(filter %.o,$^) -o $@

ALL_TARGETS += $(BENCH_HOST_BIN)

.PHONY: bench bench-host
bench-host: $(BENCH_HOST_BIN)
	bench/host/run.sh $(BENCH_HOST_BIN)
bench: deps bench-host

# bench/guest: the hypercall benchmark guest (an arm64 Image on the guest
# library), run under vhyp, the floor hypervisor and Linux KVM by
# bench/run-all.sh.  bench/irq-guest: the interrupt benchmark guest
# (GICv3, 2 vCPUs), run by bench/irq.sh under vhyp and under the
# passthrough hypervisor of d144c1d.
$(O)/aarch64/bench/%: OBJ_FLAGS = $(GUEST_FLAGS)
BENCH_GUEST_OBJS := $(patsubst %,$(O)/aarch64/%.o,$(sort $(wildcard bench/guest/*.c bench/guest/*.S)))
BENCH_IRQ_OBJS := $(patsubst %,$(O)/aarch64/%.o,$(sort $(wildcard bench/irq-guest/*.c)))
BENCH_GUEST := $(O)/bench/hypercalls.bin
BENCH_IRQ_GUEST := $(O)/bench/irq.bin
$(O)/bench/hypercalls.elf: $(BENCH_GUEST_OBJS) $(GUEST_LIB) $(GUEST_LDS)
	$(guest_link)
$(O)/bench/irq.elf: $(BENCH_IRQ_OBJS) $(GUEST_LIB) $(GUEST_LDS)
	$(guest_link)
ALL_TARGETS += $(BENCH_GUEST) $(BENCH_IRQ_GUEST)

.PHONY: bench-guest bench-qemu bench-irq
bench-guest: $(BENCH_GUEST)
# The QEMU -icount table: vhyp, its floor, Linux KVM (docs/benchmarks.md).
# run-all.sh builds the guest, vhyp.bin and vhyp-floor.bin when missing.
bench-qemu:
	O=$(O) bench/run-all.sh
bench: bench-qemu
bench-irq:
	O=$(O) bench/irq.sh
bench: bench-irq

# The floor: vhyp with an empty HVC handler (hyp/arch/aarch64/vectors.S
# under VHYP_FLOOR_EMPTY_HVC), the least an HVC round trip can cost here.
HYP_FLOOR_VECTORS := $(O)/aarch64/floor/hyp/arch/aarch64/vectors.S.o
HYP_FLOOR_OBJS := $(filter-out %/vectors.S.o,$(HYP_OBJS)) $(HYP_FLOOR_VECTORS)
$(HYP_FLOOR_VECTORS): OBJ_FLAGS = $(INCLUDES) $(HYP_FLAGS) -DVHYP_FLOOR_EMPTY_HVC
$(HYP_FLOOR_VECTORS): hyp/arch/aarch64/vectors.S $(HYP_GEN)/asm-offsets.h
	$(cross_compile)
$(O)/hyp/vhyp-floor.elf: $(HYP_FLOOR_OBJS) $(HYP_CORE_LIB) $(HYP_LDS)
	$(hyp_link)

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
