/*
 * msr: the MSRs a PVH guest relies on, and the #GP it must get for the
 * rest.
 *
 *  - an unknown MSR (0x12345678): RDMSR and WRMSR raise #GP;
 *  - EFER, PAT, STAR, LSTAR, CSTAR, SFMASK, FS_BASE, GS_BASE,
 *    KERNEL_GS_BASE, TSC_AUX: values written read back; FS/GS bases take
 *    effect (a %fs:/%gs: load sees the new base; SWAPGS swaps); bad values
 *    (reserved EFER bits, PAT type 2, non-canonical bases, TSC_AUX bits
 *    63:32) raise #GP;
 *  - APIC_BASE: readable, enabled, 0xfee00000, BSP flag on the boot CPU.
 *
 * Plain QEMU (TCG) ignores unknown MSRs and does not check most values, so
 * the #GP checks are enforced only under Xen/Basalt. Non-canonical bases
 * are only reported: a hypervisor passes those MSRs through and the check
 * is the CPU's, which under TCG (also nested) never faults. The
 * framework's own fault catching is checked everywhere with instructions
 * that fault on any x86.
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

static const char *fault_str(void)
{
	static char buf[24];
	int v = fault_vector();

	if (v < 0)
		return "no fault";
	snprintf(buf, sizeof(buf), "%s", exc_name((unsigned)v));
	return buf;
}

static void roundtrip(const char *name, uint32_t msr, uint64_t val)
{
	uint64_t old, got = 0;

	if (!rdmsr_safe(msr, &old)) {
		check(false, "%s (%#x) is readable (%s)", name, msr, fault_str());
		return;
	}
	if (!wrmsr_safe(msr, val)) {
		check(false, "%s (%#x) takes %#llx (%s)", name, msr, (unsigned long long)val, fault_str());
		return;
	}
	rdmsr_safe(msr, &got);
	check(got == val, "%s (%#x) round trip: wrote %#llx, read %#llx", name, msr, (unsigned long long)val,
	      (unsigned long long)got);
	wrmsr_safe(msr, old);
}

/* hw: an MSR a hypervisor normally passes through to the CPU, so the #GP
 * comes from the CPU underneath, which may be an emulated one (QEMU's TCG
 * does not check these): reported, not enforced. */
static void expect_gp_write_how(const char *what, uint32_t msr, uint64_t val, bool hw)
{
	uint64_t old = 0;
	bool readable = rdmsr_safe(msr, &old);
	bool ok = !wrmsr_safe(msr, val) && fault_vector() == X86_EXC_GP;

	if (hw)
		check_advisory(ok, "%s: WRMSR %#x <- %#llx raises #GP (%s; the CPU's check)", what, msr,
			       (unsigned long long)val, fault_str());
	else
		check_xen(ok, "%s: WRMSR %#x <- %#llx raises #GP (%s)", what, msr, (unsigned long long)val,
			  fault_str());
	if (!ok && readable)
		wrmsr_safe(msr, old); /* it was taken: undo */
}

static void expect_gp_write(const char *what, uint32_t msr, uint64_t val)
{
	expect_gp_write_how(what, msr, val, false);
}

static void check_unknown_msr(void)
{
	uint64_t v;
	bool r = !rdmsr_safe(0x12345678, &v) && fault_vector() == X86_EXC_GP;

	check_xen(r, "RDMSR 0x12345678 (unknown) raises #GP (%s)", fault_str());
	r = !wrmsr_safe(0x12345678, 0x5a5a) && fault_vector() == X86_EXC_GP;
	check_xen(r, "WRMSR 0x12345678 (unknown) raises #GP (%s)", fault_str());
}

static void check_catching(void)
{
	/* XSETBV with CR4.OSXSAVE clear is #UD; with it set, XCR0 = 0 is #GP. */
	bool r = !xsetbv_safe(0, 0);
	int v = fault_vector();

	check(r && (v == X86_EXC_UD || v == X86_EXC_GP), "framework: XSETBV XCR0=0 faults and is caught (%s)",
	      fault_str());
#ifdef __x86_64__
	uint64_t x;

	r = !read_safe((const void *)0x8000000000000000ull, 8, &x);
	check(r && fault_vector() == X86_EXC_GP, "framework: a non-canonical load raises #GP, caught (%s)",
	      fault_str());
#endif
}

static void check_efer(void)
{
	struct cpuid_regs x1 = cpuid(0x80000001);
	uint64_t efer = rdmsr(MSR_EFER);

	printf("EFER %#llx\n", (unsigned long long)efer);
#ifdef __x86_64__
	check((efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA), "EFER.LME and LMA are set in long mode");
#else
	check(!(efer & EFER_LMA), "EFER.LMA is clear in 32-bit protected mode");
#endif
	if (x1.d & CPUIDX1_EDX_SYSCALL)
		roundtrip("EFER (toggle SCE)", MSR_EFER, efer ^ EFER_SCE);
	if (x1.d & CPUIDX1_EDX_NX)
		roundtrip("EFER (toggle NXE)", MSR_EFER, efer ^ EFER_NXE);
	expect_gp_write("EFER reserved bit 63", MSR_EFER, efer | (1ull << 63));
}

static void check_pat(void)
{
	if (!(cpuid(1).d & CPUID1_EDX_PAT))
		return;
	printf("PAT %#llx\n", (unsigned long long)rdmsr(MSR_PAT));
	roundtrip("PAT", MSR_PAT, 0x0007010600070106ull);
	expect_gp_write("PAT type 2 (reserved)", MSR_PAT, 0x0007040600070402ull);
}

#ifdef __x86_64__
static uint64_t seg_probe_fs = 0x1111222233334444ull, seg_probe_gs = 0x5555666677778888ull,
		seg_probe_kgs = 0x9999aaaabbbbccccull;

static void check_segment_bases(void)
{
	uint64_t v;

	wrmsr(MSR_FS_BASE, (uintptr_t)&seg_probe_fs);
	asm volatile("mov %%fs:0, %0" : "=r"(v));
	check(v == seg_probe_fs, "FS_BASE takes effect: %%fs:0 reads %#llx", (unsigned long long)v);
	wrmsr(MSR_GS_BASE, (uintptr_t)&seg_probe_gs);
	wrmsr(MSR_KERNEL_GS_BASE, (uintptr_t)&seg_probe_kgs);
	asm volatile("mov %%gs:0, %0" : "=r"(v));
	check(v == seg_probe_gs, "GS_BASE takes effect: %%gs:0 reads %#llx", (unsigned long long)v);
	asm volatile("swapgs; mov %%gs:0, %0; swapgs" : "=r"(v));
	check(v == seg_probe_kgs, "SWAPGS brings in KERNEL_GS_BASE: %%gs:0 reads %#llx", (unsigned long long)v);
	check(rdmsr(MSR_GS_BASE) == (uintptr_t)&seg_probe_gs, "a double SWAPGS restores GS_BASE");
	wrmsr(MSR_FS_BASE, 0);
	wrmsr(MSR_GS_BASE, 0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}
#endif

static void check_syscall_msrs(void)
{
	if (!(cpuid(0x80000001).d & CPUIDX1_EDX_LM))
		return;
	roundtrip("STAR", MSR_STAR, 0x0023001000000000ull);
	roundtrip("LSTAR", MSR_LSTAR, 0xffffffff81234560ull);
	roundtrip("CSTAR", MSR_CSTAR, 0xffffffff81234570ull);
	roundtrip("SFMASK", MSR_FMASK, 0x47700);
	roundtrip("FS_BASE", MSR_FS_BASE, 0x00007f1234567000ull);
	roundtrip("GS_BASE", MSR_GS_BASE, 0xffff888012345000ull);
	roundtrip("KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, 0xffff888076543000ull);
	expect_gp_write_how("FS_BASE non-canonical", MSR_FS_BASE, 0x0000800000000000ull, true);
	expect_gp_write_how("LSTAR non-canonical", MSR_LSTAR, 0x8000000000000000ull, true);
#ifdef __x86_64__
	check_segment_bases();
#endif
}

static void check_tsc_aux(void)
{
	bool rdtscp = cpuid_max_ext() >= 0x80000001 && (cpuid(0x80000001).d & CPUIDX1_EDX_RDTSCP);
	bool rdpid = cpuid_max_basic() >= 7 && (cpuid_count(7, 0).c & CPUID7_ECX_RDPID);
	uint32_t lo, hi, aux;

	if (!rdtscp && !rdpid) {
		printf("TSC_AUX: neither RDTSCP nor RDPID offered, not checked\n");
		return;
	}
	roundtrip("TSC_AUX", MSR_TSC_AUX, 0x12345);
	wrmsr(MSR_TSC_AUX, 0xabcde);
	if (rdtscp) {
		asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
		check(aux == 0xabcde, "RDTSCP returns TSC_AUX in ecx (%#x)", aux);
	}
	expect_gp_write("TSC_AUX bits 63:32", MSR_TSC_AUX, 1ull << 32);
	wrmsr(MSR_TSC_AUX, 0);
}

static void check_apic_base(void)
{
	uint64_t v = 0;
	bool r = rdmsr_safe(MSR_APIC_BASE, &v);

	check(r, "APIC_BASE is readable (%#llx)", (unsigned long long)v);
	if (!r)
		return;
	check(v & APIC_BASE_EN, "APIC_BASE: the LAPIC is enabled");
	check(v & APIC_BASE_BSP, "APIC_BASE: the boot CPU has the BSP flag");
	check((v & 0xffffff000ull) == 0xfee00000, "APIC_BASE: base address %#llx is 0xfee00000",
	      (unsigned long long)(v & 0xffffff000ull));
	check(!(v & APIC_BASE_EXTD) || x2apic_supported(), "APIC_BASE: x2APIC mode only if CPUID offers it");
}

void test_main(void)
{
	if (!(cpuid(1).d & CPUID1_EDX_MSR))
		skip("CPUID says there are no MSRs");
	check_catching();
	check_unknown_msr();
	check_efer();
	check_pat();
	check_syscall_msrs();
	check_tsc_aux();
	check_apic_base();
	checks_verdict();
}
