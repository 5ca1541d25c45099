/*
 * A simple round-robin scheduler: each pCPU has a FIFO run queue and runs
 * its current vCPU for a 30 ms slice, then the next in line. A vCPU stays on
 * the pCPU chosen at creation (the least loaded its affinity allows). The
 * credit scheduler (weights, caps, load balancing) replaces this policy
 * later behind the same interface (hv/sched.h).
 *
 * Lock order: d->lock -> a pCPU's run-queue lock (leaf).
 */
#include <hv/console.h>
#include <hv/cpumask.h>
#include <hv/keyhandler.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/smp.h>
#include <hv/softirq.h>
#include <hv/time.h>
#include <asm/hvm.h>
#include <asm/irqflags.h>
#include <asm/vlapic.h>

#define TIMESLICE MILLISECS(30)

struct sched_pcpu {
	spinlock_t lock;
	struct vcpu *head, *tail; /* runnable, waiting */
	struct vcpu *curr;	  /* loaded on this pCPU; NULL = idle */
	struct timer slice;
	bool yield;
	bool slice_over;
	unsigned int nr_placed;
};
static DEFINE_PER_CPU(struct sched_pcpu, sched_pcpu);

static bool runnable(const struct vcpu *v)
{
	return READ_ONCE(v->pause_flags) == 0;
}

void vcpu_set_runstate(struct vcpu *v, int state)
{
	s_time_t now = NOW();

	v->runstate_time[v->runstate] += now - v->runstate_entry;
	v->runstate_entry = now;
	v->runstate = state;
	runstate_publish(v);
}

static void runq_append(struct sched_pcpu *sp, struct vcpu *v)
{
	v->rq_next = NULL;
	if (sp->tail)
		sp->tail->rq_next = v;
	else
		sp->head = v;
	sp->tail = v;
	v->on_runq = true;
}

static struct vcpu *runq_pop(struct sched_pcpu *sp)
{
	struct vcpu *v = sp->head;

	if (v) {
		sp->head = v->rq_next;
		if (!sp->head)
			sp->tail = NULL;
		v->on_runq = false;
	}
	return v;
}

static void runq_remove(struct sched_pcpu *sp, struct vcpu *v)
{
	struct vcpu **pp = &sp->head, *prev = NULL;

	while (*pp && *pp != v) {
		prev = *pp;
		pp = &(*pp)->rq_next;
	}
	if (!*pp)
		return;
	*pp = v->rq_next;
	if (sp->tail == v)
		sp->tail = prev;
	v->on_runq = false;
}

unsigned int sched_place_vcpu(const struct vcpu *v, const cpumask_t *affinity)
{
	unsigned int cpu, best = 0, best_load = ~0u;

	for_each_online_cpu(cpu) {
		if (affinity && !cpumask_test_cpu(cpu, affinity))
			continue;
		if (per_cpu(sched_pcpu, cpu).nr_placed < best_load) {
			best = cpu;
			best_load = per_cpu(sched_pcpu, cpu).nr_placed;
		}
	}
	per_cpu(sched_pcpu, best).nr_placed++;
	return best;
}

void sched_unplace_vcpu(const struct vcpu *v)
{
	per_cpu(sched_pcpu, v->processor).nr_placed--;
}

void vcpu_wake(struct vcpu *v)
{
	struct sched_pcpu *sp = &per_cpu(sched_pcpu, v->processor);
	unsigned long flags = spin_lock_irqsave(&sp->lock);
	bool kick = false;

	if (runnable(v) && !v->on_runq && sp->curr != v) {
		runq_append(sp, v);
		vcpu_set_runstate(v, RUNSTATE_runnable);
		kick = sp->curr == NULL;
	}
	spin_unlock_irqrestore(&sp->lock, flags);
	if (kick)
		cpu_raise_softirq(v->processor, SCHEDULE_SOFTIRQ);
}

void vcpu_sleep(struct vcpu *v)
{
	struct sched_pcpu *sp = &per_cpu(sched_pcpu, v->processor);
	unsigned long flags = spin_lock_irqsave(&sp->lock);
	bool resched = false;

	if (v->on_runq) {
		runq_remove(sp, v);
		vcpu_set_runstate(v, test_bit(VPF_blocked, &v->pause_flags) ? RUNSTATE_blocked : RUNSTATE_offline);
	}
	resched = sp->curr == v;
	spin_unlock_irqrestore(&sp->lock, flags);
	if (resched)
		cpu_raise_softirq(v->processor, SCHEDULE_SOFTIRQ);
}

void vcpu_kick(struct vcpu *v)
{
	if (test_and_clear_bit(VPF_blocked, &v->pause_flags)) {
		vcpu_wake(v);
		return;
	}
	/* running elsewhere: an interrupt makes it exit, and the injection
	 * logic sees the new event on the way back in */
	if (READ_ONCE(v->is_running) && v->processor != smp_processor_id())
		smp_send_event_check_cpu(v->processor);
}

void vcpu_block(void)
{
	struct vcpu *v = current_vcpu();

	set_bit(VPF_blocked, &v->pause_flags);
	/* an interrupt may have arrived since the caller looked */
	if (vlapic_has_irr(&v->arch.vlapic) || v->arch.nmi_pending || hvm_callback_vector_pending(v) >= 0) {
		clear_bit(VPF_blocked, &v->pause_flags);
		return;
	}
	raise_softirq(SCHEDULE_SOFTIRQ);
}

void vcpu_yield(void)
{
	this_cpu(sched_pcpu).yield = true;
	raise_softirq(SCHEDULE_SOFTIRQ);
}

struct vcpu *current_vcpu(void)
{
	return this_cpu(sched_pcpu).curr;
}

static void slice_end(void *data)
{
	this_cpu(sched_pcpu).slice_over = true;
	raise_softirq(SCHEDULE_SOFTIRQ);
}

static void schedule(void)
{
	struct sched_pcpu *sp = &this_cpu(sched_pcpu);
	unsigned long flags = spin_lock_irqsave(&sp->lock);
	struct vcpu *prev = sp->curr, *next;
	bool rotate = sp->yield || sp->slice_over;

	sp->yield = sp->slice_over = false;
	if (prev && runnable(prev) && !rotate) {
		next = prev; /* keep running: nothing asked it to go */
	} else {
		if (prev && runnable(prev))
			runq_append(sp, prev);
		next = runq_pop(sp);
	}
	sp->curr = next;
	if (prev && prev != next)
		vcpu_set_runstate(prev, runnable(prev)				    ? RUNSTATE_runnable
					: test_bit(VPF_blocked, &prev->pause_flags) ? RUNSTATE_blocked
										    : RUNSTATE_offline);
	if (next && next != prev)
		vcpu_set_runstate(next, RUNSTATE_running);
	spin_unlock_irqrestore(&sp->lock, flags);

	if (prev != next) {
		if (prev) {
			hvm_ctxt_switch_from(prev);
			WRITE_ONCE(prev->is_running, false);
		}
		if (next) {
			WRITE_ONCE(next->is_running, true);
			hvm_ctxt_switch_to(next);
		}
	}
	if (next && (prev != next || rotate))
		set_timer(&sp->slice, NOW() + TIMESLICE);
	else if (!next)
		stop_timer(&sp->slice);
}

void sched_init(void)
{
	open_softirq(SCHEDULE_SOFTIRQ, schedule);
}

void sched_cpu_init(unsigned int cpu)
{
	struct sched_pcpu *sp = &per_cpu(sched_pcpu, cpu);

	spin_lock_init(&sp->lock);
	init_timer(&sp->slice, slice_end, NULL, cpu);
}

__noreturn void sched_loop(void)
{
	unsigned int cpu = smp_processor_id();

	for (;;) {
		struct vcpu *v;

		process_pending_softirqs();
		local_irq_disable();
		if (softirq_pending(cpu)) {
			local_irq_enable();
			continue;
		}
		v = this_cpu(sched_pcpu).curr;
		if (!v) {
			arch_idle(); /* halts until an interrupt; interrupts on */
			continue;
		}
		hvm_run(v); /* returns with interrupts enabled */
	}
}

void sched_dump(void)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		struct sched_pcpu *sp = &per_cpu(sched_pcpu, cpu);
		unsigned long flags = spin_lock_irqsave(&sp->lock);

		printk(" CPU%u: running %s", cpu, sp->curr ? "" : "idle");
		if (sp->curr)
			printk("d%uv%u", sp->curr->domain->domain_id, sp->curr->vcpu_id);
		printk(", queue:");
		for (struct vcpu *v = sp->head; v; v = v->rq_next)
			printk(" d%uv%u", v->domain->domain_id, v->vcpu_id);
		printk("\n");
		spin_unlock_irqrestore(&sp->lock, flags);
	}
}

static void sched_key(unsigned char key)
{
	sched_dump();
}
keyhandler('r', sched_key, "dump run queues");
