/*
 * The HVM layer between common code and the hardware back end (SVM today;
 * VMX slots in behind the same functions). hvm/hvm.c holds what does not
 * depend on the back end: CPUID and MSR policy, port I/O, guest memory
 * access through the guest's page tables, the hypercall page.
 */
#ifndef ASM_HVM_H
#define ASM_HVM_H

#include <hv/types.h>

struct domain;
struct vcpu;

/* Guest register view for the common exit handlers. */
struct hvm_exit_regs;

/* --- back end (svm.c) --- */
int hvm_cpu_up(void);	/* enable virtualization on this CPU; 0 or -errno */
bool hvm_enabled(void); /* every CPU came up with it */
int hvm_vcpu_create(struct vcpu *v);
void hvm_vcpu_destroy(struct vcpu *v);
/* Initial state: 32-bit flat protected mode at entry with ebx = start info
 * (the PVH ABI), or real mode at vector << 12 (SIPI). */
void hvm_vcpu_set_pvh_entry(struct vcpu *v, uint32_t entry, uint32_t ebx);
void hvm_vcpu_set_sipi_entry(struct vcpu *v, uint8_t vector);
/* Run the vCPU until its next exit and handle the exit. Called with
 * interrupts disabled; returns with them enabled. */
void hvm_run(struct vcpu *v);
/* Context switch on this pCPU: FPU/SSE/AVX state and per-vCPU MSRs. */
void hvm_ctxt_switch_from(struct vcpu *v);
void hvm_ctxt_switch_to(struct vcpu *v);
/* Flush the guest TLBs of every vCPU of d (after a p2m change). */
void hvm_flush_guest_tlbs(struct domain *d);
void hvm_inject_exception(struct vcpu *v, int vector, int64_t error_code);
#define hvm_inject_gp(v) hvm_inject_exception((v), 13, 0)
#define hvm_inject_ud(v) hvm_inject_exception((v), 6, -1)
void hvm_dump_vcpu(struct vcpu *v);

/* Guest register access for the generic handlers */
uint64_t hvm_get_reg(struct vcpu *v, unsigned int reg); /* x86 encoding 0-15 */
void hvm_set_reg(struct vcpu *v, unsigned int reg, uint64_t val);
uint64_t hvm_get_rip(struct vcpu *v);
void hvm_set_rip(struct vcpu *v, uint64_t rip);
bool hvm_interrupts_enabled(struct vcpu *v);		/* RFLAGS.IF and no interrupt shadow */
void hvm_advance_rip(struct vcpu *v, unsigned int len); /* also ends an interrupt shadow */
uint64_t hvm_linear_rip(struct vcpu *v);		/* CS base + RIP outside 64-bit mode */
uint64_t hvm_get_cr(struct vcpu *v, unsigned int n);	/* CR0, CR2, CR3, CR4 */
uint64_t hvm_get_efer(struct vcpu *v);
void hvm_set_efer(struct vcpu *v, uint64_t val);
uint64_t hvm_get_pat(struct vcpu *v);
void hvm_set_pat(struct vcpu *v, uint64_t val);
uint64_t hvm_get_tsc_offset(struct vcpu *v);
void hvm_set_tsc_offset(struct vcpu *v, uint64_t off);
bool hvm_long_mode_64bit(struct vcpu *v); /* the guest runs 64-bit code now */
#define REG_RAX 0
#define REG_RCX 1
#define REG_RDX 2
#define REG_RBX 3
#define REG_RSP 4
#define REG_RBP 5
#define REG_RSI 6
#define REG_RDI 7
#define REG_R8 8
#define REG_R10 10

/* --- common HVM (hvm.c) --- */
void hvm_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d);
/* 0, or -XEN_EINVAL meaning #GP */
int hvm_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int hvm_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
void hvm_portio(struct vcpu *v, uint16_t port, unsigned int bytes, bool in, uint32_t *val);
/* Guest memory. gpa: guest-physical; gva: through the guest's page tables.
 * 0 or -XEN_EFAULT. */
int hvm_copy_from_gpa(struct domain *d, void *dst, uint64_t gpa, size_t len);
int hvm_copy_to_gpa(struct domain *d, uint64_t gpa, const void *src, size_t len);
int hvm_copy_from_guest(struct vcpu *v, void *dst, uint64_t gva, size_t len);
int hvm_copy_to_guest(struct vcpu *v, uint64_t gva, const void *src, size_t len);
/* Translate a guest-virtual address (the guest's current paging mode). */
int hvm_gva_to_gpa(struct vcpu *v, uint64_t gva, bool write, uint64_t *gpa);
/* The VMMCALL (hypercall) exit. */
void hvm_hypercall(struct vcpu *v);
/* Emulate the MOV at RIP that touched the xAPIC page at gpa. */
void hvm_emulate_lapic_mmio(struct vcpu *v, uint64_t gpa, bool write);
/* The same, with the instruction bytes already known (SVM decode assists). */
void hvm_emulate_lapic_mmio_bytes(struct vcpu *v, uint64_t gpa, bool write, const uint8_t *insn, unsigned int len);

/* The guest-visible vendor CPUID/MSR base for Xen's leaves. */
#define XEN_CPUID_BASE 0x40000000u
#define XEN_HYPERCALL_MSR 0x40000000u

#endif
