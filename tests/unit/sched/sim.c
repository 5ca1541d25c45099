/*
 * The scheduler simulator (sim.h): an event heap, simulated pCPUs driving
 * the policy as common/sched/core.c does, simulated vCPUs.
 */
#define _GNU_SOURCE
#include "sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* lib/bitmap.c's list printer needs it; the C library does the work here */
int scnprintf(char *buf, size_t size, const char *fmt, ...);
int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	return size ? (int)MIN((size_t)n, size - 1) : 0;
}

enum { EV_TIMER, EV_RESCHED, EV_ACCOUNT, EV_BLOCK, EV_WAKE };

const struct sched_params sim_default_params = {
	.tslice = MILLISECS(30),
	.tick = MILLISECS(10),
	.ratelimit = MICROSECS(1000),
};

/* ------------------------------------------------------------ event heap */

static bool ev_before(const struct sim_event *a, const struct sim_event *b)
{
	return a->t != b->t ? a->t < b->t : a->seq < b->seq;
}

static void push(struct sim *s, s_time_t t, int type, unsigned int idx, uint64_t gen)
{
	unsigned int i;

	if (s->heap_n == s->heap_max) {
		s->heap_max = s->heap_max ? 2 * s->heap_max : 1024;
		s->heap = realloc(s->heap, s->heap_max * sizeof(*s->heap));
		if (!s->heap)
			abort();
	}
	i = s->heap_n++;
	s->heap[i] = (struct sim_event){ t, s->seq++, type, idx, gen };
	while (i && ev_before(&s->heap[i], &s->heap[(i - 1) / 2])) {
		struct sim_event tmp = s->heap[i];

		s->heap[i] = s->heap[(i - 1) / 2];
		s->heap[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
}

static struct sim_event pop(struct sim *s)
{
	struct sim_event top = s->heap[0];
	unsigned int i = 0;

	s->heap[0] = s->heap[--s->heap_n];
	for (;;) {
		unsigned int l = 2 * i + 1, r = l + 1, m = i;

		if (l < s->heap_n && ev_before(&s->heap[l], &s->heap[m]))
			m = l;
		if (r < s->heap_n && ev_before(&s->heap[r], &s->heap[m]))
			m = r;
		if (m == i)
			break;
		struct sim_event tmp = s->heap[i];

		s->heap[i] = s->heap[m];
		s->heap[m] = tmp;
		i = m;
	}
	return top;
}

/* ------------------------------------------------------------ the env */

static void env_tickle(struct sched_sys *sys, unsigned int cpu)
{
	struct sim *s = sys->env_data;

	if (s->cpu[cpu].resched_pending)
		return;
	s->cpu[cpu].resched_pending = true;
	push(s, s->now, EV_RESCHED, cpu, 0);
}

static void env_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (getenv("SIM_VERBOSE"))
		vprintf(fmt, ap);
	va_end(ap);
}

static const struct sched_env sim_env = { .tickle = env_tickle, .print = env_print };

/* ------------------------------------------------------------ set-up */

struct sim *sim_new(unsigned int nr_cpus, unsigned int nr_dom, unsigned int max_v, const struct sched_params *p)
{
	struct sim *s = calloc(1, sizeof(*s));

	if (!s || nr_cpus > NR_CPUS)
		abort();
	s->nr_cpus = nr_cpus;
	s->pcpu = calloc(nr_cpus, sizeof(*s->pcpu));
	s->cpu = calloc(nr_cpus, sizeof(*s->cpu));
	s->v = calloc(max_v, sizeof(*s->v));
	s->dom = calloc(nr_dom, sizeof(*s->dom));
	if (!s->pcpu || !s->cpu || !s->v || !s->dom)
		abort();
	s->max_v = max_v;
	s->nr_dom = nr_dom;
	s->samples = calloc(SIM_MAX_SAMPLES, sizeof(*s->samples));
	if (!s->samples)
		abort();
	s->sys.ops = &sched_credit;
	s->sys.env = &sim_env;
	s->sys.env_data = s;
	s->sys.params = *p;
	s->sys.nr_cpus = nr_cpus;
	s->sys.pcpu = s->pcpu;
	s->sys.ops->init(&s->sys);
	for (unsigned int c = 0; c < nr_cpus; c++)
		s->sys.ops->cpu_add(&s->sys, c);
	for (unsigned int d = 0; d < nr_dom; d++) {
		s->dom[d].id = d + 1;
		s->sys.ops->dom_insert(&s->sys, &s->dom[d]);
	}
	return s;
}

void sim_free(struct sim *s)
{
	free(s->samples);
	free(s->heap);
	free(s->v);
	free(s->dom);
	free(s->cpu);
	free(s->pcpu);
	free(s);
}

unsigned int sim_add_vcpu(struct sim *s, unsigned int dom, enum sim_kind kind, s_time_t burst, s_time_t sleep,
			  const cpumask_t *hard)
{
	unsigned int i = s->nr_v++;
	struct sim_vcpu *v = &s->v[i];

	if (i >= s->max_v || dom >= s->nr_dom)
		abort();
	v->kind = kind;
	v->burst = v->left = burst;
	v->sleep = sleep;
	v->woke_at = -1;
	v->u.dom = &s->dom[dom];
	v->u.id = s->dom[dom].nr_units;
	v->u.owner = v;
	if (hard)
		cpumask_copy(&v->u.hard, hard);
	else
		bitmap_fill(v->u.hard.bits, NR_CPUS);
	bitmap_fill(v->u.soft.bits, NR_CPUS);
	s->sys.ops->unit_insert(&s->sys, &v->u);
	return i;
}

int sim_set_params(struct sim *s, unsigned int dom, unsigned int weight, unsigned int cap)
{
	return s->sys.ops->set_params(&s->sys, &s->dom[dom], weight, cap);
}

int sim_set_affinity(struct sim *s, unsigned int v, const cpumask_t *hard, const cpumask_t *soft)
{
	cpumask_t all;

	bitmap_fill(all.bits, NR_CPUS);
	return s->sys.ops->set_affinity(&s->sys, &s->v[v].u, hard, soft ? soft : &all, s->now);
}

/* ------------------------------------------------------------ the pCPU driver */

static uint64_t host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static s_time_t late(struct sim *s)
{
	if (!s->timer_jitter)
		return 0;
	s->rng = s->rng * 6364136223846793005ull + 1442695040888963407ull;
	return (s_time_t)((s->rng >> 33) % (uint64_t)s->timer_jitter);
}

static void arm(struct sim *s, unsigned int cpu)
{
	struct sim_cpu *c = &s->cpu[cpu];
	s_time_t when = c->slice_end;

	if (c->next_tick && (!when || c->next_tick < when))
		when = c->next_tick;
	c->timer_gen++;
	if (when)
		when += late(s);
	if (when)
		push(s, when, EV_TIMER, cpu, c->timer_gen);
}

/* What core.c's schedule() does, with simulated guests. */
static void do_schedule_yield(struct sim *s, unsigned int cpu, bool yield)
{
	struct sim_cpu *c = &s->cpu[cpu];
	struct sim_vcpu *prev = c->curr, *next;
	struct sched_unit *nu;
	s_time_t slice = 0, ran = s->now - c->since;
	uint64_t t0 = 0;

	if (prev) {
		prev->run_ns += ran;
		if (prev->kind == SIM_IO)
			prev->left -= ran;
		prev->gen++;
		prev->u.runnable = !prev->blocked;
	} else {
		c->idle_ns += ran;
	}
	if (s->time_decisions)
		t0 = host_ns();
	nu = s->sys.ops->schedule(&s->sys, cpu, s->now, yield, &slice);
	if (s->time_decisions) {
		uint64_t ns = host_ns() - t0;

		s->decision_ns += ns;
		if (s->nr_samples < SIM_MAX_SAMPLES)
			s->samples[s->nr_samples++] = (uint32_t)MIN(ns, (uint64_t)UINT32_MAX);
	}
	s->nr_decisions++;
	next = nu ? nu->owner : NULL;
	c->since = s->now;
	c->curr = next;
	if (next) {
		if (!cpumask_test_cpu(cpu, &next->u.hard))
			next->bad_cpu++;
		if (!cpumask_test_cpu(cpu, &next->u.soft)) {
			next->soft_miss++;
			if (getenv("SIM_VERBOSE"))
				printf("t=%lld: d%uv%u on CPU%u, outside its soft affinity\n", (long long)s->now,
				       next->u.dom->id, next->u.id, cpu);
		}
		if (next->woke_at >= 0) {
			s_time_t w = s->now - next->woke_at;

			next->max_wait = MAX(next->max_wait, w);
			next->sum_wait += w;
			next->nr_waits++;
			next->woke_at = -1;
		}
		if (next->kind == SIM_IO)
			push(s, s->now + MAX(next->left, (s_time_t)0), EV_BLOCK, (unsigned int)(next - s->v),
			     next->gen);
		c->slice_end = s->now + slice;
		if (!c->next_tick)
			c->next_tick = s->now + s->sys.params.tick;
	} else {
		c->slice_end = 0;
		c->next_tick = 0;
	}
	arm(s, cpu);
}

static void do_schedule(struct sim *s, unsigned int cpu)
{
	do_schedule_yield(s, cpu, false);
}

struct sim_vcpu *sim_yield(struct sim *s, unsigned int cpu)
{
	do_schedule_yield(s, cpu, true);
	return s->cpu[cpu].curr;
}

static void on_timer(struct sim *s, unsigned int cpu)
{
	struct sim_cpu *c = &s->cpu[cpu];
	bool resched = c->slice_end && s->now >= c->slice_end;

	if (c->next_tick && s->now >= c->next_tick) {
		resched |= s->sys.ops->tick(&s->sys, cpu, s->now);
		c->next_tick += s->sys.params.tick;
		if (c->next_tick <= s->now)
			c->next_tick = s->now + s->sys.params.tick;
	}
	if (resched) {
		c->slice_end = 0;
		env_tickle(&s->sys, cpu);
	}
	arm(s, cpu);
}

static void on_account(struct sim *s)
{
	uint64_t t0 = s->time_decisions ? host_ns() : 0;

	s->sys.ops->account(&s->sys, s->now);
	if (s->time_decisions)
		s->account_ns += host_ns() - t0;
	s->nr_accounts++;
	push(s, s->now + s->sys.params.tslice + late(s), EV_ACCOUNT, 0, 0);
}

static void wake(struct sim *s, struct sim_vcpu *v, bool from_block)
{
	v->blocked = false;
	v->left = v->burst;
	v->u.runnable = true;
	v->woke_at = s->now;
	if (v->u.state == SU_IDLE)
		s->sys.ops->wake(&s->sys, &v->u, s->now, from_block);
}

/* Its burst is done: it blocks (vcpu_block: its own pCPU reschedules). */
static void on_block(struct sim *s, struct sim_vcpu *v)
{
	unsigned int cpu = v->u.cpu;

	v->blocked = true;
	v->u.runnable = false;
	s->cpu[cpu].resched_pending = false;
	do_schedule(s, cpu);
	push(s, s->now + v->sleep, EV_WAKE, (unsigned int)(v - s->v), 0);
}

/* An idle pCPU while another pCPU runs something and queues work the idle
 * one may run: a balancing failure. Checked once all events at a time ran. */
static void check_idle(struct sim *s)
{
	for (unsigned int c = 0; c < s->nr_cpus; c++) {
		if (s->cpu[c].curr)
			continue;
		for (unsigned int p = 0; p < s->nr_cpus; p++) {
			if (p == c || !s->cpu[p].curr)
				continue;
			for (const struct sched_unit *u = s->pcpu[p].rq_head; u; u = u->rq_next)
				if (cpumask_test_cpu(c, &u->hard)) {
					s->idle_violations++;
					if (getenv("SIM_VERBOSE"))
						printf("t=%lld: CPU%u idle while CPU%u queues d%uv%u\n",
						       (long long)s->now, c, p, u->dom->id, u->id);
				}
		}
	}
	s->idle_checks++;
}

/* The policy's own bookkeeping, from the outside: every queue, count and
 * state agrees with every other. Returns the number of problems found. */
unsigned int sim_check_state(struct sim *s)
{
	unsigned int bad = 0, under = 0, total = 0;

	for (unsigned int c = 0; c < s->nr_cpus; c++) {
		const struct sched_pcpu *pc = &s->pcpu[c];
		unsigned int n = 0;

		for (const struct sched_unit *u = pc->rq_head; u; u = u->rq_next) {
			n++;
			under += u->counted_under;
			bad += u->counted_under != (u->pri >= SCHED_PRI_UNDER);
			bad += u->state != SU_QUEUED || u->cpu != c || !cpumask_test_cpu(c, &u->hard);
			bad += u->rq_next && u->rq_next->rq_prev != u;
		}
		bad += n != pc->nr_queued;
		bad += pc->curr && (pc->curr->state != SU_RUNNING || pc->curr->cpu != c);
		bad += cpumask_test_cpu(c, &s->sys.idlers) && pc->curr;
		bad += pc->curr != (s->cpu[c].curr ? &s->cpu[c].curr->u : NULL);
	}
	bad += under != s->sys.nr_queued_under;
	for (unsigned int c = 0; c < s->nr_cpus; c++)
		total += s->pcpu[c].nr_queued;
	bad += total != s->sys.nr_queued;
	for (unsigned int i = 0; i < s->nr_v; i++) {
		const struct sched_unit *u = &s->v[i].u;

		if (u->runnable)
			bad += u->state == SU_IDLE;
		else
			bad += u->state == SU_QUEUED || u->state == SU_PARKED;
		bad += u->state == SU_RUNNING && s->pcpu[u->cpu].curr != u;
	}
	return bad;
}

void sim_start(struct sim *s)
{
	for (unsigned int i = 0; i < s->nr_v; i++)
		wake(s, &s->v[i], false);
	push(s, s->sys.params.tslice, EV_ACCOUNT, 0, 0);
}

void sim_run_until(struct sim *s, s_time_t until)
{
	while (s->heap_n && s->heap[0].t <= until) {
		struct sim_event ev = pop(s);

		s->now = ev.t;
		switch (ev.type) {
		case EV_TIMER:
			if (ev.gen == s->cpu[ev.idx].timer_gen)
				on_timer(s, ev.idx);
			break;
		case EV_RESCHED:
			if (s->cpu[ev.idx].resched_pending) {
				s->cpu[ev.idx].resched_pending = false;
				do_schedule(s, ev.idx);
			}
			break;
		case EV_ACCOUNT:
			on_account(s);
			break;
		case EV_BLOCK:
			if (ev.gen == s->v[ev.idx].gen && s->cpu[s->v[ev.idx].u.cpu].curr == &s->v[ev.idx])
				on_block(s, &s->v[ev.idx]);
			break;
		case EV_WAKE:
			wake(s, &s->v[ev.idx], true);
			break;
		}
		if (s->check_idle && (!s->heap_n || s->heap[0].t > s->now))
			check_idle(s);
	}
	/* bring the running totals up to 'until' */
	for (unsigned int c = 0; c < s->nr_cpus; c++) {
		struct sim_cpu *cp = &s->cpu[c];

		if (cp->curr) {
			cp->curr->run_ns += until - cp->since;
			if (cp->curr->kind == SIM_IO)
				cp->curr->left -= until - cp->since;
		} else {
			cp->idle_ns += until - cp->since;
		}
		cp->since = until;
	}
	s->now = until;
}

void sim_mark(struct sim *s)
{
	s->mark = s->now;
	for (unsigned int i = 0; i < s->nr_v; i++) {
		s->v[i].run_mark = s->v[i].run_ns;
		s->v[i].max_wait = s->v[i].sum_wait = 0;
		s->v[i].nr_waits = 0;
	}
	for (unsigned int c = 0; c < s->nr_cpus; c++)
		s->cpu[c].idle_mark = s->cpu[c].idle_ns;
}

double sim_share(const struct sim *s, unsigned int v)
{
	return (double)(s->v[v].run_ns - s->v[v].run_mark) / (double)(s->now - s->mark);
}

double sim_idle(const struct sim *s, unsigned int cpu)
{
	return (double)(s->cpu[cpu].idle_ns - s->cpu[cpu].idle_mark) / (double)(s->now - s->mark);
}
