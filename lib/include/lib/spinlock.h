/* SPDX-License-Identifier: MIT */
/*
 * The one spinlock of vhyp (hypervisor, guest runtime, test guests):
 * test-and-test-and-set on a word, acquire on lock, release on unlock.
 * Exclusives need Normal cacheable memory: take a lock only once the MMU
 * is on (the console checks that before locking).
 */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	uint32_t locked;
};

#define SPINLOCK_INIT                                                          \
	{                                                                      \
		0                                                              \
	}

static inline bool spin_trylock(struct spinlock *l)
{
	return __atomic_exchange_n(&l->locked, 1U, __ATOMIC_ACQUIRE) == 0;
}

static inline void spin_lock(struct spinlock *l)
{
	while (!spin_trylock(l))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0)
			;
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0U, __ATOMIC_RELEASE);
}

/* For a lock inside a structure that is set up at run time. */
static inline void spin_init(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0U, __ATOMIC_RELAXED);
}

#endif /* LIB_SPINLOCK_H */
