/*
 * Cross-CPU function calls and TLB shootdown (common/smp.c).
 *
 * on_selected_cpus() runs fn(info) on every CPU in 'mask' (the caller's own
 * CPU included, run directly) from an IPI, and returns once all have run it
 * (wait = true) or have at least taken their copy of fn/info (wait = false).
 * The caller must have interrupts enabled, so two CPUs calling each other at
 * once cannot deadlock.
 *
 * Lock order: call_lock is taken alone.
 */
#ifndef HV_SMP_H
#define HV_SMP_H

#include <hv/cpumask.h>

struct cpu_user_regs;

void on_selected_cpus(const cpumask_t *mask, void (*fn)(void *), void *info, bool wait);
void smp_call_function(void (*fn)(void *), void *info, bool wait); /* all others */
void flush_tlb_mask(const cpumask_t *mask);
void smp_call_function_interrupt(struct cpu_user_regs *regs);
/* The registers interrupted by the IPI being handled (for the 'd' key). */
const struct cpu_user_regs *get_irq_regs(void);

/* Arch: send an IPI with 'vector' to every CPU in mask except this one. */
void arch_send_ipi_mask(const cpumask_t *mask, unsigned int vector);
void smp_send_event_check_cpu(unsigned int cpu);

#endif
