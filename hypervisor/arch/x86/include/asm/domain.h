/* x86 HVM state of a vCPU and a domain. */
#ifndef ASM_DOMAIN_H
#define ASM_DOMAIN_H

#include <hv/spinlock.h>
#include <hv/timer.h>
#include <hv/types.h>
#include <asm/vlapic.h>

/* Guest general-purpose registers the VMCB does not hold (it has rax, rsp,
 * rip, rflags). Saved and loaded by the VMRUN path (hvm/svm/entry.S); the
 * layout is known to that file. */
struct guest_regs {
	uint64_t rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

struct vmcb;

struct arch_vcpu {
	struct guest_regs regs;
	struct vmcb *vmcb;
	paddr_t vmcb_pa;
	uint32_t asid;
	uint64_t asid_generation;
	unsigned int asid_cpu;
	bool need_flush;	    /* flush this vCPU's guest TLB on the next VMRUN */
	bool vmcb_state_reset;	    /* the VMCB was (re)initialised: nothing cached is valid */
	unsigned int vmcb_last_cpu; /* pCPU + 1 of the last VMRUN, 0 = never */
	/* FPU/SSE/AVX state while the vCPU is not loaded */
	void *xsave_area;
	uint64_t xcr0;
	struct vlapic vlapic;
	bool nmi_pending;
	uint64_t tsc_aux;
	struct vcpu_info *vcpu_info; /* registered with VCPUOP_register_vcpu_info (NULL: the shared_info slot) */
	uint8_t upcall_vector;	     /* HVMOP_set_evtchn_upcall_vector (0: none) */
	struct timer vtimer;	     /* vcpu_op singleshot/periodic timer (common/vtime.c) */
	s_time_t timer_deadline;
	s_time_t periodic_ns;			  /* 0: singleshot (or off) */
	uint64_t runstate_gva;			  /* VCPUOP_register_runstate_memory_area (0: none) */
	bool runstate_compat;			  /* ... registered by 32-bit code: i386 layout */
	uint64_t time_area_gva;			  /* VCPUOP_register_vcpu_time_memory_area (0: none) */
	uint8_t dummy_vcpu_info[64] __aligned(8); /* vCPUs >= 32 before they register one */
	/* hypercall_create_continuation(): run the hypercall again with these */
	bool hcall_continue;
	uint64_t hcall_args[5];
	/* a pending exception to inject: vector, error code (or -1) */
	int pending_exc;
	int64_t pending_exc_ec;
};

struct arch_domain {
	/* nested page tables (hvm/p2m.c) */
	spinlock_t p2m_lock;
	paddr_t p2m_root; /* machine address of the PML4 */
	uint64_t tsc_offset;
	uint64_t guest_ram_bytes;
	uint64_t max_gfn;	  /* highest guest frame with RAM */
	uint64_t shared_info_gfn; /* where the guest mapped shared_info (0: not yet) */
};

#endif
