/*
 * The credit scheduler: Xen's credit1 semantics, written for Basalt.
 *
 * Every domain has a weight (default 256) and optionally a cap (% of one
 * pCPU). Once per accounting period (the time slice, 30 ms; the time that
 * really passed is what counts) credit (ns of CPU time) is shared out among
 * the active vCPUs in proportion to their domains' weights: uncapped
 * domains get, in all, the CPU time their vCPUs used (credit_account says
 * why), capped ones their share of the period within the cap. Running
 * burns credit at the rate of wall time. A vCPU
 * with credit left is UNDER, one in debt is OVER; a vCPU woken from
 * blocking while UNDER is BOOSTed until the next tick sees it running, so
 * that I/O-bound vCPUs get the CPU at once. A capped vCPU in debt is
 * parked (runnable, but on no queue) until accounting gives it credit.
 *
 * Each pCPU has a run queue ordered by priority, then by credit (highest
 * first), first-come-first-served among equals; ordering by credit inside
 * a priority keeps long-run shares close to the weights even when every
 * vCPU is OVER. A pCPU whose best choice is OVER or idle first looks for
 * better work in the other pCPUs' queues (stealing it: hard affinity always
 * respected, soft affinity preferred); a vCPU queued while an allowed pCPU
 * idles makes that pCPU reschedule.
 *
 * A vCPU is "active" (gets credit) from its creation until an accounting
 * finds it blocked and holding more than a whole period's credit (it is not
 * using its share); it becomes active again when it wakes or a tick finds
 * it running. What clamped vCPUs could not take is shared out again among
 * the vCPUs that used theirs, so that all CPU time is accounted for and
 * debts do not drift (Xen's credit1 loses it, which blurs its weights).
 *
 * Pure: no locks, no clock, no hardware (hv/sched_policy.h); the driver
 * serialises the calls. Lock order: none (the driver's lock covers all).
 */
#include <hv/errno.h>
#include <hv/sched_policy.h>

static void tickle(struct sched_sys *s, unsigned int cpu)
{
	s->env->tickle(s, cpu);
}

static int credit_pri(const struct sched_unit *u)
{
	return u->credit >= 0 ? SCHED_PRI_UNDER : SCHED_PRI_OVER;
}

static bool over_cap(const struct sched_unit *u)
{
	return u->dom->cap && u->credit <= 0;
}

static void burn(struct sched_unit *u, s_time_t now)
{
	if (now > u->last_burn) {
		u->credit -= now - u->last_burn;
		u->cpu_time += now - u->last_burn;
		u->last_burn = now;
	}
}

/* ------------------------------------------------------------ run queues */

/* Does a go before b in a run queue? */
static bool goes_before(const struct sched_unit *a, const struct sched_unit *b)
{
	if (a->pri != b->pri)
		return a->pri > b->pri;
	if (a->yield != b->yield)
		return b->yield;
	return a->credit > b->credit;
}

static void runq_insert(struct sched_sys *s, unsigned int cpu, struct sched_unit *u)
{
	struct sched_pcpu *pc = &s->pcpu[cpu];
	struct sched_unit *at = pc->rq_head;

	while (at && !goes_before(u, at))
		at = at->rq_next;
	/* a yielding unit also lets the first one of lower priority go first
	 * (as Xen's credit1 does): otherwise an UNDER vCPU yielding to an OVER
	 * one would get its pCPU straight back */
	if (u->yield && at && at->pri < u->pri)
		at = at->rq_next;
	u->rq_next = at;
	u->rq_prev = at ? at->rq_prev : pc->rq_tail;
	if (u->rq_prev)
		u->rq_prev->rq_next = u;
	else
		pc->rq_head = u;
	if (at)
		at->rq_prev = u;
	else
		pc->rq_tail = u;
	pc->nr_queued++;
	s->nr_queued++;
	u->counted_under = u->pri >= SCHED_PRI_UNDER;
	s->nr_queued_under += u->counted_under;
	u->cpu = cpu;
	u->state = SU_QUEUED;
}

static void runq_remove(struct sched_sys *s, struct sched_unit *u)
{
	struct sched_pcpu *pc = &s->pcpu[u->cpu];

	if (u->rq_prev)
		u->rq_prev->rq_next = u->rq_next;
	else
		pc->rq_head = u->rq_next;
	if (u->rq_next)
		u->rq_next->rq_prev = u->rq_prev;
	else
		pc->rq_tail = u->rq_prev;
	u->rq_next = u->rq_prev = NULL;
	pc->nr_queued--;
	s->nr_queued--;
	s->nr_queued_under -= u->counted_under;
	u->counted_under = false;
	u->state = SU_IDLE;
}

/* Credits changed under the queue (accounting): put it in order again. */
static void runq_resort(struct sched_sys *s, unsigned int cpu)
{
	struct sched_pcpu *pc = &s->pcpu[cpu];
	struct sched_unit *u = pc->rq_head;

	pc->rq_head = pc->rq_tail = NULL;
	s->nr_queued -= pc->nr_queued;
	pc->nr_queued = 0;
	for (struct sched_unit *v = u; v; v = v->rq_next)
		s->nr_queued_under -= v->counted_under;
	while (u) {
		struct sched_unit *next = u->rq_next;

		runq_insert(s, cpu, u);
		u = next;
	}
}

/* ------------------------------------------------------------ placement */

static unsigned int next_in(const cpumask_t *m, unsigned int from)
{
	unsigned int c = find_next_bit(m->bits, NR_CPUS, from);

	return c < NR_CPUS ? c : find_first_bit(m->bits, NR_CPUS);
}

static unsigned int load_of(const struct sched_sys *s, unsigned int cpu)
{
	return s->pcpu[cpu].nr_queued + (s->pcpu[cpu].curr != NULL);
}

/* The pCPU for a unit that becomes runnable: its own if idle, else an idle
 * one (soft affinity first), else its own if allowed, else the least loaded
 * it prefers. */
static unsigned int pick_cpu(struct sched_sys *s, struct sched_unit *u)
{
	cpumask_t hard, pref, tmp;
	unsigned int cpu = u->cpu, best = NR_CPUS, c;

	bitmap_and(hard.bits, u->hard.bits, s->online.bits, NR_CPUS);
	if (cpumask_empty(&hard))
		cpumask_copy(&hard, &s->online); /* set_affinity refuses this; be safe */
	bitmap_and(pref.bits, hard.bits, u->soft.bits, NR_CPUS);
	if (cpumask_empty(&pref))
		cpumask_copy(&pref, &hard);
	if (cpumask_test_cpu(cpu, &pref) && cpumask_test_cpu(cpu, &s->idlers))
		return cpu;
	bitmap_and(tmp.bits, pref.bits, s->idlers.bits, NR_CPUS);
	if (!cpumask_empty(&tmp))
		return next_in(&tmp, cpu);
	bitmap_and(tmp.bits, hard.bits, s->idlers.bits, NR_CPUS);
	if (!cpumask_empty(&tmp))
		return next_in(&tmp, cpu);
	if (cpumask_test_cpu(cpu, &pref))
		return cpu;
	for_each_cpu(c, &pref)
		if (best == NR_CPUS || load_of(s, c) < load_of(s, best))
			best = c;
	return best;
}

/* Queue a runnable unit somewhere and make sure someone looks at it. */
static void place(struct sched_sys *s, struct sched_unit *u)
{
	unsigned int cpu = pick_cpu(s, u);
	struct sched_pcpu *pc = &s->pcpu[cpu];

	if (cpu != u->cpu)
		u->nr_migrations++;
	runq_insert(s, cpu, u);
	if (!pc->curr) {
		cpumask_clear_cpu(cpu, &s->idlers); /* claimed: the next wake-up looks elsewhere */
		tickle(s, cpu);
	} else if (u->pri > pc->curr->pri) {
		tickle(s, cpu);
	}
}

/* Units waiting on 'cpu' that an idle pCPU may run: wake that pCPU. */
static void tickle_idlers_for(struct sched_sys *s, unsigned int cpu)
{
	cpumask_t tmp;

	for (struct sched_unit *u = s->pcpu[cpu].rq_head; u && !cpumask_empty(&s->idlers); u = u->rq_next) {
		bitmap_and(tmp.bits, u->hard.bits, s->idlers.bits, NR_CPUS);
		if (cpumask_empty(&tmp))
			continue;
		unsigned int c = next_in(&tmp, cpu);

		cpumask_clear_cpu(c, &s->idlers);
		tickle(s, c);
	}
}

/*
 * Take a unit of priority above 'floor' from another pCPU's queue that may
 * run on 'cpu'. Queues are sorted, so each is read only down to 'floor'.
 * Units whose soft affinity includes 'cpu' are preferred (first pass).
 */
static struct sched_unit *steal(struct sched_sys *s, unsigned int cpu, int floor)
{
	bool soft_skipped = false;

	/* nothing that could qualify is queued anywhere: skip the scan */
	if (s->nr_queued_under == 0 && (floor >= SCHED_PRI_OVER || s->nr_queued == s->pcpu[cpu].nr_queued))
		return NULL;

	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 1; i < s->nr_cpus; i++) {
			unsigned int peer = (cpu + i) % s->nr_cpus;
			struct sched_pcpu *pp = &s->pcpu[peer];

			/* an idle peer is about to run its queue itself (it was
			 * told to when the unit was queued) */
			if (!pp->nr_queued || !pp->curr)
				continue;
			for (struct sched_unit *u = pp->rq_head; u && u->pri > floor; u = u->rq_next) {
				if (!cpumask_test_cpu(cpu, &u->hard))
					continue;
				if (pass == 0 && !cpumask_test_cpu(cpu, &u->soft)) {
					soft_skipped = true;
					continue;
				}
				runq_remove(s, u);
				u->nr_migrations++;
				s->pcpu[cpu].nr_steals++;
				return u;
			}
		}
		if (!soft_skipped)
			break;
	}
	return NULL;
}

/* ------------------------------------------------------------ the policy calls */

static void credit_init(struct sched_sys *s)
{
	cpumask_clear(&s->idlers);
	s->doms = NULL;
	s->nr_online = 0;
}

static void credit_cpu_add(struct sched_sys *s, unsigned int cpu)
{
	if (cpumask_test_cpu(cpu, &s->online))
		return;
	cpumask_set_cpu(cpu, &s->online);
	cpumask_set_cpu(cpu, &s->idlers);
	s->nr_online++;
}

static void credit_dom_insert(struct sched_sys *s, struct sched_dom *d)
{
	d->weight = SCHED_DEFAULT_WEIGHT;
	d->cap = 0;
	d->units = NULL;
	d->nr_units = 0;
	d->next = s->doms;
	s->doms = d;
}

static void credit_dom_remove(struct sched_sys *s, struct sched_dom *d)
{
	for (struct sched_dom **pp = &s->doms; *pp; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
}

static void credit_unit_insert(struct sched_sys *s, struct sched_unit *u)
{
	struct sched_dom *d = u->dom;
	cpumask_t hard;

	u->state = SU_IDLE;
	u->credit = 0;
	u->pri = SCHED_PRI_UNDER;
	u->active = true;
	u->yield = false;
	u->rq_next = u->rq_prev = NULL;
	bitmap_and(hard.bits, u->hard.bits, s->online.bits, NR_CPUS);
	/* spread new units; where they wake decides where they run */
	u->cpu = cpumask_empty(&hard) ? 0 : next_in(&hard, s->rotor % NR_CPUS);
	s->rotor = u->cpu + 1;
	u->dom_next = d->units;
	d->units = u;
	d->nr_units++;
}

static void credit_unit_remove(struct sched_sys *s, struct sched_unit *u)
{
	struct sched_dom *d = u->dom;

	if (u->state == SU_QUEUED)
		runq_remove(s, u);
	if (u->state == SU_RUNNING && s->pcpu[u->cpu].curr == u)
		s->pcpu[u->cpu].curr = NULL; /* the driver should not let this happen */
	u->state = SU_IDLE;
	for (struct sched_unit **pp = &d->units; *pp; pp = &(*pp)->dom_next)
		if (*pp == u) {
			*pp = u->dom_next;
			d->nr_units--;
			break;
		}
}

static void credit_wake(struct sched_sys *s, struct sched_unit *u, s_time_t now, bool from_block)
{
	if (u->state != SU_IDLE)
		return;
	u->last_burn = now;
	u->active = true; /* it wants CPU: it takes part in the next sharing */
	u->pri = credit_pri(u);
	if (from_block && u->pri == SCHED_PRI_UNDER)
		u->pri = SCHED_PRI_BOOST;
	if (over_cap(u)) {
		u->state = SU_PARKED;
		return;
	}
	place(s, u);
}

static void credit_sleep(struct sched_sys *s, struct sched_unit *u, s_time_t now)
{
	switch (u->state) {
	case SU_QUEUED:
		runq_remove(s, u);
		break;
	case SU_PARKED:
		u->state = SU_IDLE;
		break;
	case SU_RUNNING:
		tickle(s, u->cpu);
		break;
	case SU_IDLE:
		break;
	}
}

/* The previous unit of 'cpu' gives up its pCPU: true if it keeps it
 * (rate limit), with *slice set. */
static bool put_prev(struct sched_sys *s, unsigned int cpu, struct sched_unit *prev, s_time_t now, bool yield,
		     s_time_t *slice)
{
	s_time_t ran = now - prev->run_start;

	burn(prev, now);
	if (!prev->runnable) {
		prev->state = SU_IDLE;
		prev->pri = credit_pri(prev);
		return false;
	}
	if (!cpumask_test_cpu(cpu, &prev->hard)) {
		prev->state = SU_IDLE; /* its affinity changed: move it */
		place(s, prev);
		return false;
	}
	if (over_cap(prev)) {
		prev->state = SU_PARKED;
		prev->pri = SCHED_PRI_OVER;
		return false;
	}
	if (!yield && s->params.ratelimit && ran < s->params.ratelimit) {
		*slice = s->params.ratelimit - ran;
		return true;
	}
	prev->pri = credit_pri(prev); /* BOOST ends when it is taken off */
	prev->yield = yield;
	runq_insert(s, cpu, prev);
	return false;
}

static struct sched_unit *credit_schedule(struct sched_sys *s, unsigned int cpu, s_time_t now, bool yield,
					  s_time_t *slice)
{
	struct sched_pcpu *pc = &s->pcpu[cpu];
	struct sched_unit *prev = pc->curr, *next;

	pc->nr_decisions++;
	pc->curr = NULL;
	if (prev && put_prev(s, cpu, prev, now, yield, slice)) {
		pc->curr = prev;
		return prev;
	}
	next = pc->rq_head;
	if (!next || next->pri < SCHED_PRI_UNDER) {
		struct sched_unit *stolen = steal(s, cpu, next ? next->pri : SCHED_PRI_IDLE);

		if (stolen)
			next = stolen;
		else if (next)
			runq_remove(s, next);
	} else {
		runq_remove(s, next);
	}
	*slice = 0;
	if (next) {
		next->state = SU_RUNNING;
		next->cpu = cpu;
		next->yield = false;
		next->run_start = next->last_burn = now;
		pc->curr = next;
		cpumask_clear_cpu(cpu, &s->idlers);
		*slice = s->params.tslice;
		if (next->dom->cap && next->credit < *slice)
			*slice = MAX(next->credit, (s_time_t)1000); /* runs out of credit then: parked */
	} else {
		cpumask_set_cpu(cpu, &s->idlers);
	}
	tickle_idlers_for(s, cpu);
	return next;
}

static bool credit_tick(struct sched_sys *s, unsigned int cpu, s_time_t now)
{
	struct sched_pcpu *pc = &s->pcpu[cpu];
	struct sched_unit *u = pc->curr;

	if (!u)
		return pc->nr_queued != 0;
	burn(u, now);
	u->active = true;
	u->pri = credit_pri(u); /* BOOST ends at the first tick it runs through */
	if (!u->runnable || over_cap(u))
		return true;
	if (pc->rq_head && pc->rq_head->pri > u->pri)
		return true;
	/* running OVER while better work waits elsewhere: go and look (the
	 * decision steals it if its affinity allows) */
	return u->pri == SCHED_PRI_OVER && s->nr_queued_under > (pc->rq_head && pc->rq_head->pri >= SCHED_PRI_UNDER);
}

static unsigned int nr_active_units(const struct sched_dom *d)
{
	unsigned int n = 0;

	for (const struct sched_unit *u = d->units; u; u = u->dom_next)
		n += u->active;
	return n;
}

/* A domain's share of this period's CPU time (all its active units). */
static uint64_t dom_share(const struct sched_sys *s, const struct sched_dom *d, unsigned int nr_active,
			  uint64_t weight_sum)
{
	uint64_t period = (uint64_t)s->acct_period, total = period * s->nr_online;
	uint64_t share = total * ((uint64_t)d->weight * nr_active) / weight_sum;

	/* a capped domain: one pCPU per vCPU at most, and the cap; an uncapped
	 * one's share is scaled to the time used (credit_account), and what a
	 * unit cannot use comes back as excess */
	if (d->cap)
		share = MIN(MIN(share, period * nr_active), period * d->cap / 100);
	return share;
}

/*
 * Give the domain's active units their share; an uncapped domain's share is
 * scaled by scale/65536 (see credit_account). A unit that would hold more
 * than a whole period's credit (a capped one: more than a period's
 * allowance) is not using its share: it is clamped and stops being active,
 * and what it could not take goes back to the pool (*excess) for the units
 * that used theirs, so that all the CPU time is shared out. Returns the
 * weight of this domain's units that can take more.
 */
static uint64_t account_dom(struct sched_sys *s, struct sched_dom *d, uint64_t weight_sum, uint64_t scale,
			    s_time_t *excess)
{
	unsigned int nr_active = nr_active_units(d);
	uint64_t takers = 0, share;
	s_time_t per, ceiling;

	if (!nr_active)
		return 0;
	share = dom_share(s, d, nr_active, weight_sum);
	if (!d->cap)
		share = (share * scale) >> 16;
	per = (s_time_t)DIV_ROUND_UP(share, nr_active);
	ceiling = d->cap ? per : s->params.tslice;
	for (struct sched_unit *u = d->units; u; u = u->dom_next) {
		if (!u->active)
			continue;
		u->credit += per;
		if (u->credit > ceiling && u->state != SU_PARKED) {
			*excess += u->credit - ceiling;
			u->credit = ceiling;
			/* only a unit that does not want the CPU stops taking part:
			 * a runnable one that could not use its credit (others ran
			 * on a late tick) would otherwise lose a whole period */
			u->active = u->state != SU_IDLE;
			s->nr_clamped++;
		} else if (!d->cap) {
			takers += d->weight;
		}
	}
	return takers;
}

/* After the shares: hand out the excess, bound the debt, set priorities,
 * release parked units that have credit again. */
static void account_finish_dom(struct sched_sys *s, struct sched_dom *d, s_time_t now, s_time_t excess, uint64_t takers)
{
	s_time_t floor = -2 * s->params.tslice;
	s_time_t extra = takers && !d->cap ? (s_time_t)((uint64_t)excess * d->weight / takers) : 0;

	for (struct sched_unit *u = d->units; u; u = u->dom_next) {
		if (u->active && extra)
			u->credit = MIN(u->credit + extra, s->params.tslice);
		if (u->credit < floor) {
			u->credit = floor;
			s->nr_clamped++;
		}
		if (u->state == SU_PARKED && u->credit > 0) {
			u->state = SU_IDLE;
			u->pri = credit_pri(u);
			u->last_burn = now;
			place(s, u);
		} else if ((u->state == SU_QUEUED || u->state == SU_RUNNING) && u->pri != SCHED_PRI_BOOST) {
			u->pri = credit_pri(u);
		}
	}
}

static void credit_account(struct sched_sys *s, s_time_t now)
{
	uint64_t weight_sum = 0, takers = 0, used = 0, shares = 0, scale = 1u << 16;
	s_time_t excess = 0;
	unsigned int cpu;

	s->nr_accountings++;
	/* Share out the time that actually passed: a late accounting (a busy
	 * or emulated host) must not hand out less than was used, or every
	 * debt sinks to the floor and the weights are lost. */
	s->acct_period = s->last_acct ? now - s->last_acct : s->params.tslice;
	s->acct_period = MAX(MIN(s->acct_period, 4 * s->params.tslice), (s_time_t)1);
	s->last_acct = now;
	for (struct sched_dom *d = s->doms; d; d = d->next)
		for (struct sched_unit *u = d->units; u; u = u->dom_next) {
			if (u->state == SU_RUNNING)
				burn(u, now);
			if (u->active)
				weight_sum += d->weight;
			if (u->active && !d->cap)
				used += (uint64_t)(u->cpu_time - u->acct_cpu_time);
			u->acct_cpu_time = u->cpu_time;
		}
	if (!weight_sum || !s->nr_online)
		return;
	/*
	 * Uncapped domains get no more credit in all than they used: time
	 * nobody was charged for (an idle moment, a unit not started yet)
	 * would otherwise pile up as credit that the scheduler, which keeps
	 * credits level, spreads evenly, until the ceiling clamps the units
	 * with the largest weights and blurs the shares.
	 */
	for (struct sched_dom *d = s->doms; d; d = d->next) {
		unsigned int n = nr_active_units(d);

		if (n && !d->cap)
			shares += dom_share(s, d, n, weight_sum);
	}
	if (shares > used)
		scale = (used << 16) / shares;
	for (struct sched_dom *d = s->doms; d; d = d->next)
		takers += account_dom(s, d, weight_sum, scale, &excess);
	for (struct sched_dom *d = s->doms; d; d = d->next)
		account_finish_dom(s, d, now, excess, takers);
	for_each_cpu(cpu, &s->online) {
		struct sched_pcpu *pc = &s->pcpu[cpu];

		if (pc->nr_queued) /* order, and the UNDER count */
			runq_resort(s, cpu);
		if (pc->rq_head && (!pc->curr || pc->rq_head->pri > pc->curr->pri))
			tickle(s, cpu);
	}
}

static int credit_set_params(struct sched_sys *s, struct sched_dom *d, unsigned int weight, unsigned int cap)
{
	if (weight < 1 || weight > SCHED_MAX_WEIGHT || cap > 100 * MAX(d->nr_units, 1u))
		return -XEN_EINVAL;
	d->weight = weight;
	d->cap = cap;
	if (!cap)
		for (struct sched_unit *u = d->units; u; u = u->dom_next)
			if (u->state == SU_PARKED) {
				u->state = SU_IDLE;
				place(s, u);
			}
	return 0;
}

static int credit_set_affinity(struct sched_sys *s, struct sched_unit *u, const cpumask_t *hard, const cpumask_t *soft,
			       s_time_t now)
{
	cpumask_t tmp;

	bitmap_and(tmp.bits, hard->bits, s->online.bits, NR_CPUS);
	if (cpumask_empty(&tmp))
		return -XEN_EINVAL;
	cpumask_copy(&u->hard, hard);
	cpumask_copy(&u->soft, soft);
	if (cpumask_test_cpu(u->cpu, &tmp))
		return 0;
	switch (u->state) {
	case SU_QUEUED:
		runq_remove(s, u);
		place(s, u);
		break;
	case SU_RUNNING:
		tickle(s, u->cpu); /* its next decision moves it */
		break;
	default:
		u->cpu = next_in(&tmp, u->cpu);
	}
	return 0;
}

const char *sched_pri_name(int pri)
{
	static const char *const names[] = { "IDLE", "OVER", "UNDER", "BOOST" };

	return pri >= 0 && pri < (int)ARRAY_SIZE(names) ? names[pri] : "?";
}

static void dump_unit(struct sched_sys *s, const struct sched_unit *u)
{
	s->env->print(" d%uv%u %s %+lldus", u->dom->id, u->id, sched_pri_name(u->pri), (long long)(u->credit / 1000));
}

static void credit_dump(struct sched_sys *s, s_time_t now)
{
	static const char *const states[] = { "idle", "queued", "running", "parked" };
	unsigned int cpu;

	s->env->print("Scheduler: credit; tslice %lld ms, tick %lld ms, ratelimit %lld us; %u pCPUs; %llu accountings, "
		      "%llu clamped\n",
		      (long long)(s->params.tslice / 1000000), (long long)(s->params.tick / 1000000),
		      (long long)(s->params.ratelimit / 1000), s->nr_online, (unsigned long long)s->nr_accountings,
		      (unsigned long long)s->nr_clamped);
	for_each_cpu(cpu, &s->online) {
		const struct sched_pcpu *pc = &s->pcpu[cpu];

		s->env->print(" CPU%u: %llu decisions, %llu steals; running", cpu, (unsigned long long)pc->nr_decisions,
			      (unsigned long long)pc->nr_steals);
		if (pc->curr)
			dump_unit(s, pc->curr);
		else
			s->env->print(" idle");
		s->env->print("; queue (%u):", pc->nr_queued);
		for (const struct sched_unit *u = pc->rq_head; u; u = u->rq_next)
			dump_unit(s, u);
		s->env->print("\n");
	}
	for (const struct sched_dom *d = s->doms; d; d = d->next) {
		s->env->print(" d%u: weight %u, cap %u%%:", d->id, d->weight, d->cap);
		for (const struct sched_unit *u = d->units; u; u = u->dom_next)
			s->env->print(" v%u %s cpu%u %lldms %llumig%s", u->id, states[u->state], u->cpu,
				      (long long)(u->cpu_time / 1000000), (unsigned long long)u->nr_migrations,
				      u->active ? "" : " inactive");
		s->env->print("\n");
	}
}

const struct sched_policy sched_credit = {
	.name = "credit",
	.init = credit_init,
	.cpu_add = credit_cpu_add,
	.dom_insert = credit_dom_insert,
	.dom_remove = credit_dom_remove,
	.unit_insert = credit_unit_insert,
	.unit_remove = credit_unit_remove,
	.wake = credit_wake,
	.sleep = credit_sleep,
	.schedule = credit_schedule,
	.tick = credit_tick,
	.account = credit_account,
	.set_params = credit_set_params,
	.set_affinity = credit_set_affinity,
	.dump = credit_dump,
};
