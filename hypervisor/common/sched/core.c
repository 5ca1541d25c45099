/*
 * The scheduler core: drives the policy (common/sched/credit.c, a pure
 * module behind hv/sched_policy.h) for the hypervisor. It owns the locking,
 * the clock, the per-pCPU timer that ends slices and delivers ticks, the
 * accounting timer, the SCHEDULE_SOFTIRQ handler that switches vCPUs, the
 * per-pCPU loop, and each vCPU's runstate times (published to the guest's
 * runstate area, where Linux reads its steal time).
 *
 * vCPUs migrate: v->processor is the pCPU the policy last put the vCPU on,
 * and changes under sched_lock. A vCPU taken from another pCPU's queue may
 * still be leaving that pCPU (its state being saved): the new pCPU waits
 * for v->is_running to drop before loading it. A vCPU's timers (vcpu_op
 * timers, vLAPIC timer) follow it when it is loaded on a new pCPU
 * (hvm_ctxt_switch_to); until then they fire where they were, which is
 * harmless: their handlers only mark an interrupt pending and kick.
 *
 * One lock, sched_lock, covers all scheduler state (policy objects,
 * v->processor, runstates); a later split into per-pCPU locks changes only
 * this file.
 *
 * Lock order: d->lock -> vl->lock -> sched_lock -> a pCPU's timer lock;
 * dump_lock (the 'r' key's buffer) -> sched_lock.
 */
#include <hv/console.h>
#include <hv/cpumask.h>
#include <hv/errno.h>
#include <hv/keyhandler.h>
#include <hv/lib.h>
#include <hv/param.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/smp.h>
#include <hv/softirq.h>
#include <hv/time.h>
#include <asm/hvm.h>
#include <asm/irqflags.h>
#include <asm/vlapic.h>
#include <asm/x86.h>

static unsigned int opt_tslice_ms = 30;
integer_param("sched_credit_tslice_ms", opt_tslice_ms);
static unsigned int opt_ratelimit_us = 1000;
integer_param("sched_ratelimit_us", opt_ratelimit_us);

#define TICK MILLISECS(10)

static DEFINE_SPINLOCK(sched_lock);
static struct sched_pcpu policy_pcpu[NR_CPUS];
static struct sched_sys sys;

struct core_pcpu {
	struct vcpu *curr;  /* loaded on this pCPU; NULL = idle */
	struct timer timer; /* slice end and ticks */
	s_time_t slice_end; /* the decision's deadline */
	s_time_t next_tick; /* 0 while idle */
	bool yield;	    /* the current vCPU asked to yield */
};
static DEFINE_PER_CPU(struct core_pcpu, core_pcpu);
static struct timer acct_timer;

static void env_tickle(struct sched_sys *s, unsigned int cpu)
{
	cpu_raise_softirq(cpu, SCHEDULE_SOFTIRQ);
}

static const struct sched_env hv_env = { .tickle = env_tickle, .print = printk };

static bool runnable(const struct vcpu *v)
{
	return READ_ONCE(v->pause_flags) == 0;
}

static struct vcpu *unit_vcpu(struct sched_unit *u)
{
	return u ? u->owner : NULL;
}

void vcpu_set_runstate(struct vcpu *v, int state)
{
	s_time_t now = NOW();

	if (now > v->runstate_entry) {
		v->runstate_time[v->runstate] += now - v->runstate_entry;
		if (v->runstate == RUNSTATE_runnable && now - v->runstate_entry > v->longest_wait)
			v->longest_wait = now - v->runstate_entry;
	}
	v->runstate_entry = now;
	v->runstate = state;
	runstate_publish(v);
}

static int stopped_state(const struct vcpu *v)
{
	return test_bit(VPF_blocked, &v->pause_flags) ? RUNSTATE_blocked : RUNSTATE_offline;
}

/* ------------------------------------------------------------ vCPUs and domains */

void sched_dom_init(struct domain *d)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	sys.ops->dom_insert(&sys, &d->sched);
	spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_dom_destroy(struct domain *d)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	sys.ops->dom_remove(&sys, &d->sched);
	spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_vcpu_init(struct vcpu *v)
{
	struct sched_unit *u = &v->sched;
	unsigned long flags;

	u->dom = &v->domain->sched;
	u->id = v->vcpu_id;
	u->owner = v;
	cpumask_copy(&u->hard, &v->domain->hard_affinity);
	bitmap_fill(u->soft.bits, NR_CPUS);
	flags = spin_lock_irqsave(&sched_lock);
	v->domain->sched.id = v->domain->domain_id;
	sys.ops->unit_insert(&sys, u);
	v->processor = u->cpu;
	spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_vcpu_destroy(struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	if (v->sched.state == SU_RUNNING || READ_ONCE(v->is_running))
		panic("sched: d%uv%u destroyed while on a pCPU", v->domain->domain_id, v->vcpu_id);
	sys.ops->unit_remove(&sys, &v->sched);
	spin_unlock_irqrestore(&sched_lock, flags);
}

bool sched_vcpu_quiesced(struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	/* chosen by a pCPU but not loaded yet counts as on it */
	bool off = v->sched.state != SU_RUNNING && !READ_ONCE(v->is_running);

	spin_unlock_irqrestore(&sched_lock, flags);
	return off;
}

int sched_set_params(struct domain *d, unsigned int weight, unsigned int cap)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	int rc;

	d->sched.id = d->domain_id;
	rc = sys.ops->set_params(&sys, &d->sched, weight, cap);
	spin_unlock_irqrestore(&sched_lock, flags);
	return rc;
}

void sched_get_params(struct domain *d, unsigned int *weight, unsigned int *cap)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	*weight = d->sched.weight;
	*cap = d->sched.cap;
	spin_unlock_irqrestore(&sched_lock, flags);
}

int vcpu_set_affinity(struct vcpu *v, const cpumask_t *hard, const cpumask_t *soft)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	cpumask_t all;
	int rc;

	bitmap_fill(all.bits, NR_CPUS);
	rc = sys.ops->set_affinity(&sys, &v->sched, hard ? hard : &v->sched.hard, soft ? soft : &all, NOW());
	if (!rc)
		v->processor = v->sched.cpu;
	spin_unlock_irqrestore(&sched_lock, flags);
	return rc;
}

void vcpu_wake(struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	struct sched_unit *u = &v->sched;

	if (runnable(v)) {
		u->runnable = true;
		if (u->state == SU_IDLE) {
			bool from_block = v->runstate == RUNSTATE_blocked;

			vcpu_set_runstate(v, RUNSTATE_runnable);
			sys.ops->wake(&sys, u, NOW(), from_block);
			v->processor = u->cpu;
		}
	}
	spin_unlock_irqrestore(&sched_lock, flags);
}

void vcpu_sleep(struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	struct sched_unit *u = &v->sched;

	if (!runnable(v)) {
		enum sched_unit_state was = u->state;

		u->runnable = false;
		sys.ops->sleep(&sys, u, NOW());
		if (was == SU_QUEUED || was == SU_PARKED)
			vcpu_set_runstate(v, stopped_state(v));
	}
	spin_unlock_irqrestore(&sched_lock, flags);
}

void vcpu_kick(struct vcpu *v)
{
	if (test_and_clear_bit(VPF_blocked, &v->pause_flags)) {
		vcpu_wake(v);
		return;
	}
	/* running elsewhere: an interrupt makes it exit, and the injection
	 * logic sees the new event on the way back in. If it is moving, the
	 * pCPU it lands on checks for events before entering the guest. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (READ_ONCE(v->is_running)) {
		unsigned int cpu = READ_ONCE(v->processor);

		if (cpu != smp_processor_id())
			smp_send_event_check_cpu(cpu);
	}
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
	this_cpu(core_pcpu).yield = true;
	raise_softirq(SCHEDULE_SOFTIRQ);
}

struct vcpu *current_vcpu(void)
{
	return this_cpu(core_pcpu).curr;
}

/* ------------------------------------------------------------ timers */

static void arm_timer_locked(struct core_pcpu *cp)
{
	s_time_t when = cp->slice_end;

	if (cp->next_tick && (!when || cp->next_tick < when))
		when = cp->next_tick;
	if (when)
		set_timer(&cp->timer, when);
	else
		stop_timer(&cp->timer);
}

/* Slice end or tick on this pCPU. */
static void sched_timer_fn(void *unused)
{
	unsigned int cpu = smp_processor_id();
	struct core_pcpu *cp = &this_cpu(core_pcpu);
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	s_time_t now = NOW();
	bool resched = cp->slice_end && now >= cp->slice_end;

	if (cp->next_tick && now >= cp->next_tick) {
		resched |= sys.ops->tick(&sys, cpu, now);
		cp->next_tick += sys.params.tick;
		if (cp->next_tick <= now)
			cp->next_tick = now + sys.params.tick;
	}
	if (resched)
		cp->slice_end = 0; /* the decision sets the next one */
	arm_timer_locked(cp);
	spin_unlock_irqrestore(&sched_lock, flags);
	if (resched)
		raise_softirq(SCHEDULE_SOFTIRQ);
}

static void acct_timer_fn(void *unused)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	sys.ops->account(&sys, NOW());
	spin_unlock_irqrestore(&sched_lock, flags);
	set_timer(&acct_timer, NOW() + sys.params.tslice);
}

/* ------------------------------------------------------------ the decision */

static void schedule(void)
{
	unsigned int cpu = smp_processor_id();
	struct core_pcpu *cp = &this_cpu(core_pcpu);
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	struct vcpu *prev = cp->curr, *next;
	s_time_t now = NOW(), slice = 0;
	bool yield = cp->yield;

	cp->yield = false;
	if (prev)
		prev->sched.runnable = runnable(prev);
	next = unit_vcpu(sys.ops->schedule(&sys, cpu, now, yield, &slice));
	if (prev && prev != next)
		vcpu_set_runstate(prev, prev->sched.runnable ? RUNSTATE_runnable : stopped_state(prev));
	if (next && next != prev) {
		vcpu_set_runstate(next, RUNSTATE_running);
		next->processor = cpu;
	}
	cp->curr = next;
	cp->slice_end = next ? now + slice : 0;
	if (!next)
		cp->next_tick = 0;
	else if (!cp->next_tick)
		cp->next_tick = now + sys.params.tick;
	arm_timer_locked(cp);
	spin_unlock_irqrestore(&sched_lock, flags);

	if (prev == next)
		return;
	if (prev) {
		hvm_ctxt_switch_from(prev);
		WRITE_ONCE(prev->is_running, false);
	}
	if (next) {
		/* taken from another pCPU's queue: it may still be leaving there */
		while (READ_ONCE(next->is_running))
			cpu_relax();
		WRITE_ONCE(next->is_running, true);
		hvm_ctxt_switch_to(next);
	}
}

/* ------------------------------------------------------------ set-up and loop */

void sched_init(void)
{
	if (opt_tslice_ms < 1 || opt_tslice_ms > 1000) {
		printk(LOG_WARN "sched_credit_tslice_ms=%u is outside 1-1000; using 30\n", opt_tslice_ms);
		opt_tslice_ms = 30;
	}
	if ((s_time_t)opt_ratelimit_us * 1000 > MILLISECS(opt_tslice_ms)) {
		printk(LOG_WARN "sched_ratelimit_us=%u is longer than the time slice; using %u\n", opt_ratelimit_us,
		       opt_tslice_ms * 1000);
		opt_ratelimit_us = opt_tslice_ms * 1000;
	}
	sys.ops = &sched_credit;
	sys.env = &hv_env;
	sys.params.tslice = MILLISECS(opt_tslice_ms);
	sys.params.tick = MIN(TICK, sys.params.tslice);
	sys.params.ratelimit = MICROSECS(opt_ratelimit_us);
	sys.nr_cpus = NR_CPUS;
	sys.pcpu = policy_pcpu;
	sys.ops->init(&sys);
	open_softirq(SCHEDULE_SOFTIRQ, schedule);
	init_timer(&acct_timer, acct_timer_fn, NULL, 0);
	set_timer(&acct_timer, NOW() + sys.params.tslice);
	printk("sched: %s scheduler, time slice %u ms, rate limit %u us\n", sys.ops->name, opt_tslice_ms,
	       opt_ratelimit_us);
}

void sched_cpu_init(unsigned int cpu)
{
	struct core_pcpu *cp = &per_cpu(core_pcpu, cpu);
	unsigned long flags;

	init_timer(&cp->timer, sched_timer_fn, NULL, cpu);
	flags = spin_lock_irqsave(&sched_lock);
	sys.ops->cpu_add(&sys, cpu);
	spin_unlock_irqrestore(&sched_lock, flags);
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
		v = this_cpu(core_pcpu).curr;
		if (!v) {
			arch_idle(); /* halts until an interrupt; interrupts on */
			continue;
		}
		hvm_run(v); /* returns with interrupts enabled */
	}
}

/*
 * The dump is written into a buffer under sched_lock and printed after it
 * is released: the serial line is slow (~11 characters a millisecond) and
 * every pCPU's scheduling would wait for it otherwise.
 */
static DEFINE_SPINLOCK(dump_lock); /* the buffer; taken before sched_lock */
static char dump_buf[64 * 1024];
static size_t dump_len;

static void dump_print(const char *fmt, ...)
{
	va_list ap;

	if (dump_len >= sizeof(dump_buf) - 1)
		return;
	va_start(ap, fmt);
	dump_len += (size_t)vscnprintf(dump_buf + dump_len, sizeof(dump_buf) - dump_len, fmt, ap);
	va_end(ap);
}

static const struct sched_env dump_env = { .tickle = env_tickle, .print = dump_print };

void sched_dump(void)
{
	unsigned long flags;
	char *line;

	spin_lock(&dump_lock);
	flags = spin_lock_irqsave(&sched_lock);
	dump_len = 0;
	sys.env = &dump_env;
	sys.ops->dump(&sys, NOW());
	sys.env = &hv_env;
	spin_unlock_irqrestore(&sched_lock, flags);
	line = dump_buf;
	while (*line) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		printk("%s\n", line);
		if (!nl)
			break;
		line = nl + 1;
	}
	if (dump_len >= sizeof(dump_buf) - 1)
		printk("(the scheduler dump was cut at %zu bytes)\n", sizeof(dump_buf));
	spin_unlock(&dump_lock);
}

static void sched_key(unsigned char key)
{
	sched_dump();
}
keyhandler('r', sched_key, "dump run queues, credits and priorities");
