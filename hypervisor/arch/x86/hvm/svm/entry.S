/*
 * svm_vmrun(struct guest_regs *regs, paddr_t vmcb_pa, paddr_t host_vmcb_pa)
 *
 * Enter the guest once and come back at its next #VMEXIT. The caller has
 * cleared GIF and set IF (clgi; sti), so host interrupts arriving while the
 * guest runs cause #VMEXIT(INTR) and are taken after the caller's stgi.
 *
 * VMRUN switches only part of the state: FS, GS, TR, LDTR and the
 * SYSCALL/SYSENTER/KernelGSBase MSRs are switched by VMLOAD/VMSAVE, so the
 * guest's are loaded before VMRUN and the host's (saved once per CPU into
 * host_vmcb_pa by svm_cpu_up) reloaded after it. The general registers the
 * VMCB does not hold are loaded from and saved to *regs (struct guest_regs,
 * asm/domain.h: rbx rcx rdx rsi rdi rbp r8-r15 at 8-byte steps).
 */
	.text
	.globl svm_vmrun
svm_vmrun:
	push %rbp
	mov %rsp, %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi /* regs */
	push %rdx /* host VMCB */
	push %rsi /* guest VMCB */
	mov %rsi, %rax

	mov 0(%rdi), %rbx
	mov 8(%rdi), %rcx
	mov 16(%rdi), %rdx
	mov 24(%rdi), %rsi
	mov 40(%rdi), %rbp
	mov 48(%rdi), %r8
	mov 56(%rdi), %r9
	mov 64(%rdi), %r10
	mov 72(%rdi), %r11
	mov 80(%rdi), %r12
	mov 88(%rdi), %r13
	mov 96(%rdi), %r14
	mov 104(%rdi), %r15
	mov 32(%rdi), %rdi

	vmload %rax
	vmrun %rax
	/* #VMEXIT: rax, rsp and rip are the host's again */
	vmsave %rax

	push %rdi /* the guest's */
	mov 24(%rsp), %rdi /* regs: above the guest rdi and the two VMCBs */
	mov %rbx, 0(%rdi)
	mov %rcx, 8(%rdi)
	mov %rdx, 16(%rdi)
	mov %rsi, 24(%rdi)
	mov %rbp, 40(%rdi)
	mov %r8, 48(%rdi)
	mov %r9, 56(%rdi)
	mov %r10, 64(%rdi)
	mov %r11, 72(%rdi)
	mov %r12, 80(%rdi)
	mov %r13, 88(%rdi)
	mov %r14, 96(%rdi)
	mov %r15, 104(%rdi)
	pop %rbx
	mov %rbx, 32(%rdi)

	pop %rax /* guest VMCB */
	pop %rax /* host VMCB */
	vmload %rax
	pop %rdi
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
