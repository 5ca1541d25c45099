/* Synthetic ACPI tables in the harness arena: see builder.h. */
#include "builder.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define TB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TB_ASAN 1
#endif
#endif
#ifdef TB_ASAN
#include <sanitizer/asan_interface.h>
#endif

struct tb_alloc_rec tb_allocs[TB_MAX_ALLOCS];
unsigned int tb_nr_allocs;
static paddr_t tb_next;
static unsigned int tb_skew;

void *tb_va(paddr_t pa)
{
	return harness_mem_base + pa;
}

void tb_poison(paddr_t pa, size_t len)
{
#ifdef TB_ASAN
	__asan_poison_memory_region(tb_va(pa), len);
#else
	(void)pa;
	(void)len;
#endif
}

void tb_unpoison(paddr_t pa, size_t len)
{
#ifdef TB_ASAN
	__asan_unpoison_memory_region(tb_va(pa), len);
#else
	(void)pa;
	(void)len;
#endif
}

bool tb_arena_ok(paddr_t pa, uint64_t len)
{
	if (pa > harness_mem_bytes || len > harness_mem_bytes - pa)
		return false;
#ifdef TB_ASAN
	return __asan_region_is_poisoned(tb_va(pa), len) == NULL;
#else
	return true;
#endif
}

void tb_setup(void)
{
	harness_mem_init(TB_ARENA_BYTES);
	tb_poison(TB_TABLES_START, TB_ARENA_BYTES - TB_TABLES_START);
	tb_next = TB_TABLES_START;
	tb_nr_allocs = 0;
	tb_skew = 0;
	acpi_set_mem_check(tb_arena_ok);
	harness_log_clear();
}

void tb_teardown(void)
{
	/* The shadow outlives munmap: leave none poisoned for later mappings. */
	tb_unpoison(0, TB_ARENA_BYTES);
	acpi_set_mem_check(NULL);
	harness_mem_fini();
}

void tb_misalign(unsigned int bytes)
{
	tb_skew = bytes;
}

paddr_t tb_alloc(size_t len)
{
	paddr_t pa = ((tb_next + 15) & ~(paddr_t)15) + tb_skew;

	tb_skew = 0;
	assert_true(pa + len + TB_REDZONE <= TB_ARENA_BYTES);
	assert_true(tb_nr_allocs < TB_MAX_ALLOCS);
	tb_next = pa + len + TB_REDZONE;
	tb_unpoison(pa, len);
	memset(tb_va(pa), 0, len);
	tb_allocs[tb_nr_allocs++] = (struct tb_alloc_rec){ pa, (uint32_t)len, false };
	return pa;
}

struct acpi_table_header *tb_hdr(paddr_t pa)
{
	return tb_va(pa);
}

static uint8_t sum_bytes(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

void tb_fix(paddr_t pa)
{
	struct acpi_table_header *h = tb_hdr(pa);

	h->checksum = 0;
	h->checksum = (uint8_t)-sum_bytes(tb_va(pa), h->length);
}

void tb_break(paddr_t pa)
{
	tb_hdr(pa)->checksum += 0x5a;
}

paddr_t tb_sdt(const char *sig, uint8_t rev, const void *body, size_t body_len)
{
	size_t len = sizeof(struct acpi_table_header) + body_len;
	paddr_t pa = tb_alloc(len);
	struct acpi_table_header *h = tb_hdr(pa);

	memcpy(h->signature, sig, 4);
	h->length = (uint32_t)len;
	h->revision = rev;
	memcpy(h->oem_id, "BASALT", 6);
	memcpy(h->oem_table_id, "TESTTBL ", 8);
	h->oem_revision = 1;
	memcpy(&h->creator_id, "TEST", 4);
	h->creator_revision = 1;
	if (body_len)
		memcpy(h + 1, body, body_len);
	tb_allocs[tb_nr_allocs - 1].sdt = true;
	tb_fix(pa);
	return pa;
}

void tb_rsdp_fix(paddr_t pa)
{
	struct acpi_rsdp *r = tb_va(pa);

	r->checksum = 0;
	r->checksum = (uint8_t)-sum_bytes(tb_va(pa), ACPI_RSDP_V1_LEN);
	if (r->revision < 2)
		return;
	r->ext_checksum = 0;
	r->ext_checksum = (uint8_t)-sum_bytes(tb_va(pa), r->length);
}

void tb_rsdp_at(paddr_t pa, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	struct acpi_rsdp *r = tb_va(pa);

	memset(r, 0, rev >= 2 ? sizeof(*r) : ACPI_RSDP_V1_LEN);
	memcpy(r->signature, ACPI_RSDP_SIG, 8);
	memcpy(r->oem_id, "BASALT", 6);
	r->revision = rev;
	r->rsdt_address = rsdt;
	if (rev >= 2) {
		r->length = sizeof(*r);
		r->xsdt_address = xsdt;
	}
	tb_rsdp_fix(pa);
}

paddr_t tb_rsdp(uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	paddr_t pa = tb_alloc(rev >= 2 ? sizeof(struct acpi_rsdp) : ACPI_RSDP_V1_LEN);

	tb_rsdp_at(pa, rev, rsdt, xsdt);
	return pa;
}

paddr_t tb_root(bool xsdt, const paddr_t *entries, unsigned int n)
{
	unsigned int esize = xsdt ? 8 : 4, i;
	uint8_t *body = calloc(n ? n : 1, esize);
	paddr_t pa;

	assert_non_null(body);
	for (i = 0; i < n; i++)
		memcpy(body + i * esize, &entries[i], esize); /* little-endian host */
	pa = tb_sdt(xsdt ? "XSDT" : "RSDT", 1, body, (size_t)n * esize);
	free(body);
	return pa;
}

void tb_madt_bytes(struct tb_madt *m, const void *p, size_t n)
{
	assert_true(m->len + n <= sizeof(m->b));
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

void tb_madt_lapic(struct tb_madt *m, uint8_t uid, uint8_t apic_id, uint32_t flags)
{
	struct acpi_madt_lapic e = { { ACPI_MADT_LAPIC, sizeof(e) }, uid, apic_id, flags };

	tb_madt_bytes(m, &e, sizeof(e));
}

void tb_madt_x2apic(struct tb_madt *m, uint32_t uid, uint32_t apic_id, uint32_t flags)
{
	struct acpi_madt_x2apic e = { { ACPI_MADT_X2APIC, sizeof(e) }, 0, apic_id, flags, uid };

	tb_madt_bytes(m, &e, sizeof(e));
}

void tb_madt_ioapic(struct tb_madt *m, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
	struct acpi_madt_ioapic e = { { ACPI_MADT_IOAPIC, sizeof(e) }, id, 0, addr, gsi_base };

	tb_madt_bytes(m, &e, sizeof(e));
}

void tb_madt_lapic_override(struct tb_madt *m, uint64_t addr)
{
	struct acpi_madt_lapic_override e = { { ACPI_MADT_LAPIC_OVERRIDE, sizeof(e) }, 0, addr };

	tb_madt_bytes(m, &e, sizeof(e));
}

paddr_t tb_madt_table(uint32_t lapic_addr, uint32_t flags, const struct tb_madt *m)
{
	uint8_t *body = malloc(8 + m->len);
	paddr_t pa;

	assert_non_null(body);
	memcpy(body, &lapic_addr, 4);
	memcpy(body + 4, &flags, 4);
	memcpy(body + 8, m->b, m->len);
	pa = tb_sdt("APIC", 5, body, 8 + m->len);
	free(body);
	return pa;
}

paddr_t tb_hpet(uint8_t space, uint64_t base, uint8_t number)
{
	struct acpi_hpet h;

	memset(&h, 0, sizeof(h));
	h.event_timer_block_id = 0x8086a201;
	h.base.space_id = space;
	h.base.bit_width = 64;
	h.base.address = base;
	h.hpet_number = number;
	h.min_tick = 128;
	return tb_sdt("HPET", 1, &h.event_timer_block_id, sizeof(h) - sizeof(h.header));
}

paddr_t tb_fadt(const struct acpi_fadt *f, uint32_t len, uint8_t rev)
{
	assert_true(len >= sizeof(struct acpi_table_header) && len <= sizeof(*f));
	return tb_sdt("FACP", rev, (const uint8_t *)f + sizeof(f->header), len - sizeof(f->header));
}

paddr_t tb_dsdt(const void *aml, size_t n)
{
	return tb_sdt("DSDT", 2, aml, n);
}

paddr_t tb_facs(void)
{
	paddr_t pa = tb_alloc(ACPI_FACS_MIN_LEN);
	uint8_t *p = tb_va(pa);
	uint32_t len = ACPI_FACS_MIN_LEN;

	memcpy(p, "FACS", 4);
	memcpy(p + 4, &len, 4);
	return pa;
}

/*
 * Scope (\) { Method (_PTS, 1) { Store (_S5_ ...) } ... Name (_S5_, Package (4) { 5, 7, 0, 0 }) }
 * with a bare reference to _S5_ first (StoreOp 0x70, not a definition).
 */
const uint8_t tb_s5_aml[] = {
	0x10, 0x05, 0x5c, 0x00, 0x00,			/* noise: a Scope-like prefix */
	0x70, '_',  'S',  '5',	'_',  0x60,		/* Store (_S5_, Local0): not a definition */
	0x08, '_',  'S',  '5',	'_',  0x12, 0x08, 0x04, /* Name (_S5_, Package (4) { */
	0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00,		/* 5, 7, Zero, Zero }) */
	0xa3,						/* trailing Noop */
};
const size_t tb_s5_aml_len = sizeof(tb_s5_aml);

void tb_std_fadt(struct acpi_fadt *f, paddr_t dsdt, paddr_t facs)
{
	memset(f, 0, sizeof(*f));
	f->firmware_ctrl = (uint32_t)facs;
	f->x_firmware_ctrl = facs;
	f->dsdt = (uint32_t)dsdt;
	f->x_dsdt = dsdt;
	f->sci_int = 9;
	f->smi_cmd = 0xb2;
	f->acpi_enable = 0xf1;
	f->acpi_disable = 0xf0;
	f->pm1a_evt_blk = 0x600;
	f->pm1a_cnt_blk = 0x604;
	f->pm_tmr_blk = 0x608;
	f->pm1_evt_len = 4;
	f->pm1_cnt_len = 2;
	f->pm_tmr_len = 4;
	f->flags = ACPI_FADT_TMR_VAL_EXT | ACPI_FADT_RESET_REG_SUP;
	f->reset_reg = (struct acpi_gas){ ACPI_SPACE_IO, 8, 0, 1, 0xcf9 };
	f->reset_value = 6;
	f->x_pm1a_cnt_blk = (struct acpi_gas){ ACPI_SPACE_IO, 16, 0, 2, 0x604 };
	f->x_pm_tmr_blk = (struct acpi_gas){ ACPI_SPACE_IO, 32, 0, 3, 0x608 };
}

void tb_std_madt(struct tb_madt *m)
{
	m->len = 0;
	tb_madt_lapic(m, 0, 0, ACPI_MADT_ENABLED);
	tb_madt_lapic(m, 1, 1, ACPI_MADT_ENABLED);
	tb_madt_lapic(m, 2, 2, ACPI_MADT_ONLINE_CAPABLE);
	tb_madt_lapic(m, 3, 3, 0); /* neither: unusable, ignored */
	tb_madt_ioapic(m, 2, 0xfec00000, 0);
	tb_madt_x2apic(m, 4, 0x100, ACPI_MADT_ENABLED);
}

void tb_std(struct tb_std *s)
{
	static struct tb_madt m;
	struct acpi_fadt f;
	paddr_t entries[3];

	tb_std_madt(&m);
	s->madt = tb_madt_table(0xfee00000, ACPI_MADT_PCAT_COMPAT, &m);
	s->hpet = tb_hpet(ACPI_SPACE_MEM, 0xfed00000, 0);
	s->dsdt = tb_dsdt(tb_s5_aml, tb_s5_aml_len);
	s->facs = tb_facs();
	tb_std_fadt(&f, s->dsdt, s->facs);
	s->fadt = tb_fadt(&f, sizeof(f), 6);
	entries[0] = s->fadt;
	entries[1] = s->madt;
	entries[2] = s->hpet;
	s->xsdt = tb_root(true, entries, 3);
	s->rsdt = tb_root(false, entries, 3);
	s->rsdp = tb_rsdp(2, (uint32_t)s->rsdt, s->xsdt);
}
