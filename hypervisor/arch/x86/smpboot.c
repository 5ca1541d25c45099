/*
 * Bringing up the application processors listed in the MADT: each gets a
 * stack and its per-CPU area, then INIT-SIPI-SIPI with the real-mode
 * trampoline (boot/trampoline.S) copied to a page below 1 MiB. CPUs start
 * one at a time, so one trampoline page serves them all.
 *
 *   maxcpus=<n>  bring up at most n CPUs (the boot CPU included)
 */
#include <hv/acpi.h>
#include <hv/console.h>
#include <hv/cpumask.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/param.h>
#include <hv/percpu.h>
#include <hv/time.h>
#include <hv/sched.h>
#include <hv/timer.h>
#include <asm/apic.h>
#include <asm/irqflags.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/mm.h>
#include <asm/smp.h>
#include <asm/x86.h>

static unsigned int opt_maxcpus = NR_CPUS;
integer_param("maxcpus", opt_maxcpus);

extern const char trampoline_start[], trampoline_end[], trampoline_params[];

struct trampoline_params {
	uint64_t cr3, efer, stack, entry, cpu, started;
};

unsigned int smp_max_cpus(unsigned int nr_madt)
{
	unsigned int n = MIN(nr_madt ? nr_madt : 1, (unsigned int)NR_CPUS);

	if (opt_maxcpus < n)
		n = opt_maxcpus ? opt_maxcpus : 1;
	return n;
}

__noreturn void start_secondary(unsigned int cpu)
{
	cpu_init(cpu, per_cpu(cpu_data, cpu).stack_base);
	apic_init_ap();
	timer_cpu_init(cpu);
	sched_cpu_init(cpu);
	hvm_cpu_up();
	cpumask_set_cpu(cpu, &cpu_online_map);
	local_irq_enable();
	idle_loop();
}

static bool wait_for(volatile uint64_t *flag, s_time_t timeout)
{
	s_time_t end = NOW() + timeout;

	while (!*flag)
		if (NOW() > end)
			return false;
	return true;
}

static bool cpu_up(unsigned int cpu, uint32_t apic_id, void *tramp)
{
	struct trampoline_params *tp = (void *)((char *)tramp + (trampoline_params - trampoline_start));
	void *stack = alloc_xenheap_pages(STACK_ORDER, 0);
	uint32_t page = (uint32_t)virt_to_maddr(tramp);
	s_time_t end;

	if (!stack) {
		printk(LOG_ERR "smp: no memory for CPU %u's stack\n", cpu);
		return false;
	}
	per_cpu(cpu_data, cpu).stack_base = (uint64_t)(uintptr_t)stack;
	per_cpu(cpu_data, cpu).apic_id = apic_id;
	tp->cr3 = idle_pg_table_maddr;
	tp->efer = EFER_LME;
	tp->stack = (uint64_t)(uintptr_t)stack + STACK_SIZE;
	tp->entry = (uint64_t)(uintptr_t)start_secondary;
	tp->cpu = cpu;
	tp->started = 0;
	__asm__ __volatile__("mfence" ::: "memory");

	apic_send_ipi(apic_id, APIC_DM_INIT);
	mdelay(10);
	apic_send_ipi(apic_id, APIC_DM_STARTUP | (page >> 12));
	udelay(200);
	if (!tp->started)
		apic_send_ipi(apic_id, APIC_DM_STARTUP | (page >> 12));
	/* generous: under software emulation a CPU can take a while */
	if (!wait_for(&tp->started, SECONDS(5))) {
		printk(LOG_ERR "smp: CPU %u (APIC id %u) did not start\n", cpu, apic_id);
		free_xenheap_pages(stack, STACK_ORDER);
		return false;
	}
	end = NOW() + SECONDS(5);
	while (!cpu_online(cpu)) {
		if (NOW() > end) {
			printk(LOG_ERR "smp: CPU %u (APIC id %u) started but never came online\n", cpu, apic_id);
			return false;
		}
		cpu_relax();
	}
	return true;
}

void smp_boot_cpus(const struct acpi_info *ai)
{
	unsigned int next = 1, want = smp_max_cpus(ai->nr_cpus);
	uint32_t bsp = get_apic_id();
	mfn_t tramp_mfn = alloc_pages(0, MEMF_bits(20));
	void *tramp;

	cpumask_set_cpu(0, &cpu_online_map);
	if (want <= 1)
		goto out;
	if (mfn_eq(tramp_mfn, INVALID_MFN)) {
		printk(LOG_ERR "smp: no free page below 1 MiB for the start-up code; running on one CPU\n");
		goto out;
	}
	tramp = mfn_to_virt(tramp_mfn);
	memcpy(tramp, trampoline_start, (size_t)(trampoline_end - trampoline_start));
	for (unsigned int i = 0; i < ai->nr_cpus && next < want; i++) {
		const struct acpi_cpu *c = &ai->cpus[i];

		if (c->apic_id == bsp || !c->enabled)
			continue;
		if (!x2apic_enabled && c->apic_id > 0xfe) {
			printk(LOG_WARN "smp: APIC id %u needs x2APIC mode, CPU skipped\n", c->apic_id);
			continue;
		}
		if (cpu_up(next, c->apic_id, tramp))
			next++;
	}
	free_pages(tramp_mfn, 0);
out:
	printk("smp: %u CPU%s online\n", num_online_cpus(), num_online_cpus() == 1 ? "" : "s");
}
