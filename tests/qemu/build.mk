# tests/qemu/: the QEMU integration suite (run-suite.sh): the guests of
# guest/conformance, guest/smp and guest/hostile under vhyp, each in a
# fresh QEMU, for GICv3 and GICv2.  docs/testing.md describes it.
# (tests/qemu/hyp-smoke/ is the hypervisor's own bring-up suite, wired in
# hyp/build.mk.)
TEST_SUITES += tests/qemu/run-suite.sh

.PHONY: qemu-tests
# `make qemu-tests` builds what the suite boots and runs it alone
# (QEMU_TEST_ARGS='--gic 3 --only hostile' narrows it).
qemu-tests: $(O)/hyp/vhyp.bin $(foreach g,conformance smp hostile,$(O)/guest/$(g).bin)
	@QEMU_SUITE_ARGS='$(QEMU_TEST_ARGS)' scripts/run-tests.sh tests/qemu/run-suite.sh

# The runner's console (tests/qemu/console/run.sh): piped input into a
# shell of a normal and a protected VM, --stdin-eof, the guest-panic status.
ifneq ($(wildcard tests/qemu/console/run.sh),)
TEST_SUITES += tests/qemu/console/run.sh
.PHONY: console-test
console-test: all
	@scripts/run-tests.sh tests/qemu/console/run.sh
endif
