/*
 * MADT ("APIC") and HPET tables: the CPUs (local APIC and local x2APIC
 * entries), the IO-APICs, the local APIC address and the HPET block.
 *
 * The table has passed acpi_table_check(), so its length is readable; each
 * subtable's own length is still checked before use, and the walk stops at
 * the first one that is malformed (a zero length would never advance, one
 * past the end would read outside the table).
 */
#include <hv/acpi.h>
#include <hv/mm.h>

#include "internal.h"

#define LAPIC_ID_INVALID 0xffu /* broadcast: firmware's "no CPU here" */
#define X2APIC_ID_INVALID 0xffffffffu

static void add_cpu(struct acpi_parse *ps, uint32_t apic_id, uint32_t uid, uint32_t flags, bool x2apic)
{
	struct acpi_info *ai = ps->ai;
	bool enabled = flags & ACPI_MADT_ENABLED;
	/* Bit 1 only means something when bit 0 is clear (ACPI 6.3); older
	 * firmware leaves it clear, which reads as "unusable", as the spec says. */
	bool online = !enabled && (flags & ACPI_MADT_ONLINE_CAPABLE);
	struct acpi_cpu *c;
	unsigned int i;

	/* Firmware lists whole sockets' worth of absent CPUs: OSPM ignores these. */
	if (!enabled && !online) {
		ps->cpus_unusable++;
		return;
	}
	for (i = 0; i < ai->nr_cpus; i++) {
		if (ai->cpus[i].apic_id == apic_id) {
			acpi_warn(ps, LOG_WARN "ACPI: APIC table: APIC ID 0x%x listed twice, later entry ignored\n",
				  apic_id);
			return;
		}
	}
	if (ai->nr_cpus >= NR_CPUS_ACPI) {
		ai->nr_cpus_dropped++;
		return;
	}
	c = &ai->cpus[ai->nr_cpus++];
	c->apic_id = apic_id;
	c->acpi_uid = uid;
	c->enabled = enabled;
	c->online_capable = online;
	c->x2apic_entry = x2apic;
}

static void madt_lapic(struct acpi_parse *ps, const void *sub)
{
	const struct acpi_madt_lapic *e = sub;

	if (e->apic_id != LAPIC_ID_INVALID)
		add_cpu(ps, e->apic_id, e->acpi_uid, e->flags, false);
}

static void madt_x2apic(struct acpi_parse *ps, const void *sub)
{
	const struct acpi_madt_x2apic *e = sub;

	if (e->x2apic_id != X2APIC_ID_INVALID)
		add_cpu(ps, e->x2apic_id, e->acpi_uid, e->flags, true);
}

static void madt_ioapic(struct acpi_parse *ps, const void *sub)
{
	const struct acpi_madt_ioapic *e = sub;
	struct acpi_info *ai = ps->ai;
	struct acpi_ioapic *io;

	if (ai->nr_ioapics >= ACPI_MAX_IOAPICS) {
		ps->ioapics_dropped++;
		return;
	}
	io = &ai->ioapics[ai->nr_ioapics++];
	io->id = e->id;
	io->addr = e->address;
	io->gsi_base = e->gsi_base;
}

static void madt_lapic_override(struct acpi_parse *ps, const void *sub)
{
	const struct acpi_madt_lapic_override *e = sub;

	/* The spec allows one; it supersedes the header's 32-bit address. */
	if (ps->lapic_override) {
		acpi_warn(ps, LOG_WARN "ACPI: APIC table: a second local APIC address override, ignored\n");
		return;
	}
	ps->lapic_override = true;
	ps->ai->lapic_base = e->address;
}

struct madt_handler {
	uint8_t type;
	uint8_t min_len; /* newer spec revisions may make entries longer, never shorter */
	void (*parse)(struct acpi_parse *ps, const void *sub);
};

static const struct madt_handler madt_handlers[] = {
	{ ACPI_MADT_LAPIC, sizeof(struct acpi_madt_lapic), madt_lapic },
	{ ACPI_MADT_IOAPIC, sizeof(struct acpi_madt_ioapic), madt_ioapic },
	{ ACPI_MADT_LAPIC_OVERRIDE, sizeof(struct acpi_madt_lapic_override), madt_lapic_override },
	{ ACPI_MADT_X2APIC, sizeof(struct acpi_madt_x2apic), madt_x2apic },
};

/* One subtable of 'len' bytes (all inside the table) at offset 'off'. */
static void madt_sub(struct acpi_parse *ps, paddr_t pa, uint32_t off, const uint8_t *sub, uint8_t len)
{
	const struct madt_handler *h;

	for (h = madt_handlers; h < madt_handlers + ARRAY_SIZE(madt_handlers); h++) {
		if (h->type != sub[0])
			continue;
		if (len < h->min_len)
			acpi_warn(ps,
				  LOG_WARN "ACPI: APIC table at 0x%lx: type %u subtable at offset %u is %u bytes, "
					   "needs %u; skipped\n",
				  (unsigned long)pa, sub[0], off, len, h->min_len);
		else
			h->parse(ps, sub);
		return;
	}
	/* Other types (overrides, NMIs, ...) are for Dom0's interrupt setup. */
}

static void madt_summary(struct acpi_parse *ps)
{
	const struct acpi_info *ai = ps->ai;

	if (ai->nr_cpus_dropped)
		printk(LOG_WARN "ACPI: APIC table lists %u usable CPUs beyond the %u supported; they stay offline\n",
		       ai->nr_cpus_dropped, NR_CPUS_ACPI);
	if (ps->ioapics_dropped)
		printk(LOG_WARN "ACPI: APIC table lists %u IO-APICs beyond the %u supported; ignored\n",
		       ps->ioapics_dropped, ACPI_MAX_IOAPICS);
	if (ps->cpus_unusable)
		printk(LOG_DEBUG "ACPI: APIC table: %u CPU entries neither enabled nor online capable\n",
		       ps->cpus_unusable);
}

void acpi_parse_madt(struct acpi_parse *ps, paddr_t pa, uint32_t len)
{
	const struct acpi_madt *m = __va(pa);
	const uint8_t *t = __va(pa);
	struct acpi_info *ai = ps->ai;
	uint32_t off;
	uint8_t sub_len;

	if (len < sizeof(*m)) {
		acpi_warn(ps,
			  LOG_WARN "ACPI: APIC table at 0x%lx: length %u is too short for its fixed fields, ignored\n",
			  (unsigned long)pa, len);
		return;
	}
	ai->have_madt = true;
	ai->lapic_base = m->lapic_address;
	ai->pcat_compat = m->flags & ACPI_MADT_PCAT_COMPAT;

	for (off = sizeof(*m); off < len; off += sub_len) {
		if (len - off < sizeof(struct acpi_madt_sub)) {
			acpi_warn(ps, LOG_WARN "ACPI: APIC table at 0x%lx: stray byte at offset %u\n",
				  (unsigned long)pa, off);
			break;
		}
		sub_len = t[off + 1];
		if (sub_len < sizeof(struct acpi_madt_sub)) {
			acpi_warn(ps,
				  LOG_WARN "ACPI: APIC table at 0x%lx: subtable at offset %u has length %u, stopping\n",
				  (unsigned long)pa, off, sub_len);
			break;
		}
		if (sub_len > len - off) {
			acpi_warn(ps,
				  LOG_WARN "ACPI: APIC table at 0x%lx: type %u subtable at offset %u (%u bytes) runs "
					   "past the end of the table (%u bytes), stopping\n",
				  (unsigned long)pa, t[off], off, sub_len, len);
			break;
		}
		madt_sub(ps, pa, off, t + off, sub_len);
	}
	madt_summary(ps);
}

void acpi_parse_hpet(struct acpi_parse *ps, paddr_t pa, uint32_t len)
{
	const struct acpi_hpet *h = __va(pa);
	struct acpi_info *ai = ps->ai;

	if (len < sizeof(*h)) {
		acpi_warn(ps, LOG_WARN "ACPI: HPET table at 0x%lx: length %u is too short (needs %zu), ignored\n",
			  (unsigned long)pa, len, sizeof(*h));
		return;
	}
	if (h->base.space_id != ACPI_SPACE_MEM) {
		acpi_warn(ps,
			  LOG_WARN "ACPI: HPET table at 0x%lx: base address is in address space %u, "
				   "not system memory; ignored\n",
			  (unsigned long)pa, h->base.space_id);
		return;
	}
	if (!h->base.address) {
		acpi_warn(ps, LOG_WARN "ACPI: HPET table at 0x%lx: base address is 0, ignored\n", (unsigned long)pa);
		return;
	}
	ai->have_hpet = true;
	ai->hpet_base = h->base.address;
	ai->hpet_number = h->hpet_number;
}
