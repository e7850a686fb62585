# tests/qemu/attack/: the hostile-guest suite, one suite script per attack
# class (tests/qemu/attack/<class>.sh), each booting its guest from
# guest/attack-<class>/ under vhyp for normal and protected VMs, GICv3 and
# GICv2.  lib.sh holds what the scripts share.  docs/security.md maps each
# attack class to its script.
ATTACK_SUITES := $(sort $(filter-out tests/qemu/attack/lib.sh,$(wildcard tests/qemu/attack/*.sh)))
TEST_SUITES += $(ATTACK_SUITES)

.PHONY: attack-tests
attack-tests: all
	@scripts/run-tests.sh $(ATTACK_SUITES)
