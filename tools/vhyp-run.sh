#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `./vhyp run`: boots a guest under the vhyp hypervisor in QEMU, following
# docs/boot-contract.md.  See docs/runner.md and `./vhyp run --help`.
#
# Exit status: see EXIT_* below, usage() and docs/runner.md.  The guest
# cannot choose it: it comes from the hypervisor's marked console lines
# (through the console filter, tools/vhyp-console.c) and QEMU's status.
# 5 (EXIT_MISSING_TOOL): a program the runner needs is not installed.
# A && B || die is the idiom here (die exits); cells64 output is split on
# purpose into fdtput arguments; cleanup runs from a trap.
# shellcheck disable=SC2015,SC2046,SC2317
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
O=${O:-$REPO/build}
QEMU=${QEMU:-qemu-system-aarch64}
PROG="vhyp run"

usage() {
	# The CPU limit comes from the headers; --help works without them too.
	local max_cpus=${VHYP_MAX_VCPUS:-"VHYP_MAX_VCPUS (include/vhyp/boot.h)"}
	cat <<EOF
usage: ./vhyp run [options]

Boots a guest (an arm64 Linux Image) under the vhyp hypervisor in QEMU.
Without --kernel it boots the demo guest ($O/guest/demo.bin).
Every option also takes the form --option=value.

  --kernel IMAGE     guest arm64 Image (uncompressed or gzip)
  --initrd FILE      initial ramdisk for the guest
  --append ARGS      guest kernel command line (/chosen bootargs), passed
                     verbatim, also when it starts with '-'
  --smp N            number of CPUs, 1 to $max_cpus (default 1)
  --mem SIZE         guest RAM: a number of MiB (1024) or with a unit
                     (512M, 2G, 1048576K); a multiple of 2M, at least 32M
                     (more for a large kernel or initrd); default 512M;
                     the hypervisor's 64 MiB come on top
  --protected        run the guest as a protected VM (also --protected=yes|no)
  --disk FILE[,ro][,snapshot]
                     a virtio-blk device (vhyp's own) backed by FILE, any
                     size, writes saved; ro: read-only; snapshot: writes
                     thrown away at exit.  Up to 4 --disk (vda, vdb...)
  --features LIST    vendor-hyp FEATURES bitmap: comma-separated names
                     (features, ptp, meminfo, share, unshare, mmio_guard)
                     or a number (0x9f); a subset of the VM kind's default
                     (0x3 normal, 0x9f protected) that includes 'features'
                     (or 0: every service hidden)
  --gic 2|3          GIC version (default 3)
  --icount           deterministic instruction-count time (-icount shift=0)
  --mte              the board has MTE tag memory (QEMU's virt,mte=on)
  --timeout SECONDS  stop QEMU after SECONDS, decimals allowed (2.5, .5)
                     (exit status 124)
  --log 0|1|2        hypervisor log level (vhyp.log=)
  --stdin-eof ignore|poweroff
                     with piped input (stdin not a terminal): at its end,
                     ignore: the run goes on (default); poweroff: once the
                     guest has printed nothing for 2 s, QEMU is stopped
                     and the run exits 0 (unless it ended otherwise first)
  --dump-dtb FILE    also write the guest DTB to FILE
  --no-cache         neither read nor write the board-DTB cache
  --dry-run          print the QEMU command line and start nothing; its
                     files are kept in a directory it names
  --version          print vhyp's version
  -h, --help         this text

Exit status (docs/runner.md):
    0  the guest powered off (PSCI SYSTEM_OFF, SYSTEM_OFF2)
    1  something the run needs is missing or failed (the build,
       QEMU failing to start or ending with an error)
    2  bad arguments
    5  a program the runner needs is not installed (one line names it)
   32  the guest reset (PSCI SYSTEM_RESET, SYSTEM_RESET2)
   33  hypervisor panic
   34  guest kernel panic: Linux's "Kernel panic - not syncing", then a
       reset, or no reset within 5 s (QEMU is stopped)
   35  QEMU stopped without a guest power-off or reset (Ctrl-A x; QEMU
       killed from outside)
  124  --timeout expired
  129, 130, 143  interrupted by SIGHUP, SIGINT, SIGTERM (128 + signal)
Console: the hypervisor's own lines start with "vhyp: "; a guest line
that starts with "vhyp" is shown as "[guest] vhyp...".  Piped input is
held until the guest prompts (output ending without a newline, then
quiet for 0.3 s; or quiet for 10 s), then passed on as it comes.
EOF
}

# vhyp's version: the VERSION file, and `git describe` of the checkout
# when there is one ("vhyp 0.1 (git d144c1d-dirty)").
version() {
	local v g=""
	v=$(cat "$REPO/VERSION" 2>/dev/null || echo unknown)
	if command -v git >/dev/null && [ -e "$REPO/.git" ]; then
		g=$(git -C "$REPO" describe --tags --always --dirty 2>/dev/null || true)
	fi
	echo "vhyp $v${g:+ (git $g)}"
}

# A one-line error about the arguments: exit 2.
bad_args() {
	echo "$PROG: error: $*" >&2
	exit 2
}
# Something the run needs is missing or broken: exit 1.
fail() {
	echo "$PROG: error: $*" >&2
	exit 1
}
# A tool the runner needs is not installed (docs/runner.md, exit status).
EXIT_MISSING_TOOL=5

# Every external program a run may use, checked before anything starts, with
# the Debian package that has it.  (bash builtins and coreutils' own
# programs other than these are assumed, as is a POSIX shell.)
REQUIRED_TOOLS=("$QEMU:qemu-system-arm" dtc:device-tree-compiler
	fdtput:device-tree-compiler fdtget:device-tree-compiler gzip:gzip
	od:coreutils stat:coreutils sha256sum:coreutils timeout:coreutils
	mktemp:coreutils dd:coreutils sed:sed grep:grep xargs:findutils)
check_tools() {
	local t missing=() pkgs=()
	for t in "${REQUIRED_TOOLS[@]}"; do
		command -v "${t%:*}" >/dev/null && continue
		missing+=("${t%:*}")
		[[ " ${pkgs[*]} " == *" ${t##*:} "* ]] || pkgs+=("${t##*:}")
	done
	# The constants are read from the C headers through a preprocessor.
	if ! command -v cpp >/dev/null && ! command -v clang >/dev/null; then
		missing+=("cpp (or clang)")
		pkgs+=(cpp)
	fi
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "$PROG: error: missing ${missing[*]} (Debian: apt-get install ${pkgs[*]}; or make run installs them)" >&2
	exit "$EXIT_MISSING_TOOL"
}

# The user's cache (board DTBs), also with HOME unset.
# shellcheck source=scripts/cache-dir.sh
source "$REPO/scripts/cache-dir.sh"

# Exit statuses (usage(), docs/runner.md): distinct from each other, from
# QEMU's own 0 and 1, and from the shell's 126/127 and 128+signal.
EXIT_POWER_OFF=0 EXIT_FAILED=1 EXIT_GUEST_RESET=32
EXIT_HYP_PANIC=33 EXIT_GUEST_PANIC=34 EXIT_QEMU_STOPPED=35 EXIT_TIMEOUT=124

WORK="" KEEP_WORK=0 QEMU_PID="" FILTER_PID="" TIMER_PID="" TIMED_OUT=0
cleanup() {
	stop_run
	[ -z "$WORK" ] || [ "$KEEP_WORK" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
# A signal stops QEMU (within a second), removes the temp dir (the EXIT
# trap) and exits 128 + the signal's number.
on_signal() {
	trap '' INT TERM HUP
	echo "$PROG: interrupted by SIG$1" >&2
	exit "$2"
}
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP
trap 'TIMED_OUT=1' USR1
# The console filter asks for the end of the run (guest panic without a
# reset, --stdin-eof=poweroff): the reason is in the events file.
FILTER_STOP=0 STDIN_EOF=ignore
trap 'FILTER_STOP=1' USR2

# ---- constants: one definition each, in the C headers -----------------

# Prints "NAME VALUE" for each C constant expression, evaluated from the
# headers (include/vhyp, core/include) by the C preprocessor and bash.
header_values() {
	local name src="" line expr
	src+=$'#include <vhyp/board.h>\n#include <vhyp/boot.h>\n#include <vhyp/kvm_vendor.h>\n'
	src+=$'#include <core/vm.h>\n'
	for name in "$@"; do
		# The quoted copy of the name escapes macro expansion.
		src+="VHYPRUN_VALUE \"$name\" = $name"$'\n'
	done
	local pp=(cpp -P)
	command -v cpp >/dev/null || pp=(clang -E -P -x c)
	"${pp[@]}" -I"$REPO/include" -I"$REPO/core/include" - <<<"$src" |
		grep '^VHYPRUN_VALUE ' | while read -r _ name _ expr; do
			# 0x4000000ULL -> 0x4000000 for bash arithmetic.
			expr=$(sed -E 's/\b(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]+\b/\1/g' <<<"$expr")
			echo "${name//\"/} $((expr))"
		done
}

load_constants() {
	local name value
	while read -r name value; do
		printf -v "$name" '%s' "$value"
	done < <(header_values VHYP_WINDOW_SIZE VHYP_GUEST_RAM_BASE \
		VHYP_GUEST_KERNEL_PA VHYP_MAX_VCPUS KVM_FUNC_FEATURES \
		KVM_FUNC_PTP KVM_FUNC_HYP_MEMINFO KVM_FUNC_MEM_SHARE \
		KVM_FUNC_MEM_UNSHARE KVM_FUNC_MMIO_GUARD \
		KVM_FEATURES_NORMAL_DEFAULT KVM_FEATURES_PROTECTED_DEFAULT \
		KVM_FEATURES_IMPLEMENTED VHYP_VIRTIO_CONSOLE_BASE \
		VHYP_VIRTIO_CONSOLE_SPI VHYP_VIRTIO_BLK_BASE VHYP_VIRTIO_BLK_SPI \
		VHYP_VIRTIO_WINDOW_SIZE VHYP_DMA_POOL_SIZE)
	[ -n "${VHYP_WINDOW_SIZE:-}" ] && [ -n "${KVM_FEATURES_IMPLEMENTED:-}" ] &&
		[ -n "${VHYP_DMA_POOL_SIZE:-}" ] ||
		fail "cannot read constants from include/vhyp (is cpp installed?)"
}

# ---- argument parsing ---------------------------------------------------

MiB=$((1 << 20))
ALIGN_2M=$((2 * MiB))
MIN_MEM=$((32 * MiB))
MAX_MEM=$((64 << 30))

KERNEL="" INITRD="" APPEND="" SMP=1 MEM_ARG=512M PROTECTED=0 FEATURES_ARG=""
FEATURES_SET=0 GIC=3 ICOUNT=0 TIMEOUT="" LOG="" DUMP_DTB="" DRY_RUN=0
MTE="" # --mte: ",mte=on" appended to the machine
DISK="" DISK_RESERVE=0 DISKS=() DISK_FILES=() DISK_OPTS=() NO_CACHE=0

# Parses SIZE: a number of MiB (as QEMU's -m, kvmtool and crosvm read it),
# or with a unit K/M/G/T (optionally KiB/KB...), or B for bytes.
parse_size() {
	local s=$1 num unit mult
	[[ $s =~ ^([0-9]+)(([kKmMgGtT])(i?[bB])?|[bB])?$ ]] || return 1
	num=${BASH_REMATCH[1]} unit=${BASH_REMATCH[3]^^}
	[ -n "${BASH_REMATCH[2]}" ] && [ -z "$unit" ] && unit=B
	[ ${#num} -le 12 ] || return 1
	case $unit in
	B) mult=1 ;;
	K) mult=$((1 << 10)) ;;
	"" | M) mult=$((1 << 20)) ;;
	G) mult=$((1 << 30)) ;;
	T) mult=$((1 << 40)) ;;
	esac
	num=$((10#$num))
	# Saturate instead of overflowing bash's 64-bit arithmetic.
	if [ "$num" -gt $(((1 << 62) / mult)) ]; then
		echo $((1 << 62))
	else
		echo $((num * mult))
	fi
}

# A boolean option's value: none (the option alone) is true.
parse_bool() {
	case ${2,,} in
	"" | 1 | yes | true | on) echo 1 ;;
	0 | no | false | off) echo 0 ;;
	*) bad_args "$1: '$2' is not a boolean (yes/no, 1/0, true/false, on/off)" ;;
	esac
}

parse_args() {
	local opt val has_val
	while [ $# -gt 0 ]; do
		opt=$1 val="" has_val=0
		if [[ $opt == --*=* ]]; then
			val=${opt#*=} opt=${opt%%=*} has_val=1
		fi
		case $opt in
		-h | --help | --version | --no-cache | --protected | --icount | --dry-run | --mte)
			if [ "$has_val" = 1 ]; then
				case $opt in
				--protected | --icount | --dry-run | --no-cache | --mte) ;;
				*) bad_args "$opt takes no value (got '$val')" ;;
				esac
			fi
			case $opt in
			-h | --help) SHOW=help ;;
			--version) SHOW=version ;;
			--protected) PROTECTED=$(parse_bool "$opt" "$val") ;;
			--icount) ICOUNT=$(parse_bool "$opt" "$val") ;;
			--dry-run) DRY_RUN=$(parse_bool "$opt" "$val") ;;
			--no-cache) NO_CACHE=$(parse_bool "$opt" "$val") ;;
			--mte)
				MTE=""
				[ "$(parse_bool "$opt" "$val")" = 0 ] || MTE=,mte=on
				;;
			esac
			;;
		--kernel | --initrd | --append | --smp | --mem | --features | --gic | \
			--timeout | --log | --dump-dtb | --disk | --stdin-eof)
			if [ "$has_val" = 0 ]; then
				[ $# -ge 2 ] || bad_args "$opt needs a value"
				val=$2
				shift
				# A forgotten value must not swallow the next option;
				# --append takes anything (--append=... too).
				[[ $opt == --append || $val != --* ]] ||
					bad_args "$opt needs a value (got option '$val')"
			fi
			[ -n "$val" ] || bad_args "$opt: empty value"
			case $opt in
			--kernel) KERNEL=$val ;;
			--initrd) INITRD=$val ;;
			--append) APPEND=$val ;;
			--smp) SMP=$val ;;
			--mem) MEM_ARG=$val ;;
			--features) FEATURES_ARG=$val FEATURES_SET=1 ;;
			--gic) GIC=$val ;;
			--timeout) TIMEOUT=$val ;;
			--log) LOG=$val ;;
			--dump-dtb) DUMP_DTB=$val ;;
			--stdin-eof)
				case $val in
				ignore | poweroff) STDIN_EOF=$val ;;
				*) bad_args "--stdin-eof: '$val' is not ignore or poweroff" ;;
				esac
				;;
			--disk)
				DISK=$val
				DISKS+=("$val")
				;;
			esac
			;;
		-*) bad_args "unknown option '$opt' (see ./vhyp run --help)" ;;
		*) bad_args "unexpected argument '$opt' (options start with --; see ./vhyp run --help)" ;;
		esac
		shift
	done
}

# --features, through the core's own parser (tools/features.c).
check_features() {
	local tool=$O/tools/vhyp-features msg
	[ -x "$tool" ] || fail "$tool is missing: run 'make all' first (it checks --features)"
	if msg=$("$tool" "$FEATURES_ARG" "$([ "$PROTECTED" = 1 ] && echo protected || echo normal)"); then
		FEATURES=$((msg))
	else
		[ -n "$msg" ] || msg="'$FEATURES_ARG' refused"
		bad_args "--features: $msg"
	fi
}

check_args() {
	[[ $SMP =~ ^[0-9]{1,4}$ ]] || bad_args "--smp: '$SMP' is not a number"
	SMP=$((10#$SMP))
	[ "$SMP" -ge 1 ] && [ "$SMP" -le "$VHYP_MAX_VCPUS" ] ||
		bad_args "--smp: $SMP CPUs (must be 1..$VHYP_MAX_VCPUS)"

	MEM=$(parse_size "$MEM_ARG") ||
		bad_args "--mem: cannot parse '$MEM_ARG' (MiB, or with a unit: 512M, 1G)"
	# The lower bound depends on the kernel: plan_layout checks it.
	[ "$MEM" -le "$MAX_MEM" ] || bad_args "--mem: $MEM_ARG is too large (at most 64G)"
	[ $((MEM % ALIGN_2M)) -eq 0 ] || bad_args "--mem: $MEM_ARG is not a multiple of 2M"

	[[ $GIC == 2 || $GIC == 3 ]] || bad_args "--gic: '$GIC' (must be 2 or 3)"

	if [ -n "$TIMEOUT" ]; then
		# What timeout(1) takes, as plain seconds: 5, 2.5, .5, 5.
		[[ $TIMEOUT =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] && [[ $TIMEOUT =~ [1-9] ]] ||
			bad_args "--timeout: '$TIMEOUT' is not a positive number of seconds"
	fi
	if [ -n "$LOG" ]; then
		[[ $LOG =~ ^[012]$ ]] || bad_args "--log: '$LOG' (must be 0, 1 or 2)"
	fi

	FEATURES=""
	[ "$FEATURES_SET" = 0 ] || check_features

	if [ -n "$INITRD" ]; then
		[ -f "$INITRD" ] && [ -r "$INITRD" ] || bad_args "--initrd: '$INITRD' is not a readable file"
	fi
	check_disks
}

# --disk FILE[,ro][,snapshot]: sets DISK_FILES and DISK_OPTS (QEMU -drive
# options).  Each is a QEMU virtio-blk device that only the hypervisor
# reaches (docs/protected-vms.md); the guest sees vhyp's virtio-blk.
MAX_DISKS=4
check_disks() {
	local spec file opt size ro snap
	[ "${#DISKS[@]}" -le "$MAX_DISKS" ] || bad_args "--disk: at most $MAX_DISKS disks"
	for spec in "${DISKS[@]}"; do
		file=$spec ro=0 snap=0
		while [[ $file =~ ^(.*),(ro|snapshot)$ ]]; do
			file=${BASH_REMATCH[1]}
			opt=${BASH_REMATCH[2]}
			[ "$opt" = ro ] && ro=1
			[ "$opt" = snapshot ] && snap=1
		done
		[ -n "$file" ] || bad_args "--disk: no file in '$spec'"
		[ -f "$file" ] && [ -r "$file" ] || bad_args "--disk: '$file' is not a readable file"
		[ "$ro" = 1 ] || [ "$snap" = 1 ] || [ -w "$file" ] ||
			bad_args "--disk: '$file' is not writable (add ,ro or ,snapshot)"
		size=$(stat -c %s "$file")
		[ "$size" -ge 512 ] && [ $((size % 512)) -eq 0 ] ||
			bad_args "--disk: '$file' is $size bytes (must be a non-zero multiple of 512)"
		opt="format=raw,cache=writeback"
		[ "$ro" = 0 ] || opt+=",readonly=on"
		[ "$snap" = 0 ] || opt+=",snapshot=on"
		DISK_FILES+=("$file")
		DISK_OPTS+=("$opt")
	done
}

# ---- images ------------------------------------------------------------

# Little-endian u64 at byte offset $2 of file $1, in decimal.
le64() {
	local v
	v=$(od -An -v -t u8 --endian=little -j "$2" -N 8 "$1" | tr -d ' ')
	echo "${v:-0}"
}

is_arm64_image() {
	[ "$(od -An -v -t x1 -j 56 -N 4 "$1" 2>/dev/null | tr -d ' \n')" = 41524d64 ]
}

# Sets KERNEL_FILE, KERNEL_TEXT_OFFSET, KERNEL_IMAGE_SIZE.
prepare_kernel() {
	local k=$KERNEL what="--kernel"
	if [ -z "$k" ]; then
		k=$O/guest/demo.bin
		what="the demo guest"
		[ -f "$k" ] || fail "$k is missing: run 'make all' first"
	fi
	[ -f "$k" ] && [ -r "$k" ] || bad_args "$what: '$k' is not a readable file"
	if [ "$(od -An -v -t x1 -N 2 "$k" | tr -d ' \n')" = 1f8b ]; then
		gzip -dc <"$k" >"$WORK/kernel.img" 2>/dev/null ||
			bad_args "$what: '$k' looks gzip-compressed but does not decompress"
		k=$WORK/kernel.img
	fi
	[ "$(stat -c %s "$k")" -ge 64 ] && is_arm64_image "$k" ||
		bad_args "$what: '$KERNEL' is not an arm64 Image (no ARM\\x64 magic at offset 56)"
	KERNEL_FILE=$k
	KERNEL_TEXT_OFFSET=$(le64 "$k" 8)
	KERNEL_IMAGE_SIZE=$(le64 "$k" 16)
	# Values read as unsigned: a garbage header can exceed bash's range.
	[[ $KERNEL_IMAGE_SIZE =~ ^[0-9]{1,15}$ && $KERNEL_TEXT_OFFSET =~ ^[0-9]{1,15}$ ]] ||
		bad_args "$what: implausible image_size or text_offset in the Image header"
	if [ "$KERNEL_IMAGE_SIZE" -eq 0 ]; then
		# Pre-3.17 header: text_offset is 0x80000 and the size unknown.
		KERNEL_TEXT_OFFSET=$((0x80000))
		KERNEL_IMAGE_SIZE=$(stat -c %s "$k")
	fi
	[ "$KERNEL_TEXT_OFFSET" -lt "$ALIGN_2M" ] ||
		bad_args "$what: text_offset $(printf '0x%x' "$KERNEL_TEXT_OFFSET") is not below 2 MiB"
}

# The hypervisor Image, with text_offset patched so that QEMU loads it at
# the start of the top VHYP_WINDOW_SIZE bytes of RAM.
prepare_hyp() {
	local src=$O/hyp/vhyp.bin size
	if [ ! -f "$src" ]; then
		[ "$DRY_RUN" = 1 ] || fail "$src is missing: run 'make all' first"
		HYP_FILE=$src
		return
	fi
	is_arm64_image "$src" || fail "$src is not an arm64 Image"
	size=$(le64 "$src" 16)
	[ "$size" -gt 0 ] || fail "$src has image_size 0 (QEMU would ignore text_offset)"
	[ "$size" -le $((VHYP_WINDOW_SIZE - ALIGN_2M)) ] ||
		fail "$src is too large for the $((VHYP_WINDOW_SIZE / MiB)) MiB window"
	HYP_FILE=$WORK/vhyp.bin
	cp "$src" "$HYP_FILE"
	write_le64 "$HYP_FILE" 8 $((MEM + DISK_RESERVE))
}

write_le64() {
	local file=$1 off=$2 val=$3 i esc=""
	for i in 0 1 2 3 4 5 6 7; do
		esc+=$(printf '\\x%02x' $(((val >> (8 * i)) & 0xff)))
	done
	printf '%b' "$esc" | dd of="$file" bs=1 seek="$off" conv=notrunc status=none
}

align_up() { echo $((($1 + $2 - 1) / $2 * $2)); }
hex() { printf '0x%x' "$1"; }
# A u64 as two 32-bit cells for fdtput -t x.
cells64() { printf '0x%x 0x%x' $(($1 >> 32)) $(($1 & 0xffffffff)); }
random_cells() { od -An -v -t x4 -N $((4 * $1)) /dev/urandom | xargs printf '0x%s '; }

# Guest physical layout: Image, initrd, DTB (each start 2 MiB aligned).
plan_layout() {
	local end need
	KERNEL_PA=$((VHYP_GUEST_KERNEL_PA + KERNEL_TEXT_OFFSET))
	end=$(align_up $((KERNEL_PA + KERNEL_IMAGE_SIZE)) "$ALIGN_2M")
	INITRD_PA=0 INITRD_END=0
	if [ -n "$INITRD" ]; then
		INITRD_PA=$end
		INITRD_END=$((INITRD_PA + $(stat -c %s "$INITRD")))
		end=$(align_up "$INITRD_END" "$ALIGN_2M")
	fi
	DTB_PA=$end
	# The least RAM that holds the Image, the initrd, the DTB (up to 2 MiB,
	# arm64 booting.rst) and, for a protected VM, its restricted DMA pool
	# at the top of RAM; never below MIN_MEM.
	need=$((DTB_PA + ALIGN_2M - VHYP_GUEST_RAM_BASE))
	[ "$PROTECTED" = 0 ] || need=$((need + VHYP_DMA_POOL_SIZE))
	[ "$need" -ge "$MIN_MEM" ] || need=$MIN_MEM
	[ "$MEM" -ge "$need" ] ||
		bad_args "--mem: $MEM_ARG is too small: at least $((need / MiB))M"
}

machine() { echo "virt,virtualization=on,gic-version=$GIC$MTE"; }
total_mem_mib() { echo $(((MEM + DISK_RESERVE + VHYP_WINDOW_SIZE) / MiB)); }

# QEMU's DTB for this machine.  Dumping it starts QEMU once with dumpdtb=
# (QEMU writes the DTB and exits before any CPU runs: no guest starts),
# about 0.4 s, a good part of a short run; so it is kept in the user's
# cache, keyed by the QEMU binary (path, size, mtime) and every option that
# shapes the DTB; the random seeds in it are replaced on every run anyway.
# The cache keeps the DTB_CACHE_MAX most recently used files (about 1 MiB
# each); --no-cache neither reads nor writes it.
DTB_CACHE_MAX=16
dump_board_dtb() {
	local out=$1 qemu_bin key dir
	qemu_bin=$(command -v "$QEMU")
	key=$({
		stat -Lc '%n %s %Y' "$qemu_bin"
		echo "$(machine) -cpu max -m $(total_mem_mib)M -smp $SMP"
	} | sha256sum | cut -c1-32)
	dir=$(vhyp_cache_dir)/board-dtb
	if [ "$NO_CACHE" = 0 ] && [ -s "$dir/$key.dtb" ] &&
		cp "$dir/$key.dtb" "$out" 2>/dev/null; then
		touch "$dir/$key.dtb" 2>/dev/null || true
		return 0
	fi
	"$QEMU" -M "$(machine),dumpdtb=$out" -cpu max -m "$(total_mem_mib)M" \
		-smp "$SMP" -nographic -nic none >"$WORK/dumpdtb.log" 2>&1 ||
		fail "QEMU could not dump the board DTB: $(head -n 1 "$WORK/dumpdtb.log")"
	[ "$NO_CACHE" = 0 ] || return 0
	if mkdir -p "$dir" 2>/dev/null && cp "$out" "$dir/$key.dtb.$$" 2>/dev/null; then
		mv -f "$dir/$key.dtb.$$" "$dir/$key.dtb"
		prune_dtb_cache "$dir"
	fi
}
# Keeps the DTB_CACHE_MAX newest files of the cache (by use: hits touch).
prune_dtb_cache() {
	local f
	# Cache file names are hex digests: no spaces or newlines.
	# shellcheck disable=SC2012
	# (A concurrent run may have emptied it: no match is not an error.)
	{ ls -1t "$1"/*.dtb 2>/dev/null || true; } | tail -n +$((DTB_CACHE_MAX + 1)) |
		while read -r f; do rm -f "$f"; done
}

# The guest DTB from QEMU's own for the same machine (boot contract).
make_guest_dtb() {
	local board=$WORK/board.dtb dtb=$WORK/guest.dtb mem_node intc reg
	dump_board_dtb "$board"
	dtc -q -I dtb -O dtb -o "$dtb" "$board"
	fdtput -t s "$dtb" /psci method hvc
	mem_node=$(fdtget -l "$dtb" / | grep -m 1 '^memory@') ||
		fail "board DTB has no memory node"
	[ "$(fdtget "$dtb" / '#address-cells')" = 2 ] &&
		[ "$(fdtget "$dtb" / '#size-cells')" = 2 ] ||
		fail "board DTB root does not use 2 address and size cells"
	fdtput -t x "$dtb" "/$mem_node" reg $(cells64 "$VHYP_GUEST_RAM_BASE") $(cells64 "$MEM")
	fdtput -c "$dtb" /chosen 2>/dev/null || true
	if [ -n "$APPEND" ]; then
		# "--": a command line starting with '-' is not an fdtput option.
		fdtput -t s -- "$dtb" /chosen bootargs "$APPEND"
	else
		fdtput -d "$dtb" /chosen bootargs 2>/dev/null || true
	fi
	if [ -n "$INITRD" ]; then
		fdtput -t x "$dtb" /chosen linux,initrd-start $(cells64 "$INITRD_PA")
		fdtput -t x "$dtb" /chosen linux,initrd-end $(cells64 "$INITRD_END")
	fi
	fdtput -t x "$dtb" /chosen kaslr-seed $(random_cells 2)
	fdtput -t x "$dtb" /chosen rng-seed $(random_cells 8)
	guest_gic "$dtb"
	prune_devices "$dtb"
	vhyp_devices "$dtb"
	GUEST_DTB=$dtb
	[ -z "$DUMP_DTB" ] || cp "$dtb" "$DUMP_DTB" 2>/dev/null ||
		bad_args "--dump-dtb: cannot write '$DUMP_DTB'"
}

# The guest's GIC node (docs/vgic.md): no maintenance interrupt (vhyp
# keeps PPI 25), no ITS or v2m (pruned below with the node's children).
# GICv3: one redistributor region of exactly one 128 KiB frame per vCPU,
# the frames vhyp emulates.  GICv2: distributor and CPU interface only
# (GICH and GICV, reg entries 3 and 4, are never mapped).
guest_gic() {
	local dtb=$1 intc reg
	intc=$(fdtget -l "$dtb" / | grep -m 1 '^intc@') || fail "board DTB has no intc node"
	read -r -a reg <<<"$(fdtget -t x "$dtb" "/$intc" reg)"
	[ "${#reg[@]}" -ge 8 ] || fail "unexpected GIC reg in the board DTB"
	if [ "$GIC" = 2 ]; then
		fdtput -t x "$dtb" "/$intc" reg "${reg[@]:0:8}"
	else
		fdtput -t x "$dtb" "/$intc" reg "${reg[@]:0:4}" "${reg[@]:4:2}" \
			$(cells64 $((SMP * 0x20000)))
		fdtput -t x "$dtb" "/$intc" '#redistributor-regions' 1
	fi
	fdtput -d "$dtb" "/$intc" interrupts 2>/dev/null || true
}

# The guest sees only the devices the hypervisor passes through (or
# emulates): the GIC distributor and redistributors or CPU interface, the
# PL011 and the PL031.  Every other device node goes, so a guest never
# probes MMIO it cannot reach (Linux would take an external abort probing,
# e.g., the GICv3 ITS): flash, fw-cfg, the PL061 and its gpio-keys, the
# platform bus, and everything that can do DMA outside stage 2: QEMU's
# virtio-mmio transports, the PCIe host bridge, the GIC's ITS / GICv2m
# frames.  vhyp_devices then adds vhyp's own virtio devices.
KEEP_NODES='^(cpus|psci|memory|chosen|aliases|timer|pmu|apb-pclk|intc|pl011|pl031)(@|$)'
prune_devices() {
	local dtb=$1 node intc
	for node in $(fdtget -l "$dtb" /); do
		[[ $node =~ $KEEP_NODES ]] || fdtput -r "$dtb" "/$node"
	done
	intc=$(fdtget -l "$dtb" / | grep -m 1 '^intc@') || return 0
	for node in $(fdtget -l "$dtb" "/$intc"); do
		fdtput -r "$dtb" "/$intc/$node"
	done
}

# vhyp's own virtio-mmio devices (addresses, SPIs and the pool size from
# include/vhyp/board.h, load_constants), for every VM kind: virtio-console always, virtio-blk
# with --disk.  They reach guest memory only through the hypervisor's
# accessor: all of a normal VM's RAM, the shared granules of a protected
# VM.  A protected VM's devices do DMA through a restricted-dma-pool at the
# top of its RAM, which its pKVM driver shares with MEM_SHARE; a normal VM
# has no pool (its DMA goes anywhere in its RAM).
DMA_POOL_PHANDLE=0xfe01
IRQ_TYPE_EDGE_RISING=1
add_virtio_node() {
	local dtb=$1 base=$2 spi=$3 node
	node="/virtio_mmio@$(printf '%x' "$base")"
	fdtput -c "$dtb" "$node"
	fdtput -t s "$dtb" "$node" compatible virtio,mmio
	fdtput -t x "$dtb" "$node" reg $(cells64 "$base") $(cells64 "$VHYP_VIRTIO_WINDOW_SIZE")
	fdtput -t x "$dtb" "$node" interrupts 0x0 "$(hex "$spi")" "$IRQ_TYPE_EDGE_RISING"
	[ "$PROTECTED" = 0 ] ||
		fdtput -t x "$dtb" "$node" memory-region "$DMA_POOL_PHANDLE"
	fdtput -t s "$dtb" "$node" dma-coherent
}
add_dma_pool() {
	local dtb=$1 node pool
	pool=$((VHYP_GUEST_RAM_BASE + MEM - VHYP_DMA_POOL_SIZE))
	fdtput -c "$dtb" /reserved-memory 2>/dev/null || true
	fdtput -t x "$dtb" /reserved-memory '#address-cells' 2
	fdtput -t x "$dtb" /reserved-memory '#size-cells' 2
	fdtput -t s "$dtb" /reserved-memory ranges
	node="/reserved-memory/restricted-dma@$(printf '%x' "$pool")"
	fdtput -c "$dtb" "$node"
	fdtput -t s "$dtb" "$node" compatible restricted-dma-pool
	fdtput -t x "$dtb" "$node" reg $(cells64 "$pool") $(cells64 "$VHYP_DMA_POOL_SIZE")
	fdtput -t x "$dtb" "$node" phandle "$DMA_POOL_PHANDLE"
}
vhyp_devices() {
	local dtb=$1
	[ "$PROTECTED" = 0 ] || add_dma_pool "$dtb"
	local i
	add_virtio_node "$dtb" "$VHYP_VIRTIO_CONSOLE_BASE" "$VHYP_VIRTIO_CONSOLE_SPI"
	for i in "${!DISK_FILES[@]}"; do
		add_virtio_node "$dtb" $((VHYP_VIRTIO_BLK_BASE + i * VHYP_VIRTIO_WINDOW_SIZE)) \
			$((VHYP_VIRTIO_BLK_SPI + i))
	done
}

# vhyp's disks: QEMU virtio-blk devices on the board's virtio-mmio
# transports, which no guest has in its stage 2 or DT (hyp/main.c): only
# the hypervisor drives them, with rings and buffers in its own window.
# Modern (virtio 1) transports; the first -device gets the highest
# transport, which the hypervisor takes as disk 0.
add_disks() {
	local i
	[ "${#DISK_FILES[@]}" -gt 0 ] || return 0
	CMD+=(-global virtio-mmio.force-legacy=false)
	for i in "${!DISK_FILES[@]}"; do
		CMD+=(-drive "file=$(qemu_path "${DISK_FILES[$i]}"),if=none,id=vhypdisk$i,${DISK_OPTS[$i]}"
			-device "virtio-blk-device,drive=vhypdisk$i")
	done
}

# The console filter and this run's token (docs/runner.md, "Console"):
# 16 random bytes, on the hypervisor's command line only (the board DTB,
# in the hypervisor's window; never in the guest DTB or guest RAM).
prepare_console() {
	CONSOLE_FILTER=$O/tools/vhyp-console
	[ -x "$CONSOLE_FILTER" ] || [ "$DRY_RUN" = 1 ] ||
		fail "$CONSOLE_FILTER is missing: run 'make all' first"
	command -v setpriv >/dev/null || [ "$DRY_RUN" = 1 ] ||
		fail "setpriv (util-linux) not found"
	TOKEN=$(od -An -v -t x1 -N 16 /dev/urandom | tr -d ' \n')
	[ ${#TOKEN} -eq 32 ] || fail "cannot read /dev/urandom"
}

# QEMU -device loader takes a file= option: commas are doubled.
qemu_path() { echo "${1//,/,,}"; }

build_command() {
	local hyp_args
	hyp_args="vhyp.entry=$(hex "$KERNEL_PA") vhyp.dtb=$(hex "$DTB_PA")"
	[ "$PROTECTED" = 0 ] || hyp_args+=" vhyp.protected=1"
	[ -z "$FEATURES" ] || hyp_args+=" vhyp.features=$(hex "$FEATURES")"
	[ -z "$LOG" ] || hyp_args+=" vhyp.log=$LOG"
	[ "${#DISK_FILES[@]}" = 0 ] || hyp_args+=" vhyp.disks=${#DISK_FILES[@]}"
	# Test aid (tools/runner-selftest.sh): more hypervisor options, e.g.
	# vhyp.debug_fault=1.
	[ -z "${VHYP_HYP_ARGS:-}" ] || hyp_args+=" $VHYP_HYP_ARGS"
	# The console token first: the hypervisor marks every line after it.
	hyp_args="vhyp.token=$TOKEN $hyp_args"
	# No semihosting (a guest at EL1 could use it too, docs/security.md):
	# a hypervisor panic writes PANICKED to pvpanic-pci, and QEMU exits 1.
	CMD=("$QEMU" -M "$(machine)" -cpu max -m "$(total_mem_mib)M" -smp "$SMP"
		-nographic -nic none -no-reboot
		-device pvpanic-pci -action panic=exit-failure
		-kernel "$HYP_FILE" -append "$hyp_args"
		-device "loader,file=$(qemu_path "$KERNEL_FILE"),addr=$(hex "$KERNEL_PA"),force-raw=on")
	if [ -n "$INITRD" ]; then
		CMD+=(-device "loader,file=$(qemu_path "$INITRD"),addr=$(hex "$INITRD_PA"),force-raw=on")
	fi
	add_disks
	# shellcheck disable=SC2054 # QEMU's option syntax has commas
	CMD+=(-device "loader,file=$(qemu_path "$GUEST_DTB"),addr=$(hex "$DTB_PA"),force-raw=on")
	[ "$ICOUNT" = 0 ] || CMD+=(-icount shift=0)
}

# True while process $1 runs (a zombie, exited but not waited for, does not).
running() {
	local state
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	read -r _ _ state _ <"/proc/$1/stat" 2>/dev/null || return 1
	[ "$state" != Z ]
}

# Ends process $1 within about a second: SIGTERM, then SIGKILL.
stop_pid() {
	local i
	running "$1" || return 0
	kill -TERM "$1" 2>/dev/null || return 0
	for i in 1 2 3 4 5 6 7 8 9; do
		running "$1" || return 0
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
}

# Stops whatever the run started: the timer, QEMU, then the filter (which
# ends by itself at the end of QEMU's output).
stop_run() {
	local i
	if [ -n "$TIMER_PID" ]; then
		kill -TERM "$TIMER_PID" 2>/dev/null || true
		TIMER_PID=""
	fi
	if [ -n "$QEMU_PID" ]; then
		if running "$QEMU_PID"; then
			stop_pid "$QEMU_PID"
			# A QEMU killed outright leaves the terminal raw.
			[ ! -t 0 ] || stty sane 2>/dev/null || true
		fi
		QEMU_PID=""
	fi
	if [ -n "$FILTER_PID" ]; then
		for i in 1 2 3 4 5; do
			running "$FILTER_PID" || break
			sleep 0.05
		done
		stop_pid "$FILTER_PID"
		FILTER_PID=""
	fi
}

# Temp dirs of runs that were killed outright (SIGKILL): their runner's
# PID (in the dir's "pid" file, with its PID namespace, so that a run in
# another namespace sharing /tmp is left alone) is gone.  Only the user's
# own dirs.
pid_namespace() { readlink /proc/self/ns/pid 2>/dev/null || echo unknown; }
reap_stale_workdirs() {
	local dir pid ns
	for dir in "${TMPDIR:-/tmp}"/vhyp-run.*; do
		[ -d "$dir" ] && [ -O "$dir" ] && [ -f "$dir/pid" ] || continue
		read -r pid ns <"$dir/pid" 2>/dev/null || continue
		[[ $pid =~ ^[0-9]+$ ]] && [ "$ns" = "$(pid_namespace)" ] || continue
		kill -0 "$pid" 2>/dev/null || rm -rf "$dir"
	done
}

print_command() {
	local arg line=""
	for arg in "${CMD[@]}"; do
		if [[ $arg =~ ^[][A-Za-z0-9_./,=:+@%-]+$ ]]; then
			line+="$arg "
		else
			line+="'${arg//\'/\'\\\'\'}' "
		fi
	done
	echo "${line% }"
}

# The run's outcome, from the hypervisor's marked lines (the filter's
# events file) and QEMU's status $1; never from guest output alone.
run_status() {
	local rc=$1 events=$WORK/events last
	if grep -qE '^hyp (panic: |unexpected exception)' "$events"; then
		echo "$PROG: hypervisor panic" >&2
		return "$EXIT_HYP_PANIC"
	fi
	# SYSTEM_OFF or SYSTEM_OFF2(...), SYSTEM_RESET or SYSTEM_RESET2(...).
	last=$(grep -E '^hyp guest called SYSTEM_(OFF|RESET)(2\(.*\))?$' "$events" |
		tail -n 1 | sed -E 's/^hyp guest called SYSTEM_(OFF|RESET).*/\1/')
	if [ "$rc" -eq 0 ] && [ "$last" = OFF ]; then
		return "$EXIT_POWER_OFF"
	fi
	if [ "$rc" -eq 0 ] && [ "$last" = RESET ]; then
		if grep -qx guest-kernel-panic "$events"; then
			echo "$PROG: guest kernel panic" >&2
			return "$EXIT_GUEST_PANIC"
		fi
		echo "$PROG: guest reset" >&2
		return "$EXIT_GUEST_RESET"
	fi
	if [ "$rc" -eq 0 ]; then
		echo "$PROG: QEMU stopped without a guest power-off or reset (Ctrl-A x?)" >&2
		return "$EXIT_QEMU_STOPPED"
	fi
	echo "$PROG: error: QEMU exited with status $rc" >&2
	return "$EXIT_FAILED"
}

# QEMU in the background (so that a signal is handled at once), in the
# runner's process group (so that it can read the terminal), with a
# parent-death signal (so that it never outlives the runner); its console
# output through the filter; the timeout as a timer that signals USR1.
run_qemu() {
	local rc=0 fifo=$WORK/console input=$WORK/input
	if [ "$DRY_RUN" = 1 ]; then
		print_command
		return 0
	fi
	mkfifo "$fifo"
	: >"$WORK/events"
	if [ -t 0 ]; then
		setpriv --pdeathsig KILL -- "$CONSOLE_FILTER" --token "$TOKEN" \
			--events "$WORK/events" --notify $$ <"$fifo" &
		FILTER_PID=$!
		# An explicit <&0: a background job's stdin would be /dev/null.
		setpriv --pdeathsig KILL -- "${CMD[@]}" <&0 >"$fifo" &
	else
		# Piped input: the filter passes it on once the guest reads.
		mkfifo "$input"
		setpriv --pdeathsig KILL -- "$CONSOLE_FILTER" --token "$TOKEN" \
			--events "$WORK/events" --notify $$ --input "$input" \
			--stdin-eof "$STDIN_EOF" 3<&0 <"$fifo" &
		FILTER_PID=$!
		setpriv --pdeathsig KILL -- "${CMD[@]}" >"$fifo" <"$input" &
	fi
	QEMU_PID=$!
	if [ -n "$TIMEOUT" ]; then
		(setpriv --pdeathsig KILL -- sleep "$TIMEOUT" && kill -USR1 $$) &
		TIMER_PID=$!
	fi
	while :; do
		rc=0
		wait "$QEMU_PID" || rc=$?
		[ "$TIMED_OUT" = 0 ] || break
		[ "$FILTER_STOP" = 0 ] || break
		running "$QEMU_PID" || break
	done
	if [ "$FILTER_STOP" = 1 ] && running "$QEMU_PID"; then
		stop_run
		filter_stop_status
		return
	fi
	if [ "$TIMED_OUT" = 1 ]; then
		stop_run
		echo "$PROG: timeout after ${TIMEOUT}s" >&2
		return "$EXIT_TIMEOUT"
	fi
	QEMU_PID=""
	stop_run # the filter has the rest of QEMU's output
	run_status "$rc"
}

# The filter stopped the run (run_qemu): a guest panic that did not reset,
# or the end of piped input with --stdin-eof=poweroff.
filter_stop_status() {
	if grep -qx guest-panic-stop "$WORK/events"; then
		echo "$PROG: guest kernel panic (no reset within 5 s): QEMU stopped" >&2
		return "$EXIT_GUEST_PANIC"
	fi
	echo "$PROG: end of input (--stdin-eof=poweroff): QEMU stopped" >&2
	return "$EXIT_POWER_OFF"
}

main() {
	local rc=0
	SHOW=""
	parse_args "$@"
	case $SHOW in
	version)
		version
		return 0
		;;
	help)
		# The CPU limit in the text comes from the headers, if readable.
		if command -v cpp >/dev/null || command -v clang >/dev/null; then
			load_constants
		fi
		usage
		return 0
		;;
	esac
	check_tools
	load_constants
	check_args
	reap_stale_workdirs
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/vhyp-run.XXXXXX")
	echo "$$ $(pid_namespace)" >"$WORK/pid"
	prepare_console
	prepare_kernel
	plan_layout
	prepare_hyp
	make_guest_dtb
	build_command
	run_qemu || rc=$?
	[ "$DRY_RUN" = 0 ] || keep_dry_run_files
	return "$rc"
}

# The printed command names files in $WORK: they stay, so it runs as printed.
keep_dry_run_files() {
	KEEP_WORK=1
	# Not a run's directory any more: the next run's reaper leaves it.
	rm -f "$WORK/pid"
	echo "$PROG: dry run: nothing started; the command's files are in $WORK (remove it when done)" >&2
}

# One line, so that bash has read everything it runs before main starts:
# editing this file during a run cannot change what the run does next.
main "$@"; exit
