/*
 * The credit scheduler (common/sched/credit.c, unchanged) in the simulator
 * (sim.c): shares by weight, caps, pinning, I/O latency, load balancing,
 * and the control calls' checks. Every share is measured in simulated time.
 */
#include "harness.h"
#include "sim.h"

#include <hv/errno.h>

#define SEC SECONDS(1)

static cpumask_t mask_of(unsigned int first, unsigned int last)
{
	cpumask_t m;

	cpumask_clear(&m);
	for (unsigned int c = first; c <= last; c++)
		cpumask_set_cpu(c, &m);
	return m;
}

static void expect_share(double got, double want, double tol, const char *what)
{
	print_message("%s: share %.4f, expected %.4f +- %.2f\n", what, got, want, tol);
	if (got < want - tol || got > want + tol)
		fail_msg("%s: share %.4f, expected %.4f +- %.4f", what, got, want, tol);
}

/* Weights 512:256:128, one CPU-bound vCPU each, one pCPU: 4:2:1. */
static void test_weights_one_pcpu(void **state)
{
	struct sim *s = sim_new(1, 3, 3, &sim_default_params);
	const unsigned int w[3] = { 512, 256, 128 };
	double total = 0;

	for (unsigned int d = 0; d < 3; d++) {
		assert_int_equal(sim_set_params(s, d, w[d], 0), 0);
		sim_add_vcpu(s, d, SIM_HOG, 0, 0, NULL);
	}
	sim_start(s);
	sim_run_until(s, 2 * SEC);
	sim_mark(s);
	sim_run_until(s, 62 * SEC);
	for (unsigned int i = 0; i < 3; i++) {
		expect_share(sim_share(s, i), w[i] / 896.0, 0.03, "weight");
		total += sim_share(s, i);
	}
	assert_true(total > 0.999); /* work-conserving */
	sim_free(s);
}

/* Weights 512:128 on one pCPU with timers firing up to 25 ms late (a
 * loaded host under emulation, as in the QEMU tests): still 80/20. */
static void test_weights_late_timers(void **state)
{
	struct sim *s = sim_new(1, 2, 2, &sim_default_params);

	s->timer_jitter = MILLISECS(25);
	sim_add_vcpu(s, 0, SIM_HOG, 0, 0, NULL);
	sim_add_vcpu(s, 1, SIM_HOG, 0, 0, NULL);
	assert_int_equal(sim_set_params(s, 0, 512, 0), 0);
	assert_int_equal(sim_set_params(s, 1, 128, 0), 0);
	sim_start(s);
	sim_run_until(s, 1 * SEC);
	sim_mark(s);
	sim_run_until(s, 31 * SEC);
	expect_share(sim_share(s, 0), 0.8, 0.03, "512 with late timers");
	expect_share(sim_share(s, 1), 0.2, 0.03, "128 with late timers");
	sim_free(s);
}

/* Weights 512:128 pinned to one of two pCPUs, the other idle: still 80/20
 * (the idle pCPU's time is nobody's credit). */
static void test_weights_pinned_beside_idle(void **state)
{
	struct sim *s = sim_new(2, 2, 2, &sim_default_params);
	cpumask_t m0;

	cpumask_clear(&m0);
	cpumask_set_cpu(0, &m0);
	sim_add_vcpu(s, 0, SIM_HOG, 0, 0, &m0);
	sim_add_vcpu(s, 1, SIM_HOG, 0, 0, &m0);
	assert_int_equal(sim_set_params(s, 0, 512, 0), 0);
	assert_int_equal(sim_set_params(s, 1, 128, 0), 0);
	sim_start(s);
	sim_run_until(s, 1 * SEC);
	sim_mark(s);
	sim_run_until(s, 31 * SEC);
	expect_share(sim_share(s, 0), 0.8, 0.03, "512 pinned beside an idle pCPU");
	expect_share(sim_share(s, 1), 0.2, 0.03, "128 pinned beside an idle pCPU");
	sim_free(s);
}

/* The same over two pCPUs with pairs of vCPUs per domain. */
static void test_weights_two_pcpus(void **state)
{
	struct sim *s = sim_new(2, 3, 6, &sim_default_params);
	const unsigned int w[3] = { 512, 256, 128 };

	for (unsigned int d = 0; d < 3; d++) {
		assert_int_equal(sim_set_params(s, d, w[d], 0), 0);
		sim_add_vcpu(s, d, SIM_HOG, 0, 0, NULL);
		sim_add_vcpu(s, d, SIM_HOG, 0, 0, NULL);
	}
	sim_start(s);
	sim_run_until(s, 2 * SEC);
	sim_mark(s);
	sim_run_until(s, 62 * SEC);
	for (unsigned int d = 0; d < 3; d++)
		expect_share(sim_share(s, 2 * d) + sim_share(s, 2 * d + 1), 2 * w[d] / 896.0, 0.06, "weight, 2 pCPUs");
	sim_free(s);
}

/* A 50% cap holds while the rest of the pCPU idles. */
static void test_cap_50(void **state)
{
	struct sim *s = sim_new(1, 1, 1, &sim_default_params);

	sim_add_vcpu(s, 0, SIM_HOG, 0, 0, NULL);
	assert_int_equal(sim_set_params(s, 0, 256, 50), 0);
	sim_start(s);
	sim_run_until(s, 1 * SEC);
	sim_mark(s);
	sim_run_until(s, 31 * SEC);
	expect_share(sim_share(s, 0), 0.50, 0.03, "cap 50");
	expect_share(sim_idle(s, 0), 0.50, 0.03, "idle beside cap 50");
	sim_free(s);
}

/* A 30% cap with timers firing up to 25 ms late. */
static void test_cap_late_timers(void **state)
{
	struct sim *s = sim_new(1, 1, 1, &sim_default_params);

	s->timer_jitter = MILLISECS(25);
	sim_add_vcpu(s, 0, SIM_HOG, 0, 0, NULL);
	assert_int_equal(sim_set_params(s, 0, 256, 30), 0);
	sim_start(s);
	sim_run_until(s, 1 * SEC);
	sim_mark(s);
	sim_run_until(s, 31 * SEC);
	expect_share(sim_share(s, 0), 0.30, 0.03, "cap 30 with late timers");
	sim_free(s);
}

/* A cap above 100 for a two-vCPU domain, on a host with room to spare. */
static void test_cap_multi(void **state)
{
	struct sim *s = sim_new(4, 2, 3, &sim_default_params);

	sim_add_vcpu(s, 0, SIM_HOG, 0, 0, NULL);
	sim_add_vcpu(s, 0, SIM_HOG, 0, 0, NULL);
	sim_add_vcpu(s, 1, SIM_HOG, 0, 0, NULL);
	assert_int_equal(sim_set_params(s, 0, 256, 150), 0);
	sim_start(s);
	sim_run_until(s, 1 * SEC);
	sim_mark(s);
	sim_run_until(s, 31 * SEC);
	expect_share(sim_share(s, 0) + sim_share(s, 1), 1.50, 0.06, "cap 150 over 2 vCPUs");
	expect_share(sim_share(s, 2), 1.0, 0.01, "uncapped neighbour");
	sim_free(s);
}

/* Weight is per vCPU within the domain (as on Xen): a two-vCPU domain and a
 * one-vCPU domain of equal weight on two pCPUs get 2/3 and 1/3. */
static void test_three_on_two(void **state)
{
	struct sim *s = sim_new(2, 2, 3, &sim_default_params);

	sim_add_vcpu(s, 0, SIM_HOG, 0, 0, NULL);
	sim_add_vcpu(s, 0, SIM_HOG, 0, 0, NULL);
	sim_add_vcpu(s, 1, SIM_HOG, 0, 0, NULL);
	sim_start(s);
	sim_run_until(s, 1 * SEC);
	sim_mark(s);
	sim_run_until(s, 31 * SEC);
	for (unsigned int i = 0; i < 3; i++)
		expect_share(sim_share(s, i), 2.0 / 3, 0.03, "3 on 2");
	sim_free(s);
}

/* Pinned vCPUs never run outside their hard affinity, also after it
 * changes; soft affinity is only a preference. */
static void test_pinning(void **state)
{
	struct sim *s = sim_new(4, 4, 12, &sim_default_params);
	cpumask_t m0 = mask_of(0, 0), m12 = mask_of(1, 2), m3 = mask_of(3, 3), soft = mask_of(2, 3);
	unsigned int i;

	s->check_idle = true;
	for (i = 0; i < 12; i++) {
		const cpumask_t *hard = i % 4 == 0 ? &m0 : i % 4 == 1 ? &m12 : NULL;

		sim_add_vcpu(s, i % 4, i % 3 ? SIM_HOG : SIM_IO, MICROSECS(700), MILLISECS(3), hard);
	}
	assert_int_equal(sim_set_affinity(s, 2, &m3, &soft), 0);
	sim_start(s);
	sim_run_until(s, 5 * SEC);
	/* move the pinned ones */
	assert_int_equal(sim_set_affinity(s, 0, &m3, NULL), 0);
	assert_int_equal(sim_set_affinity(s, 4, &m3, NULL), 0);
	sim_run_until(s, 10 * SEC);
	for (i = 0; i < 12; i++)
		if (s->v[i].bad_cpu)
			fail_msg("vCPU %u ran outside its hard affinity %llu times", i,
				 (unsigned long long)s->v[i].bad_cpu);
	/* and they did run: the check above is not vacuous */
	assert_true(s->v[0].run_ns > SEC / 10);
	assert_true(s->v[1].run_ns > SEC / 10);
	assert_true(s->v[2].run_ns > SEC / 10);
	assert_int_equal(s->idle_violations, 0);
	sim_free(s);
}

/* An I/O-bound vCPU (0.5 ms bursts, 5 ms asleep) beside CPU hogs of the
 * same weight waits less than one tick (10 ms) from wake-up to running. */
static void io_latency(unsigned int nr_cpus, unsigned int hogs)
{
	struct sim *s = sim_new(nr_cpus, hogs + 1, hogs + 1, &sim_default_params);
	unsigned int io;

	for (unsigned int i = 0; i < hogs; i++)
		sim_add_vcpu(s, i, SIM_HOG, 0, 0, NULL);
	io = sim_add_vcpu(s, hogs, SIM_IO, MICROSECS(500), MILLISECS(5), NULL);
	sim_start(s);
	sim_run_until(s, 1 * SEC);
	sim_mark(s);
	sim_run_until(s, 21 * SEC);
	if (s->v[io].nr_waits < 1000)
		fail_msg("I/O vCPU ran only %llu times (%lld ms in all)", (unsigned long long)s->v[io].nr_waits,
			 (long long)(s->v[io].run_ns / 1000000));
	print_message("I/O vCPU beside %u hogs on %u pCPU(s): %llu wake-ups, wait max %lld us, mean %lld us\n", hogs,
		      nr_cpus, (unsigned long long)s->v[io].nr_waits, (long long)(s->v[io].max_wait / 1000),
		      (long long)(s->v[io].sum_wait / (s_time_t)s->v[io].nr_waits / 1000));
	if (s->v[io].max_wait >= MILLISECS(10))
		fail_msg("I/O vCPU waited up to %lld us for its pCPU", (long long)(s->v[io].max_wait / 1000));
	/* the hogs still share the rest */
	for (unsigned int i = 0; i < hogs; i++)
		assert_true(sim_share(s, i) > 0.8 * nr_cpus / (hogs + 1));
	sim_free(s);
}

static void test_io_latency_one_pcpu(void **state)
{
	io_latency(1, 3);
}

static void test_io_latency_two_pcpus(void **state)
{
	io_latency(2, 5);
}

/* No pCPU idles while another runs one vCPU and queues another that the
 * idle one may run: a mix of hogs, I/O-bound vCPUs, pinned and free. */
static void test_no_idle_beside_work(void **state)
{
	struct sim *s = sim_new(4, 5, 14, &sim_default_params);
	cpumask_t m01 = mask_of(0, 1), m2 = mask_of(2, 2);
	uint64_t steals = 0;
	double idle = 0;

	s->check_idle = true;
	for (unsigned int i = 0; i < 14; i++) {
		const cpumask_t *hard = i % 5 == 0 ? &m01 : i % 7 == 3 ? &m2 : NULL;
		enum sim_kind kind = i % 2 ? SIM_IO : SIM_HOG;

		sim_add_vcpu(s, i % 5, kind, MICROSECS(300 + 400 * i), MILLISECS(1 + i % 4), hard);
	}
	assert_int_equal(sim_set_params(s, 1, 1024, 0), 0);
	assert_int_equal(sim_set_params(s, 2, 64, 0), 0);
	assert_int_equal(sim_set_params(s, 3, 256, 70), 0);
	sim_start(s);
	sim_run_until(s, 1 * SEC);
	sim_mark(s);
	sim_run_until(s, 21 * SEC);
	for (unsigned int c = 0; c < 4; c++) {
		steals += s->pcpu[c].nr_steals;
		idle += sim_idle(s, c);
	}
	assert_true(s->idle_checks > 10000);
	assert_true(steals > 0); /* balancing happened */
	if (s->idle_violations)
		fail_msg("%llu times a pCPU idled beside queued work it could run",
			 (unsigned long long)s->idle_violations);
	assert_true(idle < 0.05 * 4);
	sim_free(s);
}

/* Blocked vCPUs leave a pCPU idle when nothing else can run there; the
 * scheduler does not invent work (the check above is not vacuous). */
static void test_idle_when_nothing_runs(void **state)
{
	struct sim *s = sim_new(2, 1, 1, &sim_default_params);

	sim_add_vcpu(s, 0, SIM_IO, MICROSECS(100), MILLISECS(1), NULL);
	sim_start(s);
	sim_run_until(s, 1 * SEC);
	sim_mark(s);
	sim_run_until(s, 3 * SEC);
	expect_share(sim_share(s, 0), 100.0 / 1100.0, 0.01, "I/O alone");
	sim_free(s);
}

/* SCHEDOP_yield hands the pCPU to the other vCPU, whatever their credit. */
static void test_yield(void **state)
{
	struct sim *s = sim_new(1, 2, 2, &sim_default_params);
	struct sim_vcpu *a, *b;

	sim_add_vcpu(s, 0, SIM_HOG, 0, 0, NULL);
	sim_add_vcpu(s, 1, SIM_HOG, 0, 0, NULL);
	assert_int_equal(sim_set_params(s, 0, 4096, 0), 0); /* very different credits */
	sim_start(s);
	sim_run_until(s, SEC + MILLISECS(5));
	a = s->cpu[0].curr;
	assert_non_null(a);
	for (int i = 0; i < 10; i++) {
		b = sim_yield(s, 0);
		assert_non_null(b);
		assert_ptr_not_equal(a, b);
		a = b;
	}
	sim_free(s);
}

/* Soft affinity: with room on the preferred pCPUs, nothing runs elsewhere. */
static void test_soft_affinity(void **state)
{
	struct sim *s = sim_new(4, 2, 2, &sim_default_params);
	cpumask_t m2 = mask_of(2, 2), m3 = mask_of(3, 3), all;

	bitmap_fill(all.bits, NR_CPUS);
	sim_add_vcpu(s, 0, SIM_HOG, 0, 0, NULL);
	sim_add_vcpu(s, 1, SIM_IO, MICROSECS(200), MICROSECS(900), NULL);
	assert_int_equal(sim_set_affinity(s, 0, &all, &m2), 0);
	assert_int_equal(sim_set_affinity(s, 1, &all, &m3), 0);
	sim_start(s);
	sim_run_until(s, 2 * SEC);
	assert_int_equal(s->v[0].soft_miss, 0);
	assert_int_equal(s->v[1].soft_miss, 0);
	assert_true(s->v[1].nr_waits > 1000);
	sim_free(s);
}

/* Random control changes (affinity, weight, cap) and yields while a mixed
 * load runs: the policy's bookkeeping stays consistent, hard affinity holds,
 * nothing idles beside work it may run. */
static void test_random_control(void **state)
{
	struct sim *s = sim_new(4, 6, 16, &sim_default_params);
	uint64_t rng = 12345;
	unsigned int problems = 0;

	s->check_idle = true;
	for (unsigned int i = 0; i < 16; i++)
		sim_add_vcpu(s, i % 6, i % 3 ? SIM_HOG : SIM_IO, MICROSECS(200 + 300 * (i % 5)), MILLISECS(1 + i % 3),
			     NULL);
	sim_start(s);
	for (s_time_t t = MILLISECS(7); t < 10 * SEC; t += MILLISECS(7)) {
		unsigned int r, v, d;
		cpumask_t hard, soft;

		sim_run_until(s, t);
		problems += sim_check_state(s);
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		r = (unsigned int)(rng >> 33);
		v = r % 16;
		d = r % 6;
		cpumask_clear(&hard);
		cpumask_clear(&soft);
		hard.bits[0] = (r >> 8) & 0xf;
		soft.bits[0] = (r >> 12) & 0xf;
		switch ((r >> 16) % 4) {
		case 0:
			/* an empty mask must be refused, any other taken */
			assert_int_equal(sim_set_affinity(s, v, &hard, &soft), hard.bits[0] ? 0 : -XEN_EINVAL);
			break;
		case 1:
			assert_int_equal(sim_set_params(s, d, 1 + (r >> 4) % 2048, 0), 0);
			break;
		case 2:
			assert_int_equal(sim_set_params(s, d, 256, (r >> 4) % (100 * s->dom[d].nr_units + 1)), 0);
			break;
		default:
			if (s->cpu[v % 4].curr)
				sim_yield(s, v % 4);
		}
		problems += sim_check_state(s);
	}
	for (unsigned int i = 0; i < 16; i++)
		assert_int_equal(s->v[i].bad_cpu, 0);
	assert_int_equal(problems, 0);
	assert_int_equal(s->idle_violations, 0);
	sim_free(s);
}

static void test_control_checks(void **state)
{
	struct sim *s = sim_new(2, 1, 2, &sim_default_params);
	cpumask_t none, far = mask_of(5, 6);

	cpumask_clear(&none);
	sim_add_vcpu(s, 0, SIM_HOG, 0, 0, NULL);
	sim_add_vcpu(s, 0, SIM_HOG, 0, 0, NULL);
	assert_int_equal(sim_set_params(s, 0, 0, 0), -XEN_EINVAL);
	assert_int_equal(sim_set_params(s, 0, 65536, 0), -XEN_EINVAL);
	assert_int_equal(sim_set_params(s, 0, 256, 201), -XEN_EINVAL);
	assert_int_equal(sim_set_params(s, 0, 65535, 200), 0);
	assert_int_equal(s->dom[0].weight, 65535);
	assert_int_equal(sim_set_params(s, 0, 1, 0), 0);
	assert_int_equal(sim_set_affinity(s, 0, &none, NULL), -XEN_EINVAL);
	assert_int_equal(sim_set_affinity(s, 0, &far, NULL), -XEN_EINVAL); /* no online pCPU in it */
	sim_start(s);
	sim_run_until(s, SEC);
	/* dropping a cap releases parked vCPUs at once */
	assert_int_equal(sim_set_params(s, 0, 256, 10), 0);
	sim_run_until(s, 2 * SEC);
	sim_mark(s);
	sim_run_until(s, 4 * SEC);
	expect_share(sim_share(s, 0) + sim_share(s, 1), 0.10, 0.02, "cap 10");
	assert_int_equal(sim_set_params(s, 0, 256, 0), 0);
	sim_mark(s);
	sim_run_until(s, 6 * SEC);
	expect_share(sim_share(s, 0) + sim_share(s, 1), 2.0, 0.02, "uncapped again");
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weights_one_pcpu),
		cmocka_unit_test(test_weights_late_timers),
		cmocka_unit_test(test_weights_pinned_beside_idle),
		cmocka_unit_test(test_weights_two_pcpus),
		cmocka_unit_test(test_cap_50),
		cmocka_unit_test(test_cap_late_timers),
		cmocka_unit_test(test_cap_multi),
		cmocka_unit_test(test_three_on_two),
		cmocka_unit_test(test_pinning),
		cmocka_unit_test(test_io_latency_one_pcpu),
		cmocka_unit_test(test_io_latency_two_pcpus),
		cmocka_unit_test(test_no_idle_beside_work),
		cmocka_unit_test(test_idle_when_nothing_runs),
		cmocka_unit_test(test_yield),
		cmocka_unit_test(test_soft_affinity),
		cmocka_unit_test(test_random_control),
		cmocka_unit_test(test_control_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
