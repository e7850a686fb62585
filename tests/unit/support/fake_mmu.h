/* SPDX-License-Identifier: MIT */
/*
 * Fake stage-2 MMU operations for host tests: records every TLBI and table
 * sync in order, and at each event samples one watched table entry, so a
 * test can check what the walker could have seen at that moment (e.g. that
 * break-before-make wrote the invalid entry before invalidating).
 */
#ifndef FAKE_MMU_H
#define FAKE_MMU_H

#include <stddef.h>
#include <stdint.h>

#include <core/stage2.h>

#define FAKE_MMU_MAX_EVENTS 256U

enum fake_mmu_kind {
	FAKE_MMU_SYNC,
	FAKE_MMU_TLBI,
};

struct fake_mmu_event {
	enum fake_mmu_kind kind;
	uint16_t vmid;    /* TLBI only */
	uint64_t ipa;     /* TLBI only */
	uint64_t size;    /* TLBI only */
	uint64_t watched; /* *watch when the event happened (0 if no watch) */
};

struct fake_mmu {
	struct fake_mmu_event events[FAKE_MMU_MAX_EVENTS];
	size_t nr_events; /* may exceed FAKE_MMU_MAX_EVENTS: only counted */
	size_t nr_tlbi;
	size_t nr_sync;
	const volatile uint64_t *watch; /* entry to sample, or NULL */
};

/* ops_ctx must be a struct fake_mmu. */
extern const struct s2_mmu_ops fake_mmu_ops;

/* Forget the recorded events; keeps nothing watched. */
void fake_mmu_reset(struct fake_mmu *mmu);
/* Index of the n-th (0-based) event of a kind, or -1. */
long fake_mmu_find(const struct fake_mmu *mmu, enum fake_mmu_kind kind,
                   size_t n);

#endif /* FAKE_MMU_H */
