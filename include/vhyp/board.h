/* SPDX-License-Identifier: MIT */
/*
 * The board layout: where QEMU's virt board puts the devices vhyp and its
 * guests touch, and what vhyp adds in the board's unused space.  The one
 * place these numbers are written: the hypervisor, its device models
 * (hyp/devices/virtio.h includes this file by relative path: constants
 * only, no types), the guests and the runner (tools/vhyp-run.sh reads it
 * through cpp) all use these names, and scripts/check-board-literals.sh
 * (in `make test`) fails when one of the addresses or SPIs appears as a
 * literal anywhere else.  No includes, no types: plain integer constants.
 */
#ifndef VHYP_BOARD_H
#define VHYP_BOARD_H

/* Usable from assembly too (bench/kvm/testguest): no suffixes there. */
#ifdef __ASSEMBLER__
#define VHYP_BOARD_ULL(x) x
#define VHYP_BOARD_U(x)   x
#else
#define VHYP_BOARD_ULL(x) x##ULL
#define VHYP_BOARD_U(x)   x##U
#endif

/* QEMU 7.2 virt: the GIC distributor, the PL011 and the 32 virtio-mmio
 * transports, which vhyp keeps out of every guest (the hypervisor itself
 * takes the GIC's and the transports' addresses from the DT; guests and
 * the KVM bench runner use these). */
#define VHYP_BOARD_GICD_BASE     VHYP_BOARD_ULL(0x08000000)
#define VHYP_BOARD_UART_BASE     VHYP_BOARD_ULL(0x09000000)
#define VHYP_BOARD_VIRTIO_BASE   VHYP_BOARD_ULL(0x0a000000)
#define VHYP_BOARD_VIRTIO_STRIDE VHYP_BOARD_ULL(0x200)
#define VHYP_BOARD_VIRTIO_COUNT  VHYP_BOARD_U(32)

/* PV time (hyp/pvtime.c): one 64-byte record per vCPU in this page, at an
 * IPA outside RAM and absent from the DT. */
#define VHYP_PV_TIME_IPA VHYP_BOARD_ULL(0x090a0000)

/* The isolation probe (test device, hyp/devices/isolation_probe.c). */
#define VHYP_PROBE_BASE VHYP_BOARD_ULL(0x0b000000)
#define VHYP_PROBE_SIZE VHYP_BOARD_ULL(0x1000)

/* vhyp's own virtio-mmio devices (hyp/devices): one 4 KiB window and one
 * edge-triggered SPI each; disk n at VHYP_VIRTIO_BLK_BASE + n windows and
 * SPI VHYP_VIRTIO_BLK_SPI + n. */
#define VHYP_VIRTIO_CONSOLE_BASE VHYP_BOARD_ULL(0x0b200000)
#define VHYP_VIRTIO_BLK_BASE     VHYP_BOARD_ULL(0x0b201000)
#define VHYP_VIRTIO_WINDOW_SIZE  VHYP_BOARD_ULL(0x1000)
#define VHYP_VIRTIO_CONSOLE_SPI  VHYP_BOARD_U(112)
#define VHYP_VIRTIO_BLK_SPI      VHYP_BOARD_U(113)
/* The SPIs reserved for device models: the console's and the disks'. */
#define VHYP_MODEL_SPI_FIRST     VHYP_VIRTIO_CONSOLE_SPI
#define VHYP_MODEL_SPI_COUNT     VHYP_BOARD_U(16)

/* A protected VM's restricted-dma-pool, at the top of its RAM. */
#define VHYP_DMA_POOL_SIZE VHYP_BOARD_ULL(0x1000000) /* 16 MiB */

#endif /* VHYP_BOARD_H */
