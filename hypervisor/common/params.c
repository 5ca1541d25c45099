/*
 * The boot command line: every option declared with the *_param() macros
 * (hv/param.h) lands in the .data.param section; this parses the command
 * line against all of them and prints each problem once. Also runs the
 * late boot hooks (hv/initcall.h), the other link-time registry.
 */
#include <hv/console.h>
#include <hv/init.h>
#include <hv/initcall.h>
#include <hv/param.h>

extern const struct kernel_param __param_start[], __param_end[];

static void report(const char *msg)
{
	printk(LOG_WARN "cmdline: %s\n", msg);
}

void cmdline_parse_boot(const char *cmdline)
{
	int problems = cmdline_parse(cmdline, __param_start, (size_t)(__param_end - __param_start), report);

	if (problems)
		printk(LOG_WARN "cmdline: %d problem%s; those options keep their defaults (see docs/boot-options.md)\n",
		       problems, problems == 1 ? "" : "s");
}

extern const initcall_t __initcall_start[], __initcall_end[];

void do_late_initcalls(void)
{
	for (const initcall_t *ic = __initcall_start; ic < __initcall_end; ic++)
		(*ic)();
}
