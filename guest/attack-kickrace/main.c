// SPDX-License-Identifier: MIT
/*
 * Attack class "kickrace" (tests/qemu/attack/kickrace.sh;
 * docs/security.md): vhyp's virtio-mmio transport processes a queue on
 * the vCPU that writes QueueNotify, but a notification never waits for
 * the device lock: one that finds the lock taken leaves its queue marked
 * kicked, and whoever holds the lock, for whatever register access, must
 * process the kicks after letting go (hyp/devices/virtio_mmio.c,
 * dev_unlock).  A guest with 2 vCPUs runs that race as often as it can
 * and checks that no notification is lost:
 *
 *   A. One submitter: vCPU1 hammers registers that take the device lock
 *      (reads QueueNumMax and Status, writes QueueSel = 0) while vCPU0
 *      makes virtio-blk requests one at a time, with a short varying
 *      pause before each: a sector read every READ_EVERY requests,
 *      GET_ID (answered by vhyp alone, so many notifications a second)
 *      in between.  After each QueueNotify vCPU0
 *      polls the request's status byte (memory only) for at most 1 s: a
 *      request not completed by then had its notification lost (vCPU1
 *      held the lock for a register access and let go without looking
 *      at the kicks).  It is reported, notified again (it must then
 *      complete: the device is not dead) and counted.
 *   B. Two submitters on the same queue (a guest spinlock around the
 *      available ring), in rounds: each vCPU makes one request a round,
 *      polls it with Status reads, then waits for the other's with
 *      Status reads and QueueSel writes.  Nobody notifies again before
 *      both requests of the round are done, so a notification lost to
 *      the other vCPU's register access is not rescued by a later one.
 *
 * Each phase runs for a time budget (default 1200 ms, bootargs
 * "budget=MS"; time spent waiting for a lost request does not count);
 * phase A goes on up to twice that until A_TARGET notifications were
 * taken over by vCPU1 (on a loaded host the vCPUs run side by side less
 * often).  A phase stops early after 4 losses (bootargs "lost=N").  Checks:
 * every request completed within 1 s of its notification, with status OK and
 * the right data; at least MIN_A requests and MIN_B rounds made (the
 * race was run); the device used as many chains as were made available;
 * the registers vCPU1 read under load kept their values.  The guest also
 * prints how many notifications returned before their request had
 * completed (taken over by the lock holder).
 *
 * Run with --smp 2 and --disk FILE: 1 MiB, the 64-bit little-endian word
 * at byte offset o is DISK_WORD(o) (the script writes it).
 */

#include <stdatomic.h>

#include <guest/kvm.h>
#include <guest/rt.h>
#include <guest/tap.h>
#include <guest/virtio.h>
#include <lib/fdt.h>

#define GRANULE    4096ULL
#define BLK        VHYP_VIRTIO_BLK_BASE
#define SECTOR     VIRTIO_BLK_SECTOR_SIZE
#define DISK_BYTES (1024ULL * 1024ULL)
#define SECTORS    (DISK_BYTES / SECTOR)
#define QSIZE      RT_VQ_SIZE
#define READ_EVERY 4U   /* request i reads a sector if i % READ_EVERY == 0 */
#define ID_LEN     20U  /* GET_ID: "vhyp-virtio-blk", zero-padded */
#define MIN_A      500U /* requests of phase A */
#define MIN_B      50U  /* rounds of phase B */
#define MAX_A      100000U
#define A_TARGET   10U /* notifications taken over in phase A */
#define GAP_US     64U /* vCPU0's pauses between requests (phase A) */
#define FILL       0xF111F111F111F111ULL

#define DISK_WORD(o) (0x4B1C000000000000ULL | (uint64_t)(o))

/* Shared with the host side in a protected VM: the ring page and one
 * page of request headers, status bytes and data (per vCPU c: header at
 * HDR(c), status at STATUS(c), one sector at DATA(c)). */
static uint8_t ring[GRANULE] __attribute__((aligned(GRANULE)));
static uint8_t io[GRANULE] __attribute__((aligned(GRANULE)));

#define HDR(c)    (io + 16U * (c))
#define STATUS(c) ((volatile uint8_t *)(io + 0x100U + (c)))
#define DATA(c)   ((volatile uint64_t *)(void *)(io + 0x800U + SECTOR * (c)))

static struct vg_hyp *hyp;
static bool protected_vm;
static struct rt_virtq vq;
static struct spinlock ring_lock = SPINLOCK_INIT;
static uint64_t timeout_ticks, budget_ms = 1200;
static unsigned lost_limit = 4;

static void dmb(void)
{
	__asm__ volatile("dmb ish" ::: "memory");
}

static uint64_t us(uint64_t ticks)
{
	return ticks * 1000000ULL / rt_cntfrq();
}

/* What one submitter saw. */
struct tally {
	unsigned submitted, completed, ok, data_ok, lost, recovered, deferred;
	uint64_t max_wait; /* ticks, requests completed in time */
};

/* Request i of vCPU c: a read of a sector, or (cheap: vhyp answers it
 * without QEMU, so many more notifications a second) a GET_ID. */
static bool is_read(unsigned i)
{
	return i % READ_EVERY == 0;
}

static uint64_t sector_of(unsigned c, unsigned i)
{
	return (i * 37U + c * (SECTORS / 2U)) % SECTORS;
}

/* vCPU c's request i on the ring (descriptors 3c..3c+2), published under
 * ring_lock; the caller notifies, without it. */
static void publish(unsigned c, unsigned i)
{
	struct rt_virtq_desc *d = rt_virtq_descs(&vq) + 3U * c;
	volatile uint16_t *a =
	        (volatile uint16_t *)(void *)(ring + RT_VQ_AVAIL_OFF);
	uint8_t *hdr = HDR(c);
	uint64_t sector = is_read(i) ? sector_of(c, i) : 0;

	for (unsigned w = 0; w < SECTOR / 8; w++)
		DATA(c)[w] = FILL;
	memset(hdr, 0, VIRTIO_BLK_HDR_SIZE);
	hdr[0] = (uint8_t)(is_read(i) ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_GET_ID);
	for (unsigned b = 0; b < 8; b++)
		hdr[8 + b] = (uint8_t)(sector >> (8 * b));
	*STATUS(c) = RT_BLK_NOT_DONE;
	d[0] = (struct rt_virtq_desc){(uintptr_t)hdr, VIRTIO_BLK_HDR_SIZE,
	                              VIRTQ_DESC_F_NEXT,
	                              (uint16_t)(3U * c + 1U)};
	d[1] = (struct rt_virtq_desc){(uintptr_t)DATA(c),
	                              is_read(i) ? SECTOR : ID_LEN,
	                              VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE,
	                              (uint16_t)(3U * c + 2U)};
	d[2] = (struct rt_virtq_desc){(uintptr_t)STATUS(c), 1,
	                              VIRTQ_DESC_F_WRITE, 0};
	spin_lock(&ring_lock);
	a[VIRTQ_RING_ENTRIES_OFF / 2U + vq.avail_idx % QSIZE] =
	        (uint16_t)(3U * c);
	dmb();
	a[VIRTQ_RING_IDX_OFF / 2U] = ++vq.avail_idx;
	spin_unlock(&ring_lock);
	dmb();
}

static void notify(void)
{
	rt_mmio_write(BLK, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static uint64_t max_reg_read[2]; /* ticks, the longest Status read */

/* Polls vCPU c's status byte for at most timeout_ticks (with a locked
 * register read each round if reg_reads); true once it is written. */
static bool wait_done(unsigned c, bool reg_reads, uint64_t *waited)
{
	uint64_t t0 = rt_cntvct(), t;

	for (;;) {
		/* The time first: a vCPU held up past the limit (in a
		 * register access, or by the host) still sees a completion
		 * that came meanwhile. */
		t = rt_cntvct();
		if (*STATUS(c) != RT_BLK_NOT_DONE)
			break;
		if (t - t0 > timeout_ticks)
			return false;
		if (reg_reads) {
			uint64_t r0 = rt_cntvct(), r;

			(void)rt_mmio_read(BLK, VIRTIO_MMIO_STATUS);
			r = rt_cntvct() - r0;
			if (r > max_reg_read[c])
				max_reg_read[c] = r;
		}
	}
	dmb();
	*waited = t - t0;
	return true;
}

/* Whether vCPU c's buffer holds what request i asked for. */
static bool data_right(unsigned c, unsigned i)
{
	static const char id[ID_LEN] = "vhyp-virtio-blk";
	const volatile uint8_t *b = (const volatile uint8_t *)DATA(c);

	if (!is_read(i)) {
		for (unsigned k = 0; k < ID_LEN; k++)
			if (b[k] != (uint8_t)id[k])
				return false;
		return DATA(c)[ID_LEN / 8 + 1] == FILL; /* nothing beyond */
	}
	for (unsigned w = 0; w < SECTOR / 8; w++)
		if (DATA(c)[w] != DISK_WORD(sector_of(c, i) * SECTOR + 8U * w))
			return false;
	return true;
}

/* One request of vCPU c, counted in t.  False once the phase must stop
 * (lost_limit losses, or a request that never completes). */
static bool one_request(unsigned c, unsigned i, bool reg_reads, struct tally *t)
{
	uint64_t waited;
	bool done;

	publish(c, i);
	notify();
	t->submitted++;
	t->deferred += *STATUS(c) == RT_BLK_NOT_DONE;
	done = wait_done(c, reg_reads, &waited);
	if (!done) {
		t->lost++;
		rt_printf("# vCPU%u request %u (%s): not completed 1 s after "
		          "its QueueNotify: notification LOST\n",
		          c, i, is_read(i) ? "read" : "GET_ID");
		/* Notified again (a few times: with a device lock that
		 * loses notifications, so can this one). */
		for (unsigned k = 0; k < 3 && !done; k++) {
			notify();
			done = wait_done(c, reg_reads, &waited);
		}
		t->recovered += done;
		if (!done)
			return false;
		waited = 0; /* not counted in max_wait */
	}
	t->completed++;
	t->ok += *STATUS(c) == VIRTIO_BLK_S_OK;
	t->data_ok += *STATUS(c) == VIRTIO_BLK_S_OK && data_right(c, i);
	if (waited > t->max_wait)
		t->max_wait = waited;
	rt_mmio_write(BLK, VIRTIO_MMIO_INTERRUPT_ACK,
	              rt_mmio_read(BLK, VIRTIO_MMIO_INTERRUPT_STATUS));
	return t->lost < lost_limit;
}

/* The end of a phase's budget, moved on by the time lost requests cost. */
static _Atomic uint64_t phase_end;

static void phase_start(void)
{
	atomic_store(&phase_end,
	             rt_cntvct() + budget_ms * (rt_cntfrq() / 1000U));
}

static bool phase_over(const struct tally *t, unsigned *lost_seen)
{
	if (t->lost != *lost_seen) {
		atomic_fetch_add(&phase_end,
		                 (t->lost - *lost_seen) * timeout_ticks);
		*lost_seen = t->lost;
	}
	return rt_cntvct() >= atomic_load(&phase_end);
}

static void report(const char *phase, const struct tally *t, unsigned min)
{
	rt_tap(t->completed == t->submitted && t->lost == 0 &&
	               t->submitted >= min,
	       "%s: %u requests (>= %u), %u completed within 1 s of their "
	       "QueueNotify (%u lost, %u of them completed after a second "
	       "notify); longest wait %llu us",
	       phase, t->submitted, min, t->completed - t->recovered, t->lost,
	       t->recovered, (unsigned long long)us(t->max_wait));
	rt_tap(t->completed == t->submitted && t->ok == t->completed &&
	               t->data_ok == t->completed,
	       "%s: %u completed requests: %u status OK, %u with the right "
	       "data (sector or device ID)",
	       phase, t->completed, t->ok, t->data_ok);
}

/* ---- A: vCPU1 hammers locked registers, vCPU0 submits ---- */

static struct {
	_Atomic bool stop;
	_Atomic unsigned started;
	unsigned long accesses, bad_values;
} hammer;

static void hammer_registers(unsigned cpu, void *arg)
{
	const uint32_t up = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	                    VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
	unsigned long n = 0, bad = 0;

	(void)cpu;
	(void)arg;
	atomic_store(&hammer.started, 1U);
	while (!atomic_load(&hammer.stop)) {
		bad += rt_mmio_read(BLK, VIRTIO_MMIO_QUEUE_NUM_MAX) < QSIZE;
		rt_mmio_write(BLK, VIRTIO_MMIO_QUEUE_SEL, 0);
		bad += rt_mmio_read(BLK, VIRTIO_MMIO_STATUS) != up;
		n += 3;
	}
	hammer.accesses = n;
	hammer.bad_values = bad;
}

/*
 * vCPU0 pauses 0 to GAP_US - 1 us before each request: while it runs a
 * request it holds the lock and vCPU1 only waits for it, so without
 * pauses vCPU1's accesses keep in step with vCPU0's requests, right
 * after each; with them, vCPU1 runs free and a notification lands
 * during one of its accesses far more often.
 */
static void pause_us(unsigned n)
{
	uint64_t until = rt_cntvct() + n * (rt_cntfrq() / 1000000U);

	while (rt_cntvct() < until)
		;
}

static unsigned phase_a(void)
{
	struct tally t = {0};
	unsigned lost_seen = 0;
	uint64_t t0;

	if (rt_cpu_start(1, hammer_registers, NULL) != 0) {
		rt_tap(false, "A: start vCPU1");
		rt_tap(false, "A: requests");
		rt_tap(false, "A: data");
		return 0;
	}
	while (!atomic_load(&hammer.started))
		;
	t0 = rt_cntvct();
	phase_start();
	for (unsigned i = 0; i < MAX_A; i++) {
		/* Past the budget once the race has been won A_TARGET
		 * times, or at twice the budget (a loaded host runs the
		 * two vCPUs side by side less often). */
		if (phase_over(&t, &lost_seen) &&
		    (t.deferred >= A_TARGET ||
		     rt_cntvct() - t0 >=
		             2U * budget_ms * (rt_cntfrq() / 1000U) +
		                     t.lost * timeout_ticks))
			break;
		pause_us((i * 13U) % GAP_US);
		if (!one_request(0, i, false, &t))
			break;
	}
	t0 = rt_cntvct() - t0;
	atomic_store(&hammer.stop, true);
	(void)rt_cpu_wait_off(1, 10000000000ULL);
	rt_printf("# A: %u requests in %llu ms; %u notifications returned "
	          "before their request had completed (taken over by "
	          "vCPU1's register access)\n",
	          t.submitted, (unsigned long long)(us(t0) / 1000U),
	          t.deferred);
	rt_tap(hammer.accesses >= MIN_A && hammer.bad_values == 0,
	       "A: vCPU1 made %lu locked register accesses meanwhile "
	       "(QueueNumMax, QueueSel, Status), %lu wrong values",
	       hammer.accesses, hammer.bad_values);
	report("A (vCPU0 submits, vCPU1 hammers registers)", &t, MIN_A);
	return t.submitted;
}

/* ---- B: both vCPUs submit to the same queue, in rounds ---- */

static struct tally tally_b[2];
static _Atomic unsigned b_ready, b_round[2];
static _Atomic bool b_gave_up[2];

/* Up to 10 us before round i's request, so that either vCPU may come
 * first. */
static void skew(unsigned c, unsigned i)
{
	uint64_t until = rt_cntvct() +
	                 ((i * 7U + c * 3U) % 11U) * (rt_cntfrq() / 1000000U);

	while (rt_cntvct() < until)
		;
}

static void submitter(unsigned c, void *arg)
{
	unsigned other = 1U - c, lost_seen = 0;

	(void)arg;
	atomic_fetch_add(&b_ready, 1U);
	while (atomic_load(&b_ready) < 2U)
		;
	for (unsigned i = 0; !phase_over(&tally_b[c], &lost_seen); i++) {
		skew(c, i);
		if (!one_request(c, i, true, &tally_b[c]))
			break;
		atomic_store(&b_round[c], i + 1U);
		while (atomic_load(&b_round[other]) < i + 1U &&
		       !atomic_load(&b_gave_up[other])) {
			(void)rt_mmio_read(BLK, VIRTIO_MMIO_STATUS);
			rt_mmio_write(BLK, VIRTIO_MMIO_QUEUE_SEL, 0);
		}
	}
	atomic_store(&b_gave_up[c], true);
}

static unsigned phase_b(void)
{
	struct tally sum = {0};
	uint64_t t0;

	phase_start();
	if (rt_cpu_start(1, submitter, NULL) != 0) {
		rt_tap(false, "B: start vCPU1");
		rt_tap(false, "B: requests");
		return 0;
	}
	t0 = rt_cntvct();
	submitter(0, NULL);
	if (!rt_cpu_wait_off(1, 30000000000ULL)) {
		rt_tap(false, "B: vCPU1 finished its requests");
		rt_tap(false, "B: requests");
		return 0;
	}
	t0 = rt_cntvct() - t0;
	for (unsigned c = 0; c < 2; c++) {
		const struct tally *t = &tally_b[c];

		rt_printf("# B: vCPU%u: %u requests, %u lost, %u "
		          "notifications returned before their request had "
		          "completed; longest Status read while polling "
		          "%llu us\n",
		          c, t->submitted, t->lost, t->deferred,
		          (unsigned long long)us(max_reg_read[c]));
		sum.submitted += t->submitted;
		sum.completed += t->completed;
		sum.ok += t->ok;
		sum.data_ok += t->data_ok;
		sum.lost += t->lost;
		sum.recovered += t->recovered;
		sum.deferred += t->deferred;
		if (t->max_wait > sum.max_wait)
			sum.max_wait = t->max_wait;
	}
	rt_printf("# B: %llu ms\n", (unsigned long long)(us(t0) / 1000U));
	report("B (both vCPUs submit to one queue, in rounds)", &sum,
	       2U * MIN_B);
	return sum.submitted;
}

/* ---- setup ---- */

/* The number after "key=" among the words of /chosen/bootargs, or def. */
static uint64_t bootarg(const char *key, uint64_t def)
{
	size_t klen = strlen(key);
	struct fdt fdt;
	const uint8_t *p;
	uint32_t len;

	if (fdt_open(&fdt, rt_dtb, FDT_MAX_SIZE) != 0)
		return def;
	p = fdt_getprop(&fdt, fdt_path(&fdt, "/chosen"), "bootargs", &len);
	for (uint32_t i = 0; p != NULL && i + klen + 1 < len; i++) {
		uint64_t v = 0;
		uint32_t k = i + (uint32_t)klen + 1;

		if ((i != 0 && p[i - 1] != ' ') ||
		    memcmp(p + i, key, klen) != 0 || p[i + klen] != '=' ||
		    p[k] < '0' || p[k] > '9')
			continue;
		for (; k < len && p[k] >= '0' && p[k] <= '9'; k++)
			v = v * 10U + (p[k] - '0');
		return v;
	}
	return def;
}

static bool setup(void)
{
	uint64_t granule = 0;

	hyp = &rt_hyp;
	timeout_ticks = rt_cntfrq();
	budget_ms = bootarg("budget", budget_ms);
	lost_limit = (unsigned)bootarg("lost", lost_limit);
	if (vg_probe(hyp) != VG_PROBE_OK || rt_cpu_count() < 2)
		return false;
	protected_vm = vg_has_feature(hyp, KVM_FUNC_MEM_SHARE);
	rt_printf("# %s VM, %u vCPUs, %llu ms a phase, at most %u lost\n",
	          protected_vm ? "protected" : "normal", rt_cpu_count(),
	          (unsigned long long)budget_ms, lost_limit);
	if (!protected_vm)
		return true;
	return vg_meminfo(hyp, &granule) == 0 && granule == GRANULE &&
	       vg_mem_share(hyp, (uintptr_t)ring) == 0 &&
	       vg_mem_share(hyp, (uintptr_t)io) == 0;
}

static bool device_up(void)
{
	return rt_tap(
	        rt_virtq_init(&vq, BLK, 0, VIRTIO_ID_BLOCK, ring, 0, 0, 0) &&
	                rt_blk_capacity(BLK) == SECTORS,
	        "virtio-blk up, disk of %llu sectors (run with --disk)",
	        (unsigned long long)rt_blk_capacity(BLK));
}

int main(const void *dtb)
{
	const volatile uint16_t *u =
	        (const volatile uint16_t *)(void *)(ring + RT_VQ_USED_OFF);
	unsigned total;
	uint16_t used;

	(void)dtb;
	if (!rt_tap(setup(), "KVM services, 2 vCPUs%s",
	            protected_vm ? ", MEM_SHARE of the ring and request page"
	                         : "") ||
	    !device_up()) {
		rt_tap_plan("attack-kickrace");
		return 0;
	}
	total = phase_a();
	total += phase_b();
	used = u[VIRTQ_RING_IDX_OFF / 2U];
	rt_tap(used == vq.avail_idx && used == (uint16_t)total &&
	               !(rt_mmio_read(BLK, VIRTIO_MMIO_STATUS) &
	                 VIRTIO_STATUS_DEVICE_NEEDS_RESET),
	       "the device used every chain: used index %u, available index "
	       "%u, %u requests (mod 65536); no DEVICE_NEEDS_RESET",
	       used, vq.avail_idx, total);
	rt_tap_plan("attack-kickrace");
	return 0;
}
