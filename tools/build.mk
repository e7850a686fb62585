# tools/: the runner behind ./vhyp run (tools/vhyp-run.sh: bash, cpp, dtc,
# fdtput, QEMU).  Nothing to compile.  tools/runner-selftest.sh (TAP) checks
# its argument handling, command line and guest DTB, and boots the demo and
# rt-selftest guests once the hypervisor is built; `make test` runs it.
TEST_SUITES += tools/runner-selftest.sh
.PHONY: runner-check
runner-check: $(filter $(O)/guest/% $(O)/hyp/vhyp.bin,$(ALL_TARGETS))
	@scripts/run-tests.sh tools/runner-selftest.sh
