/*
 * The scheduling-policy interface (common/sched/): pure, so that a policy
 * compiles unchanged in the hypervisor (driven by common/sched/core.c) and
 * in the host simulator (tests/unit/sched/), which drives it with simulated
 * pCPUs, timers and guests. Nothing here takes a lock, reads a clock or
 * touches hardware: the driver passes the time in, serialises every call
 * (the hypervisor holds its scheduler lock) and is told through struct
 * sched_env which pCPUs must run their scheduler soon.
 *
 * Objects: a sched_unit per vCPU, a sched_dom per domain, a sched_pcpu per
 * physical CPU, and one sched_sys holding them. The driver owns the memory
 * and fills the fields marked "driver"; everything else is the policy's.
 *
 * Times are ns (s_time_t). Lock order: none here (the driver's lock covers
 * every field of every object below).
 */
#ifndef HV_SCHED_POLICY_H
#define HV_SCHED_POLICY_H

#include <hv/cpumask.h>
#include <hv/types.h>

/* Priorities, higher runs first (Xen's credit1 names). */
#define SCHED_PRI_IDLE 0
#define SCHED_PRI_OVER 1  /* used up its credit this period */
#define SCHED_PRI_UNDER 2 /* has credit left */
#define SCHED_PRI_BOOST 3 /* woken from blocking with credit left: I/O latency */

/* Where a unit is (policy state). */
enum sched_unit_state {
	SU_IDLE,    /* not runnable (blocked, down, dead) and on no pCPU */
	SU_QUEUED,  /* runnable, waiting in the run queue of ->cpu */
	SU_RUNNING, /* ->cpu's current unit (it may have stopped being runnable
		     * since: the next decision on ->cpu takes it off) */
	SU_PARKED,  /* runnable but over its domain's cap: on no queue until
		     * the next accounting period gives it credit */
};

#define SCHED_DEFAULT_WEIGHT 256
#define SCHED_MAX_WEIGHT 65535

struct sched_dom;

struct sched_unit {
	/* driver: set before unit_insert, changed through the policy calls */
	struct sched_dom *dom;
	unsigned int id; /* the vCPU id, for dumps */
	cpumask_t hard;	 /* hard affinity: never empty within the online CPUs */
	cpumask_t soft;	 /* soft affinity (preferred); every CPU if not given */
	bool runnable;	 /* driver: no pause flag (the policy reads it) */
	void *owner;	 /* driver: its vCPU */
	/* policy */
	enum sched_unit_state state;
	unsigned int cpu;   /* the queue it waits in / the pCPU it runs or last ran on */
	int pri;	    /* SCHED_PRI_* */
	bool yield;	    /* asked to go behind its equals once */
	bool active;	    /* takes part in credit distribution */
	bool counted_under; /* queued with priority UNDER or better */
	s_time_t credit;    /* ns of CPU time it is owed (negative: it is in debt) */
	s_time_t last_burn; /* credit charged up to here */
	s_time_t run_start; /* when it got its pCPU */
	struct sched_unit *rq_next, *rq_prev;
	struct sched_unit *dom_next;
	uint64_t nr_migrations; /* moved to another pCPU */
	s_time_t cpu_time;	/* CPU time charged to it, in all */
	s_time_t acct_cpu_time; /* cpu_time at the last accounting */
};

struct sched_dom {
	/* driver */
	unsigned int id;
	/* policy (set through set_params) */
	unsigned int weight; /* 1..65535 */
	unsigned int cap;    /* % of one pCPU, 0 = none */
	struct sched_unit *units;
	unsigned int nr_units;
	struct sched_dom *next;
};

struct sched_pcpu {
	struct sched_unit *curr; /* NULL: idle */
	struct sched_unit *rq_head, *rq_tail;
	unsigned int nr_queued;
	uint64_t nr_decisions, nr_steals;
};

struct sched_sys;

/* What the policy needs from its driver. */
struct sched_env {
	/* make 'cpu' run the scheduler (schedule()) soon; may be this CPU */
	void (*tickle)(struct sched_sys *s, unsigned int cpu);
	/* one line of a dump (no newline needed at the end) */
	void (*print)(const char *fmt, ...) __printf(1, 2);
};

/* Timing parameters (ns); the driver sets them before init. */
struct sched_params {
	s_time_t tslice;    /* the time slice and the accounting period: 30 ms */
	s_time_t tick;	    /* credit is charged and BOOST ends on a tick: 10 ms */
	s_time_t ratelimit; /* a running vCPU keeps its pCPU at least this long (if it
			     * stays runnable) before a wake-up preempts it: 1 ms */
};

struct sched_sys {
	/* driver */
	const struct sched_policy *ops;
	const struct sched_env *env;
	void *env_data;
	struct sched_params params;
	unsigned int nr_cpus;	 /* pCPU ids are 0 .. nr_cpus - 1 */
	struct sched_pcpu *pcpu; /* [nr_cpus] */
	cpumask_t online;	 /* change through cpu_add() */
	/* policy */
	cpumask_t idlers; /* online pCPUs running nothing, not yet claimed by a wake-up */
	struct sched_dom *doms;
	unsigned int nr_online;
	unsigned int rotor;		 /* spreads new units over the pCPUs */
	unsigned int nr_queued_under;	 /* queued units of priority UNDER or better, all queues */
	unsigned int nr_queued;		 /* queued units, all queues */
	s_time_t last_acct, acct_period; /* the last accounting, the time it shared out */
	uint64_t nr_accountings, nr_clamped;
};

/* A policy. Every call is serialised by the driver; 'now' never goes back. */
struct sched_policy {
	const char *name;
	void (*init)(struct sched_sys *s);
	void (*cpu_add)(struct sched_sys *s, unsigned int cpu);
	void (*dom_insert)(struct sched_sys *s, struct sched_dom *d);
	void (*dom_remove)(struct sched_sys *s, struct sched_dom *d); /* its units are gone */
	/* a new unit, not runnable: picks its first pCPU (->cpu) */
	void (*unit_insert)(struct sched_sys *s, struct sched_unit *u);
	/* the unit is SU_IDLE (not queued, not running) */
	void (*unit_remove)(struct sched_sys *s, struct sched_unit *u);
	/* u became runnable (u->runnable set by the driver) while SU_IDLE;
	 * from_block: it was blocked (eligible for BOOST) */
	void (*wake)(struct sched_sys *s, struct sched_unit *u, s_time_t now, bool from_block);
	/* u stopped being runnable: off its queue, or its pCPU told to reschedule */
	void (*sleep)(struct sched_sys *s, struct sched_unit *u, s_time_t now);
	/* The decision for 'cpu': the unit to run next (NULL: idle) and for how
	 * long at most (*slice; 0 when idle). The previous unit (pcpu->curr) is
	 * requeued, parked or dropped according to u->runnable and its credit;
	 * 'yield' says it asked to let others go first. */
	struct sched_unit *(*schedule)(struct sched_sys *s, unsigned int cpu, s_time_t now, bool yield,
				       s_time_t *slice);
	/* The periodic tick of a busy pCPU: true if it must reschedule now. */
	bool (*tick)(struct sched_sys *s, unsigned int cpu, s_time_t now);
	/* Every tslice, once for the whole system: share out credit. */
	void (*account)(struct sched_sys *s, s_time_t now);
	/* 0 or -XEN_EINVAL (weight 1..65535, cap 0..100 * vCPUs) */
	int (*set_params)(struct sched_sys *s, struct sched_dom *d, unsigned int weight, unsigned int cap);
	/* New affinity (hard must leave an online pCPU): 0 or -XEN_EINVAL */
	int (*set_affinity)(struct sched_sys *s, struct sched_unit *u, const cpumask_t *hard, const cpumask_t *soft,
			    s_time_t now);
	/* Run queues, credits and priorities through env->print; a unit is
	 * named d<dom id>v<unit id>. */
	void (*dump)(struct sched_sys *s, s_time_t now);
};

extern const struct sched_policy sched_credit; /* common/sched/credit.c */

const char *sched_pri_name(int pri);

#endif
