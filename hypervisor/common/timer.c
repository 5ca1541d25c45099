/*
 * Per-CPU software timers: each CPU's active timers sit in a min-heap
 * (common/timer_heap.c) under that CPU's lock; the LAPIC timer is programmed
 * for the earliest, and TIMER_SOFTIRQ runs the expired ones.
 *
 * A timer's CPU can change (migrate_timer), so a caller locks "the timer's
 * CPU" by reading t->cpu, locking it and checking t->cpu did not change.
 *
 * Lock order: a CPU's timer lock (two CPUs' only in migrate_timer: the lower
 * CPU's first), then the heap allocator's lock (the heap
 * array grows under the timer lock). Handlers run with no lock held.
 */
#include <hv/console.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/percpu.h>
#include <hv/softirq.h>
#include <hv/spinlock.h>
#include <hv/symbols.h>
#include <hv/cpumask.h>
#include <hv/time.h>
#include <hv/timer.h>
#include <hv/xmalloc.h>

/* A timer never runs before its expiry time: guests (the vLAPIC's
 * TSC-deadline mode, for one) rely on it. */

struct timers {
	spinlock_t lock;
	struct timer_heap heap;
	struct timer *running;
};
static DEFINE_PER_CPU(struct timers, timers);

static unsigned long lock_timer(struct timer *t, struct timers **out)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(t->cpu);
		struct timers *ts = &per_cpu(timers, cpu);
		unsigned long flags = spin_lock_irqsave(&ts->lock);

		if (t->cpu == cpu) {
			*out = ts;
			return flags;
		}
		spin_unlock_irqrestore(&ts->lock, flags);
	}
}

static int grow_heap(struct timer_heap *h)
{
	unsigned int limit = h->limit ? h->limit * 2 : 64;
	struct timer **n = xzalloc_array(struct timer *, limit + 1);

	if (!n)
		return -XEN_ENOMEM;
	if (h->heap)
		memcpy(n, h->heap, (h->limit + 1) * sizeof(*n));
	xfree(h->heap);
	h->heap = n;
	h->limit = limit;
	return 0;
}

/* Add under the lock; kick the CPU if the timer became its earliest. */
static void activate(struct timers *ts, struct timer *t)
{
	if (timer_heap_add(&ts->heap, t) == -XEN_ENOSPC) {
		if (grow_heap(&ts->heap) || timer_heap_add(&ts->heap, t)) {
			printk(LOG_ERR "timer: out of memory queueing a timer on CPU %u; it will not fire\n", t->cpu);
			return;
		}
	}
	t->status = TIMER_STATUS_in_heap;
	if (timer_heap_peek(&ts->heap) == t)
		cpu_raise_softirq(t->cpu, TIMER_SOFTIRQ);
}

static void deactivate(struct timers *ts, struct timer *t)
{
	if (t->status == TIMER_STATUS_in_heap)
		timer_heap_remove(&ts->heap, t);
	t->status = TIMER_STATUS_inactive;
}

void init_timer(struct timer *t, void (*fn)(void *), void *data, unsigned int cpu)
{
	memset(t, 0, sizeof(*t));
	t->function = fn;
	t->data = data;
	t->cpu = (uint16_t)cpu;
	t->status = TIMER_STATUS_inactive;
}

void set_timer(struct timer *t, s_time_t expires)
{
	struct timers *ts;
	unsigned long flags = lock_timer(t, &ts);

	if (t->status != TIMER_STATUS_invalid) {
		deactivate(ts, t);
		t->expires = expires;
		activate(ts, t);
	}
	spin_unlock_irqrestore(&ts->lock, flags);
}

void stop_timer(struct timer *t)
{
	struct timers *ts;
	unsigned long flags = lock_timer(t, &ts);

	if (t->status != TIMER_STATUS_invalid)
		deactivate(ts, t);
	spin_unlock_irqrestore(&ts->lock, flags);
}

bool timer_is_active(const struct timer *t)
{
	return READ_ONCE(t->status) == TIMER_STATUS_in_heap;
}

/*
 * Both CPUs' locks are held while the timer moves (the lower CPU's first):
 * with only one at a time, a set_timer() between the two (from the timer's
 * own handler, say) could queue it on the old CPU while it is also queued
 * on the new one — one timer in two heaps.
 */
void migrate_timer(struct timer *t, unsigned int new_cpu)
{
	for (;;) {
		unsigned int old = READ_ONCE(t->cpu);
		struct timers *ots = &per_cpu(timers, old), *nts = &per_cpu(timers, new_cpu);
		struct timers *first = old < new_cpu ? ots : nts, *second = old < new_cpu ? nts : ots;
		unsigned long flags;

		if (old == new_cpu)
			return;
		flags = spin_lock_irqsave(&first->lock);
		spin_lock(&second->lock);
		if (t->cpu != old) { /* moved meanwhile: look again */
			spin_unlock(&second->lock);
			spin_unlock_irqrestore(&first->lock, flags);
			continue;
		}
		if (t->status != TIMER_STATUS_invalid) {
			bool active = t->status == TIMER_STATUS_in_heap;

			deactivate(ots, t);
			t->cpu = (uint16_t)new_cpu;
			if (active)
				activate(nts, t);
		}
		spin_unlock(&second->lock);
		spin_unlock_irqrestore(&first->lock, flags);
		return;
	}
}

void kill_timer(struct timer *t)
{
	struct timers *ts;
	unsigned long flags = lock_timer(t, &ts);

	deactivate(ts, t);
	t->status = TIMER_STATUS_invalid;
	spin_unlock_irqrestore(&ts->lock, flags);
	/* wait for a handler running on another CPU to finish */
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		while (cpu != smp_processor_id() && cpu_online(cpu) && READ_ONCE(per_cpu(timers, cpu).running) == t)
			__builtin_ia32_pause();
}

static void timer_softirq_action(void)
{
	struct timers *ts = &this_cpu(timers);
	unsigned long flags = spin_lock_irqsave(&ts->lock);
	struct timer *t;

	for (;;) {
		while ((t = timer_heap_peek(&ts->heap)) && t->expires <= NOW()) {
			timer_heap_remove(&ts->heap, t);
			t->status = TIMER_STATUS_inactive;
			ts->running = t;
			spin_unlock_irqrestore(&ts->lock, flags);
			t->function(t->data);
			flags = spin_lock_irqsave(&ts->lock);
			ts->running = NULL;
		}
		/* program the next deadline; if it already passed, go round again */
		if (reprogram_timer(t ? t->expires : 0))
			break;
	}
	spin_unlock_irqrestore(&ts->lock, flags);
}

void timer_init(void)
{
	open_softirq(TIMER_SOFTIRQ, timer_softirq_action);
}

void timer_cpu_init(unsigned int cpu)
{
	struct timers *ts = &per_cpu(timers, cpu);

	spin_lock_init(&ts->lock);
	if (!ts->heap.heap && grow_heap(&ts->heap))
		panic("timer: no memory for CPU %u's timer heap", cpu);
}

void timer_dump(void)
{
	unsigned int cpu;
	s_time_t now = NOW();

	printk("Timers at %lld.%06lld ms since boot:\n", (long long)(now / 1000000), (long long)(now % 1000000));
	for_each_online_cpu(cpu) {
		struct timers *ts = &per_cpu(timers, cpu);
		unsigned long flags = spin_lock_irqsave(&ts->lock);

		printk(" CPU%u: %u active\n", cpu, ts->heap.size);
		for (unsigned int i = 1; i <= ts->heap.size; i++) {
			const struct timer *t = ts->heap.heap[i];
			uint64_t off, size;
			const char *fn = symbol_lookup((uint64_t)(uintptr_t)t->function, &off, &size);

			printk("   ex=%+lldus %s(%p)\n", (long long)((t->expires - now) / 1000), fn ? fn : "?",
			       t->data);
		}
		spin_unlock_irqrestore(&ts->lock, flags);
	}
}

static void dump_timers_key(unsigned char key)
{
	timer_dump();
}
#include <hv/keyhandler.h>
keyhandler('t', dump_timers_key, "dump timer queues");
