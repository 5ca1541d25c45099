/*
 * Back-end independent HVM: the CPUID and MSR policy guests see, port I/O,
 * access to guest memory through the guest's page tables, the hypercall
 * page and hypercall argument passing, and xAPIC MMIO emulation.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hypercall.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/time.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/p2m.h>
#include <asm/page.h>
#include <asm/time.h>
#include <asm/vlapic.h>
#include <asm/x86.h>
#include <asm/xstate.h>

/* ------------------------------------------------------------ CPUID */

#define XEN_CPUID_MAX_LEAF (XEN_CPUID_BASE + 4)
/* Xen's HVM leaf (XEN_CPUID_BASE + 4) eax flags */
#define XEN_HVM_CPUID_X2APIC_VIRT (1u << 1)
#define XEN_HVM_CPUID_VCPU_ID_PRESENT (1u << 3)
#define XEN_HVM_CPUID_DOMID_PRESENT (1u << 4)
#define XEN_HVM_CPUID_UPCALL_VECTOR (1u << 6) /* HVMOP_set_evtchn_upcall_vector */

static unsigned int order_of(unsigned int n)
{
	unsigned int s = 0;

	while ((1u << s) < n)
		s++;
	return s;
}

static void cpuid_xen_leaves(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c,
			     uint32_t *d)
{
	*a = *b = *c = *d = 0;
	switch (leaf - XEN_CPUID_BASE) {
	case 0:
		*a = XEN_CPUID_MAX_LEAF;
		memcpy(b, "XenV", 4);
		memcpy(c, "MMXe", 4);
		memcpy(d, "nVMM", 4);
		break;
	case 1:
		*a = (4u << 16) | 17; /* the Xen version whose ABI we follow: 4.17 */
		break;
	case 2:
		*a = 1; /* hypercall pages */
		*b = XEN_HYPERCALL_MSR;
		break;
	case 3: /* time: Xen's layout (public/arch-x86/cpuid.h) */
		if (sub == 0) {
			/* no emulated TSC; the host TSC is safe (one rate on
			 * every CPU: Basalt relies on it); RDTSCP as the host */
			*a = (1u << 1) | ((uint32_t)cpu_has_rdtscp << 2);
			*b = 0; /* tsc_mode "default" */
			*c = (uint32_t)cpu_khz_tsc();
			*d = 0; /* never migrated */
		} else if (sub == 1) {
			uint32_t mul;
			int8_t shift;

			vtime_tsc_scale(&mul, &shift);
			*a = *b = 0; /* no TSC offset applies to system time: the pvclock carries it */
			*c = mul;
			*d = (uint32_t)(int32_t)shift;
		} else if (sub == 2) {
			*a = (uint32_t)cpu_khz_tsc();
		}
		break;
	case 4:
		*a = XEN_HVM_CPUID_X2APIC_VIRT | XEN_HVM_CPUID_VCPU_ID_PRESENT | XEN_HVM_CPUID_DOMID_PRESENT |
		     XEN_HVM_CPUID_UPCALL_VECTOR;
		*b = v->vcpu_id;
		*c = v->domain->domain_id;
		break;
	default:
		break;
	}
}

void hvm_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	unsigned int n = v->domain->max_vcpus;

	if (leaf >= XEN_CPUID_BASE && leaf < XEN_CPUID_BASE + 0x10000) {
		cpuid_xen_leaves(v, leaf, sub, a, b, c, d);
		return;
	}
	cpuid_count(leaf, sub, a, b, c, d);
	switch (leaf) {
	case 1:
		*b = (*b & 0x0000ffff) | (v->vcpu_id << 24) | ((n > 255 ? 255 : n) << 16);
		/* hide: MONITOR(3) VMX(5) SMX(6) EIST(7) TM2(8) PDCM(15) DCA(18) */
		*c &= ~((1u << 3) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8) | (1u << 15) | (1u << 18));
		/* offer: x2APIC(21) TSC-deadline(24) hypervisor(31): all emulated */
		*c |= (1u << 21) | (1u << 24) | (1u << 31);
		*c &= ~(1u << 27);
		if (hvm_get_cr(v, 4) & X86_CR4_OSXSAVE)
			*c |= 1u << 27;
		/* hide: MCE(7) MTRR(12) MCA(14) PSN(18) DS(21) ACPI(22) TM(29) PBE(31) */
		*d &= ~((1u << 7) | (1u << 12) | (1u << 14) | (1u << 18) | (1u << 21) | (1u << 22) | (1u << 29) |
			(1u << 31));
		*d |= 1u << 28; /* HTT: the count in ebx is valid */
		if (!vlapic_enabled(&v->arch.vlapic))
			*d &= ~(1u << 9);
		break;
	case 5:	  /* MONITOR/MWAIT */
	case 6:	  /* thermal and power */
	case 0xa: /* architectural PMU */
		*a = *b = *c = *d = 0;
		break;
	case 7:
		if (sub == 0) {
			*b &= ~((1u << 2) | (1u << 12) | (1u << 15) | (1u << 25)); /* SGX PQM PQE PT */
			*c &= ~(1u << 5);					   /* WAITPKG */
		}
		break;
	case 0xb: /* topology: every vCPU a core of one package */
		*d = v->vcpu_id;
		if (sub == 0) {
			*a = 0, *b = 1, *c = 0x100;
		} else if (sub == 1) {
			*a = order_of(n), *b = n, *c = 0x200 | 1;
		} else {
			*a = *b = 0, *c = sub & 0xff;
		}
		break;
	case 0xd:
		if (sub == 0) {
			*a &= (uint32_t)xstate_host_xcr0_mask();
			*d &= (uint32_t)(xstate_host_xcr0_mask() >> 32);
		}
		break;
	case 0x80000001:
		/* hide: SVM(2) IBS(10) SKINIT(12) WDT(13) LWP(15) MONITORX(29) */
		*c &= ~((1u << 2) | (1u << 10) | (1u << 12) | (1u << 13) | (1u << 15) | (1u << 29));
		break;
	case 0x80000007: /* power management: only the invariant TSC (bit 8) */
		/* Basalt keeps time with the TSC and requires it to run at one
		 * rate on every CPU (its pvclock says TSC-stable), so the
		 * guest's TSC, the host's plus an offset, is invariant. Linux
		 * then takes an AP's loops_per_jiffy from the BSP instead of
		 * timing one jiffy again (which fails under QEMU's TCG). */
		*a = *b = *c = 0;
		*d = 1u << 8;
		break;
	case 0x80000008:
		*c = (*c & ~0xf0ffu) | ((n - 1) & 0xff) | (order_of(n) << 12);
		break;
	case 0x8000000a: /* SVM features */
		*a = *b = *c = *d = 0;
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------ MSRs */

#define MSR_TSC 0x10
#define MSR_TSC_AUX 0xc0000103
static bool pat_valid(uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		uint8_t t = (uint8_t)(v >> (8 * i));

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* Hypercall page: one 32-byte stub per hypercall, "mov $nr, %eax; vmmcall; ret". */
static int write_hypercall_page(struct vcpu *v, uint64_t val)
{
	uint8_t page[PAGE_SIZE];
	uint64_t gpa = val & PAGE_MASK;

	if (val & ~PAGE_MASK) /* page index: we offer one page */
		return -XEN_EINVAL;
	memset(page, 0xcc, sizeof(page));
	for (unsigned int nr = 0; nr < PAGE_SIZE / 32; nr++) {
		uint8_t *s = page + nr * 32;

		s[0] = 0xb8; /* mov $nr, %eax */
		memcpy(s + 1, &nr, 4);
		s[5] = 0x0f, s[6] = 0x01, s[7] = 0xd9; /* vmmcall */
		s[8] = 0xc3;			       /* ret */
	}
	if (hvm_copy_to_gpa(v->domain, gpa, page, sizeof(page)))
		return -XEN_EINVAL;
	return 0;
}

/*
 * Performance counters: there is no virtual PMU. As Xen does with its vPMU
 * off, the counter and event-select MSRs read as 0 and ignore writes
 * (rather than #GP): AMD's legacy four (0xc0010000-7) and the core
 * extension's six pairs (0xc0010200-b). A guest that checks a write reads
 * 0 back and uses software events (Linux: "PMU not available due to
 * virtualization").
 */
static bool pmu_msr(uint32_t msr)
{
	return (msr >= 0xc0010000 && msr <= 0xc0010007) || (msr >= 0xc0010200 && msr <= 0xc001020b);
}

int hvm_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (msr >= 0x800 && msr <= 0x8ff)
		return vlapic_msr_read(&v->arch.vlapic, msr, val);
	if (pmu_msr(msr)) {
		*val = 0;
		return 0;
	}
	switch (msr) {
	case MSR_EFER:
		*val = hvm_get_efer(v);
		return 0;
	case MSR_PAT:
		*val = hvm_get_pat(v);
		return 0;
	case MSR_TSC:
		*val = rdtsc() + hvm_get_tsc_offset(v);
		return 0;
	case MSR_TSC_AUX:
		*val = v->arch.tsc_aux;
		return 0;
	case MSR_APIC_BASE:
		*val = vlapic_get_base(&v->arch.vlapic);
		return 0;
	case MSR_TSC_DEADLINE:
		*val = vlapic_get_tsc_deadline(&v->arch.vlapic);
		return 0;
	case XEN_HYPERCALL_MSR:
		*val = 0;
		return 0;
	case 0x179:	 /* MCG_CAP: no machine-check banks */
	case 0x17a:	 /* MCG_STATUS */
	case 0x8b:	 /* microcode patch level */
	case 0xc0010015: /* AMD HWCR */
	case 0xc0011029: /* AMD DE_CFG */
	case 0xc0010055: /* AMD interrupt pending message (C1E): Linux reads it unguarded */
		*val = 0;
		return 0;
	default:
		return -XEN_EINVAL;
	}
}

int hvm_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (msr >= 0x800 && msr <= 0x8ff)
		return vlapic_msr_write(&v->arch.vlapic, msr, val);
	if (pmu_msr(msr))
		return 0; /* no PMU: see pmu_msr() */
	switch (msr) {
	case MSR_EFER:
		/* SCE, LME, LMA (read-only, kept as the CPU has it), NXE */
		if (val & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
			return -XEN_EINVAL;
		hvm_set_efer(v, (val & ~(uint64_t)EFER_LMA) | (hvm_get_efer(v) & EFER_LMA));
		return 0;
	case MSR_PAT:
		if (!pat_valid(val))
			return -XEN_EINVAL;
		hvm_set_pat(v, val);
		return 0;
	case MSR_TSC:
		hvm_set_tsc_offset(v, val - rdtsc());
		return 0;
	case MSR_TSC_AUX:
		if (val >> 32)
			return -XEN_EINVAL;
		v->arch.tsc_aux = val;
		wrmsr(MSR_TSC_AUX, val);
		return 0;
	case MSR_APIC_BASE:
		return vlapic_set_base(&v->arch.vlapic, val);
	case MSR_TSC_DEADLINE:
		vlapic_set_tsc_deadline(&v->arch.vlapic, val);
		return 0;
	case XEN_HYPERCALL_MSR:
		return write_hypercall_page(v, val);
	case 0x17a:	  /* MCG_STATUS */
	case 0xc0010015:  /* HWCR */
	case 0xc0011029:  /* DE_CFG */
		return 0; /* accepted, no effect */
	default:
		return -XEN_EINVAL;
	}
}

/* ------------------------------------------------------------ port I/O */

/* A PVH guest has no emulated devices: reads float high, writes vanish. */
void hvm_portio(struct vcpu *v, uint16_t port, unsigned int bytes, bool in, uint32_t *val)
{
	if (in)
		*val = 0xffffffff;
	if (port != 0x80) /* the classic delay port is used all the time; stay quiet */
		printk_ratelimited(LOG_DEBUG "d%u: %s%u port %#x ignored\n", v->domain->domain_id, in ? "in" : "out",
				   bytes * 8, port);
}

/* ------------------------------------------------------------ guest memory */

static int copy_gpa(struct domain *d, uint64_t gpa, void *buf, size_t len, bool to_guest)
{
	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (gpa & ~PAGE_MASK));
		unsigned int access;
		mfn_t mfn = p2m_lookup(d, _gfn(gpa >> PAGE_SHIFT), &access);
		uint8_t *p;

		if (mfn_eq(mfn, INVALID_MFN) || (to_guest && !(access & P2M_W)))
			return -XEN_EFAULT;
		/* held for the copy: another vCPU cannot balloon it out meanwhile
		 * (it would go to another domain with our bytes landing in it) */
		if (!domain_hold_mapped(d, _gfn(gpa >> PAGE_SHIFT), mfn))
			return -XEN_EFAULT;
		p = (uint8_t *)mfn_to_virt(mfn) + (gpa & ~PAGE_MASK);
		if (to_guest)
			memcpy(p, buf, chunk);
		else
			memcpy(buf, p, chunk);
		domain_release_frame(mfn);
		buf = (uint8_t *)buf + chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

int hvm_copy_from_gpa(struct domain *d, void *dst, uint64_t gpa, size_t len)
{
	return copy_gpa(d, gpa, dst, len, false);
}

int hvm_copy_to_gpa(struct domain *d, uint64_t gpa, const void *src, size_t len)
{
	return copy_gpa(d, gpa, (void *)src, len, true);
}

/*
 * Walk the guest's page tables. Modes: paging off (1:1), 32-bit (2 levels,
 * 4 MiB pages with PSE), PAE (3 levels), long mode (4 levels). Checks
 * presence and, for writes, the R/W bit (the hypervisor writes on the
 * guest's behalf, so as the guest's supervisor with CR0.WP honoured).
 */
int hvm_gva_to_gpa(struct vcpu *v, uint64_t gva, bool write, uint64_t *gpa)
{
	uint64_t cr0 = hvm_get_cr(v, 0), cr4 = hvm_get_cr(v, 4);
	bool wp = cr0 & X86_CR0_WP;
	uint64_t table = hvm_get_cr(v, 3), e;
	int levels;

	if (!(cr0 & X86_CR0_PG)) {
		*gpa = gva & 0xffffffff;
		return 0;
	}
	if (!(cr4 & X86_CR4_PAE)) {
		uint32_t e32;

		if (hvm_copy_from_gpa(v->domain, &e32, (table & 0xfffff000) + ((gva >> 22) & 0x3ff) * 4, 4) ||
		    !(e32 & 1) || (write && wp && !(e32 & 2)))
			return -XEN_EFAULT;
		if ((e32 & 0x80) && (cr4 & X86_CR4_PSE)) {
			*gpa = (e32 & 0xffc00000) + (gva & 0x3fffff);
			return 0;
		}
		if (hvm_copy_from_gpa(v->domain, &e32, (e32 & 0xfffff000) + ((gva >> 12) & 0x3ff) * 4, 4) ||
		    !(e32 & 1) || (write && wp && !(e32 & 2)))
			return -XEN_EFAULT;
		*gpa = (e32 & 0xfffff000) + (gva & 0xfff);
		return 0;
	}
	levels = (hvm_get_efer(v) & EFER_LMA) ? 4 : 3;
	if (levels == 3) {
		if (hvm_copy_from_gpa(v->domain, &e, (table & 0xffffffe0) + ((gva >> 30) & 3) * 8, 8) || !(e & 1))
			return -XEN_EFAULT;
		table = e;
		levels = 2;
	}
	for (int l = levels; l >= 1; l--) {
		unsigned int shift = 12 + 9 * (l - 1);

		if (hvm_copy_from_gpa(v->domain, &e, (table & 0x000ffffffffff000ULL) + ((gva >> shift) & 511) * 8, 8) ||
		    !(e & 1) || (write && wp && !(e & 2)))
			return -XEN_EFAULT;
		if (l == 1 || (l <= 3 && (e & 0x80))) {
			uint64_t mask = (1ULL << shift) - 1;

			*gpa = (e & 0x000ffffffffff000ULL & ~mask) + (gva & mask);
			return 0;
		}
		table = e;
	}
	return -XEN_EFAULT;
}

static int copy_guest(struct vcpu *v, uint64_t gva, void *buf, size_t len, bool to_guest)
{
	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (gva & ~PAGE_MASK));
		uint64_t gpa;

		if (hvm_gva_to_gpa(v, gva, to_guest, &gpa) || copy_gpa(v->domain, gpa, buf, chunk, to_guest))
			return -XEN_EFAULT;
		buf = (uint8_t *)buf + chunk;
		gva += chunk;
		len -= chunk;
	}
	return 0;
}

int hvm_copy_from_guest(struct vcpu *v, void *dst, uint64_t gva, size_t len)
{
	return copy_guest(v, gva, dst, len, false);
}

int hvm_copy_to_guest(struct vcpu *v, uint64_t gva, const void *src, size_t len)
{
	return copy_guest(v, gva, (void *)src, len, true);
}

/* ------------------------------------------------------------ hypercalls */

/* Xen's conventions: 64-bit guests pass rdi rsi rdx r10 r8, 32-bit guests
 * ebx ecx edx esi edi; the number is in eax and the result goes there. */
void hvm_hypercall(struct vcpu *v)
{
	static const unsigned int regs64[5] = { REG_RDI, REG_RSI, REG_RDX, REG_R10, REG_R8 };
	static const unsigned int regs32[5] = { REG_RBX, REG_RCX, REG_RDX, REG_RSI, REG_RDI };
	bool is64 = hvm_long_mode_64bit(v);
	uint64_t args[5], nr = hvm_get_reg(v, REG_RAX);
	long rc;

	for (int i = 0; i < 5; i++) {
		args[i] = hvm_get_reg(v, is64 ? regs64[i] : regs32[i]);
		if (!is64)
			args[i] &= 0xffffffff;
	}
	if (!is64)
		nr &= 0xffffffff;
	v->arch.hcall_continue = false;
	rc = do_hypercall(v, nr, args);
	if (v->arch.hcall_continue) {
		/* preempted: the guest executes the call again (VMMCALL and
		 * VMCALL are both 3 bytes) with the arguments that say how far
		 * it got; RAX keeps the hypercall number */
		v->arch.hcall_continue = false;
		for (int i = 0; i < 5; i++)
			hvm_set_reg(v, is64 ? regs64[i] : regs32[i], v->arch.hcall_args[i]);
		hvm_set_rip(v, hvm_get_rip(v) - 3);
		return;
	}
	hvm_set_reg(v, REG_RAX, is64 ? (uint64_t)rc : (uint32_t)rc);
}

bool hypercall_take_continuation(struct vcpu *v, uint64_t args[5])
{
	if (!v->arch.hcall_continue)
		return false;
	v->arch.hcall_continue = false;
	for (int i = 0; i < 5; i++)
		args[i] = v->arch.hcall_args[i];
	return true;
}

long hypercall_create_continuation(struct vcpu *v, const uint64_t args[5])
{
	v->arch.hcall_continue = true;
	for (int i = 0; i < 5; i++)
		v->arch.hcall_args[i] = args[i];
	return 0;
}

/* ------------------------------------------------------------ xAPIC MMIO */

/*
 * The instruction that touched the xAPIC page: a MOV between a 32-bit
 * register (or an immediate) and memory — what every OS uses for APIC
 * registers. Decoded: prefixes, REX, opcode 0x89 / 0x8b / 0xc7 / 0xa1 / 0xa3,
 * ModRM with SIB and displacement (for the length; the address itself is
 * the faulting guest-physical address). Anything else crashes the domain.
 */
static unsigned int modrm_len(const uint8_t *p, unsigned int *reg)
{
	uint8_t modrm = p[0], mod = modrm >> 6, rm = modrm & 7;
	unsigned int len = 1;

	*reg = (modrm >> 3) & 7;
	if (mod == 3)
		return 0; /* register operand: not a memory access */
	if (rm == 4)
		len++; /* SIB */
	if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	else if (rm == 5 || (rm == 4 && (p[1] & 7) == 5))
		len += 4; /* disp32 (RIP-relative in 64-bit mode) */
	return len;
}

static void emulate_lapic_insn(struct vcpu *v, uint64_t gpa, bool write, const uint8_t *b);

void hvm_emulate_lapic_mmio(struct vcpu *v, uint64_t gpa, bool write)
{
	uint8_t b[15] = { 0 };
	uint64_t rip = hvm_linear_rip(v);

	if (hvm_copy_from_guest(v, b, rip, sizeof(b)) && hvm_copy_from_guest(v, b, rip, 8)) {
		domain_crash(v->domain, "vCPU %u: cannot read the instruction at %#llx that accessed the xAPIC",
			     v->vcpu_id, (unsigned long long)rip);
		return;
	}
	emulate_lapic_insn(v, gpa, write, b);
}

void hvm_emulate_lapic_mmio_bytes(struct vcpu *v, uint64_t gpa, bool write, const uint8_t *insn, unsigned int len)
{
	uint8_t b[15] = { 0 };

	memcpy(b, insn, MIN(len, (unsigned int)sizeof(b)));
	emulate_lapic_insn(v, gpa, write, b);
}

static void emulate_lapic_insn(struct vcpu *v, uint64_t gpa, bool write, const uint8_t *b)
{
	bool is64 = hvm_long_mode_64bit(v);
	unsigned int i = 0, reg = 0, len = 0, rex = 0;
	uint32_t val = 0;
	uint8_t op;

	while (i < 4 && (b[i] == 0x3e || b[i] == 0x26 || b[i] == 0x2e || b[i] == 0x36 || b[i] == 0x64 || b[i] == 0x65))
		i++;
	if (is64 && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	op = b[i++];
	switch (op) {
	case 0x89: /* mov r/m32, r32 */
	case 0x8b: /* mov r32, r/m32 */
		len = modrm_len(&b[i], &reg);
		if (!len)
			goto bad;
		reg |= (rex & 4) ? 8 : 0;
		i += len;
		if (op == 0x89)
			val = (uint32_t)hvm_get_reg(v, reg);
		break;
	case 0xc7: /* mov r/m32, imm32 */
		len = modrm_len(&b[i], &reg);
		if (!len || reg != 0)
			goto bad;
		i += len;
		memcpy(&val, &b[i], 4);
		i += 4;
		break;
	case 0xa1: /* mov eax, moffs32 */
	case 0xa3: /* mov moffs32, eax */
		i += is64 ? 8 : 4;
		reg = REG_RAX;
		if (op == 0xa3)
			val = (uint32_t)hvm_get_reg(v, reg);
		break;
	default:
		goto bad;
	}
	if ((op == 0x89 || op == 0xc7 || op == 0xa3) != write)
		goto bad;
	if (write) {
		vlapic_mmio_write(&v->arch.vlapic, gpa & 0xfff, val);
	} else {
		vlapic_mmio_read(&v->arch.vlapic, gpa & 0xfff, &val);
		hvm_set_reg(v, reg, val); /* a 32-bit destination clears the upper half */
	}
	hvm_advance_rip(v, i);
	return;
bad:
	domain_crash(v->domain, "vCPU %u: xAPIC access at %#llx by an instruction that is not a 32-bit MOV (rip %#llx)",
		     v->vcpu_id, (unsigned long long)gpa, (unsigned long long)hvm_get_rip(v));
}
