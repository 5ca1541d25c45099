/*
 * printk with log levels, the log ring and rate limiting.
 *
 * A message may start with a level prefix: printk(LOG_WARN "x is %d\n", x).
 * Messages above the console threshold (boot option loglvl=) still go to the
 * log ring, which a control domain can read later (xl dmesg). Anything a guest
 * can trigger must use printk_ratelimited().
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <hv/types.h>

#define LOG_ERR "<1>"
#define LOG_WARN "<2>"
#define LOG_INFO "<3>"
#define LOG_DEBUG "<4>"
#define LOG_LEVEL_ERR 1
#define LOG_LEVEL_WARN 2
#define LOG_LEVEL_INFO 3
#define LOG_LEVEL_DEBUG 4
#define LOG_LEVEL_DEFAULT LOG_LEVEL_INFO /* a message without prefix */

void printk(const char *fmt, ...) __printf(1, 2);
void vprintk(const char *fmt, va_list args) __printf(1, 0);
/* Same, but at most 'burst' messages per 5 s per call site; says how many
 * were dropped when it prints again. */
void printk_ratelimited_site(void *site, const char *fmt, ...) __printf(2, 3);
#define printk_ratelimited(fmt, ...)                                     \
	do {                                                             \
		static struct ratelimit_state __rl_site;                 \
		printk_ratelimited_site(&__rl_site, fmt, ##__VA_ARGS__); \
	} while (0)

struct ratelimit_state {
	int64_t window_start; /* ns */
	unsigned int count;   /* printed in this window */
	unsigned int dropped; /* suppressed in this window */
};

__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* Console subsystem (common/console.c). */
void console_init(void);
void console_putchars(const char *s, size_t n); /* raw, no log ring */
/* Copy up to 'len' bytes of the log ring starting at byte 'offset' of the
 * ring's history; returns bytes copied. *next is the offset to read next. */
size_t console_ring_read(uint64_t offset, char *buf, size_t len, uint64_t *next);
void console_start_sync(void); /* bypass locks, e.g. in a crash */
struct domain;
/* A domain's console output: collected into lines printed as "(dN) ...". */
void console_guest_write(struct domain *d, const char *s, size_t n);
/* Print the domain's unfinished line (at shutdown). */
void console_guest_flush(struct domain *d);
int console_loglevel(void);

#endif
