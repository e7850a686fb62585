// SPDX-License-Identifier: MIT
/*
 * Attack class "diskhold" (tests/qemu/attack/diskhold.sh;
 * docs/security.md): vhyp's disks give QEMU's virtio-blk the guest's own
 * memory to DMA to or from (hyp/devices/qemu_disk.c).  A hostile
 * protected guest with 2 vCPUs tries to make the device write into a
 * granule after it has turned private:
 *
 *   1. Race: vCPU0 reads the whole 64 MiB disk (one chain, an indirect
 *      table of 1 MiB descriptors) into a buffer it has SHARED; right
 *      before its QueueNotify write it raises a flag.  vCPU1 spins on the
 *      flag, then MEM_UNSHAREs the buffer's LAST granule (the one QEMU
 *      writes last) and, once UNSHARE returned 0, writes a canary into
 *      it.  After the request completed, the canary must be intact:
 *      either UNSHARE waited for the device (request OK, data right) or
 *      it came first and the request was refused whole (IOERR, nothing
 *      written).  8 read rounds, then 4 write rounds (the buffer holds
 *      the disk's own data: the canary, private data now, must not reach
 *      the disk).  From round 3 on, vCPU1 waits a growing fraction of the
 *      request's measured time after the notify, so that the UNSHARE
 *      lands while the device is busy.
 *   2. After each round the granule is private: a read into it fails
 *      with IOERR and leaves the canary (UNSHARE under I/O returned 0).
 *   3. All-or-nothing: a read (one descriptor, then 16) into a buffer
 *      shared except one granule in the middle fails with IOERR and
 *      writes nothing into the shared parts; writes from it fail and
 *      change no sector.
 *   4. A batch: four chains with one QueueNotify, the third into a
 *      private granule: the others complete OK with the right data, it
 *      fails with IOERR.
 *
 * A normal VM runs the same reads as a control (no UNSHARE, no vCPU1);
 * its forbidden granule is the first one above guest RAM.
 *
 * Run with --smp 2, --mem 256M and --disk FILE: 64 MiB, the 64-bit word
 * at byte offset o is DISK_WORD(o) (the script writes it).
 */

#include <stdatomic.h>

#include <guest/kvm.h>
#include <guest/rt.h>
#include <guest/tap.h>
#include <guest/virtio.h>

#define GRANULE   4096ULL
#define MiB       (1024ULL * 1024ULL)
#define BLK       VHYP_VIRTIO_BLK_BASE
#define SECTOR    VIRTIO_BLK_SECTOR_SIZE
#define QSIZE     RT_VQ_SIZE
#define ROUNDS    12U
#define CANARY    0xCA4A000000000000ULL
#define FILL      0xF111F111F111F111ULL
#define AON_FILL  0xEEEEEEEEEEEEEEEEULL
#define PRIV_FILL 0x7777777777777777ULL

#define DISK_WORD(o) (0xD15C000000000000ULL | (uint64_t)(o))
#define DISK_BYTES   (64ULL * MiB)

/* The race buffer: BIG_LEN bytes at guest RAM + BIG_OFF, read from disk
 * byte 0 in SEG_LEN descriptors. */
#define BIG_OFF  (64ULL * MiB)
#define BIG_LEN  (64ULL * MiB)
#define SEG_LEN  (1ULL * MiB)
#define BIG_SEGS ((unsigned)(BIG_LEN / SEG_LEN))

/* The all-or-nothing buffer: AON_GRANULES granules, AON_BAD forbidden;
 * its sectors on disk start at byte AON_DISK. */
#define AON_GRANULES 16U
#define AON_BAD      8U
#define AON_DISK     (40ULL * MiB)

/* Descriptors of one chain's indirect table (header, data, status). */
#define TABLE_DESCS 64U

/* Shared with the host side in a protected VM: ring page, indirect
 * tables, request headers and statuses, the batch's data. */
static uint8_t ring[GRANULE] __attribute__((aligned(GRANULE)));
static struct rt_virtq_desc tables[QSIZE][TABLE_DESCS]
        __attribute__((aligned(GRANULE)));
static uint8_t reqs[GRANULE] __attribute__((aligned(GRANULE)));
static uint64_t batch_buf[6][GRANULE / 8] __attribute__((aligned(GRANULE)));
/* Shared except granule AON_BAD (protected VM). */
static uint64_t aon_pages[AON_GRANULES][GRANULE / 8]
        __attribute__((aligned(GRANULE)));

#define HDR(s)    (reqs + 16U * (s))
#define STATUS(s) (reqs + 0x400U + (s))

static struct vg_hyp *hyp;
static bool protected_vm;
static uint64_t ram_end, big, last_granule;
static struct rt_virtq vq;

/* ---- a virtio-blk driver with indirect chains and batches ---- */

struct seg {
	uint64_t addr;
	uint32_t len;
};

static void dmb(void)
{
	__asm__ volatile("dmb ish" ::: "memory");
}

/* Chain `slot`: one ring descriptor naming its indirect table. */
static void build_chain(unsigned slot, uint32_t type, uint64_t disk_byte,
                        const struct seg *segs, unsigned n)
{
	struct rt_virtq_desc *t = tables[slot],
	                     *head = rt_virtq_descs(&vq) + slot;
	uint16_t flags =
	        (uint16_t)(VIRTQ_DESC_F_NEXT |
	                   (type == VIRTIO_BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0U));
	uint8_t *hdr = HDR(slot);
	uint64_t sector = disk_byte / SECTOR;

	memset(hdr, 0, VIRTIO_BLK_HDR_SIZE);
	hdr[0] = (uint8_t)type;
	for (unsigned i = 0; i < 8; i++)
		hdr[8 + i] = (uint8_t)(sector >> (8 * i));
	*(volatile uint8_t *)STATUS(slot) = RT_BLK_NOT_DONE;
	t[0] = (struct rt_virtq_desc){(uintptr_t)hdr, VIRTIO_BLK_HDR_SIZE,
	                              VIRTQ_DESC_F_NEXT, 1};
	for (unsigned i = 0; i < n; i++)
		t[1 + i] = (struct rt_virtq_desc){segs[i].addr, segs[i].len,
		                                  flags, (uint16_t)(2 + i)};
	t[n + 1] = (struct rt_virtq_desc){(uintptr_t)STATUS(slot), 1,
	                                  VIRTQ_DESC_F_WRITE, 0};
	head->addr = (uintptr_t)t;
	head->len = (uint32_t)((n + 2) * VIRTQ_DESC_SIZE);
	head->flags = VIRTQ_DESC_F_INDIRECT;
	head->next = 0;
	((volatile uint16_t *)(void *)(ring + RT_VQ_AVAIL_OFF))
	        [VIRTQ_RING_ENTRIES_OFF / 2U + vq.avail_idx % QSIZE] =
	                (uint16_t)slot;
	vq.avail_idx++;
}

/* Publishes the chains built so far; sets *flag = value right before the
 * QueueNotify write (flag may be NULL).  Returns how many chains the
 * device used (vhyp completes them in the notifying write). */
static unsigned kick(_Atomic unsigned *flag, unsigned value)
{
	volatile uint16_t *a =
	        (volatile uint16_t *)(void *)(ring + RT_VQ_AVAIL_OFF);
	const volatile uint16_t *u =
	        (const volatile uint16_t *)(void *)(ring + RT_VQ_USED_OFF);
	uint16_t seen = vq.used_seen;

	dmb();
	a[VIRTQ_RING_IDX_OFF / 2U] = vq.avail_idx;
	dmb();
	if (flag != NULL)
		atomic_store(flag, value);
	rt_mmio_write(BLK, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	dmb();
	vq.used_seen = u[VIRTQ_RING_IDX_OFF / 2U];
	rt_mmio_write(BLK, VIRTIO_MMIO_INTERRUPT_ACK,
	              rt_mmio_read(BLK, VIRTIO_MMIO_INTERRUPT_STATUS));
	return (uint16_t)(vq.used_seen - seen);
}

/* Used-ring entry i (mod QSIZE): chain id and length. */
static void used_entry(uint16_t i, uint32_t *id, uint32_t *len)
{
	const volatile uint32_t *e =
	        (const volatile uint32_t *)(void *)(ring + RT_VQ_USED_OFF +
	                                            VIRTQ_RING_ENTRIES_OFF) +
	        2U * (i % QSIZE);

	*id = e[0];
	*len = e[1];
}

static uint8_t status_of(unsigned slot)
{
	return *(volatile uint8_t *)STATUS(slot);
}

/* One chain, synchronously; its status (RT_BLK_NOT_DONE if not used). */
static uint8_t request(uint32_t type, uint64_t disk_byte,
                       const struct seg *segs, unsigned n)
{
	build_chain(0, type, disk_byte, segs, n);
	if (kick(NULL, 0) != 1)
		return RT_BLK_NOT_DONE;
	return status_of(0);
}

static uint8_t request1(uint32_t type, uint64_t disk_byte, uint64_t addr,
                        uint32_t len)
{
	struct seg s = {addr, len};

	return request(type, disk_byte, &s, 1);
}

/* Whether [addr, addr+len) holds the disk's words from disk_byte. */
static bool holds_disk(uint64_t addr, uint64_t len, uint64_t disk_byte)
{
	const volatile uint64_t *w = (const volatile uint64_t *)addr;

	for (uint64_t i = 0; i < len / 8; i++)
		if (w[i] != DISK_WORD(disk_byte + 8 * i))
			return false;
	return true;
}

static void fill(uint64_t addr, uint64_t len, uint64_t v)
{
	volatile uint64_t *w = (volatile uint64_t *)addr;

	for (uint64_t i = 0; i < len / 8; i++)
		w[i] = v;
}

static bool all_are(uint64_t addr, uint64_t len, uint64_t v)
{
	const volatile uint64_t *w = (const volatile uint64_t *)addr;

	for (uint64_t i = 0; i < len / 8; i++)
		if (w[i] != v)
			return false;
	return true;
}

static uint64_t us(uint64_t ticks)
{
	return ticks * 1000000ULL / rt_cntfrq();
}

/* ---- 1. and 2.: the race ---- */

static void big_segs(struct seg *s)
{
	for (unsigned i = 0; i < BIG_SEGS; i++)
		s[i] = (struct seg){big + i * SEG_LEN, (uint32_t)SEG_LEN};
}

/* vCPU1's side of a round; vCPU0 reads it once done == round. */
static struct {
	_Atomic unsigned armed, go, done;
	uint64_t t_kick, delay; /* UNSHARE at t_kick + delay or later */
	uint64_t t0, t1;        /* UNSHARE called, returned */
	int64_t ret;
	bool stop;
} race;

static void write_canary(void)
{
	volatile uint64_t *w = (volatile uint64_t *)last_granule;

	for (unsigned i = 0; i < GRANULE / 8; i++)
		w[i] = CANARY | i;
}

static bool canary_intact(void)
{
	const volatile uint64_t *w = (const volatile uint64_t *)last_granule;

	for (unsigned i = 0; i < GRANULE / 8; i++)
		if (w[i] != (CANARY | i))
			return false;
	return true;
}

static void unsharer(unsigned cpu, void *arg)
{
	(void)cpu;
	(void)arg;
	for (unsigned r = 1;; r++) {
		atomic_store(&race.armed, r);
		while (atomic_load(&race.go) != r)
			if (__atomic_load_n(&race.stop, __ATOMIC_ACQUIRE))
				return;
		while (rt_cntvct() - race.t_kick < race.delay)
			;
		race.t0 = rt_cntvct();
		race.ret = vg_mem_unshare(hyp, last_granule);
		race.t1 = rt_cntvct();
		if (race.ret == 0)
			write_canary();
		atomic_store(&race.done, r);
	}
}

/* The unraced read: data right; returns its time in ticks (0: failed). */
static uint64_t control_read(void)
{
	struct seg s[BIG_SEGS];
	uint64_t t0, t1;
	uint8_t st;

	big_segs(s);
	fill(big, BIG_LEN, FILL);
	t0 = rt_cntvct();
	st = request(VIRTIO_BLK_T_IN, 0, s, BIG_SEGS);
	t1 = rt_cntvct();
	rt_tap(st == VIRTIO_BLK_S_OK && holds_disk(big, BIG_LEN, 0),
	       "control: one %llu MiB read (indirect table of %u x 1 MiB) "
	       "completes OK with the disk's data in %llu us",
	       (unsigned long long)(BIG_LEN / MiB), BIG_SEGS,
	       (unsigned long long)us(t1 - t0));
	return st == VIRTIO_BLK_S_OK ? t1 - t0 : 0;
}

/* Every granule's first word, so a refused request can be seen to have
 * written nothing (the full buffer is checked after an OK). */
static void mark_granules(void)
{
	for (uint64_t g = 0; g < BIG_LEN; g += GRANULE)
		*(volatile uint64_t *)(big + g) = FILL;
}

static bool granules_marked(uint64_t len)
{
	for (uint64_t g = 0; g < len; g += GRANULE)
		if (*(volatile uint64_t *)(big + g) != FILL)
			return false;
	return true;
}

struct race_totals {
	unsigned ok, refused, unshare_ok, private_after;
};

/* The buffer as the disk holds it, so a write of it changes nothing. */
static void fill_disk_words(uint64_t addr, uint64_t len, uint64_t disk_byte)
{
	volatile uint64_t *w = (volatile uint64_t *)addr;

	for (uint64_t i = 0; i < len / 8; i++)
		w[i] = DISK_WORD(disk_byte + 8 * i);
}

/* Whether the last granule's sectors on disk still hold the disk's
 * words (read back into batch_buf[0]). */
static bool last_sectors_intact(void)
{
	fill((uintptr_t)batch_buf[0], GRANULE, FILL);
	return request1(VIRTIO_BLK_T_IN, BIG_LEN - GRANULE,
	                (uintptr_t)batch_buf[0], GRANULE) == VIRTIO_BLK_S_OK &&
	       holds_disk((uintptr_t)batch_buf[0], GRANULE, BIG_LEN - GRANULE);
}

/* Before a round: a read gets every granule's first word marked (so a
 * refused request can be seen to have written nothing); a write gets
 * the disk's own words (so an OK write changes nothing on disk). */
static void prepare_round(bool write)
{
	if (write)
		fill_disk_words(big, BIG_LEN, 0);
	else
		mark_granules();
}

/* A normal VM: the same request, nobody unshares. */
static void control_round(unsigned r, bool write)
{
	struct seg s[BIG_SEGS];
	uint8_t st;

	big_segs(s);
	prepare_round(write);
	build_chain(0, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, 0, s,
	            BIG_SEGS);
	st = kick(NULL, 0) == 1 ? status_of(0) : RT_BLK_NOT_DONE;
	rt_tap(st == VIRTIO_BLK_S_OK && (write ? last_sectors_intact()
	                                       : holds_disk(big, BIG_LEN, 0)),
	       "control round %u (normal VM, no UNSHARE): a 64 MiB %s, "
	       "status %u, %s",
	       r, write ? "write" : "read", st,
	       write ? "read back right" : "the disk's data");
}

/*
 * What the round's request must have done, given its status: OK (it was
 * staged before the UNSHARE, which then waited for the device) with the
 * disk's data in the other granules (read) or the disk unchanged, canary
 * not on it (write); IOERR (the UNSHARE came first: refused whole) with
 * nothing written.
 */
static bool round_result_ok(bool write, uint8_t st)
{
	if (st == VIRTIO_BLK_S_OK)
		return write ? last_sectors_intact()
		             : holds_disk(big, BIG_LEN - GRANULE, 0);
	if (st != VIRTIO_BLK_S_IOERR)
		return false;
	return write ? last_sectors_intact()
	             : granules_marked(BIG_LEN - GRANULE);
}

static void race_round(unsigned r, uint64_t delay, bool write,
                       struct race_totals *tot)
{
	struct seg s[BIG_SEGS];
	uint64_t t_kick, t_end;
	bool intact, result_ok;
	uint8_t st;

	big_segs(s);
	prepare_round(write);
	race.delay = delay;
	build_chain(0, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, 0, s,
	            BIG_SEGS);
	while (atomic_load(&race.armed) != r)
		;
	t_kick = rt_cntvct();
	race.t_kick = t_kick;
	st = kick(&race.go, r) == 1 ? status_of(0) : RT_BLK_NOT_DONE;
	t_end = rt_cntvct();
	while (atomic_load(&race.done) != r)
		;
	intact = race.ret == 0 && canary_intact();
	result_ok = round_result_ok(write, st);
	tot->ok += st == VIRTIO_BLK_S_OK && intact && result_ok;
	tot->refused += st == VIRTIO_BLK_S_IOERR && intact && result_ok;
	tot->unshare_ok += race.ret == 0;
	rt_tap(intact && result_ok,
	       "race round %u, 64 MiB %s (UNSHARE %llu us after the notify): "
	       "%s; UNSHARE returned %lld after %llu us (request took %llu "
	       "us); canary %s%s",
	       r, write ? "write" : "read",
	       (unsigned long long)us(race.t0 - t_kick),
	       st == VIRTIO_BLK_S_OK ? "request OK (staged before the UNSHARE)"
	       : st == VIRTIO_BLK_S_IOERR
	               ? "UNSHARE first, request refused whole (IOERR)"
	               : "request neither OK nor IOERR",
	       (long long)race.ret, (unsigned long long)us(race.t1 - race.t0),
	       (unsigned long long)us(t_end - t_kick),
	       intact ? "intact" : "OVERWRITTEN",
	       result_ok ? (write ? ", not on the disk" : ", data right")
	                 : (write ? ", DISK CHANGED" : ", DATA WRONG"));
	if (!intact && race.ret == 0)
		rt_printf(
		        "# round %u: last granule word 0 = 0x%llx (disk "
		        "word 0x%llx, canary 0x%llx)\n",
		        r,
		        (unsigned long long)*(volatile uint64_t *)last_granule,
		        (unsigned long long)DISK_WORD(BIG_LEN - GRANULE),
		        (unsigned long long)CANARY);
	/* The granule is private now: the host side is refused. */
	if (race.ret == 0 &&
	    request1(VIRTIO_BLK_T_IN, 0, last_granule, GRANULE) ==
	            VIRTIO_BLK_S_IOERR &&
	    canary_intact())
		tot->private_after++;
	if (race.ret == 0 && vg_mem_share(hyp, last_granule) != 0)
		rt_printf("# round %u: SHARE again failed\n", r);
}

static void race_rounds(uint64_t t_request)
{
	struct race_totals tot = {0};
	/* Per round: a write?, and how many eighths of the request's time
	 * after the notify vCPU1 waits before its UNSHARE (0: at once), so
	 * that it lands while the device is moving data (QEMU is done with
	 * the last granule well before the request has completed). */
	static const struct {
		bool write;
		unsigned eighths;
	} plan[ROUNDS] = {{false, 0}, {false, 0}, {false, 1}, {false, 1},
	                  {false, 2}, {false, 2}, {false, 3}, {false, 4},
	                  {true, 0},  {true, 1},  {true, 2},  {true, 3}};

	if (!protected_vm) {
		for (unsigned r = 1; r <= ROUNDS; r++)
			control_round(r, plan[r - 1].write);
		return;
	}
	if (rt_cpu_start(1, unsharer, NULL) != 0) {
		for (unsigned r = 1; r <= ROUNDS; r++)
			rt_tap(false, "race round %u: start vCPU1", r);
		rt_tap(false, "UNSHARE under I/O");
		return;
	}
	for (unsigned r = 1; r <= ROUNDS; r++)
		race_round(r, t_request * plan[r - 1].eighths / 8U,
		           plan[r - 1].write, &tot);
	__atomic_store_n(&race.stop, true, __ATOMIC_RELEASE);
	(void)rt_cpu_wait_off(1, 10000000000ULL);
	rt_printf("# race: %u rounds with the request OK, %u refused whole "
	          "(UNSHARE first), canary intact in both\n",
	          tot.ok, tot.refused);
	rt_tap(tot.unshare_ok == ROUNDS && tot.private_after == ROUNDS,
	       "UNSHARE of a granule under I/O returned 0 in %u of %u "
	       "rounds; afterwards the granule was private (a read into it "
	       "failed with IOERR, canary kept) in %u",
	       tot.unshare_ok, ROUNDS, tot.private_after);
}

/* ---- 3.: all-or-nothing ---- */

/* The AON_GRANULES granules: the in-RAM ones shared (protected: all but
 * AON_BAD, which is private; normal: the last AON_BAD granules of RAM,
 * then the first ones above it). */
static uint64_t aon_base(void)
{
	return protected_vm ? (uintptr_t)aon_pages
	                    : ram_end - AON_BAD * GRANULE;
}

static void aon_fill(void)
{
	for (unsigned g = 0; g < AON_BAD; g++)
		fill(aon_base() + g * GRANULE, GRANULE, AON_FILL);
	if (protected_vm)
		for (unsigned g = AON_BAD; g < AON_GRANULES; g++)
			fill(aon_base() + g * GRANULE, GRANULE,
			     g == AON_BAD ? PRIV_FILL : AON_FILL);
}

static bool aon_unchanged(void)
{
	bool ok = true;

	for (unsigned g = 0; g < AON_BAD; g++)
		ok = all_are(aon_base() + g * GRANULE, GRANULE, AON_FILL) && ok;
	if (protected_vm)
		for (unsigned g = AON_BAD; g < AON_GRANULES; g++)
			ok = all_are(aon_base() + g * GRANULE, GRANULE,
			             g == AON_BAD ? PRIV_FILL : AON_FILL) &&
			     ok;
	return ok;
}

static void aon_segs(struct seg *s)
{
	for (unsigned g = 0; g < AON_GRANULES; g++)
		s[g] = (struct seg){aon_base() + g * GRANULE, GRANULE};
}

static const char *bad_name(void)
{
	return protected_vm ? "a private granule" : "the granule above RAM";
}

static void all_or_nothing(void)
{
	const uint32_t len = AON_GRANULES * GRANULE;
	struct seg s[AON_GRANULES];
	uint8_t st1, st16, w1, w16;
	bool back;

	aon_segs(s);
	aon_fill();
	st1 = request1(VIRTIO_BLK_T_IN, AON_DISK, aon_base(), len);
	rt_tap(st1 == VIRTIO_BLK_S_IOERR && aon_unchanged(),
	       "all-or-nothing: a %u KiB read in one descriptor over %s "
	       "(granule %u of %u): status %u (IOERR), nothing written",
	       len / 1024U, bad_name(), AON_BAD, AON_GRANULES, st1);
	aon_fill();
	st16 = request(VIRTIO_BLK_T_IN, AON_DISK, s, AON_GRANULES);
	rt_tap(st16 == VIRTIO_BLK_S_IOERR && aon_unchanged(),
	       "all-or-nothing: a read in %u one-granule descriptors, "
	       "descriptor %u on %s: status %u (IOERR), nothing written",
	       AON_GRANULES, AON_BAD, bad_name(), st16);
	aon_fill();
	w1 = request1(VIRTIO_BLK_T_OUT, AON_DISK, aon_base(), len);
	w16 = request(VIRTIO_BLK_T_OUT, AON_DISK, s, AON_GRANULES);
	/* Read the sectors back into the (shared) race buffer. */
	fill(big, len, FILL);
	back = request1(VIRTIO_BLK_T_IN, AON_DISK, big, len) ==
	               VIRTIO_BLK_S_OK &&
	       holds_disk(big, len, AON_DISK);
	rt_tap(w1 == VIRTIO_BLK_S_IOERR && w16 == VIRTIO_BLK_S_IOERR && back,
	       "all-or-nothing: writes from that buffer (1 and %u "
	       "descriptors): status %u and %u (IOERR); the %u sectors read "
	       "back unchanged",
	       AON_GRANULES, w1, w16, len / SECTOR);
}

/* ---- 4.: a batch ---- */

static void batch(void)
{
	/* chain: disk byte, first batch_buf page, pages; chain 2 is bad */
	static const struct {
		uint64_t disk;
		unsigned page, pages;
	} c[4] = {
	        {8 * MiB, 0, 2}, {9 * MiB, 2, 1}, {0, 0, 0}, {10 * MiB, 3, 3}};
	uint64_t bad = aon_base() + AON_BAD * GRANULE;
	unsigned used, good = 0, bad_ioerr = 0, seen = 0;
	uint16_t first = vq.used_seen;

	for (unsigned i = 0; i < 6; i++)
		fill((uintptr_t)batch_buf[i], GRANULE, FILL);
	aon_fill();
	for (unsigned i = 0; i < 4; i++) {
		struct seg s[3];

		if (i == 2) {
			s[0] = (struct seg){bad, GRANULE};
			build_chain(i, VIRTIO_BLK_T_IN, 11 * MiB, s, 1);
			continue;
		}
		/* one descriptor a page */
		for (unsigned p = 0; p < c[i].pages; p++)
			s[p] = (struct seg){(uintptr_t)batch_buf[c[i].page + p],
			                    GRANULE};
		build_chain(i, VIRTIO_BLK_T_IN, c[i].disk, s, c[i].pages);
	}
	used = kick(NULL, 0);
	for (unsigned k = 0; k < used && k < 4; k++) {
		uint32_t id, len;

		used_entry((uint16_t)(first + k), &id, &len);
		if (id >= 4 || (seen & (1U << id)))
			continue;
		seen |= 1U << id;
		if (id == 2) {
			bad_ioerr += status_of(2) == VIRTIO_BLK_S_IOERR &&
			             aon_unchanged();
			continue;
		}
		good += status_of(id) == VIRTIO_BLK_S_OK &&
		        len == c[id].pages * GRANULE + 1U &&
		        holds_disk((uintptr_t)batch_buf[c[id].page],
		                   c[id].pages * GRANULE, c[id].disk);
	}
	rt_tap(used == 4 && good == 3 && bad_ioerr == 1,
	       "batch: 4 chains, one QueueNotify, the third into %s: %u used, "
	       "%u of 3 good ones OK with the disk's data, the bad one "
	       "IOERR (%u) with nothing written; statuses %u %u %u %u",
	       bad_name(), used, good, bad_ioerr, status_of(0), status_of(1),
	       status_of(2), status_of(3));
}

/* ---- setup ---- */

static bool share_range(uint64_t start, uint64_t len)
{
	for (uint64_t a = start; a < start + len; a += GRANULE)
		if (vg_mem_share(hyp, a) != 0)
			return false;
	return true;
}

static bool setup(void)
{
	uint64_t granule = 0;

	hyp = &rt_hyp;
	if (vg_probe(hyp) != VG_PROBE_OK)
		return false;
	protected_vm = vg_has_feature(hyp, KVM_FUNC_MEM_SHARE);
	ram_end = rt_ram_base() + rt_ram_size();
	big = rt_ram_base() + BIG_OFF;
	last_granule = big + BIG_LEN - GRANULE;
	rt_printf("# %s VM, %u vCPUs, RAM 0x%llx-0x%llx, DTB %p, race "
	          "buffer 0x%llx (%llu MiB)\n",
	          protected_vm ? "protected" : "normal", rt_cpu_count(),
	          (unsigned long long)rt_ram_base(),
	          (unsigned long long)ram_end, rt_dtb, (unsigned long long)big,
	          (unsigned long long)(BIG_LEN / MiB));
	if (big + BIG_LEN > ram_end - AON_BAD * GRANULE ||
	    (protected_vm && rt_cpu_count() < 2))
		return false;
	if (!protected_vm)
		return true;
	return vg_meminfo(hyp, &granule) == 0 && granule == GRANULE &&
	       share_range((uintptr_t)ring, GRANULE) &&
	       share_range((uintptr_t)tables, sizeof(tables)) &&
	       share_range((uintptr_t)reqs, GRANULE) &&
	       share_range((uintptr_t)batch_buf, sizeof(batch_buf)) &&
	       share_range((uintptr_t)aon_pages, AON_BAD * GRANULE) &&
	       share_range((uintptr_t)aon_pages[AON_BAD + 1],
	                   (AON_GRANULES - AON_BAD - 1) * GRANULE) &&
	       share_range(big, BIG_LEN);
}

/* INDIRECT_DESC and seg_max negotiated, queue 0 up. */
static bool device_up(void)
{
	const uint32_t want =
	        1U << VIRTIO_RING_F_INDIRECT_DESC | 1U << VIRTIO_BLK_F_SEG_MAX;
	uint32_t offered = 0, seg_max;
	uint64_t capacity;

	if (!rt_virtio_negotiate(BLK, VIRTIO_ID_BLOCK, want, &offered) ||
	    !rt_virtq_setup(&vq, BLK, 0, ring, 0, 0, 0))
		return rt_tap(false,
		              "virtio-blk initialised (run with --disk)");
	seg_max = rt_mmio_read(BLK, VIRTIO_MMIO_CONFIG + 12U);
	capacity = rt_blk_capacity(BLK);
	return rt_tap((offered & want) == want && seg_max >= 256U &&
	                      capacity * SECTOR == DISK_BYTES,
	              "virtio-blk offers INDIRECT_DESC and seg_max %u (>= "
	              "256), disk of %llu MiB",
	              seg_max, (unsigned long long)(capacity * SECTOR / MiB));
}

int main(const void *dtb)
{
	uint64_t t_request;

	(void)dtb;
	if (!rt_tap(setup(), "KVM services%s",
	            protected_vm ? ", MEMINFO, MEM_SHARE of rings, tables and "
	                           "buffers"
	                         : "") ||
	    !device_up()) {
		rt_tap_plan("attack-diskhold");
		return 0;
	}
	t_request = control_read();
	race_rounds(t_request);
	all_or_nothing();
	batch();
	rt_tap(!(rt_mmio_read(BLK, VIRTIO_MMIO_STATUS) &
	         VIRTIO_STATUS_DEVICE_NEEDS_RESET) &&
	               request1(VIRTIO_BLK_T_IN, 0, big, GRANULE) ==
	                       VIRTIO_BLK_S_OK &&
	               holds_disk(big, GRANULE, 0),
	       "virtio-blk still works: refused requests failed, not the "
	       "device");
	rt_tap_plan("attack-diskhold");
	return 0;
}
