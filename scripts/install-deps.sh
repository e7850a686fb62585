#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what a vhyp command needs from Debian's archive:
#
#	scripts/install-deps.sh run     `make run`: build the hypervisor and the
#	                                demo guest, boot them in QEMU
#	scripts/install-deps.sh test    `make test`: the above plus the unit,
#	                                lint, Linux-guest and benchmark tools
#	scripts/install-deps.sh kernel-build  `make pkvm-linux-test`: the
#	                                test set plus flex, bison, bc
#	scripts/install-deps.sh --list SET   print the packages of SET
#
# Idempotent: when every package is there it only runs dpkg-query.  Only
# packages of the machine's own architecture, with --no-remove: nothing the
# host has is replaced or removed, and no foreign architecture is added.
# The arm64 userland the Linux tests put in their initramfs (busybox) is
# not installed at all: tests/linux/busybox.sh fetches Debian's
# busybox-static:arm64 into the project's cache (a private apt state,
# tests/linux/lib.sh), where it cannot replace the host's /bin/busybox.
#
# A dpkg or apt lock held by another package manager (unattended-upgrades,
# a second `make`) is waited for, with a message, not an error.
set -euo pipefail

# `make run`: the cross build (clang, ld.lld, llvm-objcopy/llvm-ar) and the
# runner (QEMU; dtc, fdtput, fdtget).  Everything else the runner uses (cpp
# or clang -E, od, gzip, timeout, sha256sum, stat) is in the above or in
# Debian's essential set.
RUN_PKGS=(
	make clang lld llvm
	qemu-system-arm       # qemu-system-aarch64
	device-tree-compiler  # dtc, fdtput, fdtget
)
# `make test` (and `make bench`, which the test set covers), on top of RUN_PKGS.
TEST_PKGS=(
	git                        # make format-check lists the sources with git
	libcmocka-dev              # host unit tests
	libclang-rt-14-dev         # ASan/UBSan/libFuzzer runtimes for clang 14
	clang-tidy cppcheck clang-format   # make lint (a test suite)
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross  # static arm64 test programs
	cpio xz-utils zstd         # initramfs images, kernel modules
	debian-archive-keyring     # the private arm64 apt of tests/linux
	procps                     # pgrep/pkill: the runner self-test checks no QEMU is left
	valgrind                   # bench: callgrind instruction counts
	gnuplot-nox                # bench: docs/bench/hypercalls.png
)

# `make pkvm-linux-test` builds a kernel from linux-source.
KERNEL_BUILD_PKGS=(flex bison bc)

usage() {
	echo "usage: scripts/install-deps.sh run|test|kernel-build  |  --list SET" >&2
	exit 2
}

packages() {
	case $1 in
	run) echo "${RUN_PKGS[@]}" ;;
	test) echo "${RUN_PKGS[@]}" "${TEST_PKGS[@]}" ;;
	kernel-build) echo "${RUN_PKGS[@]}" "${TEST_PKGS[@]}" "${KERNEL_BUILD_PKGS[@]}" ;;
	*) usage ;;
	esac
}

say() { echo "vhyp deps: $*" >&2; }

# The locks dpkg and apt take (fcntl locks: visible in /proc/locks by
# inode, whoever holds them).
APT_LOCKS=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock
	/var/lib/apt/lists/lock /var/cache/apt/archives/lock)
# Prints the pid holding one of the locks, if any.
lock_holder() {
	local f ino pid
	for f in "${APT_LOCKS[@]}"; do
		[ -e "$f" ] || continue
		ino=$(stat -c %i "$f")
		pid=$(awk -v ino="$ino" '{ n = split($6, a, ":"); if (a[n] == ino) { print $5; exit } }' \
			/proc/locks 2>/dev/null)
		[ -n "$pid" ] && [ "$pid" != "$$" ] && { echo "$pid"; return 0; }
	done
	return 1
}
# Waits (up to VHYP_LOCK_WAIT seconds, default 30 minutes) while another
# package manager holds a lock, saying so once a minute.
wait_for_locks() {
	local pid waited=0 limit=${VHYP_LOCK_WAIT:-1800}
	while pid=$(lock_holder); do
		if [ $((waited % 60)) -eq 0 ]; then
			say "waiting for the dpkg/apt lock held by pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null || echo '?'))..."
		fi
		[ "$waited" -lt "$limit" ] || {
			say "error: the dpkg/apt lock is still held after ${limit}s"
			exit 1
		}
		sleep 2
		waited=$((waited + 2))
	done
}

main() {
	[ $# -ge 1 ] || usage
	if [ "$1" = --list ]; then
		[ $# -eq 2 ] || usage
		packages "$2" | tr ' ' '\n'
		return 0
	fi
	[ $# -eq 1 ] || usage
	local pkgs missing=() p sudo=()
	read -r -a pkgs <<<"$(packages "$1")"
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0

	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	say "installing ${missing[*]} (for make $1)"
	wait_for_locks
	"${sudo[@]}" apt-get update -q >/dev/null
	wait_for_locks
	# Lock::Timeout covers the moment between our check and apt's own.
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends --no-remove -o DPkg::Lock::Timeout=600 \
		"${missing[@]}" >/dev/null
}

main "$@"
