# Upstream Linux as a protected guest (tests/pkvm-linux/run-test.sh): a
# small kernel built from Debian's linux-source with CONFIG_ARM_PKVM_GUEST
# (tests/pkvm-linux/kernel.sh, cached by source version and config hash
# outside the tree), booted with --protected --smp 2 --disk, console on
# vhyp's virtio-console.  The kernel build takes minutes, so nothing here
# joins `make all`.
.PHONY: pkvm-linux-test pkvm-linux-kernel
# The test alone (needs `make all` first for the hypervisor).
pkvm-linux-test:
	@scripts/run-tests.sh tests/pkvm-linux/run-test.sh
# Only fetch and build (or find in the cache) the guest kernel.
pkvm-linux-kernel:
	@tests/pkvm-linux/kernel.sh
