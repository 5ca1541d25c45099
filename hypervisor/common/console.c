/*
 * The hypervisor console: printk with log levels, the log ring, rate
 * limiting, panic, and console input (debug keys).
 *
 * Every message goes to the log ring (for a control domain to read later);
 * messages at or below the threshold set by loglvl= also go to the serial
 * line. Output is serialised by console_lock; after a crash the console
 * goes "sync" and stops taking the lock, so a CPU that died holding it
 * cannot silence the crash report.
 *
 * Lock order: console_lock is a leaf (printk may be called with any lock held).
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/keyhandler.h>
#include <hv/lib.h>
#include <hv/param.h>
#include <hv/percpu.h>
#include <hv/serial.h>
#include <hv/shutdown.h>
#include <hv/spinlock.h>
#include <hv/time.h>

#define RING_SIZE (64 * 1024) /* power of two */

static char ring[RING_SIZE];
static uint64_t ring_head; /* bytes ever written */
static DEFINE_SPINLOCK(console_lock);
static bool console_sync;
static int loglvl = LOG_LEVEL_INFO;

static const char *const level_names[] = { "none", "error", "warning", "info", "debug" };

/* loglvl=<none|error|warning|info|debug|all> or a number 0-4 */
static int parse_loglvl(const char *v)
{
	if (!v)
		return -XEN_EINVAL;
	for (unsigned int i = 0; i < ARRAY_SIZE(level_names); i++)
		if (!strcmp(v, level_names[i])) {
			loglvl = (int)i;
			return 0;
		}
	if (!strcmp(v, "all")) {
		loglvl = LOG_LEVEL_DEBUG;
		return 0;
	}
	if (v[0] >= '0' && v[0] <= '4' && !v[1]) {
		loglvl = v[0] - '0';
		return 0;
	}
	return -XEN_EINVAL;
}
custom_param("loglvl", parse_loglvl);

int console_loglevel(void)
{
	return loglvl;
}

static void ring_put(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ring[(ring_head + i) & (RING_SIZE - 1)] = s[i];
	ring_head += n;
}

size_t console_ring_read(uint64_t offset, char *buf, size_t len, uint64_t *next)
{
	unsigned long flags = spin_lock_irqsave(&console_lock);
	uint64_t oldest = ring_head > RING_SIZE ? ring_head - RING_SIZE : 0;
	size_t n = 0;

	if (offset < oldest)
		offset = oldest; /* overwritten: start at what is left */
	while (offset < ring_head && n < len)
		buf[n++] = ring[offset++ & (RING_SIZE - 1)];
	*next = offset;
	spin_unlock_irqrestore(&console_lock, flags);
	return n;
}

void console_putchars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
}

/* In sync mode (after a crash) the lock is neither taken nor released. */
static bool console_lock_take(unsigned long *flags)
{
	*flags = local_irq_save();
	if (READ_ONCE(console_sync))
		return false;
	spin_lock(&console_lock);
	return true;
}

static void console_lock_give(bool took, unsigned long flags)
{
	if (took)
		spin_unlock(&console_lock);
	local_irq_restore(flags);
}

/* Strip a "<N>" level prefix; return the level. */
static int take_level(const char **fmt)
{
	const char *f = *fmt;

	if (f[0] == '<' && f[1] >= '0' && f[1] <= '9' && f[2] == '>') {
		*fmt = f + 3;
		return f[1] - '0';
	}
	return LOG_LEVEL_DEFAULT;
}

/* Is the next character printed the first of a line? Per console, not per
 * CPU: continuation lines from one CPU may interleave with another's. */
static bool at_line_start = true;

static void emit_prefixed(const char *prefix, const char *s, size_t n, bool to_serial)
{
	size_t plen = strlen(prefix);

	for (size_t i = 0; i < n; i++) {
		if (at_line_start) {
			ring_put(prefix, plen);
			if (to_serial)
				console_putchars(prefix, plen);
			at_line_start = false;
		}
		ring_put(&s[i], 1);
		if (to_serial)
			serial_putc(s[i]);
		if (s[i] == '\n')
			at_line_start = true;
	}
}

static void emit(const char *s, size_t n, bool to_serial)
{
	emit_prefixed("(basalt) ", s, n, to_serial);
}

void vprintk(const char *fmt, va_list args)
{
	char buf[512];
	int level = take_level(&fmt);
	int n = vscnprintf(buf, sizeof(buf), fmt, args);
	unsigned long flags;
	bool took = console_lock_take(&flags);

	emit(buf, (size_t)n, level <= loglvl);
	console_lock_give(took, flags);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

#define RATELIMIT_WINDOW SECONDS(5)
#define RATELIMIT_BURST 10

void printk_ratelimited_site(void *site, const char *fmt, ...)
{
	struct ratelimit_state *rl = site;
	s_time_t now = NOW();
	unsigned int dropped = 0;
	va_list ap;

	/* racy counters are fine: the worst case is a message too many */
	if (now - rl->window_start > RATELIMIT_WINDOW) {
		dropped = rl->dropped;
		rl->window_start = now;
		rl->count = 0;
		rl->dropped = 0;
	}
	if (rl->count >= RATELIMIT_BURST) {
		rl->dropped++;
		return;
	}
	rl->count++;
	if (dropped) {
		/* at the level of the messages it stands for (a debug-level
		 * flood says nothing at the default level) */
		char notice[48] = LOG_WARN "(%u similar messages suppressed)\n";

		if (fmt[0] == '<' && fmt[1] >= '0' && fmt[1] <= '9' && fmt[2] == '>')
			memcpy(notice, fmt, 3);
		printk(notice, dropped);
	}
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

void console_start_sync(void)
{
	WRITE_ONCE(console_sync, true);
}

/* Messages printed before the UART was set up are in the ring: replay them. */
void console_init(void)
{
	serial_init();
	for (uint64_t i = 0; i < ring_head && i < RING_SIZE; i++)
		serial_putc(ring[((ring_head > RING_SIZE ? ring_head - RING_SIZE : 0) + i) & (RING_SIZE - 1)]);
}

/* ------------------------------------------------------------ domains */

/* A domain's output is collected into lines, so that lines from several
 * domains and the hypervisor never interleave mid-line. Control characters
 * other than tab and ESC are dropped. */
/*
 * A domain's output is rate-limited: the serial line is written
 * synchronously (115200 baud is about 11 KiB/s), so a guest printing
 * without end would hold its pCPU, and the console lock every other CPU
 * prints under. Each domain may print GUEST_BURST bytes at once and
 * GUEST_RATE bytes per second after that; lines beyond are dropped and
 * counted, and the count is printed before the next line that fits.
 * Linux's boot log (about 20 KiB) fits in the burst.
 */
#define GUEST_BURST (64u * 1024)
#define GUEST_RATE (8u * 1024) /* bytes per second */

static bool guest_budget_take(struct domain *d, size_t len)
{
	s_time_t now = NOW();

	if (!d->con_budget_at) {
		d->con_budget = GUEST_BURST;
	} else if (now > d->con_budget_at) {
		uint64_t more = (uint64_t)(now - d->con_budget_at) * GUEST_RATE / 1000000000ull;

		d->con_budget = MIN((uint64_t)GUEST_BURST, d->con_budget + more);
	}
	d->con_budget_at = now;
	if (d->con_budget < len)
		return false;
	d->con_budget -= len;
	return true;
}

static void guest_line_out(struct domain *d)
{
	char prefix[16], note[96];
	unsigned long flags;
	bool took;

	snprintf(prefix, sizeof(prefix), "(d%u) ", d->domain_id);
	d->con_line[d->con_len++] = '\n';
	if (!guest_budget_take(d, d->con_len + strlen(prefix))) {
		d->con_dropped++;
		d->con_len = 0;
		return;
	}
	note[0] = '\0';
	if (d->con_dropped) {
		snprintf(note, sizeof(note), "[%lu lines dropped: console rate limit]\n", d->con_dropped);
		d->con_dropped = 0;
	}
	took = console_lock_take(&flags);
	if (!at_line_start)
		emit("\n", 1, true);
	if (note[0])
		emit_prefixed(prefix, note, strlen(note), true);
	emit_prefixed(prefix, d->con_line, d->con_len, true);
	console_lock_give(took, flags);
	d->con_len = 0;
}

void console_guest_write(struct domain *d, const char *s, size_t n)
{
	spin_lock(&d->con_lock);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\n') {
			guest_line_out(d);
			continue;
		}
		if ((unsigned char)c < 0x20 && c != '\t' && c != 0x1b)
			continue;
		d->con_line[d->con_len++] = c;
		if (d->con_len >= sizeof(d->con_line) - 2)
			guest_line_out(d);
	}
	spin_unlock(&d->con_lock);
}

void console_guest_flush(struct domain *d)
{
	spin_lock(&d->con_lock);
	if (d->con_len)
		guest_line_out(d);
	spin_unlock(&d->con_lock);
}

/* Input focus: the hypervisor (debug keys) or one domain. Ctrl-A three
 * times in a row moves it on, hypervisor -> d1 -> d2 -> ... -> hypervisor. */
#define CTRL_A 0x01
static domid_t input_focus; /* 0: the hypervisor; else a domain id */
static unsigned int ctrl_a_count;

static void switch_focus(void)
{
	struct domain *d = domain_next(input_focus);

	if (d) {
		input_focus = d->domain_id;
		printk("*** Switching input to d%u \"%s\" (type 'CTRL-a' three times to switch input)\n", d->domain_id,
		       d->name);
		put_domain(d);
	} else {
		input_focus = 0;
		printk("*** Switching input to Basalt (type 'CTRL-a' three times to switch input)\n");
	}
}

/*
 * Terminal escape sequences never reach the debug keys: an arrow key sends
 * ESC [ A, and a terminal answers a guest's cursor-position query (busybox's
 * shell asks with ESC [ 6 n at every prompt) with ESC [ row ; col R — whose
 * final 'R' would reboot the machine. While the hypervisor has the focus, a
 * CSI sequence (ESC [ ... final byte 0x40-0x7e) or an SS3 one (ESC O x) is
 * swallowed whole. A domain with the focus gets them unchanged.
 */
enum esc_state { ESC_NONE, ESC_SEEN, ESC_CSI, ESC_SS3 };
static enum esc_state esc_state;

static bool swallow_escape(char c)
{
	switch (esc_state) {
	case ESC_NONE:
		if (c != 0x1b)
			return false;
		esc_state = ESC_SEEN;
		return true;
	case ESC_SEEN:
		esc_state = c == '[' ? ESC_CSI : c == 'O' ? ESC_SS3 : ESC_NONE;
		return true;
	case ESC_CSI:
		if (c >= 0x40 && c <= 0x7e)
			esc_state = ESC_NONE;
		return true;
	case ESC_SS3:
	default:
		esc_state = ESC_NONE;
		return true;
	}
}

void console_input(char c)
{
	struct domain *d;

	if (c == CTRL_A) {
		if (++ctrl_a_count == 3) {
			ctrl_a_count = 0;
			switch_focus();
			return;
		}
	} else {
		ctrl_a_count = 0;
	}
	if (!input_focus) {
		if (c != CTRL_A && !swallow_escape(c))
			handle_keypress((unsigned char)c);
		return;
	}
	esc_state = ESC_NONE;
	d = get_domain_by_id(input_focus);
	if (!d) {
		input_focus = 0;
		printk("*** The domain with input focus is gone; input goes to Basalt\n");
		handle_keypress((unsigned char)c);
		return;
	}
	domain_console_input(d, c);
	put_domain(d);
}

__noreturn void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_start_sync();
	printk(LOG_ERR "\n****************************************\n");
	printk(LOG_ERR "Panic on CPU %u:\n%s\n", smp_processor_id(), buf);
	printk(LOG_ERR "****************************************\n");
	arch_show_stack_here();
	machine_crash_halt();
}
