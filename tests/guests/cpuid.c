/*
 * cpuid: what the guest sees through CPUID.
 *
 * Everywhere: the topology in leaf 1 (and 0xb) agrees with the vCPUs in
 * the MADT. Under Xen/Basalt also: the Xen leaves (signature, version,
 * hypercall page MSR, HVM feature leaf with its vCPU/domain id), the
 * hypervisor bit set, and SVM, VMX and MONITOR hidden. Without Xen the
 * Xen part is skipped, and so is the verdict (SKIP) if the rest passed.
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

static unsigned ceil_log2(unsigned n)
{
	unsigned s = 0;

	while ((1u << s) < n)
		s++;
	return s;
}

static void check_topology(void)
{
	struct cpuid_regs l1 = cpuid(1);
	bool htt = l1.d & CPUID1_EDX_HTT;
	unsigned logical = htt ? (l1.b >> 16) & 0xff : 1;
	uint32_t bsp = l1.b >> 24;
	unsigned shift = ceil_log2(logical ? logical : 1);

	printf("topology: leaf 1 HTT=%d logical=%u initial APIC ID=%u; MADT: %s, %u enabled of %u CPU(s):", htt,
	       logical, bsp, env.madt_found ? "found" : "absent", env.nr_cpus, env.madt_cpus_total);
	for (unsigned i = 0; i < env.nr_cpus; i++)
		printf(" %u", env.cpu_apic_id[i]);
	printf("\n");

	check(!env.acpi_note, "ACPI tables are well-formed (%s)", env.acpi_note ? env.acpi_note : "no complaint");
	check(env.madt_found, "a MADT lists the vCPUs");
	check(env.cpu_apic_id[0] == bsp || bsp == 0xff, "the boot CPU's APIC ID %u is the MADT's (%u)", bsp,
	      env.cpu_apic_id[0]);
	check(!htt || logical >= 1, "leaf 1 logical count is not zero when HTT is set");

	/* Every package (APIC IDs that agree above the logical-ID bits) can
	 * hold no more vCPUs than leaf 1 says a package has. */
	for (unsigned i = 0; i < env.nr_cpus; i++) {
		unsigned same = 0;

		for (unsigned j = 0; j < env.nr_cpus; j++)
			same += (env.cpu_apic_id[j] >> shift) == (env.cpu_apic_id[i] >> shift);
		if (same > (logical ? logical : 1)) {
			check(false, "package of APIC ID %u has %u vCPUs, leaf 1 allows %u", env.cpu_apic_id[i], same,
			      logical);
			return;
		}
	}
	check(true, "every package holds at most %u vCPU(s), as leaf 1 says", logical);

	if (cpuid_max_basic() >= 0xb && cpuid_count(0xb, 0).b) {
		struct cpuid_regs b0 = cpuid_count(0xb, 0);

		check(b0.d == env.cpu_apic_id[0], "leaf 0xb x2APIC ID %u matches the MADT's boot CPU %u", b0.d,
		      env.cpu_apic_id[0]);
		check(bsp == 0xff || (b0.d & 0xff) == bsp, "leaf 0xb x2APIC ID %u agrees with leaf 1's %u", b0.d, bsp);
	}
}

static void check_xen_leaves(void)
{
	uint32_t base = env.xen_base;
	struct cpuid_regs r;

	printf("Xen leaves at %#x, max leaf %#x (base+%u)\n", base, env.xen_max_leaf, env.xen_max_leaf - base);
	check(env.xen_max_leaf >= base + 4, "max Xen leaf %#x reaches the HVM leaf base+4", env.xen_max_leaf);
	if (env.xen_max_leaf >= base + 5)
		printf("leaf base+5 (PV parameters) present: ebx=%#x\n", cpuid(base + 5).b);

	r = cpuid(base + 1);
	printf("version %u.%u\n", r.a >> 16, r.a & 0xffff);

	r = cpuid(base + 2);
	printf("hypercall pages %u, MSR %#x, features %#x %#x\n", r.a, r.b, r.c, r.d);
	check(r.a >= 1, "at least one hypercall page (%u)", r.a);
	check(r.b != 0, "a hypercall page MSR is named (%#x)", r.b);
	if (!cmdline_has("hypercall"))
		check(env.hc_mode == HC_PAGE, "the hypercall page was installed (%s)",
		      env.hc_note ? env.hc_note : "yes");

	if (env.xen_max_leaf >= base + 3) {
		r = cpuid_count(base + 3, 0);
		printf("time: flags %#x tsc_mode %u guest TSC %u kHz incarnation %u\n", r.a, r.b, r.c, r.d);
		check(r.c >= 100000 && r.c < 20000000, "time leaf: guest TSC frequency %u kHz is plausible", r.c);
		r = cpuid_count(base + 3, 1);
		check(r.c != 0, "time leaf 1: a TSC-to-ns multiplier (%#x, shift %d)", r.c, (int)r.d);
	}

	if (env.xen_max_leaf >= base + 4) {
		r = cpuid(base + 4);
		printf("HVM features %#x:%s%s%s%s%s%s%s\n", r.a,
		       r.a & XEN_HVM_CPUID_APIC_ACCESS_VIRT ? " apic-access" : "",
		       r.a & XEN_HVM_CPUID_X2APIC_VIRT ? " x2apic-virt" : "",
		       r.a & XEN_HVM_CPUID_IOMMU_MAPPINGS ? " iommu-mappings" : "",
		       r.a & XEN_HVM_CPUID_VCPU_ID_PRESENT ? " vcpu-id" : "",
		       r.a & XEN_HVM_CPUID_DOMID_PRESENT ? " domid" : "",
		       r.a & XEN_HVM_CPUID_EXT_DEST_ID ? " ext-dest-id" : "",
		       r.a & XEN_HVM_CPUID_UPCALL_VECTOR ? " upcall-vector" : "");
		if (r.a & XEN_HVM_CPUID_VCPU_ID_PRESENT)
			check(r.b == 0, "HVM leaf: the boot CPU is vCPU 0 (ebx=%u)", r.b);
		if (r.a & XEN_HVM_CPUID_DOMID_PRESENT)
			check(r.c < 0x7ff0, "HVM leaf: domain id %u is an ordinary one (< DOMID_FIRST_RESERVED)", r.c);
		if (r.a & XEN_HVM_CPUID_X2APIC_VIRT)
			check(x2apic_supported(), "x2APIC virtualisation is flagged, so leaf 1 offers x2APIC");
	}

	check(cpuid(1).c & CPUID1_ECX_HYPERVISOR, "leaf 1 ecx.hypervisor (bit 31) is set");
	check(!(cpuid(1).c & CPUID1_ECX_VMX), "VMX (leaf 1 ecx bit 5) is hidden");
	check(!(cpuid(1).c & CPUID1_ECX_MONITOR), "MONITOR/MWAIT (leaf 1 ecx bit 3) is hidden");
	if (cpuid_max_ext() >= 0x80000001)
		check(!(cpuid(0x80000001).c & CPUIDX1_ECX_SVM), "SVM (leaf 0x80000001 ecx bit 2) is hidden");
}

void test_main(void)
{
	struct cpuid_regs v = cpuid(0);
	char vendor[13];

	memcpy(vendor, &v.b, 4);
	memcpy(vendor + 4, &v.d, 4);
	memcpy(vendor + 8, &v.c, 4);
	vendor[12] = '\0';
	printf("vendor %s, max basic leaf %#x, max extended leaf %#x, leaf 1 eax=%#x ecx=%#x edx=%#x\n", vendor, v.a,
	       cpuid_max_ext(), cpuid(1).a, cpuid(1).c, cpuid(1).d);

	check_topology();
	if (!env.xen) {
		if (checks_failures())
			checks_verdict();
		skip("no Xen CPUID leaves: Xen checks not run (topology checks passed)");
	}
	check_xen_leaves();
	checks_verdict();
}
