#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `./vhyp run`: boots a guest under the vhyp hypervisor in QEMU, following
# docs/boot-contract.md.  See docs/runner.md and `./vhyp run --help`.
#
# Exit status: 0 when the guest powers off or resets; QEMU's status
# otherwise (3: hypervisor panic; a guest's semihosting exit status);
# 124 on timeout; 2 with a one-line error on bad arguments; 1 when
# something the run needs is missing (e.g. the hypervisor is not built);
# 5 (EXIT_MISSING_TOOL) when a program it needs is not installed.
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
  --disk FILE        protected VMs: a virtio-blk device backed by FILE
                     (loaded into memory; guest writes are not saved)
  --features LIST    vendor-hyp FEATURES bitmap: comma-separated names
                     (features, ptp, meminfo, share, unshare, mmio_guard)
                     or a number (0x9f); a subset of the VM kind's default
                     (0x3 normal, 0x9f protected) that includes 'features'
                     (or 0: every service hidden)
  --gic 2|3          GIC version (default 3)
  --icount           deterministic instruction-count time (-icount shift=0)
  --timeout SECONDS  stop QEMU after SECONDS, decimals allowed (2.5, .5)
                     (exit status 124)
  --log 0|1|2        hypervisor log level (vhyp.log=)
  --dump-dtb FILE    also write the guest DTB to FILE
  --no-cache         neither read nor write the board-DTB cache
  --dry-run          print the QEMU command line and start nothing; its
                     files are kept in a directory it names
  --version          print vhyp's version
  -h, --help         this text

Exit status: 0 guest powered off or reset; 3 hypervisor panic; 124
timeout; 2 bad arguments; $EXIT_MISSING_TOOL a tool the runner needs is not
installed; otherwise QEMU's (or the guest's semihosting exit) status.
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

WORK=""
KEEP_WORK=0
cleanup() { [ -z "$WORK" ] || [ "$KEEP_WORK" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- constants: one definition each, in the C headers -----------------

# Prints "NAME VALUE" for each C constant expression, evaluated from the
# headers (include/vhyp, core/include) by the C preprocessor and bash.
header_values() {
	local name src="" line expr
	src+=$'#include <vhyp/boot.h>\n#include <vhyp/kvm_vendor.h>\n'
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
		KVM_FEATURES_IMPLEMENTED)
	[ -n "${VHYP_WINDOW_SIZE:-}" ] && [ -n "${KVM_FEATURES_IMPLEMENTED:-}" ] ||
		fail "cannot read constants from include/vhyp (is cpp installed?)"
}

# ---- argument parsing ---------------------------------------------------

MiB=$((1 << 20))
ALIGN_2M=$((2 * MiB))
MIN_MEM=$((32 * MiB))
MAX_MEM=$((64 << 30))

KERNEL="" INITRD="" APPEND="" SMP=1 MEM_ARG=512M PROTECTED=0 FEATURES_ARG=""
FEATURES_SET=0 GIC=3 ICOUNT=0 TIMEOUT="" LOG="" DUMP_DTB="" DRY_RUN=0
DISK="" DISK_SIZE=0 DISK_RESERVE=0 NO_CACHE=0

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
		-h | --help | --version | --no-cache | --protected | --icount | --dry-run)
			if [ "$has_val" = 1 ]; then
				case $opt in
				--protected | --icount | --dry-run | --no-cache) ;;
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
			esac
			;;
		--kernel | --initrd | --append | --smp | --mem | --features | --gic | \
			--timeout | --log | --dump-dtb | --disk)
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
			--disk) DISK=$val ;;
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
	if [ -n "$DISK" ]; then
		[ "$PROTECTED" = 1 ] || bad_args "--disk needs --protected (the virtio devices are a protected VM's)"
		[ -f "$DISK" ] && [ -r "$DISK" ] || bad_args "--disk: '$DISK' is not a readable file"
		DISK_SIZE=$(stat -c %s "$DISK")
		[ "$DISK_SIZE" -ge 512 ] && [ $((DISK_SIZE % 512)) -eq 0 ] ||
			bad_args "--disk: '$DISK' is $DISK_SIZE bytes (must be a non-zero multiple of 512)"
		[ "$DISK_SIZE" -le $((1 << 30)) ] || bad_args "--disk: '$DISK' is larger than 1 GiB"
		# The image sits between guest RAM and the hypervisor window.
		DISK_RESERVE=$(align_up "$DISK_SIZE" "$ALIGN_2M")
	fi
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
	[ "$PROTECTED" = 0 ] || need=$((need + DMA_POOL_SIZE))
	[ "$need" -ge "$MIN_MEM" ] || need=$MIN_MEM
	[ "$MEM" -ge "$need" ] ||
		bad_args "--mem: $MEM_ARG is too small: at least $((need / MiB))M"
}

machine() { echo "virt,virtualization=on,gic-version=$GIC"; }
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
	if [ "$GIC" = 2 ]; then
		# Drop GICH/GICV (reg entries 3 and 4) and the maintenance IRQ.
		intc=$(fdtget -l "$dtb" / | grep -m 1 '^intc@') || fail "board DTB has no intc node"
		read -r -a reg <<<"$(fdtget -t x "$dtb" "/$intc" reg)"
		[ "${#reg[@]}" -ge 8 ] || fail "unexpected GICv2 reg in the board DTB"
		fdtput -t x "$dtb" "/$intc" reg "${reg[@]:0:8}"
		fdtput -d "$dtb" "/$intc" interrupts 2>/dev/null || true
	fi
	prune_devices "$dtb"
	[ "$PROTECTED" = 0 ] || protected_devices "$dtb"
	GUEST_DTB=$dtb
	[ -z "$DUMP_DTB" ] || cp "$dtb" "$DUMP_DTB" 2>/dev/null ||
		bad_args "--dump-dtb: cannot write '$DUMP_DTB'"
}

# The guest sees only the devices the hypervisor passes through (or
# emulates): the GIC distributor and redistributors or CPU interface, the
# PL011, the PL031 and the virtio-mmio transports.  Every other device node
# goes, so a guest never probes MMIO it cannot reach (Linux would take an
# external abort probing, e.g., the GICv3 ITS): flash, fw-cfg, PCIe, the
# PL061 and its gpio-keys, the platform bus, and the GIC's ITS / GICv2m
# frames (MSI controllers whose DMA would bypass stage 2).
KEEP_NODES='^(cpus|psci|memory|chosen|aliases|timer|pmu|apb-pclk|intc|pl011|pl031|virtio_mmio)(@|$)'
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

# The host-side virtio-mmio devices of a protected VM (hyp/devices/virtio.h
# has the same addresses and SPIs) replace QEMU's transports, which a
# protected VM must not reach; they do DMA through a restricted-dma-pool at
# the top of guest RAM, which the guest's pKVM driver shares with MEM_SHARE.
VIRTIO_CONSOLE_BASE=0x0b200000 VIRTIO_CONSOLE_SPI=112
VIRTIO_BLK_BASE=0x0b201000 VIRTIO_BLK_SPI=113
DMA_POOL_SIZE=$((16 * MiB)) DMA_POOL_PHANDLE=0xfe01
IRQ_TYPE_EDGE_RISING=1
add_virtio_node() {
	local dtb=$1 base=$2 spi=$3 node
	node="/virtio_mmio@$(printf '%x' "$base")"
	fdtput -c "$dtb" "$node"
	fdtput -t s "$dtb" "$node" compatible virtio,mmio
	fdtput -t x "$dtb" "$node" reg $(cells64 "$base") 0x0 0x1000
	fdtput -t x "$dtb" "$node" interrupts 0x0 "$(hex "$spi")" "$IRQ_TYPE_EDGE_RISING"
	fdtput -t x "$dtb" "$node" memory-region "$DMA_POOL_PHANDLE"
	fdtput -t s "$dtb" "$node" dma-coherent
}
protected_devices() {
	local dtb=$1 node pool
	for node in $(fdtget -l "$dtb" / | grep '^virtio_mmio@'); do
		fdtput -r "$dtb" "/$node"
	done
	pool=$((VHYP_GUEST_RAM_BASE + MEM - DMA_POOL_SIZE))
	fdtput -c "$dtb" /reserved-memory 2>/dev/null || true
	fdtput -t x "$dtb" /reserved-memory '#address-cells' 2
	fdtput -t x "$dtb" /reserved-memory '#size-cells' 2
	fdtput -t s "$dtb" /reserved-memory ranges
	node="/reserved-memory/restricted-dma@$(printf '%x' "$pool")"
	fdtput -c "$dtb" "$node"
	fdtput -t s "$dtb" "$node" compatible restricted-dma-pool
	fdtput -t x "$dtb" "$node" reg $(cells64 "$pool") $(cells64 "$DMA_POOL_SIZE")
	fdtput -t x "$dtb" "$node" phandle "$DMA_POOL_PHANDLE"
	add_virtio_node "$dtb" "$VIRTIO_CONSOLE_BASE" "$VIRTIO_CONSOLE_SPI"
	[ -z "$DISK" ] || add_virtio_node "$dtb" "$VIRTIO_BLK_BASE" "$VIRTIO_BLK_SPI"
}

# QEMU -device loader takes a file= option: commas are doubled.
qemu_path() { echo "${1//,/,,}"; }

build_command() {
	local hyp_args
	hyp_args="vhyp.entry=$(hex "$KERNEL_PA") vhyp.dtb=$(hex "$DTB_PA")"
	[ "$PROTECTED" = 0 ] || hyp_args+=" vhyp.protected=1"
	[ -z "$FEATURES" ] || hyp_args+=" vhyp.features=$(hex "$FEATURES")"
	[ -z "$LOG" ] || hyp_args+=" vhyp.log=$LOG"
	[ -z "$DISK" ] || hyp_args+=" vhyp.disk=$(hex $((VHYP_GUEST_RAM_BASE + MEM))) vhyp.disk_size=$(hex "$DISK_SIZE")"
	CMD=("$QEMU" -M "$(machine)" -cpu max -m "$(total_mem_mib)M" -smp "$SMP"
		-nographic -nic none -no-reboot
		-kernel "$HYP_FILE" -append "$hyp_args"
		-device "loader,file=$(qemu_path "$KERNEL_FILE"),addr=$(hex "$KERNEL_PA"),force-raw=on")
	if [ -n "$INITRD" ]; then
		CMD+=(-device "loader,file=$(qemu_path "$INITRD"),addr=$(hex "$INITRD_PA"),force-raw=on")
	fi
	if [ -n "$DISK" ]; then
		CMD+=(-device "loader,file=$(qemu_path "$DISK"),addr=$(hex $((VHYP_GUEST_RAM_BASE + MEM))),force-raw=on")
	fi
	# shellcheck disable=SC2054 # QEMU's option syntax has commas
	CMD+=(-device "loader,file=$(qemu_path "$GUEST_DTB"),addr=$(hex "$DTB_PA"),force-raw=on"
		-semihosting-config enable=on,target=native)
	[ "$ICOUNT" = 0 ] || CMD+=(-icount shift=0)
}

run_qemu() {
	local rc=0 tflags=(-k 5)
	if [ "$DRY_RUN" = 1 ]; then
		local arg line=""
		for arg in "${CMD[@]}"; do
			if [[ $arg =~ ^[][A-Za-z0-9_./,=:+@%-]+$ ]]; then
				line+="$arg "
			else
				line+="'${arg//\'/\'\\\'\'}' "
			fi
		done
		echo "${line% }"
		return 0
	fi
	if [ -z "$TIMEOUT" ]; then
		"${CMD[@]}" || rc=$?
		return "$rc"
	fi
	# On a terminal QEMU must stay in the foreground process group to read it.
	[ -t 0 ] && tflags+=(--foreground)
	timeout "${tflags[@]}" "$TIMEOUT" "${CMD[@]}" || rc=$?
	# timeout -k reports a KILLed command as 137: still a timeout.
	[ "$rc" -ne 137 ] || rc=124
	if [ "$rc" -eq 124 ]; then
		echo "$PROG: timeout after ${TIMEOUT}s" >&2
	fi
	return "$rc"
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
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/vhyp-run.XXXXXX")
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
	echo "$PROG: dry run: nothing started; the command's files are in $WORK (remove it when done)" >&2
}

# One line, so that bash has read everything it runs before main starts:
# editing this file during a run cannot change what the run does next.
main "$@"; exit
