# Benchmarks.  bench/host: callgrind instruction counts of the core on the
# host (DWARF 4: valgrind 3.19 cannot read clang 14's default DWARF 5),
# host, -O2 without sanitizers (what the hypervisor runs is -O2 too).
BENCH_CFLAGS := -std=c11 -O2 -gdwarf-4 $(WARNINGS) $(INCLUDES)
BENCH_CORE_OBJS := $(patsubst %.c,$(O)/bench/%.o,$(CORE_SRCS))
BENCH_HOST_BIN := $(O)/bench/core_bench

$(O)/bench/core/%.o: core/%.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(BENCH_CFLAGS) $(CORE_WARNINGS) -ffreestanding -c $< -o $@

$(BENCH_HOST_BIN): bench/host/core_bench.c $(BENCH_CORE_OBJS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(BENCH_CFLAGS) $^ -o $@

ALL_TARGETS += $(BENCH_HOST_BIN)

.PHONY: bench bench-host
bench-host: $(BENCH_HOST_BIN)
	bench/host/run.sh $(BENCH_HOST_BIN)
bench: deps bench-host
