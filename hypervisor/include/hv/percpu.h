/*
 * Per-CPU data: the one mechanism for it. DEFINE_PER_CPU(type, name) places
 * a variable in the per-CPU template; each CPU gets its own copy at bring-up.
 * per_cpu(name, cpu) is that CPU's copy, this_cpu(name) the running CPU's.
 * The arch (or the host harness) provides the addressing in <asm/percpu.h>.
 */
#ifndef HV_PERCPU_H
#define HV_PERCPU_H

#include <hv/types.h>
#include <asm/percpu.h>

#define NR_CPUS 256

#define DECLARE_PER_CPU(type, name) extern __DEFINE_PER_CPU(type, name)
#define DEFINE_PER_CPU(type, name) __DEFINE_PER_CPU(type, name)
#define per_cpu(name, cpu) (*__per_cpu_ptr(name, cpu))
#define this_cpu(name) (*__this_cpu_ptr(name))

unsigned int smp_processor_id(void);

#endif
