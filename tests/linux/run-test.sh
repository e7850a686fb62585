#!/usr/bin/env bash
# The stock-Linux test: Debian's arm64 kernel, unmodified, boots under vhyp
# and finds the KVM services (SMCCC 1.1, the KVM UID, FEATURES, PTP_KVM).
# Prints TAP ("ok N - name" / "not ok N - name") for scripts/run-tests.sh.
#
# Three boots of the same kernel and initramfs (tests/linux/initramfs.sh):
#   default   default normal-VM features: SMCCC v1.1, services 0x3, the
#             "KVM virtual PTP" clock, its time against the host's wall
#             clock and its rate against CLOCK_MONOTONIC, both CPUs online,
#             timer interrupts and IPIs on each CPU (/proc/interrupts), no
#             ITS/LPI kernel line, vhyp's count of PTP calls, clean power-off;
#             with --disk, when the kernel has virtio-mmio and virtio-blk
#             (Debian's as modules, loaded by /init): vhyp's virtio-console
#             (hvc0) and virtio-blk (/dev/vda reads the disk), no other
#             virtio device
#   noptp     --features $FEATURES_NO_PTP (PTP hidden): boots, services 0x1,
#             no KVM PTP clock
#   none      --features $FEATURES_NONE (bit 0 hidden, so UID and FEATURES
#             answer -1): boots, no "hypervisor services detected"
# and, for the services around the vendor service (issue 13), the default
# boot's PSCI 1.3, TRNG device and stolen-time lines, and its CPU
# vulnerability files against a fourth boot directly on QEMU (no vhyp).
#
# Environment: VHYP_RUN_ARGS adds runner options to every boot (e.g.
# "--gic 2"); KERNEL_VERSION_FILE picks another kernel (see kernel.sh).
#
# Option: --direct  boot the default case directly at EL1 in QEMU instead of
#         under vhyp (expected to fail the KVM checks: shows that they can).
# Console logs (each line prefixed with the host's realtime in ns at its
# arrival) stay in build/linux/logs/.
set -uo pipefail
# shellcheck source=tests/linux/lib.sh
source "$(dirname "$0")/lib.sh"

# Kernel arguments: console and initramfs entry only; Linux runs unmodified.
APPEND="console=ttyAMA0 rdinit=/init"
SMP=2
MEM=512M
TIMEOUT=240
FEATURES_NO_PTP=${FEATURES_NO_PTP:-features}
FEATURES_NONE=${FEATURES_NONE:-0}
# Limits of the clock checks.
MAX_WALL_DIFF_NS=200000000
MAX_RATE_PPM=100
# PHC reads the test program makes at least: 8 in a row, 2 for the rate,
# 1 for the time.
PHC_READS_MIN=11
# The first 16 bytes of the default boot's disk (vhyp's virtio-blk).
DISK_MARKER=vhyp-linux-disk0

LOG_DIR="$LINUX_BUILD/logs"
# The runner; another checkout's may be named in VHYP.
VHYP=${VHYP:-$REPO_DIR/vhyp}
direct=0
for a in "$@"; do
	case $a in
	--direct) direct=1 ;;
	*) die "unknown argument $a" ;;
	esac
done

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
check() { # check NAME COMMAND...: one TAP line from a command's status
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
note() { echo "# $*"; }

# Realtime in ns, without forking (bash 5).
now_ns() {
	local t=${EPOCHREALTIME/[.,]/}
	echo "${t}000"
}

# boot NAME ARGS...: runs one guest, writes $LOG_DIR/NAME.log with each
# console line prefixed by the host's realtime in ns at its arrival, and
# sets RC and BOOT_S.
boot() {
	local name=$1 start line t
	shift
	local log="$LOG_DIR/$name.log"
	start=$(now_ns)
	if [ "$direct" = 1 ]; then
		"$LINUX_DIR/direct-boot.sh" --kernel "$IMAGE" --initrd "$INITRD" \
			--smp "$SMP" --mem "$MEM" --append "$APPEND" --timeout "$TIMEOUT"
	else
		# shellcheck disable=SC2086 # VHYP_RUN_ARGS is a word list
		"$VHYP" run --kernel "$IMAGE" --initrd "$INITRD" --smp "$SMP" \
			--mem "$MEM" --append "$APPEND" --timeout "$TIMEOUT" \
			${VHYP_RUN_ARGS:-} "$@"
	fi </dev/null 2>&1 | while IFS= read -r line; do
		# No fork per line: the stamp must be taken as the line arrives.
		t=${EPOCHREALTIME/[.,]/}
		printf '%s000 %s\n' "$t" "${line%$'\r'}"
	done >"$log"
	RC=${PIPESTATUS[0]}
	BOOT_S=$(awk -v s="$start" -v e="$(now_ns)" 'BEGIN { printf "%.1f", (e - s) / 1e9 }')
	note "$name: exit status $RC after $BOOT_S s; console log $log"
}

# The value of "vhyp-linux-test: KEY=value" in a log (first match).
value() {
	awk -v k="vhyp-linux-test: $2=" 'index($0, k) { print substr($0, index($0, k) + length(k)); exit }' "$1"
}
# The host timestamp of that line.
stamp() {
	awk -v k="vhyp-linux-test: $2=" 'index($0, k) { print $1; exit }' "$1"
}
has() { grep -qF -- "$2" "$1"; }
# A line of the hypervisor's own: only the runner's console filter makes a
# line that starts with "vhyp: " (a guest's look-alike: "[guest] vhyp").
has_hyp() { grep -aE '^[0-9]+ vhyp: ' "$1" | grep -qF -- "$2"; }
lacks() { ! grep -qF -- "$2" "$1"; }
equals() { [ "$1" = "$2" ]; }

# /init asked for power-off, and the kernel said so or vhyp saw the
# SYSTEM_OFF call.
powered_off() {
	has "$1" "vhyp-linux-test: poweroff" &&
		{ has "$1" "reboot: Power down" || has_hyp "$1" "vhyp: guest called SYSTEM_OFF"; }
}
exited_cleanly() { equals "$RC" 0 && powered_off "$1"; }
# The test program ran to its end (so a missing line means something).
finished() { has "$1" "vhyp-linux-test: done"; }

# Some clock is named "KVM virtual PTP".
kvm_ptp_clock() { grep -qE 'vhyp-linux-test: clock_name\.ptp[0-9]+=KVM virtual PTP$' "$1"; }
no_kvm_ptp_clock() { finished "$1" && ! kvm_ptp_clock "$1"; }
no_kvm_services() { finished "$1" && lacks "$1" "hypervisor services detected"; }

phc_increasing() {
	equals "$(value "$1" phc_open)" ok && equals "$(value "$1" phc_read)" ok &&
		equals "$(value "$1" phc_increasing)" yes
}

# The PHC's time against the host's realtime when its line arrived.
phc_near_wall_clock() {
	local phc host diff
	phc=$(value "$1" phc_ns)
	host=$(stamp "$1" phc_ns)
	[[ $phc =~ ^[0-9]+$ ]] || return 1
	diff=$((host - phc))
	note "PHC - host wall clock: $((-diff / 1000)) us"
	[ "${diff#-}" -le "$MAX_WALL_DIFF_NS" ]
}

# The hypervisor's own count of PTP calls (its "vhyp: calls: ... ptp=N"
# line at power-off) covers at least the reads the test program made: the
# clock really went through vhyp's PTP_KVM handler.
hyp_counted_ptp_calls() {
	local calls
	calls=$(grep -oaE '^[0-9]+ vhyp: calls: .*[ ]ptp=[0-9]+' "$1" | tail -n1 | sed 's/.*ptp=//')
	note "vhyp counted ${calls:-no} PTP calls"
	[ -n "$calls" ] && [ "$calls" -ge "$PHC_READS_MIN" ]
}

phc_rate_ok() {
	local ppm
	ppm=$(value "$1" rate_ppm)
	[ -n "$ppm" ] || return 1
	note "PHC rate against CLOCK_MONOTONIC: $ppm ppm over $(value "$1" rate_interval_ns) ns"
	awk -v p="$ppm" -v m="$MAX_RATE_PPM" 'BEGIN { exit !(p <= m && p >= -m) }'
}

# all_positive "a,b,..." N: N comma-separated counts, each > 0.
all_positive() {
	local IFS=, n=0 v
	for v in $1; do
		[[ $v =~ ^[0-9]+$ ]] && [ "$v" -gt 0 ] || return 1
		n=$((n + 1))
	done
	[ "$n" = "$2" ]
}
no_its_lines() {
	finished "$1" && equals "$(value "$1" gic_its)" none &&
		equals "$(value "$1" gic_lpi)" none
}

show_log_tail() {
	note "last lines of $1:"
	tail -n 15 "$1" | cut -d' ' -f2- | sed 's/^/#   /'
}

# vhyp's own virtio devices (the default boot has --disk): the console
# (ID 3) and the block device (ID 2), and nothing else on the virtio bus
# (QEMU's transports are not in the guest's DT).
vhyp_virtio_devices() {
	[ "$(grep -c 'vhyp-linux-test: virtio_device=' "$1")" = 2 ] &&
		has "$1" "vhyp-linux-test: virtio_device=0x0003" &&
		has "$1" "vhyp-linux-test: virtio_device=0x0002"
}

check_virtio() {
	local log=$1
	if [ "$KERNEL_VIRTIO" != yes ]; then
		note "default: the kernel has no virtio-mmio/virtio-blk (built in or module): vhyp's virtio devices not checked"
		return
	fi
	check "default: vhyp's virtio-console and virtio-blk found (virtio-mmio), no other virtio device" \
		vhyp_virtio_devices "$log"
	check "default: hvc0 (virtio-console) exists beside ttyAMA0" equals "$(value "$log" hvc0)" present
	check "default: /dev/vda reads the disk image's marker" equals "$(value "$log" vda_head)" "$DISK_MARKER"
}

check_default() {
	local log="$LOG_DIR/default.log" before=$failures
	check "default: the run exits 0" equals "$RC" 0
	check "default: the guest powers off" powered_off "$log"
	check "default: psci: SMC Calling Convention v1.1" has "$log" "psci: SMC Calling Convention v1.1"
	check "default: KVM: hypervisor services detected (0x00000000 0x00000000 0x00000000 0x00000003)" \
		has "$log" "smccc: KVM: hypervisor services detected (0x00000000 0x00000000 0x00000000 0x00000003)"
	check "default: clock_name is KVM virtual PTP" kvm_ptp_clock "$log"
	check "default: the PHC reads and increases" phc_increasing "$log"
	check "default: PHC within 200 ms of the host's wall clock" phc_near_wall_clock "$log"
	check "default: PHC rate within 100 ppm of CLOCK_MONOTONIC over 2 s" phc_rate_ok "$log"
	check "default: both CPUs online" equals "$(value "$log" cpus_online)" 0-1
	check "default: timer interrupts on every CPU ($(value "$log" irq_timer_delta))" \
		all_positive "$(value "$log" irq_timer_delta)" 2
	check "default: IPIs received on every CPU ($(value "$log" irq_ipi_total))" \
		all_positive "$(value "$log" irq_ipi_total)" 2
	check "default: no ITS or LPI line from the kernel (GICv3: hidden)" \
		no_its_lines "$log"
	check "default: vhyp answered the PTP calls" hyp_counted_ptp_calls "$log"
	[ "$direct" = 1 ] || check_virtio "$log"
	[ "$failures" = "$before" ] || show_log_tail "$log"
}

check_noptp() {
	local log="$LOG_DIR/noptp.log" before=$failures
	check "noptp: the run exits 0 and the guest powers off" exited_cleanly "$log"
	check "noptp: services detected (0x00000000 0x00000000 0x00000000 0x00000001)" \
		has "$log" "smccc: KVM: hypervisor services detected (0x00000000 0x00000000 0x00000000 0x00000001)"
	check "noptp: no KVM PTP clock registered" no_kvm_ptp_clock "$log"
	[ "$failures" = "$before" ] || show_log_tail "$log"
}

check_none() {
	local log="$LOG_DIR/none.log" before=$failures
	check "none: the run exits 0 and the guest powers off" exited_cleanly "$log"
	check "none: still SMC Calling Convention v1.1" has "$log" "psci: SMC Calling Convention v1.1"
	check "none: no \"hypervisor services detected\"" no_kvm_services "$log"
	check "none: no KVM PTP clock registered" no_kvm_ptp_clock "$log"
	[ "$failures" = "$before" ] || show_log_tail "$log"
}

# The "vuln.NAME=..." lines of a log, sorted, without the timestamps.
vuln_lines() { grep -o 'vhyp-linux-test: vuln\..*' "$1" | sort; }

# The CPU-vulnerability files read the same under vhyp as on the same QEMU
# CPU model without it (direct boot at EL1): vhyp's SMCCC workaround
# answers and ID registers change nothing in Linux's view.
same_vulnerabilities() {
	local a b
	a=$(vuln_lines "$1")
	b=$(vuln_lines "$2")
	[ -n "$a" ] || return 1
	if [ "$a" != "$b" ]; then
		diff <(echo "$b") <(echo "$a") | sed 's/^/#   /'
		return 1
	fi
	echo "$a" | sed 's/^vhyp-linux-test: /#   /'
}

# Issue 13: the firmware services around the vendor service, as a guest
# of KVM finds them.
check_parity() {
	local log="$LOG_DIR/default.log" direct_log="$LOG_DIR/direct-parity.log"
	local before=$failures
	check "parity: psci: PSCIv1.3 detected in firmware" has "$log" "psci: PSCIv1.3 detected in firmware."
	check "parity: the smccc_trng platform device exists" equals "$(value "$log" smccc_trng)" present
	check "parity: arm-pv: using stolen time PV" has "$log" "arm-pv: using stolen time PV"
	check "parity: vulnerabilities as without vhyp on the same QEMU CPU" \
		same_vulnerabilities "$log" "$direct_log"
	check "parity: vhyp answered TRNG calls" hyp_counted trng "$log"
	check "parity: vhyp answered PV-time calls" hyp_counted pv_time "$log"
	[ "$failures" = "$before" ] || show_log_tail "$log"
}

# hyp_counted NAME LOG: vhyp's "calls:" line has NAME=N with N > 0.
hyp_counted() {
	local calls
	calls=$(grep -oaE "^[0-9]+ vhyp: calls: .*[ ]$1=[0-9]+" "$2" | tail -n1 | sed "s/.*$1=//")
	note "vhyp counted ${calls:-no} $1 calls"
	[ -n "$calls" ] && [ "$calls" -gt 0 ]
}

# The same kernel directly on QEMU (-cpu max, EL1, no vhyp): the reference
# for the vulnerability files.
boot_direct_reference() {
	local saved=$direct
	direct=1
	boot direct-parity
	direct=$saved
}

prepare() {
	local kdir
	kdir=$("$LINUX_DIR/kernel.sh") || return 1
	IMAGE="$kdir/Image"
	note "kernel: $(cat "$kdir/release")"
	INITRD=$("$LINUX_DIR/initramfs.sh" "$kdir") || return 1
	KERNEL_VIRTIO=no
	grep -qE '^CONFIG_VIRTIO_MMIO=[ym]' "$kdir/config" &&
		grep -qE '^CONFIG_VIRTIO_BLK=[ym]' "$kdir/config" && KERNEL_VIRTIO=yes
	mkdir -p "$LINUX_BUILD"
	DISK="$LINUX_BUILD/disk.img"
	head -c $((1 << 20)) /dev/zero >"$DISK"
	printf '%s' "$DISK_MARKER" | dd of="$DISK" conv=notrunc status=none
	if [ "$direct" = 0 ]; then
		[ -x "$VHYP" ] || { log "no runner $VHYP"; return 1; }
	fi
	mkdir -p "$LOG_DIR"
}

main() {
	local t0
	t0=$(now_ns)
	if ! prepare; then
		not_ok "fetch the kernel and build the initramfs"
		echo "1..$n"
		exit 1
	fi
	ok "fetch the kernel and build the initramfs"
	if [ "$direct" = 1 ]; then
		boot default
	else
		boot default --disk "$DISK"
	fi
	check_default
	if [ "$direct" = 0 ]; then
		boot noptp --features "$FEATURES_NO_PTP"
		check_noptp
		boot none --features "$FEATURES_NONE"
		check_none
		boot_direct_reference
		check_parity
	fi
	note "total $(awk -v s="$t0" -v e="$(now_ns)" 'BEGIN { printf "%.1f", (e - s) / 1e9 }') s"
	echo "1..$n"
	[ "$failures" -eq 0 ]
}

# Sourcing the file (for a look at the checks) does not run the test.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	main "$@"
fi
