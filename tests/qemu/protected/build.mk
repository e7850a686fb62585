# tests/qemu/protected: the protected-VM suite (isolation, race, emulated
# console) in `make test`.  `make protected-test` runs it alone.
TEST_SUITES += tests/qemu/protected/run.sh
.PHONY: protected-test
protected-test: $(O)/hyp/vhyp.bin $(O)/guest/isolation.bin $(O)/guest/race.bin $(O)/guest/demo.bin
	@scripts/run-tests.sh tests/qemu/protected/run.sh
