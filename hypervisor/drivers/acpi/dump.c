/*
 * acpi_dump(): the parse result on the console, for the boot log and the
 * debug keys. Reads only the struct acpi_info, never the tables again.
 */
#include <hv/acpi.h>
#include <hv/console.h>
#include <hv/lib.h>

#define CPU_LINE_LEN 100

static void dump_tables(const struct acpi_info *ai)
{
	unsigned int i;

	if (ai->rsdp)
		printk("ACPI: RSDP 0x%08lx revision %u OEM '%s'\n", (unsigned long)ai->rsdp, ai->revision, ai->oem_id);
	else
		printk("ACPI: RSDP (boot loader's copy) revision %u OEM '%s'\n", ai->revision, ai->oem_id);
	for (i = 0; i < ai->nr_tables; i++) {
		const struct acpi_table_entry *t = &ai->tables[i];

		printk("ACPI: %s 0x%08lx %7u%s\n", t->sig, (unsigned long)t->addr, t->len,
		       t->ok ? "" : " BAD, ignored");
	}
}

/* APIC IDs, several to a line: "+" marks a CPU that is only online
 * capable, "x" one that came from an x2APIC entry. */
static void dump_cpu_ids(const struct acpi_info *ai)
{
	char line[CPU_LINE_LEN + 1];
	size_t used = 0;
	unsigned int i;

	for (i = 0; i < ai->nr_cpus; i++) {
		const struct acpi_cpu *c = &ai->cpus[i];
		char one[32];
		int n = snprintf(one, sizeof(one), " %u%s%s", c->apic_id, c->online_capable ? "+" : "",
				 c->x2apic_entry ? "x" : "");

		if (n <= 0 || (size_t)n >= sizeof(one))
			continue;
		if (used + (size_t)n > CPU_LINE_LEN) {
			printk("ACPI:  APIC IDs:%s\n", line);
			used = 0;
		}
		memcpy(line + used, one, (size_t)n + 1);
		used += (size_t)n;
	}
	if (used)
		printk("ACPI:  APIC IDs:%s\n", line);
}

static void dump_madt(const struct acpi_info *ai)
{
	unsigned int i, enabled = 0;

	if (!ai->have_madt) {
		printk("ACPI: no MADT\n");
		return;
	}
	for (i = 0; i < ai->nr_cpus; i++)
		enabled += ai->cpus[i].enabled;
	printk("ACPI: local APIC 0x%lx, dual 8259s: %s\n", (unsigned long)ai->lapic_base,
	       ai->pcat_compat ? "yes" : "no");
	printk("ACPI: %u CPUs (%u enabled, %u online capable), %u dropped\n", ai->nr_cpus, enabled,
	       ai->nr_cpus - enabled, ai->nr_cpus_dropped);
	dump_cpu_ids(ai);
	for (i = 0; i < ai->nr_ioapics; i++)
		printk("ACPI: IO-APIC id %u at 0x%x, GSI base %u\n", ai->ioapics[i].id, ai->ioapics[i].addr,
		       ai->ioapics[i].gsi_base);
}

static void dump_fadt(const struct acpi_info *ai)
{
	if (!ai->have_fadt) {
		printk("ACPI: no FADT\n");
		return;
	}
	if (ai->hw_reduced)
		printk("ACPI: hardware-reduced platform (no fixed ACPI hardware)\n");
	else
		printk("ACPI: SCI %u, SMI port 0x%x (enable 0x%x), PM1a_CNT 0x%x, PM1b_CNT 0x%x, PM timer 0x%x "
		       "(%u-bit)\n",
		       ai->sci_int, ai->smi_cmd, ai->acpi_enable, ai->pm1a_cnt, ai->pm1b_cnt, ai->pm_tmr_blk,
		       ai->pm_tmr_32bit ? 32 : 24);
	if (ai->have_reset)
		printk("ACPI: reset register: space %u, address 0x%lx, width %u, value 0x%x\n", ai->reset_reg.space_id,
		       (unsigned long)ai->reset_reg.address, ai->reset_reg.bit_width, ai->reset_value);
	if (ai->have_s5)
		printk("ACPI: \\_S5_: SLP_TYPa %u, SLP_TYPb %u\n", ai->slp_typa, ai->slp_typb);
	printk("ACPI: DSDT 0x%lx, FACS 0x%lx\n", (unsigned long)ai->dsdt, (unsigned long)ai->facs);
}

void acpi_dump(const struct acpi_info *ai)
{
	dump_tables(ai);
	dump_madt(ai);
	if (ai->have_hpet)
		printk("ACPI: HPET %u at 0x%lx\n", ai->hpet_number, (unsigned long)ai->hpet_base);
	dump_fadt(ai);
}
