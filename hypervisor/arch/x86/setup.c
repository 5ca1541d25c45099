/*
 * start_basalt(): the boot CPU's path from the loader to the idle loop.
 * The order matters and each step says what it needs:
 *   loader info -> command line -> console -> memory -> descriptor tables ->
 *   ACPI -> per-CPU areas -> APIC and time -> softirqs and timers ->
 *   application processors -> (self-test) -> idle.
 */
#include <hv/acpi.h>
#include <hv/bootinfo.h>
#include <hv/domain.h>
#include <hv/console.h>
#include <hv/cpumask.h>
#include <hv/init.h>
#include <hv/initcall.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/percpu.h>
#include <hv/serial.h>
#include <hv/sched.h>
#include <hv/softirq.h>
#include <hv/time.h>
#include <hv/timer.h>
#include <asm/apic.h>
#include <asm/hvm.h>
#include <asm/irqflags.h>
#include <asm/cpu.h>
#include <asm/mm.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <asm/x86.h>

const char basalt_version[] = "0.1";
struct acpi_info acpi_info;
extern char __per_cpu_start[];
extern char boot_stack[];

void arch_idle(void)
{
	safe_halt(); /* the sti's shadow makes sti;hlt atomic: no wake-up is lost */
}

__noreturn void idle_loop(void)
{
	sched_loop(); /* runs vCPUs, or halts when there is nothing to run */
}

/* ACPI tables are read through the direct map: refuse addresses it does not
 * cover (a corrupt table pointer must give a message, not a page fault). */
static bool acpi_mem_mapped(paddr_t pa, uint64_t len)
{
	paddr_t end = ROUNDUP(MAX(max_ram_addr, (paddr_t)GB(4)), GB(1));

	return pa < end && len <= end - pa;
}

static void acpi_setup(void)
{
	int rc;

	acpi_set_mem_check(acpi_mem_mapped);
	if (boot_info.rsdp_len)
		rc = acpi_parse_rsdp_copy(boot_info.rsdp, boot_info.rsdp_len, &acpi_info);
	else
		rc = acpi_parse(0, &acpi_info);
	if (rc) {
		printk(LOG_WARN "acpi: no usable ACPI tables; running on the boot CPU only, no power-off\n");
		return;
	}
	acpi_dump(&acpi_info);
	if (acpi_info.lapic_base)
		lapic_phys_base = acpi_info.lapic_base;
}

/* The command line comes from outside: show it with anything unprintable
 * escaped, so control bytes cannot reach the terminal. */
static void print_cmdline(void)
{
	char buf[BOOT_CMDLINE_MAX * 4 + 1];
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)boot_info.cmdline; *p; p++)
		n += isprint(*p) && *p != '\\' ? scnprintf(buf + n, sizeof(buf) - n, "%c", *p)
					       : scnprintf(buf + n, sizeof(buf) - n, "\\x%02x", *p);
	buf[n] = '\0';
	printk("Command line: %s\n", buf);
}

void start_basalt(uint32_t magic, uint32_t info);

void start_basalt(uint32_t magic, uint32_t info)
{
	unsigned int ncpus;
	int rc;

	/* the boot CPU's per-CPU area is the template itself (offset 0) */
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)__per_cpu_start);
	idt_init();
	idt_load();

	/* printk works from here: into the log ring until the console is up */
	rc = multiboot_parse(magic, info, &boot_info);
	cmdline_parse_boot(boot_info.cmdline);
	console_init();
	printk("Basalt %s hypervisor, booted by %s%s%s\n", basalt_version, boot_info.loader ? boot_info.loader : "?",
	       boot_info.loader_name[0] ? " / " : "", boot_info.loader_name);
	print_cmdline();
	printk("Console: %s\n", serial_describe());
	if (rc)
		panic("cannot continue without a memory map (see the messages above)");
	identify_cpu();
	for (unsigned int i = 0; i < boot_info.nr_mem; i++)
		printk(" mem %016llx-%016llx %s\n", (unsigned long long)boot_info.mem[i].addr,
		       (unsigned long long)(boot_info.mem[i].addr + boot_info.mem[i].size),
		       boot_info.mem[i].type == E820_RAM ? "RAM" : "reserved");
	modules_check(&boot_info, (paddr_t)(uintptr_t)__image_start, (paddr_t)(uintptr_t)__image_end);

	mm_init(&boot_info);
	acpi_setup();
	ncpus = smp_max_cpus(acpi_info.nr_cpus);
	nr_cpu_ids = ncpus;
	percpu_init(ncpus);
	cpu_init(0, (uint64_t)(uintptr_t)boot_stack);

	apic_init_bsp();
	time_init(acpi_info.have_hpet ? acpi_info.hpet_base : 0);
	apic_timer_calibrate();
	{
		uint64_t rtc = rtc_read_seconds();

		vtime_set_boot_wallclock(rtc ? rtc - (uint64_t)(NOW() / 1000000000) : 0);
		if (!rtc)
			printk(LOG_WARN "time: the CMOS clock reads as nonsense; guests' wallclock starts at 1970\n");
	}
	timer_init();
	timer_cpu_init(0);
	sched_init();
	sched_cpu_init(0);
	local_irq_enable();

	smp_boot_cpus(&acpi_info);
	hvm_cpu_up();
	serial_start_polling();
	modules_report(&boot_info);
	do_late_initcalls();
	printk("Boot complete in %lld ms; debug keys: 'h' lists them\n", (long long)(NOW() / 1000000));

	if (selftest_enabled())
		selftest_run(ncpus);
	dom0less_build(&boot_info);
	idle_loop();
}
