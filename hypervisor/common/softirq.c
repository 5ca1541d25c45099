/*
 * Softirqs: per-CPU pending bits, handlers run with interrupts enabled from
 * process_pending_softirqs() (idle loop, and later the return-to-guest path).
 */
#include <hv/bitmap.h>
#include <hv/percpu.h>
#include <hv/smp.h>
#include <hv/softirq.h>

static softirq_handler handlers[NR_SOFTIRQS];
static DEFINE_PER_CPU(unsigned long, softirq_pending_bits);

void open_softirq(unsigned int nr, softirq_handler h)
{
	handlers[nr] = h;
}

void raise_softirq(unsigned int nr)
{
	set_bit(nr, &this_cpu(softirq_pending_bits));
}

void cpu_raise_softirq(unsigned int cpu, unsigned int nr)
{
	if (test_and_set_bit(nr, &per_cpu(softirq_pending_bits, cpu)))
		return; /* already pending: the CPU has been kicked */
	if (cpu != smp_processor_id())
		smp_send_event_check_cpu(cpu);
}

bool softirq_pending(unsigned int cpu)
{
	return READ_ONCE(per_cpu(softirq_pending_bits, cpu)) != 0;
}

void process_pending_softirqs(void)
{
	unsigned long *pending = &this_cpu(softirq_pending_bits);
	unsigned int nr;

	while ((nr = find_first_bit(pending, NR_SOFTIRQS)) < NR_SOFTIRQS) {
		clear_bit(nr, pending);
		if (handlers[nr])
			handlers[nr]();
	}
}
