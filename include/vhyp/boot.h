/* SPDX-License-Identifier: MIT */
/* Constants shared by the runner, the hypervisor and the guests about where
 * things are loaded.  See docs/boot-contract.md. */
#ifndef VHYP_BOOT_H
#define VHYP_BOOT_H

/* The hypervisor owns the top VHYP_WINDOW_SIZE bytes of RAM. */
#define VHYP_WINDOW_SIZE 0x4000000ULL /* 64 MiB */

/* QEMU virt: guest RAM starts here, as KVM guests see it. */
#define VHYP_GUEST_RAM_BASE  0x40000000ULL
/* Default guest Image load address: 2 MiB aligned, above QEMU's trampoline. */
#define VHYP_GUEST_KERNEL_PA 0x40200000ULL

/* A hypervisor panic ends QEMU through pvpanic-pci (hyp/pvpanic.c), not
 * with a status of its own: docs/runner.md lists the runner's statuses. */

#endif /* VHYP_BOOT_H */
