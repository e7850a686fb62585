// SPDX-License-Identifier: MIT
/*
 * The trusted side of the device-model API (model.h): what a model's
 * guest handle means, and the few services a model may ask for.
 *
 * Models never hold a struct vhyp_vm pointer (it carries the ops table
 * with host_grant/host_revoke): they get a handle, an index into the table
 * below, which only this file turns back into a VM.
 */
#include "devices.h"

#include <stdatomic.h>

#include "hyp.h"

#define MAX_GUESTS 4U

static struct vhyp_vm *guests[MAX_GUESTS];

hyp_guest_t hyp_guest_of(struct vhyp_vm *vm)
{
	unsigned i;

	for (i = 0; i < MAX_GUESTS && guests[i] != NULL; i++)
		if (guests[i] == vm)
			return (hyp_guest_t){i + 1U};
	if (i == MAX_GUESTS)
		hyp_panic("more than %u VMs with device models\n", MAX_GUESTS);
	guests[i] = vm;
	return (hyp_guest_t){i + 1U};
}

struct vhyp_vm *hyp_guest_vm(hyp_guest_t guest)
{
	if (guest.id == 0 || guest.id > MAX_GUESTS)
		return NULL;
	return guests[guest.id - 1U];
}

/* Host tests: every test builds its VM anew. */
void hyp_guest_reset(void)
{
	for (unsigned i = 0; i < MAX_GUESTS; i++)
		guests[i] = NULL;
}

bool hyp_model_mmio_register(hyp_guest_t guest,
                             const struct hyp_mmio_device *dev)
{
	struct vhyp_vm *vm = hyp_guest_vm(guest);

	return vm != NULL && hyp_mmio_register(vm, dev);
}

enum hyp_host_status hyp_guest_read(hyp_guest_t guest, uint64_t ipa, void *buf,
                                    size_t len)
{
	struct vhyp_vm *vm = hyp_guest_vm(guest);

	return vm != NULL ? hyp_host_read(vm, ipa, buf, len) : HYP_HOST_REFUSED;
}

enum hyp_host_status hyp_guest_write(hyp_guest_t guest, uint64_t ipa,
                                     const void *buf, size_t len)
{
	struct vhyp_vm *vm = hyp_guest_vm(guest);

	return vm != NULL ? hyp_host_write(vm, ipa, buf, len)
	                  : HYP_HOST_REFUSED;
}

bool hyp_guest_may_access(hyp_guest_t guest, uint64_t ipa, uint64_t len)
{
	struct vhyp_vm *vm = hyp_guest_vm(guest);

	return vm != NULL && hyp_host_check(vm, ipa, len);
}

#define GICD_ISPENDR    0x200U
#define GIC_SPI_INTID_0 32U

/*
 * The guest owns the GIC distributor (vhyp passes it through), so a device
 * interrupt is a write to its pending register.  Only the SPIs reserved
 * for vhyp's devices: a model cannot raise the guest's other interrupts.
 */
void hyp_model_raise_spi(hyp_guest_t guest, unsigned spi)
{
	uint64_t gicd = g_hyp.board.gicd.base;
	unsigned intid = GIC_SPI_INTID_0 + spi;

	if (hyp_guest_vm(guest) == NULL || spi < HYP_MODEL_SPI_FIRST ||
	    spi >= HYP_MODEL_SPI_FIRST + HYP_MODEL_SPI_COUNT)
		return;
	if (gicd == 0)
		return; /* no GIC (host tests) */
	*(volatile uint32_t *)(uintptr_t)(gicd + GICD_ISPENDR +
	                                  4ULL * (intid / 32U)) =
	        1U << (intid % 32U);
}

/* The physical console's receive side, for a protected VM only: a normal
 * VM has the physical PL011 mapped and reads it itself. */
static bool console_rx_guest(hyp_guest_t guest)
{
	struct vhyp_vm *vm = hyp_guest_vm(guest);

	return vm != NULL && vm->cfg.protected_vm;
}

/* The emulated PL011's receive interrupts are on: ttyAMA0 owns input. */
static _Atomic bool uart_reading;

static bool console_reader_ok(hyp_guest_t guest, enum hyp_console_reader r)
{
	if (!console_rx_guest(guest))
		return false;
	return r == HYP_CONSOLE_UART ||
	       (r == HYP_CONSOLE_HVC && !atomic_load(&uart_reading));
}

bool hyp_model_console_rx_ready(hyp_guest_t guest, enum hyp_console_reader r)
{
	return console_reader_ok(guest, r) && plat_uart_rx_ready();
}

int hyp_model_console_getc(hyp_guest_t guest, enum hyp_console_reader r)
{
	return console_reader_ok(guest, r) ? plat_uart_getc() : -1;
}

void hyp_model_console_rx_irq(hyp_guest_t guest, bool enable)
{
	if (!console_rx_guest(guest))
		return;
	atomic_store(&uart_reading, enable);
	plat_uart_rx_irq(enable);
}
