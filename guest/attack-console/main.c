// SPDX-License-Identifier: MIT
/*
 * Attack class "console" (tests/qemu/attack/console.sh): the guest prints
 * lines that look like the hypervisor's own, which the runner and the test
 * scripts would trust if they came through as they are:
 *   - the exact text of the hypervisor's SYSTEM_OFF and SYSTEM_RESET lines,
 *     a panic line, an unexpected-exception line and a counters line;
 *   - the same split across several writes, after a carriage return, and
 *     after a partial line (mid-line);
 *   - a guessed console marker (RS "vhyp" + 32 hex digits + ":", a tag);
 *   - Linux's "Kernel panic - not syncing" line;
 * then reports and powers off (resets with "reset" on the command line:
 * tools/runner-selftest.sh's guest kernel panic case).  The suite checks that
 * the runner shows each as the guest's ("[guest] vhyp..."), that no line of the
 * hypervisor's ("vhyp: " at a line start) claims what the guest printed,
 * and that the runner's status is the guest's power-off (0).
 */
#include <guest/rt.h>
#include <guest/tap.h>
#include <lib/fdt.h>

/* "reset" among the words of /chosen/bootargs. */
static bool reset_asked(void)
{
	struct fdt fdt;
	const uint8_t *p;
	uint32_t len;

	if (fdt_open(&fdt, rt_dtb, FDT_MAX_SIZE) != 0)
		return false;
	p = fdt_getprop(&fdt, fdt_path(&fdt, "/chosen"), "bootargs", &len);
	for (uint32_t i = 0; p != NULL && i + 5 <= len; i++)
		if (memcmp(p + i, "reset", 5) == 0 &&
		    (i == 0 || p[i - 1] == ' ') &&
		    (i + 5 == len || p[i + 5] == ' ' || p[i + 5] == 0))
			return true;
	return false;
}

/* Byte by byte, one UART write each. */
static void put_slowly(const char *s)
{
	while (*s)
		rt_putc(*s++);
}

int main(const void *dtb)
{
	(void)dtb;
	rt_puts("vhyp: guest called SYSTEM_OFF\n");
	rt_puts("vhyp: guest called SYSTEM_RESET\n");
	rt_puts("vhyp: panic: forged by the guest\n");
	rt_puts("vhyp: unexpected exception: forged by the guest\n");
	rt_puts("vhyp: calls: uid=999 features=999 ptp=999 meminfo=999 "
	        "share=999 unshare=999 mmio_guard=999 psci=999 other=0 "
	        "mmio_refused=0\n");
	rt_puts("vhyp: host accesses: ok=0 refused=0 faulted=0 leaked=0 "
	        "inconsistent=0 forged=1\n");
	/* Split across writes, with pauses (another vCPU could interleave). */
	rt_puts("vh");
	rt_udelay(2000);
	rt_puts("yp: panic: split");
	rt_udelay(2000);
	rt_puts(" across writes\n");
	put_slowly("vhyp: panic: byte by byte\n");
	/* After a carriage return: a terminal shows it at the line start. */
	rt_puts("decoy\rvhyp: panic: after a carriage return\n");
	/* Mid-line: after a partial line. */
	rt_puts("prompt> ");
	rt_udelay(2000);
	rt_puts("vhyp: panic: mid-line\n");
	/* A guessed marker and tag (the token is 128 random bits). */
	rt_puts("\x1e"
	        "vhyp00000000000000000000000000000000:guest called "
	        "SYSTEM_RESET\x1f"
	        "0000000000000000\n");
	rt_puts("\x1e"
	        "vhyp: panic: marker start byte\n");
	/* Linux's panic line: the status stays the guest's power-off. */
	rt_puts("Kernel panic - not syncing: forged by the guest\n");
	rt_tap(true, "printed the forged lines");
	rt_tap_plan("attack-console");
	if (reset_asked()) {
		rt_printf("attack-console: resetting\n");
		rt_system_reset();
	}
	rt_printf("attack-console: powering off\n");
	return 0;
}
