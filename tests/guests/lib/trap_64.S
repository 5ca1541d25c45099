/*
 * 64-bit exception and interrupt entry: one 16-byte stub per vector pushes
 * a zero error code where the CPU pushes none, then the vector, and joins
 * trap_common, which saves every register as a struct regs (guest.h) and
 * calls trap_dispatch(). Also catch_call()/catch_resume(), the unwinding
 * behind catch_run().
 */
#include "layout.h"

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.text
	.code64
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
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	cld
	mov %rsp, %rdi
	call trap_dispatch
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp
	iretq

/* int catch_call(struct catch_buf *b, void (*fn)(void *), void *arg)
 * Saves the callee-saved registers, the stack pointer (pointing at our
 * return address) and the flags, then calls fn(arg) and returns 0. */
	.globl catch_call
catch_call:
	mov %rbx, 0(%rdi)
	mov %rbp, 8(%rdi)
	mov %r12, 16(%rdi)
	mov %r13, 24(%rdi)
	mov %r14, 32(%rdi)
	mov %r15, 40(%rdi)
	mov %rsp, 48(%rdi)
	pushf
	pop %rax
	mov %rax, 56(%rdi)
	mov %rdx, %rdi
	call *%rsi
	xor %eax, %eax
	ret

/* catch_resume(struct catch_buf *b): from the exception handler, return 1
 * from the catch_call() that saved b, dropping everything in between. The
 * data segments are reloaded: code that faulted in ring 3 may have loaded
 * others, and a ring change leaves %ss null. */
	.globl catch_resume
catch_resume:
	mov $SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov 0(%rdi), %rbx
	mov 8(%rdi), %rbp
	mov 16(%rdi), %r12
	mov 24(%rdi), %r13
	mov 32(%rdi), %r14
	mov 40(%rdi), %r15
	mov 48(%rdi), %rsp
	push 56(%rdi)
	popf
	mov $1, %eax
	ret
