/*
 * hostile: entering the random-instruction sandbox.
 *
 * sandbox_enter(rip, rsp, rflags, gprs, rsp0_slot, cs, ss) builds an IRETQ
 * frame, records the stack pointer in *rsp0_slot (the TSS's RSP0, so an
 * exception from ring 3 lands just below this frame), loads the 15
 * general registers from gprs[] (rax rbx rcx rdx rsi rdi rbp r8..r15) and
 * jumps. It never returns: the sandbox ends with an exception or the
 * watchdog interrupt, and the handler unwinds to catch_run().
 */
#include "layout.h"

	.text
	.code64
	.globl sandbox_enter
sandbox_enter:
	/* rdi rip, rsi rsp, rdx rflags, rcx gprs, r8 rsp0 slot, r9 cs, 8(%rsp) ss */
	mov 8(%rsp), %rax
	push %rax
	push %rsi
	push %rdx
	push %r9
	push %rdi
	mov %rsp, (%r8)
	mov 0(%rcx), %rax
	mov 8(%rcx), %rbx
	mov 24(%rcx), %rdx
	mov 32(%rcx), %rsi
	mov 40(%rcx), %rdi
	mov 48(%rcx), %rbp
	mov 56(%rcx), %r8
	mov 64(%rcx), %r9
	mov 72(%rcx), %r10
	mov 80(%rcx), %r11
	mov 88(%rcx), %r12
	mov 96(%rcx), %r13
	mov 104(%rcx), %r14
	mov 112(%rcx), %r15
	mov 16(%rcx), %rcx
	iretq
