/*
 * FADT ("FACP") and what it points to: the fixed ACPI hardware (SCI, SMI
 * command port, PM1 control blocks, PM timer), the reset register, the DSDT
 * (checked, then scanned for \_S5_ by aml.c) and the FACS.
 *
 * The FADT grew with every spec revision and firmware does not always set
 * the revision to match, so a field is taken as present only if the table's
 * length covers it (FADT_HAS), never from the revision number.
 */
#include <hv/acpi.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/mm.h>

#include "internal.h"

#define FADT_FIELD_END(field) (offsetof(struct acpi_fadt, field) + sizeof(((const struct acpi_fadt *)0)->field))
#define FADT_HAS(len, field) (FADT_FIELD_END(field) <= (len))
#define IO_PORT_MAX 0xffffu
#define PM_TMR_LEN 4 /* bytes of the PM timer block, if there is one */

/*
 * An I/O port from the 64-bit X_ field when it is present and names an I/O
 * port, else from the legacy 32-bit field (both may be 0: block absent).
 */
static uint32_t fadt_port(struct acpi_parse *ps, const char *name, const struct acpi_gas *x, bool have_x,
			  uint32_t legacy)
{
	bool x_ok = have_x && x->address && x->space_id == ACPI_SPACE_IO && x->address <= IO_PORT_MAX;

	if (x_ok && legacy && legacy != x->address)
		acpi_warn(ps, LOG_WARN "ACPI: FACP: X_%s 0x%lx and %s 0x%x differ; using X_%s\n", name,
			  (unsigned long)x->address, name, legacy, name);
	if (x_ok)
		return (uint32_t)x->address;
	return legacy <= IO_PORT_MAX ? legacy : 0;
}

/* SCI, SMI command, PM1 control and PM timer: absent on hardware-reduced
 * platforms, where the spec tells OSPM to ignore these fields. */
static void fadt_fixed_hw(struct acpi_parse *ps, const struct acpi_fadt *f, uint32_t len, uint32_t flags)
{
	struct acpi_info *ai = ps->ai;
	uint32_t tmr = 0;

	if (FADT_HAS(len, sci_int))
		ai->sci_int = f->sci_int;
	if (FADT_HAS(len, smi_cmd))
		ai->smi_cmd = f->smi_cmd;
	if (FADT_HAS(len, acpi_enable))
		ai->acpi_enable = f->acpi_enable;
	if (FADT_HAS(len, pm1a_cnt_blk))
		ai->pm1a_cnt = fadt_port(ps, "PM1a_CNT_BLK", &f->x_pm1a_cnt_blk, FADT_HAS(len, x_pm1a_cnt_blk),
					 f->pm1a_cnt_blk);
	if (FADT_HAS(len, pm1b_cnt_blk))
		ai->pm1b_cnt = fadt_port(ps, "PM1b_CNT_BLK", &f->x_pm1b_cnt_blk, FADT_HAS(len, x_pm1b_cnt_blk),
					 f->pm1b_cnt_blk);
	/* PM_TMR_LEN is 4 when there is a timer, 0 when there is none. */
	if (FADT_HAS(len, pm_tmr_len) && f->pm_tmr_len >= PM_TMR_LEN)
		tmr = f->pm_tmr_blk;
	if (FADT_HAS(len, pm_tmr_blk))
		ai->pm_tmr_blk = fadt_port(ps, "PM_TMR_BLK", &f->x_pm_tmr_blk, FADT_HAS(len, x_pm_tmr_blk), tmr);
	ai->pm_tmr_32bit = ai->pm_tmr_blk && (flags & ACPI_FADT_TMR_VAL_EXT);
}

static bool reset_space_ok(uint8_t space)
{
	return space == ACPI_SPACE_MEM || space == ACPI_SPACE_IO || space == ACPI_SPACE_PCI_CFG;
}

static void fadt_reset(struct acpi_parse *ps, paddr_t pa, const struct acpi_fadt *f, uint32_t len, uint32_t flags)
{
	struct acpi_info *ai = ps->ai;
	const struct acpi_gas *g = &f->reset_reg;

	if (!(flags & ACPI_FADT_RESET_REG_SUP))
		return;
	if (!FADT_HAS(len, reset_value)) {
		acpi_warn(ps,
			  LOG_WARN "ACPI: FACP table at 0x%lx: RESET_REG_SUP set, but the table (%u bytes) "
				   "has no reset register\n",
			  (unsigned long)pa, len);
		return;
	}
	if (!g->address || !reset_space_ok(g->space_id)) {
		acpi_warn(ps, LOG_WARN "ACPI: FACP table at 0x%lx: reset register (space %u, address 0x%lx) unusable\n",
			  (unsigned long)pa, g->space_id, (unsigned long)g->address);
		return;
	}
	ai->have_reset = true;
	ai->reset_reg.space_id = g->space_id;
	ai->reset_reg.bit_width = g->bit_width;
	ai->reset_reg.bit_offset = g->bit_offset;
	ai->reset_reg.access_size = g->access_size;
	ai->reset_reg.address = g->address;
	ai->reset_value = f->reset_value;
}

static bool parse_dsdt(struct acpi_parse *ps, paddr_t pa)
{
	struct acpi_info *ai = ps->ai;
	uint32_t len = acpi_table_check(ps, pa, "DSDT");
	struct acpi_s5 s5;
	int rc;

	if (!len)
		return false;
	ai->dsdt = pa;
	rc = acpi_aml_find_s5(__va(pa), len, &s5);
	if (rc == -XEN_ENOENT) {
		printk(LOG_WARN "ACPI: DSDT has no \\_S5_ package: no ACPI soft-off\n");
	} else if (rc) {
		acpi_warn(ps, LOG_WARN "ACPI: DSDT table at 0x%lx: \\_S5_ at offset %u: %s; no ACPI soft-off\n",
			  (unsigned long)pa, s5.offset, s5.why);
	} else {
		if (s5.masked)
			acpi_warn(ps, LOG_WARN "ACPI: DSDT table at 0x%lx: \\_S5_ value over 7, cut to 3 bits\n",
				  (unsigned long)pa);
		ai->have_s5 = true;
		ai->slp_typa = s5.slp_typa;
		ai->slp_typb = s5.slp_typb;
	}
	return true;
}

/* The 64-bit X_DSDT wins when both are set (ACPI 2.0+); if its table is bad
 * but the 32-bit address differs, that one gets a chance. */
static void fadt_dsdt(struct acpi_parse *ps, paddr_t pa, const struct acpi_fadt *f, uint32_t len)
{
	paddr_t x = FADT_HAS(len, x_dsdt) ? f->x_dsdt : 0;
	paddr_t d = FADT_HAS(len, dsdt) ? f->dsdt : 0;

	if (x && d && x != d)
		acpi_warn(ps, LOG_WARN "ACPI: FACP table at 0x%lx: X_DSDT 0x%lx and DSDT 0x%lx differ; using X_DSDT\n",
			  (unsigned long)pa, (unsigned long)x, (unsigned long)d);
	if (x && parse_dsdt(ps, x))
		return;
	if (d && d != x) {
		if (x)
			printk(LOG_WARN "ACPI: falling back to the 32-bit DSDT address 0x%lx\n", (unsigned long)d);
		parse_dsdt(ps, d);
		return;
	}
	if (!x)
		acpi_warn(ps, LOG_WARN "ACPI: FACP table at 0x%lx: no DSDT address\n", (unsigned long)pa);
}

/* The FACS has no checksum: signature and minimum length are all to check. */
static bool facs_check(struct acpi_parse *ps, paddr_t pa)
{
	const uint8_t *p;
	uint32_t len;

	if (!acpi_mem_ok(pa, ACPI_FACS_MIN_LEN)) {
		acpi_record_table(ps, "FACS", pa, 0, false);
		acpi_warn(ps, LOG_WARN "ACPI: FACS table at 0x%lx is outside readable memory, ignored\n",
			  (unsigned long)pa);
		return false;
	}
	p = __va(pa);
	len = acpi_get32(p + 4);
	if (memcmp(p, "FACS", 4) || len < ACPI_FACS_MIN_LEN) {
		acpi_record_table(ps, "FACS", pa, len, false);
		acpi_warn(ps, LOG_WARN "ACPI: FACS table at 0x%lx: bad signature or length %u, ignored\n",
			  (unsigned long)pa, len);
		return false;
	}
	acpi_record_table(ps, "FACS", pa, len, true);
	ps->ai->facs = pa;
	return true;
}

static void fadt_facs(struct acpi_parse *ps, const struct acpi_fadt *f, uint32_t len)
{
	paddr_t x = FADT_HAS(len, x_firmware_ctrl) ? f->x_firmware_ctrl : 0;
	paddr_t fc = FADT_HAS(len, firmware_ctrl) ? f->firmware_ctrl : 0;

	if (x && facs_check(ps, x))
		return;
	if (fc && fc != x)
		facs_check(ps, fc);
}

void acpi_parse_fadt(struct acpi_parse *ps, paddr_t pa, uint32_t len)
{
	const struct acpi_fadt *f = __va(pa);
	struct acpi_info *ai = ps->ai;
	uint32_t flags = FADT_HAS(len, flags) ? f->flags : 0;

	if (len < ACPI_FADT_V1_LEN)
		acpi_warn(ps,
			  LOG_WARN "ACPI: FACP table at 0x%lx: only %u bytes (ACPI 1.0 has %u); "
				   "the fields past its end are taken as absent\n",
			  (unsigned long)pa, len, ACPI_FADT_V1_LEN);
	ai->have_fadt = true;
	ai->hw_reduced = flags & ACPI_FADT_HW_REDUCED;
	if (!ai->hw_reduced)
		fadt_fixed_hw(ps, f, len, flags);
	fadt_reset(ps, pa, f, len, flags);
	fadt_dsdt(ps, pa, f, len);
	fadt_facs(ps, f, len);
}
