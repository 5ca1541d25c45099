/*
 * modes: the mode switches themselves (32-bit build).
 *
 * modes_real_and_back(blob): from 32-bit protected mode into real mode and
 * back. The 16-bit code (rm_blob_*) runs from a copy at `blob`, a page
 * below 1 MiB: entered through the 16-bit code segment (whose base we set
 * to blob), it clears CR0.PE, far-returns into real mode at blob >> 4,
 * leaves evidence in the page (a marker, the MSW, a software-interrupt
 * count, a write through segment arithmetic), sets CR0.PE again and far
 * jumps back to modes_back32.
 *
 * modes_long_and_back(pml4): into long mode (PAE, EFER.LME, CR0.PG), runs
 * 64-bit code that records a 64-bit result and EFER, then back out through
 * compatibility mode (CR0.PG off, EFER.LME off, CR4.PAE off).
 */
#include "layout.h"

	.text
	.code32
	.globl modes_real_and_back
modes_real_and_back:
	push %ebp
	push %ebx
	push %esi
	push %edi
	mov 20(%esp), %ebx
	mov %esp, saved_esp
	sidt saved_idtr
	cli
	/* The 16-bit code segment's base = blob. */
	mov %ebx, %eax
	mov %ax, gdt + SEL_CODE16 + 2
	shr $16, %eax
	mov %al, gdt + SEL_CODE16 + 4
	mov %ah, gdt + SEL_CODE16 + 7
	mov %ebx, %edx
	shr $4, %edx /* the real-mode segment, for the blob */
	ljmp $SEL_CODE16, $0

	.globl modes_back32
modes_back32:
	mov $SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %fs
	mov %eax, %gs
	mov %eax, %ss
	mov saved_esp, %esp
	lidt saved_idtr
	pop %edi
	pop %esi
	pop %ebx
	pop %ebp
	ret

	.globl modes_long_and_back
modes_long_and_back:
	push %ebp
	push %ebx
	push %esi
	push %edi
	mov 20(%esp), %ebx
	mov %esp, saved_esp
	sidt saved_idtr
	cli
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov %ebx, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80000000, %eax
	mov %eax, %cr0
	ljmp $SEL_CODE64, $1f

	.code64
1:	mov $SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %esp, %esp
	movabs $0x123456789, %rax
	shl $20, %rax /* needs more than 32 bits */
	mov %rax, lm_result(%rip)
	mov $MSR_EFER, %ecx
	rdmsr
	mov %eax, lm_efer(%rip)
	push $SEL_CODE32
	lea 2f(%rip), %rax
	push %rax
	lretq

	.code32
2:	mov %cr0, %eax /* compatibility mode: paging off leaves long mode */
	and $0x7fffffff, %eax
	mov %eax, %cr0
	mov $MSR_EFER, %ecx
	rdmsr
	and $~EFER_LME, %eax
	wrmsr
	mov %cr4, %eax
	and $~CR4_PAE, %eax
	mov %eax, %cr4
	mov $SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov saved_esp, %esp
	lidt saved_idtr
	pop %edi
	pop %esi
	pop %ebx
	pop %ebp
	ret

	.data
	.balign 8
saved_esp:
	.long 0
saved_idtr:
	.word 0
	.long 0
	.balign 8
	.globl lm_result, lm_efer
lm_result:
	.quad 0
lm_efer:
	.long 0

/* The real-mode blob: copied to a page below 1 MiB; offsets are relative
 * to its start. rm_* labels are exported as offsets for modes.c. */
	.section .rodata
	.code16
	.globl rm_blob_start, rm_blob_end
rm_blob_start:
	mov $SEL_DATA16, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %fs
	mov %ax, %gs
	mov %ax, %ss
	mov %cr0, %eax
	and $0xfffffffe, %eax
	mov %eax, %cr0
	push %dx
	push $(1f - rm_blob_start)
	lret
1:	mov %cs, %ax
	mov %ax, %ds
	mov %ax, %ss
	mov $0xff0, %sp
	lidt (rm_idtr - rm_blob_start)
	smsw %ax
	mov %ax, (rm_msw - rm_blob_start)
	movl $0x4c414552, (rm_marker - rm_blob_start) /* "REAL" */
	int $0x20
	mov %cs, %ax
	inc %ax
	mov %ax, %es
	movw $0x1234, %es:(rm_seg_probe - rm_blob_start - 16)
	lgdtl (rm_gdtr - rm_blob_start)
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl *(rm_back - rm_blob_start)

rm_int20:
	incw %cs:(rm_int_count - rm_blob_start)
	iret

	.balign 8
	.globl rm_marker, rm_msw, rm_int_count, rm_seg_probe, rm_idtr, rm_int20
rm_marker:
	.long 0
rm_msw:
	.word 0
rm_int_count:
	.word 0
rm_seg_probe:
	.word 0
	.balign 8
rm_idtr:
	.word 0x3ff
	.long 0 /* the IVT's address: filled in by modes.c */
	.balign 8
rm_gdtr:
	.word GDT_ENTRIES * 8 - 1
	.long gdt
rm_back:
	.long modes_back32
	.word SEL_CODE32
rm_blob_end:
