#!/usr/bin/env bash
# Provides the Debian arm64 kernel the KVM benchmark boots as the host.
#
# It is the same kernel as the stock-Linux test's: tests/linux/kernel.version
# is the one place that names it, and tests/linux/kernel.sh fetches it from
# Debian's archive (a private arm64 apt whose state lives in the cache, the
# archive host read from the machine's own apt sources) and unpacks it to
# $VHYP_CACHE/linux/<abi>/ (VHYP_CACHE defaults to ~/.cache/vhyp, outside the
# work tree so that CI's fresh clones reuse it).  Needs no network once
# cached.
#
# On top of that this script checks that the kernel has what the benchmark
# needs: KVM built in (pKVM and nVHE cannot come from a module: the
# hypervisor is installed at boot) and guest_memfd-capable KVM for 7.x.
#
# Prints the directory that holds Image and config.
set -euo pipefail
# shellcheck source=bench/kvm/lib.sh
source "$(dirname "$0")/lib.sh"

FETCH="$REPO_DIR/tests/linux/kernel.sh"
[ -x "$FETCH" ] || die "$FETCH is missing (it fetches the Debian kernel)"
kdir=$("$FETCH")
if [ ! -f "$kdir/Image" ] || [ ! -f "$kdir/config" ]; then
	die "no Image/config in $kdir"
fi
grep -qx 'CONFIG_KVM=y' "$kdir/config" ||
	die "kernel in $kdir lacks CONFIG_KVM=y: it cannot host the benchmark"
echo "$kdir"
