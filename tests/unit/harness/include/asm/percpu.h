/* Host harness: a per-CPU variable is an array indexed by the simulated CPU
 * (harness_cpu, set by the test). */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#define HARNESS_NR_CPUS 256
extern unsigned int harness_cpu;
#define __DEFINE_PER_CPU(type, name) __typeof__(type) per_cpu__##name[HARNESS_NR_CPUS]
#define __per_cpu_ptr(name, cpu) (&per_cpu__##name[(cpu)])
#define __this_cpu_ptr(name) (&per_cpu__##name[harness_cpu])

#endif
