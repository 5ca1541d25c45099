/*
 * Per-CPU set-up: the per-CPU data areas, each CPU's GDT and TSS (with
 * interrupt stacks for NMI, double fault and machine check), the shared IDT,
 * and the CPU features the rest of the hypervisor asks about.
 */
#include <hv/console.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/percpu.h>
#include <asm/cpu.h>
#include <asm/x86.h>

/* First in every per-CPU copy: its own offset (read by this_cpu()). */
__section(".data.percpu.first") unsigned long per_cpu__percpu_self_offset;

DEFINE_PER_CPU(struct cpu_data, cpu_data);
unsigned long __per_cpu_offset[NR_CPUS];
extern char __per_cpu_start[], __per_cpu_end[];
extern const char interrupt_stubs[];
extern uint64_t boot_gdt[];

unsigned int nr_cpu_ids = 1;
bool cpu_has_x2apic, cpu_has_tsc_deadline, cpu_has_invariant_tsc, cpu_has_1gb_pages, cpu_has_rdtscp;

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, rsvd;
} __packed;
BUILD_BUG_ON(sizeof(struct idt_entry) != 16);

static struct idt_entry idt[256] __aligned(16);

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++) {
		uint64_t off = (uint64_t)(uintptr_t)(interrupt_stubs + 16 * v);
		struct idt_entry *e = &idt[v];

		e->off_lo = (uint16_t)off;
		e->sel = __HYPERVISOR_CS;
		e->ist = 0;
		e->type = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
		e->off_mid = (uint16_t)(off >> 16);
		e->off_hi = (uint32_t)(off >> 32);
		e->rsvd = 0;
	}
}

/* Once the boot CPU has a TSS, NMI, #DF and #MC switch to their own stacks.
 * (Before that, an IST entry would triple-fault for want of a TSS.) */
static void idt_enable_ist(void)
{
	idt[2].ist = IST_NMI;
	idt[8].ist = IST_DF;
	idt[18].ist = IST_MCE;
}

void idt_load(void)
{
	struct desc_ptr idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	__asm__ __volatile__("lidt %0" ::"m"(idtr));
}

unsigned int smp_processor_id(void)
{
	return this_cpu(cpu_data).cpu;
}

void percpu_init(unsigned int nr_cpus)
{
	size_t size = (size_t)(__per_cpu_end - __per_cpu_start);
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	for (unsigned int cpu = 1; cpu < nr_cpus; cpu++) {
		char *area = alloc_xenheap_pages(order, 0);

		if (!area)
			panic("percpu: out of memory for CPU %u's area", cpu);
		memcpy(area, __per_cpu_start, size);
		__per_cpu_offset[cpu] = (unsigned long)(area - __per_cpu_start);
		*(unsigned long *)area = __per_cpu_offset[cpu];
		/* not the boot CPU's stacks and tables */
		memset(&per_cpu(cpu_data, cpu), 0, sizeof(struct cpu_data));
		per_cpu(cpu_data, cpu).cpu = cpu;
	}
}

static void load_gdt_tss(struct cpu_data *cd)
{
	uint64_t base = (uint64_t)(uintptr_t)&cd->tss;
	uint64_t limit = sizeof(cd->tss) - 1;
	struct desc_ptr gdtr = { sizeof(cd->gdt) - 1, (uint64_t)(uintptr_t)cd->gdt };

	memcpy(cd->gdt, boot_gdt, 4 * sizeof(uint64_t));
	/* 64-bit available TSS descriptor (type 9), 16 bytes */
	cd->gdt[4] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89UL << 40) | (((limit >> 16) & 0xf) << 48) |
		     (((base >> 24) & 0xff) << 56);
	cd->gdt[5] = base >> 32;
	__asm__ __volatile__("lgdt %0" ::"m"(gdtr));
	__asm__ __volatile__("ltr %w0" ::"r"(TSS_SELECTOR));
}

void cpu_init(unsigned int cpu, uint64_t stack_base)
{
	struct cpu_data *cd;

	/* GS base first: everything per-CPU depends on it */
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)(__per_cpu_start + __per_cpu_offset[cpu]));
	cd = &this_cpu(cpu_data);
	cd->cpu = cpu;
	cd->stack_base = stack_base;
	if (!cd->ist_stacks) {
		cd->ist_stacks = alloc_xenheap_pages(2, MEMF_zero); /* 3 used + guard-less spare */
		if (!cd->ist_stacks)
			panic("cpu%u: out of memory for interrupt stacks", cpu);
	}
	memset(&cd->tss, 0, sizeof(cd->tss));
	for (unsigned int i = 1; i <= 3; i++)
		cd->tss.ist[i] = (uint64_t)(uintptr_t)(cd->ist_stacks + i * IST_STACK_SIZE);
	cd->tss.iomap_base = sizeof(cd->tss); /* no I/O bitmap */
	load_gdt_tss(cd);
	if (cpu == 0)
		idt_enable_ist();
	idt_load();
	if (cpuid_edx(0x80000001) & (1u << 20))
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	/* global pages, as the boot CPU has since mm_init() */
	write_cr4(read_cr4() | X86_CR4_PGE);
}

void identify_cpu(void)
{
	uint32_t max_ext = cpuid_eax(0x80000000);

	cpu_has_x2apic = cpuid_ecx(1) & (1u << 21);
	cpu_has_tsc_deadline = cpuid_ecx(1) & (1u << 24);
	cpu_has_1gb_pages = max_ext >= 0x80000001 && (cpuid_edx(0x80000001) & (1u << 26));
	cpu_has_rdtscp = max_ext >= 0x80000001 && (cpuid_edx(0x80000001) & (1u << 27));
	cpu_has_invariant_tsc = max_ext >= 0x80000007 && (cpuid_edx(0x80000007) & (1u << 8));
}
