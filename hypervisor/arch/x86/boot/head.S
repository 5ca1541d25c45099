/*
 * Boot entry: the multiboot1 and multiboot2 headers and the 32-bit entry
 * point both loaders jump to (eax = loader magic, ebx = its information
 * structure, protected mode, paging off). We build page tables that map the
 * first 4 GiB 1:1 with 2 MiB pages (enough for the image, the loader's data
 * and the devices), enter long mode and call start_basalt(magic, info).
 * The C code then builds the real page tables (arch/x86/mm.c).
 */
#include <asm/x86.h>

#define MB1_MAGIC 0x1BADB002
#define MB1_FLAGS 0x00000003 /* page-align modules, provide a memory map */
#define MB2_MAGIC 0xE85250D6

	.section .text.boot_header, "ax"
	.code32
	.align 4
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)

	.align 8
mb2_header:
	.long MB2_MAGIC
	.long 0 /* i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + (mb2_header_end - mb2_header))
	/* module alignment tag: page-aligned modules */
	.align 8
	.short 6, 0
	.long 8
	/* end tag */
	.align 8
	.short 0, 0
	.long 8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.globl start32
start32:
	cli
	cld
	mov %eax, %edi /* loader magic */
	mov %ebx, %esi /* loader information */

	/* zero .bss: loaders should, but nothing below may depend on it */
	mov $__bss_start, %edx
	mov $__bss_end, %ecx
	sub %edx, %ecx
	push %edi
	mov %edx, %edi
	xor %eax, %eax
	rep stosb
	pop %edi

	lgdt boot_gdt_desc
	mov $__HYPERVISOR_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov $boot_stack_top, %esp

	/* Long mode needs CPUID leaf 0x80000001 with LM (edx bit 29). */
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	bt $29, %edx
	jnc no_long_mode

	/* boot_pd[0..2047]: 4 GiB of 2 MiB pages, present|rw|PS */
	mov $boot_pd, %ebx
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax
	mov %eax, (%ebx, %ecx, 8)
	mov %ecx, %eax
	shr $11, %eax /* high dword: (i << 21) >> 32 */
	mov %eax, 4(%ebx, %ecx, 8)
	inc %ecx
	cmp $2048, %ecx
	jne 1b
	/* boot_pdpt[0..3] -> the four page directories */
	mov $boot_pdpt, %edx
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $12, %eax
	add $boot_pd, %eax
	or $0x03, %eax
	mov %eax, (%edx, %ecx, 8)
	inc %ecx
	cmp $4, %ecx
	jne 2b
	mov $boot_pdpt, %eax
	or $0x03, %eax
	mov %eax, boot_pml4

	mov %cr4, %eax
	or $(X86_CR4_PAE | X86_CR4_PSE), %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(X86_CR0_PG | X86_CR0_PE | X86_CR0_WP | X86_CR0_NE), %eax
	mov %eax, %cr0
	ljmp $__HYPERVISOR_CS, $start64

no_long_mode:
	/* Say so on COM1 (8n1 at whatever rate the firmware left) and stop. */
	mov $no_lm_msg, %esi
3:	lodsb
	test %al, %al
	jz 5f
	mov %al, %ah
	mov $0x3fd, %dx
4:	inb %dx, %al
	test $0x20, %al
	jz 4b
	mov $0x3f8, %dx
	mov %ah, %al
	outb %al, %dx
	jmp 3b
5:	hlt
	jmp 5b

	.code64
start64:
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov $boot_stack_top, %rsp
	xor %ebp, %ebp
	mov %edi, %edi /* zero-extend magic and info */
	mov %esi, %esi
	call start_basalt
6:	hlt
	jmp 6b

	.section .rodata
no_lm_msg:
	.asciz "Basalt: this CPU has no long mode (x86-64); cannot boot.\r\n"

	.section .data
	.align 16
	.globl boot_gdt
boot_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff /* 0x08: 32-bit code */
	.quad 0x00af9a000000ffff /* 0x10: 64-bit code */
	.quad 0x00cf92000000ffff /* 0x18: data */
	.quad 0, 0               /* 0x20: TSS, filled per CPU */
boot_gdt_end:
	.globl boot_gdt_desc
boot_gdt_desc:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.section .bss.page_aligned, "aw", @nobits
	.align 4096
	.globl boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.globl boot_stack
boot_stack:
	.skip 16384
	.globl boot_stack_top
boot_stack_top:
