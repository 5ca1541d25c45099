/*
 * Console output: Xen's console_io hypercall under Xen/Basalt, the COM1
 * UART otherwise. One printf() is written in one piece (one hypercall),
 * under a lock so lines from different CPUs do not interleave. The lock
 * remembers its owner, so an exception report from inside printf() still
 * gets out instead of deadlocking.
 */
#include "guest.h"

#define COM1 0x3f8
#define PRINTF_BUF 512

static spinlock_t console_lock;
static volatile int console_owner = -1;

void console_init(void)
{
	if (env.xen)
		return;
	outb(COM1 + 1, 0x00); /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB */
	outb(COM1 + 0, 0x01); /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8n1 */
	outb(COM1 + 2, 0xc7); /* FIFO on, cleared */
	outb(COM1 + 4, 0x03); /* DTR, RTS */
}

static void uart_putc(char c)
{
	/* Bounded wait: a missing UART reads 0xff, which says "ready". */
	for (unsigned i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		cpu_relax();
	outb(COM1, (uint8_t)c);
}

static void console_write_locked(const char *s, size_t n)
{
	if (env.xen) {
		xen_console_write(s, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

void console_write(const char *s, size_t n)
{
	int me = (int)this_cpu()->idx;
	bool nested = READ_ONCE(console_owner) == me;

	if (!nested) {
		spin_lock(&console_lock);
		console_owner = me;
	}
	console_write_locked(s, n);
	if (!nested) {
		console_owner = -1;
		spin_unlock(&console_lock);
	}
}

int vprintf(const char *fmt, va_list ap)
{
	char buf[PRINTF_BUF];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;

	console_write(buf, len);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
