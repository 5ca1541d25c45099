/* Registers saved on interrupt/exception entry (arch/x86/entry.S). */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#include <hv/types.h>

struct cpu_user_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi;
	uint32_t error_code;
	uint32_t entry_vector;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};
BUILD_BUG_ON(offsetof(struct cpu_user_regs, error_code) != 15 * 8);
BUILD_BUG_ON(offsetof(struct cpu_user_regs, rip) != 16 * 8);

void do_interrupt(struct cpu_user_regs *regs);
void show_registers(const struct cpu_user_regs *regs);
void show_stack_trace(uint64_t rip, uint64_t rbp);

#endif
