#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The console of ./vhyp run (docs/runner.md, "Console and input"), with the
# stock Debian kernel and a busybox initramfs (rdinit=/bin/sh):
#   - piped input into the shell of a normal and of a protected VM
#     ("echo hello-from-guest; poweroff -f": the echo's output, status 0);
#   - the shell's prompt, which has no newline, reaches stdout (the
#     protected VM's emulated PL011 passes output on at once);
#   - --stdin-eof=poweroff ends the run at the end of input (status 0);
#   - a guest kernel panic without panic=N ends the run (status 34);
#   - a bad --stdin-eof value is refused (status 2);
#   - piped input into the shell of a protected VM whose console is hvc0
#     (vhyp's virtio-console), with the pKVM guest kernel of
#     tests/pkvm-linux when it is in the cache.
# Prints TAP.  Needs the kernel and busybox of tests/linux (in the cache
# after the first `make test`); without them every boot is skipped.
# verdict runs its arguments: the helpers are reached indirectly.
# shellcheck disable=SC2317
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 2
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

RC=0
./vhyp run --stdin-eof=maybe </dev/null >"$W/bad.log" 2>&1 || RC=$?
if [ "$RC" = 2 ] && grep -q "stdin-eof" "$W/bad.log"; then
	ok "--stdin-eof=maybe refused (status 2)"
else
	not_ok "--stdin-eof=maybe refused (status $RC)"
fi

# The kernel and an initramfs of busybox's shell.
kdir=$(tests/linux/kernel.sh 2>"$W/kernel.err") || kdir=""
busybox=$(tests/linux/busybox.sh 2>"$W/busybox.err") || busybox=""
BOOTS=(
	"normal VM: piped input reaches the shell, poweroff -f exits 0"
	"protected VM: piped input reaches the shell, poweroff -f exits 0"
	"protected VM: the prompt (no newline) reaches stdout"
	"--stdin-eof=poweroff: the run ends at the end of input, status 0"
	"guest kernel panic without panic=N: status 34"
)
HVC="protected VM, console=hvc0 (vhyp's virtio-console): piped input reaches the shell"
if [ -z "$kdir" ] || [ -z "$busybox" ] || ! command -v cpio >/dev/null; then
	for b in "${BOOTS[@]}" "$HVC"; do skip "$b" "no Debian kernel or busybox (tests/linux)"; done
	echo "1..$n"
	exit 0
fi
mkdir -p "$W/root/bin" "$W/root/dev" "$W/root/proc"
cp "$busybox" "$W/root/bin/busybox"
for a in sh echo poweroff mount; do ln -s busybox "$W/root/bin/$a"; done
(cd "$W/root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 | gzip -1) >"$W/initrd.gz"

run() { # run TAG INPUT ARGS...: the console in $W/TAG.txt, status in RC
	local tag=$1 input=$2
	shift 2
	RC=0
	printf '%b' "$input" | ./vhyp run --kernel "${IMAGE:-$kdir/Image}" \
		--initrd "$W/initrd.gz" --append "${APPEND:-console=ttyAMA0 rdinit=/bin/sh}" \
		--timeout 120 "$@" >"$W/$tag.log" 2>&1 || RC=$?
	tr -d '\r' <"$W/$tag.log" >"$W/$tag.txt"
}
# The command's output on a line of its own (not only its echo).
said() { grep -qx "$2" "$W/$1.txt"; }
verdict() { # verdict TEXT CONDITION...
	local text=$1
	shift
	if "$@"; then ok "$text"; else
		not_ok "$text"
		echo "# status $RC; console tail:"
		tail -n 8 "$W/$TAG.txt" | sed 's/^/#   /'
	fi
}
expect() { [ "$RC" = "$1" ] && said "$TAG" "$2"; }

TAG=normal
run normal 'echo hello-from-guest\npoweroff -f\n'
verdict "${BOOTS[0]}" expect 0 hello-from-guest
TAG=protected
run protected 'echo hello-from-guest\npoweroff -f\n' --protected
verdict "${BOOTS[1]}" expect 0 hello-from-guest
verdict "${BOOTS[2]}" grep -q '^~ # ' "$W/protected.txt"
TAG=eof
# The guest's shell computes it: the echo of the input alone does not match.
# shellcheck disable=SC2016
run eof 'echo eof-$((6*7))\n' --protected --stdin-eof=poweroff
verdict "${BOOTS[3]}" expect 0 eof-42
TAG=panic
run panic 'mount -t proc proc /proc\necho c >/proc/sysrq-trigger\n'
verdict "${BOOTS[4]}" expect 34 '.*Kernel panic - not syncing.*'
# hvc0 needs a kernel with virtio-mmio built in and the pKVM guest driver
# (restricted DMA): the one `make pkvm-linux-test` builds, if cached.
# shellcheck source=scripts/cache-dir.sh
source scripts/cache-dir.sh
pkvm=$(find "$(vhyp_cache_dir)/pkvm-linux" -mindepth 2 -maxdepth 2 -name Image 2>/dev/null | head -n 1)
if [ -n "$pkvm" ]; then
	TAG=hvc
	IMAGE=$pkvm APPEND='console=hvc0 rdinit=/bin/sh' \
		run hvc 'echo hello-from-hvc\npoweroff -f\n' --protected
	verdict "$HVC" expect 0 hello-from-hvc
else
	skip "$HVC" "no pKVM guest kernel in the cache (make pkvm-linux-test)"
fi
echo "1..$n"
exit "$fail"
