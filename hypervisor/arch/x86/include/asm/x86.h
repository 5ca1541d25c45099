/* x86 architectural constants and small instruction wrappers. */
#ifndef ASM_X86_H
#define ASM_X86_H

#define X86_CR0_PE 0x00000001
#define X86_CR0_MP 0x00000002
#define X86_CR0_EM 0x00000004
#define X86_CR0_TS 0x00000008
#define X86_CR0_NE 0x00000020
#define X86_CR0_WP 0x00010000
#define X86_CR0_AM 0x00040000
#define X86_CR0_PG 0x80000000

#define X86_CR4_PSE 0x00000010
#define X86_CR4_PAE 0x00000020
#define X86_CR4_PGE 0x00000080
#define X86_CR4_OSFXSR 0x00000200
#define X86_CR4_OSXMMEXCPT 0x00000400
#define X86_CR4_OSXSAVE 0x00040000

#define MSR_EFER 0xc0000080
#define EFER_SCE (1 << 0)
#define EFER_LME (1 << 8)
#define EFER_LMA (1 << 10)
#define EFER_NXE (1 << 11)
#define EFER_SVME (1 << 12)

#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_SHADOW_GS_BASE 0xc0000102
#define MSR_APIC_BASE 0x0000001b
#define MSR_TSC_DEADLINE 0x000006e0
#define MSR_PAT 0x00000277

#define APIC_BASE_BSP (1 << 8)
#define APIC_BASE_EXTD (1 << 10)
#define APIC_BASE_ENABLE (1 << 11)

/* Segment selectors of the hypervisor's GDT (arch/x86/boot/head.S, cpu.c) */
#define __HYPERVISOR_CS32 0x08
#define __HYPERVISOR_CS 0x10
#define __HYPERVISOR_DS 0x18
#define TSS_SELECTOR 0x20

#ifndef __ASSEMBLY__
#include <hv/types.h>

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t val)
{
	__asm__ __volatile__("wrmsr" ::"c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
}
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
/* rdtsc that is not executed before earlier loads (lfence on AMD and Intel) */
static inline uint64_t rdtsc_ordered(void)
{
	__asm__ __volatile__("lfence" ::: "memory");
	return rdtsc();
}
static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "0"(leaf), "2"(sub));
}
static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	cpuid_count(leaf, 0, a, b, c, d);
}
static inline uint32_t cpuid_ecx(uint32_t leaf)
{
	uint32_t a, b, c, d;
	cpuid(leaf, &a, &b, &c, &d);
	return c;
}
static inline uint32_t cpuid_edx(uint32_t leaf)
{
	uint32_t a, b, c, d;
	cpuid(leaf, &a, &b, &c, &d);
	return d;
}
static inline uint32_t cpuid_eax(uint32_t leaf)
{
	uint32_t a, b, c, d;
	cpuid(leaf, &a, &b, &c, &d);
	return a;
}

#define DEFINE_CR(n)                                                         \
	static inline unsigned long read_cr##n(void)                         \
	{                                                                    \
		unsigned long v;                                             \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));        \
		return v;                                                    \
	}                                                                    \
	static inline void write_cr##n(unsigned long v)                      \
	{                                                                    \
		__asm__ __volatile__("mov %0, %%cr" #n ::"r"(v) : "memory"); \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void outb(uint8_t v, uint16_t port)
{
	__asm__ __volatile__("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outw(uint16_t v, uint16_t port)
{
	__asm__ __volatile__("outw %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outl(uint32_t v, uint16_t port)
{
	__asm__ __volatile__("outl %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}
static inline void halt(void)
{
	__asm__ __volatile__("hlt" ::: "memory");
}
/* sti;hlt: the interrupt shadow of sti makes the pair atomic. */
static inline void safe_halt(void)
{
	__asm__ __volatile__("sti; hlt" ::: "memory");
}
static inline void invlpg(const void *va)
{
	__asm__ __volatile__("invlpg (%0)" ::"r"(va) : "memory");
}
static inline void wbinvd(void)
{
	__asm__ __volatile__("wbinvd" ::: "memory");
}

#endif /* !__ASSEMBLY__ */
#endif
