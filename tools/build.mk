# tools/: the runner behind ./vhyp run (tools/vhyp-run.sh: bash, cpp, dtc,
# fdtput, QEMU).  Nothing to compile.  tools/runner-selftest.sh (TAP) checks
# its argument handling, command line and guest DTB, and boots the demo and
# rt-selftest guests once the hypervisor is built; `make test` runs it.
TEST_SUITES += tools/runner-selftest.sh
.PHONY: runner-check
runner-check: $(filter $(O)/guest/% $(O)/hyp/vhyp.bin,$(ALL_TARGETS)) $(O)/tools/vhyp-features
	@scripts/run-tests.sh tools/runner-selftest.sh

# tools/features.c: the runner's --features check, on the core's parser
# (one grammar for the runner and vhyp.features=).  A plain host program
# (no sanitizers: it runs on every `./vhyp run --features`), built from the
# core sources in one compiler call.
VHYP_FEATURES := $(O)/tools/vhyp-features
$(VHYP_FEATURES): tools/features.c $(CORE_SRCS) $(wildcard core/include/core/*.h include/vhyp/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) -std=c11 -O1 $(WARNINGS) $(INCLUDES) -ffreestanding -o $@ \
		tools/features.c $(CORE_SRCS)
ALL_TARGETS += $(VHYP_FEATURES)
