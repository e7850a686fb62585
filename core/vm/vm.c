/* SPDX-License-Identifier: MIT */
/*
 * VM creation: validate the configuration, build the stage-2, and parse
 * feature lists.  Every error is a one-line static string.
 */
#include <stddef.h>

#include <core/services.h>
#include <core/vm.h>
#include <vhyp/kvm_vendor.h>

#define GRANULE_MASK (S2_GRANULE_SIZE - 1)
#define MAX_DEV_WINDOWS                                                        \
	(sizeof(((struct vhyp_vm_config *)0)->dev) /                           \
	 sizeof(((struct vhyp_vm_config *)0)->dev[0]))

static int fail(const char **err, const char *why, int code)
{
	if (err != NULL)
		*err = why;
	return code;
}

#define FEATURE_ERR(n) "feature bit " #n " not implemented for this VM kind"
static const char *const feature_errors[64] = {
        FEATURE_ERR(0),  FEATURE_ERR(1),  FEATURE_ERR(2),  FEATURE_ERR(3),
        FEATURE_ERR(4),  FEATURE_ERR(5),  FEATURE_ERR(6),  FEATURE_ERR(7),
        FEATURE_ERR(8),  FEATURE_ERR(9),  FEATURE_ERR(10), FEATURE_ERR(11),
        FEATURE_ERR(12), FEATURE_ERR(13), FEATURE_ERR(14), FEATURE_ERR(15),
        FEATURE_ERR(16), FEATURE_ERR(17), FEATURE_ERR(18), FEATURE_ERR(19),
        FEATURE_ERR(20), FEATURE_ERR(21), FEATURE_ERR(22), FEATURE_ERR(23),
        FEATURE_ERR(24), FEATURE_ERR(25), FEATURE_ERR(26), FEATURE_ERR(27),
        FEATURE_ERR(28), FEATURE_ERR(29), FEATURE_ERR(30), FEATURE_ERR(31),
        FEATURE_ERR(32), FEATURE_ERR(33), FEATURE_ERR(34), FEATURE_ERR(35),
        FEATURE_ERR(36), FEATURE_ERR(37), FEATURE_ERR(38), FEATURE_ERR(39),
        FEATURE_ERR(40), FEATURE_ERR(41), FEATURE_ERR(42), FEATURE_ERR(43),
        FEATURE_ERR(44), FEATURE_ERR(45), FEATURE_ERR(46), FEATURE_ERR(47),
        FEATURE_ERR(48), FEATURE_ERR(49), FEATURE_ERR(50), FEATURE_ERR(51),
        FEATURE_ERR(52), FEATURE_ERR(53), FEATURE_ERR(54), FEATURE_ERR(55),
        FEATURE_ERR(56), FEATURE_ERR(57), FEATURE_ERR(58), FEATURE_ERR(59),
        FEATURE_ERR(60), FEATURE_ERR(61), FEATURE_ERR(62), FEATURE_ERR(63),
};

static unsigned lowest_bit(uint64_t v)
{
	unsigned n = 0;

	while ((v & 1U) == 0) {
		v >>= 1;
		n++;
	}
	return n;
}

/* The effective FEATURES word: the VMM may only narrow the kind's default. */
static const char *check_features(const struct vhyp_vm_config *cfg,
                                  uint64_t *out)
{
	uint64_t allowed = cfg->protected_vm ? KVM_FEATURES_PROTECTED_DEFAULT
	                                     : KVM_FEATURES_NORMAL_DEFAULT;
	uint64_t want = cfg->features_set ? cfg->features : allowed;

	if ((want & ~allowed) != 0)
		return feature_errors[lowest_bit(want & ~allowed)];
	*out = want;
	return NULL;
}

static bool overlaps(const struct vhyp_mem_range *a,
                     const struct vhyp_mem_range *b)
{
	return a->ipa < b->ipa + b->size && b->ipa < a->ipa + a->size;
}

/* Aligned, non-empty, inside the IPA space, PA inside the 48-bit physical
 * space a stage-2 descriptor can hold (no wrap-around anywhere). */
static bool range_ok(const struct vhyp_mem_range *r, unsigned ipa_bits)
{
	uint64_t limit = 1ULL << ipa_bits;
	uint64_t pa_limit = 1ULL << S2_MAX_IPA_BITS;

	return r->size != 0 &&
	       ((r->ipa | r->pa | r->size) & GRANULE_MASK) == 0 &&
	       r->ipa < limit && r->size <= limit - r->ipa &&
	       r->pa < pa_limit && r->size <= pa_limit - r->pa;
}

static const char *check_layout(const struct vhyp_vm_config *cfg,
                                unsigned ipa_bits)
{
	if (cfg->nr_ram == 0)
		return "no RAM range";
	if (cfg->nr_ram > VHYP_MAX_RAM_RANGES)
		return "too many RAM ranges";
	if (cfg->nr_dev > MAX_DEV_WINDOWS)
		return "too many device windows";
	for (unsigned i = 0; i < cfg->nr_ram; i++) {
		if (!range_ok(&cfg->ram[i], ipa_bits))
			return "RAM range empty, not 4 KiB aligned or outside "
			       "the IPA space";
		for (unsigned j = 0; j < i; j++)
			if (overlaps(&cfg->ram[i], &cfg->ram[j]))
				return "RAM ranges overlap";
	}
	for (unsigned i = 0; i < cfg->nr_dev; i++) {
		if (!range_ok(&cfg->dev[i], ipa_bits))
			return "device window empty, not 4 KiB aligned or "
			       "outside the IPA space";
		for (unsigned j = 0; j < cfg->nr_ram; j++)
			if (overlaps(&cfg->dev[i], &cfg->ram[j]))
				return "device window overlaps RAM";
		for (unsigned j = 0; j < i; j++)
			if (overlaps(&cfg->dev[i], &cfg->dev[j]))
				return "device windows overlap";
	}
	return NULL;
}

static const char *check_config(const struct vhyp_vm_config *cfg,
                                const struct vhyp_ops *ops, unsigned ipa_bits)
{
	if (ipa_bits < S2_MIN_IPA_BITS || ipa_bits > S2_MAX_IPA_BITS)
		return "IPA size must be 32..48 bits";
	if (cfg->protected_vm &&
	    (ops->host_grant == NULL || ops->host_revoke == NULL))
		return "a protected VM needs host_grant and host_revoke";
	return check_layout(cfg, ipa_bits);
}

/*
 * Protected RAM is mapped with 4 KiB leaves from the start, so that SHARE
 * and UNSHARE only ever rewrite the software bits of a level-3 entry and
 * can never fail for lack of table pages (a hostile guest could otherwise
 * split every block and drain the pool).  The cost is one level-3 table per
 * 2 MiB of RAM (0.2 %), paid once, at creation, where failure is allowed;
 * reserving one split per 2 MiB block instead would cost the same pages and
 * a reservation to keep honest.  Each 2 MiB chunk is mapped as its first
 * granule plus the rest: neither piece can take a block mapping.
 */
static int map_ram_by_pages(struct s2_pgtable *s2,
                            const struct vhyp_mem_range *r)
{
	uint64_t off = 0;

	while (off < r->size) {
		uint64_t ipa = r->ipa + off;
		uint64_t chunk =
		        S2_LEVEL2_BLOCK - (ipa & (S2_LEVEL2_BLOCK - 1));
		int rc;

		if (chunk > r->size - off)
			chunk = r->size - off;
		rc = s2_map(s2, ipa, r->pa + off, S2_GRANULE_SIZE,
		            S2_MEM_NORMAL, S2_STATE_OWNED);
		if (rc == S2_OK && chunk > S2_GRANULE_SIZE)
			rc = s2_map(s2, ipa + S2_GRANULE_SIZE,
			            r->pa + off + S2_GRANULE_SIZE,
			            chunk - S2_GRANULE_SIZE, S2_MEM_NORMAL,
			            S2_STATE_OWNED);
		if (rc != S2_OK)
			return rc;
		off += chunk;
	}
	return S2_OK;
}

static int map_guest(struct vhyp_vm *vm)
{
	const struct vhyp_vm_config *cfg = &vm->cfg;
	int rc;

	for (unsigned i = 0; i < cfg->nr_ram; i++) {
		const struct vhyp_mem_range *r = &cfg->ram[i];

		if (cfg->protected_vm)
			rc = map_ram_by_pages(&vm->s2, r);
		else
			rc = s2_map(&vm->s2, r->ipa, r->pa, r->size,
			            S2_MEM_NORMAL, S2_STATE_OWNED);
		if (rc != S2_OK)
			return rc;
	}
	for (unsigned i = 0; i < cfg->nr_dev; i++) {
		const struct vhyp_mem_range *d = &cfg->dev[i];

		rc = s2_map(&vm->s2, d->ipa, d->pa, d->size, S2_MEM_DEVICE,
		            S2_STATE_OWNED);
		if (rc != S2_OK)
			return rc;
	}
	return S2_OK;
}

/* Field by field: a whole-struct assignment compiles to a memcpy call,
 * which the core cannot count on (it links no libc). */
static void copy_config(struct vhyp_vm_config *dst,
                        const struct vhyp_vm_config *src)
{
	dst->protected_vm = src->protected_vm;
	dst->features_set = src->features_set;
	dst->features = src->features;
	dst->ipa_bits = src->ipa_bits;
	dst->nr_ram = src->nr_ram;
	dst->nr_dev = src->nr_dev;
	dst->cntvoff = src->cntvoff;
	dst->vmid = src->vmid;
	for (unsigned i = 0; i < VHYP_MAX_RAM_RANGES; i++)
		dst->ram[i] = i < src->nr_ram
		                      ? src->ram[i]
		                      : (struct vhyp_mem_range){0, 0, 0};
	for (unsigned i = 0; i < MAX_DEV_WINDOWS; i++)
		dst->dev[i] = i < src->nr_dev
		                      ? src->dev[i]
		                      : (struct vhyp_mem_range){0, 0, 0};
}

static void init_vm_state(struct vhyp_vm *vm, const struct vhyp_vm_config *cfg,
                          unsigned ipa_bits, uint64_t features,
                          const struct vhyp_ops *ops, void *ops_ctx,
                          const struct vhyp_clock *clock)
{
	copy_config(&vm->cfg, cfg);
	vm->cfg.ipa_bits = ipa_bits;
	vm->cfg.features = features;
	vm->cfg.features_set = true;
	vm->features = features;
	vm->ops = ops;
	vm->ops_ctx = ops_ctx;
	vm->clock = clock;
	atomic_flag_clear(&vm->lock);
	atomic_init(&vm->mmio_guard_on, false);
	for (unsigned i = 0; i < VHYP_CNT_NR; i++)
		atomic_init(&vm->counters[i], 0);
}

int vhyp_vm_create(struct vhyp_vm *vm, const struct vhyp_vm_config *cfg,
                   struct s2_pool *pool, const struct s2_mmu_ops *mmu_ops,
                   void *mmu_ctx, const struct vhyp_ops *ops, void *ops_ctx,
                   const struct vhyp_clock *clock, const char **err)
{
	unsigned ipa_bits;
	uint64_t features = 0;
	const char *why;
	int rc;

	if (vm == NULL || cfg == NULL || pool == NULL || mmu_ops == NULL ||
	    ops == NULL)
		return fail(err, "missing VM, configuration, pool or ops",
		            -S2_EINVAL);
	ipa_bits = cfg->ipa_bits ? cfg->ipa_bits : S2_DEFAULT_IPA_BITS;
	why = check_config(cfg, ops, ipa_bits);
	if (why == NULL)
		why = check_features(cfg, &features);
	if (why != NULL)
		return fail(err, why, -S2_EINVAL);

	init_vm_state(vm, cfg, ipa_bits, features, ops, ops_ctx, clock);
	rc = s2_init(&vm->s2, pool, ipa_bits, cfg->vmid, mmu_ops, mmu_ctx);
	if (rc != S2_OK)
		return fail(err, "stage-2 root does not fit in the table pool",
		            rc);
	rc = map_guest(vm);
	if (rc != S2_OK) {
		s2_destroy(&vm->s2);
		return fail(
		        err,
		        rc == -S2_ENOMEM
		                ? "stage-2 tables do not fit in the table pool"
		                : "stage-2 mapping of the guest failed",
		        rc);
	}
	return 0;
}

void vhyp_vm_destroy(struct vhyp_vm *vm)
{
	s2_destroy(&vm->s2);
}

const struct vhyp_mem_range *vhyp_vm_ram_range(const struct vhyp_vm *vm,
                                               uint64_t ipa, uint64_t len)
{
	uint64_t n = len ? len : 1;

	for (unsigned i = 0; i < vm->cfg.nr_ram; i++) {
		const struct vhyp_mem_range *r = &vm->cfg.ram[i];

		if (ipa >= r->ipa && ipa - r->ipa < r->size &&
		    n <= r->size - (ipa - r->ipa))
			return r;
	}
	return NULL;
}

/* ---- feature lists ---------------------------------------------------- */

struct feature_name {
	const char *name;
	uint64_t bit;
};

static const struct feature_name feature_names[] = {
        {"features", KVM_FEAT_FEATURES},   {"ptp", KVM_FEAT_PTP},
        {"meminfo", KVM_FEAT_HYP_MEMINFO}, {"share", KVM_FEAT_MEM_SHARE},
        {"unshare", KVM_FEAT_MEM_UNSHARE}, {"mmio_guard", KVM_FEAT_MMIO_GUARD},
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal, or hexadecimal with 0x; the whole string, no overflow. */
static bool parse_number(const char *s, uint64_t *out)
{
	uint64_t base = 10, v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		int d = hex_value(*s);

		if (d < 0 || (uint64_t)d >= base ||
		    v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return true;
}

/* The bit of the name in s[0..len), or 0 for no such name. */
static uint64_t feature_bit(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]);
	     i++) {
		const char *name = feature_names[i].name;
		size_t k = 0;

		while (k < len && name[k] != '\0' && name[k] == s[k])
			k++;
		if (k == len && name[k] == '\0')
			return feature_names[i].bit;
	}
	return 0;
}

bool vhyp_features_parse(const char *list, uint64_t *out)
{
	uint64_t bits = 0;

	if (list == NULL || out == NULL || *list == '\0')
		return false;
	if (is_digit(*list))
		return parse_number(list, out);
	for (;;) {
		size_t len = 0;
		uint64_t bit;

		while (list[len] != '\0' && list[len] != ',')
			len++;
		bit = feature_bit(list, len);
		if (bit == 0)
			return false; /* unknown or empty name */
		bits |= bit;
		if (list[len] == '\0')
			break;
		list += len + 1;
	}
	*out = bits;
	return true;
}
