# Stock Debian arm64 kernels under vhyp (tests/linux/run-test.sh).  The
# kernel is fetched from Debian's archive and cached outside the tree; the
# initramfs is built under $(O)/linux by the scripts themselves, so nothing
# here joins `make all`.
TEST_SUITES += tests/linux/run-test.sh

.PHONY: linux-test linux-direct linux-bench
# The stock-Linux test alone (needs `make all` first for the hypervisor).
linux-test:
	@scripts/run-tests.sh tests/linux/run-test.sh
# The same kernel and initramfs booted directly at EL1, without vhyp.
linux-direct:
	@tests/linux/run-test.sh --direct
# Boot time under vhyp against a direct boot.
linux-bench:
	@tests/linux/boot-bench.sh
