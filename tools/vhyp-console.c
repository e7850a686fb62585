// SPDX-License-Identifier: MIT
/*
 * vhyp-console: the runner's console filter (docs/runner.md, "Console").
 *
 *     vhyp-console --token HEX [--events FILE] [--notify PID]
 *                  [--input FIFO [--stdin-eof poweroff|ignore]]
 *                  <qemu-output  >terminal  [3<runner-input]
 *
 * QEMU's console carries the hypervisor's lines and the guest's output on
 * one stream.  The hypervisor marks each of its lines with the run's
 * secret token and tags it (include/vhyp/console_mark.h).  This filter
 *   - turns each marked line whose tag verifies into "vhyp: <text>", on a
 *     line of its own, and appends "hyp <text>" to FILE (--events);
 *   - prints a marked line whose tag does not verify (guest bytes written
 *     into its middle, or a line cut short) as
 *     "[garbled hypervisor line] <text>";
 *   - escapes guest output that starts a line with "vhyp" (after a CR, an
 *     LF, or a hypervisor line) as "[guest] vhyp...", so that only the
 *     lines made here start with "vhyp";
 *   - appends "guest-kernel-panic" to FILE the first time Linux's
 *     "Kernel panic - not syncing" appears in the guest's output;
 *   - shows a guest's RS byte (the marker's first, invisible on a
 *     terminal) as "^^";
 *   - passes every other byte through as soon as it is read.  Guest bytes
 *     are held back only while they could still become a marker or the
 *     start of "vhyp" at the start of a line (at most 37 bytes).
 * With --notify PID (the runner), two more things end a run; each appends
 * an event line and sends SIGUSR2 to PID once:
 *   - "guest-panic-stop": PANIC_GRACE_MS after Linux's panic line QEMU is
 *     still running (no panic=N reset): the guest hangs for good;
 *   - "stdin-eof-stop" (--stdin-eof poweroff): the input (fd 3) ended, all
 *     of it was passed on, and the guest has printed nothing for
 *     EOF_QUIET_MS since.
 * With --input FIFO, the filter is also the guest's typist for piped input:
 * it reads fd 3 and writes it to FIFO (QEMU's stdin), Ctrl-A doubled (QEMU's
 * escape character), but only once the guest is ready to read: its output
 * ends without a newline (a prompt) and has been quiet for PROMPT_QUIET_MS,
 * or it has been quiet for READY_QUIET_MS (a guest without a prompt).
 * Linux's PL011 driver drops what it received before the console was
 * opened, so input sent during boot would be lost.
 * Exit status 0 at end of input, 2 on bad arguments, 1 on I/O errors.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <vhyp/console_mark.h>

#define HYP_LINE_MAX   4096U
#define ESCAPE_PREFIX  "[guest] "
#define GARBLED_PREFIX "[garbled hypervisor line] "
#define TRUSTED_PREFIX "vhyp: "
#define LINUX_PANIC    "Kernel panic - not syncing"

#define INPUT_FD        3
#define PANIC_GRACE_MS  5000
#define EOF_QUIET_MS    2000
#define PROMPT_QUIET_MS 300
#define READY_QUIET_MS  10000
#define QEMU_ESCAPE     0x01 /* Ctrl-A: -nographic's mux escape */

struct filter {
	char marker[VHYP_MARK_LEN + 1];
	uint8_t key[VHYP_TOKEN_BYTES];
	int events_fd;
	/* Marker bytes matched so far (held back). */
	unsigned mk;
	/* Inside a marked line: its bytes after the marker. */
	bool in_hyp;
	char hyp[HYP_LINE_MAX];
	unsigned hyp_len;
	/* Guest output: at the start of a line, and "vhyp" bytes held. */
	bool col0;
	unsigned vh;
	unsigned panic_match;
	bool panic_seen;
	int64_t panic_ms;
	/* The guest's last output byte and when it was read. */
	char last_guest;
	int64_t last_output_ms;
	/* Output of the current input chunk. */
	char *out;
	size_t out_len, out_cap;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(const char *msg)
{
	fprintf(stderr, "vhyp-console: %s: %s\n", msg, strerror(errno));
	exit(1);
}

static void emit(struct filter *f, const char *s, size_t n)
{
	if (f->out_len + n > f->out_cap) {
		size_t cap = 2 * (f->out_len + n);
		char *p = realloc(f->out, cap);

		if (p == NULL)
			die("out of memory");
		f->out = p;
		f->out_cap = cap;
	}
	memcpy(f->out + f->out_len, s, n);
	f->out_len += n;
}

static void emit_str(struct filter *f, const char *s)
{
	emit(f, s, strlen(s));
}

static void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("write");
		s += w;
		n -= (size_t)w;
	}
}

static void event(struct filter *f, const char *what, const char *s, size_t n)
{
	if (f->events_fd < 0)
		return;
	write_all(f->events_fd, what, strlen(what));
	write_all(f->events_fd, s, n);
	write_all(f->events_fd, "\n", 1);
}

static void flush(struct filter *f)
{
	write_all(STDOUT_FILENO, f->out, f->out_len);
	f->out_len = 0;
}

/* Linux's panic line anywhere in the guest's output ('K' occurs once in
 * the pattern, so a mismatch restarts at this byte or at 0). */
static void watch_guest(struct filter *f, char c)
{
	static const char pat[] = LINUX_PANIC;

	if (c == pat[f->panic_match])
		f->panic_match++;
	else
		f->panic_match = c == pat[0] ? 1 : 0;
	if (f->panic_match == sizeof(pat) - 1) {
		f->panic_match = 0;
		if (!f->panic_seen) {
			event(f, "guest-kernel-panic", "", 0);
			f->panic_ms = now_ms();
		}
		f->panic_seen = true;
	}
}

static void guest_emit(struct filter *f, char c)
{
	/* The marker's first byte is invisible on a terminal: a guest's
	 * "RS vhyp: ..." would look like a hypervisor line there. */
	if (c == VHYP_MARK_START)
		emit_str(f, "^^");
	else
		emit(f, &c, 1);
	watch_guest(f, c);
	f->col0 = c == '\n' || c == '\r';
	f->last_guest = c;
}

/* A guest byte, after marker matching: the "vhyp" escape. */
static void guest_byte(struct filter *f, char c)
{
	static const char name[] = VHYP_MARK_NAME;

	if (f->vh > 0) {
		if (c == name[f->vh]) {
			if (++f->vh == 4) {
				emit_str(f, ESCAPE_PREFIX);
				for (unsigned i = 0; i < 4; i++)
					guest_emit(f, name[i]);
				f->vh = 0;
			}
			return;
		}
		for (unsigned i = 0; i < f->vh; i++)
			guest_emit(f, name[i]);
		f->vh = 0;
	}
	if (f->col0 && c == name[0]) {
		f->vh = 1;
		return;
	}
	guest_emit(f, c);
}

/* Held "vhyp" bytes go out as they are (the line did not become one). */
static void release_vhyp(struct filter *f)
{
	static const char name[] = VHYP_MARK_NAME;

	for (unsigned i = 0; i < f->vh; i++)
		guest_emit(f, name[i]);
	f->vh = 0;
}

static void release_marker(struct filter *f)
{
	unsigned n = f->mk;

	f->mk = 0;
	for (unsigned i = 0; i < n; i++)
		guest_byte(f, f->marker[i]);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Length of the text of a marked line whose tag verifies, or -1. */
static int verify(const struct filter *f, const char *s, unsigned n)
{
	struct vhyp_mac mac;
	uint64_t tag = 0;
	unsigned text;

	if (n < 1 + VHYP_MARK_TAG_HEX)
		return -1;
	text = n - 1 - VHYP_MARK_TAG_HEX;
	if (s[text] != VHYP_MARK_TAG_SEP)
		return -1;
	for (unsigned i = text + 1; i < n; i++) {
		int d = hexval(s[i]);

		if (d < 0)
			return -1;
		tag = tag << 4 | (uint64_t)d;
	}
	vhyp_mac_init(&mac, f->key);
	for (unsigned i = 0; i < text; i++)
		vhyp_mac_byte(&mac, (uint8_t)s[i]);
	return vhyp_mac_final(&mac) == tag ? (int)text : -1;
}

/* The end of a marked line (its '\n', or anything that cut it short). */
static void end_hyp_line(struct filter *f, bool complete)
{
	unsigned n = f->hyp_len;
	int text;

	if (n > 0 && f->hyp[n - 1] == '\r')
		n--;
	text = complete ? verify(f, f->hyp, n) : -1;
	if (!f->col0)
		emit_str(f, "\r\n");
	if (text >= 0) {
		emit_str(f, TRUSTED_PREFIX);
		emit(f, f->hyp, (size_t)text);
		event(f, "hyp ", f->hyp, (size_t)text);
	} else {
		/* Without the tag: the token never leaves this program. */
		char *sep = memchr(f->hyp, VHYP_MARK_TAG_SEP, n);

		emit_str(f, GARBLED_PREFIX);
		emit(f, f->hyp, sep ? (size_t)(sep - f->hyp) : n);
	}
	emit_str(f, "\r\n");
	f->col0 = true;
	f->in_hyp = false;
	f->hyp_len = 0;
}

static void byte(struct filter *f, char c)
{
	if (f->in_hyp) {
		if (c == '\n') {
			end_hyp_line(f, true);
			return;
		}
		if (c != VHYP_MARK_START && f->hyp_len < HYP_LINE_MAX) {
			f->hyp[f->hyp_len++] = c;
			return;
		}
		/* Overlong, or a new marker: this line was cut short. */
		end_hyp_line(f, false);
		if (c != VHYP_MARK_START) {
			guest_byte(f, c);
			return;
		}
	}
	if (f->mk > 0) {
		if (c == f->marker[f->mk]) {
			if (++f->mk == VHYP_MARK_LEN) {
				f->mk = 0;
				f->in_hyp = true;
				f->hyp_len = 0;
			}
			return;
		}
		release_marker(f);
	}
	if (c == VHYP_MARK_START) {
		release_vhyp(f);
		f->mk = 1;
		return;
	}
	guest_byte(f, c);
}

static void finish(struct filter *f)
{
	if (f->in_hyp)
		end_hyp_line(f, false);
	release_marker(f);
	release_vhyp(f);
	flush(f);
}

static void usage(void)
{
	fprintf(stderr, "usage: vhyp-console --token HEX32 [--events FILE] "
	                "[--notify PID] [--input FIFO [--stdin-eof "
	                "poweroff|ignore]]\n");
	exit(2);
}

/* The piped input on its way to QEMU (--input). */
struct feed {
	int out_fd;      /* QEMU's stdin, or -1 */
	bool in_open;    /* fd 3 not at its end yet */
	bool released;   /* the guest was seen ready to read */
	bool eof_stop;   /* --stdin-eof poweroff */
	int64_t last_in; /* when input was last passed on */
	char *buf;
	size_t len, cap;
};

static void feed_add(struct feed *fd, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (fd->len + 2 > fd->cap) {
			size_t cap = 2 * fd->cap + 4096;
			char *p = realloc(fd->buf, cap);

			if (p == NULL)
				die("out of memory");
			fd->buf = p;
			fd->cap = cap;
		}
		if (s[i] == QEMU_ESCAPE)
			fd->buf[fd->len++] = QEMU_ESCAPE;
		fd->buf[fd->len++] = s[i];
	}
}

static void feed_write(struct feed *fd, int64_t now)
{
	ssize_t w;

	if (!fd->released || fd->len == 0)
		return;
	w = write(fd->out_fd, fd->buf, fd->len);
	if (w < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		die("write to QEMU's input");
	}
	memmove(fd->buf, fd->buf + w, fd->len - (size_t)w);
	fd->len -= (size_t)w;
	fd->last_in = now;
}

/* The guest reads input: a prompt (output ending without a newline, then
 * quiet), or a long silence. */
static bool guest_ready(const struct filter *f, int64_t now)
{
	int64_t quiet = now - f->last_output_ms;
	bool prompt = f->last_guest != '\0' && f->last_guest != '\n' &&
	              f->last_guest != '\r';

	return (prompt && quiet >= PROMPT_QUIET_MS) || quiet >= READY_QUIET_MS;
}

static void stop_run(struct filter *f, pid_t notify, bool *sent,
                     const char *why)
{
	if (*sent || notify <= 0)
		return;
	*sent = true;
	event(f, why, "", 0);
	kill(notify, SIGUSR2);
}

int main(int argc, char **argv)
{
	static struct filter f;
	static struct feed fd = {.out_fd = -1};
	const char *token = NULL, *events = NULL, *input = NULL;
	pid_t notify = 0;
	bool console_open = true, stop_sent = false;
	char buf[4096];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--token") == 0 && i + 1 < argc)
			token = argv[++i];
		else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
			events = argv[++i];
		else if (strcmp(argv[i], "--input") == 0 && i + 1 < argc)
			input = argv[++i];
		else if (strcmp(argv[i], "--notify") == 0 && i + 1 < argc)
			notify = (pid_t)atol(argv[++i]);
		else if (strcmp(argv[i], "--stdin-eof") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "poweroff") == 0)
				fd.eof_stop = true;
			else if (strcmp(argv[i], "ignore") != 0)
				usage();
		} else
			usage();
	}
	if (token == NULL || !vhyp_token_parse(token, strlen(token), f.key))
		usage();
	f.marker[0] = VHYP_MARK_START;
	memcpy(f.marker + 1, VHYP_MARK_NAME, 4);
	for (unsigned i = 0; i < VHYP_TOKEN_BYTES; i++)
		snprintf(f.marker + 5 + 2 * i, 3, "%02x", f.key[i]);
	f.marker[VHYP_MARK_LEN - 1] = ':';
	f.col0 = true;
	f.events_fd = -1;
	if (events != NULL) {
		f.events_fd = open(events, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (f.events_fd < 0)
			die(events);
	}
	if (input != NULL) {
		/* Read-write: the open never waits for QEMU, and a write
		 * never fails with EPIPE while QEMU starts. */
		fd.out_fd = open(input, O_RDWR | O_NONBLOCK);
		if (fd.out_fd < 0)
			die(input);
		fd.in_open = true;
	}
	/* The terminal's signals are for QEMU and the runner: this filter
	 * ends at the end of QEMU's output, so that none of it is lost. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	f.last_output_ms = fd.last_in = now_ms();
	while (console_open) {
		struct pollfd p[3] = {
		        {STDIN_FILENO, POLLIN, 0},
		        {fd.in_open ? INPUT_FD : -1, POLLIN, 0},
		        {fd.len > 0 && fd.released ? fd.out_fd : -1, POLLOUT,
		         0}};
		int64_t now;
		ssize_t n;

		/* Timers: readiness, the panic grace, the quiet after EOF. */
		if (poll(p, 3, 100) < 0 && errno != EINTR)
			die("poll");
		now = now_ms();
		if (p[0].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && errno != EINTR)
				die("read");
			if (n == 0)
				console_open = false;
			for (ssize_t i = 0; i < n; i++)
				byte(&f, buf[i]);
			if (n > 0) {
				f.last_output_ms = now;
				flush(&f);
			}
		}
		if (p[1].revents) {
			n = read(INPUT_FD, buf, sizeof(buf));
			if (n < 0 && errno != EINTR && errno != EAGAIN)
				die("read input");
			if (n == 0) {
				fd.in_open = false;
				fd.last_in = now;
			}
			if (n > 0)
				feed_add(&fd, buf, (size_t)n);
		}
		if (fd.out_fd >= 0 && !fd.released && guest_ready(&f, now))
			fd.released = true;
		if (fd.out_fd >= 0)
			feed_write(&fd, now);
		if (f.panic_seen && now - f.panic_ms >= PANIC_GRACE_MS)
			stop_run(&f, notify, &stop_sent, "guest-panic-stop");
		if (fd.eof_stop && fd.out_fd >= 0 && !fd.in_open &&
		    fd.len == 0 && now - f.last_output_ms >= EOF_QUIET_MS &&
		    now - fd.last_in >= EOF_QUIET_MS)
			stop_run(&f, notify, &stop_sent, "stdin-eof-stop");
	}
	finish(&f);
	return 0;
}
