/*
 * A discrete-event simulator around a scheduling policy (hv/sched_policy.h):
 * simulated pCPUs with the same per-pCPU timer logic as the hypervisor's
 * core (common/sched/core.c: slice end, 10 ms ticks, accounting every time
 * slice), and simulated vCPUs that are CPU-bound (always runnable) or
 * I/O-bound (a burst of CPU, then blocked for a while). The policy code is
 * linked unchanged. Time is simulated; only the decision cost is measured
 * on the host clock (for the benchmark).
 */
#ifndef SCHED_SIM_H
#define SCHED_SIM_H

#include <hv/sched_policy.h>

enum sim_kind { SIM_HOG, SIM_IO };

struct sim_vcpu {
	struct sched_unit u;
	enum sim_kind kind;
	s_time_t burst, sleep; /* I/O: CPU per burst, then blocked this long */
	s_time_t left;	       /* I/O: CPU left in the current burst */
	bool blocked;
	s_time_t woke_at; /* I/O: when it last woke; -1 once it ran */
	s_time_t run_ns, run_mark;
	s_time_t max_wait, sum_wait; /* wake-up to running */
	uint64_t nr_waits;
	uint64_t bad_cpu;   /* times it was put on a pCPU outside its hard affinity */
	uint64_t soft_miss; /* ... outside its soft affinity */
	uint64_t gen;	    /* invalidates its pending block event */
};

struct sim_cpu {
	struct sim_vcpu *curr;
	s_time_t since; /* curr (or idleness) since */
	s_time_t slice_end, next_tick;
	uint64_t timer_gen;
	bool resched_pending;
	s_time_t idle_ns, idle_mark;
};

struct sim_event {
	s_time_t t;
	uint64_t seq;
	int type;
	unsigned int idx;
	uint64_t gen;
};

struct sim {
	struct sched_sys sys;
	struct sched_pcpu *pcpu;
	struct sim_cpu *cpu;
	unsigned int nr_cpus;
	struct sim_vcpu *v;
	unsigned int nr_v, max_v;
	struct sched_dom *dom;
	unsigned int nr_dom;
	s_time_t now, mark;
	struct sim_event *heap;
	unsigned int heap_n, heap_max;
	uint64_t seq;
	/* checks and measurements */
	bool check_idle; /* look for an idle pCPU beside queued work it may run */
	uint64_t idle_violations, idle_checks;
	s_time_t timer_jitter; /* timers fire up to this much late (a loaded host) */
	uint64_t rng;
	bool time_decisions;
	uint64_t nr_decisions, decision_ns, nr_accounts, account_ns;
	uint32_t *samples; /* host ns of each timed decision, up to SIM_MAX_SAMPLES */
	unsigned int nr_samples;
};
#define SIM_MAX_SAMPLES (1u << 20)

/* nr_dom domains (ids 1..nr_dom, weight 256, no cap), room for max_v vCPUs. */
struct sim *sim_new(unsigned int nr_cpus, unsigned int nr_dom, unsigned int max_v, const struct sched_params *p);
void sim_free(struct sim *s);
/* A vCPU of domain dom (0-based); hard affinity NULL = every pCPU. Returns its index. */
unsigned int sim_add_vcpu(struct sim *s, unsigned int dom, enum sim_kind kind, s_time_t burst, s_time_t sleep,
			  const cpumask_t *hard);
int sim_set_params(struct sim *s, unsigned int dom, unsigned int weight, unsigned int cap);
int sim_set_affinity(struct sim *s, unsigned int v, const cpumask_t *hard, const cpumask_t *soft);
void sim_start(struct sim *s);		     /* every vCPU wakes at time 0 */
unsigned int sim_check_state(struct sim *s); /* the policy's bookkeeping: problems found */
void sim_run_until(struct sim *s, s_time_t t);
/* The current vCPU of 'cpu' yields (SCHEDOP_yield); returns who runs now. */
struct sim_vcpu *sim_yield(struct sim *s, unsigned int cpu);
void sim_mark(struct sim *s); /* start of the measurement window (wait statistics restart) */
/* CPU time of vCPU v since the mark, as a fraction of the window. */
double sim_share(const struct sim *s, unsigned int v);
double sim_idle(const struct sim *s, unsigned int cpu); /* idle fraction since the mark */
extern const struct sched_params sim_default_params;

#endif
