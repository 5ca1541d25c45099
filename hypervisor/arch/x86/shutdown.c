/*
 * Reboot, power-off, and stopping the machine after a fatal error.
 *
 *   test-exit=<port>  write a status to this I/O port before the machine
 *                     ends (QEMU: -device isa-debug-exit,iobase=<port>), see
 *                     hv/shutdown.h for the codes.
 *
 * Power-off uses ACPI S5 (SLP_TYPa/b from the DSDT's \_S5 package written to
 * the PM1 control blocks). Reboot tries the FADT reset register, then the
 * keyboard controller, then a triple fault.
 */
#include <hv/acpi.h>
#include <hv/console.h>
#include <hv/param.h>
#include <hv/percpu.h>
#include <hv/shutdown.h>
#include <hv/time.h>
#include <asm/apic.h>
#include <asm/irqflags.h>
#include <asm/page.h>
#include <asm/regs.h>
#include <asm/x86.h>

extern struct acpi_info acpi_info;

static unsigned int test_exit_port;
integer_param("test-exit", test_exit_port);

static volatile bool crash_stopping;

bool test_exit_enabled(void)
{
	return test_exit_port != 0;
}

void test_exit(unsigned int status)
{
	if (test_exit_port && test_exit_port < 0x10000)
		outb((uint8_t)status, (uint16_t)test_exit_port);
}

static void acpi_gas_write(const struct acpi_generic_addr *g, uint8_t v)
{
	if (g->space_id == 1) /* system I/O */
		outb(v, (uint16_t)g->address);
	else if (g->space_id == 0) /* system memory */
		*(volatile uint8_t *)__va(g->address) = v;
}

__noreturn void machine_restart(void)
{
	printk("Rebooting\n");
	test_exit(TEST_EXIT_REBOOT);
	local_irq_disable();
	if (acpi_info.have_reset) {
		acpi_gas_write(&acpi_info.reset_reg, acpi_info.reset_value);
		mdelay(50);
	}
	for (unsigned int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
		cpu_relax();
	outb(0xfe, 0x64); /* keyboard controller: pulse the reset line */
	mdelay(50);
	/* last resort: an empty IDT turns the next exception into a triple fault */
	{
		struct {
			uint16_t limit;
			uint64_t base;
		} __packed null_idt = { 0, 0 };
		__asm__ __volatile__("lidt %0; int3" ::"m"(null_idt));
	}
	for (;;)
		halt();
}

__noreturn void machine_power_off(unsigned int status)
{
	printk("Powering off\n");
	test_exit(status);
	local_irq_disable();
	if (acpi_info.have_s5 && acpi_info.pm1a_cnt) {
		outw((uint16_t)((acpi_info.slp_typa << 10) | (1u << 13)), (uint16_t)acpi_info.pm1a_cnt);
		if (acpi_info.pm1b_cnt)
			outw((uint16_t)((acpi_info.slp_typb << 10) | (1u << 13)), (uint16_t)acpi_info.pm1b_cnt);
		mdelay(100);
	}
	printk(LOG_ERR "Power-off failed (no ACPI S5); the machine is halted\n");
	for (;;)
		halt();
}

__noreturn void machine_crash_halt(void)
{
	local_irq_disable();
	console_start_sync();
	if (!crash_stopping) {
		crash_stopping = true;
		apic_send_nmi_allbutself();
		mdelay(10);
	}
	printk(LOG_ERR "System halted after a fatal error (CPU %u)\n", smp_processor_id());
	test_exit(TEST_EXIT_PANIC);
	for (;;)
		halt();
}

void do_nmi(struct cpu_user_regs *regs)
{
	if (crash_stopping) {
		/* another CPU crashed: stop here, NMIs stay blocked (no iret) */
		for (;;)
			halt();
	}
	printk_ratelimited(LOG_WARN "CPU %u: unexpected NMI at %#llx\n", smp_processor_id(),
			   (unsigned long long)regs->rip);
}
