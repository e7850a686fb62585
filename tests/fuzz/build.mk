# libFuzzer target on the dispatcher.  Core is rebuilt with coverage
# instrumentation (-fsanitize=fuzzer-no-link) plus ASan and UBSan
# (FUZZ_CFLAGS, the fuzz flavour of the top-level Makefile).
FUZZ_CORE_OBJS := $(patsubst %.c,$(O)/fuzz/%.o,$(CORE_SRCS))
FUZZ_BIN := $(O)/fuzz/fuzz_dispatch
FUZZ_SECONDS ?= 600
$(O)/fuzz/core/%: OBJ_FLAGS = $(CORE_FLAGS)

$(FUZZ_BIN): $(O)/fuzz/tests/fuzz/fuzz_dispatch.o \
		$(O)/fuzz/tests/unit/support/check_abort.o $(FUZZ_CORE_OBJS)
	$(HOST_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(filter %.o,$^) -o $@

ALL_TARGETS += $(FUZZ_BIN)
# CI runs the fuzzer briefly as one test (tests/fuzz/run.sh prints TAP).
TEST_SUITES += tests/fuzz/smoke.sh

.PHONY: fuzz
fuzz: $(FUZZ_BIN)
	tests/fuzz/run.sh $(FUZZ_SECONDS)
