/* SPDX-License-Identifier: MIT */
/*
 * SMCCC TRNG 1.0 (Arm DEN0098), owner 4, functions 0x50..0x53, offered
 * when the platform has an entropy source (ops->get_entropy).
 *
 * The answers are KVM's (arch/arm64/kvm/trng.c) except for a request of 0
 * bits, which DEN0098 makes INVALID_PARAMETERS and KVM answers with
 * success and no bits; vhyp follows the specification (docs/abi.md).
 */
#include <core/services.h>
#include <vhyp/smccc.h>

/* Bits 0..191 of the answer, least significant word first. */
struct trng_bits {
	uint64_t w[3];
};

static bool trng_offered(const struct vhyp_vm *vm)
{
	return vm->ops->get_entropy != NULL;
}

bool vhyp_trng_id(uint32_t id)
{
	switch (id) {
	case SMCCC_TRNG_VERSION_FUNC_ID:
	case SMCCC_TRNG_FEATURES_FUNC_ID:
	case SMCCC_TRNG_GET_UUID_FUNC_ID:
	case SMCCC_TRNG_RND32_FUNC_ID:
	case SMCCC_TRNG_RND64_FUNC_ID:
		return true;
	default:
		return false;
	}
}

/*
 * Fills the lowest `nbits` bits of *b from the entropy source, the rest
 * zero.  False (and *b all zero) if the source failed: nothing partial
 * is ever returned.
 */
static bool gather(const struct vhyp_vm *vm, unsigned nbits,
                   struct trng_bits *b)
{
	b->w[0] = b->w[1] = b->w[2] = 0;
	for (unsigned i = 0; i * 64U < nbits && i < 3U; i++) {
		unsigned left = nbits - i * 64U;
		uint64_t w;

		if (!vm->ops->get_entropy(vm->ops_ctx, &w)) {
			b->w[0] = b->w[1] = b->w[2] = 0;
			return false;
		}
		if (left < 64U)
			w &= (1ULL << left) - 1U;
		b->w[i] = w;
	}
	return true;
}

/*
 * RND32 / RND64: X1 = N (read as u32, as KVM does), 1..96 / 1..192.
 * RND64: X1 = bits 191:128, X2 = 127:64, X3 = 63:0.  RND32: X1 = bits
 * 95:64, X2 = 63:32, X3 = 31:0, each in the low half of its register.
 */
static void rnd(struct vhyp_vm *vm, uint64_t x[18], bool conv64)
{
	unsigned max = conv64 ? TRNG_MAX_BITS64 : TRNG_MAX_BITS32;
	uint32_t nbits = (uint32_t)x[1];
	struct trng_bits b;

	if (nbits == 0 || nbits > max) {
		smccc_set_error(x, TRNG_RET_INVALID_PARAMETER);
		return;
	}
	if (!gather(vm, nbits, &b)) {
		smccc_set_error(x, TRNG_RET_NO_ENTROPY);
		return;
	}
	if (conv64)
		smccc_set_ret(x, 0, b.w[2], b.w[1], b.w[0]);
	else
		smccc_set_ret(x, 0, (uint32_t)b.w[1], b.w[0] >> 32,
		              (uint32_t)b.w[0]);
	b.w[0] = b.w[1] = b.w[2] = 0; /* no copy left on the EL2 stack */
	__asm__ volatile("" : : "r"(&b) : "memory");
}

void vhyp_trng_call(struct vhyp_vm *vm, uint32_t id, uint64_t x[18])
{
	if (!trng_offered(vm)) {
		vhyp_count(vm, VHYP_CNT_OTHER);
		smccc_set_error(x, TRNG_RET_NOT_SUPPORTED);
		return;
	}
	vhyp_count(vm, VHYP_CNT_TRNG);
	switch (id) {
	case SMCCC_TRNG_VERSION_FUNC_ID:
		smccc_set_ret(x, SMCCC_TRNG_VERSION_1_0, 0, 0, 0);
		return;
	case SMCCC_TRNG_FEATURES_FUNC_ID:
		/* The whole X1 is the queried ID, as KVM compares it. */
		smccc_set_error(x, vhyp_trng_id((uint32_t)x[1]) &&
		                                   (x[1] >> 32) == 0
		                           ? 0
		                           : TRNG_RET_NOT_SUPPORTED);
		return;
	case SMCCC_TRNG_GET_UUID_FUNC_ID:
		smccc_set_ret(x, VHYP_TRNG_UUID_W0, VHYP_TRNG_UUID_W1,
		              VHYP_TRNG_UUID_W2, VHYP_TRNG_UUID_W3);
		return;
	default:
		rnd(vm, x, id == SMCCC_TRNG_RND64_FUNC_ID);
		return;
	}
}
