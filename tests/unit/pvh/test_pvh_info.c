/*
 * Unit tests for the PVH start-of-day data (arch/x86/hvm/pvh_info.c).
 *
 * The harness's memory arena stands for the guest's memory from address 0
 * (guest-physical = arena address), so what pvh_build_info() writes is read
 * back with the hypervisor's own ACPI parser (drivers/acpi/), exactly as it
 * reads firmware tables, with a memory check that lets it read only the
 * start-of-day area: every table must lie inside it. Checked: the vCPUs the
 * MADT gives (enabled, online capable, x2APIC entries), a hardware-reduced
 * FADT, checksums, a clean parse log; the start info fields, the module
 * entry, the command line's terminator, the memory map (sorted, no overlap,
 * the RAM total); bad layouts and buffers refused with a message and the
 * buffer left untouched; buffers with no alignment and of exact size.
 */
#include <asm/pvh_info.h>
#include <hv/acpi.h>
#include <hv/errno.h>
#include <hv/lib.h>

#include "hv_unrename.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#include <asm/page.h> /* harness_mem_base */

#define ARENA_BYTES (2u << 20) /* guest-physical 0 .. 2 MiB */
#define FILL 0xa5

static uint64_t area_start, area_end; /* what the ACPI parser may read */
static struct acpi_info ai;
static char err[256];

static bool area_only(paddr_t pa, uint64_t len)
{
	return pa >= area_start && pa < area_end && len <= area_end - pa;
}

static int setup(void **state)
{
	(void)state;
	harness_mem_init(ARENA_BYTES);
	memset(harness_mem_base, FILL, ARENA_BYTES);
	acpi_set_mem_check(area_only);
	harness_log_clear();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	acpi_set_mem_check(NULL);
	harness_mem_fini();
	return 0;
}

static void *gva(uint64_t gpa)
{
	return harness_mem_base + gpa;
}

static struct pvh_layout layout(uint64_t mem, unsigned int vcpus, unsigned int max_vcpus)
{
	struct pvh_layout l = {
		.mem_bytes = mem,
		.vcpus = vcpus,
		.max_vcpus = max_vcpus,
		.cmdline = "console=hvc0 earlyprintk=xen",
		.initrd_gpa = 0x100000,
		.initrd_size = 0x12345,
		.info_gpa = PVH_INFO_GPA,
		.start_flags = 0,
	};

	return l;
}

/* Build into the arena: the buffer is the whole legacy hole. */
static uint64_t build(const struct pvh_layout *l)
{
	uint64_t si = 0;
	int rc;

	rc = pvh_build_info(l, gva(PVH_LOW_RAM_END), PVH_LEGACY_END - PVH_LOW_RAM_END, PVH_LOW_RAM_END, &si, err,
			    sizeof(err));
	if (rc)
		fail_msg("pvh_build_info: %d: %s", rc, err);
	assert_string_equal(err, "");
	area_start = l->info_gpa;
	area_end = l->info_gpa + pvh_info_size(l);
	return si;
}

static const struct hvm_start_info *start_info(uint64_t gpa)
{
	return gva(gpa);
}

static bool in_area(uint64_t gpa, uint64_t len)
{
	return area_only(gpa, len);
}

/* Nothing outside [area_start, area_end) in the hole was written. */
static void assert_hole_untouched_outside_area(void)
{
	const uint8_t *p = gva(0);

	for (uint64_t a = PVH_LOW_RAM_END; a < PVH_LEGACY_END; a++)
		if (a < area_start || a >= area_end)
			if (p[a] != FILL)
				fail_msg("byte at %#llx was written", (unsigned long long)a);
}

/* Every "<N>" line of the parse log: errors never, warnings only the ones
 * a hardware-reduced guest without \_S5_ is expected to cause. */
static void assert_clean_log(const char *allowed_warning)
{
	const char *line = harness_log;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (!strncmp(line, "<1>", 3))
			fail_msg("error in the ACPI log: %.*s", (int)len, line);
		if (!strncmp(line, "<2>", 3) && !strstr(line, "no \\_S5_ package") &&
		    !(allowed_warning && strstr(line, allowed_warning)))
			fail_msg("warning in the ACPI log: %.*s", (int)len, line);
		line += len + (nl ? 1 : 0);
	}
}

static const struct acpi_table_entry *table(const char *sig)
{
	for (unsigned int i = 0; i < ai.nr_tables; i++)
		if (!strcmp(ai.tables[i].sig, sig))
			return &ai.tables[i];
	return NULL;
}

/* Memory map sanity and agreement with pvh_memmap(). */
static void check_memmap(const struct pvh_layout *l, const struct hvm_memmap_table_entry *e, unsigned int n)
{
	struct hvm_memmap_table_entry mm[PVH_MAX_MEMMAP];
	uint64_t ram = 0, acpi = 0;

	assert_true(n >= 3 && n <= PVH_MAX_MEMMAP);
	assert_int_equal(pvh_memmap(l, mm, PVH_MAX_MEMMAP), n);
	assert_memory_equal(mm, e, n * sizeof(*e));
	for (unsigned int i = 0; i < n; i++) {
		assert_true(e[i].size > 0);
		assert_int_equal(e[i].reserved, 0);
		assert_true(e[i].addr + e[i].size > e[i].addr);
		if (i)
			assert_true(e[i - 1].addr + e[i - 1].size <= e[i].addr); /* sorted, no overlap */
		assert_true(IS_ALIGNED(e[i].addr, 4096) && IS_ALIGNED(e[i].size, 4096));
		if (e[i].type == XEN_HVM_MEMMAP_TYPE_RAM) {
			ram += e[i].size;
			/* RAM never touches the hole or the MMIO range below 4 GiB */
			assert_true(e[i].addr + e[i].size <= PVH_LOW_RAM_END || e[i].addr >= PVH_LEGACY_END);
			assert_true(e[i].addr + e[i].size <= PVH_LOWMEM_LIMIT || e[i].addr >= PVH_HIGHMEM_START);
		} else if (e[i].type == XEN_HVM_MEMMAP_TYPE_ACPI) {
			acpi++;
			assert_int_equal(e[i].addr, l->info_gpa);
			assert_int_equal(e[i].size, pvh_info_size(l));
		} else {
			assert_int_equal(e[i].type, XEN_HVM_MEMMAP_TYPE_RESERVED);
			assert_true(e[i].addr >= PVH_LOW_RAM_END && e[i].addr + e[i].size <= PVH_LEGACY_END);
		}
	}
	assert_int_equal(acpi, 1);
	assert_int_equal(e[0].addr, 0);
	assert_int_equal(e[0].type, XEN_HVM_MEMMAP_TYPE_RAM);
	assert_int_equal(ram, l->mem_bytes - (PVH_LEGACY_END - PVH_LOW_RAM_END));
}

/* The raw tables, beyond what the parser keeps. */
static void check_raw_tables(const struct hvm_start_info *si)
{
	const struct acpi_rsdp *r = gva(si->rsdp_paddr);
	const struct acpi_fadt *f = gva(table("FACP")->addr);
	const struct acpi_table_header *dsdt = gva(table("DSDT")->addr);
	const struct acpi_madt *m = gva(table("APIC")->addr);

	assert_int_equal(r->revision, 2);
	assert_int_equal(r->length, 36);
	assert_int_equal(r->rsdt_address, 0);
	assert_int_equal(r->xsdt_address, table("XSDT")->addr);
	assert_int_equal(f->header.revision, 6);
	assert_int_equal(f->minor_version, 3);
	assert_int_equal(f->header.length, sizeof(struct acpi_fadt));
	assert_true(f->flags & ACPI_FADT_HW_REDUCED);
	assert_false(f->flags & ACPI_FADT_RESET_REG_SUP);
	assert_int_equal(f->iapc_boot_arch, (1u << 2) | (1u << 5)); /* no VGA, no CMOS RTC */
	assert_int_equal(f->dsdt, f->x_dsdt);
	assert_int_equal(f->x_dsdt, table("DSDT")->addr);
	assert_int_equal(f->firmware_ctrl, 0);
	assert_int_equal(f->x_firmware_ctrl, 0);
	assert_int_equal(f->sci_int, 0);
	assert_int_equal(f->smi_cmd, 0);
	assert_int_equal(f->pm1a_evt_blk | f->pm1a_cnt_blk | f->pm_tmr_blk | f->gpe0_blk, 0);
	assert_int_equal(f->x_pm1a_cnt_blk.address | f->sleep_control_reg.address, 0);
	assert_int_equal(dsdt->length, sizeof(*dsdt));
	assert_int_equal(dsdt->revision, 2);
	assert_int_equal(m->header.revision, 5);
	assert_memory_equal(m->header.oem_id, "BASALT", 6);
	assert_memory_equal(m->header.oem_table_id, "BASALTVM", 8);
}

/* Build, read back, check everything that holds for any layout. */
static const struct hvm_start_info *build_and_check(const struct pvh_layout *l)
{
	uint64_t gpa = build(l);
	const struct hvm_start_info *si = start_info(gpa);
	const char *cmdline;
	unsigned int enabled = 0, online = 0;

	assert_int_equal(gpa, l->info_gpa); /* the start info opens the area */
	assert_true(IS_ALIGNED(area_end - area_start, 4096));
	assert_hole_untouched_outside_area();

	assert_int_equal(si->magic, XEN_HVM_START_MAGIC_VALUE);
	assert_int_equal(si->version, 1);
	assert_int_equal(si->flags, l->start_flags);
	assert_int_equal(si->reserved, 0);
	if (l->initrd_size) {
		const struct hvm_modlist_entry *m = gva(si->modlist_paddr);

		assert_int_equal(si->nr_modules, 1);
		assert_true(in_area(si->modlist_paddr, sizeof(*m)));
		assert_int_equal(m->paddr, l->initrd_gpa);
		assert_int_equal(m->size, l->initrd_size);
		assert_int_equal(m->cmdline_paddr, 0);
		assert_int_equal(m->reserved, 0);
	} else {
		assert_int_equal(si->nr_modules, 0);
		assert_int_equal(si->modlist_paddr, 0);
	}
	cmdline = gva(si->cmdline_paddr);
	assert_true(in_area(si->cmdline_paddr, strlen(cmdline) + 1)); /* terminated inside the area */
	assert_string_equal(cmdline, l->cmdline ? l->cmdline : "");
	assert_true(in_area(si->memmap_paddr, si->memmap_entries * sizeof(struct hvm_memmap_table_entry)));
	check_memmap(l, gva(si->memmap_paddr), si->memmap_entries);

	assert_true(IS_ALIGNED(si->rsdp_paddr, 16));
	harness_log_clear();
	assert_int_equal(acpi_parse(si->rsdp_paddr, &ai), 0);
	assert_int_equal(ai.rsdp, si->rsdp_paddr);
	assert_int_equal(ai.revision, 2);
	assert_string_equal(ai.oem_id, "BASALT");
	/* XSDT, FACP, DSDT, APIC: all good, nothing else */
	assert_int_equal(ai.nr_tables, 4);
	for (unsigned int i = 0; i < ai.nr_tables; i++)
		assert_true(ai.tables[i].ok);
	assert_non_null(table("XSDT"));
	assert_non_null(table("FACP"));
	assert_non_null(table("DSDT"));
	assert_non_null(table("APIC"));

	assert_true(ai.have_fadt);
	assert_true(ai.hw_reduced);
	assert_false(ai.have_reset);
	assert_false(ai.have_s5);
	assert_int_equal(ai.sci_int, 0);
	assert_int_equal(ai.pm1a_cnt, 0);
	assert_int_equal(ai.pm_tmr_blk, 0);
	assert_int_equal(ai.dsdt, table("DSDT")->addr);
	assert_int_equal(ai.facs, 0);
	assert_false(ai.have_hpet);

	assert_true(ai.have_madt);
	assert_int_equal(ai.lapic_base, 0xfee00000);
	assert_false(ai.pcat_compat);
	assert_int_equal(ai.nr_ioapics, 0);
	assert_int_equal(ai.nr_cpus + ai.nr_cpus_dropped, l->max_vcpus);
	for (unsigned int i = 0; i < ai.nr_cpus; i++) {
		const struct acpi_cpu *c = &ai.cpus[i];

		assert_int_equal(c->acpi_uid, i);
		assert_int_equal(c->apic_id, pvh_vcpu_apic_id(i));
		assert_int_equal(c->x2apic_entry, c->apic_id >= 255);
		assert_int_equal(c->enabled, i < l->vcpus);
		assert_int_equal(c->online_capable, i >= l->vcpus);
		enabled += c->enabled;
		online += c->online_capable;
	}
	assert_int_equal(enabled, MIN(l->vcpus, NR_CPUS_ACPI));
	assert_int_equal(enabled + online, ai.nr_cpus);
	check_raw_tables(si);
	return si;
}

/* ------------------------------------------------------------ good layouts */

static void test_typical(void **state)
{
	struct pvh_layout l = layout(128ULL << 20, 2, 4);
	const struct hvm_start_info *si;

	(void)state;
	l.start_flags = 3;
	si = build_and_check(&l);
	assert_int_equal(ai.nr_cpus, 4);
	assert_int_equal(ai.nr_cpus_dropped, 0);
	assert_clean_log(NULL);
	/* 640 KiB RAM, reserved, ACPI area, reserved, RAM from 1 MiB to 128 MiB */
	assert_int_equal(si->memmap_entries, 5);
	const struct hvm_memmap_table_entry *e = gva(si->memmap_paddr);
	assert_int_equal(e[0].size, 0xa0000);
	assert_int_equal(e[1].type, XEN_HVM_MEMMAP_TYPE_RESERVED);
	assert_int_equal(e[1].addr, 0xa0000);
	assert_int_equal(e[1].size, PVH_INFO_GPA - 0xa0000);
	assert_int_equal(e[2].type, XEN_HVM_MEMMAP_TYPE_ACPI);
	assert_int_equal(e[3].type, XEN_HVM_MEMMAP_TYPE_RESERVED);
	assert_int_equal(e[3].addr + e[3].size, 0x100000);
	assert_int_equal(e[4].addr, 0x100000);
	assert_int_equal(e[4].size, (128ULL << 20) - 0x100000);
	/* the default area is small and at 0xe0000: the RSDP is inside the BIOS
	 * scan window too */
	assert_true(pvh_info_size(&l) <= 0x4000);
	assert_true(si->rsdp_paddr >= 0xe0000 && si->rsdp_paddr < 0x100000);
}

static void test_one_vcpu_no_cmdline_no_initrd(void **state)
{
	struct pvh_layout l = layout(4ULL << 20, 1, 1);
	const struct hvm_start_info *si;

	(void)state;
	l.cmdline = NULL;
	l.initrd_size = 0;
	l.initrd_gpa = 0;
	si = build_and_check(&l);
	assert_int_equal(ai.nr_cpus, 1);
	assert_true(ai.cpus[0].enabled);
	assert_non_null(si->cmdline_paddr); /* an empty string, not "no command line" */
	assert_string_equal((const char *)gva(si->cmdline_paddr), "");
	assert_clean_log(NULL);
}

static void test_rsdp_found_by_bios_scan(void **state)
{
	struct pvh_layout l = layout(64ULL << 20, 2, 2);
	uint64_t gpa = build(&l);

	(void)state;
	harness_log_clear();
	assert_int_equal(acpi_parse(0, &ai), 0); /* no hint: scan 0xe0000-0xfffff */
	assert_int_equal(ai.rsdp, start_info(gpa)->rsdp_paddr);
	assert_int_equal(ai.nr_cpus, 2);
}

static void test_x2apic_entries(void **state)
{
	struct pvh_layout l = layout(256ULL << 20, 200, 256);

	(void)state;
	build_and_check(&l);
	assert_int_equal(ai.nr_cpus, 256);
	assert_int_equal(ai.nr_cpus_dropped, 0);
	assert_false(ai.cpus[254].x2apic_entry);
	assert_int_equal(ai.cpus[254].apic_id, 254);
	assert_true(ai.cpus[255].x2apic_entry);
	assert_int_equal(ai.cpus[255].apic_id, 255);
	assert_int_equal(ai.cpus[255].acpi_uid, 255);
	assert_true(ai.cpus[199].enabled);
	assert_false(ai.cpus[200].enabled);
	assert_true(ai.cpus[200].online_capable);
	assert_clean_log(NULL);
}

static void test_most_vcpus(void **state)
{
	struct pvh_layout l = layout(1ULL << 30, PVH_MAX_VCPUS, PVH_MAX_VCPUS);
	const struct acpi_madt *m;

	(void)state;
	build_and_check(&l);
	/* the parser keeps 256; the MADT has them all */
	assert_int_equal(ai.nr_cpus, NR_CPUS_ACPI);
	assert_int_equal(ai.nr_cpus_dropped, PVH_MAX_VCPUS - NR_CPUS_ACPI);
	m = gva(table("APIC")->addr);
	assert_int_equal(m->header.length, 44 + 255 * 8 + (PVH_MAX_VCPUS - 255) * 16);
	assert_clean_log("beyond the 256 supported");
	/* the longest command line fits too */
	static char longest[PVH_CMDLINE_MAX];
	memset(longest, 'c', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	l.cmdline = longest;
	build_and_check(&l);
}

static void test_memory_sizes(void **state)
{
	static const uint64_t sizes[] = {
		4ULL << 20,	  0x100000 + 4096 * 1024,  PVH_LOWMEM_LIMIT - 4096,
		PVH_LOWMEM_LIMIT, PVH_LOWMEM_LIMIT + 4096, 4ULL << 30,
		1ULL << 40,
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct pvh_layout l = layout(sizes[i], 1, 2);
		const struct hvm_start_info *si = build_and_check(&l);
		const struct hvm_memmap_table_entry *e = gva(si->memmap_paddr);
		const struct hvm_memmap_table_entry *last = &e[si->memmap_entries - 1];

		if (sizes[i] > PVH_LOWMEM_LIMIT) {
			assert_int_equal(si->memmap_entries, 6);
			assert_int_equal(last->addr, PVH_HIGHMEM_START);
			assert_int_equal(last->size, sizes[i] - PVH_LOWMEM_LIMIT);
		} else {
			assert_int_equal(si->memmap_entries, 5);
			assert_int_equal(last->addr + last->size, sizes[i]);
		}
	}
}

static void test_area_placement(void **state)
{
	struct pvh_layout l = layout(32ULL << 20, 1, 1);
	const struct hvm_start_info *si;
	size_t size = pvh_info_size(&l);

	(void)state;
	/* at the start of the hole: no reserved range before it */
	l.info_gpa = PVH_LOW_RAM_END;
	si = build_and_check(&l);
	assert_int_equal(si->memmap_entries, 4);
	/* at its very end: none after it */
	memset(harness_mem_base, FILL, ARENA_BYTES);
	l.info_gpa = PVH_LEGACY_END - size;
	si = build_and_check(&l);
	assert_int_equal(si->memmap_entries, 4);
	/* the initrd may sit in low RAM, or end exactly at the top of RAM */
	l.initrd_gpa = 0x1000;
	l.initrd_size = 0x9f000;
	build_and_check(&l);
	l.initrd_gpa = (32ULL << 20) - 0x3000;
	l.initrd_size = 0x3000;
	build_and_check(&l);
}

/* A buffer of exactly the area's size, at an odd host address. */
static void test_exact_unaligned_buffer(void **state)
{
	struct pvh_layout l = layout(512ULL << 20, 3, 8);
	size_t size = pvh_info_size(&l);
	uint8_t *block = malloc(size + 1);
	uint8_t *buf = block + 1;
	uint64_t si = 0;

	(void)state;
	assert_non_null(block);
	assert_int_equal(pvh_build_info(&l, buf, size, l.info_gpa, &si, err, sizeof(err)), 0);
	assert_int_equal(si, l.info_gpa);
	/* the same bytes as a build straight into guest memory */
	build(&l);
	assert_memory_equal(buf, gva(l.info_gpa), size);
	free(block);
}

/* ------------------------------------------------------------ refusals */

/* A bad layout: refused with 'rc' and a message containing 'msg'; the buffer
 * is untouched and pvh_memmap gives nothing. */
static void refused(const struct pvh_layout *l, int rc, const char *msg)
{
	uint64_t si = 77;
	const uint8_t *p = gva(0);

	memset(err, 'x', sizeof(err));
	assert_int_equal(pvh_build_info(l, gva(PVH_LOW_RAM_END), PVH_LEGACY_END - PVH_LOW_RAM_END, PVH_LOW_RAM_END, &si,
					err, sizeof(err)),
			 rc);
	assert_int_equal(si, 77);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	if (!strstr(err, msg))
		fail_msg("message \"%s\" does not say \"%s\"", err, msg);
	for (uint64_t a = PVH_LOW_RAM_END; a < PVH_LEGACY_END; a++)
		assert_int_equal(p[a], FILL);
	if (rc == -XEN_EINVAL)
		assert_int_equal(pvh_memmap(l, NULL, 0), 0);
}

static void test_bad_layouts(void **state)
{
	static char too_long[PVH_CMDLINE_MAX + 1];
	struct pvh_layout l;

	(void)state;
	refused(NULL, -XEN_EINVAL, "no layout");
	l = layout(64ULL << 20, 0, 1);
	refused(&l, -XEN_EINVAL, "vcpus 0, max_vcpus 1: need 1 <= vcpus <= max_vcpus <= 512");
	l = layout(64ULL << 20, 3, 2);
	refused(&l, -XEN_EINVAL, "vcpus 3, max_vcpus 2");
	l = layout(64ULL << 20, 1, PVH_MAX_VCPUS + 1);
	refused(&l, -XEN_EINVAL, "max_vcpus 513");
	assert_int_equal(pvh_info_size(&l), 0);

	memset(too_long, 'a', PVH_CMDLINE_MAX);
	l = layout(64ULL << 20, 1, 1);
	l.cmdline = too_long;
	refused(&l, -XEN_EINVAL, "command line of 2048 bytes or more (at most 2047)");
	assert_int_equal(pvh_info_size(&l), 0);

	l = layout((64ULL << 20) + 1, 1, 1);
	refused(&l, -XEN_EINVAL, "memory size 0x4000001: need a multiple of 4 KiB from 4 MiB to 1 TiB");
	l = layout((4ULL << 20) - 4096, 1, 1);
	refused(&l, -XEN_EINVAL, "memory size 0x3ff000");
	l = layout((1ULL << 40) + 4096, 1, 1);
	refused(&l, -XEN_EINVAL, "memory size");

	l = layout(64ULL << 20, 1, 1);
	l.info_gpa = PVH_INFO_GPA + 16;
	refused(&l, -XEN_EINVAL,
		"start-of-day area [0xe0010, +0x1000) is not page-aligned inside the legacy hole "
		"[0xa0000, 0x100000)");
	l.info_gpa = 0x9f000;
	refused(&l, -XEN_EINVAL, "start-of-day area [0x9f000");
	l.info_gpa = PVH_LEGACY_END;
	refused(&l, -XEN_EINVAL, "start-of-day area [0x100000");
	l.info_gpa = 0x200000;
	refused(&l, -XEN_EINVAL, "legacy hole");
	l.info_gpa = ~0ULL << 12;
	refused(&l, -XEN_EINVAL, "legacy hole");
	l = layout(64ULL << 20, 1, PVH_MAX_VCPUS); /* a bigger area that no longer fits before 1 MiB */
	assert_true(pvh_info_size(&l) > 4096);
	l.info_gpa = PVH_LEGACY_END - 4096;
	refused(&l, -XEN_EINVAL, "legacy hole");
}

static void test_bad_initrd(void **state)
{
	static const struct {
		uint64_t gpa, size;
	} bad[] = {
		{ 0, 4096 },			  /* at 0: "not present" */
		{ 0x9f000, 0x2000 },		  /* runs into the hole */
		{ 0xa0000, 0x1000 },		  /* in the hole */
		{ 0xf0000, 0x20000 },		  /* from the hole into RAM */
		{ (64ULL << 20) - 4096, 0x2000 }, /* past the top of RAM */
		{ 64ULL << 20, 1 },		  /* at the top of RAM */
		{ 0x200000, ~0ULL },		  /* wraps */
		{ PVH_LOWMEM_LIMIT, 4096 },	  /* in the MMIO range */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct pvh_layout l = layout(64ULL << 20, 1, 1);

		l.initrd_gpa = bad[i].gpa;
		l.initrd_size = bad[i].size;
		refused(&l, -XEN_EINVAL, "is not inside the guest's RAM");
	}
	/* above 4 GiB is fine when there is RAM there */
	struct pvh_layout l = layout(PVH_LOWMEM_LIMIT + (1ULL << 30), 1, 1);
	l.initrd_gpa = PVH_HIGHMEM_START + 0x1000;
	l.initrd_size = (1ULL << 30) - 0x1000;
	build_and_check(&l);
}

static void test_small_buffers(void **state)
{
	struct pvh_layout l = layout(64ULL << 20, 1, 1);
	size_t size = pvh_info_size(&l);
	uint8_t *buf = gva(l.info_gpa);
	uint64_t si = 0;

	(void)state;
	/* one byte short, starting one byte late, ending before, NULL */
	assert_int_equal(pvh_build_info(&l, buf, size - 1, l.info_gpa, &si, err, sizeof(err)), -XEN_ENOSPC);
	assert_string_equal(err, "the buffer [0xe0000, +0xfff) does not cover the start-of-day area [0xe0000, "
				 "+0x1000)");
	assert_int_equal(pvh_build_info(&l, buf + 1, size, l.info_gpa + 1, &si, err, sizeof(err)), -XEN_ENOSPC);
	assert_int_equal(pvh_build_info(&l, buf - 0x1000, 0x1000, l.info_gpa - 0x1000, &si, err, sizeof(err)),
			 -XEN_ENOSPC);
	assert_int_equal(pvh_build_info(&l, buf, 0, l.info_gpa, &si, err, sizeof(err)), -XEN_ENOSPC);
	assert_int_equal(pvh_build_info(&l, NULL, size, l.info_gpa, &si, err, sizeof(err)), -XEN_ENOSPC);
	assert_string_equal(err, "the buffer [0xe0000, +0) does not cover the start-of-day area [0xe0000, +0x1000)");
	/* a buffer "at" a huge address: no wrap-around */
	assert_int_equal(pvh_build_info(&l, buf, SIZE_MAX, ~0ULL - 10, &si, err, sizeof(err)), -XEN_ENOSPC);
	for (size_t i = 0; i < size; i++)
		assert_int_equal(buf[i], FILL);
	/* a tiny message buffer: cut and terminated; none at all: no crash */
	assert_int_equal(pvh_build_info(&l, buf, size - 1, l.info_gpa, &si, err, 8), -XEN_ENOSPC);
	assert_string_equal(err, "the buf");
	assert_int_equal(pvh_build_info(&l, buf, size - 1, l.info_gpa, &si, NULL, 0), -XEN_ENOSPC);
	/* no start_info_gpa wanted */
	assert_int_equal(pvh_build_info(&l, buf, size, l.info_gpa, NULL, err, sizeof(err)), 0);
}

static void test_memmap_interface(void **state)
{
	struct pvh_layout l = layout(8ULL << 30, 1, 1);
	struct hvm_memmap_table_entry e[PVH_MAX_MEMMAP + 1];

	(void)state;
	memset(e, 0xee, sizeof(e));
	assert_int_equal(pvh_memmap(&l, e, 2), 6); /* says how many there are */
	assert_int_equal(e[1].addr, PVH_LOW_RAM_END);
	assert_int_equal(e[2].addr, 0xeeeeeeeeeeeeeeeeULL); /* only 2 written */
	assert_int_equal(pvh_memmap(&l, NULL, 0), 6);
	assert_int_equal(pvh_memmap(&l, e, PVH_MAX_MEMMAP), 6);
	assert_int_equal(e[5].addr, PVH_HIGHMEM_START);
	assert_int_equal(e[5].size, (8ULL << 30) - PVH_LOWMEM_LIMIT);
	assert_int_equal(e[6].addr, 0xeeeeeeeeeeeeeeeeULL);
}

static void test_abi_layout(void **state)
{
	(void)state;
	/* the build-time checks, once more where a failure is easy to read */
	assert_int_equal(sizeof(struct hvm_start_info), 56);
	assert_int_equal(offsetof(struct hvm_start_info, memmap_paddr), 40);
	assert_int_equal(offsetof(struct hvm_start_info, memmap_entries), 48);
	assert_int_equal(sizeof(struct hvm_modlist_entry), 32);
	assert_int_equal(sizeof(struct hvm_memmap_table_entry), 24);
	assert_int_equal(XEN_HVM_START_MAGIC_VALUE, 0x336ec578);
	assert_int_equal(pvh_vcpu_apic_id(7), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_typical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_vcpu_no_cmdline_no_initrd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rsdp_found_by_bios_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x2apic_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_most_vcpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_area_placement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exact_unaligned_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_layouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_initrd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memmap_interface, setup, teardown),
		cmocka_unit_test(test_abi_layout),
	};

	return cmocka_run_group_tests_name("arch/x86/hvm/pvh_info", tests, NULL, NULL);
}
