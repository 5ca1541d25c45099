/*
 * The scheduler interface (common/sched.c: round robin; the credit scheduler
 * replaces the policy later). Each pCPU has a run queue of runnable vCPUs;
 * a vCPU stays on the pCPU it was placed on at creation.
 *
 * Lock order: d->lock -> a pCPU's run-queue lock.
 */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include <hv/domain.h>

void sched_init(void);
void sched_cpu_init(unsigned int cpu);
/* Pick the pCPU for a new vCPU (least loaded that affinity allows). */
unsigned int sched_place_vcpu(const struct vcpu *v, const cpumask_t *affinity);
void sched_unplace_vcpu(const struct vcpu *v);
void vcpu_wake(struct vcpu *v);	 /* make runnable if no pause flag is left */
void vcpu_sleep(struct vcpu *v); /* taken off its CPU (a flag was set) */
void vcpu_yield(void);		 /* current vCPU: go to the back of the queue */
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
