// SPDX-License-Identifier: MIT
/*
 * virtio-console backend (device ID 3, one port, no multiport): queue 0
 * receives, queue 1 transmits.  Receive buffers are held until there is
 * input: for a protected VM, the physical console's received bytes while
 * the emulated PL011 is not reading them (model.h, HYP_CONSOLE_HVC),
 * moved in when the guest posts buffers or when it waits in WFI
 * (hyp_virtio_console_poll); a normal VM's hvc0 gets no input (its PL011
 * is its own).  Transmitted
 * bytes are read from the guest's buffers through the accessor and passed
 * on to the hypervisor console at once (no line buffering), like the
 * PL011 model's output.
 */
#include "virtio.h"

#define CONSOLE_RX 0U
#define CONSOLE_TX 1U
#define CHUNK      64U

/* A '\r' not yet passed on: the console turns '\n' into CRLF itself, so a
 * '\r' is dropped before '\n' and passed on before anything else. */
static bool cr_pending;

/* Called under the device lock: output of two vCPUs cannot interleave.
 * A chunk is passed on at once, not per line. */
static void emit_chunk(const char *s, uint32_t n)
{
	char out[CHUNK + 1];
	uint32_t len = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (cr_pending && s[i] != '\n')
			out[len++] = '\r';
		cr_pending = s[i] == '\r';
		if (s[i] != '\r')
			out[len++] = s[i];
		if (len >= CHUNK) {
			vlog_raw("%.*s", (int)len, out);
			len = 0;
		}
	}
	if (len > 0)
		vlog_raw("%.*s", (int)len, out);
}

static uint32_t console_config_read(struct hyp_virtio_dev *d, uint64_t off,
                                    unsigned size)
{
	(void)d;
	(void)off;
	(void)size;
	return 0; /* cols, rows, max_nr_ports, emerg_wr: unused */
}

static bool console_ready(struct hyp_virtio_dev *d, unsigned queue)
{
	return queue == CONSOLE_RX &&
	       hyp_model_console_rx_ready(d->guest, HYP_CONSOLE_HVC);
}

/* One receive chain: as many received bytes as its device-writable
 * buffers take and are there now. */
static uint32_t console_receive(struct hyp_virtio_dev *d,
                                const struct hyp_virtio_buf *bufs, unsigned n)
{
	uint32_t total = 0;

	if (!hyp_virtio_buffers_ok(d, bufs, n))
		return 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t done = 0;

		if (!bufs[i].device_writes)
			continue;
		while (done < bufs[i].len) {
			char chunk[CHUNK];
			uint32_t len = 0;
			int c;

			while (len < CHUNK && done + len < bufs[i].len &&
			       (c = hyp_model_console_getc(
			                d->guest, HYP_CONSOLE_HVC)) >= 0)
				chunk[len++] = (char)c;
			if (len == 0)
				return total;
			/* Refused after the check (an UNSHARE in between): the
			 * bytes are lost, as on a line without a reader. */
			if (!hyp_virtio_write(d, bufs[i].addr + done, chunk,
			                      len))
				return total;
			done += len;
			total += len;
		}
	}
	return total;
}

static uint32_t console_request(struct hyp_virtio_dev *d, unsigned queue,
                                const struct hyp_virtio_buf *bufs, unsigned n)
{
	if (queue == CONSOLE_RX)
		return console_receive(d, bufs, n);
	if (queue != CONSOLE_TX)
		return 0;
	/* All of a transmit or nothing of it: a chain with a buffer outside
	 * what the guest may hand over (another granule, past the end of
	 * RAM, a length running off it) prints nothing. */
	if (!hyp_virtio_buffers_ok(d, bufs, n))
		return 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t done = 0;

		if (bufs[i].device_writes)
			continue;
		while (done < bufs[i].len) {
			char chunk[CHUNK];
			uint32_t len = bufs[i].len - (uint32_t)done;

			if (len > CHUNK)
				len = CHUNK;
			/* A refused buffer prints nothing of it. */
			if (!hyp_virtio_read(d, bufs[i].addr + done, chunk,
			                     len))
				return 0;
			emit_chunk(chunk, len);
			done += len;
		}
	}
	return 0;
}

static struct hyp_virtio_chain console_chain;

static const struct hyp_virtio_backend console_backend = {
        .name = "console",
        .device_id = VIRTIO_ID_CONSOLE,
        .features = 0,
        .nr_queues = 2,
        .held_queues = 1U << CONSOLE_RX,
        .ready = console_ready,
        .config_read = console_config_read,
        .request = console_request,
        .batch = &console_chain,
};

static struct hyp_virtio_dev console_dev = {
        .be = &console_backend,
        .base = HYP_VIRTIO_CONSOLE_BASE,
        .spi = HYP_VIRTIO_CONSOLE_SPI,
};

bool hyp_virtio_console_register(hyp_guest_t guest)
{
	return hyp_virtio_register(guest, &console_dev);
}

bool hyp_virtio_console_poll(void)
{
	if (console_dev.guest.id == 0)
		return false; /* not registered */
	return hyp_virtio_process_held(&console_dev, CONSOLE_RX);
}
