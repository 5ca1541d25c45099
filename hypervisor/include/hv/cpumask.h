/* Sets of CPUs, on top of the bitmap library. */
#ifndef HV_CPUMASK_H
#define HV_CPUMASK_H

#include <hv/bitmap.h>
#include <hv/percpu.h>

typedef struct {
	DECLARE_BITMAP(bits, NR_CPUS);
} cpumask_t;

extern cpumask_t cpu_online_map;

static inline void cpumask_set_cpu(unsigned int cpu, cpumask_t *m)
{
	set_bit(cpu, m->bits);
}
static inline void cpumask_clear_cpu(unsigned int cpu, cpumask_t *m)
{
	clear_bit(cpu, m->bits);
}
static inline bool cpumask_test_cpu(unsigned int cpu, const cpumask_t *m)
{
	return test_bit(cpu, m->bits);
}
static inline void cpumask_clear(cpumask_t *m)
{
	bitmap_zero(m->bits, NR_CPUS);
}
static inline bool cpumask_empty(const cpumask_t *m)
{
	return bitmap_empty(m->bits, NR_CPUS);
}
static inline unsigned int cpumask_weight(const cpumask_t *m)
{
	return bitmap_weight(m->bits, NR_CPUS);
}
static inline void cpumask_copy(cpumask_t *d, const cpumask_t *s)
{
	bitmap_copy(d->bits, s->bits, NR_CPUS);
}
#define for_each_cpu(cpu, mask) for_each_set_bit(cpu, (mask)->bits, NR_CPUS)
#define for_each_online_cpu(cpu) for_each_cpu(cpu, &cpu_online_map)
#define num_online_cpus() cpumask_weight(&cpu_online_map)
#define cpu_online(cpu) cpumask_test_cpu(cpu, &cpu_online_map)

#endif
