/*
 * PVH start-of-day data: hvm_start_info (version 1), the module list, the
 * memory map, the command line and the guest's ACPI tables, written into a
 * buffer that stands for guest memory. The layout and the choices behind it
 * are described in asm/pvh_info.h.
 *
 * Everything the guest will read is built in local variables and copied in
 * with memcpy: the buffer has no particular alignment, and the tables are
 * packed wire formats. Every checksum is computed over the bytes as they lie
 * in the buffer, after the table is complete. The layout is checked before
 * anything is written, so a bad one leaves the buffer untouched.
 *
 * Pure code, no globals, no locks.
 */
#include <asm/pvh_info.h>
#include <hv/acpi.h>
#include <hv/errno.h>
#include <hv/lib.h>

#define AREA_ALIGN 4096u /* the area is whole pages */
#define ITEM_ALIGN 16u	 /* each structure in it (the RSDP must be 16-byte aligned) */

/* What the tables say about who made them. */
#define OEM_ID "BASALT"
#define OEM_TABLE_ID "BASALTVM"
#define CREATOR_ID 0x544c5342u /* "BSLT" */
#define OEM_REVISION 1
#define CREATOR_REVISION 1

#define XSDT_REVISION 1
#define FADT_REVISION 6 /* with minor version 3: ACPI 6.3 */
#define FADT_MINOR 3
#define MADT_REVISION 5 /* ACPI 6.3: the "online capable" flag exists */
#define DSDT_REVISION 2 /* 64-bit AML integers */
#define RSDP_REVISION 2 /* ACPI 2.0+: the XSDT */

/* FADT flags and IA-PC boot architecture flags (ACPI 6.5, 5.2.9) */
#define FADT_WBINVD (1u << 0)
#define FADT_PWR_BUTTON (1u << 4) /* no fixed power button */
#define FADT_SLP_BUTTON (1u << 5) /* no fixed sleep button */
#define BOOT_ARCH_NO_VGA (1u << 2)
#define BOOT_ARCH_NO_CMOS_RTC (1u << 5)

#define XSDT_ENTRIES 2 /* FADT, MADT */
#define SDT_CHECKSUM 9 /* offset of the checksum in an SDT header */
#define RSDP_CHECKSUM 8
#define RSDP_EXT_CHECKSUM 32
#define LAPIC_ENTRY_MAX_ID 0xfe /* 0xff means "broadcast" in an 8-bit APIC ID */

/* Offsets of everything in the start-of-day area. */
struct area {
	size_t start_info, modlist, memmap, rsdp, xsdt, fadt, dsdt, madt, cmdline, size;
	size_t madt_len, cmdline_len; /* cmdline_len without its NUL */
};

/* ------------------------------------------------------------------ layout */

static bool use_x2apic_entry(unsigned int vcpu)
{
	return pvh_vcpu_apic_id(vcpu) > LAPIC_ENTRY_MAX_ID || vcpu > LAPIC_ENTRY_MAX_ID;
}

static size_t madt_len(unsigned int max_vcpus)
{
	size_t len = sizeof(struct acpi_madt);

	for (unsigned int v = 0; v < max_vcpus; v++)
		len += use_x2apic_entry(v) ? sizeof(struct acpi_madt_x2apic) : sizeof(struct acpi_madt_lapic);
	return len;
}

static size_t place(size_t *off, size_t len)
{
	size_t at = ROUNDUP(*off, (size_t)ITEM_ALIGN);

	*off = at + len;
	return at;
}

/* Plan the area; false if the counts are out of range (nothing to plan). */
static bool plan(const struct pvh_layout *l, struct area *a)
{
	size_t off = 0;

	if (!l || !l->max_vcpus || l->max_vcpus > PVH_MAX_VCPUS)
		return false;
	a->cmdline_len = l->cmdline ? strnlen(l->cmdline, PVH_CMDLINE_MAX) : 0;
	if (a->cmdline_len >= PVH_CMDLINE_MAX)
		return false;
	a->madt_len = madt_len(l->max_vcpus);

	a->start_info = place(&off, sizeof(struct hvm_start_info));
	a->modlist = place(&off, sizeof(struct hvm_modlist_entry));
	a->memmap = place(&off, PVH_MAX_MEMMAP * sizeof(struct hvm_memmap_table_entry));
	a->rsdp = place(&off, sizeof(struct acpi_rsdp));
	a->xsdt = place(&off, sizeof(struct acpi_table_header) + XSDT_ENTRIES * sizeof(uint64_t));
	a->fadt = place(&off, sizeof(struct acpi_fadt));
	a->dsdt = place(&off, sizeof(struct acpi_table_header));
	a->madt = place(&off, a->madt_len);
	a->cmdline = place(&off, a->cmdline_len + 1);
	a->size = ROUNDUP(off, (size_t)AREA_ALIGN);
	return true;
}

size_t pvh_info_size(const struct pvh_layout *l)
{
	struct area a;

	return plan(l, &a) ? a.size : 0;
}

static void add_range(struct hvm_memmap_table_entry *e, unsigned int *n, uint64_t start, uint64_t end, uint32_t type)
{
	if (end <= start)
		return;
	e[*n].addr = start;
	e[*n].size = end - start;
	e[*n].type = type;
	e[*n].reserved = 0;
	(*n)++;
}

/* The map for a checked layout whose area is info_size bytes. */
static unsigned int build_memmap(const struct pvh_layout *l, uint64_t info_size,
				 struct hvm_memmap_table_entry e[PVH_MAX_MEMMAP])
{
	uint64_t info_end = l->info_gpa + info_size;
	uint64_t low_top = MIN(l->mem_bytes, PVH_LOWMEM_LIMIT);
	unsigned int n = 0;

	add_range(e, &n, 0, PVH_LOW_RAM_END, XEN_HVM_MEMMAP_TYPE_RAM);
	add_range(e, &n, PVH_LOW_RAM_END, l->info_gpa, XEN_HVM_MEMMAP_TYPE_RESERVED);
	add_range(e, &n, l->info_gpa, info_end, XEN_HVM_MEMMAP_TYPE_ACPI);
	add_range(e, &n, info_end, PVH_LEGACY_END, XEN_HVM_MEMMAP_TYPE_RESERVED);
	add_range(e, &n, PVH_LEGACY_END, low_top, XEN_HVM_MEMMAP_TYPE_RAM);
	if (l->mem_bytes > PVH_LOWMEM_LIMIT)
		add_range(e, &n, PVH_HIGHMEM_START, PVH_HIGHMEM_START + (l->mem_bytes - PVH_LOWMEM_LIMIT),
			  XEN_HVM_MEMMAP_TYPE_RAM);
	return n;
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...) __printf(4, 5);
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Is [start, start + size) inside one RAM range of the map? */
static bool in_ram(const struct hvm_memmap_table_entry *e, unsigned int n, uint64_t start, uint64_t size)
{
	for (unsigned int i = 0; i < n; i++)
		if (e[i].type == XEN_HVM_MEMMAP_TYPE_RAM && start >= e[i].addr && start - e[i].addr <= e[i].size &&
		    size <= e[i].size - (start - e[i].addr))
			return true;
	return false;
}

/* Check everything about the layout; plan the area. 0 or -XEN_EINVAL. */
static int check_layout(const struct pvh_layout *l, struct area *a, char *err, size_t errlen)
{
	struct hvm_memmap_table_entry e[PVH_MAX_MEMMAP];
	unsigned int n;

	if (!l)
		return fail(err, errlen, -XEN_EINVAL, "no layout");
	if (!l->vcpus || l->vcpus > l->max_vcpus || l->max_vcpus > PVH_MAX_VCPUS)
		return fail(err, errlen, -XEN_EINVAL, "vcpus %u, max_vcpus %u: need 1 <= vcpus <= max_vcpus <= %u",
			    l->vcpus, l->max_vcpus, PVH_MAX_VCPUS);
	if (!plan(l, a))
		return fail(err, errlen, -XEN_EINVAL, "command line of %u bytes or more (at most %u)", PVH_CMDLINE_MAX,
			    PVH_CMDLINE_MAX - 1);
	if (l->mem_bytes < PVH_MIN_MEM_BYTES || l->mem_bytes > PVH_MAX_MEM_BYTES ||
	    !IS_ALIGNED(l->mem_bytes, (uint64_t)AREA_ALIGN))
		return fail(err, errlen, -XEN_EINVAL, "memory size %#llx: need a multiple of 4 KiB from 4 MiB to 1 TiB",
			    (unsigned long long)l->mem_bytes);
	if (!IS_ALIGNED(l->info_gpa, (uint64_t)AREA_ALIGN) || l->info_gpa < PVH_LOW_RAM_END ||
	    l->info_gpa > PVH_LEGACY_END || a->size > PVH_LEGACY_END - l->info_gpa)
		return fail(
			err, errlen, -XEN_EINVAL,
			"start-of-day area [%#llx, +%#zx) is not page-aligned inside the legacy hole [%#llx, %#llx)",
			(unsigned long long)l->info_gpa, a->size, PVH_LOW_RAM_END, PVH_LEGACY_END);
	if (l->initrd_size) {
		n = build_memmap(l, a->size, e);
		if (!l->initrd_gpa || !in_ram(e, n, l->initrd_gpa, l->initrd_size))
			return fail(err, errlen, -XEN_EINVAL, "initrd [%#llx, +%#llx) is not inside the guest's RAM",
				    (unsigned long long)l->initrd_gpa, (unsigned long long)l->initrd_size);
	}
	return 0;
}

unsigned int pvh_memmap(const struct pvh_layout *l, struct hvm_memmap_table_entry *out, unsigned int max)
{
	struct hvm_memmap_table_entry e[PVH_MAX_MEMMAP];
	struct area a;
	unsigned int n;

	if (check_layout(l, &a, NULL, 0))
		return 0;
	n = build_memmap(l, a.size, e);
	if (out)
		memcpy(out, e, MIN(n, max) * sizeof(*e));
	return n;
}

/* ------------------------------------------------------------------ tables */

static void set_checksum(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;

	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)-sum;
}

static void sdt_header(struct acpi_table_header *h, const char *sig, size_t len, uint8_t revision)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->signature, sig, sizeof(h->signature));
	h->length = (uint32_t)len;
	h->revision = revision;
	memcpy(h->oem_id, OEM_ID, sizeof(h->oem_id));
	memcpy(h->oem_table_id, OEM_TABLE_ID, sizeof(h->oem_table_id));
	h->oem_revision = OEM_REVISION;
	h->creator_id = CREATOR_ID;
	h->creator_revision = CREATOR_REVISION;
}

/* Copy a finished table into the area and checksum it there. */
static void put_table(uint8_t *base, size_t off, const void *t, size_t len)
{
	memcpy(base + off, t, len);
	set_checksum(base + off, len, SDT_CHECKSUM);
}

static void write_dsdt(uint8_t *base, const struct area *a)
{
	struct acpi_table_header h;

	/* An empty definition block: valid AML, nothing in the namespace. */
	sdt_header(&h, "DSDT", sizeof(h), DSDT_REVISION);
	put_table(base, a->dsdt, &h, sizeof(h));
}

static void write_fadt(uint8_t *base, const struct area *a, uint64_t gpa)
{
	struct acpi_fadt f;

	memset(&f, 0, sizeof(f));
	sdt_header(&f.header, "FACP", sizeof(f), FADT_REVISION);
	f.minor_version = FADT_MINOR;
	/* Hardware-reduced: no SCI, no SMI port, no PM1/PM2/PM timer/GPE blocks,
	 * no reset register, no sleep registers, no FACS. */
	f.flags = FADT_WBINVD | FADT_PWR_BUTTON | FADT_SLP_BUTTON | ACPI_FADT_HW_REDUCED;
	f.iapc_boot_arch = BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_CMOS_RTC;
	f.dsdt = (uint32_t)(gpa + a->dsdt);
	f.x_dsdt = gpa + a->dsdt;
	put_table(base, a->fadt, &f, sizeof(f));
}

static void write_madt(uint8_t *base, const struct area *a, const struct pvh_layout *l)
{
	struct acpi_madt m;
	size_t off = a->madt + sizeof(m);

	for (unsigned int v = 0; v < l->max_vcpus; v++) {
		uint32_t flags = v < l->vcpus ? ACPI_MADT_ENABLED : ACPI_MADT_ONLINE_CAPABLE;

		if (use_x2apic_entry(v)) {
			struct acpi_madt_x2apic x = {
				.sub = { ACPI_MADT_X2APIC, sizeof(x) },
				.x2apic_id = pvh_vcpu_apic_id(v),
				.flags = flags,
				.acpi_uid = v,
			};

			memcpy(base + off, &x, sizeof(x));
			off += sizeof(x);
		} else {
			struct acpi_madt_lapic e = {
				.sub = { ACPI_MADT_LAPIC, sizeof(e) },
				.acpi_uid = (uint8_t)v,
				.apic_id = (uint8_t)pvh_vcpu_apic_id(v),
				.flags = flags,
			};

			memcpy(base + off, &e, sizeof(e));
			off += sizeof(e);
		}
	}
	memset(&m, 0, sizeof(m));
	sdt_header(&m.header, "APIC", a->madt_len, MADT_REVISION);
	m.lapic_address = PVH_LAPIC_BASE;
	m.flags = 0; /* no 8259s */
	memcpy(base + a->madt, &m, sizeof(m));
	set_checksum(base + a->madt, a->madt_len, SDT_CHECKSUM);
}

static void write_xsdt(uint8_t *base, const struct area *a, uint64_t gpa)
{
	const uint64_t entries[XSDT_ENTRIES] = { gpa + a->fadt, gpa + a->madt };
	struct acpi_table_header h;
	size_t len = sizeof(h) + sizeof(entries);

	sdt_header(&h, "XSDT", len, XSDT_REVISION);
	memcpy(base + a->xsdt, &h, sizeof(h));
	memcpy(base + a->xsdt + sizeof(h), entries, sizeof(entries));
	set_checksum(base + a->xsdt, len, SDT_CHECKSUM);
}

static void write_rsdp(uint8_t *base, const struct area *a, uint64_t gpa)
{
	struct acpi_rsdp r;

	memset(&r, 0, sizeof(r));
	memcpy(r.signature, ACPI_RSDP_SIG, sizeof(r.signature));
	memcpy(r.oem_id, OEM_ID, sizeof(r.oem_id));
	r.revision = RSDP_REVISION;
	r.rsdt_address = 0; /* no RSDT: ACPI 2.0+ guests use the XSDT */
	r.length = sizeof(r);
	r.xsdt_address = gpa + a->xsdt;
	memcpy(base + a->rsdp, &r, sizeof(r));
	/* The first checksum covers the ACPI 1.0 part, the second everything
	 * (the first checksum included), so they are computed in this order. */
	set_checksum(base + a->rsdp, ACPI_RSDP_V1_LEN, RSDP_CHECKSUM);
	set_checksum(base + a->rsdp, sizeof(r), RSDP_EXT_CHECKSUM);
}

/* ------------------------------------------------------------------ start info */

static void write_start_info(uint8_t *base, const struct area *a, const struct pvh_layout *l, uint64_t gpa)
{
	struct hvm_memmap_table_entry e[PVH_MAX_MEMMAP];
	unsigned int n = build_memmap(l, a->size, e);
	struct hvm_start_info si = {
		.magic = XEN_HVM_START_MAGIC_VALUE,
		.version = 1,
		.flags = l->start_flags,
		.nr_modules = l->initrd_size ? 1 : 0,
		.modlist_paddr = l->initrd_size ? gpa + a->modlist : 0,
		.cmdline_paddr = gpa + a->cmdline,
		.rsdp_paddr = gpa + a->rsdp,
		.memmap_paddr = gpa + a->memmap,
		.memmap_entries = n,
		.reserved = 0,
	};

	if (l->initrd_size) {
		struct hvm_modlist_entry m = {
			.paddr = l->initrd_gpa,
			.size = l->initrd_size,
			.cmdline_paddr = 0,
			.reserved = 0,
		};

		memcpy(base + a->modlist, &m, sizeof(m));
	}
	memcpy(base + a->memmap, e, n * sizeof(e[0]));
	memcpy(base + a->cmdline, l->cmdline ? l->cmdline : "", a->cmdline_len);
	base[a->cmdline + a->cmdline_len] = '\0';
	memcpy(base + a->start_info, &si, sizeof(si));
}

int pvh_build_info(const struct pvh_layout *l, void *buf, size_t buf_len, uint64_t buf_gpa, uint64_t *start_info_gpa,
		   char *err, size_t errlen)
{
	struct area a;
	uint64_t gpa;
	uint8_t *base;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	rc = check_layout(l, &a, err, errlen);
	if (rc)
		return rc;
	gpa = l->info_gpa;
	if (!buf || gpa < buf_gpa || gpa - buf_gpa > buf_len || a.size > buf_len - (gpa - buf_gpa))
		return fail(err, errlen, -XEN_ENOSPC,
			    "the buffer [%#llx, +%#zx) does not cover the start-of-day area [%#llx, +%#zx)",
			    (unsigned long long)buf_gpa, buf ? buf_len : (size_t)0, (unsigned long long)gpa, a.size);

	base = (uint8_t *)buf + (gpa - buf_gpa);
	memset(base, 0, a.size);
	write_dsdt(base, &a);
	write_fadt(base, &a, gpa);
	write_madt(base, &a, l);
	write_xsdt(base, &a, gpa);
	write_rsdp(base, &a, gpa);
	write_start_info(base, &a, l, gpa);
	if (start_info_gpa)
		*start_info_gpa = gpa + a.start_info;
	return 0;
}
