#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# vhyp's disks (docs/protected-vms.md, "Persistent disks"): guest/disk-rw
# writes sector 1 and the last sector of every vhyp virtio-blk device it
# finds, as a normal and as a protected VM.  Checks that the writes reach
# the files (a 64 KiB image and a 2 GiB sparse one, two --disk in order),
# that ,ro disks refuse writes and stay unchanged, that ,snapshot disks
# take writes the guest can read back while the file stays unchanged, and
# that bad --disk arguments are refused.  Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 2
O=${O:-build}
GUEST=$O/guest/disk-rw.bin
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
[ -f "$GUEST" ] || { echo "not ok 1 - $GUEST missing (make all)"; echo 1..1; exit 1; }

mkdisks() {
	rm -f "$W/d0.img" "$W/d1.img"
	head -c 65536 /dev/zero >"$W/d0.img"
	printf 'vhyp-disk-zero!!' | dd of="$W/d0.img" conv=notrunc status=none
	truncate -s 2G "$W/d1.img"
	printf 'vhyp-disk-one!!!' | dd of="$W/d1.img" conv=notrunc status=none
}
# sector FILE N: the first 18 bytes of sector N.
sector() { dd if="$1" bs=512 skip="$2" count=1 status=none | head -c 18; }
run() { # run TAG ARGS...: the console in $W/TAG.log, status in RC
	local tag=$1
	shift
	RC=0
	./vhyp run --kernel "$GUEST" --timeout 90 "$@" </dev/null >"$W/$tag.log" 2>&1 || RC=$?
	tr -d '\r' <"$W/$tag.log" >"$W/$tag.txt"
}
guest_ok() { # every guest TAP line ok, and at least $2 of them
	local bad good
	bad=$(grep -c '^not ok ' "$W/$1.txt")
	good=$(grep -c '^ok ' "$W/$1.txt")
	[ "$bad" = 0 ] && [ "$good" -ge "$2" ] && [ "$RC" = 0 ]
}

for kind in normal protected; do
	opt=""
	[ "$kind" = protected ] && opt=--protected
	mkdisks
	run "$kind-two" $opt --disk "$W/d0.img" --disk "$W/d1.img"
	check "[$kind] two disks: guest checks pass, exit 0" guest_ok "$kind-two" 8
	check "[$kind] disk 0 is the first --disk (marker), disk 1 the 2 GiB one" \
		grep -q 'disk 0: marker=vhyp-disk-zero!! capacity=128 ' "$W/$kind-two.txt"
	check "[$kind] 2 GiB disk: 4194304 sectors" \
		grep -q 'disk 1: marker=vhyp-disk-one!!! capacity=4194304 ' "$W/$kind-two.txt"
	check "[$kind] the writes reached the 64 KiB file (sector 1, last sector)" \
		test "$(sector "$W/d0.img" 1)$(sector "$W/d0.img" 127)" = "written-by-guest-0written-by-guest-0"
	check "[$kind] the writes reached the 2 GiB file (sector 1, sector 4194303)" \
		test "$(sector "$W/d1.img" 1)$(sector "$W/d1.img" 4194303)" = "written-by-guest-1written-by-guest-1"
	check "[$kind] markers intact" \
		test "$(head -c 16 "$W/d0.img")$(head -c 16 "$W/d1.img")" = 'vhyp-disk-zero!!vhyp-disk-one!!!'

	mkdisks
	sum=$(sha256sum <"$W/d0.img")
	run "$kind-ro" $opt --disk "$W/d0.img,ro"
	check "[$kind] ,ro: guest sees a read-only disk whose writes fail (IOERR)" \
		grep -q 'ok .* - disk 0 (read-only): writes fail with IOERR (1, 1)' "$W/$kind-ro.txt"
	check "[$kind] ,ro: guest checks pass, file unchanged" \
		bash -c "[ '$(sha256sum <"$W/d0.img")' = '$sum' ] && ! grep -q '^not ok' '$W/$kind-ro.txt'"

	run "$kind-snap" $opt --disk "$W/d0.img,snapshot"
	check "[$kind] ,snapshot: the guest's writes read back" guest_ok "$kind-snap" 4
	check "[$kind] ,snapshot: file unchanged after the run" \
		test "$(sha256sum <"$W/d0.img")" = "$sum"
done

head -c 100 /dev/zero >"$W/odd.img"
bad() { # bad WHAT ARGS...: exit 2 with a one-line error, QEMU not run
	local what=$1 out rc=0
	shift
	out=$(./vhyp run --kernel "$GUEST" "$@" 2>&1 </dev/null) || rc=$?
	check "bad --disk ($what): exit 2, '${out:0:90}'" test "$rc" = 2 -a "$(wc -l <<<"$out")" = 1
}
bad "missing file" --disk "$W/missing.img"
bad "not a multiple of 512 bytes" --disk "$W/odd.img"
bad "unknown option" --disk "$W/d0.img,rw"
bad "5 disks" --disk "$W/d0.img" --disk "$W/d0.img" --disk "$W/d0.img" --disk "$W/d0.img" --disk "$W/d0.img"
echo "1..$n"
exit "$fail"
