// SPDX-License-Identifier: MIT
/*
 * Attack class "semihosting" (tests/qemu/attack/semihosting.sh): from EL1
 * the guest makes the semihosting calls QEMU honours when semihosting is
 * enabled (HLT #0xF000, which EL2 cannot trap), each of which would reach
 * the host:
 *   - SYS_OPEN of a host path for writing, then SYS_WRITE to it;
 *   - SYS_SYSTEM "touch <path>" (a host shell command);
 *   - SYS_EXIT with status 42, then 0 (QEMU would exit with it, and the
 *     guest would choose the runner's status).
 * It also tries the hypervisor's panic channel instead: a write of
 * PANICKED to where the hypervisor puts pvpanic-pci's BAR0, and a read of
 * the PCIe ECAM (high and low); each must be an external abort (nothing of
 * PCIe is in a guest's stage 2), and the run must still end as the guest's
 * power-off.
 * With semihosting off, HLT is UNDEFINED at EL1: each call must raise an
 * UNDEF (ESR EC 0) at the HLT, which the guest catches and skips.  The
 * guest then powers off; the suite checks that no host file appeared and
 * that the runner reports the guest's own power-off (status 0).
 *
 * Command line (./vhyp run --append): sh_file=PATH sh_touch=PATH.
 */
#include <guest/rt.h>
#include <guest/tap.h>
#include <lib/fdt.h>
#include <lib/fmt.h>

#define SYS_OPEN                     0x01U
#define SYS_WRITE                    0x05U
#define SYS_SYSTEM                   0x12U
#define SYS_EXIT                     0x18U
#define ADP_STOPPED_APPLICATION_EXIT 0x20026U
#define OPEN_MODE_W                  4U /* "w" */
#define PATH_MAX_LEN                 200U
/* QEMU virt: the PCIe 32-bit MMIO window (where the hypervisor puts
 * pvpanic-pci's BAR0) and the high and low ECAM. */
#define PVPANIC_BAR0                 0x10000000ULL
#define ECAM_HIGH                    0x4010000000ULL
#define ECAM_LOW                     0x3f000000ULL

/* The HLT of semihost() and what the exception hook saw there. */
extern char attack_hlt_insn[];
static volatile bool undef_seen;
static volatile uint64_t undef_esr;

static bool hook(struct rt_frame *f, enum rt_vector v)
{
	if (v != RT_VEC_SYNC || f->elr != (uint64_t)(uintptr_t)attack_hlt_insn)
		return false;
	undef_esr = f->esr;
	undef_seen = true;
	f->elr += 4;
	return true;
}

/* One semihosting call: x0 = operation, x1 = parameter block; returns x0
 * (unchanged, i.e. op, when the HLT was UNDEFINED and skipped). */
static __attribute__((noinline)) uint64_t semihost(uint64_t op,
                                                   const void *block)
{
	register uint64_t x0 __asm__("x0") = op;
	register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)block;

	undef_seen = false;
	__asm__ volatile(".global attack_hlt_insn\n"
	                 "attack_hlt_insn: hlt #0xf000"
	                 : "+r"(x0)
	                 : "r"(x1)
	                 : "memory");
	return x0;
}

static bool refused(const char *what, uint64_t ret, uint64_t op)
{
	bool undef = undef_seen && ESR_EC(undef_esr) == ESR_EC_UNKNOWN;

	return rt_tap(undef && ret == op,
	              "%s: UNDEFINED at EL1 (ESR 0x%llx), nothing returned",
	              what, undef_seen ? (unsigned long long)undef_esr : 0ULL);
}

/* The value of "key=" on the command line, copied into out. */
static bool arg(const char *key, char *out, size_t max)
{
	struct fdt fdt;
	const uint8_t *p;
	uint32_t len, i = 0;
	size_t klen = strlen(key);

	if (fdt_open(&fdt, rt_dtb, FDT_MAX_SIZE) != 0)
		return false;
	p = fdt_getprop(&fdt, fdt_path(&fdt, "/chosen"), "bootargs", &len);
	while (p != NULL && i < len && p[i] != 0) {
		uint32_t start, end;

		while (i < len && p[i] == ' ')
			i++;
		start = i;
		while (i < len && p[i] != 0 && p[i] != ' ')
			i++;
		end = i;
		if (end - start > klen && p[start + klen] == '=' &&
		    memcmp(p + start, key, klen) == 0 &&
		    end - start - klen - 1 < max) {
			memcpy(out, p + start + klen + 1,
			       end - start - klen - 1);
			out[end - start - klen - 1] = '\0';
			return true;
		}
	}
	return false;
}

static bool is_sea(uint64_t esr)
{
	return ESR_EC(esr) == ESR_EC_DABT_CUR && ESR_FSC(esr) == ESR_FSC_SEA;
}

static void check_panic_channel(void)
{
	uint64_t esr = 0;
	uint32_t v;
	bool ok;

	ok = !rt_try_write32(PVPANIC_BAR0, 1, &esr) && is_sea(esr);
	rt_tap(ok,
	       "write of PANICKED to the pvpanic BAR 0x%llx: external abort "
	       "(ESR 0x%llx)",
	       (unsigned long long)PVPANIC_BAR0, (unsigned long long)esr);
	esr = 0;
	ok = !rt_try_read32(ECAM_HIGH, &v, &esr) && is_sea(esr);
	rt_tap(ok, "read of the high PCIe ECAM 0x%llx: external abort",
	       (unsigned long long)ECAM_HIGH);
	esr = 0;
	ok = !rt_try_read32(ECAM_LOW, &v, &esr) && is_sea(esr);
	rt_tap(ok, "read of the low PCIe ECAM 0x%llx: external abort",
	       (unsigned long long)ECAM_LOW);
}

static char file_path[PATH_MAX_LEN], touch_path[PATH_MAX_LEN];
static char command[PATH_MAX_LEN + 16];
static const char payload[] = "written by a guest through semihosting\n";

int main(const void *dtb)
{
	uint64_t block[4], ret;

	(void)dtb;
	if (!rt_tap(arg("sh_file", file_path, sizeof(file_path)) &&
	                    arg("sh_touch", touch_path, sizeof(touch_path)),
	            "sh_file= and sh_touch= on the command line")) {
		rt_tap_plan("attack-semihosting");
		return 1;
	}
	rt_set_exception_hook(hook);

	block[0] = (uint64_t)(uintptr_t)file_path;
	block[1] = OPEN_MODE_W;
	block[2] = strlen(file_path);
	ret = semihost(SYS_OPEN, block);
	refused("SYS_OPEN of a host file for writing", ret, SYS_OPEN);
	/* A handle (the call worked): write through it, as an attacker. */
	block[0] = undef_seen ? 1 : ret;
	block[1] = (uint64_t)(uintptr_t)payload;
	block[2] = sizeof(payload) - 1;
	ret = semihost(SYS_WRITE, block);
	refused("SYS_WRITE to it", ret, SYS_WRITE);

	memcpy(command, "touch ", 6);
	memcpy(command + 6, touch_path, strlen(touch_path) + 1);
	block[0] = (uint64_t)(uintptr_t)command;
	block[1] = strlen(command);
	ret = semihost(SYS_SYSTEM, block);
	refused("SYS_SYSTEM 'touch <path>' (a host command)", ret, SYS_SYSTEM);

	rt_set_exception_hook(NULL);
	check_panic_channel();
	rt_set_exception_hook(hook);

	block[0] = ADP_STOPPED_APPLICATION_EXIT;
	block[1] = 42;
	ret = semihost(SYS_EXIT, block);
	refused("SYS_EXIT with status 42", ret, SYS_EXIT);
	block[1] = 0;
	ret = semihost(SYS_EXIT, block);
	refused("SYS_EXIT with status 0", ret, SYS_EXIT);

	rt_set_exception_hook(NULL);
	rt_tap_plan("attack-semihosting");
	rt_printf("attack-semihosting: powering off\n");
	return rt_tap_failures() ? 1 : 0;
}
