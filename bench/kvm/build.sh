#!/usr/bin/env bash
# Builds the KVM benchmark's own programs into $KVM_BUILD (build/bench/kvm):
#
#	kvmrun            static arm64 /dev/kvm runner (kvmrun.c)
#	init              static arm64 /init of the initramfs (init.c)
#	testguest.Image   the runner's own test guest (testguest/)
#
# Rebuilds only what is older than its sources.  Prints nothing on success.
set -euo pipefail
# shellcheck source=bench/kvm/lib.sh
source "$(dirname "$0")/lib.sh"

CFLAGS=(-static -O2 -std=c11 -Wall -Wextra -Werror -Wshadow -I"$KVM_DIR/../../include")

stale() { # OUT SRC...
	local out=$1 s
	shift
	[ -f "$out" ] || return 0
	for s in "$@"; do
		[ "$s" -nt "$out" ] && return 0
	done
	return 1
}

build_static() { # NAME
	local out="$KVM_BUILD/$1"
	stale "$out" "$KVM_DIR/$1.c" || return 0
	command -v "$CROSS_GCC" >/dev/null || die "$CROSS_GCC missing (gcc-aarch64-linux-gnu)"
	"$CROSS_GCC" "${CFLAGS[@]}" -o "$out.tmp" "$KVM_DIR/$1.c"
	mv "$out.tmp" "$out"
}

build_testguest() {
	local src="$KVM_DIR/testguest" out="$KVM_BUILD/testguest.Image"
	stale "$out" "$src/testguest.S" "$src/testguest.ld" || return 0
	clang --target=aarch64-none-elf -mcpu=cortex-a57 -I"$KVM_DIR/../../include" \
		-c "$src/testguest.S" \
		-o "$KVM_BUILD/testguest.o"
	ld.lld -T "$src/testguest.ld" -o "$KVM_BUILD/testguest.elf" "$KVM_BUILD/testguest.o"
	llvm-objcopy -O binary "$KVM_BUILD/testguest.elf" "$out.tmp"
	mv "$out.tmp" "$out"
}

mkdir -p "$KVM_BUILD"
build_static kvmrun
build_static init
build_testguest
