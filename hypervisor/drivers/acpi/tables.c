/*
 * ACPI table discovery: find the RSDP (a boot loader's hint or copy, else the
 * BIOS areas), check it, walk the XSDT (or the RSDT when there is no usable
 * XSDT) and hand every good table to its parser (madt.c, fadt.c).
 *
 * Firmware is not trusted. Tables are read in place through __va(), but only
 * after acpi_table_check() has accepted the table's whole length: readable
 * (acpi_mem_ok), 36 bytes to 16 MiB, checksum. A bad table is reported by
 * name and skipped; the rest are still parsed. Walks are bounded (at most
 * ACPI_MAX_ROOT_ENTRIES root entries, repeated entries skipped) so no table
 * set can make the parser loop or read without end.
 *
 * Runs on the boot CPU before anything consumes its results: no locks. The
 * only global is the memory check installed by acpi_set_mem_check().
 */
#include <hv/acpi.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/mm.h>

#include "internal.h"

#define EBDA_SEG_PTR 0x40e	 /* BIOS data area word: EBDA segment */
#define EBDA_SCAN_LEN 1024	 /* the RSDP may be in the EBDA's first KiB */
#define EBDA_LOWEST 0x400	 /* below: the real-mode IVT and BDA */
#define CONVENTIONAL_END 0xa0000 /* the EBDA sits below 640 KiB */
#define BIOS_ROM_START 0xe0000
#define BIOS_ROM_LEN 0x20000
#define RSDP_ALIGN 16
#define RSDP_MAX_LEN 4096 /* an RSDP claiming more is corrupt (36 today) */

static acpi_mem_check_t mem_check;

acpi_mem_check_t acpi_set_mem_check(acpi_mem_check_t ok)
{
	acpi_mem_check_t old = mem_check;

	mem_check = ok;
	return old;
}

bool acpi_mem_ok(paddr_t pa, uint64_t len)
{
	if (len == 0 || pa >= ACPI_PADDR_LIMIT || len > ACPI_PADDR_LIMIT - pa)
		return false;
	return !mem_check || mem_check(pa, len);
}

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

void acpi_warn(struct acpi_parse *ps, const char *fmt, ...)
{
	va_list ap;

	if (ps->warnings++ >= ACPI_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

/* Signatures go into messages and the table list: keep them printable. */
static void sig_copy(char out[5], const char *sig)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		out[i] = isprint((unsigned char)sig[i]) ? sig[i] : '?';
	out[4] = '\0';
}

static struct acpi_table_entry *record_table(struct acpi_parse *ps, const char *sig, paddr_t pa, uint32_t len)
{
	struct acpi_info *ai = ps->ai;
	struct acpi_table_entry *e;

	if (ai->nr_tables >= ACPI_MAX_TABLES) {
		ps->tables_dropped++;
		return NULL;
	}
	e = &ai->tables[ai->nr_tables++];
	sig_copy(e->sig, sig);
	e->addr = pa;
	e->len = len;
	e->ok = false;
	return e;
}

void acpi_record_table(struct acpi_parse *ps, const char *sig, paddr_t pa, uint32_t len, bool ok)
{
	struct acpi_table_entry *e = record_table(ps, sig, pa, len);

	if (e)
		e->ok = ok;
}

/* Must the table whose (readable) header is 'h' be ignored? Says why if so. */
static bool table_bad(struct acpi_parse *ps, const struct acpi_table_header *h, paddr_t pa, const char *name)
{
	uint32_t len = h->length;
	uint8_t sum;

	if (len < sizeof(*h)) {
		acpi_warn(ps, LOG_WARN "ACPI: %s table at 0x%lx: length %u is shorter than its header (%zu), ignored\n",
			  name, (unsigned long)pa, len, sizeof(*h));
		return true;
	}
	if (len >= ACPI_MAX_TABLE_LEN) {
		acpi_warn(ps, LOG_WARN "ACPI: %s table at 0x%lx: length %u is over the 16 MiB limit, ignored\n", name,
			  (unsigned long)pa, len);
		return true;
	}
	if (!acpi_mem_ok(pa, len)) {
		acpi_warn(ps, LOG_WARN "ACPI: %s table at 0x%lx: length %u runs outside readable memory, ignored\n",
			  name, (unsigned long)pa, len);
		return true;
	}
	sum = acpi_checksum(h, len);
	if (sum) {
		acpi_warn(ps, LOG_WARN "ACPI: %s table at 0x%lx: bad checksum (sum 0x%02x), ignored\n", name,
			  (unsigned long)pa, sum);
		return true;
	}
	return false;
}

uint32_t acpi_table_check(struct acpi_parse *ps, paddr_t pa, const char *expect)
{
	const struct acpi_table_header *h;
	struct acpi_table_entry *e;
	char sig[5];

	if (!acpi_mem_ok(pa, sizeof(*h))) {
		record_table(ps, expect ? expect : "????", pa, 0);
		acpi_warn(ps, LOG_WARN "ACPI: %s table at 0x%lx is outside readable memory, ignored\n",
			  expect ? expect : "listed", (unsigned long)pa);
		return 0;
	}
	h = __va(pa);
	sig_copy(sig, h->signature);
	e = record_table(ps, sig, pa, h->length);
	if (expect && memcmp(h->signature, expect, 4)) {
		acpi_warn(ps, LOG_WARN "ACPI: %s table at 0x%lx: signature is '%s', ignored\n", expect,
			  (unsigned long)pa, sig);
		return 0;
	}
	if (table_bad(ps, h, pa, sig))
		return 0;
	if (e)
		e->ok = true;
	return h->length;
}

/* One table listed by the XSDT/RSDT: check it, then parse what we use. */
static void parse_entry(struct acpi_parse *ps, paddr_t pa)
{
	const struct acpi_info *ai = ps->ai;
	const struct acpi_table_header *h;
	uint32_t len = acpi_table_check(ps, pa, NULL);

	if (!len)
		return;
	h = __va(pa);
	/* The first good instance of each table wins, as in other OSes. */
	if (!memcmp(h->signature, "APIC", 4)) {
		if (ai->have_madt)
			acpi_warn(ps, LOG_WARN "ACPI: APIC table at 0x%lx: a second MADT, ignored\n",
				  (unsigned long)pa);
		else
			acpi_parse_madt(ps, pa, len);
	} else if (!memcmp(h->signature, "FACP", 4)) {
		if (ai->have_fadt)
			acpi_warn(ps, LOG_WARN "ACPI: FACP table at 0x%lx: a second FADT, ignored\n",
				  (unsigned long)pa);
		else
			acpi_parse_fadt(ps, pa, len);
	} else if (!memcmp(h->signature, "HPET", 4)) {
		/* Several HPET blocks are legitimate; the first is enough for us. */
		if (ai->have_hpet)
			printk(LOG_INFO "ACPI: HPET table at 0x%lx: another HPET block, not used\n", (unsigned long)pa);
		else
			acpi_parse_hpet(ps, pa, len);
	} else if (!memcmp(h->signature, "XSDT", 4) || !memcmp(h->signature, "RSDT", 4)) {
		/* Root tables do not nest; following one could loop. */
		acpi_warn(ps, LOG_WARN "ACPI: %.4s table at 0x%lx listed inside the root table, ignored\n",
			  h->signature, (unsigned long)pa);
	}
}

static paddr_t root_entry(const uint8_t *root, uint32_t i, unsigned int esize)
{
	const uint8_t *p = root + sizeof(struct acpi_table_header) + (size_t)i * esize;

	return esize == 8 ? acpi_get64(p) : acpi_get32(p);
}

/* Firmware sometimes lists a table twice; parsing it twice would only
 * produce "duplicate" noise (and, for a large table, cost time). */
static bool root_entry_repeats(const uint8_t *root, uint32_t i, unsigned int esize, paddr_t pa)
{
	uint32_t j;

	for (j = 0; j < i; j++)
		if (root_entry(root, j, esize) == pa)
			return true;
	return false;
}

/* Walk the XSDT (64-bit entries) or RSDT (32-bit). False if the root table
 * itself is unusable, so that the caller can fall back. */
static bool parse_root(struct acpi_parse *ps, paddr_t pa, bool xsdt)
{
	const char *name = xsdt ? "XSDT" : "RSDT";
	unsigned int esize = xsdt ? 8 : 4;
	uint32_t len = acpi_table_check(ps, pa, name);
	const uint8_t *root;
	uint32_t i, n, body;

	if (!len)
		return false;
	root = __va(pa);
	body = len - sizeof(struct acpi_table_header);
	n = body / esize;
	if (body % esize)
		acpi_warn(ps, LOG_WARN "ACPI: %s table at 0x%lx: %u stray bytes after the last entry\n", name,
			  (unsigned long)pa, body % esize);
	if (n > ACPI_MAX_ROOT_ENTRIES) {
		acpi_warn(ps, LOG_WARN "ACPI: %s table at 0x%lx: %u entries, only the first %u are used\n", name,
			  (unsigned long)pa, n, ACPI_MAX_ROOT_ENTRIES);
		n = ACPI_MAX_ROOT_ENTRIES;
	}
	for (i = 0; i < n; i++) {
		paddr_t entry = root_entry(root, i, esize);

		if (!entry)
			acpi_warn(ps, LOG_WARN "ACPI: %s table at 0x%lx: entry %u is null, skipped\n", name,
				  (unsigned long)pa, i);
		else if (root_entry_repeats(root, i, esize, entry))
			acpi_warn(ps,
				  LOG_WARN "ACPI: %s table at 0x%lx: entry %u repeats the table at 0x%lx, skipped\n",
				  name, (unsigned long)pa, i, (unsigned long)entry);
		else
			parse_entry(ps, entry);
	}
	return true;
}

/* The first 20 bytes of an RSDP candidate (readable): NULL if valid. */
static const char *rsdp_v1_problem(const uint8_t *p)
{
	if (memcmp(p, ACPI_RSDP_SIG, 8))
		return "no 'RSD PTR ' signature";
	if (acpi_checksum(p, ACPI_RSDP_V1_LEN))
		return "bad checksum";
	return NULL;
}

/*
 * The XSDT address of an ACPI 2.0+ RSDP, or 0 if it has none we trust (the
 * caller then uses the RSDT). 'avail' bytes at r are readable; when the RSDP
 * is in memory (pa != 0) more may be, as its length field claims.
 */
static paddr_t rsdp_xsdt(struct acpi_parse *ps, const struct acpi_rsdp *r, size_t avail, paddr_t pa)
{
	uint32_t len;
	uint8_t sum;

	if (r->revision < 2)
		return 0; /* ACPI 1.0: there is only the RSDT */
	if (avail < sizeof(*r)) {
		acpi_warn(ps, LOG_WARN "ACPI: RSDP revision %u but only %zu bytes of it; using the RSDT\n", r->revision,
			  avail);
		return 0;
	}
	len = r->length;
	if (len < sizeof(*r) || len > RSDP_MAX_LEN) {
		acpi_warn(ps, LOG_WARN "ACPI: RSDP length %u is implausible; using the RSDT\n", len);
		return 0;
	}
	if (len > avail && !(pa && acpi_mem_ok(pa, len))) {
		acpi_warn(ps, LOG_WARN "ACPI: RSDP length %u is more than the %zu bytes available; using the RSDT\n",
			  len, avail);
		return 0;
	}
	sum = acpi_checksum(r, len);
	if (sum) {
		acpi_warn(ps, LOG_WARN "ACPI: RSDP extended checksum is bad (sum 0x%02x); using the RSDT\n", sum);
		return 0;
	}
	if (!r->xsdt_address)
		acpi_warn(ps, LOG_WARN "ACPI: RSDP revision %u has no XSDT address; using the RSDT\n", r->revision);
	return r->xsdt_address;
}

/* The RSDP 'r' passed rsdp_v1_problem(); 'avail' bytes of it are readable. */
static void parse_from_rsdp(struct acpi_parse *ps, const struct acpi_rsdp *r, size_t avail, paddr_t pa)
{
	struct acpi_info *ai = ps->ai;
	paddr_t xsdt;

	ai->rsdp = pa;
	ai->revision = r->revision;
	memcpy(ai->oem_id, r->oem_id, sizeof(r->oem_id));
	ai->oem_id[6] = '\0';

	xsdt = rsdp_xsdt(ps, r, avail, pa);
	if (xsdt && parse_root(ps, xsdt, true))
		return;
	if (xsdt && r->rsdt_address)
		printk(LOG_WARN "ACPI: XSDT unusable, falling back to the RSDT at 0x%x\n", r->rsdt_address);
	if (!r->rsdt_address || !parse_root(ps, r->rsdt_address, false))
		printk(LOG_ERR "ACPI: no usable XSDT or RSDT: no ACPI tables\n");
}

static void parse_start(struct acpi_parse *ps, struct acpi_info *out)
{
	memset(out, 0, sizeof(*out));
	memset(ps, 0, sizeof(*ps));
	ps->ai = out;
}

static void parse_finish(struct acpi_parse *ps)
{
	const struct acpi_info *ai = ps->ai;

	if (ps->warnings > ACPI_MAX_WARNINGS)
		printk(LOG_WARN "ACPI: %u more problems not shown\n", ps->warnings - ACPI_MAX_WARNINGS);
	if (ps->tables_dropped)
		printk(LOG_WARN "ACPI: %u tables beyond the first %u not listed in the summary\n", ps->tables_dropped,
		       ACPI_MAX_TABLES);
	if (!ai->nr_tables)
		return;
	if (!ai->have_madt)
		printk(LOG_WARN "ACPI: no usable MADT: CPUs and IO-APICs unknown\n");
	if (!ai->have_fadt)
		printk(LOG_WARN "ACPI: no usable FADT\n");
}

/* NULL if a valid (v1-checked) RSDP is at pa, else why not. */
static const char *rsdp_at(paddr_t pa)
{
	if (!acpi_mem_ok(pa, ACPI_RSDP_V1_LEN))
		return "not in readable memory";
	return rsdp_v1_problem(__va(pa));
}

static paddr_t rsdp_scan(paddr_t start, uint32_t len)
{
	uint32_t off;

	for (off = 0; off + ACPI_RSDP_V1_LEN <= len; off += RSDP_ALIGN)
		if (!rsdp_at(start + off))
			return start + off;
	return 0;
}

static paddr_t rsdp_search(void)
{
	paddr_t ebda = 0, pa = 0;

	if (acpi_mem_ok(EBDA_SEG_PTR, 2))
		ebda = (paddr_t)acpi_get16(__va(EBDA_SEG_PTR)) << 4;
	/* Anything else in that BDA word is junk (or there is no EBDA). */
	if (ebda >= EBDA_LOWEST && ebda + EBDA_SCAN_LEN <= CONVENTIONAL_END)
		pa = rsdp_scan(ebda, EBDA_SCAN_LEN);
	if (!pa)
		pa = rsdp_scan(BIOS_ROM_START, BIOS_ROM_LEN);
	return pa;
}

int acpi_parse(paddr_t rsdp_hint, struct acpi_info *out)
{
	struct acpi_parse ps;
	paddr_t pa = 0;
	size_t avail;
	const char *why;

	parse_start(&ps, out);
	if (rsdp_hint) {
		why = rsdp_at(rsdp_hint);
		if (why)
			printk(LOG_WARN "ACPI: no valid RSDP at 0x%lx (%s); searching the BIOS areas\n",
			       (unsigned long)rsdp_hint, why);
		else
			pa = rsdp_hint;
	}
	if (!pa)
		pa = rsdp_search();
	if (!pa) {
		printk(LOG_ERR "ACPI: no RSDP found\n");
		return -XEN_ENOENT;
	}
	avail = acpi_mem_ok(pa, sizeof(struct acpi_rsdp)) ? sizeof(struct acpi_rsdp) : ACPI_RSDP_V1_LEN;
	parse_from_rsdp(&ps, __va(pa), avail, pa);
	parse_finish(&ps);
	return 0;
}

int acpi_parse_rsdp_copy(const void *rsdp, size_t len, struct acpi_info *out)
{
	struct acpi_parse ps;
	const char *why;

	parse_start(&ps, out);
	why = !rsdp ? "missing" : len < ACPI_RSDP_V1_LEN ? "too short" : rsdp_v1_problem(rsdp);
	if (why) {
		printk(LOG_ERR "ACPI: the boot loader's RSDP copy (%zu bytes) is unusable: %s\n", len, why);
		return -XEN_ENOENT;
	}
	parse_from_rsdp(&ps, rsdp, len, 0);
	parse_finish(&ps);
	return 0;
}
