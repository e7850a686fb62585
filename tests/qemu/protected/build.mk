# tests/qemu/protected: the protected-VM suite (isolation, race, emulated
# console) in `make test`, once the hypervisor's device models and both
# guests exist.  `make protected-test` runs it alone.
ifneq ($(and $(wildcard hyp/devices/isolation_probe.c),$(wildcard guest/isolation/main.c),$(wildcard guest/race/main.c)),)
TEST_SUITES += tests/qemu/protected/run.sh
endif
.PHONY: protected-test
protected-test: $(O)/hyp/vhyp.bin $(O)/guest/isolation.bin $(O)/guest/race.bin $(O)/guest/demo.bin
	@scripts/run-tests.sh tests/qemu/protected/run.sh
