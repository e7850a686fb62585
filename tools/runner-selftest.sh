#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Self-test of ./vhyp run (TAP): argument checks (exit 2 with one line),
# the QEMU command line, the guest DTB it makes, and, when the hypervisor
# and guests are built, real boots (demo normal/protected, GICv2, SMP
# self-test, timeout -> 124, a failing guest -> its status).
# Argument strings are split into words on purpose.
# shellcheck disable=SC2086,SC2001
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
O=${O:-build}
VHYP=./vhyp
n=0
failed=0
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	[ -z "${2:-}" ] || sed 's/^/# /' <<<"$2"
}
check() { # name, then a command that must succeed
	local name=$1
	shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}

# Exit status 2 and exactly one line on stderr, containing $2.
bad_args() {
	local args=$1 want=$2 rc lines err
	err=$($VHYP run $args --dry-run 2>&1 >/dev/null)
	rc=$?
	lines=$(printf '%s\n' "$err" | grep -c .)
	if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && [[ $err == *"$want"* ]]; then
		ok "rejects '$args'"
	else
		not_ok "rejects '$args'" "rc=$rc lines=$lines: $err"
	fi
}

bad_args "--no-such-option" "unknown option"
bad_args "--kernel /etc/passwd" "not an arm64 Image"
bad_args "--kernel /nonexistent/Image" "not a readable file"
bad_args "--kernel" "needs a value"
bad_args "--smp 0" "must be 1..8"
bad_args "--smp 9" "must be 1..8"
bad_args "--smp two" "not a number"
bad_args "--mem 16M" "too small"
bad_args "--mem lots" "cannot parse"
bad_args "--mem 1000G" "too large"
bad_args "--mem 513M" "multiple of 2M"
bad_args "--features ptp,bogus" "unknown feature 'bogus'"
bad_args "--features 0x100 --protected" "does not implement"
bad_args "--features meminfo" "not a subset of the normal VM default"
bad_args "--gic 4" "must be 2 or 3"
bad_args "--timeout soon" "not a positive number"
bad_args "--initrd /nonexistent" "not a readable file"

check "--help exits 0" $VHYP run --help
printf 'ARM\x64 but not at offset 56' >"$WORK/short"
bad_args "--kernel $WORK/short" "not an arm64 Image"
printf 'junk' | gzip >"$WORK/junk.gz"
bad_args "--kernel $WORK/junk.gz" "not an arm64 Image"

# The command line (dry run).
cmd=$($VHYP run --dry-run --protected --features features,ptp,share,unshare,meminfo \
	--smp 2 --mem 256M --gic 2 --icount --log 2 2>&1)
expect_in_cmd() {
	if [[ $cmd == *"$1"* ]]; then ok "command has $1"; else not_ok "command has $1" "$cmd"; fi
}
expect_in_cmd "-M virt,virtualization=on,gic-version=2"
expect_in_cmd "-m 320M"
expect_in_cmd "-smp 2"
expect_in_cmd "-no-reboot"
expect_in_cmd "-icount shift=0"
expect_in_cmd "-semihosting-config enable=on,target=native"
expect_in_cmd "vhyp.entry=0x40200000 vhyp.dtb=0x40400000 vhyp.protected=1 vhyp.features=0x1f vhyp.log=2"
expect_in_cmd "loader,file=$PWD/$O/guest/demo.bin,addr=0x40200000,force-raw=on"

# The guest DTB, with an initrd and a gzip kernel.
if [ -f "$O/guest/demo.bin" ]; then
	gzip -c "$O/guest/demo.bin" >"$WORK/demo.gz"
	head -c 3000000 /dev/zero >"$WORK/initrd"
	cmd=$($VHYP run --dry-run --kernel "$WORK/demo.gz" --initrd "$WORK/initrd" \
		--append "console=ttyAMA0 x=1" --mem 128M --gic 2 --smp 3 \
		--dump-dtb "$WORK/g.dtb" 2>&1)
	expect_in_cmd "addr=0x40400000,force-raw=on" # initrd after the image
	expect_in_cmd "vhyp.dtb=0x40800000"
	dtb=$WORK/g.dtb
	prop() { fdtget -t x "$dtb" "$1" "$2" 2>/dev/null; }
	check "DTB: psci method hvc" test "$(fdtget "$dtb" /psci method)" = hvc
	check "DTB: memory is guest RAM only" test "$(prop /memory@40000000 reg)" = "0 40000000 0 8000000"
	check "DTB: bootargs" test "$(fdtget "$dtb" /chosen bootargs)" = "console=ttyAMA0 x=1"
	check "DTB: initrd-start (2 cells)" test "$(prop /chosen linux,initrd-start)" = "0 40400000"
	check "DTB: initrd-end (2 cells)" test "$(prop /chosen linux,initrd-end)" = "0 $(printf %x $((0x40400000 + 3000000)))"
	check "DTB: GICv2 without GICH/GICV" test "$(prop /intc@8000000 reg)" = "0 8000000 0 10000 0 8010000 0 10000"
	check "DTB: no maintenance interrupt" test -z "$(prop /intc@8000000 interrupts)"
	check "DTB: 3 CPUs" test "$(fdtget -l "$dtb" /cpus | grep -c '^cpu@')" = 3
	$VHYP run --dry-run --dump-dtb "$WORK/g2.dtb" >/dev/null 2>&1
	check "DTB: fresh kaslr-seed per run" test "$(prop /chosen kaslr-seed)" != "$(fdtget -t x "$WORK/g2.dtb" /chosen kaslr-seed)"
	check "DTB: fresh rng-seed per run" test "$(prop /chosen rng-seed)" != "$(fdtget -t x "$WORK/g2.dtb" /chosen rng-seed)"
	check "DTB: no bootargs without --append" test -z "$(fdtget "$WORK/g2.dtb" /chosen bootargs 2>/dev/null)"
	check "DTB: no ITS/v2m, PCIe, fw-cfg, flash, GPIO" test -z "$(fdtget -l "$WORK/g2.dtb" / | grep -E '^(pcie|fw-cfg|flash|pl061|gpio-keys|platform-bus)')$(fdtget -l "$WORK/g2.dtb" /intc@8000000)"
	check "DTB: keeps UART, RTC, timer; vhyp's virtio-console, no QEMU virtio-mmio transport" test "$(fdtget -l "$WORK/g2.dtb" / | grep -E '^(pl011|pl031|virtio_mmio|timer)' | sed 's/@.*//' | sort | tr '\n' ' ')$(fdtget -l "$WORK/g2.dtb" / | grep '^virtio_mmio@')" = "pl011 pl031 timer virtio_mmio virtio_mmio@b200000"
	head -c 65536 /dev/zero >"$WORK/disk.img"
	$VHYP run --dry-run --disk "$WORK/disk.img" --dump-dtb "$WORK/g3.dtb" >/dev/null 2>&1
	check "DTB: normal VM with --disk: vhyp's virtio-blk, no DMA pool" test "$(fdtget -l "$WORK/g3.dtb" / | grep '^virtio_mmio@' | sort | tr '\n' ' ')$(fdtget -l "$WORK/g3.dtb" / | grep -c reserved-memory)" = "virtio_mmio@b200000 virtio_mmio@b201000 0"
	check "DTB: GICv3 keeps its regs" test -n "$(fdtget -t x "$WORK/g2.dtb" /intc@8000000 reg)"
	bad_args "--kernel $WORK/demo.gz --initrd $WORK/initrd --mem 32M --features=ptp,features,x" "unknown feature 'x'"
fi

# Real boots, once the hypervisor is built.
boot() { # name, expected status, grep pattern, args...
	local name=$1 want=$2 pattern=$3 out rc
	shift 3
	out=$($VHYP run "$@" </dev/null 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -qE -- "$pattern" <<<"$out"; then
		ok "$name"
	else
		not_ok "$name (rc=$rc, want $want)" "$(tail -n 15 <<<"$out")"
	fi
}
if [ -f "$O/hyp/vhyp.bin" ] && [ -f "$O/guest/demo.bin" ]; then
	boot "demo, normal VM" 0 "demo:   offset PTP - guest counter: -?[0-9]+ ticks \(call window \+-[0-9]+\), consistent" --timeout 60
	boot "demo, KVM UID" 0 "UID: b66fb428 e911c52e 564bcaa9 743a004d \(KVM\)" --timeout 60
	boot "demo, protected VM shares a page" 0 "MEM_UNSHARE of it: SUCCESS; contents kept: yes" --protected --timeout 60
	boot "demo, host side reads a shared page" 0 "host side reads the page while shared: read it, 0xa7a6a5a4a3a2a1a0" --protected --timeout 60
	boot "demo, host side refused after unshare" 0 "host side reads the page after unsharing: refused" --protected --timeout 60
	boot "demo, protected VM guards the UART" 0 "MMIO_GUARD of the UART granule 0x9000000: SUCCESS" --protected --timeout 60
	boot "demo, PTP hidden" 0 "demo: PTP: not offered" --features features --timeout 60
	boot "demo, GICv2, 2 CPUs" 0 "demo: powering off" --gic 2 --smp 2 --timeout 60
	boot "demo, icount" 0 "demo: powering off" --icount --timeout 60
	boot "timeout gives 124" 124 "timeout" --timeout 0.05
	if [ -f "$O/guest/rt-selftest.bin" ]; then
		boot "rt-selftest, 4 CPUs" 0 "rt-selftest: PASS" --kernel "$O/guest/rt-selftest.bin" --smp 4 --timeout 60
	fi
else
	echo "# hypervisor or demo not built: boots skipped"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
