// SPDX-License-Identifier: MIT
/*
 * Isolation suite for a protected VM (run with --protected --mem 64M
 * --smp 4): proves from inside the guest, through the vhyp isolation
 * probe, that the host side
 *   - can neither read nor write any private granule of guest RAM (every
 *     granule is tried), and that even a raw EL2 load, which asks no
 *     permission, faults on every private granule (the EL2 mapping is
 *     absent) and returns nothing;
 *   - reads what the guest wrote and writes what the guest reads once a
 *     granule is SHARED;
 *   - is refused on the very next access after UNSHARE, on every vCPU;
 * that contents survive both transitions, and that with MMIO guard on an
 * unguarded device access is a synchronous external abort while a guarded
 * one reaches the device model.  Output is TAP; the run powers off.
 */
#include <stdatomic.h>

#include <guest/kvm.h>
#include <guest/rt.h>
#include <guest/tap.h>
#include <lib/fmt.h>

#include <guest/isolation_probe.h>

#define GRANULE 4096ULL
#define UNGUARDED_IPA                                                          \
	(VHYP_PROBE_BASE + VHYP_PROBE_SIZE) /* no device, not RAM */

static uint8_t test_page[GRANULE] __attribute__((aligned(GRANULE)));

/* A value no granule holds by accident. */
static uint64_t pattern(uint64_t ipa, uint64_t salt)
{
	return (ipa * 0x9E3779B97F4A7C15ULL) ^ salt ^ 0xC0FFEE0DDBA11ED5ULL;
}

/* An 8-aligned offset that differs between granules (coverage). */
static uint64_t offset_in(uint64_t g)
{
	return ((g >> 12) * 8U) & (GRANULE - 8U);
}

static bool is_sea(uint64_t esr)
{
	return ESR_EC(esr) == ESR_EC_DABT_CUR && ESR_FSC(esr) == ESR_FSC_SEA;
}

static volatile uint64_t *word(uint64_t ipa)
{
	return (volatile uint64_t *)(uintptr_t)ipa;
}

static bool probe_services(void)
{
	uint64_t granule = 0;
	enum vg_probe_result r = vg_probe(&rt_hyp);
	bool ok = r == VG_PROBE_OK && vg_meminfo(&rt_hyp, &granule) == 0 &&
	          granule == GRANULE &&
	          vg_has_feature(&rt_hyp, KVM_FUNC_MEM_SHARE) &&
	          vg_has_feature(&rt_hyp, KVM_FUNC_MEM_UNSHARE) &&
	          vg_has_feature(&rt_hyp, KVM_FUNC_MMIO_GUARD);

	rt_tap(ok, "protected VM services (probe: %s, granule %llu)",
	       vg_probe_strerror(r), (unsigned long long)granule);
	return ok;
}

static void check_every_private_granule(void)
{
	uint64_t base = rt_ram_base(), size = rt_ram_size();
	uint64_t n = size / GRANULE, read_ok = 0, write_ok = 0, other = 0;
	uint64_t changed = 0, raw_faulted = 0, raw_other = 0, raw_n = 0;
	uint64_t t0 = rt_cntvct();

	for (uint64_t g = base; g < base + size; g += GRANULE) {
		uint64_t a = g + offset_in(g), d = 0, st;

		st = probe_cmd(PROBE_CMD_READ, a, &d);
		read_ok += st == PROBE_ST_OK;
		other += st != PROBE_ST_OK && st != PROBE_ST_REFUSED;
		d = pattern(a, 1);
		st = probe_cmd(PROBE_CMD_WRITE, a, &d);
		write_ok += st == PROBE_ST_OK;
		other += st != PROBE_ST_OK && st != PROBE_ST_REFUSED;
		changed += *word(a) == pattern(a, 1);
	}
	rt_tap(read_ok == 0 && other == 0,
	       "host read refused for every private granule: %llu of %llu "
	       "succeeded (%llu MiB)",
	       (unsigned long long)read_ok, (unsigned long long)n,
	       (unsigned long long)(size >> 20));
	rt_tap(write_ok == 0 && other == 0 && changed == 0,
	       "host write refused for every private granule: %llu of %llu "
	       "succeeded, %llu granules changed",
	       (unsigned long long)write_ok, (unsigned long long)n,
	       (unsigned long long)changed);
	for (uint64_t g = base; g < base + size; g += GRANULE) {
		uint64_t d = 0x5E27141E15E27141ULL, st;

		st = probe_cmd(PROBE_CMD_RAW_READ, g + offset_in(g), &d);
		raw_n++;
		if (st == PROBE_ST_FAULTED && d == 0x5E27141E15E27141ULL)
			raw_faulted++;
		else
			raw_other++;
	}
	rt_tap(raw_other == 0,
	       "raw EL2 read of private granules faults at EL2, nothing "
	       "returned: %llu of %llu granules faulted",
	       (unsigned long long)raw_faulted, (unsigned long long)raw_n);
	rt_printf(
	        "# %llu granules probed in %llu ms\n", (unsigned long long)n,
	        (unsigned long long)((rt_cntvct() - t0) * 1000U / rt_cntfrq()));
}

static void check_shared_page(void)
{
	uint64_t p = (uint64_t)(uintptr_t)test_page, d, st, q;
	bool host_reads = true, guest_reads = true;

	for (unsigned i = 0; i < GRANULE / 8; i++)
		word(p)[i] = pattern(p + i * 8U, 2);
	rt_tap(vg_mem_share(&rt_hyp, p) == 0, "MEM_SHARE of 0x%llx",
	       (unsigned long long)p);
	q = probe_query(p);
	rt_tap(q == (PROBE_Q_RAM | PROBE_Q_S2_SHARED | PROBE_Q_HOST_MAY),
	       "shared: stage-2 and host views say shared (query 0x%llx)",
	       (unsigned long long)q);
	for (uint64_t off = 0; off < GRANULE; off += 8 * 37) {
		d = 0;
		st = probe_cmd(PROBE_CMD_READ, p + off, &d);
		host_reads &= st == PROBE_ST_OK && d == pattern(p + off, 2);
	}
	rt_tap(host_reads, "after SHARE the host reads what the guest wrote");
	for (uint64_t off = 8; off < GRANULE; off += 8 * 41) {
		d = pattern(p + off, 3);
		st = probe_cmd(PROBE_CMD_WRITE, p + off, &d);
		guest_reads &= st == PROBE_ST_OK && *word(p + off) == d;
	}
	rt_tap(guest_reads, "after SHARE the guest reads what the host wrote");
	d = 0;
	st = probe_cmd(PROBE_CMD_RAW_READ, p, &d);
	rt_tap(st == PROBE_ST_OK && d == pattern(p, 2),
	       "raw EL2 read of the shared granule succeeds (status %llu)",
	       (unsigned long long)st);
}

/*
 * UNSHARE on one vCPU, then the very next host access from every vCPU.
 * Round r: CPU r unshares (after checking the host can still read), sets
 * `unshared`; every CPU then tries READ, WRITE and RAW on the granule.
 */
struct round_state {
	_Atomic unsigned arrive;
	_Atomic unsigned generation;
	_Atomic unsigned unshared;
	_Atomic unsigned bad; /* failed checks, all rounds and CPUs */
	_Atomic unsigned checks;
	unsigned ncpu;
	uint64_t page;
};
static struct round_state rs;

static void barrier(void)
{
	unsigned gen = atomic_load(&rs.generation);

	if (atomic_fetch_add(&rs.arrive, 1U) + 1U == rs.ncpu) {
		atomic_store(&rs.arrive, 0U);
		atomic_fetch_add(&rs.generation, 1U);
	} else {
		while (atomic_load(&rs.generation) == gen)
			;
	}
}

static void check_refused_now(void)
{
	uint64_t d = 0, st;
	bool ok;

	st = probe_cmd(PROBE_CMD_READ, rs.page + 8, &d);
	ok = st == PROBE_ST_REFUSED;
	d = 0xBAD0BAD0BAD0BAD0ULL;
	st = probe_cmd(PROBE_CMD_WRITE, rs.page + 16, &d);
	ok &= st == PROBE_ST_REFUSED;
	d = 0x5E27141E15E27141ULL;
	st = probe_cmd(PROBE_CMD_RAW_READ, rs.page, &d);
	ok &= st == PROBE_ST_FAULTED && d == 0x5E27141E15E27141ULL;
	atomic_fetch_add(&rs.checks, 1U);
	if (!ok)
		atomic_fetch_add(&rs.bad, 1U);
}

static void run_rounds(unsigned cpu)
{
	for (unsigned r = 0; r < rs.ncpu; r++) {
		barrier(); /* CPU 0 has shared the page for round r */
		if (cpu == r) {
			uint64_t d = 0;
			if (probe_cmd(PROBE_CMD_READ, rs.page, &d) !=
			            PROBE_ST_OK ||
			    vg_mem_unshare(&rt_hyp, rs.page) != 0)
				atomic_fetch_add(&rs.bad, 1U);
			atomic_store(&rs.unshared, 1U);
		} else {
			while (atomic_load(&rs.unshared) == 0)
				;
		}
		check_refused_now();
		barrier(); /* everybody checked */
		if (cpu == 0) {
			atomic_store(&rs.unshared, 0U);
			if (r + 1 < rs.ncpu &&
			    vg_mem_share(&rt_hyp, rs.page) != 0)
				atomic_fetch_add(&rs.bad, 1U);
		}
	}
}

static void secondary(unsigned cpu, void *arg)
{
	(void)arg;
	run_rounds(cpu);
}

static void check_unshare_every_cpu(void)
{
	uint64_t p = (uint64_t)(uintptr_t)test_page, q;
	unsigned started = 1;
	bool preserved = true;

	/* Contents the guest and the host wrote while shared. */
	uint64_t g0 = word(p)[0], h8 = word(p)[1];

	rs.ncpu = rt_cpu_count();
	rs.page = p;
	for (unsigned c = 1; c < rs.ncpu; c++)
		if (rt_cpu_start(c, secondary, NULL) == 0)
			started++;
	if (started != rs.ncpu) {
		rt_tap(false, "start %u vCPUs (started %u)", rs.ncpu, started);
		return;
	}
	run_rounds(0);
	for (unsigned c = 1; c < rs.ncpu; c++)
		(void)rt_cpu_wait_off(c, 5000000000ULL);
	rt_tap(atomic_load(&rs.bad) == 0 &&
	               atomic_load(&rs.checks) == rs.ncpu * rs.ncpu,
	       "after UNSHARE the host is refused on the very next access, on "
	       "every vCPU (%u rounds x %u vCPUs, %u failed)",
	       rs.ncpu, rs.ncpu, atomic_load(&rs.bad));
	q = probe_query(p);
	rt_tap(q == PROBE_Q_RAM,
	       "unshared: stage-2 and host views say private (query 0x%llx)",
	       (unsigned long long)q);
	preserved = word(p)[0] == g0 && word(p)[1] == h8;
	for (unsigned i = 2; i < GRANULE / 8; i++) {
		uint64_t a = p + i * 8U;
		uint64_t want = (i * 8U - 8U) % (8U * 41U) == 0 ? pattern(a, 3)
		                                                : pattern(a, 2);
		preserved &= word(p)[i] == want;
	}
	rt_tap(preserved && g0 == pattern(p, 2) && h8 == pattern(p + 8, 3),
	       "contents survive SHARE and UNSHARE (%u shares, %u unshares)",
	       rs.ncpu, rs.ncpu);
}

static bool try_probe_id(uint64_t *esr, uint32_t *id)
{
	return rt_try_read32(PROBE_BASE + PROBE_ID, id, esr);
}

/*
 * The MMIO emulation of every load/store form a device driver uses, on the
 * probe's DATA register: sizes, sign extension into X and W registers (a W
 * destination must come back with bits 63:32 clear), sub-register offsets,
 * XZR as source and destination.  A write-back form (post-index) has no
 * valid syndrome (ISV = 0), so it cannot be emulated: external abort.
 */
#define DATA_VALUE 0x8081828384858687ULL
#define GARBAGE    0xDEADBEEFDEADBEEFULL
#define LOAD(insn, addr)                                                       \
	({                                                                     \
		uint64_t v_ = GARBAGE;                                         \
		__asm__ volatile(insn : "+r"(v_) : "r"(addr) : "memory");      \
		v_;                                                            \
	})

static volatile bool post_index_faulted;
static uint64_t post_index_esr;
extern char post_index_insn[];

static bool catch_post_index(struct rt_frame *f, enum rt_vector v)
{
	if (v != RT_VEC_SYNC || f->elr != (uint64_t)(uintptr_t)post_index_insn)
		return false;
	post_index_esr = f->esr;
	post_index_faulted = true;
	f->elr += 4;
	return true;
}

static void check_mmio_forms(void)
{
	uint64_t d = PROBE_BASE + PROBE_DATA, a = d;
	unsigned bad = 0;
	rt_exception_hook old;

	probe_write(PROBE_DATA, DATA_VALUE);
	bad += LOAD("ldrb %w0, [%1]", d) != 0x87U;
	bad += LOAD("ldrb %w0, [%1, #1]", d) != 0x86U;
	bad += LOAD("ldrh %w0, [%1, #2]", d) != 0x8485U;
	bad += LOAD("ldr %w0, [%1]", d) != 0x84858687U;
	bad += LOAD("ldr %w0, [%1, #4]", d) != 0x80818283U;
	bad += LOAD("ldr %0, [%1]", d) != DATA_VALUE;
	bad += LOAD("ldrsb %0, [%1]", d) != 0xFFFFFFFFFFFFFF87ULL;
	bad += LOAD("ldrsb %w0, [%1]", d) != 0xFFFFFF87ULL;
	bad += LOAD("ldrsh %0, [%1]", d) != 0xFFFFFFFFFFFF8687ULL;
	bad += LOAD("ldrsh %w0, [%1]", d) != 0xFFFF8687ULL;
	bad += LOAD("ldrsw %0, [%1]", d) != 0xFFFFFFFF84858687ULL;
	__asm__ volatile("ldr xzr, [%0]" ::"r"(d) : "memory");
	__asm__ volatile("strb %w0, [%1, #2]" ::"r"(0x1AAU), "r"(d) : "memory");
	bad += probe_read(PROBE_DATA) != 0x8081828384AA8687ULL;
	__asm__ volatile("strh %w0, [%1, #6]" ::"r"(0x1234U), "r"(d)
	                 : "memory");
	bad += probe_read(PROBE_DATA) != 0x1234828384AA8687ULL;
	__asm__ volatile("str wzr, [%0, #4]" ::"r"(d) : "memory");
	bad += probe_read(PROBE_DATA) != 0x0000000084AA8687ULL;
	__asm__ volatile("str xzr, [%0]" ::"r"(d) : "memory");
	bad += probe_read(PROBE_DATA) != 0;
	rt_tap(bad == 0,
	       "MMIO emulation: 8/16/32/64-bit, sign extension to X and W, "
	       "offsets, XZR (%u wrong)",
	       bad);
	old = rt_set_exception_hook(catch_post_index);
	__asm__ volatile(".global post_index_insn\n"
	                 "post_index_insn: ldr %0, [%1], #8"
	                 : "=&r"(d), "+r"(a)
	                 :
	                 : "memory");
	(void)rt_set_exception_hook(old);
	rt_tap(post_index_faulted && is_sea(post_index_esr),
	       "post-indexed load (ISV = 0) is not emulated: external abort "
	       "(ESR "
	       "0x%llx)",
	       (unsigned long long)post_index_esr);
}

/* The console of a protected VM is the host side's PL011 model, not the
 * board's UART: the PrimeCell IDs are a PL011's (so Linux's AMBA bus
 * binds it), and UARTIFLS reads 0 where QEMU's PL011 resets it to 0x12. */
static void check_emulated_uart(void)
{
	static const uint8_t want[8] = {0x11, 0x10, 0x14, 0x00,
	                                0x0d, 0xf0, 0x05, 0xb1};
	uint64_t uart = rt_uart_base();
	bool ids = true;
	uint32_t ifls, v;

	for (unsigned i = 0; i < 8; i++) {
		v = *(volatile uint32_t *)(uintptr_t)(uart + 0xFE0U + 4U * i);
		ids &= v == want[i];
	}
	ifls = *(volatile uint32_t *)(uintptr_t)(uart + 0x034U);
	rt_tap(ids && ifls == 0,
	       "console at 0x%llx is the emulated PL011 (PL011 IDs, IFLS 0x%x)",
	       (unsigned long long)uart, ifls);
}

static void check_mmio_guard(void)
{
	uint64_t esr = 0, uart = rt_uart_base() & ~(GRANULE - 1);
	uint32_t id = 0;
	bool reached;

	/* The console first: from the first guard on, only guarded
	 * granules reach a device model. */
	rt_tap(vg_mmio_guard(&rt_hyp, uart) == 0,
	       "MMIO_GUARD of the UART granule 0x%llx (this line is printed "
	       "through it)",
	       (unsigned long long)uart);
	reached = try_probe_id(&esr, &id);
	rt_tap(!reached && is_sea(esr),
	       "unguarded access to the probe device: synchronous external "
	       "abort (ESR 0x%llx)",
	       (unsigned long long)esr);
	esr = 0;
	reached = rt_try_read32(UNGUARDED_IPA, &id, &esr);
	rt_tap(!reached && is_sea(esr),
	       "unguarded access to 0x%llx: synchronous external abort (ESR "
	       "0x%llx)",
	       (unsigned long long)UNGUARDED_IPA, (unsigned long long)esr);
	rt_tap(vg_mmio_guard(&rt_hyp, PROBE_BASE) == 0,
	       "MMIO_GUARD of the probe granule 0x%llx",
	       (unsigned long long)PROBE_BASE);
	esr = 0;
	reached = try_probe_id(&esr, &id);
	rt_tap(reached && id == (uint32_t)PROBE_ID_VALUE,
	       "guarded access reaches the device model (ID 0x%x)", id);
}

static void check_counters(void)
{
	uint64_t leaked = probe_read(PROBE_LEAKED);

	rt_tap(leaked == 0,
	       "host side counters: %llu ok, %llu refused, %llu faulted, %llu "
	       "leaked",
	       (unsigned long long)probe_read(PROBE_OK),
	       (unsigned long long)probe_read(PROBE_REFUSED),
	       (unsigned long long)probe_read(PROBE_FAULTED),
	       (unsigned long long)leaked);
}

int main(const void *dtb)
{
	(void)dtb;
	rt_printf("# isolation: %u vCPUs, RAM 0x%llx + %llu MiB\n",
	          rt_cpu_count(), (unsigned long long)rt_ram_base(),
	          (unsigned long long)(rt_ram_size() >> 20));
	if (!probe_services() || probe_read(PROBE_ID) != PROBE_ID_VALUE) {
		rt_tap(false, "isolation probe present at 0x%llx",
		       (unsigned long long)PROBE_BASE);
		rt_tap_plan("isolation");
		return 0;
	}
	rt_tap(true, "isolation probe present at 0x%llx",
	       (unsigned long long)PROBE_BASE);
	check_emulated_uart();
	check_mmio_forms();
	check_every_private_granule();
	check_shared_page();
	check_unshare_every_cpu();
	check_mmio_guard();
	check_counters();
	rt_tap_plan("isolation");
	return 0;
}
