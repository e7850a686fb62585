/* SPDX-License-Identifier: MIT */
/*
 * The guest half of the stock-Linux test: a static arm64 program that /init
 * runs inside a Debian kernel booted under vhyp (or directly under QEMU, to
 * see that it reports the absence of the KVM services).
 *
 * It only observes and prints; the host side (tests/linux/run-test.sh)
 * decides what passes.  Every line it prints reads
 *
 *	vhyp-linux-test: key=value
 *
 * so that the host can pick values out of a console log full of kernel
 * messages.  Output goes straight to fd 1 with write(2): the host timestamps
 * the "phc_ns" line on arrival and compares it with its own wall clock, so
 * no stdio buffer may sit between the read of the clock and the console.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <time.h>
#include <unistd.h>

/* include/uapi/linux/posix-timers.h: a dynamic clock id from an fd. */
#define CLOCKFD           3
#define FD_TO_CLOCKID(fd) ((clockid_t)((~(unsigned int)(fd) << 3) | CLOCKFD))

#define SYSLOG_ACTION_READ_ALL    3
#define SYSLOG_ACTION_SIZE_BUFFER 10

/* Number of back-to-back PHC reads that must strictly increase. */
#define PHC_READS        8
/* Length of the rate comparison against CLOCK_MONOTONIC. */
#define RATE_INTERVAL_NS 2000000000LL

static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* The console is a tty: one write per line keeps lines whole. */
	if (write(STDOUT_FILENO, "vhyp-linux-test: ", 17) < 0 ||
	    write(STDOUT_FILENO, line, (size_t)n) < 0)
		return;
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static int read_clock_ns(clockid_t id, int64_t *ns)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return -errno;
	*ns = ts_ns(&ts);
	return 0;
}

/* Reads a small sysfs file into buf without its trailing newline. */
static int read_text(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

/* Prints the name of every PTP clock the kernel registered. */
static int list_ptp_clocks(void)
{
	DIR *dir = opendir("/sys/class/ptp");
	struct dirent *de;
	int count = 0;

	if (!dir) {
		say("ptp_clocks=0");
		return 0;
	}
	while ((de = readdir(dir)) != NULL) {
		char path[300], name[128];

		if (strncmp(de->d_name, "ptp", 3) != 0)
			continue;
		snprintf(path, sizeof(path), "/sys/class/ptp/%s/clock_name",
		         de->d_name);
		if (read_text(path, name, sizeof(name)) != 0)
			strcpy(name, "?");
		say("clock_name.%s=%s", de->d_name, name);
		count++;
	}
	closedir(dir);
	say("ptp_clocks=%d", count);
	return count;
}

/* PHC reads must be strictly increasing: each one is a PTP hypercall. */
static void check_phc_increases(clockid_t phc)
{
	int64_t prev = 0, now = 0;
	int i, increasing = 1;

	for (i = 0; i < PHC_READS; i++) {
		int err = read_clock_ns(phc, &now);

		if (err) {
			say("phc_read=error %s", strerror(-err));
			return;
		}
		if (i > 0 && now <= prev)
			increasing = 0;
		prev = now;
	}
	say("phc_read=ok");
	say("phc_increasing=%s", increasing ? "yes" : "no");
}

/*
 * The PHC and CLOCK_MONOTONIC, sampled together at both ends of an interval:
 * a wrong counter frequency or a bad ns conversion in the hypervisor shows
 * as a rate error.  Each sample brackets the PHC read with two monotonic
 * reads and takes their midpoint; of several samples the one with the
 * narrowest bracket counts, so that a vCPU descheduled by the host in the
 * middle of one sample (TCG on a busy machine) does not pass for a rate
 * error.
 */
#define RATE_SAMPLES 16

static int sample_pair(clockid_t phc, int64_t *phc_ns, int64_t *mono_ns)
{
	int64_t best_width = INT64_MAX;

	for (int i = 0; i < RATE_SAMPLES; i++) {
		int64_t before = 0, after = 0, p = 0;

		if (read_clock_ns(CLOCK_MONOTONIC, &before) ||
		    read_clock_ns(phc, &p) ||
		    read_clock_ns(CLOCK_MONOTONIC, &after))
			return -1;
		if (after - before < best_width) {
			best_width = after - before;
			*phc_ns = p;
			*mono_ns = before + (after - before) / 2;
		}
	}
	return 0;
}

static void check_phc_rate(clockid_t phc)
{
	int64_t p0, m0, p1, m1;
	struct timespec pause = {.tv_sec = RATE_INTERVAL_NS / 1000000000LL,
	                         .tv_nsec = RATE_INTERVAL_NS % 1000000000LL};
	double ppm;

	if (sample_pair(phc, &p0, &m0) != 0)
		return;
	nanosleep(&pause, NULL);
	if (sample_pair(phc, &p1, &m1) != 0)
		return;
	ppm = ((double)(p1 - p0) - (double)(m1 - m0)) / (double)(m1 - m0) * 1e6;
	say("rate_interval_ns=%lld", (long long)(m1 - m0));
	say("rate_ppm=%.3f", ppm);
}

/* The PHC's absolute time, printed right after the read. */
static void print_phc_time(clockid_t phc)
{
	int64_t ns = 0;

	if (read_clock_ns(phc, &ns) == 0)
		say("phc_ns=%lld", (long long)ns);
}

static void check_ptp(void)
{
	clockid_t phc;
	int fd;

	if (list_ptp_clocks() == 0)
		return;
	fd = open("/dev/ptp0", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		say("phc_open=error %s", strerror(errno));
		return;
	}
	say("phc_open=ok");
	phc = FD_TO_CLOCKID(fd);
	check_phc_increases(phc);
	check_phc_rate(phc);
	print_phc_time(phc);
	close(fd);
}

static void check_cpus(void)
{
	char online[64];

	if (read_text("/sys/devices/system/cpu/online", online,
	              sizeof(online)) != 0)
		strcpy(online, "?");
	say("cpus_online=%s", online);
}

/*
 * Per-CPU interrupt counts from /proc/interrupts: the arch_timer line and
 * the sum of the IPI lines.  Returns the number of CPU columns, 0 on
 * error.
 */
#define MAX_CPUS 16
struct irq_counts {
	unsigned long long timer[MAX_CPUS], ipi[MAX_CPUS];
};

static int read_interrupts(struct irq_counts *c)
{
	char line[512];
	int ncpu = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	memset(c, 0, sizeof(*c));
	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f))
		for (char *p = line; (p = strstr(p, "CPU")) != NULL; p += 3)
			ncpu++;
	if (ncpu > MAX_CPUS)
		ncpu = MAX_CPUS;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		unsigned long long v[MAX_CPUS];
		bool ipi;
		int i;

		while (*p == ' ')
			p++;
		ipi = strncmp(p, "IPI", 3) == 0;
		p = strchr(p, ':');
		if (!p)
			continue;
		p++;
		for (i = 0; i < ncpu; i++) {
			v[i] = strtoull(p, &end, 10);
			if (end == p)
				break;
			p = end;
		}
		if (i < ncpu)
			continue;
		for (i = 0; i < ncpu; i++) {
			if (ipi)
				c->ipi[i] += v[i];
			else if (strstr(p, "arch_timer"))
				c->timer[i] += v[i];
		}
	}
	fclose(f);
	return ncpu;
}

static void say_counts(const char *key, const unsigned long long *v, int n)
{
	char buf[256];
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && len < sizeof(buf) - 24; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%llu",
		                        i ? "," : "", v[i]);
	say("%s=%s", key, buf);
}

/* Timer ticks and IPIs per CPU: the IPI totals since boot, and the timer
 * interrupts taken between two reads (the PTP checks run in between). */
static void check_interrupts(const struct irq_counts *before)
{
	struct irq_counts after;
	unsigned long long d[MAX_CPUS];
	int n = read_interrupts(&after);

	for (int i = 0; i < n; i++)
		d[i] = after.timer[i] - before->timer[i];
	say_counts("irq_timer_delta", d, n);
	say_counts("irq_ipi_total", after.ipi, n);
}

/* Prints every kernel log line that contains needle, under key. */
static int grep_log(const char *log, const char *needle, const char *key)
{
	const char *line = log;
	int found = 0;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *hit = memmem(line, len, needle, strlen(needle));

		if (hit) {
			/* Drop the "<6>[    0.000000] " prefix. */
			const char *text = memchr(line, ']', len);

			text = text ? text + 1 : line;
			while (*text == ' ')
				text++;
			say("%s=%.*s", key, (int)(line + len - text), text);
			found++;
		}
		if (!end)
			break;
		line = end + 1;
	}
	if (!found)
		say("%s=none", key);
	return found;
}

static void check_kernel_log(void)
{
	int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
	char *log;
	int n;

	if (size <= 0)
		size = 1 << 20;
	log = malloc((size_t)size + 1);
	if (!log)
		return;
	n = klogctl(SYSLOG_ACTION_READ_ALL, log, size);
	if (n < 0) {
		say("dmesg=error %s", strerror(errno));
		free(log);
		return;
	}
	log[n] = '\0';
	grep_log(log, "SMC Calling Convention", "smccc");
	grep_log(log, "hypervisor services detected", "kvm_services");
	/* vhyp hides LPIs and the ITS: none of this may appear. */
	grep_log(log, "ITS", "gic_its");
	grep_log(log, "LPI", "gic_lpi");
	free(log);
}

int main(void)
{
	struct irq_counts irqs;

	say("start");
	(void)read_interrupts(&irqs);
	check_kernel_log();
	check_cpus();
	check_ptp();
	if (irqs.timer[0] == 0)
		sleep(1); /* no PTP clock: still an interval for the timer */
	check_interrupts(&irqs);
	say("done");
	return 0;
}
