// SPDX-License-Identifier: MIT
/* Log levels and the rate limiter (lib/include/lib/log.h). */
#include <lib/log.h>

unsigned log_threshold = LOG_INFO;

enum log_verdict log_limit(struct log_limit *l, unsigned level)
{
	unsigned n;

	if (!log_on(level))
		return LOG_SKIP;
	if (log_on(LOG_TRACE))
		return LOG_PRINT;
	/* Count up to max + 1 only, so that the counter cannot wrap round
	 * and start logging again after 2^32 events. */
	n = __atomic_load_n(&l->count, __ATOMIC_RELAXED);
	do {
		if (n > l->max)
			return LOG_SKIP;
	} while (!__atomic_compare_exchange_n(&l->count, &n, n + 1, true,
	                                      __ATOMIC_RELAXED,
	                                      __ATOMIC_RELAXED));
	return n < l->max ? LOG_PRINT : LOG_PRINT_LAST;
}
