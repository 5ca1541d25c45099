/*
 * The AMD SVM back end: enabling SVM on each CPU, a VMCB per vCPU, running
 * a vCPU, event injection, and dispatching its exits.
 *
 * Works with and without the optional SVM features: next-RIP saving, decode
 * assists, VMCB clean bits and flush-by-ASID. QEMU's emulated SVM (the test
 * platform) has none of them, so instruction lengths are decoded here
 * (svm_insn_len) when next-RIP saving is absent, and the whole TLB is
 * flushed when ASIDs run out or a flush is needed.
 *
 * Interrupts: host interrupts arriving while a guest runs cause
 * #VMEXIT(INTR) (V_INTR_MASKING keeps the host's IF in charge) and are taken
 * right after the exit, on stgi + sti.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/smp.h>
#include <hv/softirq.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/irqflags.h>
#include <asm/page.h>
#include <asm/svm.h>
#include <asm/vlapic.h>
#include <asm/x86.h>
#include <asm/xstate.h>

void svm_vmrun(struct guest_regs *regs, paddr_t vmcb_pa, paddr_t host_vmcb_pa);

static bool svm_has_nrips, svm_has_flush_by_asid, svm_has_clean_bits, svm_has_decode_assists;
static unsigned int svm_nr_asids;
static unsigned int svm_cpus_up;

struct svm_cpu {
	void *hsave;
	void *host_vmcb;
	uint32_t next_asid;
	uint64_t generation;
	bool ok;
};
static DEFINE_PER_CPU(struct svm_cpu, svm_cpu);

/* Shared by every vCPU: intercept every I/O port; most MSRs. */
static void *iopm, *msrpm;

static inline void clgi(void)
{
	__asm__ __volatile__("clgi" ::: "memory");
}
static inline void stgi(void)
{
	__asm__ __volatile__("stgi" ::: "memory");
}

static void msrpm_passthrough(uint32_t msr)
{
	unsigned int base, bit;
	uint8_t *pm = msrpm;

	if (msr <= 0x1fff)
		base = 0;
	else if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		base = 0x800, msr -= 0xc0000000;
	else
		return;
	bit = msr * 2; /* read bit, then write bit */
	pm[base + bit / 8] &= (uint8_t) ~(3u << (bit % 8));
}

static int svm_global_init(void)
{
	iopm = alloc_xenheap_pages(2, 0);
	msrpm = alloc_xenheap_pages(1, 0);
	if (!iopm || !msrpm)
		return -XEN_ENOMEM;
	memset(iopm, 0xff, 4 * PAGE_SIZE);
	memset(msrpm, 0xff, 2 * PAGE_SIZE);
	/* switched by VMLOAD/VMSAVE: the guest may use them directly */
	msrpm_passthrough(MSR_FS_BASE);
	msrpm_passthrough(MSR_GS_BASE);
	msrpm_passthrough(MSR_SHADOW_GS_BASE);
	msrpm_passthrough(0xc0000081); /* STAR */
	msrpm_passthrough(0xc0000082); /* LSTAR */
	msrpm_passthrough(0xc0000083); /* CSTAR */
	msrpm_passthrough(0xc0000084); /* SFMASK */
	msrpm_passthrough(0x174);      /* SYSENTER_CS */
	msrpm_passthrough(0x175);      /* SYSENTER_ESP */
	msrpm_passthrough(0x176);      /* SYSENTER_EIP */
	return 0;
}

int hvm_cpu_up(void)
{
	struct svm_cpu *sc = &this_cpu(svm_cpu);
	uint32_t a, b, c, d;
	static bool global_done;
	static DEFINE_SPINLOCK(init_lock);

	if (!(cpuid_ecx(0x80000001) & (1u << 2))) {
		printk(LOG_WARN "svm: CPU %u has no SVM (AMD-V); Basalt cannot run guests on it\n", smp_processor_id());
		return -XEN_ENODEV;
	}
	cpuid(0x8000000a, &a, &b, &c, &d);
	if (!(d & 1)) {
		printk(LOG_WARN "svm: CPU %u has SVM but no nested paging (NPT); Basalt needs both\n",
		       smp_processor_id());
		return -XEN_ENODEV;
	}
	if (rdmsr(MSR_VM_CR) & (1u << 4)) {
		printk(LOG_WARN "svm: SVM is disabled by the firmware on CPU %u (VM_CR.SVMDIS)\n", smp_processor_id());
		return -XEN_ENODEV;
	}
	spin_lock(&init_lock);
	if (!global_done) {
		svm_has_nrips = d & (1u << 3);
		svm_has_flush_by_asid = d & (1u << 6);
		svm_has_clean_bits = d & (1u << 5);
		svm_has_decode_assists = d & (1u << 7);
		svm_nr_asids = b;
		if (svm_global_init()) {
			spin_unlock(&init_lock);
			return -XEN_ENOMEM;
		}
		global_done = true;
		printk("svm: AMD-V with nested paging, %u ASIDs%s%s%s%s\n", b, svm_has_nrips ? ", next-RIP" : "",
		       d & (1u << 7) ? ", decode assists" : "", d & (1u << 5) ? ", VMCB clean bits" : "",
		       svm_has_flush_by_asid ? ", flush-by-ASID" : "");
	}
	spin_unlock(&init_lock);

	sc->hsave = alloc_xenheap_pages(0, MEMF_zero);
	sc->host_vmcb = alloc_xenheap_pages(0, MEMF_zero);
	if (!sc->hsave || !sc->host_vmcb)
		return -XEN_ENOMEM;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, virt_to_maddr(sc->hsave));
	/* the host's FS/GS/TR/... as VMLOAD must restore them after each exit */
	__asm__ __volatile__("vmsave %0" ::"a"(virt_to_maddr(sc->host_vmcb)) : "memory");
	sc->next_asid = 1;
	sc->generation = 1;
	sc->ok = true;
	__atomic_fetch_add(&svm_cpus_up, 1, __ATOMIC_RELAXED);
	xstate_cpu_init();
	return 0;
}

bool hvm_enabled(void)
{
	return svm_cpus_up != 0;
}

static void seg(struct vmcb_seg *s, uint16_t sel, uint16_t attrib, uint32_t limit, uint64_t base)
{
	s->sel = sel;
	s->attrib = attrib;
	s->limit = limit;
	s->base = base;
}

int hvm_vcpu_create(struct vcpu *v)
{
	struct vmcb *vmcb = alloc_xenheap_pages(0, MEMF_zero);

	if (!vmcb)
		return -XEN_ENOMEM;
	v->arch.vmcb = vmcb;
	v->arch.vmcb_pa = virt_to_maddr(vmcb);
	v->arch.pending_exc = -1;
	if (xstate_alloc(v)) {
		free_xenheap_pages(vmcb, 0);
		v->arch.vmcb = NULL;
		return -XEN_ENOMEM;
	}
	vmcb->intercepts1 = INTERCEPT1_INTR | INTERCEPT1_NMI | INTERCEPT1_SMI | INTERCEPT1_CPUID | INTERCEPT1_INVD |
			    INTERCEPT1_HLT | INTERCEPT1_INVLPGA | INTERCEPT1_IOIO | INTERCEPT1_MSR |
			    INTERCEPT1_TASK_SWITCH | INTERCEPT1_SHUTDOWN;
	vmcb->intercepts2 = INTERCEPT2_VMRUN | INTERCEPT2_VMMCALL | INTERCEPT2_VMLOAD | INTERCEPT2_VMSAVE |
			    INTERCEPT2_STGI | INTERCEPT2_CLGI | INTERCEPT2_SKINIT | INTERCEPT2_MONITOR |
			    INTERCEPT2_MWAIT | INTERCEPT2_MWAIT_COND | INTERCEPT2_XSETBV;
	vmcb->exception_intercepts = 1u << 18; /* #MC: the host's to handle */
	vmcb->iopm_base_pa = virt_to_maddr(iopm);
	vmcb->msrpm_base_pa = virt_to_maddr(msrpm);
	vmcb->tsc_offset = v->domain->arch.tsc_offset;
	vmcb->vintr = VINTR_MASKING;
	vmcb->np_enable = 1;
	vmcb->n_cr3 = v->domain->arch.p2m_root;
	vmcb->g_pat = 0x0007040600070406ULL; /* the reset value */
	vmcb->dr6 = 0xffff0ff0;
	vmcb->dr7 = 0x400;
	vmcb->efer = EFER_SVME; /* VMRUN requires it; reads hide it */
	return 0;
}

void hvm_vcpu_destroy(struct vcpu *v)
{
	if (v->arch.vmcb)
		free_xenheap_pages(v->arch.vmcb, 0);
	v->arch.vmcb = NULL;
	xstate_free(v);
}

void hvm_vcpu_set_pvh_entry(struct vcpu *v, uint32_t entry, uint32_t ebx)
{
	struct vmcb *vmcb = v->arch.vmcb;

	/* PVH ABI: 32-bit flat protected mode, paging off, ebx = start info */
	seg(&vmcb->cs, 0x10, 0xc9b, 0xffffffff, 0);
	seg(&vmcb->ds, 0x18, 0xc93, 0xffffffff, 0);
	vmcb->es = vmcb->ss = vmcb->fs = vmcb->gs = vmcb->ds;
	seg(&vmcb->tr, 0x20, 0x8b, 0x67, 0);
	seg(&vmcb->ldtr, 0, 0x82, 0, 0);
	seg(&vmcb->gdtr, 0, 0, 0, 0);
	seg(&vmcb->idtr, 0, 0, 0, 0);
	vmcb->cpl = 0;
	vmcb->cr0 = X86_CR0_PE | 0x10 /* ET */;
	vmcb->cr3 = 0;
	vmcb->cr4 = 0;
	vmcb->efer = EFER_SVME;
	vmcb->rflags = 0x2;
	vmcb->rip = entry;
	vmcb->rsp = 0;
	vmcb->rax = 0;
	memset(&v->arch.regs, 0, sizeof(v->arch.regs));
	v->arch.regs.rbx = ebx;
	v->arch.vmcb_state_reset = true;
}

void hvm_vcpu_set_sipi_entry(struct vcpu *v, uint8_t vector)
{
	struct vmcb *vmcb = v->arch.vmcb;

	/* the state after INIT, with CS:IP = vector << 8 : 0 (real mode) */
	seg(&vmcb->cs, (uint16_t)(vector << 8), 0x9b, 0xffff, (uint64_t)vector << 12);
	seg(&vmcb->ds, 0, 0x93, 0xffff, 0);
	vmcb->es = vmcb->ss = vmcb->fs = vmcb->gs = vmcb->ds;
	seg(&vmcb->tr, 0, 0x8b, 0xffff, 0);
	seg(&vmcb->ldtr, 0, 0x82, 0xffff, 0);
	seg(&vmcb->gdtr, 0, 0, 0xffff, 0);
	seg(&vmcb->idtr, 0, 0, 0xffff, 0);
	vmcb->cpl = 0;
	vmcb->cr0 = 0x60000010; /* CD NW ET */
	vmcb->cr3 = 0;
	vmcb->cr4 = 0;
	vmcb->efer = EFER_SVME;
	vmcb->rflags = 0x2;
	vmcb->rip = 0;
	vmcb->rsp = 0;
	vmcb->rax = 0;
	vmcb->eventinj = 0;
	vmcb->exitintinfo = 0;
	memset(&v->arch.regs, 0, sizeof(v->arch.regs));
	v->arch.need_flush = true;
	v->arch.vmcb_state_reset = true;
}

uint64_t hvm_get_reg(struct vcpu *v, unsigned int reg)
{
	const struct guest_regs *r = &v->arch.regs;

	switch (reg) {
	case 0:
		return v->arch.vmcb->rax;
	case 1:
		return r->rcx;
	case 2:
		return r->rdx;
	case 3:
		return r->rbx;
	case 4:
		return v->arch.vmcb->rsp;
	case 5:
		return r->rbp;
	case 6:
		return r->rsi;
	case 7:
		return r->rdi;
	default:
		return (&r->r8)[reg - 8];
	}
}

void hvm_set_reg(struct vcpu *v, unsigned int reg, uint64_t val)
{
	struct guest_regs *r = &v->arch.regs;

	switch (reg) {
	case 0:
		v->arch.vmcb->rax = val;
		break;
	case 1:
		r->rcx = val;
		break;
	case 2:
		r->rdx = val;
		break;
	case 3:
		r->rbx = val;
		break;
	case 4:
		v->arch.vmcb->rsp = val;
		break;
	case 5:
		r->rbp = val;
		break;
	case 6:
		r->rsi = val;
		break;
	case 7:
		r->rdi = val;
		break;
	default:
		(&r->r8)[reg - 8] = val;
	}
}

uint64_t hvm_get_rip(struct vcpu *v)
{
	return v->arch.vmcb->rip;
}

void hvm_advance_rip(struct vcpu *v, unsigned int len)
{
	v->arch.vmcb->rip += len;
	v->arch.vmcb->int_state &= ~1ULL;
}

bool hvm_interrupts_enabled(struct vcpu *v)
{
	return (v->arch.vmcb->rflags & X86_EFLAGS_IF) && !(v->arch.vmcb->int_state & 1);
}

void hvm_set_rip(struct vcpu *v, uint64_t rip)
{
	v->arch.vmcb->rip = rip;
}

uint64_t hvm_linear_rip(struct vcpu *v)
{
	const struct vmcb *vmcb = v->arch.vmcb;

	return hvm_long_mode_64bit(v) ? vmcb->rip : (vmcb->cs.base + vmcb->rip) & 0xffffffff;
}

uint64_t hvm_get_cr(struct vcpu *v, unsigned int n)
{
	const struct vmcb *vmcb = v->arch.vmcb;

	return n == 0 ? vmcb->cr0 : n == 3 ? vmcb->cr3 : n == 4 ? vmcb->cr4 : n == 2 ? vmcb->cr2 : 0;
}

/* EFER as the guest sees it: SVME, which VMRUN needs set, is hidden. */
uint64_t hvm_get_efer(struct vcpu *v)
{
	return v->arch.vmcb->efer & ~(uint64_t)EFER_SVME;
}

void hvm_set_efer(struct vcpu *v, uint64_t val)
{
	v->arch.vmcb->efer = val | EFER_SVME;
}

uint64_t hvm_get_pat(struct vcpu *v)
{
	return v->arch.vmcb->g_pat;
}

void hvm_set_pat(struct vcpu *v, uint64_t val)
{
	v->arch.vmcb->g_pat = val;
}

uint64_t hvm_get_tsc_offset(struct vcpu *v)
{
	return v->arch.vmcb->tsc_offset;
}

void hvm_set_tsc_offset(struct vcpu *v, uint64_t off)
{
	v->arch.vmcb->tsc_offset = off;
}

bool hvm_long_mode_64bit(struct vcpu *v)
{
	return (v->arch.vmcb->efer & EFER_LMA) && (v->arch.vmcb->cs.attrib & 0x200);
}

void hvm_inject_exception(struct vcpu *v, int vector, int64_t error_code)
{
	v->arch.pending_exc = vector;
	v->arch.pending_exc_ec = error_code;
}

/*
 * Length of the instruction at RIP that caused this exit. With next-RIP
 * saving the CPU tells us; without it (QEMU), decode: legacy and REX
 * prefixes, then the opcode we expect for this exit. A mismatch (the guest
 * changed the code under us, or an unexpected encoding) returns 0 and the
 * caller injects #UD rather than skipping garbage.
 */
static unsigned int svm_insn_len(struct vcpu *v, const uint8_t *op, unsigned int op_len)
{
	uint8_t buf[15];
	unsigned int i = 0;
	uint64_t rip = v->arch.vmcb->rip;

	if (svm_has_nrips && v->arch.vmcb->next_rip > rip)
		return (unsigned int)(v->arch.vmcb->next_rip - rip);
	if (!hvm_long_mode_64bit(v))
		rip = (v->arch.vmcb->cs.base + rip) & 0xffffffff; /* linear address */
	/* the full 15 bytes may cross into an unmapped page: fall back to fewer */
	if (hvm_copy_from_guest(v, buf, rip, sizeof(buf)) && hvm_copy_from_guest(v, buf, rip, op_len + 4) &&
	    hvm_copy_from_guest(v, buf, rip, op_len))
		return 0;
	while (i < 14 && (buf[i] == 0x66 || buf[i] == 0x67 || buf[i] == 0xf2 || buf[i] == 0xf3 || buf[i] == 0x2e ||
			  buf[i] == 0x3e || buf[i] == 0x26 || buf[i] == 0x36 || buf[i] == 0x64 || buf[i] == 0x65 ||
			  buf[i] == 0xf0))
		i++;
	if (hvm_long_mode_64bit(v) && (buf[i] & 0xf0) == 0x40)
		i++;
	if (i + op_len > sizeof(buf) || memcmp(buf + i, op, op_len))
		return 0;
	return i + op_len;
}

static bool skip_insn(struct vcpu *v, const uint8_t *op, unsigned int op_len)
{
	unsigned int len = svm_insn_len(v, op, op_len);

	if (!len) {
		printk_ratelimited(LOG_WARN "d%u v%u: cannot decode the instruction at %#llx for exit %#llx; #UD\n",
				   v->domain->domain_id, v->vcpu_id, (unsigned long long)v->arch.vmcb->rip,
				   (unsigned long long)v->arch.vmcb->exitcode);
		hvm_inject_ud(v);
		return false;
	}
	hvm_advance_rip(v, len); /* also ends the shadow of a skipped STI/MOV SS */
	return true;
}

static const uint8_t OP_CPUID[] = { 0x0f, 0xa2 }, OP_RDMSR[] = { 0x0f, 0x32 }, OP_WRMSR[] = { 0x0f, 0x30 },
		     OP_HLT[] = { 0xf4 }, OP_VMMCALL[] = { 0x0f, 0x01, 0xd9 }, OP_XSETBV[] = { 0x0f, 0x01, 0xd1 },
		     OP_INVD[] = { 0x0f, 0x08 };

/* ASIDs: per pCPU, handed out until they run out, then a new generation
 * with a full flush. A vCPU that moved CPU or is from an old generation gets
 * a fresh one. */
static void svm_asid_assign(struct vcpu *v)
{
	struct svm_cpu *sc = &this_cpu(svm_cpu);
	struct vmcb *vmcb = v->arch.vmcb;

	vmcb->tlb_control = TLB_CTRL_NONE;
	if (v->arch.asid_cpu != smp_processor_id() || v->arch.asid_generation != sc->generation) {
		if (sc->next_asid >= svm_nr_asids) {
			sc->generation++;
			sc->next_asid = 1;
			vmcb->tlb_control = TLB_CTRL_FLUSH_ALL;
		}
		v->arch.asid = sc->next_asid++;
		v->arch.asid_generation = sc->generation;
		v->arch.asid_cpu = smp_processor_id();
		v->arch.need_flush = true;
	}
	vmcb->asid = v->arch.asid;
	if (v->arch.need_flush) {
		if (vmcb->tlb_control == TLB_CTRL_NONE)
			vmcb->tlb_control = svm_has_flush_by_asid ? TLB_CTRL_FLUSH_ASID : TLB_CTRL_FLUSH_ALL;
		v->arch.need_flush = false;
	}
}

/*
 * VMCB clean bits (when the CPU has them): a set bit lets VMRUN reuse its
 * cached copy of that group of fields. Conservatively, only groups this file
 * never changes after a vCPU's state is set up are marked clean: the I/O and
 * MSR permission map bases (bit 1), DR6/DR7 (bit 6), CR2 (bit 9) and the
 * LBR fields (bit 10). Nothing is clean on the first run on a pCPU, after
 * the state was (re)set, or after the vCPU ran on another pCPU.
 */
#define CLEAN_SAFE ((1u << 1) | (1u << 6) | (1u << 9) | (1u << 10))

static void svm_set_clean_bits(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;
	unsigned int cpu = smp_processor_id();

	if (!svm_has_clean_bits || v->arch.vmcb_state_reset || v->arch.vmcb_last_cpu != cpu + 1)
		vmcb->clean_bits = 0;
	else
		vmcb->clean_bits = CLEAN_SAFE;
	v->arch.vmcb_state_reset = false;
	v->arch.vmcb_last_cpu = cpu + 1;
}

/* Choose what to inject before VMRUN (one event at most). */
static void svm_intr_assist(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;
	bool from_lapic;
	int vec;

	if (vmcb->exitintinfo & EVENT_VALID) {
		/* an event interrupted by the exit: deliver it again first */
		vmcb->eventinj = vmcb->exitintinfo;
		vmcb->exitintinfo = 0;
		return;
	}
	if (v->arch.pending_exc >= 0) {
		uint64_t ev = EVENT_VALID | EVENT_TYPE_EXC | (uint64_t)v->arch.pending_exc;

		if (v->arch.pending_exc_ec >= 0)
			ev |= EVENT_EV | ((uint64_t)v->arch.pending_exc_ec << 32);
		vmcb->eventinj = ev;
		v->arch.pending_exc = -1;
		return;
	}
	if (v->arch.nmi_pending) {
		v->arch.nmi_pending = false;
		vmcb->eventinj = EVENT_VALID | EVENT_TYPE_NMI | 2;
		return;
	}
	/* the event channel callback vector: outside the local APIC, level-like
	 * (injected while the vCPU's evtchn_upcall_pending is set) */
	vec = hvm_callback_vector_pending(v);
	from_lapic = vec < 0;
	if (vec < 0)
		vec = vlapic_pending_irq(&v->arch.vlapic);
	if (vec < 0)
		return;
	if ((vmcb->rflags & 0x200) && !(vmcb->int_state & 1)) {
		if (from_lapic)
			vlapic_ack_irq(&v->arch.vlapic, (uint8_t)vec);
		vmcb->eventinj = EVENT_VALID | EVENT_TYPE_INTR | (uint64_t)vec;
		vmcb->intercepts1 &= ~INTERCEPT1_VINTR;
		vmcb->vintr &= ~VINTR_V_IRQ;
	} else {
		/* exit as soon as the guest can take it */
		vmcb->vintr |= VINTR_V_IRQ | VINTR_IGN_TPR;
		vmcb->intercepts1 |= INTERCEPT1_VINTR;
	}
}

static void svm_handle_exit(struct vcpu *v);

void hvm_run(struct vcpu *v)
{
	struct svm_cpu *sc = &this_cpu(svm_cpu);
	struct vmcb *vmcb = v->arch.vmcb;

	svm_asid_assign(v);
	svm_intr_assist(v);
	svm_set_clean_bits(v);
	clgi();
	local_irq_enable();
	svm_vmrun(&v->arch.regs, v->arch.vmcb_pa, virt_to_maddr(sc->host_vmcb));
	local_irq_disable();
	stgi();
	local_irq_enable(); /* a pending host interrupt is taken here */
	/* delivered, or (if the exit interrupted it) in EXITINTINFO, which
	 * svm_intr_assist() injects again */
	vmcb->eventinj = 0;
	svm_handle_exit(v);
}

static void exit_cpuid(struct vcpu *v)
{
	uint32_t a, b, c, d;

	hvm_cpuid(v, (uint32_t)v->arch.vmcb->rax, (uint32_t)v->arch.regs.rcx, &a, &b, &c, &d);
	if (!skip_insn(v, OP_CPUID, sizeof(OP_CPUID)))
		return;
	v->arch.vmcb->rax = a;
	v->arch.regs.rbx = b;
	v->arch.regs.rcx = c;
	v->arch.regs.rdx = d;
}

static void exit_msr(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;
	uint32_t msr = (uint32_t)v->arch.regs.rcx;
	bool write = vmcb->exitinfo1 & 1;
	uint64_t val = 0;
	int rc;

	if (write) {
		val = (vmcb->rax & 0xffffffff) | (v->arch.regs.rdx << 32);
		rc = hvm_msr_write(v, msr, val);
	} else {
		rc = hvm_msr_read(v, msr, &val);
	}
	if (rc) {
		printk_ratelimited(LOG_WARN "d%u v%u: %s of unhandled MSR %#x: #GP\n", v->domain->domain_id, v->vcpu_id,
				   write ? "write" : "read", msr);
		hvm_inject_gp(v);
		return;
	}
	if (!skip_insn(v, write ? OP_WRMSR : OP_RDMSR, 2))
		return;
	if (!write) {
		vmcb->rax = (uint32_t)val;
		v->arch.regs.rdx = val >> 32;
	}
}

static void exit_ioio(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;
	uint64_t info = vmcb->exitinfo1;
	uint16_t port = (uint16_t)(info >> 16);
	unsigned int bytes = (info & (1u << 4)) ? 1 : (info & (1u << 5)) ? 2 : 4;
	bool in = info & 1;
	uint32_t val = (uint32_t)vmcb->rax;

	if (info & (1u << 2)) {
		/* INS/OUTS: no device behind any port; drop, as for the rest */
		printk_ratelimited(LOG_WARN "d%u: string I/O on port %#x ignored\n", v->domain->domain_id, port);
		if (info & (1u << 3))
			v->arch.regs.rcx = 0;
	} else {
		hvm_portio(v, port, bytes, in, &val);
		if (in) {
			uint64_t mask = bytes == 4 ? 0xffffffffULL : (1ULL << (bytes * 8)) - 1;

			vmcb->rax = bytes == 4 ? val : (vmcb->rax & ~mask) | (val & mask);
		}
	}
	vmcb->rip = vmcb->exitinfo2; /* IOIO exits always give the next RIP */
}

static void exit_npf(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;
	uint64_t gpa = vmcb->exitinfo2, ec = vmcb->exitinfo1;
	struct vlapic *vl = &v->arch.vlapic;

	if ((gpa & PAGE_MASK) == (vlapic_get_base(vl) & PAGE_MASK) && vlapic_enabled(vl) && !vlapic_x2apic_mode(vl)) {
		/* with decode assists the CPU hands us the instruction bytes */
		if (svm_has_decode_assists && vmcb->insn_len)
			hvm_emulate_lapic_mmio_bytes(v, gpa, ec & 2, vmcb->insn_bytes, vmcb->insn_len);
		else
			hvm_emulate_lapic_mmio(v, gpa, ec & 2);
		return;
	}
	domain_crash(v->domain,
		     "vCPU %u: %s access to guest-physical address %#llx, where there is no memory (rip %#llx)",
		     v->vcpu_id,
		     (ec & 16)	? "instruction fetch"
		     : (ec & 2) ? "write"
				: "read",
		     (unsigned long long)gpa, (unsigned long long)vmcb->rip);
}

static void exit_hlt(struct vcpu *v)
{
	if (!skip_insn(v, OP_HLT, 1))
		return;
	if (!(v->arch.vmcb->rflags & X86_EFLAGS_IF)) {
		vcpu_down_halted(v); /* nothing can wake it: see there */
		return;
	}
	/* an interrupt already waiting (and deliverable once IF is set) wakes at once */
	if (vlapic_has_irr(&v->arch.vlapic) || v->arch.nmi_pending || hvm_callback_vector_pending(v) >= 0)
		return;
	vcpu_block();
}

static void exit_xsetbv(struct vcpu *v)
{
	uint64_t val = (v->arch.vmcb->rax & 0xffffffff) | (v->arch.regs.rdx << 32);

	if ((uint32_t)v->arch.regs.rcx != 0 || xstate_set_xcr0(v, val)) {
		hvm_inject_gp(v);
		return;
	}
	skip_insn(v, OP_XSETBV, 3);
}

static void svm_handle_exit(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;
	uint64_t code = vmcb->exitcode;

	switch (code) {
	case VMEXIT_INTR:
	case VMEXIT_NMI:
	case VMEXIT_SMI:
		break; /* the host took it on the way out */
	case VMEXIT_VINTR:
		vmcb->vintr &= ~(VINTR_V_IRQ | VINTR_IGN_TPR);
		vmcb->intercepts1 &= ~INTERCEPT1_VINTR;
		break;
	case VMEXIT_CPUID:
		exit_cpuid(v);
		break;
	case VMEXIT_MSR:
		exit_msr(v);
		break;
	case VMEXIT_IOIO:
		exit_ioio(v);
		break;
	case VMEXIT_NPF:
		exit_npf(v);
		break;
	case VMEXIT_HLT:
		exit_hlt(v);
		break;
	case VMEXIT_VMMCALL:
		if (skip_insn(v, OP_VMMCALL, 3))
			hvm_hypercall(v);
		break;
	case VMEXIT_XSETBV:
		exit_xsetbv(v);
		break;
	case VMEXIT_INVD:
		skip_insn(v, OP_INVD, 2); /* no caches to throw away that matter */
		break;
	case VMEXIT_SHUTDOWN:
		hvm_triple_fault(v);
		break;
	case VMEXIT_VMRUN:
	case VMEXIT_VMLOAD:
	case VMEXIT_VMSAVE:
	case VMEXIT_STGI:
	case VMEXIT_CLGI:
	case VMEXIT_SKINIT:
	case VMEXIT_INVLPGA:
	case VMEXIT_MONITOR:
	case VMEXIT_MWAIT:
	case VMEXIT_MWAIT_COND:
		hvm_inject_ud(v); /* SVM and MONITOR/MWAIT are not offered to guests */
		break;
	case VMEXIT_EXCEPTION_BASE + 18:
		domain_crash(v->domain, "vCPU %u: machine check while running the guest", v->vcpu_id);
		break;
	case VMEXIT_TASK_SWITCH:
		domain_crash(v->domain, "vCPU %u: hardware task switch (not supported)", v->vcpu_id);
		break;
	case VMEXIT_INVALID:
		hvm_dump_vcpu(v);
		domain_crash(v->domain, "vCPU %u: VMRUN refused the guest state (VMEXIT_INVALID)", v->vcpu_id);
		break;
	default:
		domain_crash(v->domain, "vCPU %u: unexpected exit %#llx (info %#llx %#llx)", v->vcpu_id,
			     (unsigned long long)code, (unsigned long long)vmcb->exitinfo1,
			     (unsigned long long)vmcb->exitinfo2);
	}
}

void hvm_ctxt_switch_from(struct vcpu *v)
{
	xstate_save(v);
}

void hvm_ctxt_switch_to(struct vcpu *v)
{
	unsigned int cpu = smp_processor_id();

	/* the vCPU may have moved: its timers follow it (they were harmless
	 * where they were, this saves the cross-CPU kicks) */
	if (READ_ONCE(v->arch.vtimer.cpu) != cpu)
		migrate_timer(&v->arch.vtimer, cpu);
	if (READ_ONCE(v->arch.vlapic.timer.cpu) != cpu)
		migrate_timer(&v->arch.vlapic.timer, cpu);
	xstate_restore(v);
	vtime_update_vcpu(v);
	if (cpu_has_rdtscp) /* TSC_AUX is the vCPU's */
		wrmsr(0xc0000103, v->arch.tsc_aux);
}

static void flush_ipi(void *unused)
{
	/* nothing to do: taking the IPI took the vCPU out of guest mode, and it
	 * flushes (need_flush) before it enters again */
}

/*
 * After a p2m entry is removed or changed, no vCPU of d may use the old
 * translation again: not once this returns, because the caller may then
 * give the page to someone else (balloon, grant unmap). Every vCPU flushes
 * its guest TLB at its next VMRUN (need_flush, set first); a vCPU in guest
 * mode on another pCPU right now is made to exit, and this waits for that.
 * With interrupts disabled (no synchronous cross-CPU call possible) it can
 * only kick them.
 */
void hvm_flush_guest_tlbs(struct domain *d)
{
	unsigned int me = smp_processor_id();
	cpumask_t running;

	cpumask_clear(&running);
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		if (d->vcpu[i])
			WRITE_ONCE(d->vcpu[i]->arch.need_flush, true);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < d->max_vcpus; i++) {
		struct vcpu *v = d->vcpu[i];
		unsigned int cpu;

		if (!v || !READ_ONCE(v->is_running))
			continue;
		cpu = READ_ONCE(v->processor);
		if (cpu != me)
			cpumask_set_cpu(cpu, &running);
	}
	if (cpumask_empty(&running))
		return;
	if (local_irq_is_enabled()) {
		on_selected_cpus(&running, flush_ipi, NULL, true);
		return;
	}
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpumask_test_cpu(cpu, &running))
			smp_send_event_check_cpu(cpu);
}

void hvm_dump_vcpu(struct vcpu *v)
{
	const struct vmcb *vmcb = v->arch.vmcb;

	printk("d%u v%u: rip %#llx rsp %#llx rflags %#llx cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx\n",
	       v->domain->domain_id, v->vcpu_id, (unsigned long long)vmcb->rip, (unsigned long long)vmcb->rsp,
	       (unsigned long long)vmcb->rflags, (unsigned long long)vmcb->cr0, (unsigned long long)vmcb->cr3,
	       (unsigned long long)vmcb->cr4, (unsigned long long)vmcb->efer);
	printk("d%u v%u: cs %04x/%03x/%#x/%#llx exit %#llx info %#llx %#llx intinfo %#llx\n", v->domain->domain_id,
	       v->vcpu_id, vmcb->cs.sel, vmcb->cs.attrib, vmcb->cs.limit, (unsigned long long)vmcb->cs.base,
	       (unsigned long long)vmcb->exitcode, (unsigned long long)vmcb->exitinfo1,
	       (unsigned long long)vmcb->exitinfo2, (unsigned long long)vmcb->exitintinfo);
	printk("d%u v%u: interrupt shadow %llu, vintr %#llx%s, eventinj %#llx\n", v->domain->domain_id, v->vcpu_id,
	       (unsigned long long)(vmcb->int_state & 1), (unsigned long long)vmcb->vintr,
	       (vmcb->intercepts1 & INTERCEPT1_VINTR) ? " (window armed)" : "", (unsigned long long)vmcb->eventinj);
}
