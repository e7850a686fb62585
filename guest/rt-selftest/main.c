// SPDX-License-Identifier: MIT
/*
 * Self-test of the guest runtime (guest/rt): secondary CPUs through PSCI
 * CPU_ON (twice each, so off -> on -> off works), spinlocks and atomics
 * across CPUs (they need the MMU on), unaligned loads from RAM, the
 * exception hook, and rt_try_read32() catching an expected abort.
 * Prints "rt-selftest: PASS" and powers off, or exits with status 1.
 */
#include <guest/rt.h>

#define ROUNDS 2000U

static struct spinlock lock = SPINLOCK_INIT;
static uint64_t locked_counter;        /* only touched under lock */
static uint64_t atomic_counter;        /* only touched atomically */
static volatile uint32_t arrived_mask; /* set by each CPU that ran */
static unsigned failures;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			rt_printf("rt-selftest: FAIL: " __VA_ARGS__);          \
			failures++;                                            \
		}                                                              \
	} while (0)

static void hammer(unsigned cpu, void *arg)
{
	unsigned i;

	(void)arg;
	for (i = 0; i < ROUNDS; i++) {
		spin_lock(&lock);
		locked_counter++;
		spin_unlock(&lock);
		__atomic_fetch_add(&atomic_counter, 1, __ATOMIC_RELAXED);
	}
	__atomic_fetch_or(&arrived_mask, 1U << cpu, __ATOMIC_RELEASE);
}

static void test_smp(unsigned pass)
{
	unsigned n = rt_cpu_count(), cpu, started = 0;
	uint32_t want = 1;

	locked_counter = atomic_counter = 0;
	arrived_mask = 0;
	for (cpu = 1; cpu < n; cpu++) {
		int64_t ret = rt_cpu_start(cpu, hammer, NULL);

		CHECK(ret == 0, "pass %u: CPU_ON(cpu %u) = %lld\n", pass, cpu,
		      (long long)ret);
		if (ret == 0) {
			started++;
			want |= 1U << cpu;
		}
	}
	hammer(0, NULL);
	for (cpu = 1; cpu < n; cpu++)
		CHECK(rt_cpu_wait_off(cpu, 5000000000ULL),
		      "pass %u: CPU %u did not turn off\n", pass, cpu);
	CHECK(arrived_mask == want, "pass %u: CPUs ran 0x%x, want 0x%x\n", pass,
	      arrived_mask, want);
	CHECK(locked_counter == (started + 1) * ROUNDS,
	      "pass %u: locked counter %llu\n", pass,
	      (unsigned long long)locked_counter);
	CHECK(atomic_counter == (started + 1) * ROUNDS,
	      "pass %u: atomic counter %llu\n", pass,
	      (unsigned long long)atomic_counter);
	rt_printf("rt-selftest: pass %u: %u CPUs, counters %llu/%llu\n", pass,
	          started + 1, (unsigned long long)locked_counter,
	          (unsigned long long)atomic_counter);
}

static volatile unsigned brk_seen;

static bool brk_hook(struct rt_frame *f, enum rt_vector v)
{
	if (v == RT_VEC_SYNC && ESR_EC(f->esr) == ESR_EC_BRK64) { /* BRK */
		brk_seen++;
		f->elr += 4;
		return true;
	}
	return false;
}

static void test_exceptions(void)
{
	static uint8_t buf[16] __attribute__((aligned(8))) = {
	        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	uint32_t v = 0;
	uint64_t esr = 0;

	rt_set_exception_hook(brk_hook);
	__asm__ volatile("brk #0x42");
	rt_set_exception_hook(NULL);
	CHECK(brk_seen == 1, "BRK hook ran %u times\n", brk_seen);

	/* Unaligned load from Normal memory (MMU on). */
	CHECK(rt_try_read32((uint64_t)(uintptr_t)buf + 1, &v, &esr) &&
	              v == 0x05040302U,
	      "unaligned load: 0x%x, esr 0x%llx\n", v, (unsigned long long)esr);

	/* Beyond the 39-bit VA space: a translation fault, caught. */
	CHECK(!rt_try_read32(1ULL << 40, &v, &esr) &&
	              ESR_EC(esr) == ESR_EC_DABT_CUR,
	      "load beyond the VA space: esr 0x%llx\n",
	      (unsigned long long)esr);
	rt_printf("rt-selftest: exceptions: BRK hook, unaligned load, "
	          "caught abort (ESR 0x%llx)\n",
	          (unsigned long long)esr);
}

int main(const void *dtb)
{
	(void)dtb;
	rt_printf("rt-selftest: %u CPU(s), conduit %s, image 0x%llx-0x%llx\n",
	          rt_cpu_count(), rt_hyp.conduit.name,
	          (unsigned long long)rt_image_start(),
	          (unsigned long long)rt_image_end());
	test_exceptions();
	test_smp(1);
	test_smp(2);
	if (failures != 0) {
		rt_printf("rt-selftest: FAIL (%u)\n", failures);
		return 1;
	}
	rt_printf("rt-selftest: PASS\n");
	return 0;
}
