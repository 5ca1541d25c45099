/*
 * Scheduler benchmark in the simulator (`make bench`, bench/sched.py runs
 * it): for 4, 64 and 256 pCPUs with 16 CPU-bound vCPUs per pCPU (4096 at
 * the largest), each in its own domain with a weight from 64 to 1024,
 * the host cost of one scheduling decision (the policy's schedule()) and
 * of one accounting pass, and the fairness error: each vCPU's share of the
 * machine against its weight's entitlement (every vCPU can use its share:
 * nobody's entitlement reaches a whole pCPU). Prints docs/bench.md rows.
 *
 *   sched_sim [seconds of simulated time, default 20]
 */
#include "sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct result {
	double decision_ns, decision_mean, account_us, err_median, err_max;
	uint64_t decisions, accounts;
	unsigned int vcpus;
};

static struct result run(unsigned int cpus, double seconds)
{
	static const unsigned int weights[] = { 64, 128, 256, 512, 1024 };
	unsigned int n = 16 * cpus;
	struct sim *s = sim_new(cpus, n, n, &sim_default_params);
	uint64_t seed = 0x5eed + cpus, wsum = 0;
	double *err = calloc(n, sizeof(*err));
	struct result r = { 0 };

	if (!err)
		abort();
	for (unsigned int i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		sim_add_vcpu(s, i, SIM_HOG, 0, 0, NULL);
		sim_set_params(s, i, weights[(seed >> 33) % 5], 0);
		wsum += s->dom[i].weight;
	}
	sim_start(s);
	sim_run_until(s, SECONDS(1));
	sim_mark(s);
	s->time_decisions = true;
	sim_run_until(s, SECONDS(1) + (s_time_t)(seconds * 1e9));
	for (unsigned int i = 0; i < n; i++) {
		double want = (double)cpus * s->dom[i].weight / (double)wsum;

		err[i] = fabs(sim_share(s, i) - want) / want * 100.0;
	}
	qsort(err, n, sizeof(*err), cmp_double);
	qsort(s->samples, s->nr_samples, sizeof(*s->samples), cmp_u32);
	r.decision_ns = s->nr_samples ? s->samples[s->nr_samples / 2] : NAN;
	r.decision_mean = s->nr_decisions ? (double)s->decision_ns / (double)s->nr_samples : NAN;
	r.account_us = s->nr_accounts ? (double)s->account_ns / (double)s->nr_accounts / 1000.0 : NAN;
	r.err_median = err[n / 2];
	r.err_max = err[n - 1];
	r.decisions = s->nr_samples;
	r.accounts = s->nr_accounts;
	r.vcpus = n;
	free(err);
	sim_free(s);
	return r;
}

int main(int argc, char **argv)
{
	static const unsigned int sizes[] = { 4, 64, 256 };
	double seconds = argc > 1 ? atof(argv[1]) : 20.0;
	struct result r[3];

	if (seconds <= 0)
		seconds = 20.0;
	for (unsigned int i = 0; i < 3; i++)
		r[i] = run(sizes[i], seconds);
	for (unsigned int i = 0; i < 3; i++) {
		printf("bench sched.sim.decision.p%u %.1f ns runs=%llu", sizes[i], r[i].decision_ns,
		       (unsigned long long)r[i].decisions);
		if (i)
			printf(" ratio=%.2f baseline=sched.sim.decision.p4", r[i].decision_ns / r[0].decision_ns);
		printf(" mean=%.1f vcpus=%u\n", r[i].decision_mean, r[i].vcpus);
	}
	for (unsigned int i = 0; i < 3; i++) {
		printf("bench sched.sim.account.p%u %.1f us runs=%llu", sizes[i], r[i].account_us,
		       (unsigned long long)r[i].accounts);
		if (i)
			printf(" ratio=%.2f baseline=sched.sim.account.p4", r[i].account_us / r[0].account_us);
		printf(" vcpus=%u\n", r[i].vcpus);
	}
	for (unsigned int i = 0; i < 3; i++)
		printf("bench sched.sim.fairness_err.p%u %.2f %% runs=%u max=%.2f\n", sizes[i], r[i].err_median,
		       r[i].vcpus, r[i].err_max);
	return 0;
}
