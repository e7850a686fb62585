/* SPDX-License-Identifier: MIT */
/* Fake stage-2 MMU operations: see fake_mmu.h. */
#include "fake_mmu.h"

#include <string.h>

static void record(struct fake_mmu *mmu, enum fake_mmu_kind kind, uint16_t vmid,
                   uint64_t ipa, uint64_t size)
{
	if (mmu->nr_events < FAKE_MMU_MAX_EVENTS) {
		struct fake_mmu_event *ev = &mmu->events[mmu->nr_events];

		ev->kind = kind;
		ev->vmid = vmid;
		ev->ipa = ipa;
		ev->size = size;
		ev->watched = mmu->watch ? *mmu->watch : 0;
	}
	mmu->nr_events++;
}

static void fake_tlbi_range(void *ctx, uint16_t vmid, uint64_t ipa,
                            uint64_t size)
{
	struct fake_mmu *mmu = ctx;

	mmu->nr_tlbi++;
	record(mmu, FAKE_MMU_TLBI, vmid, ipa, size);
}

static void fake_sync_tables(void *ctx)
{
	struct fake_mmu *mmu = ctx;

	mmu->nr_sync++;
	record(mmu, FAKE_MMU_SYNC, 0, 0, 0);
}

const struct s2_mmu_ops fake_mmu_ops = {
        .tlbi_range = fake_tlbi_range,
        .sync_tables = fake_sync_tables,
};

void fake_mmu_reset(struct fake_mmu *mmu)
{
	memset(mmu, 0, sizeof(*mmu));
}

long fake_mmu_find(const struct fake_mmu *mmu, enum fake_mmu_kind kind,
                   size_t n)
{
	size_t limit = mmu->nr_events < FAKE_MMU_MAX_EVENTS
	                       ? mmu->nr_events
	                       : FAKE_MMU_MAX_EVENTS;

	for (size_t i = 0; i < limit; i++) {
		if (mmu->events[i].kind != kind)
			continue;
		if (n == 0)
			return (long)i;
		n--;
	}
	return -1;
}
