/*
 * Constants shared by the assembly and the C side of the test-guest
 * framework: GDT selectors, stack layout, control-register bits.
 */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

/* GDT (lib/entry.S builds it). */
#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_CODE32 0x18
#define SEL_CODE16 0x20 /* base patched by whoever uses it, limit 0xffff */
#define SEL_DATA16 0x28 /* base 0, limit 0xffff */
#define SEL_UCODE32 0x30
#define SEL_UDATA 0x38	 /* DPL 3: use as 0x3b */
#define SEL_UCODE64 0x40 /* DPL 3: use as 0x43 */
#define SEL_TSS 0x48	 /* 16-byte 64-bit TSS descriptor, filled at run time */
#define GDT_ENTRIES 11
#ifdef __x86_64__
#define SEL_KCODE SEL_CODE64
#else
#define SEL_KCODE SEL_CODE32
#endif

/* Each CPU owns one STACK_SIZE-aligned stack; its struct cpu sits at the
 * bottom, so this_cpu() is the stack pointer rounded down. */
#define MAX_CPUS 16
#define STACK_SIZE 0x4000

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_TS (1 << 3)
#define CR0_ET (1 << 4)
#define CR0_NE (1 << 5)
#define CR0_WP (1 << 16)
#define CR0_PG 0x80000000
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define CR4_OSXSAVE (1 << 18)
#define MSR_EFER 0xc0000080
#define EFER_SCE (1 << 0)
#define EFER_LME (1 << 8)
#define EFER_LMA (1 << 10)
#define EFER_NXE (1 << 11)

/* Page-table entry bits. */
#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_U 0x4
#define PTE_PWT 0x8
#define PTE_PCD 0x10
#define PTE_PS 0x80

#endif
