# libFuzzer target on the dispatcher.  Core is rebuilt with coverage
# instrumentation (-fsanitize=fuzzer-no-link) plus ASan and UBSan.
FUZZ_CFLAGS := -std=c11 -g -O1 $(WARNINGS) $(INCLUDES) $(DEPFLAGS) \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_CORE_OBJS := $(patsubst %.c,$(O)/fuzz/%.o,$(CORE_SRCS))
FUZZ_BIN := $(O)/fuzz/fuzz_dispatch
FUZZ_SECONDS ?= 600

$(O)/fuzz/core/%.o: core/%.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(FUZZ_CFLAGS) $(CORE_WARNINGS) -ffreestanding -c $< -o $@

$(FUZZ_BIN): tests/fuzz/fuzz_dispatch.c tests/unit/support/check_abort.c \
		$(FUZZ_CORE_OBJS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(filter %.c %.o,$^) -o $@

ALL_TARGETS += $(FUZZ_BIN)
# CI runs the fuzzer briefly as one test (tests/fuzz/run.sh prints TAP).
TEST_SUITES += tests/fuzz/smoke.sh

.PHONY: fuzz
fuzz: $(FUZZ_BIN)
	tests/fuzz/run.sh $(FUZZ_SECONDS)
