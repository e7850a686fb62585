#!/usr/bin/env bash
# Installs everything vhyp needs from Debian's archive.  Idempotent: when all
# packages are present it only runs dpkg-query and returns.
set -euo pipefail

# Host packages (amd64 or whatever the build machine is).
PKGS=(
	make clang lld llvm gcc
	qemu-system-arm            # qemu-system-aarch64
	device-tree-compiler       # dtc, fdtput, fdtget
	libcmocka-dev              # host unit tests
	libclang-rt-14-dev         # ASan/UBSan/libFuzzer runtimes for clang 14
	valgrind                   # callgrind instruction counts (bench)
	clang-tidy cppcheck clang-format
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross  # static arm64 test programs
	cpio gzip xz-utils
	gnuplot-nox                # bench: docs/bench/hypercalls.png
)
# arm64 packages (need the foreign architecture).
ARM64_PKGS=(busybox-static:arm64)

missing=()
for p in "${PKGS[@]}" "${ARM64_PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "vhyp: installing ${missing[*]}" >&2
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	$SUDO dpkg --add-architecture arm64
fi
$SUDO apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
	"${missing[@]}" >/dev/null
