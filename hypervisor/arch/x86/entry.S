/*
 * Interrupt and exception entry. Every one of the 256 vectors has a 16-byte
 * stub that pushes a zero error code where the CPU does not push one and
 * stores the vector number in the upper half of that slot, then joins
 * common_interrupt, which saves the general registers into a struct
 * cpu_user_regs (asm/regs.h: the push order below is that layout) and calls
 * do_interrupt(regs).
 */
#include <asm/x86.h>

/* vectors for which the CPU pushes an error code */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.text
	.align 16
	.globl interrupt_stubs
interrupt_stubs:
	vec = 0
	.rept 256
	.align 16
	.if HAS_ERRCODE(vec)
	movl $vec, 4(%rsp)
	.else
	push $0
	movl $vec, 4(%rsp)
	.endif
	jmp common_interrupt
	vec = vec + 1
	.endr

common_interrupt:
	push %rdi
	push %rsi
	push %rdx
	push %rcx
	push %rax
	push %r8
	push %r9
	push %r10
	push %r11
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	cld
	mov %rsp, %rdi
	mov %rsp, %rbx
	and $~15, %rsp
	xor %ebp, %ebp /* stack traces of the handler start here... */
	call do_interrupt /* ...and do_interrupt prints the interrupted frames */
	mov %rbx, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rax
	pop %rcx
	pop %rdx
	pop %rsi
	pop %rdi
	add $8, %rsp
	iretq
