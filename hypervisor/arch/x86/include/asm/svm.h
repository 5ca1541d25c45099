/*
 * AMD SVM: the VMCB layout and exit codes (AMD64 APM vol. 2, chapter 15 and
 * appendix B), and the SVM back end's entry points (hvm/svm/svm.c).
 */
#ifndef ASM_SVM_H
#define ASM_SVM_H

#include <hv/types.h>

struct vmcb_seg {
	uint16_t sel;
	uint16_t attrib; /* type:4 s:1 dpl:2 p:1 avl:1 l:1 db:1 g:1 */
	uint32_t limit;
	uint64_t base;
};

struct vmcb {
	/* control area */
	uint32_t cr_intercepts;	       /* 0x000: reads 0-15, writes 16-31 */
	uint32_t dr_intercepts;	       /* 0x004 */
	uint32_t exception_intercepts; /* 0x008 */
	uint32_t intercepts1;	       /* 0x00c: INTERCEPT1_* */
	uint32_t intercepts2;	       /* 0x010: INTERCEPT2_* */
	uint8_t rsvd0[0x3c - 0x14];
	uint16_t pause_filter_thresh; /* 0x03c */
	uint16_t pause_filter_count;  /* 0x03e */
	uint64_t iopm_base_pa;	      /* 0x040 */
	uint64_t msrpm_base_pa;	      /* 0x048 */
	uint64_t tsc_offset;	      /* 0x050 */
	uint32_t asid;		      /* 0x058 */
	uint8_t tlb_control;	      /* 0x05c */
	uint8_t rsvd1[3];
	uint64_t vintr;	      /* 0x060: V_TPR, V_IRQ (8), V_IGN_TPR (20), V_INTR_MASKING (24), vector 32-39 */
	uint64_t int_state;   /* 0x068: bit 0 interrupt shadow */
	uint64_t exitcode;    /* 0x070 */
	uint64_t exitinfo1;   /* 0x078 */
	uint64_t exitinfo2;   /* 0x080 */
	uint64_t exitintinfo; /* 0x088 */
	uint64_t np_enable;   /* 0x090: bit 0 */
	uint64_t rsvd2[2];    /* 0x098 */
	uint64_t eventinj;    /* 0x0a8 */
	uint64_t n_cr3;	      /* 0x0b0 */
	uint64_t virt_ext;    /* 0x0b8 */
	uint32_t clean_bits;  /* 0x0c0 */
	uint32_t rsvd3;
	uint64_t next_rip; /* 0x0c8 */
	uint8_t insn_len;  /* 0x0d0 */
	uint8_t insn_bytes[15];
	uint8_t rsvd4[0x400 - 0xe0];
	/* state save area */
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400-0x49f */
	uint8_t rsvd5[0x4cb - 0x4a0];
	uint8_t cpl; /* 0x4cb */
	uint32_t rsvd6;
	uint64_t efer; /* 0x4d0 */
	uint8_t rsvd7[0x548 - 0x4d8];
	uint64_t cr4;	 /* 0x548 */
	uint64_t cr3;	 /* 0x550 */
	uint64_t cr0;	 /* 0x558 */
	uint64_t dr7;	 /* 0x560 */
	uint64_t dr6;	 /* 0x568 */
	uint64_t rflags; /* 0x570 */
	uint64_t rip;	 /* 0x578 */
	uint8_t rsvd8[0x5d8 - 0x580];
	uint64_t rsp; /* 0x5d8 */
	uint8_t rsvd9[0x5f8 - 0x5e0];
	uint64_t rax;		 /* 0x5f8 */
	uint64_t star;		 /* 0x600 */
	uint64_t lstar;		 /* 0x608 */
	uint64_t cstar;		 /* 0x610 */
	uint64_t sfmask;	 /* 0x618 */
	uint64_t kernel_gs_base; /* 0x620 */
	uint64_t sysenter_cs;	 /* 0x628 */
	uint64_t sysenter_esp;	 /* 0x630 */
	uint64_t sysenter_eip;	 /* 0x638 */
	uint64_t cr2;		 /* 0x640 */
	uint8_t rsvd10[0x668 - 0x648];
	uint64_t g_pat; /* 0x668 */
	uint8_t rsvd11[0x1000 - 0x670];
};
BUILD_BUG_ON(sizeof(struct vmcb) != 4096);
BUILD_BUG_ON(offsetof(struct vmcb, iopm_base_pa) != 0x40);
BUILD_BUG_ON(offsetof(struct vmcb, vintr) != 0x60);
BUILD_BUG_ON(offsetof(struct vmcb, eventinj) != 0xa8);
BUILD_BUG_ON(offsetof(struct vmcb, next_rip) != 0xc8);
BUILD_BUG_ON(offsetof(struct vmcb, es) != 0x400);
BUILD_BUG_ON(offsetof(struct vmcb, tr) != 0x490);
BUILD_BUG_ON(offsetof(struct vmcb, cpl) != 0x4cb);
BUILD_BUG_ON(offsetof(struct vmcb, efer) != 0x4d0);
BUILD_BUG_ON(offsetof(struct vmcb, cr4) != 0x548);
BUILD_BUG_ON(offsetof(struct vmcb, rip) != 0x578);
BUILD_BUG_ON(offsetof(struct vmcb, rsp) != 0x5d8);
BUILD_BUG_ON(offsetof(struct vmcb, rax) != 0x5f8);
BUILD_BUG_ON(offsetof(struct vmcb, cr2) != 0x640);
BUILD_BUG_ON(offsetof(struct vmcb, g_pat) != 0x668);

#define INTERCEPT1_INTR (1u << 0)
#define INTERCEPT1_NMI (1u << 1)
#define INTERCEPT1_SMI (1u << 2)
#define INTERCEPT1_INIT (1u << 3)
#define INTERCEPT1_VINTR (1u << 4)
#define INTERCEPT1_CPUID (1u << 18)
#define INTERCEPT1_INVD (1u << 22)
#define INTERCEPT1_HLT (1u << 24)
#define INTERCEPT1_INVLPGA (1u << 26)
#define INTERCEPT1_IOIO (1u << 27)
#define INTERCEPT1_MSR (1u << 28)
#define INTERCEPT1_TASK_SWITCH (1u << 29)
#define INTERCEPT1_SHUTDOWN (1u << 31)
#define INTERCEPT2_VMRUN (1u << 0)
#define INTERCEPT2_VMMCALL (1u << 1)
#define INTERCEPT2_VMLOAD (1u << 2)
#define INTERCEPT2_VMSAVE (1u << 3)
#define INTERCEPT2_STGI (1u << 4)
#define INTERCEPT2_CLGI (1u << 5)
#define INTERCEPT2_SKINIT (1u << 6)
#define INTERCEPT2_ICEBP (1u << 8)
#define INTERCEPT2_MONITOR (1u << 10)
#define INTERCEPT2_MWAIT (1u << 11)
#define INTERCEPT2_MWAIT_COND (1u << 12)
#define INTERCEPT2_XSETBV (1u << 13)

#define VINTR_V_IRQ (1ULL << 8)
#define VINTR_IGN_TPR (1ULL << 20)
#define VINTR_MASKING (1ULL << 24)

/* EVENTINJ / EXITINTINFO */
#define EVENT_VALID (1ULL << 31)
#define EVENT_EV (1ULL << 11) /* error code valid */
#define EVENT_TYPE_INTR (0ULL << 8)
#define EVENT_TYPE_NMI (2ULL << 8)
#define EVENT_TYPE_EXC (3ULL << 8)
#define EVENT_TYPE_SOFT (4ULL << 8)

#define TLB_CTRL_NONE 0
#define TLB_CTRL_FLUSH_ALL 1
#define TLB_CTRL_FLUSH_ASID 3

/* exit codes */
#define VMEXIT_EXCEPTION_BASE 0x40
#define VMEXIT_INTR 0x60
#define VMEXIT_NMI 0x61
#define VMEXIT_SMI 0x62
#define VMEXIT_INIT 0x63
#define VMEXIT_VINTR 0x64
#define VMEXIT_CPUID 0x72
#define VMEXIT_INVD 0x76
#define VMEXIT_HLT 0x78
#define VMEXIT_INVLPGA 0x7a
#define VMEXIT_IOIO 0x7b
#define VMEXIT_MSR 0x7c
#define VMEXIT_TASK_SWITCH 0x7d
#define VMEXIT_SHUTDOWN 0x7f
#define VMEXIT_VMRUN 0x80
#define VMEXIT_VMMCALL 0x81
#define VMEXIT_VMLOAD 0x82
#define VMEXIT_VMSAVE 0x83
#define VMEXIT_STGI 0x84
#define VMEXIT_CLGI 0x85
#define VMEXIT_SKINIT 0x86
#define VMEXIT_ICEBP 0x88
#define VMEXIT_MONITOR 0x8a
#define VMEXIT_MWAIT 0x8b
#define VMEXIT_MWAIT_COND 0x8c
#define VMEXIT_XSETBV 0x8d
#define VMEXIT_NPF 0x400
#define VMEXIT_INVALID ((uint64_t)-1)

#define MSR_VM_CR 0xc0010114
#define MSR_VM_HSAVE_PA 0xc0010117

#endif
