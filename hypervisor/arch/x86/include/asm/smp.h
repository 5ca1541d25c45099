#ifndef ASM_SMP_H
#define ASM_SMP_H

#include <hv/acpi.h>

/* How many CPUs to bring up (boot CPU included), given the MADT's count. */
unsigned int smp_max_cpus(unsigned int nr_madt);
void smp_boot_cpus(const struct acpi_info *ai);
__noreturn void start_secondary(unsigned int cpu);
__noreturn void idle_loop(void);

#endif
