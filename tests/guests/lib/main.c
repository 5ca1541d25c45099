/*
 * Boot-CPU start of every test guest (called from lib/entry.S), the
 * verdict line, and the ending: SCHEDOP_shutdown under Xen, QEMU's
 * isa-debug-exit port (0xf4) otherwise.
 */
#include "guest.h"

#define DEBUG_EXIT_PORT 0xf4

struct guest_env env;
struct cpu *cpus[MAX_CPUS];
static volatile int verdict_given;

void guest_main(uint32_t start_info_pa);

void fpu_init(void)
{
	struct cpuid_regs r = cpuid(1);
	unsigned long cr0 = read_cr0();

	cr0 &= ~(unsigned long)(CR0_EM | CR0_TS);
	cr0 |= CR0_MP | CR0_NE;
	write_cr0(cr0);
	if (r.d & CPUID1_EDX_FXSR)
		write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	asm volatile("fninit");
}

static void banner(void)
{
	char where[96];

	if (env.xen)
		snprintf(where, sizeof(where), "Xen leaves at %#x (max %#x), hypercalls via %s", env.xen_base,
			 env.xen_max_leaf, hc_mode_name(env.hc_mode));
	else
		snprintf(where, sizeof(where), "no Xen leaves: COM1 console, isa-debug-exit");
	printf("guest %s: %d-bit, %s, %u CPU(s), cmdline \"%s\"\n", test_name, GUEST_BITS, where, env.nr_cpus,
	       env.cmdline);
	if (env.hc_note)
		printf("note: %s\n", env.hc_note);
	if (!env.si_valid)
		printf("note: no valid hvm_start_info at %#x (magic %#x)\n", env.start_info_pa, env.si.magic);
	if (env.acpi_note)
		printf("note: ACPI: %s\n", env.acpi_note);
}

void guest_main(uint32_t start_info_pa)
{
	struct cpu *c = this_cpu();

	c->idx = 0;
	c->online = true;
	c->fault.vector = -1;
	cpus[0] = c;
	traps_init_cpu();
	env.boot_cr0 = boot_cr0;
	xen_detect();
	startinfo_parse(start_info_pa);
	hypercall_init();
	console_init();
	if (!env.xen) {
		/* Firmware (SeaBIOS under QEMU) leaves the 8259 PICs live with the
		 * PIT on IRQ0 at vector 8: mask them before anyone enables
		 * interrupts. A PVH domain has no PIC, so only without Xen. */
		outb(0x21, 0xff);
		outb(0xa1, 0xff);
	}
	fpu_init();
	acpi_init();
	c->apic_id = env.cpu_apic_id[0];
	banner();
	test_main();
	fail("test_main() returned without a verdict");
}

static NORETURN void verdict(const char *kind, const char *reason, enum ending how)
{
	if (__atomic_exchange_n(&verdict_given, 1, __ATOMIC_SEQ_CST)) {
		/* Another CPU got there first; it is shutting the guest down. */
		for (;;)
			asm volatile("cli; hlt");
	}
	printf("VERDICT %s: %s%s%s\n", test_name, kind, reason[0] ? " " : "", reason);
	guest_exit(how);
}

void pass(void)
{
	verdict("PASS", "", END_POWEROFF);
}

void fail(const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	verdict("FAIL", reason, END_CRASH);
}

void skip(const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	verdict("SKIP", reason, END_POWEROFF);
}

void verdict_expect(const char *what)
{
	if (!__atomic_exchange_n(&verdict_given, 1, __ATOMIC_SEQ_CST))
		printf("VERDICT %s: expecting %s\n", test_name, what);
}

void verdict_expect_crash(void)
{
	verdict_expect("the hypervisor to crash this domain");
}

void triple_fault(void)
{
	static const struct {
		uint16_t limit;
		unsigned long base;
	} __attribute__((packed)) empty = { 0, 0 };

	asm volatile("cli; lidt %0; int3" ::"m"(empty));
	for (;;)
		asm volatile("hlt");
}

void guest_exit(enum ending how)
{
	if (env.xen) {
		long rc = xen_shutdown(how == END_CRASH ? SHUTDOWN_crash : SHUTDOWN_poweroff);

		printf("SCHEDOP_shutdown returned %ld; triple-faulting instead\n", rc);
	} else {
		outb(DEBUG_EXIT_PORT, (uint8_t)how);
		printf("no isa-debug-exit device at %#x; triple-faulting instead\n", DEBUG_EXIT_PORT);
	}
	triple_fault();
}

/* ------------------------------------------------------------------ checks */
static unsigned checks_run, checks_failed;
static char first_failure[160];

static bool vcheck(bool ok, int enforced, const char *fmt, va_list ap)
{
	char msg[160];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	checks_run++;
	if (ok) {
		printf("  ok:  %s\n", msg);
	} else if (enforced <= 0) {
		printf("  %s %s\n", enforced < 0 ? "(advisory)" : "(not enforced without Xen)", msg);
	} else {
		printf("  BAD: %s\n", msg);
		if (!checks_failed++)
			snprintf(first_failure, sizeof(first_failure), "%s", msg);
	}
	return ok;
}

bool check(bool ok, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = vcheck(ok, true, fmt, ap);
	va_end(ap);
	return r;
}

bool check_xen(bool ok, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = vcheck(ok, env.xen, fmt, ap);
	va_end(ap);
	return r;
}

bool check_advisory(bool ok, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = vcheck(ok, -1, fmt, ap);
	va_end(ap);
	return r;
}

unsigned checks_failures(void)
{
	return checks_failed;
}

void checks_verdict(void)
{
	if (checks_failed)
		fail("%u of %u checks failed, first: %s", checks_failed, checks_run, first_failure);
	pass();
}
