/* SPDX-License-Identifier: MIT */
/*
 * Log levels and the rate limiter for guest-caused events (lib/log.c).
 * The printing itself is the owner's (the hypervisor's marked console,
 * hyp/console.c); this decides what is printed, in one place:
 *
 *   LOG_ALWAYS  printed at every verbosity (warnings, panics, reports)
 *   LOG_INFO    the default (vhyp.log=1): boot facts, first few events
 *   LOG_TRACE   vhyp.log=2: every exit, every grant, no rate limit
 *
 * A guest can provoke some events in a loop (aborts, traps, faulting host
 * accesses); each such kind has a struct log_limit, so that only its first
 * few are logged and the console never becomes the guest's bottleneck.
 */
#ifndef LIB_LOG_H
#define LIB_LOG_H

#include <stdbool.h>

enum log_level { LOG_ALWAYS = 0, LOG_INFO = 1, LOG_TRACE = 2 };

/* Highest level printed; LOG_INFO until the owner sets it. */
extern unsigned log_threshold;

static inline void log_set_threshold(unsigned level)
{
	log_threshold = level;
}

/* Whether a message of this level is printed.  Inline: the hypercall fast
 * path asks it for LOG_TRACE on every call. */
static inline bool log_on(unsigned level)
{
	return level <= log_threshold;
}

struct log_limit {
	unsigned max;   /* events logged before the limit */
	unsigned count; /* events seen (saturates at max + 1), atomic */
};
#define LOG_LIMIT_INIT(n)                                                      \
	{                                                                      \
		(n), 0                                                         \
	}

enum log_verdict {
	LOG_SKIP,       /* do not print */
	LOG_PRINT,      /* print the event */
	LOG_PRINT_LAST, /* limit reached: say further events are not logged */
};

/*
 * One event of a rate-limited kind at `level`: LOG_PRINT for the first
 * l->max events (for all of them when the threshold is LOG_TRACE), then
 * LOG_PRINT_LAST once, then LOG_SKIP.  LOG_SKIP when the level is off.
 * Safe from any number of CPUs at once.
 */
enum log_verdict log_limit(struct log_limit *l, unsigned level);

#endif /* LIB_LOG_H */
