/*
 * 16550 UART console. Options, as on Xen:
 *   console=com1 | none            where the hypervisor console goes
 *   com1=<baud|auto>[,<data><parity><stop>[,<io-base>]]   e.g. com1=115200,8n1
 * "auto" keeps the divisor the firmware programmed. Input is polled from a
 * timer on the boot CPU (every 10 ms); no interrupt line is needed, so the
 * debug keys work before and without any interrupt controller set-up.
 */
#include <hv/console.h>
#include <hv/errno.h>
#include <hv/keyhandler.h>
#include <hv/lib.h>
#include <hv/param.h>
#include <hv/serial.h>
#include <hv/time.h>
#include <hv/timer.h>
#include <asm/x86.h>

#define UART_RBR 0 /* receive buffer (read) */
#define UART_THR 0 /* transmit holding (write) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_DLL 0 /* with LCR.DLAB */
#define UART_DLM 1
#define UART_LCR_DLAB 0x80
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_CLOCK_HZ 1843200

static char opt_console[32] = "com1";
string_param("console", opt_console);

static struct {
	uint16_t io_base;
	uint32_t baud; /* 0 = auto */
	uint8_t data_bits, stop_bits;
	char parity;
	bool enabled;
	bool present;
	char desc[48];
} uart = { 0x3f8, 115200, 8, 1, 'n', false, false, "" };

static int parse_com1(const char *v)
{
	const char *p = v;

	if (!v)
		return -XEN_EINVAL;
	if (!strncmp(p, "auto", 4)) {
		uart.baud = 0;
		p += 4;
	} else {
		unsigned long long b = simple_strtoull(p, &p, 10);

		if (!b || b > 115200 * 8)
			return -XEN_EINVAL;
		uart.baud = (uint32_t)b;
	}
	if (*p == ',') {
		p++;
		if (*p >= '5' && *p <= '8' && p[1] && strchr("noems", p[1]) && (p[2] == '1' || p[2] == '2')) {
			uart.data_bits = (uint8_t)(*p - '0');
			uart.parity = p[1];
			uart.stop_bits = (uint8_t)(p[2] - '0');
			p += 3;
		} else if (*p != ',') {
			return -XEN_EINVAL;
		}
	}
	if (*p == ',') {
		unsigned long long io = simple_strtoull(p + 1, &p, 0);

		if (!io || io > 0xfff8)
			return -XEN_EINVAL;
		uart.io_base = (uint16_t)io;
	}
	return *p ? -XEN_EINVAL : 0;
}
custom_param("com1", parse_com1);

static uint8_t uart_in(unsigned int reg)
{
	return inb((uint16_t)(uart.io_base + reg));
}

static void uart_out(unsigned int reg, uint8_t v)
{
	outb(v, (uint16_t)(uart.io_base + reg));
}

static uint8_t lcr_bits(void)
{
	static const char par[] = "noems"; /* none odd even mark space -> LCR bits 3-5 */
	static const uint8_t parbits[] = { 0x00, 0x08, 0x18, 0x28, 0x38 };
	uint8_t lcr = (uint8_t)(uart.data_bits - 5);

	if (uart.stop_bits == 2)
		lcr |= 0x04;
	lcr |= parbits[strchr(par, uart.parity) - par];
	return lcr;
}

void serial_init(void)
{
	if (strcmp(opt_console, "com1") != 0) {
		if (strcmp(opt_console, "none") != 0)
			printk(LOG_WARN "console=%s is not supported (com1 or none); console is off\n", opt_console);
		return;
	}
	/* A missing UART reads all-ones on its line status register. */
	if (uart_in(UART_LSR) == 0xff) {
		printk(LOG_WARN "serial: no UART at %#x\n", uart.io_base);
		return;
	}
	uart_out(UART_IER, 0); /* polled: no interrupts */
	if (uart.baud) {
		uint32_t div = UART_CLOCK_HZ / 16 / uart.baud;

		uart_out(UART_LCR, UART_LCR_DLAB);
		uart_out(UART_DLL, (uint8_t)div);
		uart_out(UART_DLM, (uint8_t)(div >> 8));
	}
	uart_out(UART_LCR, lcr_bits());
	uart_out(UART_FCR, 0x07); /* enable and clear FIFOs */
	uart_out(UART_MCR, 0x03); /* DTR, RTS */
	uart.present = uart.enabled = true;
	if (uart.baud)
		snprintf(uart.desc, sizeof(uart.desc), "com1 at %#x, %u %u%c%u", uart.io_base, uart.baud,
			 uart.data_bits, uart.parity, uart.stop_bits);
	else
		snprintf(uart.desc, sizeof(uart.desc), "com1 at %#x, firmware rate %u%c%u", uart.io_base,
			 uart.data_bits, uart.parity, uart.stop_bits);
}

bool serial_enabled(void)
{
	return uart.enabled;
}

const char *serial_describe(void)
{
	return uart.enabled ? uart.desc : "none";
}

static void raw_putc(char c)
{
	/* bounded wait: a wedged UART must not hang the hypervisor */
	for (unsigned int i = 0; i < 100000 && !(uart_in(UART_LSR) & UART_LSR_THRE); i++)
		cpu_relax();
	uart_out(UART_THR, (uint8_t)c);
}

void serial_putc(char c)
{
	if (!uart.enabled)
		return;
	if (c == '\n')
		raw_putc('\r');
	raw_putc(c);
}

int serial_getc(void)
{
	if (!uart.present || !(uart_in(UART_LSR) & UART_LSR_DR))
		return -1;
	return uart_in(UART_RBR);
}

static struct timer poll_timer;

static void poll_input(void *unused)
{
	int c;

	while ((c = serial_getc()) >= 0)
		console_input((char)c);
	set_timer(&poll_timer, NOW() + MILLISECS(10));
}

void serial_start_polling(void)
{
	if (!uart.present)
		return;
	init_timer(&poll_timer, poll_input, NULL, 0);
	set_timer(&poll_timer, NOW() + MILLISECS(10));
}
