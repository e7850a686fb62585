#!/usr/bin/env bash
# The pKVM-guest test: a small upstream Linux (Debian's linux-source, built
# by tests/pkvm-linux/kernel.sh with CONFIG_ARM_PKVM_GUEST) boots unmodified
# as a protected VM under vhyp with 2 vCPUs.  Its console is hvc0 on vhyp's
# host-side virtio-console and it reads and writes a virtio-blk disk; both
# devices reach guest memory only through the shared-granule accessor,
# and the guest's restricted DMA pool is what it shares (MEM_SHARE).
# Prints TAP for scripts/run-tests.sh.  The console log stays in
# build/pkvm-linux/boot.log.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/linux/lib.sh
source "$HERE/../linux/lib.sh"

OUT_DIR="$REPO_DIR/${O:-build}/pkvm-linux"
VHYP=${VHYP:-$REPO_DIR/vhyp}
# No earlycon: it writes the PL011 through a fixmap mapping, which the
# MMIO-guard ioremap hook never sees, so once the guard is on (at the GIC's
# ioremap) its writes would be refused.  Messages before hvc0 registers are
# replayed from the log buffer.
APPEND=${PKVM_LINUX_APPEND:-"console=hvc0 rdinit=/init"}
SMP=2
MEM=256M
TIMEOUT=${PKVM_LINUX_TIMEOUT:-300}
# The restricted DMA pool the runner gives a protected VM, in granules.
POOL_GRANULES=4096
MAX_WALL_DIFF_NS=200000000
PROTECTED_FEATURES=0x0000009f

n=0
failures=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failures=$((failures + 1))
	echo "not ok $n - $1"
}
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
note() { echo "# $*"; }

LOG="$OUT_DIR/boot.log"
# "pkvm-linux-test: KEY=value" / "vhyp-linux-test: KEY=value" values.
value() {
	awk -v k="$1: $2=" 'index($0, k) { print substr($0, index($0, k) + length(k)); exit }' "$LOG"
}
stamp() {
	awk -v k="$1: $2=" 'index($0, k) { print $1; exit }' "$LOG"
}
has() { grep -qF -- "$1" "$LOG"; }
# The hypervisor's own lines: only the runner's console filter makes a line
# that starts with "vhyp: " (a guest's look-alike shows as "[guest] vhyp").
trusted() { grep -aE '^[0-9]+ vhyp: ' "$LOG"; }
# A counter "NAME=N" on the first hypervisor line that contains PREFIX.
counter() {
	trusted | grep -m1 -F -- "$1" | tr -d '\r' | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'
}
at_least() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge "$2" ]; }
is_zero() { [ "$1" = 0 ]; }

services_protected() {
	# Linux prints the four FEATURES words from the last (bits 96..127)
	# to the first (bits 0..31).
	grep -qE "hypervisor services detected \\((0x[0-9a-f]{8} ){3}$PROTECTED_FEATURES\\)" "$LOG"
}
pool_created() { grep -qE 'created restricted DMA pool .* size 16 MiB' "$LOG"; }
calls_line() { trusted | grep -m1 -F 'vhyp: calls:'; }
console_is_hvc0() { [[ " $(value pkvm-linux-test console_active) " == *" hvc0 "* ]]; }
hvc_output_counted() { at_least "$(counter 'vhyp: virtio-console: requests=' bytes_in)" 1000; }
disk_read_ok() { [ "$(value pkvm-linux-test disk_read)" = "$DISK_MARKER" ]; }
disk_write_ok() {
	local w
	w=$(value pkvm-linux-test disk_write)
	[ -n "$w" ] && [ "$(value pkvm-linux-test disk_readback)" = "$w" ] &&
		at_least "$(counter 'vhyp: virtio-blk: requests=' bytes_in)" 512
}
no_refusals() {
	is_zero "$(counter 'vhyp: virtio-console: requests=' refused)" &&
		is_zero "$(counter 'vhyp: virtio-blk: requests=' refused)" &&
		is_zero "$(counter 'vhyp: host accesses:' refused)" &&
		is_zero "$(counter 'vhyp: host accesses:' faulted)" &&
		is_zero "$(counter 'vhyp: host accesses:' leaked)"
}
phc_ok() {
	[ "$(value vhyp-linux-test phc_read)" = ok ] &&
		[ "$(value vhyp-linux-test phc_increasing)" = yes ]
}
phc_near_wall_clock() {
	local phc host diff
	phc=$(value vhyp-linux-test phc_ns)
	host=$(stamp vhyp-linux-test phc_ns)
	[[ $phc =~ ^[0-9]+$ && $host =~ ^[0-9]+$ ]] || return 1
	diff=$((host - phc))
	note "PHC - host wall clock: $((-diff / 1000)) us"
	[ "${diff#-}" -le "$MAX_WALL_DIFF_NS" ]
}
powered_off() {
	# The kernel's own "reboot: Power down" may not reach hvc0 before
	# SYSTEM_OFF; the hypervisor's line is the proof.
	[ "$RC" = 0 ] && has "pkvm-linux-test: poweroff" && trusted | grep -qF "vhyp: guest called SYSTEM_OFF"
}

main() {
	local kdir initrd disk start
	mkdir -p "$OUT_DIR"
	echo "TAP version 13"
	if ! kdir=$("$HERE/kernel.sh"); then
		not_ok "build the pKVM-guest kernel from linux-source"
		echo "1..$n"
		exit 1
	fi
	ok "pKVM-guest kernel: $(cat "$kdir/release")"
	initrd=$("$HERE/initramfs.sh" "$OUT_DIR/initramfs.cpio.gz") || {
		not_ok "build the initramfs"
		echo "1..$n"
		exit 1
	}
	# A 1 MiB disk whose sector 0 holds a marker of this run.
	disk="$OUT_DIR/disk.img"
	DISK_MARKER="vhyp-disk-marker-$$-$RANDOM"
	head -c $((1 << 20)) /dev/zero >"$disk"
	printf '%s' "$DISK_MARKER" | dd of="$disk" conv=notrunc status=none
	start=$(date +%s)
	"$VHYP" run --protected --kernel "$kdir/Image" --initrd "$initrd" \
		--smp "$SMP" --mem "$MEM" --disk "$disk" --append "$APPEND" \
		--timeout "$TIMEOUT" </dev/null 2>&1 | while IFS= read -r line; do
		t=${EPOCHREALTIME/[.,]/}
		printf '%s000 %s\n' "$t" "${line%$'\r'}"
	done >"$LOG"
	RC=${PIPESTATUS[0]}
	note "boot: exit status $RC after $(($(date +%s) - start)) s; log $LOG"
	note "$(calls_line | cut -d' ' -f2-)"
	trusted | grep -F 'vhyp: virtio-' | cut -d' ' -f2- | sed 's/^/# /'
	trusted | grep -F 'vhyp: host accesses:' | cut -d' ' -f2- | sed 's/^/# /'

	check "protected VM, 2 vCPUs online" \
		test "$(value vhyp-linux-test cpus_online)" = 0-1
	check "kernel reports hypervisor services with the protected bitmap ($PROTECTED_FEATURES)" services_protected
	check "restricted DMA pool of 16 MiB created" pool_created
	check "MEMINFO called" at_least "$(counter 'vhyp: calls:' meminfo)" 1
	check "the pool is shared with MEM_SHARE (>= $POOL_GRANULES granules)" \
		at_least "$(counter 'vhyp: calls:' share)" "$POOL_GRANULES"
	check "MMIO_GUARD by the ioremap hook (GIC and devices)" \
		at_least "$(counter 'vhyp: calls:' mmio_guard)" 16
	check "no unguarded MMIO access refused" is_zero "$(counter 'vhyp: calls:' mmio_refused)"
	check "console is hvc0 (virtio-console)" console_is_hvc0
	check "the guest writes /dev/hvc0" has "pkvm-linux-test: hvc0_write=ok"
	check "virtio-console carried the console output" hvc_output_counted
	check "virtio-blk: the guest reads the host's marker" disk_read_ok
	check "virtio-blk: the guest writes and reads back a sector" disk_write_ok
	check "host side: 0 refused, 0 faulted, 0 leaked accesses" no_refusals
	check "KVM PTP clock reads" phc_ok
	check "KVM PTP clock near the host's wall clock" phc_near_wall_clock
	check "guest powered off, run exits 0" powered_off
	echo "1..$n"
	[ "$failures" = 0 ]
}

main "$@"
