/*
 * Shared between the files of the ACPI table parser (drivers/acpi/): the
 * parse context, table checking and the per-table parsers. Not for use
 * outside drivers/acpi/ (and its unit tests).
 */
#ifndef DRIVERS_ACPI_INTERNAL_H
#define DRIVERS_ACPI_INTERNAL_H

#include <hv/acpi.h>
#include <hv/console.h>

#define ACPI_MAX_TABLE_LEN (16u << 20) /* anything larger is corrupt */
#define ACPI_MAX_ROOT_ENTRIES 256      /* XSDT/RSDT entries looked at */
#define ACPI_MAX_WARNINGS 64	       /* per parse; the rest are counted */

/* One parse: the result plus what is only needed while parsing. */
struct acpi_parse {
	struct acpi_info *ai;
	unsigned int warnings;	    /* messages printed through acpi_warn() */
	bool lapic_override;	    /* MADT type 5 seen */
	unsigned int cpus_unusable; /* neither enabled nor online capable */
	unsigned int ioapics_dropped;
	unsigned int tables_dropped; /* beyond ACPI_MAX_TABLES */
};

/* printk, but at most ACPI_MAX_WARNINGS per parse, so a hostile table
 * cannot flood the console. 'fmt' carries its own level prefix. */
void acpi_warn(struct acpi_parse *ps, const char *fmt, ...) __printf(2, 3);

/* May [pa, pa + len) be read? (the installed check, plus overflow and limit) */
bool acpi_mem_ok(paddr_t pa, uint64_t len);

/* Sum of 'len' bytes, which must be readable. 0 for a valid table. */
uint8_t acpi_checksum(const void *p, size_t len);

/* Little-endian reads from byte arrays, for fields that may be unaligned. */
static inline uint16_t acpi_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t acpi_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t acpi_get64(const uint8_t *p)
{
	return acpi_get32(p) | ((uint64_t)acpi_get32(p + 4) << 32);
}

/*
 * Check the table at 'pa': readable, a signature matching 'expect' (NULL:
 * any), header-sized to 16 MiB long, checksum. Problems are reported by the
 * table's name and mean "ignore it". The table is added to ai->tables either
 * way. Returns its length, or 0 if it must be ignored.
 */
uint32_t acpi_table_check(struct acpi_parse *ps, paddr_t pa, const char *expect);
/* Add a table checked some other way (the FACS has no checksum) to the list. */
void acpi_record_table(struct acpi_parse *ps, const char *sig, paddr_t pa, uint32_t len, bool ok);

/* Per-table parsers: the table at 'pa' passed acpi_table_check() with 'len'. */
void acpi_parse_madt(struct acpi_parse *ps, paddr_t pa, uint32_t len);
void acpi_parse_hpet(struct acpi_parse *ps, paddr_t pa, uint32_t len);
void acpi_parse_fadt(struct acpi_parse *ps, paddr_t pa, uint32_t len);

/*
 * aml.c: find the \_S5_ package in a DSDT's AML. 'aml' is the whole table
 * ('len' bytes, header included); nothing outside it is read. Returns 0 with
 * the two SLP_TYP values, -XEN_ENOENT (no \_S5_ package), or -XEN_EINVAL (one
 * was found but could not be decoded: 'why' says what was wrong). 'offset'
 * is where the package (or the failed one) starts.
 */
struct acpi_s5 {
	uint8_t slp_typa, slp_typb;
	bool masked; /* a value did not fit SLP_TYP's 3 bits and was cut */
	uint32_t offset;
	const char *why;
};
int acpi_aml_find_s5(const uint8_t *aml, uint32_t len, struct acpi_s5 *res);

#endif
