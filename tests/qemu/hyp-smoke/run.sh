#!/usr/bin/env bash
# Boots the hyp-smoke guest under vhyp in QEMU, the way docs/boot-contract.md
# describes (the runner, ./vhyp run, builds the same command line).
#   tests/qemu/hyp-smoke/run.sh [--gic 2|3] [--smp N] [--protected]
#       [--guest IMAGE --bootargs ARGS [--initrd FILE]]  (another guest,
#       e.g. a Linux Image) [--hyp-args "vhyp.log=2 ..."]
# The console goes through the runner's filter (build/tools/vhyp-console,
# docs/runner.md "Console") with a fresh token: only the hypervisor's own
# lines start with "vhyp: ".  No semihosting; a hypervisor panic ends QEMU
# through pvpanic-pci.
# Exit status: 0 after the guest's SYSTEM_OFF (the hypervisor's line), 33
# on a hypervisor panic (as ./vhyp run), 1 when the smoke guest did not
# print "hyp-smoke: PASS" or QEMU failed otherwise, 124 on timeout.
set -euo pipefail
cd "$(dirname "$0")/../../.."

GUEST_RAM=
CPU=max GIC=3 SMP=2 PROTECTED=0 TIMEOUT=60 O=${O:-build} OTHER_GUEST=0 INITRD= HYP_ARGS=
BOOTARGS="console=ttyAMA0"
while [ $# -gt 0 ]; do
	case "$1" in
	--gic) GIC=$2; shift 2 ;;
	--smp) SMP=$2; shift 2 ;;
	--protected) PROTECTED=1; shift ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--guest) GUEST_BIN=$2; OTHER_GUEST=1; shift 2 ;;
	--bootargs) BOOTARGS=$2; shift 2 ;;
	--initrd) INITRD=$2; shift 2 ;;
	--hyp-args) HYP_ARGS=$2; shift 2 ;;
	--guest-mem) GUEST_MEM=$2; shift 2 ;; # size of the guest memory node
	--cpu) CPU=$2; shift 2 ;;
	--guest-ram-mib) GUEST_RAM=$(($2 * 1048576)); shift 2 ;;
	*) echo "usage: $0 [--gic 2|3] [--smp N] [--protected]" >&2; exit 2 ;;
	esac
done

VHYP_BIN=${VHYP_BIN:-$O/hyp/vhyp.bin}
GUEST_BIN=${GUEST_BIN:-$O/hyp/hyp-smoke.bin}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

GUEST_RAM=${GUEST_RAM:-$((0x40000000))} # guest RAM at 0x40000000
WINDOW=$((0x4000000))         # VHYP_WINDOW_SIZE
RAM=$((GUEST_RAM + WINDOW))
ENTRY=0x40200000
DTB_PA=0x48000000
INITRD_PA=0x49000000
MACHINE="virt,virtualization=on,gic-version=$GIC"

# Board DTB for this machine, then the guest's: PSCI over HVC, memory
# without the window, no GICv2 virtualization regions.
qemu-system-aarch64 -M "$MACHINE,dumpdtb=$WORK/board.dtb" -cpu "$CPU" \
	-m $((RAM / 1048576))M -smp "$SMP" -nographic -nic none >/dev/null 2>&1
dtc -q -I dtb -O dtb -o "$WORK/guest.dtb" "$WORK/board.dtb"
fdtput -t s "$WORK/guest.dtb" /psci method hvc
# Devices vhyp does not pass through must not be in the guest's DT: the
# guest would take an external abort probing them.
for node in /pcie@10000000 /flash@0 /fw-cfg@9020000 /gpio-keys \
	/pl061@9030000 /intc@8000000/its@8080000 /intc@8000000/v2m@8020000 \
	/platform-bus@c000000; do
	fdtput -r "$WORK/guest.dtb" "$node" 2>/dev/null || true
done
if [ "$GIC" = 2 ]; then
	# GICv2: only GICD and GICC; no GICH/GICV, no maintenance interrupt.
	fdtput -t x "$WORK/guest.dtb" /intc@8000000 reg 0 0x8000000 0 0x10000 \
		0 0x8010000 0 0x10000
	fdtput -d "$WORK/guest.dtb" /intc@8000000 interrupts
else
	# GICv3: one 128 KiB redistributor frame per CPU (the frames vhyp
	# emulates), no maintenance interrupt.
	fdtput -t x "$WORK/guest.dtb" /intc@8000000 reg 0 0x8000000 0 0x10000 \
		0 0x80a0000 0 "$(printf '%x' $((SMP * 0x20000)))"
	fdtput -t x "$WORK/guest.dtb" /intc@8000000 '#redistributor-regions' 1
	fdtput -d "$WORK/guest.dtb" /intc@8000000 interrupts
fi
fdtput -t x "$WORK/guest.dtb" /memory@40000000 reg 0 0x40000000 0 \
	"${GUEST_MEM:-$(printf '%x' $GUEST_RAM)}"
fdtput -t s "$WORK/guest.dtb" /chosen bootargs "$BOOTARGS"
# A fresh KASLR seed each run (QEMU dumped a fixed one).
fdtput -t x "$WORK/guest.dtb" /chosen kaslr-seed $(od -An -tx4 -N8 /dev/urandom)
fdtput -t x "$WORK/guest.dtb" /chosen rng-seed $(od -An -tx4 -N32 /dev/urandom)

LOADERS=()
if [ -n "$INITRD" ]; then
	size=$(stat -c %s "$INITRD")
	fdtput -t x "$WORK/guest.dtb" /chosen linux,initrd-start 0 $INITRD_PA
	fdtput -t x "$WORK/guest.dtb" /chosen linux,initrd-end 0 \
		"$(printf '%x' $((INITRD_PA + size)))"
	LOADERS=(-device "loader,file=$INITRD,addr=$INITRD_PA,force-raw=on")
fi

# The hypervisor image with text_offset = window start - RAM base.
cp "$VHYP_BIN" "$WORK/vhyp.bin"
printf "$(printf '%016x' $GUEST_RAM | sed 's/\(..\)/\1 /g' |
	awk '{for (i = NF; i > 0; i--) printf "\\x%s", $i}')" |
	dd of="$WORK/vhyp.bin" bs=1 seek=8 conv=notrunc status=none

FILTER=$O/tools/vhyp-console
[ -x "$FILTER" ] || { echo "$FILTER is missing: make all" >&2; exit 1; }
TOKEN=$(od -An -v -t x1 -N 16 /dev/urandom | tr -d ' \n')
ARGS="vhyp.token=$TOKEN vhyp.entry=$ENTRY vhyp.dtb=$DTB_PA"
[ "$PROTECTED" = 1 ] && ARGS="$ARGS vhyp.protected=1"
[ -n "$HYP_ARGS" ] && ARGS="$ARGS $HYP_ARGS"

set +e
timeout "$TIMEOUT" qemu-system-aarch64 -M "$MACHINE" -cpu "$CPU" \
	-m $((RAM / 1048576))M -smp "$SMP" -nographic -nic none -no-reboot \
	-device pvpanic-pci -action panic=exit-failure \
	-kernel "$WORK/vhyp.bin" -append "$ARGS" \
	-device loader,file="$GUEST_BIN",addr=$ENTRY,force-raw=on \
	-device loader,file="$WORK/guest.dtb",addr=$DTB_PA,force-raw=on \
	"${LOADERS[@]}" \
	${QEMU_EXTRA:-} </dev/null |
	"$FILTER" --token "$TOKEN" | tee "$WORK/out.txt"
rc=${PIPESTATUS[0]}
set -e
sed -i 's/\r$//' "$WORK/out.txt"
if grep -qE '^vhyp: (panic: |unexpected exception)' "$WORK/out.txt"; then
	rc=33
elif [ "$rc" -eq 0 ] && ! grep -q '^vhyp: guest called SYSTEM_OFF' "$WORK/out.txt"; then
	rc=1
elif [ "$rc" -eq 0 ] && [ "$OTHER_GUEST" = 0 ] &&
	! grep -q '^hyp-smoke: PASS' "$WORK/out.txt"; then
	rc=1
fi
echo "hyp-smoke run.sh: gic=$GIC smp=$SMP protected=$PROTECTED rc=$rc"
exit "$rc"
