# tools/: the runner behind ./vhyp run (tools/vhyp-run.sh: bash, cpp, dtc,
# fdtput, QEMU) and its console filter (tools/vhyp-console.c, a host
# program: `make run` builds it).  tools/runner-selftest.sh (TAP) checks
# the runner's argument handling, command line, guest DTB, exit statuses and
# signals, and boots the demo and rt-selftest guests once the hypervisor is
# built; tools/tests/console-filter.sh (TAP) checks the filter on crafted
# streams.  `make test` runs both.
TOOLS_CFLAGS := -std=c11 -O2 -g $(WARNINGS) $(INCLUDES) $(DEPFLAGS)
RUN_TOOLS := $(O)/tools/vhyp-console
$(O)/tools/vhyp-console: tools/vhyp-console.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TOOLS_CFLAGS) $< -o $@
# The filter again with the sanitizers, and the test's line maker.
$(O)/host/tools/vhyp-console: tools/vhyp-console.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) $< -o $@
$(O)/host/tools/mark-line: tools/tests/mark-line.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) $< -o $@
ALL_TARGETS += $(RUN_TOOLS) $(O)/host/tools/vhyp-console $(O)/host/tools/mark-line

TEST_SUITES += tools/tests/console-filter.sh tools/runner-selftest.sh
.PHONY: runner-check
runner-check: $(RUN_TOOLS) $(O)/host/tools/vhyp-console $(O)/host/tools/mark-line \
		$(filter $(O)/guest/% $(O)/hyp/vhyp.bin,$(ALL_TARGETS)) $(O)/tools/vhyp-features
	@scripts/run-tests.sh tools/tests/console-filter.sh tools/runner-selftest.sh

# tools/features.c: the runner's --features check, on the core's parser
# (one grammar for the runner and vhyp.features=).  A plain host program
# (no sanitizers: it runs on every `./vhyp run --features`), built from the
# core sources in one compiler call.
VHYP_FEATURES := $(O)/tools/vhyp-features
$(VHYP_FEATURES): tools/features.c tests/unit/support/check_abort.c $(CORE_SRCS) $(wildcard core/include/core/*.h include/vhyp/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) -std=c11 -O1 $(WARNINGS) $(INCLUDES) -ffreestanding -o $@ \
		tools/features.c tests/unit/support/check_abort.c $(CORE_SRCS)
ALL_TARGETS += $(VHYP_FEATURES)
