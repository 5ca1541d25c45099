/* Host harness implementation: see harness.h. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Names the hypervisor headers declare; defined here for the host. */
typedef int64_t s_time_t;
void printk(const char *fmt, ...);
void vprintk(const char *fmt, va_list args);
void printk_ratelimited_site(void *site, const char *fmt, ...);
void panic(const char *fmt, ...);
unsigned int smp_processor_id(void);
s_time_t NOW(void);
_Bool reprogram_timer(s_time_t deadline);
void raise_softirq(unsigned int nr);
void cpu_raise_softirq(unsigned int cpu, unsigned int nr);

unsigned int harness_cpu;
int64_t harness_now;
int64_t harness_timer_deadline[256];
unsigned long harness_softirqs[256];
int harness_irq_enabled = 1;
char *harness_mem_base;
size_t harness_mem_bytes;
char harness_log[65536];
static size_t log_len;

void harness_log_clear(void)
{
	log_len = 0;
	harness_log[0] = '\0';
}

int harness_log_has(const char *needle)
{
	return strstr(harness_log, needle) != NULL;
}

void vprintk(const char *fmt, va_list args)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof(buf), fmt, args);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (log_len + (size_t)n + 1 > sizeof(harness_log))
		log_len = 0; /* wrap: tests clear the log before what they check */
	memcpy(harness_log + log_len, buf, (size_t)n + 1);
	log_len += (size_t)n;
	if (getenv("HARNESS_VERBOSE"))
		fputs(buf, stdout);
}

void printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

void printk_ratelimited_site(void *site, const char *fmt, ...)
{
	va_list ap;
	(void)site;
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fail_msg("hypervisor panic: %s", buf);
	abort();
}

unsigned int smp_processor_id(void)
{
	return harness_cpu;
}

s_time_t NOW(void)
{
	return harness_now;
}

_Bool reprogram_timer(s_time_t deadline)
{
	harness_timer_deadline[harness_cpu] = deadline;
	return deadline == 0 || deadline > harness_now;
}

void raise_softirq(unsigned int nr)
{
	harness_softirqs[harness_cpu] |= 1UL << nr;
}

void cpu_raise_softirq(unsigned int cpu, unsigned int nr)
{
	harness_softirqs[cpu] |= 1UL << nr;
}

void harness_mem_init(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	harness_mem_base = p;
	harness_mem_bytes = bytes;
}

void harness_mem_fini(void)
{
	if (harness_mem_base)
		munmap(harness_mem_base, harness_mem_bytes);
	harness_mem_base = NULL;
	harness_mem_bytes = 0;
}

/* glibc before 2.38 has no strlcpy/strlcat; hypervisor code uses them. */
size_t strlcpy(char *dst, const char *src, size_t size);
size_t strlcat(char *dst, const char *src, size_t size);

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

size_t strlcat(char *dst, const char *src, size_t size)
{
	size_t dlen = strnlen(dst, size);

	if (dlen == size)
		return size + strlen(src);
	return dlen + strlcpy(dst + dlen, src, size - dlen);
}
