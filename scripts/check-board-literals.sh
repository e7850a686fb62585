#!/usr/bin/env bash
# One source for the board layout (TAP, in `make test`): every address and
# SPI of include/vhyp/board.h is written there and nowhere else.  The
# hypervisor, its device models, the guests and the runner use the names
# (the runner reads the header through cpp: tools/vhyp-run.sh
# load_constants).  For each literal this greps every tracked code file
# (C, headers, assembly, shell, make, linker scripts, ./vhyp) with its
# comments and C string literals removed (text for humans: a test's name
# may say "0x0b200000"), and fails on any hit outside the header.
#
# Not searched, on purpose: the host tests (tests/unit/, tests/fuzz/,
# hyp/**/tests/) and the test scripts' expected output (tests/**/*.sh,
# tools/runner-selftest.sh, tools/tests/, bench/kvm/selftest.sh).  They write the expected values out as an
# oracle independent of the header, so a wrong header fails them instead
# of passing with them (docs/testing.md).
#
# A new board fact: add it to include/vhyp/board.h and its literal (the
# hex spelling, leading zeros optional) to LITERALS below.
cd "$(dirname "$0")/.."
set -uo pipefail

HEADER=include/vhyp/board.h
# name:extended regex, case-insensitive; an address with any C integer
# suffix, an SPI number on a line that says SPI.
SUFFIX='[ul]*\b'
LITERALS=(
	"GIC distributor (VHYP_BOARD_GICD_BASE):\\b0x0?8000000$SUFFIX"
	"UART (VHYP_BOARD_UART_BASE):\\b0x0?9000000$SUFFIX"
	"QEMU virtio-mmio (VHYP_BOARD_VIRTIO_BASE):\\b0x0?a000000$SUFFIX"
	"PV time (VHYP_PV_TIME_IPA):\\b0x0?90a0000$SUFFIX"
	"isolation probe (VHYP_PROBE_BASE):\\b0x0?b000000$SUFFIX"
	"virtio-console (VHYP_VIRTIO_CONSOLE_BASE):\\b0x0?b200000$SUFFIX"
	"virtio-blk (VHYP_VIRTIO_BLK_BASE):\\b0x0?b201000$SUFFIX"
	"DMA pool size (VHYP_DMA_POOL_SIZE):\\b0x0?1000000$SUFFIX"
	"SPI 112/113 (VHYP_VIRTIO_*_SPI):spi[^0-9]*\\b11[23]u?\\b|\\b11[23]u?\\b.*spi"
)

files() {
	git ls-files -co --exclude-standard | grep -E '\.(c|h|S|sh|mk|lds)$|(^|/)Makefile$|^vhyp$' |
		grep -vxF -e "$HEADER" -e scripts/check-board-literals.sh |
		grep -vE '^(tests/unit|tests/fuzz|tools/tests)/|^hyp/(.*/)?tests/|^tests/.*\.sh$' |
		grep -vxE 'tools/runner-selftest\.sh|bench/kvm/selftest\.sh'
}

# The file's code only: C comments and string literals blanked (C family),
# whole-line # comments removed (shell, make); line numbers kept.
code_of() {
	case $1 in
	*.c | *.h | *.S | *.lds)
		sed -E 's:"([^"\\]|\\.)*":"":g; s://.*$::; s:/\*.*\*/::g; s:/\*.*$::; s:^[[:space:]]*\*.*$::' "$1"
		;;
	*) sed -E 's:^[[:space:]]*#.*$::' "$1" ;;
	esac
}

# Every file's code once, as "path:line:text" lines.
code=$(mktemp)
trap 'rm -f "$code"' EXIT
while IFS= read -r f; do
	code_of "$f" | awk -v f="$f" '{ print f ":" NR ":" $0 }'
done < <(files) >"$code"

n=0
for entry in "${LITERALS[@]}"; do
	name=${entry%%:*} re=${entry#*:}
	n=$((n + 1))
	mapfile -t hits < <(grep -iE "^[^:]*:[0-9]+:.*($re)" "$code" | cut -d: -f1,2)
	if ! grep -qiE "($re)" "$HEADER"; then
		echo "# $HEADER does not define it any more: update LITERALS"
		echo "not ok $n - $name: written only in $HEADER"
	elif [ "${#hits[@]}" -gt 0 ]; then
		printf '# also written at %s\n' "${hits[@]}"
		echo "not ok $n - $name: written only in $HEADER"
	else
		echo "ok $n - $name: written only in $HEADER"
	fi
done
echo "1..$n"
