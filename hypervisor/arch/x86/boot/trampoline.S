/*
 * Application-processor start-up code. cpu_up() copies this blob to a page
 * below 1 MiB, fills in the parameter block at its end and sends
 * INIT-SIPI-SIPI with that page as the vector. The AP starts here in real
 * mode with CS = page >> 4, IP = 0. The code is position independent: %ebx
 * holds the blob's physical base from the first instructions on.
 */
#include <asm/x86.h>

#define OFF(sym) ((sym) - trampoline_start)

	.section .trampoline, "awx"
	.code16
	.globl trampoline_start
trampoline_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	xor %ebx, %ebx
	mov %cs, %bx
	shl $4, %ebx /* physical base of the blob */
	/* patch the GDT descriptor's base and the far-jump targets */
	lea OFF(tr_gdt)(%ebx), %eax
	mov %eax, OFF(tr_gdt_desc) + 2
	lea OFF(tr_32)(%ebx), %eax
	mov %eax, OFF(tr_jmp32)
	lea OFF(tr_64)(%ebx), %eax
	mov %eax, OFF(tr_jmp64)
	lgdtl OFF(tr_gdt_desc)
	mov %cr0, %eax
	or $X86_CR0_PE, %eax
	mov %eax, %cr0
	ljmpl *OFF(tr_jmp32)

	.code32
tr_32:
	mov $__HYPERVISOR_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %cr4, %eax
	or $(X86_CR4_PAE | X86_CR4_PSE), %eax
	mov %eax, %cr4
	mov OFF(tr_cr3)(%ebx), %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or OFF(tr_efer)(%ebx), %eax
	wrmsr
	mov %cr0, %eax
	or $(X86_CR0_PG | X86_CR0_WP | X86_CR0_NE), %eax
	mov %eax, %cr0
	ljmpl *OFF(tr_jmp64)(%ebx)

	.code64
tr_64:
	mov OFF(tr_stack)(%rbx), %rsp
	mov OFF(tr_cpu)(%rbx), %edi
	xor %ebp, %ebp
	movl $1, OFF(tr_started)(%rbx) /* tell the BSP we are running */
	mov OFF(tr_entry)(%rbx), %rax
	jmp *%rax

	.align 16
tr_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff /* 0x08: 32-bit code */
	.quad 0x00af9a000000ffff /* 0x10: 64-bit code */
	.quad 0x00cf92000000ffff /* 0x18: data */
tr_gdt_end:
tr_gdt_desc:
	.short tr_gdt_end - tr_gdt - 1
	.long 0
tr_jmp32:
	.long 0
	.short __HYPERVISOR_CS32
tr_jmp64:
	.long 0
	.short __HYPERVISOR_CS

	/* parameter block, filled by cpu_up() (struct trampoline_params) */
	.align 8
	.globl trampoline_params
trampoline_params:
tr_cr3:
	.quad 0
tr_efer:
	.quad 0
tr_stack:
	.quad 0
tr_entry:
	.quad 0
tr_cpu:
	.quad 0
tr_started:
	.quad 0
	.globl trampoline_end
trampoline_end:
