/*
 * The vCPUs the guest has, from the ACPI MADT: RSDP (from the start info,
 * or found in the BIOS area when there is no hypervisor) -> XSDT or RSDT
 * -> "APIC". Enabled Local APIC (type 0) and Local x2APIC (type 9) entries
 * count; the boot CPU is put first. Without a MADT: one CPU.
 */
#include "guest.h"

struct acpi_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem_id[6], oem_table_id[8];
	uint32_t oem_revision, creator_id, creator_revision;
} __attribute__((packed));

static uint8_t checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum += *b++;
	return sum;
}

static void note(const char *what)
{
	if (!env.acpi_note)
		env.acpi_note = what;
}

/* Tables must be reachable: identity-mapped (64-bit) or below 4 GiB. */
static const void *acpi_map(uint64_t pa, size_t len)
{
	if (!pa || pa >= 0x100000000ull || len > 0x100000000ull - pa) {
#ifdef __x86_64__
		if (pa && vm_map_2m(pa, PTE_P) && vm_map_2m(pa + len, PTE_P))
			return (const void *)(uintptr_t)pa;
#endif
		return NULL;
	}
	return (const void *)(uintptr_t)pa;
}

static uint64_t find_rsdp_in_bios(void)
{
	for (uint32_t pa = 0xe0000; pa < 0x100000; pa += 16)
		if (!memcmp((const void *)(uintptr_t)pa, "RSD PTR ", 8) && !checksum((const void *)(uintptr_t)pa, 20))
			return pa;
	return 0;
}

static const struct acpi_header *find_table(const uint8_t *rsdp, const char *sig)
{
	bool xsdt = rsdp[15] >= 2 && *(const uint64_t *)(rsdp + 24);
	uint64_t root_pa = xsdt ? *(const uint64_t *)(rsdp + 24) : *(const uint32_t *)(rsdp + 16);
	const struct acpi_header *root = acpi_map(root_pa, sizeof(*root));
	unsigned entry_size = xsdt ? 8 : 4;

	if (!root || memcmp(root->sig, xsdt ? "XSDT" : "RSDT", 4)) {
		note("no RSDT/XSDT where the RSDP points");
		return NULL;
	}
	if (!acpi_map(root_pa, root->length) || checksum(root, root->length))
		note("bad RSDT/XSDT checksum");
	for (uint32_t off = sizeof(*root); off + entry_size <= root->length; off += entry_size) {
		const uint8_t *p = (const uint8_t *)root + off;
		uint64_t pa = xsdt ? *(const uint64_t *)p : *(const uint32_t *)p;
		const struct acpi_header *t = acpi_map(pa, sizeof(*t));

		if (t && !memcmp(t->sig, sig, 4) && acpi_map(pa, t->length)) {
			if (checksum(t, t->length))
				note("bad MADT checksum");
			return t;
		}
	}
	return NULL;
}

static void add_cpu(uint32_t id, bool enabled)
{
	env.madt_cpus_total++;
	if (!enabled || env.nr_cpus >= MAX_CPUS)
		return;
	for (unsigned i = 0; i < env.nr_cpus; i++)
		if (env.cpu_apic_id[i] == id) {
			note("an APIC ID appears twice in the MADT");
			return;
		}
	env.cpu_apic_id[env.nr_cpus++] = id;
}

static uint32_t boot_apic_id(void)
{
	if (cpuid_max_basic() >= 0xb && cpuid_count(0xb, 0).b)
		return cpuid_count(0xb, 0).d;
	return cpuid(1).b >> 24;
}

void acpi_init(void)
{
	uint32_t bsp = boot_apic_id();
	const uint8_t *rsdp;
	const struct acpi_header *madt;

	env.nr_cpus = 0;
	if (!env.rsdp && !env.xen)
		env.rsdp = find_rsdp_in_bios();
	rsdp = acpi_map(env.rsdp, 36);
	if (!rsdp || memcmp(rsdp, "RSD PTR ", 8)) {
		note(env.rsdp ? "no RSDP signature at rsdp_paddr" : "no RSDP");
	} else {
		if (checksum(rsdp, 20))
			note("bad RSDP checksum");
		madt = find_table(rsdp, "APIC");
		if (madt) {
			const uint8_t *p = (const uint8_t *)madt + 44;
			const uint8_t *end = (const uint8_t *)madt + madt->length;

			env.madt_found = true;
			env.madt_lapic_addr = *(const uint32_t *)((const uint8_t *)madt + 36);
			while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
				/* flags: bit 0 enabled, bit 1 online capable (ACPI 6.3) */
				if (p[0] == 0 && p[1] >= 8)
					add_cpu(p[3], *(const uint32_t *)(p + 4) & 1);
				else if (p[0] == 9 && p[1] >= 16)
					add_cpu(*(const uint32_t *)(p + 4), *(const uint32_t *)(p + 8) & 1);
				p += p[1];
			}
		} else {
			note("no MADT");
		}
	}

	/* The boot CPU first; if the MADT does not list it, it still exists. */
	for (unsigned i = 0; i < env.nr_cpus; i++) {
		if (env.cpu_apic_id[i] == bsp) {
			env.cpu_apic_id[i] = env.cpu_apic_id[0];
			env.cpu_apic_id[0] = bsp;
			return;
		}
	}
	if (env.madt_found)
		note("the boot CPU's APIC ID is not in the MADT");
	if (env.nr_cpus == MAX_CPUS)
		env.nr_cpus--;
	memmove(&env.cpu_apic_id[1], &env.cpu_apic_id[0], env.nr_cpus * sizeof(uint32_t));
	env.cpu_apic_id[0] = bsp;
	env.nr_cpus++;
}
