#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Self-test of ./vhyp run (TAP): argument checks (exit 2 with one line),
# the QEMU command line, the guest DTB it makes, and, when the hypervisor
# and guests are built, real boots (demo normal/protected, GICv2, SMP
# self-test), every exit status (docs/runner.md: power-off 0, reset 32,
# hypervisor panic 33, guest kernel panic 34, QEMU stopped 35, timeout 124,
# signals 129/130/143, QEMU failing 1, missing tool 5), and signal handling: no QEMU left,
# temp dir gone, also after SIGKILL of the runner.
# Argument strings are split into words on purpose.
# Option names and cache file names have no spaces (ls | grep is fine).
# shellcheck disable=SC2086,SC2001,SC2010,SC2013
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
O=${O:-build}
VHYP=./vhyp
n=0
failed=0
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# The runner's temp directories (kept by --dry-run) go with ours.
export TMPDIR=$WORK

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

# ---- arguments (issue 11) -------------------------------------------------

# Every value option refuses an empty value, in both spellings.
for o in kernel initrd append smp mem features gic timeout log dump-dtb disk; do
	bad_args "--$o=" "--$o: empty value"
done
for o in kernel initrd append timeout; do
	err=$($VHYP run --dry-run "--$o" "" 2>&1 >/dev/null)
	rc=$?
	check "rejects --$o '' (rc=$rc)" test "$rc" = 2 -a "$err" = "vhyp run: error: --$o: empty value"
done
bad_args "--protected=maybe" "not a boolean"
bad_args "--help=yes" "takes no value"
bad_args "--version=2" "takes no value"
bad_args "stray" "unexpected argument 'stray'"
bad_args "--timeout 0" "not a positive number"
bad_args "--timeout 0.0" "not a positive number"
bad_args "--timeout -1" "not a positive number"
bad_args "--timeout 1e3" "not a positive number"
bad_args "--mem 1.5G" "cannot parse"
# A service without FEATURES cannot be discovered by the guest.
bad_args "--features ptp" "lacks 'features'"
bad_args "--features share,unshare --protected" "lacks 'features'"
bad_args "--features ptp,,features" "empty name"
bad_args "--features 0x3,ptp" "cannot parse"
# The memory minimum is one number.
bad_args "--mem 16M" "too small: at least 32M"
head -c 40000000 /dev/zero >"$WORK/big-initrd"
bad_args "--initrd $WORK/big-initrd --mem 32M" "too small: at least 46M"
bad_args "--initrd $WORK/big-initrd --mem 60M --protected" "too small: at least 62M"

# Accepted forms (dry run): what the command line then says.
dry() { $VHYP run --dry-run "$@" 2>/dev/null; }
dry_has() { # name, expected substring, args...
	local name=$1 want=$2 c
	shift 2
	c=$(dry "$@")
	if [[ $c == *"$want"* ]]; then ok "$name"; else not_ok "$name" "$c"; fi
}
dry_lacks() { # name, unexpected substring, args...
	local name=$1 want=$2 c
	shift 2
	c=$(dry "$@")
	if [ -n "$c" ] && [[ $c != *"$want"* ]]; then ok "$name"; else not_ok "$name" "$c"; fi
}
dry_has "--protected=1 is protected" "vhyp.protected=1" --protected=1
dry_has "--protected=yes is protected" "vhyp.protected=1" --protected=yes
dry_lacks "--protected=no is not" "vhyp.protected" --protected=no
dry_lacks "--protected=0 is not" "vhyp.protected" --protected=0
dry_has "--icount=on" "-icount shift=0" --icount=on
dry_has "--mem 1024 is MiB" "-m 1088M" --mem 1024
dry_has "--mem=1G" "-m 1088M" --mem=1G
dry_has "--mem 1048576K" "-m 1088M" --mem 1048576K
dry_has "--mem 536870912B is bytes" "-m 576M" --mem 536870912B
dry_has "--smp=2" "-smp 2" --smp=2
dry_has "--gic=2" "gic-version=2" --gic=2
dry_has "--log=1" "vhyp.log=1" --log=1
dry_has "--features=features" "vhyp.features=0x1" --features=features
dry_has "--features 0 hides everything" "vhyp.features=0x0" --features 0
dry_has "--protected --mem 64M fits the demo" "-m 128M" --protected --mem 64M
check "--timeout .5 accepted" dry --timeout .5
check "--timeout 2.5 accepted" dry --timeout=2.5
check "--timeout 5. accepted" dry --timeout 5.

# --append passes any string verbatim, also one starting with '-'.
append_is() { # name, string, how (space or =)
	local name=$1 want=$2 got
	if [ "$3" = "=" ]; then
		$VHYP run --dry-run --append="$want" --dump-dtb "$WORK/a.dtb" >/dev/null 2>&1
	else
		$VHYP run --dry-run --append "$want" --dump-dtb "$WORK/a.dtb" >/dev/null 2>&1
	fi
	got=$(fdtget "$WORK/a.dtb" /chosen bootargs 2>&1)
	if [ "$got" = "$want" ]; then ok "$name"; else not_ok "$name" "got '$got'"; fi
	rm -f "$WORK/a.dtb"
}
append_is "--append '-foo' verbatim" "-foo" " "
append_is "--append '--bar=1 x' verbatim" "--bar=1 x" " "
append_is "--append=-h verbatim" "-h" "="
append_is "--append with quotes and \$" "a 'b' \"c\" \$HOME;" " "

# --help: no placeholders; every option in it is documented.
help=$($VHYP run --help 2>&1)
check "--help has no placeholder" test -z "$(grep -E '\.\.MAX|<[A-Z]+>' <<<"$help")"
check "--help names the CPU limit" grep -q "1 to 8" <<<"$help"
for o in $(grep -oE '^  (-h, )?--[a-z-]+' <<<"$help" | grep -oE -- '--[a-z-]+'); do
	check "docs/runner.md documents $o" grep -qF -- "\`$o" docs/runner.md
done
check "docs/runner.md lists exit status 5" grep -qE '^\| 5 \|' docs/runner.md
ver=$($VHYP run --version 2>&1)
rc=$?
check "--version: exit 0, 'vhyp VERSION'" test "$rc" = 0 -a -n "$(grep -E '^vhyp [^ ]+' <<<"$ver")"

# ---- environment ----------------------------------------------------------

# HOME unset: the board-DTB cache falls back to a directory in TMPDIR.
out=$(env -u HOME -u XDG_CACHE_HOME -u VHYP_CACHE TMPDIR="$WORK" $VHYP run --dry-run 2>&1)
rc=$?
check "HOME unset: dry run works (rc=$rc)" test "$rc" = 0
check "HOME unset: cache in \$TMPDIR" test -n "$(ls "$WORK"/vhyp-cache-*/board-dtb/*.dtb 2>/dev/null)"
rm -rf "$WORK"/vhyp-run.*

# A missing tool: exit 5 (EXIT_MISSING_TOOL) and one line naming it.
mkdir -p "$WORK/bin"
for f in /usr/bin/* /bin/*; do ln -sf "$f" "$WORK/bin/" 2>/dev/null; done
rm -f "$WORK/bin/dtc"
err=$(PATH=$WORK/bin $VHYP run --dry-run 2>&1 >/dev/null)
rc=$?
check "missing dtc: exit 5, one line naming it (rc=$rc)" \
	test "$rc" = 5 -a "$(grep -c . <<<"$err")" = 1 -a -n "$(grep 'missing dtc' <<<"$err")"
err=$(QEMU=no-such-qemu $VHYP run --dry-run 2>&1 >/dev/null)
rc=$?
check "missing QEMU: exit 5, one line naming it (rc=$rc)" \
	test "$rc" = 5 -a "$(grep -c . <<<"$err")" = 1 -a -n "$(grep 'missing no-such-qemu' <<<"$err")"
check "--help works without the tools" env PATH="$WORK/bin" $VHYP run --help

# --dry-run starts nothing: QEMU (through a logging wrapper) only runs to
# dump the board DTB (dumpdtb=, no CPU runs), never to boot.
cat >"$WORK/qemu-log" <<EOF
#!/bin/sh
echo "\$*" >>"$WORK/qemu-calls"
exec qemu-system-aarch64 "\$@"
EOF
chmod +x "$WORK/qemu-log"
: >"$WORK/qemu-calls"
cmd=$(QEMU=$WORK/qemu-log $VHYP run --dry-run --no-cache 2>"$WORK/dry.err")
check "--dry-run: QEMU only dumped the DTB" \
	test "$(grep -c . "$WORK/qemu-calls")" = 1 -a "$(grep -c 'dumpdtb=' "$WORK/qemu-calls")" = 1
drydir=$(sed -n 's/.*files are in \([^ ]*\) .*/\1/p' "$WORK/dry.err")
check "--dry-run: names a directory that holds its files" test -d "$drydir" -a -f "$drydir/guest.dtb"
if [ -f "$O/hyp/vhyp.bin" ] && [ -f "$O/guest/demo.bin" ]; then
	out=$(timeout 60 bash -c "${cmd//$WORK\/qemu-log/qemu-system-aarch64}" </dev/null 2>&1)
	rc=$?
	check "--dry-run: the printed command runs as printed (rc=$rc)" \
		grep -q "demo: powering off" <<<"$out"
fi
[ -z "$drydir" ] || rm -rf "$drydir"

# The board-DTB cache: --no-cache leaves it alone; it keeps the newest 16.
mkdir -p "$WORK/cache/board-dtb"
VHYP_CACHE=$WORK/cache $VHYP run --dry-run --no-cache --smp 3 >/dev/null 2>"$WORK/dry.err"
rm -rf "$(sed -n 's/.*files are in \([^ ]*\) .*/\1/p' "$WORK/dry.err")"
check "--no-cache writes no cache file" test -z "$(ls "$WORK/cache/board-dtb")"
for i in $(seq 1 20); do
	touch -d "2020-01-01 00:00:$i" "$WORK/cache/board-dtb/old$i.dtb"
done
VHYP_CACHE=$WORK/cache $VHYP run --dry-run --smp 3 >/dev/null 2>"$WORK/dry.err"
rm -rf "$(sed -n 's/.*files are in \([^ ]*\) .*/\1/p' "$WORK/dry.err")"
check "DTB cache pruned to 16 files" test "$(ls "$WORK/cache/board-dtb" | grep -c '\.dtb$')" = 16
check "DTB cache keeps the new file, drops the oldest" \
	test -z "$(ls "$WORK/cache/board-dtb" | grep -xE 'old[1-5]\.dtb')" -a \
	-n "$(ls "$WORK/cache/board-dtb" | grep -vE '^old')"
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
expect_in_cmd "-device pvpanic-pci -action panic=exit-failure"
if [[ $cmd == *semihosting* ]]; then not_ok "no semihosting" "$cmd"; else ok "no semihosting"; fi
token=$(grep -oE 'vhyp\.token=[0-9a-f]{32} ' <<<"$cmd" | head -n 1)
check "a console token first on the hypervisor's command line" test -n "$token"
expect_in_cmd "vhyp.entry=0x40200000 vhyp.dtb=0x40400000 vhyp.protected=1 vhyp.features=0x1f vhyp.log=2"
cmd2=$($VHYP run --dry-run 2>&1)
check "a fresh token per run" test "$(grep -oE 'vhyp\.token=[0-9a-f]{32}' <<<"$cmd2")" != "${token% }"
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
	cmd=$($VHYP run --dry-run --append "console=ttyAMA0" --dump-dtb "$WORK/g3.dtb" 2>&1)
	token=$(grep -oE 'vhyp\.token=[0-9a-f]{32}' <<<"$cmd" | cut -d= -f2)
	check "DTB: the console token is not in the guest DTB" eval "[ -n '$token' ] && ! grep -qa '$token' '$WORK/g3.dtb' && ! dtc -q -I dtb -O dts '$WORK/g3.dtb' | grep -qiE 'vhyp\\.|$token'"
	check "DTB: no PCIe host bridge (pvpanic stays the hypervisor's)" test -z "$(fdtget -l "$WORK/g3.dtb" / | grep -E '^pcie')"
	bad_args "--kernel $WORK/demo.gz --initrd $WORK/initrd --mem 32M --features=ptp,features,x" "unknown feature 'x'"
fi

# A guest that never ends: an arm64 Image whose first instruction is
# "b ." (image_size 4 KiB).
spin_image() {
	{
		printf '\x00\x00\x00\x14'
		head -c 12 /dev/zero
		printf '\x00\x10\x00\x00\x00\x00\x00\x00'
		head -c 32 /dev/zero
		printf 'ARM\x64'
		head -c $((4096 - 60)) /dev/zero
	} >"$1"
}

# The runner in the background with TMPDIR=$1, once its guest runs.  A
# shell's background job ignores SIGINT: env restores it, as a terminal's
# foreground job has it.
start_bg() {
	local dir=$1
	shift
	TMPDIR=$dir env --default-signal=INT,QUIT $VHYP run --kernel "$WORK/spin.img" "$@" \
		</dev/null >"$dir.log" 2>&1 &
	# Up to 30 s: a first run on a fresh machine dumps the board DTB, and
	# a loaded machine is slow to boot QEMU.
	for _ in $(seq 300); do
		grep -q '^vhyp: entering guest' "$dir.log" 2>/dev/null && break
		sleep 0.1
	done
}
# wait for $1, but never more than 10 s (then SIGKILL: a failed test).
wait_bg() {
	local guard
	(sleep 10 && kill -KILL "$1" 2>/dev/null) &
	guard=$!
	wait "$1"
	local rc=$?
	kill "$guard" 2>/dev/null
	return "$rc"
}

# Signals: the runner, started in the background with TMPDIR=$dir (so its
# QEMU's command line names $dir: pgrep -f finds it), gets signal $2 after
# the guest runs; it must exit with $3 within 2 s, with no QEMU left and
# its temp dir gone.
signal_case() { # name, signal, status, runner args...
	local name=$1 sig=$2 want=$3 dir=$WORK/sig-$1 pid rc t0 left
	shift 3
	mkdir -p "$dir"
	start_bg "$dir" "$@"
	pid=$!
	t0=$(date +%s%N)
	kill -"$sig" "$pid"
	wait_bg "$pid"
	rc=$?
	t0=$((($(date +%s%N) - t0) / 1000000))
	left=$(pgrep -f "$dir/" | wc -l)
	if [ "$rc" -eq "$want" ] && [ "$t0" -lt 2000 ] && [ "$left" -eq 0 ] &&
		[ -z "$(ls -A "$dir")" ]; then
		ok "$name: status $want in $t0 ms, no QEMU left, temp dir gone"
	else
		not_ok "$name: status $rc (want $want) in $t0 ms, $left processes left, temp: $(ls -A "$dir")" "$(tail -n 5 "$dir.log")"
	fi
	pkill -KILL -f "$dir/" 2>/dev/null || true
}

signal_tests() {
	# Without pgrep/pkill every "no QEMU left" check below would pass
	# without looking (make test installs procps).
	if ! command -v pgrep >/dev/null || ! command -v pkill >/dev/null; then
		not_ok "signal tests: pgrep and pkill (procps) are needed"
		return
	fi
	local dir=$WORK/sig-kill pid left
	spin_image "$WORK/spin.img"
	signal_case "SIGINT" INT 130
	signal_case "SIGTERM" TERM 143
	signal_case "SIGHUP" HUP 129
	signal_case "SIGINT with --timeout" INT 130 --timeout 60
	signal_case "SIGTERM with --timeout" TERM 143 --timeout 60
	# SIGKILL: QEMU dies with the runner (parent-death signal); the next
	# run removes the temp dir.
	mkdir -p "$dir"
	start_bg "$dir"
	pid=$!
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	sleep 0.5
	left=$(pgrep -f "$dir/" | wc -l)
	check "SIGKILL of the runner: no QEMU left ($left)" test "$left" -eq 0
	# The next run (a dry run, whose own files stay) removes the dead
	# run's directory.
	local stale
	stale=$(ls -A "$dir")
	TMPDIR=$dir $VHYP run --dry-run >/dev/null 2>&1
	check "SIGKILL of the runner: the next run removes its temp dir ($stale)" \
		test -n "$stale" -a ! -e "$dir/$stale"
	pkill -KILL -f "$dir/" 2>/dev/null || true
	# QEMU ended from outside (as with Ctrl-A x): no power-off seen.
	dir=$WORK/sig-qemu
	mkdir -p "$dir"
	start_bg "$dir"
	pid=$!
	pkill -TERM -f "qemu-system-aarch64.*$dir/"
	local rc=0
	wait_bg "$pid" || rc=$?
	check "QEMU stopped from outside gives 35 (got $rc)" test "$rc" -eq 35
	if command -v script >/dev/null; then
		# Ctrl-A x on a terminal (script(1) makes one).
		(sleep 3; printf '\001x'; sleep 2) |
			script -qec "$VHYP run --kernel $WORK/spin.img --timeout 30" /dev/null >"$dir.log" 2>&1
		local rc=$?
		if [ "$rc" -eq 35 ]; then ok "Ctrl-A x on a terminal gives 35"; else
			not_ok "Ctrl-A x on a terminal gives 35 (got $rc)" "$(tail -n 3 "$dir.log")"; fi
	fi
}

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
	VHYP_HYP_ARGS=vhyp.debug_fault=1 boot "hypervisor panic (EL2 fault): register dump, 33" 33 \
		"^vhyp: x30 0x" --timeout 60
	if [ -f "$O/guest/attack-console.bin" ]; then
		boot "guest reset gives 32" 32 "^vhyp: guest called SYSTEM_RESET" \
			--kernel "$O/guest/attack-semihosting.bin" --timeout 60
		boot "Linux's panic line, then a reset: guest kernel panic, 34" 34 \
			"guest kernel panic" --kernel "$O/guest/attack-console.bin" --append reset --timeout 60
		boot "forged hypervisor lines, then power-off: still 0" 0 \
			"^\[guest\] vhyp: guest called SYSTEM_RESET" --kernel "$O/guest/attack-console.bin" --timeout 60
	fi
	QEMU=/bin/false boot "QEMU failing gives 1" 1 "QEMU could not" --no-cache --timeout 60
	signal_tests
	if [ -f "$O/guest/rt-selftest.bin" ]; then
		boot "rt-selftest, 4 CPUs" 0 "rt-selftest: PASS" --kernel "$O/guest/rt-selftest.bin" --smp 4 --timeout 60
	fi
else
	echo "# hypervisor or demo not built: boots skipped"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
