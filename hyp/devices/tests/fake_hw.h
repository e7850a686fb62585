/* SPDX-License-Identifier: MIT */
/*
 * The hardware the host-side device tests fake, shared by test_devices.c
 * and test_virtio.c: the hypervisor's UART (captured in a buffer), the EL2
 * MMU state and the panic stop (a test failure).
 */
#ifndef FAKE_HW_H
#define FAKE_HW_H

#include <stddef.h>

/* Everything the hypervisor printed since fake_uart_clear(). */
extern char fake_uart[8192];
extern size_t fake_uart_len;
/* The UART's receive side: the bytes still to receive, the RX interrupt. */
extern const char *fake_uart_rx;
extern bool fake_uart_rx_irq;
void fake_uart_clear(void);

#endif /* FAKE_HW_H */
