/*
 * Builds synthetic ACPI table sets in the harness's machine memory arena for
 * the ACPI parser's tests. Every table is placed at an exact-size allocation
 * followed by a red zone that AddressSanitizer poisons, and the memory check
 * installed in the parser (tb_arena_ok) refuses poisoned ranges: a read past
 * a table's end is an ASan report, a claimed length past it is "outside
 * readable memory". The low 1 MiB (BDA, EBDA, BIOS areas) is all readable.
 */
#ifndef TESTS_ACPI_BUILDER_H
#define TESTS_ACPI_BUILDER_H

#include "harness.h"

#include <asm/page.h> /* harness_mem_base, harness_mem_bytes */
#include <hv/acpi.h>
#include <hv/errno.h>

#define TB_ARENA_BYTES (2u << 20)
#define TB_TABLES_START 0x100000u /* allocations go above the BIOS areas */
#define TB_REDZONE 64u
#define TB_MAX_ALLOCS 512

void tb_setup(void);
void tb_teardown(void);
void *tb_va(paddr_t pa);
bool tb_arena_ok(paddr_t pa, uint64_t len);

/* ASan poisoning of arena ranges (no-ops without ASan). */
void tb_poison(paddr_t pa, size_t len);
void tb_unpoison(paddr_t pa, size_t len);

/* Allocations: exact size, red zone after. tb_misalign() makes the next one
 * start that many bytes past a 16-byte boundary. */
struct tb_alloc_rec {
	paddr_t pa;
	uint32_t len;
	bool sdt; /* starts with an SDT header (length at +4, checksum at +9) */
};
extern struct tb_alloc_rec tb_allocs[TB_MAX_ALLOCS];
extern unsigned int tb_nr_allocs;
paddr_t tb_alloc(size_t len);
void tb_misalign(unsigned int bytes);

/* SDT helpers */
struct acpi_table_header *tb_hdr(paddr_t pa);
void tb_fix(paddr_t pa);   /* recompute the checksum over the header's length */
void tb_break(paddr_t pa); /* make the checksum wrong */
paddr_t tb_sdt(const char *sig, uint8_t rev, const void *body, size_t body_len);

/* RSDP at a given address (BIOS areas) or allocated; revision < 2 is v1. */
void tb_rsdp_at(paddr_t pa, uint8_t rev, uint32_t rsdt, uint64_t xsdt);
void tb_rsdp_fix(paddr_t pa); /* both checksums, per the revision */
paddr_t tb_rsdp(uint8_t rev, uint32_t rsdt, uint64_t xsdt);
paddr_t tb_root(bool xsdt, const paddr_t *entries, unsigned int n);

/* MADT subtables are appended to a buffer, then wrapped in a table. */
struct tb_madt {
	uint8_t b[8192];
	size_t len;
};
void tb_madt_bytes(struct tb_madt *m, const void *p, size_t n);
void tb_madt_lapic(struct tb_madt *m, uint8_t uid, uint8_t apic_id, uint32_t flags);
void tb_madt_x2apic(struct tb_madt *m, uint32_t uid, uint32_t apic_id, uint32_t flags);
void tb_madt_ioapic(struct tb_madt *m, uint8_t id, uint32_t addr, uint32_t gsi_base);
void tb_madt_lapic_override(struct tb_madt *m, uint64_t addr);
paddr_t tb_madt_table(uint32_t lapic_addr, uint32_t flags, const struct tb_madt *m);

paddr_t tb_hpet(uint8_t space, uint64_t base, uint8_t number);
/* The first 'len' bytes of *f become the FADT (header filled in here). */
paddr_t tb_fadt(const struct acpi_fadt *f, uint32_t len, uint8_t rev);
paddr_t tb_dsdt(const void *aml, size_t n);
paddr_t tb_facs(void);

/* AML of Name (_S5_, Package (4) { 5, 7, 0, 0 }) with BytePrefix values. */
extern const uint8_t tb_s5_aml[];
extern const size_t tb_s5_aml_len;

/*
 * A typical ACPI 6 machine: RSDP v2 (allocated) with XSDT and RSDT, MADT
 * (CPUs APIC 0 and 1 enabled, 2 online capable, 3 unusable; x2APIC 0x100;
 * IO-APIC 2 at 0xfec00000), HPET at 0xfed00000, 276-byte FADT (SCI 9,
 * PM1a_CNT 0x604, PM timer 0x608 32-bit, reset 0xcf9 <- 6), DSDT with
 * \_S5_ = {5, 7}, FACS.
 */
struct tb_std {
	paddr_t rsdp, xsdt, rsdt, madt, hpet, fadt, dsdt, facs;
};
void tb_std_fadt(struct acpi_fadt *f, paddr_t dsdt, paddr_t facs);
void tb_std_madt(struct tb_madt *m);
void tb_std(struct tb_std *s);

#endif
