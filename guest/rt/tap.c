// SPDX-License-Identifier: MIT
/* TAP output for test guests (guest/include/guest/tap.h). */
#include <stdarg.h>

#include <guest/rt.h>
#include <guest/tap.h>
#include <lib/fmt.h>

static unsigned tap_count;
static unsigned tap_failed;

bool rt_tap(bool ok, const char *fmt, ...)
{
	va_list ap;
	char line[200];

	tap_count++;
	if (!ok)
		tap_failed++;
	va_start(ap, fmt);
	(void)fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	rt_printf("%s %u - %s\n", ok ? "ok" : "not ok", tap_count, line);
	return ok;
}

unsigned rt_tap_count(void)
{
	return tap_count;
}

unsigned rt_tap_failures(void)
{
	return tap_failed;
}

void rt_tap_plan(const char *name)
{
	rt_printf("1..%u\n", tap_count);
	rt_printf("# %s: %u tests, %u failed\n", name, tap_count, tap_failed);
}
