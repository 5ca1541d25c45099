/*
 * The scheduler interface (common/sched/core.c, driving the credit policy
 * of common/sched/credit.c through hv/sched_policy.h). Each pCPU has a run
 * queue of runnable vCPUs; vCPUs move between pCPUs (load balancing, wake-up
 * placement) within their hard affinity, so v->processor changes: it is
 * where the vCPU runs or last ran, read it once and tolerate a stale value.
 *
 * Lock order: d->lock -> vl->lock -> the scheduler lock -> timer locks.
 */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include <hv/domain.h>

void sched_init(void);
void sched_cpu_init(unsigned int cpu);
/* Domain and vCPU life: init before the first wake, destroy once the vCPU
 * is off every pCPU (v->is_running false). */
void sched_dom_init(struct domain *d);
void sched_dom_destroy(struct domain *d);
void sched_vcpu_init(struct vcpu *v); /* picks v->processor; hard affinity from d->hard_affinity */
void sched_vcpu_destroy(struct vcpu *v);
/* Control (boot domain config now, domctl later): weight 1..65535, cap in
 * % of one pCPU (0 = none, at most 100 per vCPU). 0 or -XEN_EINVAL. */
/* Off every pCPU and not about to be loaded on one (a dead vCPU stays so). */
bool sched_vcpu_quiesced(struct vcpu *v);
int sched_set_params(struct domain *d, unsigned int weight, unsigned int cap);
void sched_get_params(struct domain *d, unsigned int *weight, unsigned int *cap);
/* Hard and soft affinity of one vCPU (NULL: keep hard / soft = every CPU).
 * -XEN_EINVAL if hard leaves no online pCPU. */
int vcpu_set_affinity(struct vcpu *v, const cpumask_t *hard, const cpumask_t *soft);
void vcpu_wake(struct vcpu *v);	 /* make runnable if no pause flag is left */
void vcpu_sleep(struct vcpu *v); /* taken off its CPU (a flag was set) */
void vcpu_yield(void);		 /* current vCPU: let others go first */
void vcpu_block(void);		 /* current vCPU: block until woken */
void vcpu_kick(struct vcpu *v);	 /* make it notice a pending interrupt soon */
void vcpu_set_runstate(struct vcpu *v, int state);
/* The per-pCPU loop: softirqs, then run the current vCPU or halt. */
__noreturn void sched_loop(void);
void sched_dump(void);
/* Arch: with interrupts disabled, wait for the next interrupt (sti; hlt),
 * returning with interrupts enabled. */
void arch_idle(void);

#endif
