/* Per-CPU descriptor tables, stacks and CPU features (arch/x86/cpu.c). */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <hv/percpu.h>
#include <hv/types.h>

#define STACK_ORDER 3 /* 32 KiB hypervisor stacks */
#define STACK_SIZE (4096UL << STACK_ORDER)
#define IST_STACK_SIZE 4096UL

/* IST slots: NMI, double fault and machine check get known-good stacks. */
#define IST_NMI 1
#define IST_DF 2
#define IST_MCE 3

struct tss64 {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t ist[8]; /* ist[0] is reserved */
	uint64_t rsvd1;
	uint16_t rsvd2, iomap_base;
} __packed;

struct cpu_data {
	unsigned int cpu; /* logical CPU number */
	uint32_t apic_id;
	uint64_t stack_base; /* lowest address of the main stack */
	struct tss64 tss __aligned(16);
	uint64_t gdt[6] __aligned(16);
	uint8_t *ist_stacks;
};

DECLARE_PER_CPU(struct cpu_data, cpu_data);

extern unsigned int nr_cpu_ids; /* number of logical CPUs we may bring up */
extern bool cpu_has_x2apic, cpu_has_tsc_deadline, cpu_has_invariant_tsc, cpu_has_1gb_pages, cpu_has_rdtscp;

void idt_init(void);
void idt_load(void);
void percpu_init(unsigned int nr_cpus);
/* Load this CPU's GDT/TSS/IDT and GS base; 'stack_base' is the bottom of
 * the stack it runs on. */
void cpu_init(unsigned int cpu, uint64_t stack_base);
void identify_cpu(void);

#endif
