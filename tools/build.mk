# tools/: the runner behind ./vhyp run (tools/vhyp-run.sh, bash + dtc/fdtput).
# Nothing to compile; `make runner-check` runs its self-test (argument
# handling and guest DTB generation, no hypervisor needed).
.PHONY: runner-check
runner-check:
	@tools/runner-selftest.sh
