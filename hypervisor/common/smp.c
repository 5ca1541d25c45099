/*
 * Cross-CPU function calls and TLB shootdown; see hv/smp.h.
 */
#include <hv/console.h>
#include <hv/cpumask.h>
#include <hv/percpu.h>
#include <hv/smp.h>
#include <hv/spinlock.h>
#include <asm/apic.h>
#include <asm/irqflags.h>
#include <asm/mm.h>

cpumask_t cpu_online_map;

static DEFINE_SPINLOCK(call_lock);
static struct {
	void (*fn)(void *);
	void *info;
	bool wait;
	cpumask_t pending; /* CPUs that have not finished with the call yet */
} call_data;

static DEFINE_PER_CPU(const struct cpu_user_regs *, irq_regs);

const struct cpu_user_regs *get_irq_regs(void)
{
	return this_cpu(irq_regs);
}

void on_selected_cpus(const cpumask_t *mask, void (*fn)(void *), void *info, bool wait)
{
	unsigned int me = smp_processor_id();
	bool self = cpumask_test_cpu(me, mask);

	if (!local_irq_is_enabled())
		panic("on_selected_cpus() called with interrupts disabled (would deadlock)");
	spin_lock(&call_lock);
	call_data.fn = fn;
	call_data.info = info;
	call_data.wait = wait;
	cpumask_copy(&call_data.pending, mask);
	bitmap_and(call_data.pending.bits, call_data.pending.bits, cpu_online_map.bits, NR_CPUS);
	cpumask_clear_cpu(me, &call_data.pending);
	arch_send_ipi_mask(&call_data.pending, CALL_FUNCTION_VECTOR);
	if (self) {
		unsigned long flags = local_irq_save();

		fn(info);
		local_irq_restore(flags);
	}
	while (!cpumask_empty(&call_data.pending))
		__builtin_ia32_pause();
	spin_unlock(&call_lock);
}

void smp_call_function(void (*fn)(void *), void *info, bool wait)
{
	cpumask_t others;

	cpumask_copy(&others, &cpu_online_map);
	cpumask_clear_cpu(smp_processor_id(), &others);
	on_selected_cpus(&others, fn, info, wait);
}

void smp_call_function_interrupt(struct cpu_user_regs *regs)
{
	unsigned int me = smp_processor_id();
	void (*fn)(void *) = call_data.fn;
	void *info = call_data.info;

	if (!cpumask_test_cpu(me, &call_data.pending))
		return;
	this_cpu(irq_regs) = regs;
	if (call_data.wait) {
		fn(info);
		cpumask_clear_cpu(me, &call_data.pending);
	} else {
		cpumask_clear_cpu(me, &call_data.pending);
		fn(info);
	}
	this_cpu(irq_regs) = NULL;
}

static void flush_tlb_fn(void *unused)
{
	flush_tlb_local();
}

void flush_tlb_mask(const cpumask_t *mask)
{
	on_selected_cpus(mask, flush_tlb_fn, NULL, true);
}
