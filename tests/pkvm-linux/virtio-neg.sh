#!/usr/bin/env bash
# Negative test of vhyp's host-side virtio devices: guest/virtio-neg (a
# bare-metal protected guest) puts descriptors that point at a private
# granule on the virtio-blk and virtio-console rings.  The guest checks
# that those requests fail and the granule is untouched (its TAP lines are
# passed through); this script adds what only the host side shows: the
# refusals are reported and counted, and the private bytes never reached
# the console.  Prints TAP.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
O=${O:-build}
OUT="$REPO/$O/pkvm-linux"
GUEST="$REPO/$O/guest/virtio-neg.bin"
VHYP=${VHYP:-$REPO/vhyp}
mkdir -p "$OUT"
LOG="$OUT/virtio-neg.log"
DISK="$OUT/virtio-neg.img"

[ -f "$GUEST" ] || { echo "Bail out! $GUEST missing (make all)"; exit 1; }
head -c 65536 /dev/zero >"$DISK"
printf 'vhyp-neg-disk-marker' | dd of="$DISK" conv=notrunc status=none
"$VHYP" run --protected --kernel "$GUEST" --disk "$DISK" --timeout 60 \
	</dev/null >"$LOG" 2>&1
rc=$?

echo "TAP version 13"
# The guest's own results, renumbered after ours.
n=0 failures=0
emit() {
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n - $2"; else
		failures=$((failures + 1))
		echo "not ok $n - $2"
	fi
}
guest_lines=0
while IFS= read -r line; do
	case $line in
	"ok "*) emit ok "guest: ${line#ok * - }"; guest_lines=$((guest_lines + 1)) ;;
	"not ok "*) emit fail "guest: ${line#not ok * - }"; guest_lines=$((guest_lines + 1)) ;;
	esac
done <"$LOG"
# Only the hypervisor's own lines (the runner's filter makes every line
# that starts with "vhyp: "; a guest's look-alike shows as "[guest] vhyp").
counter() {
	grep -a '^vhyp: ' "$LOG" | grep -m1 -F -- "$1" | tr -d '\r' | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'
}
check() {
	local name=$1
	shift
	if "$@"; then emit ok "$name"; else emit fail "$name"; fi
}
check "the guest ran its 13 checks" [ "$guest_lines" -eq 13 ]
check "the host reported the refused descriptors (3 lines)" \
	[ "$(grep -c 'refused by the accessor, not followed' "$LOG")" -eq 3 ]
refusals_counted() {
	[ "$(counter 'vhyp: virtio-blk: requests=' refused)" = 2 ] &&
		[ "$(counter 'vhyp: virtio-console: requests=' refused)" = 1 ]
}
no_secret() { ! grep -q SECRET-PRIVATE-GRANULE "$LOG"; }
no_fault_no_leak() {
	[ "$(counter 'vhyp: host accesses:' faulted)" = 0 ] &&
		[ "$(counter 'vhyp: host accesses:' leaked)" = 0 ]
}
check "virtio-blk counted 2 refused, virtio-console 1" refusals_counted
check "the shared console write was printed" \
	grep -qE '^virtio-neg: hello over virtio-console.?$' "$LOG"
check "nothing of the private granule reached the console" no_secret
check "host accesses: 0 faulted, 0 leaked" no_fault_no_leak
check "guest powered off, run exits 0" [ "$rc" = 0 ]
echo "1..$n"
[ "$failures" = 0 ]
