/* SPDX-License-Identifier: MIT */
/*
 * Everything a device model may use: the whole API between a model and
 * the rest of the hypervisor (docs/protected-vms.md, "The device-model
 * rule").
 *
 * A device model is every C file of hyp/devices/ not on the trusted list
 * in hyp/devices/build.mk (today: the virtio-mmio transport, virtio-blk,
 * virtio-console, the PL011 model).  The build compiles models with no
 * project include path (no include/, core/include/ or hyp/), so this
 * header, virtio.h and the compiler's own freestanding headers are all
 * they can see; scripts/check-device-models.sh then checks, on every
 * build, that:
 *   - a model's objects were built from those headers only (their
 *     dependency files);
 *   - the partial link (ld -r) of all models leaves undefined only the
 *     symbols in hyp/devices/model-symbols.allow (the functions below and
 *     the C library's mem* routines): no data symbol (g_hyp and the VM,
 *     with its ops table, are unreachable), no page-table or host_grant /
 *     host_revoke path;
 *   - the models' code has no system instruction (MSR/MRS, SYS, TLBI, AT,
 *     DC, IC, HVC, SMC, SVC, ERET): no inline assembly that reaches page
 *     tables or translation state;
 *   - (clang-tidy) no integer-to-pointer cast: a model cannot make a
 *     pointer to guest or hypervisor memory out of a number.
 *
 * A guest is named by a handle, not a pointer: struct vhyp_vm (and its
 * ops table with host_grant/host_revoke) does not exist for a model.
 */
#ifndef HYP_DEVICES_MODEL_H
#define HYP_DEVICES_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The board layout: constants only (the models' one other header). */
#include "../../include/vhyp/board.h"

/* A guest, as device models know it: an opaque number the trusted side
 * maps back to its VM.  A struct so that it converts to nothing. */
typedef struct hyp_guest {
	uint32_t id;
} hyp_guest_t;

/* An emulated MMIO window.  Offsets are from the window base; size is 1,
 * 2, 4 or 8.  Callbacks run on the faulting vCPU (cpu = its index) and may
 * run concurrently. */
struct hyp_mmio_device {
	const char *name;
	uint64_t base;
	uint64_t size;
	uint64_t (*read)(void *ctx, unsigned cpu, uint64_t off, unsigned size);
	void (*write)(void *ctx, unsigned cpu, uint64_t off, unsigned size,
	              uint64_t val);
	void *ctx;
};

/* Boot time only.  Refuses (false) a window that is empty, not page
 * aligned, overlaps another device, a passthrough device or guest RAM. */
bool hyp_model_mmio_register(hyp_guest_t guest,
                             const struct hyp_mmio_device *dev);

/* Result of a host access to guest memory. */
enum hyp_host_status {
	HYP_HOST_OK = 0,
	HYP_HOST_REFUSED = 1, /* not memory the host side may touch */
	HYP_HOST_FAULTED = 2, /* the EL2 access took a data abort */
	HYP_HOST_LEAKED = 3,  /* raw read returned data of a private granule */
	/* raw read faulted although the granule is SHARED: the host's EL2
	 * view lags the stage-2 state (a bug, never expected) */
	HYP_HOST_INCONSISTENT = 4,
};

/* The accessor (host_access.c): copies [ipa, ipa+len) of the guest's
 * memory when the trusted side admits all of it (all of a normal VM's RAM,
 * the SHARED granules of a protected VM), else REFUSED and nothing is
 * copied. */
enum hyp_host_status hyp_guest_read(hyp_guest_t guest, uint64_t ipa, void *buf,
                                    size_t len);
enum hyp_host_status hyp_guest_write(hyp_guest_t guest, uint64_t ipa,
                                     const void *buf, size_t len);

/* Whether the accessor would admit all of [ipa, ipa+len) now (a check
 * before a request moves any byte; every copy is still checked on its
 * own, since a protected guest may UNSHARE in between). */
bool hyp_guest_may_access(hyp_guest_t guest, uint64_t ipa, uint64_t len);

/* Sets the guest's SPI spi (0-based, INTID 32 + spi) pending.  Only the
 * SPIs reserved for vhyp's devices are accepted. */
#define HYP_MODEL_SPI_FIRST VHYP_MODEL_SPI_FIRST
#define HYP_MODEL_SPI_COUNT VHYP_MODEL_SPI_COUNT
void hyp_model_raise_spi(hyp_guest_t guest, unsigned spi);

/*
 * The console's receive side, for a protected VM's emulated PL011 only
 * (a normal VM owns the physical UART; any other guest gets -1/false and
 * nothing happens).  The physical PL011's receive FIFO is the model's: a
 * byte read here is the guest's next byte; rx_irq turns the physical
 * UART's receive interrupts on or off, and its interrupt line is the
 * board UART's SPI, which the guest owns, so the guest's own interrupt
 * wakes it when a byte arrives (docs/protected-vms.md, "Console input").
 */
enum hyp_console_reader {
	HYP_CONSOLE_UART = 0, /* the emulated PL011 */
	/* vhyp's virtio-console (hvc0): gets input only while the emulated
	 * PL011's receive interrupts are off (ttyAMA0 not open). */
	HYP_CONSOLE_HVC = 1,
};
bool hyp_model_console_rx_ready(hyp_guest_t guest,
                                enum hyp_console_reader reader);
int hyp_model_console_getc(hyp_guest_t guest, enum hyp_console_reader reader);
void hyp_model_console_rx_irq(hyp_guest_t guest, bool enable);

/*
 * vhyp's disks (hyp/devices/qemu_disk.c): QEMU virtio-blk devices only EL2
 * reaches, numbered from 0 in --disk order.  A request names guest memory
 * by IPA, never the model's own: the device moves the data straight
 * between the disk and those buffers, once the trusted side has admitted
 * every segment as memory the host side may touch (all of a normal VM's
 * RAM, SHARED granules of a protected one), and holds them until the
 * device is done (an UNSHARE of a held granule waits for it).
 *
 * hyp_disk_rw runs up to HYP_DISK_BATCH_MAX requests at once and sets
 * each one's status: OK; REFUSED, a segment the host side may not touch
 * (nothing of that request reached the device); EIO, anything else (no
 * such disk, out of range or not whole sectors, more than
 * HYP_DISK_SEG_MAX segments or an empty one, a write to a read-only disk,
 * a device error).
 */
#define HYP_DISK_SEG_MAX   256U
#define HYP_DISK_BATCH_MAX 8U
struct hyp_disk_seg {
	uint64_t ipa;
	uint32_t len;
};
enum hyp_disk_status { HYP_DISK_OK, HYP_DISK_REFUSED, HYP_DISK_EIO };
struct hyp_disk_req {
	uint64_t sector;
	const struct hyp_disk_seg *segs;
	unsigned nseg;
	bool write;
	enum hyp_disk_status status; /* set by hyp_disk_rw */
};
bool hyp_disk_info(unsigned disk, uint64_t *sectors, bool *read_only);
void hyp_disk_rw(hyp_guest_t guest, unsigned disk, struct hyp_disk_req *reqs,
                 unsigned n);
bool hyp_disk_flush(unsigned disk);

/* The hypervisor console: "vhyp: " lines, and raw guest output. */
void vlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vlog_raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- what the models provide to the trusted side ---- */

#define HYP_PL011_SIZE 0x1000ULL
bool hyp_pl011_emul_register(hyp_guest_t guest, uint64_t base);
/* Moves received console bytes into hvc0's receive buffers, if the guest
 * posted any and hvc0 owns the input (virtio_console.c); true when it
 * delivered something.  Called by the trusted side on a protected VM's
 * WFI exit. */
bool hyp_virtio_console_poll(void);
/* virtio.h: hyp_virtio_console_register, hyp_virtio_blk_register,
 * hyp_virtio_print_stats. */

#endif /* HYP_DEVICES_MODEL_H */
