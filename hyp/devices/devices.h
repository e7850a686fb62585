/* SPDX-License-Identifier: MIT */
/*
 * The host side of a VM: emulated MMIO devices and the one accessor through
 * which they reach guest memory (docs/protected-vms.md).
 *
 * A device model registers an IPA window with read/write callbacks.  The
 * stage-2 abort path (hyp/arch/aarch64/exits.c) hands it every data abort
 * the MMIO guard lets through (pmem_mmio_check); hyp_mmio_dispatch decodes
 * the syndrome and performs the access on the vCPU's saved registers.
 *
 * This header is the trusted side's.  Device models see only model.h and
 * virtio.h (the build enforces it): they never dereference guest memory
 * themselves but call hyp_guest_read / hyp_guest_write, which admit only
 * what pmem_host_may_access admits (all RAM of a normal VM, SHARED granules
 * of a protected VM).
 */
#ifndef HYP_DEVICES_H
#define HYP_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <core/vm.h>

#include "model.h"

struct hyp_regs;

#define HYP_MMIO_MAX_DEVICES 16U

/* Boot time only (not thread-safe).  Refuses (false) a window that is
 * empty, not page aligned, overlaps another device or guest RAM. */
bool hyp_mmio_register(struct vhyp_vm *vm, const struct hyp_mmio_device *dev);

/* Forgets every registered device (host tests only). */
void hyp_mmio_reset(void);

/* A decoded data-abort syndrome (ESR_EL2 ISS with ISV = 1). */
struct hyp_mmio_access {
	unsigned size;    /* bytes: 1, 2, 4, 8 */
	unsigned reg;     /* SRT; 31 is XZR */
	bool write;       /* WnR */
	bool sign_extend; /* SSE */
	bool reg64;       /* SF: the register is Xn (else Wn) */
};

/* False when the syndrome cannot be emulated: ISV = 0, a stage-1 table
 * walk (S1PTW) or a cache maintenance operation (CM). */
bool hyp_mmio_decode(uint64_t esr, struct hyp_mmio_access *out);

/*
 * Emulates a data abort at ipa the MMIO guard has let through.  True when
 * a device model performed the access (the caller advances ELR_EL2); false
 * when no device covers it or the syndrome is not emulable (the caller
 * injects an external abort, as for an unmapped IPA).
 */
bool hyp_mmio_dispatch(struct hyp_regs *regs, unsigned cpu, uint64_t esr,
                       uint64_t ipa);

/* The host side's access to guest memory (host_access.c); models use the
 * same through hyp_guest_read/hyp_guest_write (model.h). */
/* Under the VM lock: admits [ipa, ipa+len) only if pmem_host_may_access
 * does, then copies through the hypervisor's EL2 mapping of the granules. */
enum hyp_host_status hyp_host_read(struct vhyp_vm *vm, uint64_t ipa, void *buf,
                                   size_t len);
enum hyp_host_status hyp_host_write(struct vhyp_vm *vm, uint64_t ipa,
                                    const void *buf, size_t len);
/* For a device's DMA (qemu_disk.c), under the VM lock: the PA of
 * [ipa, ipa+len) when pmem_host_may_access admits all of it and it lies in
 * one RAM range; counted like a copy.  The caller holds the range until
 * the DMA is over (hyp_qdisk_quiesce). */
bool hyp_host_dma_range(struct vhyp_vm_locked locked, uint64_t ipa,
                        uint64_t len, uint64_t *pa);
/* True when [buf, buf+len), a host-side buffer, overlaps none of vm's RAM
 * (by PA): the accessor and the disk path refuse a buffer that is guest
 * memory in disguise. */
bool hyp_host_buf_ok(const struct vhyp_vm *vm, const void *buf, size_t len);
/* Whether hyp_host_read/write would admit [ipa, ipa+len) now; a refusal
 * is counted like the accessor's own. */
bool hyp_host_check(struct vhyp_vm *vm, uint64_t ipa, uint64_t len);
/*
 * Test aid for the isolation probe: an 8-byte EL2 load from guest RAM that
 * asks nobody's permission (it proves the EL2 mapping itself is absent).
 * Refused only outside guest RAM, so it can never read the hypervisor.
 * A fault is caught and reported; a success on a private granule is a
 * leak, reported as such.
 */
enum hyp_host_status hyp_host_raw_read(struct vhyp_vm *vm, uint64_t ipa,
                                       uint64_t *val);

struct hyp_host_stats {
	uint64_t ok, refused, faulted, leaked, inconsistent;
};
void hyp_host_stats(struct hyp_host_stats *out);

/* hyp/arch/aarch64/safe_copy.S: byte copy at EL2 whose loads and stores may
 * fault; 0, or -1 when one took a synchronous exception (nothing more is
 * copied). */
int hyp_safe_copy(void *dst, const void *src, size_t len);

/* The trusted side's devices: the isolation probe (test device). */
#define HYP_PROBE_BASE VHYP_PROBE_BASE
#define HYP_PROBE_SIZE VHYP_PROBE_SIZE
bool hyp_probe_register(struct vhyp_vm *vm, uint64_t base);

/* The handle device models know vm by (model_glue.c); registers vm on
 * first use.  hyp_guest_vm maps a handle back, NULL for none. */
hyp_guest_t hyp_guest_of(struct vhyp_vm *vm);
struct vhyp_vm *hyp_guest_vm(hyp_guest_t guest);
/* Forgets every handle (host tests only; hyp_mmio_reset calls it). */
void hyp_guest_reset(void);

/* vhyp's disks (qemu_disk.c): finds up to wanted QEMU virtio-blk devices
 * on the virtio-mmio transports [transports, transports+size) (mapped at
 * EL2, in no guest's stage 2) and drives them with rings and descriptor
 * tables in [area, area+area_size) of the hypervisor window.  Returns how
 * many it brought up. */
#define HYP_QDISK_MAX  4U
/* A ring page and 8 request slots of 8 KiB a disk (qemu_disk.c). */
#define HYP_QDISK_AREA (HYP_QDISK_MAX * 68ULL * 1024ULL)
unsigned hyp_qdisk_init(uint64_t transports, uint64_t size, uint64_t area,
                        uint64_t area_size, unsigned wanted);
/* Returns once no disk request in flight moves data to or from
 * [pa, pa+len): called under the VM lock before the host side loses a
 * granule (UNSHARE), which therefore waits for the device. */
void hyp_qdisk_quiesce(uint64_t pa, uint64_t len);
unsigned hyp_qdisk_count(void);

/* Registers the emulated devices a VM gets (protected VMs: the PL011 at
 * uart_base and the isolation probe).  Panics on a conflict. */
void hyp_devices_setup(struct vhyp_vm *vm, uint64_t uart_base);

/* Registers vhyp's virtio-mmio devices of a VM (virtio.h); a disk of
 * size 0 means no block device. */
void hyp_virtio_setup(struct vhyp_vm *vm, uint64_t disk_pa, uint64_t disk_size);
/* Prints the device models' counters (at SYSTEM_OFF/RESET). */
void hyp_devices_print_stats(void);

#endif /* HYP_DEVICES_H */
