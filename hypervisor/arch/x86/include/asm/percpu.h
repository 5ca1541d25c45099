/*
 * x86 per-CPU addressing. Variables live in the .data.percpu template; the
 * boot CPU uses the template itself (offset 0) and every other CPU a copy
 * made by percpu_init(). Each copy's first word ("percpu_self_offset") holds
 * its own offset, and GS base points at the copy, so this_cpu() is one load
 * from %gs:0 plus the variable's address.
 */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#include <hv/types.h>

#define __DEFINE_PER_CPU(type, name) __section(".data.percpu") __typeof__(type) per_cpu__##name

extern unsigned long __per_cpu_offset[];

static inline unsigned long this_cpu_offset(void)
{
	unsigned long off;
	__asm__ __volatile__("mov %%gs:0, %0" : "=r"(off));
	return off;
}

#define __per_cpu_ptr(name, cpu) ((__typeof__(&per_cpu__##name))((char *)&per_cpu__##name + __per_cpu_offset[cpu]))
#define __this_cpu_ptr(name) ((__typeof__(&per_cpu__##name))((char *)&per_cpu__##name + this_cpu_offset()))

#endif
