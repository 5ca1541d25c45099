/* Thin wrappers around x86 instructions and architectural constants. */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdbool.h>
#include <stdint.h>
#include "layout.h"

/* Exception vectors. */
#define X86_EXC_DE 0
#define X86_EXC_DB 1
#define X86_EXC_NMI 2
#define X86_EXC_BP 3
#define X86_EXC_OF 4
#define X86_EXC_BR 5
#define X86_EXC_UD 6
#define X86_EXC_NM 7
#define X86_EXC_DF 8
#define X86_EXC_TS 10
#define X86_EXC_NP 11
#define X86_EXC_SS 12
#define X86_EXC_GP 13
#define X86_EXC_PF 14
#define X86_EXC_MF 16
#define X86_EXC_AC 17
#define X86_EXC_MC 18
#define X86_EXC_XM 19

/* MSRs. */
#define MSR_APIC_BASE 0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_PAT 0x277
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_FMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103
#define MSR_X2APIC_FIRST 0x800
#define APIC_BASE_BSP (1u << 8)
#define APIC_BASE_EXTD (1u << 10)
#define APIC_BASE_EN (1u << 11)

/* CPUID feature bits used by the tests: (leaf, register, bit). */
#define CPUID1_ECX_SSE3 (1u << 0)
#define CPUID1_ECX_MONITOR (1u << 3)
#define CPUID1_ECX_VMX (1u << 5)
#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_AVX (1u << 28)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID1_EDX_FPU (1u << 0)
#define CPUID1_EDX_MSR (1u << 5)
#define CPUID1_EDX_APIC (1u << 9)
#define CPUID1_EDX_PAT (1u << 16)
#define CPUID1_EDX_FXSR (1u << 24)
#define CPUID1_EDX_SSE (1u << 25)
#define CPUID1_EDX_SSE2 (1u << 26)
#define CPUID1_EDX_HTT (1u << 28)
#define CPUIDX1_ECX_SVM (1u << 2)
#define CPUIDX1_EDX_SYSCALL (1u << 11)
#define CPUIDX1_EDX_NX (1u << 20)
#define CPUIDX1_EDX_PDPE1GB (1u << 26)
#define CPUIDX1_EDX_RDTSCP (1u << 27)
#define CPUIDX1_EDX_LM (1u << 29)
#define CPUID7_ECX_RDPID (1u << 22)

struct cpuid_regs {
	uint32_t a, b, c, d;
};

static inline struct cpuid_regs cpuid_count(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;
	asm volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(sub));
	return r;
}

static inline struct cpuid_regs cpuid(uint32_t leaf)
{
	return cpuid_count(leaf, 0);
}

static inline uint32_t cpuid_max_basic(void)
{
	return cpuid(0).a;
}

static inline uint32_t cpuid_max_ext(void)
{
	return cpuid(0x80000000u).a;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Plain rdmsr/wrmsr: a #GP here is an unexpected exception (test FAIL).
 * Use rdmsr_safe()/wrmsr_safe() (guest.h) where a #GP is possible. */
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline unsigned long read_cr0(void)
{
	unsigned long v;
	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(unsigned long v)
{
	asm volatile("mov %0, %%cr0" ::"r"(v) : "memory");
}

static inline unsigned long read_cr2(void)
{
	unsigned long v;
	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline unsigned long read_cr3(void)
{
	unsigned long v;
	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(unsigned long v)
{
	asm volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}

static inline unsigned long read_cr4(void)
{
	unsigned long v;
	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(unsigned long v)
{
	asm volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}

static inline uint64_t xgetbv(uint32_t idx)
{
	uint32_t lo, hi;
	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(idx));
	return (uint64_t)hi << 32 | lo;
}

static inline void xsetbv(uint32_t idx, uint64_t v)
{
	asm volatile("xsetbv" ::"c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline unsigned long read_flags(void)
{
	unsigned long f;
	asm volatile("pushf; pop %0" : "=r"(f));
	return f;
}

#define X86_FLAGS_IF (1u << 9)
#define X86_FLAGS_TF (1u << 8)

static inline void cli(void)
{
	asm volatile("cli" ::: "memory");
}

static inline void sti(void)
{
	asm volatile("sti" ::: "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

/* "sti; hlt" back to back: STI's one-instruction shadow means an interrupt
 * that is already pending is taken after HLT has started, so it wakes it. */
static inline void safe_halt(void)
{
	asm volatile("sti; hlt" ::: "memory");
}

static inline void halt(void)
{
	asm volatile("hlt" ::: "memory");
}

static inline void barrier(void)
{
	asm volatile("" ::: "memory");
}

#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#endif
