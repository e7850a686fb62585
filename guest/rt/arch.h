/* SPDX-License-Identifier: MIT */
/* System-register access for the guest runtime (internal). */
#ifndef GUEST_RT_ARCH_H
#define GUEST_RT_ARCH_H

#include <stdint.h>

#define read_sysreg(r)                                                         \
	({                                                                     \
		uint64_t v_;                                                   \
		__asm__ volatile("mrs %0, " #r : "=r"(v_));                    \
		v_;                                                            \
	})
#define write_sysreg(r, v)                                                     \
	__asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)) : "memory")
#define isb()    __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")

/* Internal runtime entry points shared by the files of guest/rt. */
void rt_console_init(const void *dtb);
void rt_mmu_init(const void *dtb);
void rt_mmu_enable(uint64_t stale_start, uint64_t stale_end);
void rt_smp_init(const void *dtb);
void rt_dcache_inval(uint64_t start, uint64_t end);
void rt_console_enable_locking(void);
/* For the exception path: no lock (the CPU may hold it). */
size_t rt_printf_unlocked(const char *fmt, ...)
        __attribute__((format(printf, 1, 2)));

#endif /* GUEST_RT_ARCH_H */
