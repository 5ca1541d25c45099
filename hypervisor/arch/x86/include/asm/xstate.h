/*
 * FPU/SSE/AVX state of vCPUs (hvm/xstate.c). The hypervisor itself never
 * touches these registers (it is built with -mgeneral-regs-only), so a
 * vCPU's state can stay in the registers across its exits; it is saved and
 * restored only when another vCPU is loaded on the pCPU. XSAVE (with the
 * vCPU's own XCR0) where the CPU has it, else FXSAVE.
 */
#ifndef ASM_XSTATE_H
#define ASM_XSTATE_H

#include <hv/types.h>

struct vcpu;

void xstate_cpu_init(void);
int xstate_alloc(struct vcpu *v);
void xstate_free(struct vcpu *v);
void xstate_save(struct vcpu *v);
void xstate_restore(struct vcpu *v);
/* The guest's XSETBV: 0, or -XEN_EINVAL (#GP) for an invalid value. */
int xstate_set_xcr0(struct vcpu *v, uint64_t val);
uint64_t xstate_host_xcr0_mask(void);

#endif
