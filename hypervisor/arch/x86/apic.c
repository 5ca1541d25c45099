/*
 * Local APIC: x2APIC through MSRs when the CPU has it, else xAPIC through
 * the direct-mapped MMIO page. The hypervisor's timer is the LAPIC timer, in
 * TSC-deadline mode when the CPU has it, else one-shot mode with the count
 * calibrated against the TSC. The legacy 8259 PICs are masked: Basalt routes
 * nothing through them.
 */
#include <hv/console.h>
#include <hv/cpumask.h>
#include <hv/lib.h>
#include <hv/percpu.h>
#include <hv/smp.h>
#include <hv/softirq.h>
#include <hv/time.h>
#include <hv/timer.h>
#include <asm/apic.h>
#include <asm/irqflags.h>
#include <asm/cpu.h>
#include <asm/page.h>
#include <asm/regs.h>
#include <asm/time.h>
#include <asm/x86.h>

paddr_t lapic_phys_base = 0xfee00000;
bool x2apic_enabled;
static uint64_t apic_ticks_per_ms; /* one-shot mode: timer count rate (divide by 1) */

uint32_t apic_read(uint32_t reg)
{
	if (x2apic_enabled)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return *(volatile uint32_t *)((char *)__va(lapic_phys_base) + reg);
}

void apic_write(uint32_t reg, uint32_t v)
{
	if (x2apic_enabled)
		wrmsr(0x800 + (reg >> 4), v);
	else
		*(volatile uint32_t *)((char *)__va(lapic_phys_base) + reg) = v;
}

void ack_APIC_irq(void)
{
	apic_write(APIC_EOI, 0);
}

uint32_t get_apic_id(void)
{
	uint32_t id = apic_read(APIC_ID);

	return x2apic_enabled ? id : id >> 24;
}

void apic_send_ipi(uint32_t apic_id, uint32_t mode_vector)
{
	if (x2apic_enabled) {
		/* x2APIC ICR writes are not serialising: order earlier stores */
		__asm__ __volatile__("mfence" ::: "memory");
		wrmsr(0x830, ((uint64_t)apic_id << 32) | mode_vector | APIC_INT_ASSERT);
		return;
	}
	for (unsigned int i = 0; i < 1000000 && (apic_read(APIC_ICR) & APIC_ICR_BUSY); i++)
		cpu_relax();
	apic_write(APIC_ICR2, apic_id << 24);
	apic_write(APIC_ICR, mode_vector | APIC_INT_ASSERT);
}

void apic_send_nmi_allbutself(void)
{
	if (x2apic_enabled) {
		wrmsr(0x830, APIC_DEST_ALLBUT | APIC_DM_NMI | APIC_INT_ASSERT);
		return;
	}
	apic_write(APIC_ICR, APIC_DEST_ALLBUT | APIC_DM_NMI | APIC_INT_ASSERT);
}

void arch_send_ipi_mask(const cpumask_t *mask, unsigned int vector)
{
	unsigned int cpu, me = smp_processor_id();
	unsigned long flags = local_irq_save();

	for_each_cpu(cpu, mask)
		if (cpu != me)
			apic_send_ipi(per_cpu(cpu_data, cpu).apic_id, APIC_DM_FIXED | vector);
	local_irq_restore(flags);
}

void smp_send_event_check_cpu(unsigned int cpu)
{
	unsigned long flags = local_irq_save();

	if (cpu != smp_processor_id())
		apic_send_ipi(per_cpu(cpu_data, cpu).apic_id, APIC_DM_FIXED | EVENT_CHECK_VECTOR);
	local_irq_restore(flags);
}

static void timer_interrupt(struct cpu_user_regs *regs)
{
	ack_APIC_irq();
	raise_softirq(TIMER_SOFTIRQ);
}

static void event_check_interrupt(struct cpu_user_regs *regs)
{
	/* nothing to do: the idle loop looks at the pending softirqs */
	ack_APIC_irq();
}

static void call_function_interrupt(struct cpu_user_regs *regs)
{
	ack_APIC_irq();
	smp_call_function_interrupt(regs);
}

static void error_interrupt(struct cpu_user_regs *regs)
{
	uint32_t esr;

	apic_write(APIC_ESR, 0);
	esr = apic_read(APIC_ESR);
	ack_APIC_irq();
	printk_ratelimited(LOG_WARN "CPU %u: APIC error, ESR %#x\n", smp_processor_id(), esr);
}

static void apic_enable_this_cpu(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (cpu_has_x2apic) {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_EXTD);
		x2apic_enabled = true;
	} else {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	}
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, 0x100 | SPURIOUS_APIC_VECTOR);
	apic_write(APIC_LVTT, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
	apic_write(APIC_LVT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT1, APIC_LVT_MASKED);
	apic_write(APIC_LVTERR, ERROR_APIC_VECTOR);
	apic_write(APIC_ESR, 0);
	apic_write(APIC_ESR, 0);
	if (cpu_has_tsc_deadline)
		apic_write(APIC_LVTT, APIC_TIMER_TSC_DEADLINE | LOCAL_TIMER_VECTOR);
	else
		apic_write(APIC_TDCR, 0xb); /* divide by 1 */
	this_cpu(cpu_data).apic_id = get_apic_id();
}

void apic_init_bsp(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	/* mask both 8259s: nothing is routed through them */
	outb(0xff, 0x21);
	outb(0xff, 0xa1);
	if ((base & 0xfffff000) != lapic_phys_base && !cpu_has_x2apic)
		printk(LOG_WARN "apic: MADT says LAPIC at %#llx, MSR says %#llx; using the MSR's\n",
		       (unsigned long long)lapic_phys_base, (unsigned long long)(base & 0xfffff000));
	lapic_phys_base = base & 0xfffff000;
	set_irq_handler(LOCAL_TIMER_VECTOR, timer_interrupt);
	set_irq_handler(EVENT_CHECK_VECTOR, event_check_interrupt);
	set_irq_handler(CALL_FUNCTION_VECTOR, call_function_interrupt);
	set_irq_handler(ERROR_APIC_VECTOR, error_interrupt);
	apic_enable_this_cpu();
	printk("apic: %s mode, BSP APIC id %u, timer %s\n", x2apic_enabled ? "x2APIC" : "xAPIC", get_apic_id(),
	       cpu_has_tsc_deadline ? "TSC-deadline" : "one-shot");
}

void apic_init_ap(void)
{
	apic_enable_this_cpu();
}

/* One-shot mode: count APIC timer ticks over 10 ms of TSC time. */
void apic_timer_calibrate(void)
{
	uint64_t t0, t1;
	uint32_t c0, c1;

	if (cpu_has_tsc_deadline)
		return;
	apic_write(APIC_LVTT, APIC_LVT_MASKED | LOCAL_TIMER_VECTOR);
	apic_write(APIC_TMICT, 0xffffffff);
	c0 = apic_read(APIC_TMCCT);
	t0 = NOW();
	mdelay(10);
	c1 = apic_read(APIC_TMCCT);
	t1 = NOW();
	apic_write(APIC_TMICT, 0);
	apic_ticks_per_ms = (uint64_t)(c0 - c1) * 1000000 / (t1 - t0);
	if (!apic_ticks_per_ms)
		panic("apic: the APIC timer does not count");
	printk("apic: timer runs at %llu kHz\n", (unsigned long long)apic_ticks_per_ms);
}

bool reprogram_timer(s_time_t deadline)
{
	s_time_t now;

	if (!deadline) {
		if (cpu_has_tsc_deadline)
			wrmsr(MSR_TSC_DEADLINE, 0);
		else
			apic_write(APIC_TMICT, 0);
		return true;
	}
	now = NOW();
	if (deadline <= now)
		return false;
	if (cpu_has_tsc_deadline) {
		wrmsr(MSR_TSC_DEADLINE, ns_to_tsc(deadline));
	} else {
		uint64_t count = (uint64_t)(deadline - now) * apic_ticks_per_ms / 1000000;

		apic_write(APIC_LVTT, APIC_TIMER_ONESHOT | LOCAL_TIMER_VECTOR);
		apic_write(APIC_TMICT, (uint32_t)MAX(MIN(count, 0xffffffffULL), 1ULL));
	}
	return true;
}
