#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The device-model rule, and proof that its check is real (TAP).
#
# The real models pass scripts/check-device-models.sh (the build runs the
# same check and does not link the hypervisor otherwise).  Then each
# fixture of hyp/devices/tests/bad-models/, added to the real models, must
# make the check fail for its own reason: a model that reaches host_grant
# through the VM's ops table (with the core headers, and with a hand-made
# mirror of the layout), calls the page-table or page-state functions
# directly, includes the trusted header, forges a pointer from a number,
# switches translation tables with inline assembly, or casts its guest
# handle to a VM pointer.
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 2
O=${O:-build}
ENV=$O/hyp/device-models.env
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $*"; }

if [ ! -f "$ENV" ]; then
	echo "not ok 1 - $ENV missing (make all)"
	echo "1..1"
	exit 1
fi
# shellcheck source=/dev/null
source "$ENV"
export CC LD MODEL_CFLAGS
read -r -a models <<<"$MODELS"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

out=$(scripts/check-device-models.sh --tidy "$work/real" "${models[@]}" 2>&1)
if [ $? -eq 0 ]; then
	ok "the ${#models[@]} device models follow the rule (${models[*]##*/})"
else
	not_ok "the device models follow the rule"
	echo "$out" | sed 's/^/# /'
fi

# fixture|what it tries|a pattern the check's verdict must match
cases=(
	"ops_table|host_grant through vm->ops (core/vm.h included)|does not compile against the model API alone.*core/vm.h"
	"ops_mirror|host_grant through a mirrored ops table taken from g_hyp|use 'g_hyp'"
	"direct_call|arch_mmu_map_page and vhyp_mem_share called directly|use 'arch_mmu_map_page'"
	"trusted_header|the trusted devices.h by a relative include|reads .*hyp/devices/devices.h|does not compile"
	"int_to_ptr|a guest address dereferenced as a pointer|integer-to-pointer cast"
	"sysreg|MSR TTBR0_EL2 / TLBI in inline assembly|system instruction in model code"
	"vm_handle|the guest handle cast to struct vhyp_vm *|does not compile against the model API alone"
)
for c in "${cases[@]}"; do
	IFS='|' read -r name what pattern <<<"$c"
	fixture=hyp/devices/tests/bad-models/$name.c
	out=$(scripts/check-device-models.sh --tidy "$work/$name" "${models[@]}" "$fixture" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && grep -qE "$pattern" <<<"$out"; then
		ok "refused: $what ($(grep -m1 -E "$pattern" <<<"$out" | cut -c1-150))"
	else
		not_ok "refused: $what (status $rc)"
		echo "$out" | sed 's/^/# /'
	fi
done

# The fixtures are plausible C: outside the rule (the trusted side's
# flags and include path), the ones the symbol and instruction checks
# catch compile cleanly, so those checks are what refuses them.
for name in ops_mirror direct_call int_to_ptr sysreg; do
	# shellcheck disable=SC2086
	if $CC $MODEL_CFLAGS -Iinclude -Icore/include -Ihyp -c \
		"hyp/devices/tests/bad-models/$name.c" -o "$work/$name.plain.o" 2>/dev/null; then
		ok "control: $name.c compiles with the trusted side's include path"
	else
		not_ok "control: $name.c compiles with the trusted side's include path"
	fi
done
echo "1..$n"
exit "$fail"
