// SPDX-License-Identifier: MIT
/*
 * hyp-smoke: the hypervisor's bring-up guest, on the guest runtime
 * (guest/rt: entry, vectors, MMU, console, PSCI, secondary CPUs).  Checks
 * the SMCCC/PSCI answers and the exceptions vhyp injects, prints
 * "hyp-smoke: PASS" (or the failures) and powers off.
 *
 * The runtime's identity map has RAM Normal and everything else Device;
 * the abort tests add the three mappings they need (rt_mmu_map_block): an
 * EL1-executable block at an IPA without RAM (an instruction abort from
 * stage 2), a Device block EL0 may access and an EL0-executable block for
 * the EL0 probe.
 */
#include <stdint.h>

#include <guest/rt.h>
#include <lib/fdt.h>
#include <vhyp/kvm_vendor.h>
#include <vhyp/psci.h>
#include <vhyp/smccc.h>

#define BLOCK        0x200000ULL   /* the runtime's 2 MiB block */
#define UNMAPPED_IPA 0x00001000ULL /* flash: not given to the guest */
#define EXEC_IPA     0x00200000ULL /* flash too, mapped executable */

/* Vector entries (offset from VBAR_EL1 / 0x80). */
#define VEC_CUR_SPX_SYNC 4
#define VEC_LOWER_SYNC   8

struct res {
	uint64_t a0, a1, a2, a3;
};

static unsigned failures;
static int trap_wfi;
static uint64_t features;
static uint8_t shared_page[4096] __attribute__((aligned(4096)));
static volatile uint64_t sec_seen;
static volatile unsigned sec_count;
static volatile unsigned sec_release;

/* Last exception taken at EL1 (set by on_exception). */
static volatile uint64_t exc_esr, exc_far, exc_vector, exc_count;

static void check(const char *what, uint64_t got, uint64_t want)
{
	if (got == want) {
		rt_printf("hyp-smoke: ok   %s = 0x%016llx\n", what,
		          (unsigned long long)got);
		return;
	}
	rt_printf("hyp-smoke: FAIL %s = 0x%016llx (want 0x%016llx)\n", what,
	          (unsigned long long)got, (unsigned long long)want);
	failures++;
}

static void check_true(const char *what, int cond)
{
	rt_printf("hyp-smoke: %s %s\n", cond ? "ok  " : "FAIL", what);
	if (!cond)
		failures++;
}

static struct res hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	__asm__ volatile("hvc #0"
	                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
	                 :
	                 : "memory");
	return (struct res){x0, x1, x2, x3};
}

static struct res smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	__asm__ volatile("smc #0"
	                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
	                 :
	                 : "memory");
	return (struct res){x0, x1, x2, x3};
}

static uint64_t smc_imm1(uint64_t fid, uint64_t a1)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	__asm__ volatile("smc #1" : "+r"(x0), "+r"(x1) : : "memory");
	return x0 == ~0ULL && x1 == a1;
}

uint64_t call_preserve(uint64_t fid, int use_smc);
void run_at_el0(uint64_t pc, uint64_t x0);
void el0_return(void);
extern const uint32_t el0_probe[], el0_probe_end[];
void rt_secondary_entry(void);

/* Every exception the tests provoke: recorded, then skipped. */
static bool on_exception(struct rt_frame *f, enum rt_vector v)
{
	unsigned ec = ESR_EC(f->esr);

	if (v != RT_VEC_SYNC)
		return false;
	exc_esr = f->esr;
	exc_far = f->far;
	exc_vector = f->vector;
	exc_count++;
	if (f->vector == VEC_LOWER_SYNC) {
		/* From EL0 (run_at_el0): back to EL1h, DAIF masked. */
		f->elr = (uint64_t)(uintptr_t)el0_return;
		f->spsr = 0x3c5;
		return true;
	}
	if (ec == 0x21 || ec == 0x20)
		f->elr = f->x[30]; /* instruction abort: back to the caller */
	else
		f->elr += 4; /* skip the faulting instruction */
	return true;
}

/* On CPU 1 (rt_cpu_start): stays on until the primary has tried its
 * racing CPU_ON, then returns, and the runtime calls CPU_OFF. */
static void secondary_main(unsigned cpu, void *arg)
{
	(void)cpu;
	sec_seen = (uint64_t)(uintptr_t)arg;
	__atomic_fetch_add(&sec_count, 1U, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&sec_release, __ATOMIC_ACQUIRE))
		;
}

static uint64_t read_cntvct(void)
{
	return rt_cntvct();
}

static void test_smccc(void)
{
	struct res r;
	uint64_t before, after, ns, cnt;

	check("SMCCC_VERSION", hvc(SMCCC_VERSION_FUNC_ID, 0, 0, 0).a0,
	      SMCCC_VERSION_1_1);
	check("PSCI_FEATURES(SMCCC_VERSION)",
	      hvc(PSCI_FEATURES_FUNC_ID, SMCCC_VERSION_FUNC_ID, 0, 0).a0, 0);
	check_true("PSCI_VERSION >= 1.0",
	           hvc(PSCI_VERSION_FUNC_ID, 0, 0, 0).a0 >= 0x10000);
	check("MIGRATE_INFO_TYPE",
	      hvc(PSCI_MIGRATE_INFO_TYPE_FUNC_ID, 0, 0, 0).a0, 2);
	r = hvc(KVM_VENDOR_CALL_UID_FUNC_ID, 0, 0, 0);
	check("UID w0", r.a0, 0xb66fb428U);
	check("UID w1", r.a1, 0xe911c52eU);
	check("UID w2", r.a2, 0x564bcaa9U);
	check("UID w3", r.a3, 0x743a004dU);
	r = hvc(KVM_VENDOR_FEATURES_FUNC_ID, 0, 0, 0);
	features = r.a0;
	check_true("FEATURES x0 is 0x3 (normal) or 0x9f (protected)",
	           r.a0 == 0x3 || r.a0 == 0x9f);
	check("FEATURES x1|x2|x3", r.a1 | r.a2 | r.a3, 0);
	check("unknown ID 0x4b000000", hvc(0x4b000000, 0, 0, 0).a0, ~0ULL);
	before = read_cntvct();
	r = hvc(KVM_VENDOR_PTP_FUNC_ID, KVM_PTP_VIRT_COUNTER, 0, 0);
	after = read_cntvct();
	ns = (r.a0 << 32) | r.a1;
	cnt = (r.a2 << 32) | r.a3;
	rt_printf("hyp-smoke: PTP time 0x%016llx counter 0x%016llx\n",
	          (unsigned long long)ns, (unsigned long long)cnt);
	/* 2020-01-01 .. 2100-01-01 in ns since the epoch. */
	check_true("PTP wall clock plausible",
	           ns > 1577836800ULL * 1000000000ULL &&
	                   ns < 4102444800ULL * 1000000000ULL);
	check_true("PTP virtual counter between two reads",
	           cnt >= before && cnt <= after);
	check("PTP bad counter id", hvc(KVM_VENDOR_PTP_FUNC_ID, 2, 0, 0).a0,
	      ~0ULL);
	check("x4..x17 changed by HVC",
	      call_preserve(KVM_VENDOR_FEATURES_FUNC_ID, 0), 0);
	check("x4..x17 changed by SMC",
	      call_preserve(KVM_VENDOR_FEATURES_FUNC_ID, 1), 0);
	check("SMC #0 FEATURES", smc(KVM_VENDOR_FEATURES_FUNC_ID, 0, 0, 0).a0,
	      features);
	check_true("SMC #1 -> x0 = -1, x1 untouched",
	           smc_imm1(KVM_VENDOR_FEATURES_FUNC_ID, 0x1234));
}

static uint64_t ram_end(void)
{
	return rt_ram_base() + rt_ram_size();
}

static void test_aborts(void)
{
	uint64_t n = exc_count, window = ram_end() + 0x100;
	void (*jump)(void) = (void (*)(void))EXEC_IPA;

	(void)*(volatile uint32_t *)UNMAPPED_IPA;
	check("data abort taken", exc_count, n + 1);
	check("data abort ESR (EC 0x25, IL, FSC 0x10)", exc_esr & ~0x40ULL,
	      (0x25ULL << 26) | (1ULL << 25) | 0x10);
	check("data abort FAR", exc_far, UNMAPPED_IPA);
	check("data abort vector (current EL, SPx sync)", exc_vector,
	      VEC_CUR_SPX_SYNC);

	*(volatile uint32_t *)window = 0xdead;
	check("write to the hypervisor window faults", exc_count, n + 2);
	check("window fault ESR (WnR set)", exc_esr,
	      (0x25ULL << 26) | (1ULL << 25) | 0x40 | 0x10);
	check("window fault FAR", exc_far, window);

	/* Executable at stage 1, no RAM at stage 2: the abort is vhyp's. */
	check_true("EL1-executable block at an IPA without RAM",
	           rt_mmu_map_block(EXEC_IPA, RT_MAP_EL1_EXEC));
	jump();
	check("instruction abort taken", exc_count, n + 3);
	check("instruction abort ESR", exc_esr,
	      (0x21ULL << 26) | (1ULL << 25) | 0x10);
	check("instruction abort FAR", exc_far, EXEC_IPA);
}

/* Protected VM: MEMINFO, SHARE/UNSHARE (vhyp maps and unmaps the granule
 * at EL2 for the host side), MMIO_GUARD of a passed-through device. */
static void test_protected(void)
{
	uint64_t page = (uint64_t)(uintptr_t)shared_page;
	struct res r;
	uint64_t n;

	r = hvc(KVM_VENDOR_HYP_MEMINFO_FUNC_ID, 0, 0, 0);
	check("MEMINFO", r.a0, 4096);
	check("MEMINFO x1", r.a1, 0);
	shared_page[0] = 0x5a;
	check("SHARE", hvc(KVM_VENDOR_MEM_SHARE_FUNC_ID, page, 0, 0).a0, 0);
	check("SHARE again", hvc(KVM_VENDOR_MEM_SHARE_FUNC_ID, page, 0, 0).a0,
	      (uint64_t)SMCCC_RET_INVALID_PARAMETER);
	check("UNSHARE", hvc(KVM_VENDOR_MEM_UNSHARE_FUNC_ID, page, 0, 0).a0, 0);
	check("UNSHARE again",
	      hvc(KVM_VENDOR_MEM_UNSHARE_FUNC_ID, page, 0, 0).a0,
	      (uint64_t)SMCCC_RET_INVALID_PARAMETER);
	check("contents kept", shared_page[0], 0x5a);
	for (unsigned i = 0; i < 64; i++) {
		uint64_t p = 0x50000000ULL + i * 0x201000ULL;
		if (hvc(KVM_VENDOR_MEM_SHARE_FUNC_ID, p, 0, 0).a0 != 0 ||
		    hvc(KVM_VENDOR_MEM_UNSHARE_FUNC_ID, p, 0, 0).a0 != 0)
			check("SHARE/UNSHARE cycle", p, 0);
	}
	check("MMIO_GUARD(UART)",
	      hvc(KVM_VENDOR_MMIO_GUARD_FUNC_ID, rt_uart_base(), 0, 0).a0, 0);
	check("MMIO_GUARD(RAM)",
	      hvc(KVM_VENDOR_MMIO_GUARD_FUNC_ID, page, 0, 0).a0,
	      (uint64_t)SMCCC_RET_INVALID_PARAMETER);
	n = exc_count;
	(void)*(volatile uint32_t *)(UNMAPPED_IPA + 0x2000);
	check("unguarded MMIO after MMIO_GUARD: external abort", exc_count,
	      n + 1);
	rt_printf("hyp-smoke: UART still works after MMIO_GUARD\n");
}

/* The first 2 MiB block above the image, in RAM: where the EL0 probe is
 * copied; 0 if RAM ends first. */
static uint64_t el0_code_block(void)
{
	uint64_t b = (rt_image_end() + BLOCK - 1) & ~(BLOCK - 1);

	return b + BLOCK <= ram_end() ? b : 0;
}

/* The probe's code into an EL0-executable block (written while the block
 * is still EL1-writable, then cleaned to the point of unification). */
static uint64_t install_el0_probe(void)
{
	uint64_t b = el0_code_block();
	size_t len =
	        (size_t)((const char *)el0_probe_end - (const char *)el0_probe);

	if (b == 0)
		return 0;
	memcpy((void *)(uintptr_t)b, el0_probe, len);
	for (uint64_t a = b; a < b + len; a += 4)
		__asm__ volatile("dc cvau, %0" ::"r"(a) : "memory");
	__asm__ volatile("dsb ish" ::: "memory");
	if (!rt_mmu_map_block(b, RT_MAP_EL0_EXEC))
		return 0;
	__asm__ volatile("ic iallu\n\tdsb ish\n\tisb" ::: "memory");
	return b;
}

/* A stage-2 abort taken at EL0 reaches EL1 at VBAR_EL1 + 0x400 with a
 * "data abort from a lower EL" syndrome. */
static void test_el0_abort(void)
{
	uint64_t n = exc_count, code;

	check_true("EL0-accessible Device block at an IPA without RAM",
	           rt_mmu_map_block(UNMAPPED_IPA & ~(BLOCK - 1),
	                            RT_MAP_EL0_DEVICE));
	code = install_el0_probe();
	check_true("EL0-executable block for the probe", code != 0);
	if (code == 0)
		return;
	run_at_el0(code, UNMAPPED_IPA);
	check("EL0 abort taken", exc_count, n + 1);
	check("EL0 abort vector (lower EL AArch64 sync)", exc_vector,
	      VEC_LOWER_SYNC);
	check("EL0 abort ESR (EC 0x24, IL, FSC 0x10)", exc_esr & ~0x40ULL,
	      (0x24ULL << 26) | (1ULL << 25) | 0x10);
	check("EL0 abort FAR", exc_far, UNMAPPED_IPA);
}

/* Whether /chosen/bootargs contains s. */
static int bootargs_contain(const void *dtb, const char *s)
{
	struct fdt f;
	uint32_t len;
	const char *args;
	size_t n = strlen(s);

	if (fdt_open(&f, dtb, FDT_MAX_SIZE) != 0)
		return 0;
	args = fdt_getprop(&f, fdt_path(&f, "/chosen"), "bootargs", &len);
	for (uint32_t i = 0; args != NULL && i + n <= len; i++)
		if (memcmp(args + i, s, n) == 0)
			return 1;
	return 0;
}

/* An IMPLEMENTATION DEFINED system register (S3_0_C15_C0_0) is UNDEFINED
 * for the guest: vhyp sets HCR_EL2.TIDCP (as KVM) and injects UNDEFINED on
 * the trap; QEMU 7.2 does not implement that trap and raises the UNDEF at
 * EL1 itself.  WFI shows vhyp's own injection when vhyp runs with
 * vhyp.debug_trap_wfx=1 and the guest's bootargs say hyp-smoke.trap-wfi
 * (without the trap, WFI would wait for an interrupt that never comes). */
static void test_undef(void)
{
	uint64_t n = exc_count, v;

	__asm__ volatile("mrs %0, S3_0_C15_C0_0" : "=r"(v));
	(void)v;
	check("IMP DEF register read: exception taken", exc_count, n + 1);
	check("IMP DEF register read: UNDEFINED (EC 0, IL)", exc_esr,
	      1ULL << 25);
	check("IMP DEF register read: current EL vector", exc_vector,
	      VEC_CUR_SPX_SYNC);
	if (!trap_wfi)
		return;
	n = exc_count;
	__asm__ volatile("wfi" ::: "memory");
	check("WFI trapped by vhyp: exception taken", exc_count, n + 1);
	check("WFI trapped by vhyp: UNDEFINED (EC 0, IL)", exc_esr, 1ULL << 25);
	rt_printf("hyp-smoke: WFI trap checked\n");
}

/*
 * Hostile input: random function IDs and arguments through HVC and SMC
 * (PSCI calls excepted, since they may legitimately stop or start CPUs).
 * vhyp must answer them all and stay usable.
 */
static void test_random_calls(void)
{
	static const uint64_t known[] = {
	        SMCCC_VERSION_FUNC_ID,         SMCCC_ARCH_FEATURES_FUNC_ID,
	        KVM_VENDOR_CALL_UID_FUNC_ID,   KVM_VENDOR_FEATURES_FUNC_ID,
	        KVM_VENDOR_PTP_FUNC_ID,        KVM_VENDOR_HYP_MEMINFO_FUNC_ID,
	        KVM_VENDOR_MEM_SHARE_FUNC_ID,  KVM_VENDOR_MEM_UNSHARE_FUNC_ID,
	        KVM_VENDOR_MMIO_GUARD_FUNC_ID,
	};
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	unsigned calls = 0;

	for (unsigned i = 0; i < 20000; i++) {
		uint64_t r[4];
		for (unsigned k = 0; k < 4; k++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			r[k] = seed;
		}
		/* Bias towards the owners vhyp serves, and every fourth call
		 * a function it implements, often with a RAM granule. */
		if (i & 1)
			r[0] = (r[0] & ~0x3F000000ULL) |
			       ((uint64_t)(i % 7) << 24);
		if ((i & 3) == 3) {
			r[0] = known[(r[0] >> 8) %
			             (sizeof(known) / sizeof(known[0]))];
			if (r[2] & 1)
				r[1] = 0x40000000ULL +
				       ((r[1] % 0x40000000ULL) & ~0xFFFULL);
			if (r[2] & 2)
				r[2] = r[3] = 0;
		}
		if (((r[0] >> 24) & 0x3F) == 4 && (r[0] & 0xFFFF) <= 0x1F)
			continue; /* PSCI */
		if (i & 2)
			hvc(r[0], r[1], r[2], r[3]);
		else
			smc(r[0], r[1], r[2], r[3]);
		calls++;
	}
	check_true("random calls made", calls > 15000);
	check("FEATURES after random calls",
	      hvc(KVM_VENDOR_FEATURES_FUNC_ID, 0, 0, 0).a0, features);
	check("SMCCC_VERSION after random calls",
	      hvc(SMCCC_VERSION_FUNC_ID, 0, 0, 0).a0, SMCCC_VERSION_1_1);
}

static void wait_off(uint64_t mpidr)
{
	for (unsigned i = 0; i < 10000000; i++) {
		if (hvc(PSCI_AFFINITY_INFO_64_FUNC_ID, mpidr, 0, 0).a0 ==
		    (uint64_t)PSCI_AFF_OFF)
			return;
	}
	rt_printf("hyp-smoke: FAIL CPU never went off\n");
	failures++;
}

/* CPU 1 through the runtime (rt_cpu_start: its entry point, context =
 * CPU index, which the runtime checks), the refusals with raw calls. */
static void test_smp(void)
{
	uint64_t entry = (uint64_t)(uintptr_t)rt_secondary_entry;
	uint64_t cpu1 = rt_cpu_mpidr(1);

	check("AFFINITY_INFO(self)",
	      hvc(PSCI_AFFINITY_INFO_64_FUNC_ID, rt_cpu_mpidr(0), 0, 0).a0,
	      PSCI_AFF_ON);
	check("CPU_ON bad MPIDR",
	      hvc(PSCI_CPU_ON_64_FUNC_ID, 0x100, entry, 0).a0,
	      (uint64_t)PSCI_RET_INVALID_PARAMS);
	check("CPU_ON entry outside RAM",
	      hvc(PSCI_CPU_ON_64_FUNC_ID, cpu1, UNMAPPED_IPA, 1).a0,
	      (uint64_t)PSCI_RET_INVALID_ADDRESS);
	check("CPU_ON self",
	      hvc(PSCI_CPU_ON_64_FUNC_ID, rt_cpu_mpidr(0), entry, 0).a0,
	      (uint64_t)PSCI_RET_ALREADY_ON);
	for (unsigned cycle = 1; cycle <= 3; cycle++) {
		unsigned before = sec_count;
		uint64_t r1 = (uint64_t)rt_cpu_start(
		        1, secondary_main, (void *)(uintptr_t)(0x5500 + cycle));
		uint64_t r2 = hvc(PSCI_CPU_ON_64_FUNC_ID, cpu1, entry, 1).a0;

		check("CPU_ON(1)", r1, 0);
		check_true("second CPU_ON(1): ALREADY_ON (or ON_PENDING)",
		           r2 == (uint64_t)PSCI_RET_ALREADY_ON);
		for (unsigned i = 0;
		     i < 100000000 &&
		     __atomic_load_n(&sec_count, __ATOMIC_ACQUIRE) == before;
		     i++)
			;
		check("secondary ran with its argument", sec_seen,
		      0x5500 + cycle);
		check("AFFINITY_INFO(1) while on",
		      hvc(PSCI_AFFINITY_INFO_64_FUNC_ID, cpu1, 0, 0).a0,
		      PSCI_AFF_ON);
		__atomic_store_n(&sec_release, 1U, __ATOMIC_RELEASE);
		wait_off(cpu1);
		__atomic_store_n(&sec_release, 0U, __ATOMIC_RELEASE);
	}
	check("AFFINITY_INFO(1) after CPU_OFF",
	      hvc(PSCI_AFFINITY_INFO_64_FUNC_ID, cpu1, 0, 0).a0, PSCI_AFF_OFF);
}

/* Cost of a round trip, for information: counter ticks over 1000 calls.
 * Under QEMU -icount shift=0 one instruction is 1 ns, so at 62.5 MHz
 * instructions per call = ticks * 16 / 1000. */
static void report_cost(const char *what, uint64_t fid, uint64_t a1)
{
	uint64_t t0 = read_cntvct();
	for (unsigned i = 0; i < 1000; i++)
		hvc(fid, a1, 0, 0);
	uint64_t t1 = read_cntvct();
	rt_printf("hyp-smoke: cost of 1000 %s calls: 0x%016llx counter ticks\n",
	          what, (unsigned long long)(t1 - t0));
}

int main(const void *dtb)
{
	rt_printf("hyp-smoke: started, DTB at 0x%016llx\n",
	          (unsigned long long)(uintptr_t)dtb);
	rt_set_exception_hook(on_exception);
	test_smccc();
	test_aborts();
	test_el0_abort();
	trap_wfi = bootargs_contain(dtb, "hyp-smoke.trap-wfi");
	test_undef();
	if (features & KVM_FEAT_MEM_SHARE)
		test_protected();
	if (hvc(PSCI_AFFINITY_INFO_64_FUNC_ID, 1, 0, 0).a0 !=
	    (uint64_t)PSCI_RET_INVALID_PARAMS)
		test_smp();
	else
		rt_printf("hyp-smoke: one CPU, SMP tests skipped\n");
	test_random_calls();
	report_cost("FEATURES", KVM_VENDOR_FEATURES_FUNC_ID, 0);
	report_cost("PTP", KVM_VENDOR_PTP_FUNC_ID, 0);
	report_cost("unknown-ID", 0x4b000000, 0);
	rt_set_exception_hook(NULL);
	if (failures != 0) {
		rt_printf("hyp-smoke: FAILED 0x%x\n", failures);
		return 1; /* rt_exit: SYSTEM_RESET, run.sh fails the run */
	}
	rt_printf("hyp-smoke: PASS\n");
	return 0; /* SYSTEM_OFF */
}
