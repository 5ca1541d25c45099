/*
 * Test build only (make test-image): deliberate failures, so the tests can
 * check that each one gives the readable crash report.
 *
 *   crashtest=pagefault | divide | ud | gp | panic
 *
 * Each runs once boot is complete, on the boot CPU.
 */
#include <hv/console.h>
#include <hv/initcall.h>
#include <hv/lib.h>
#include <hv/param.h>

static char opt_crashtest[16];
string_param("crashtest", opt_crashtest);

/* noinline and used through a volatile pointer, so the compiler cannot see
 * (and drop or pre-compute) the fault */
static __attribute__((noinline)) void crash_pagefault(void)
{
	volatile uint64_t *p = (volatile uint64_t *)0x0000700000000000UL; /* not mapped */

	*p = 1;
}

static __attribute__((noinline)) void crash_divide(void)
{
	volatile unsigned int zero = 0, x = 7;

	/* cppcheck-suppress zerodiv */
	x = x / zero;
}

static __attribute__((noinline)) void crash_ud(void)
{
	__asm__ __volatile__("ud2");
}

static __attribute__((noinline)) void crash_gp(void)
{
	/* a non-canonical address */
	volatile uint64_t *p = (volatile uint64_t *)0x8000000000000000UL;

	(void)*p;
}

static void crashtest(void)
{
	if (!opt_crashtest[0])
		return;
	printk("crashtest: %s\n", opt_crashtest);
	if (!strcmp(opt_crashtest, "pagefault"))
		crash_pagefault();
	else if (!strcmp(opt_crashtest, "divide"))
		crash_divide();
	else if (!strcmp(opt_crashtest, "ud"))
		crash_ud();
	else if (!strcmp(opt_crashtest, "gp"))
		crash_gp();
	else if (!strcmp(opt_crashtest, "panic"))
		panic("crashtest: deliberate panic");
	else
		printk(LOG_ERR "crashtest: unknown crash \"%s\"\n", opt_crashtest);
}
late_initcall(crashtest);
