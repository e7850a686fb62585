#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The device-model rule (docs/protected-vms.md), checked on the device
# models' sources as the build compiles them:
#
#   scripts/check-device-models.sh [--tidy|--no-tidy] OUTDIR MODEL.c...
#
# Environment: CC (the cross compiler command, e.g. "clang
# --target=aarch64-none-elf"), MODEL_CFLAGS (the models' flags: no project
# include path), LD (ld.lld), NM (llvm-nm), OBJDUMP (llvm-objdump),
# ALLOW (the symbol allowlist, default hyp/devices/model-symbols.allow),
# MODEL_HEADERS (the headers a model may read, default
# hyp/devices/model.h hyp/devices/virtio.h include/vhyp/board.h
# include/vhyp/virtio_mmio.h).
#
# A model passes when:
#   1. it compiles with MODEL_CFLAGS (no include/, core/include/, hyp/ on
#      the include path: struct vhyp_vm, its ops table, g_hyp and the
#      page-table API are not declared anywhere it can see);
#   2. every header it reads (by any path: quoted, relative, absolute,
#      angle brackets) is one of MODEL_HEADERS or a compiler-provided
#      freestanding header;
#   3. the partial link (ld -r) of all models leaves undefined only symbols
#      of the allowlist: no data symbol, no function of the trusted side
#      other than the model API;
#   4. their code holds no system instruction (MSR, MRS, SYS, TLBI, AT, DC,
#      IC, HVC, SMC, SVC, ERET, HLT): no inline assembly that changes
#      translation, calls out of EL2 or touches system registers;
#   5. (--tidy, the default when clang-tidy exists) no integer-to-pointer
#      cast (clang-tidy performance-no-int-to-ptr): a model cannot forge a
#      pointer to guest or hypervisor memory from a number.
# Prints one "device-models: ..." line per violation and exits 1 on any;
# 0 and one summary line otherwise.
set -uo pipefail

tidy=auto
case ${1:-} in
--tidy) tidy=yes; shift ;;
--no-tidy) tidy=no; shift ;;
esac
[ $# -ge 2 ] || { echo "usage: $0 [--tidy|--no-tidy] OUTDIR MODEL.c..." >&2; exit 2; }
out=$1
shift
CC=${CC:-clang --target=aarch64-none-elf}
LD=${LD:-ld.lld}
NM=${NM:-llvm-nm}
OBJDUMP=${OBJDUMP:-llvm-objdump}
ALLOW=${ALLOW:-hyp/devices/model-symbols.allow}
MODEL_HEADERS=${MODEL_HEADERS:-hyp/devices/model.h hyp/devices/virtio.h include/vhyp/board.h include/vhyp/virtio_mmio.h}
read -r -a cc <<<"$CC"
read -r -a flags <<<"${MODEL_CFLAGS:--std=c11 -O2 -ffreestanding -fno-builtin -mgeneral-regs-only -Wall -Wextra -Werror}"

mkdir -p "$out"
rm -f "$out"/*.o
bad=0
violation() {
	echo "device-models: $*"
	bad=1
}

resource=$(realpath -m "$("${cc[@]}" -print-resource-dir)/include")
allowed_headers=()
for h in $MODEL_HEADERS; do allowed_headers+=("$(realpath -m "$h")"); done
header_allowed() {
	local h
	h=$(realpath -m "$1")
	case $h in "$resource"/*) return 0 ;; esac
	for a in "${allowed_headers[@]}"; do [ "$h" = "$a" ] && return 0; done
	return 1
}

objs=()
for src in "$@"; do
	obj="$out/$(basename "${src%.c}").o"
	if ! "${cc[@]}" "${flags[@]}" -c "$src" -o "$obj" 2>"$out/cc.log"; then
		violation "$src does not compile against the model API alone: $(grep -m1 -E 'error' "$out/cc.log")"
		continue
	fi
	objs+=("$obj")
	# -M lists every header read, system ones included.
	while read -r h; do
		header_allowed "$h" || violation "$src reads $h (models may read only $MODEL_HEADERS and the compiler's headers)"
	done < <("${cc[@]}" "${flags[@]}" -M "$src" 2>/dev/null |
		sed -e 's/\\$//' -e 's/^[^:]*://' | tr ' ' '\n' | grep -v -e '^$' -e '\.c$')
done
[ ${#objs[@]} -gt 0 ] || { echo "device-models: nothing compiled"; exit 1; }

if "$LD" -r -o "$out/models.o" "${objs[@]}" 2>"$out/ld.log"; then
	while read -r sym; do
		grep -qx -- "$sym" <(grep -v -e '^#' -e '^$' "$ALLOW") ||
			violation "the models use '$sym', which is not in $ALLOW"
	done < <("$NM" -u --format=just-symbols "$out/models.o" | sort -u)
	sys=$("$OBJDUMP" -d --no-show-raw-insn "$out/models.o" |
		grep -E $'\t(msr|mrs|sys|sysl|tlbi|at|dc|ic|hvc|smc|svc|eret|hlt)\t' | head -n 3)
	[ -z "$sys" ] || violation "system instruction in model code: $(echo "$sys" | tr -s '\t\n' '  ')"
else
	violation "partial link failed: $(head -n 1 "$out/ld.log")"
fi

if [ "$tidy" = auto ]; then
	command -v clang-tidy >/dev/null && tidy=yes || tidy=no
fi
if [ "$tidy" = yes ]; then
	# No --target here: clang-tidy parses for the host, which is enough
	# to see a cast.
	if ! clang-tidy --quiet -checks='-*,performance-no-int-to-ptr' \
		-warnings-as-errors='*' "$@" -- -std=c11 -ffreestanding \
		>"$out/tidy.log" 2>&1; then
		violation "integer-to-pointer cast: $(grep -m1 -E 'warning:|error:' "$out/tidy.log")"
	fi
fi

[ "$bad" = 0 ] && echo "device-models: ${#objs[@]} models follow the rule (headers, symbols, no system instruction$([ "$tidy" = yes ] && echo ', no int-to-pointer cast'))"
exit "$bad"
