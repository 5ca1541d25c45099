/*
 * 32-bit exception and interrupt entry (see trap_64.S for the 64-bit one):
 * the stubs push a zero error code where the CPU pushes none and the
 * vector; trap_common saves the registers as a struct regs and calls
 * trap_dispatch(). Also catch_call()/catch_resume().
 */
#include "layout.h"

#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.text
	.code32
	.balign 16
	.globl idt_stubs
idt_stubs:
	vector = 0
	.rept 256
	.balign 16
	.if !HAS_ERROR(vector)
	push $0
	.endif
	push $vector
	jmp trap_common
	vector = vector + 1
	.endr

trap_common:
	push %eax
	push %ecx
	push %edx
	push %ebx
	push %ebp
	push %esi
	push %edi
	cld
	mov %esp, %eax
	push %eax
	call trap_dispatch
	add $4, %esp
	pop %edi
	pop %esi
	pop %ebp
	pop %ebx
	pop %edx
	pop %ecx
	pop %eax
	add $8, %esp
	iret

/* int catch_call(struct catch_buf *b, void (*fn)(void *), void *arg) */
	.globl catch_call
catch_call:
	mov 4(%esp), %eax
	mov %ebx, 0(%eax)
	mov %esi, 4(%eax)
	mov %edi, 8(%eax)
	mov %ebp, 12(%eax)
	mov %esp, 16(%eax)
	pushf
	pop %ecx
	mov %ecx, 20(%eax)
	mov 8(%esp), %ecx
	push 12(%esp)
	call *%ecx
	add $4, %esp
	xor %eax, %eax
	ret

/* catch_resume(struct catch_buf *b): return 1 from the matching catch_call. */
	.globl catch_resume
catch_resume:
	mov 4(%esp), %eax
	mov $SEL_DATA, %ecx
	mov %ecx, %ds
	mov %ecx, %es
	mov %ecx, %ss
	mov 0(%eax), %ebx
	mov 4(%eax), %esi
	mov 8(%eax), %edi
	mov 12(%eax), %ebp
	mov 16(%eax), %esp
	push 20(%eax)
	popf
	mov $1, %eax
	ret
