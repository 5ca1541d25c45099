/*
 * Unit tests for the ACPI table parser (hypervisor/drivers/acpi/): good
 * table sets of each kind, and broken ones, which must be reported by name
 * and skipped while the rest is still parsed. See builder.h for the arena
 * layout and how out-of-table reads are caught.
 */
#include "builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static struct acpi_info ai;

static int setup(void **state)
{
	(void)state;
	tb_setup();
	memset(&ai, 0xa5, sizeof(ai)); /* the parser must clear it */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tb_teardown();
	return 0;
}

/* A fresh arena in the middle of a test (for a second scenario). */
static void reset(void)
{
	teardown(NULL);
	setup(NULL);
}

static char msg[512];
#define LOGF(...) (snprintf(msg, sizeof(msg), __VA_ARGS__), msg)
#define assert_log(s) assert_true(harness_log_has(s))
#define assert_no_log(s) assert_false(harness_log_has(s))

static const struct acpi_table_entry *find_table(const char *sig)
{
	unsigned int i;

	for (i = 0; i < ai.nr_tables; i++)
		if (!strcmp(ai.tables[i].sig, sig))
			return &ai.tables[i];
	return NULL;
}

static void assert_std_madt(void)
{
	assert_true(ai.have_madt);
	assert_int_equal(ai.lapic_base, 0xfee00000);
	assert_true(ai.pcat_compat);
	assert_int_equal(ai.nr_cpus, 4);
	assert_int_equal(ai.cpus[0].apic_id, 0);
	assert_true(ai.cpus[0].enabled);
	assert_false(ai.cpus[0].online_capable);
	assert_int_equal(ai.cpus[1].apic_id, 1);
	assert_int_equal(ai.cpus[1].acpi_uid, 1);
	assert_int_equal(ai.cpus[2].apic_id, 2);
	assert_false(ai.cpus[2].enabled);
	assert_true(ai.cpus[2].online_capable);
	assert_int_equal(ai.cpus[3].apic_id, 0x100);
	assert_int_equal(ai.cpus[3].acpi_uid, 4);
	assert_true(ai.cpus[3].x2apic_entry);
	assert_false(ai.cpus[0].x2apic_entry);
	assert_int_equal(ai.nr_cpus_dropped, 0);
	assert_int_equal(ai.nr_ioapics, 1);
	assert_int_equal(ai.ioapics[0].id, 2);
	assert_int_equal(ai.ioapics[0].addr, 0xfec00000);
	assert_int_equal(ai.ioapics[0].gsi_base, 0);
}

static void assert_std_fadt(const struct tb_std *s)
{
	assert_true(ai.have_fadt);
	assert_false(ai.hw_reduced);
	assert_int_equal(ai.sci_int, 9);
	assert_int_equal(ai.smi_cmd, 0xb2);
	assert_int_equal(ai.acpi_enable, 0xf1);
	assert_int_equal(ai.pm1a_cnt, 0x604);
	assert_int_equal(ai.pm1b_cnt, 0);
	assert_int_equal(ai.pm_tmr_blk, 0x608);
	assert_true(ai.pm_tmr_32bit);
	assert_true(ai.have_reset);
	assert_int_equal(ai.reset_reg.space_id, ACPI_SPACE_IO);
	assert_int_equal(ai.reset_reg.address, 0xcf9);
	assert_int_equal(ai.reset_reg.bit_width, 8);
	assert_int_equal(ai.reset_value, 6);
	assert_int_equal(ai.dsdt, s->dsdt);
	assert_int_equal(ai.facs, s->facs);
	assert_true(ai.have_s5);
	assert_int_equal(ai.slp_typa, 5);
	assert_int_equal(ai.slp_typb, 7);
}

/* ------------------------------------------------------------ good sets */

static void test_v2_xsdt_full(void **state)
{
	struct tb_std s;

	(void)state;
	tb_std(&s);
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	assert_int_equal(ai.rsdp, s.rsdp);
	assert_int_equal(ai.revision, 2);
	assert_string_equal(ai.oem_id, "BASALT");
	assert_std_madt();
	assert_true(ai.have_hpet);
	assert_int_equal(ai.hpet_base, 0xfed00000);
	assert_int_equal(ai.hpet_number, 0);
	assert_std_fadt(&s);
	/* XSDT, FACP, DSDT, FACS, APIC, HPET: the RSDT is not looked at */
	assert_int_equal(ai.nr_tables, 6);
	assert_string_equal(ai.tables[0].sig, "XSDT");
	assert_int_equal(ai.tables[0].addr, s.xsdt);
	assert_int_equal(ai.tables[0].len, 36 + 3 * 8);
	assert_null(find_table("RSDT"));
	for (unsigned int i = 0; i < ai.nr_tables; i++)
		assert_true(ai.tables[i].ok);
	assert_int_equal(find_table("DSDT")->addr, s.dsdt);
	assert_no_log("<2>");
	assert_no_log("<1>");
}

static void test_v1_rsdt_acpi1_fadt(void **state)
{
	static struct tb_madt m;
	struct acpi_fadt f;
	paddr_t e[2], rsdt, rsdp, dsdt, facs;

	(void)state;
	tb_std_madt(&m);
	dsdt = tb_dsdt(tb_s5_aml, tb_s5_aml_len);
	facs = tb_facs();
	tb_std_fadt(&f, dsdt, facs);
	f.flags = ACPI_FADT_RESET_REG_SUP; /* claimed, but a 1.0 FADT has no reset register */
	e[0] = tb_madt_table(0xfee00000, 0, &m);
	e[1] = tb_fadt(&f, ACPI_FADT_V1_LEN, 1);
	rsdt = tb_root(false, e, 2);
	rsdp = tb_rsdp(0, (uint32_t)rsdt, 0); /* 20 bytes, red zone right after */
	assert_int_equal(acpi_parse(rsdp, &ai), 0);
	assert_int_equal(ai.revision, 0);
	assert_string_equal(ai.tables[0].sig, "RSDT");
	assert_int_equal(ai.nr_cpus, 4);
	assert_false(ai.pcat_compat);
	assert_int_equal(ai.pm1a_cnt, 0x604);
	assert_int_equal(ai.pm_tmr_blk, 0x608);
	assert_false(ai.pm_tmr_32bit); /* no TMR_VAL_EXT: 24-bit */
	assert_false(ai.have_reset);
	assert_log("RESET_REG_SUP set, but the table (116 bytes) has no reset register");
	assert_int_equal(ai.dsdt, dsdt);
	assert_int_equal(ai.facs, facs);
	assert_true(ai.have_s5);
	assert_false(ai.have_hpet);
}

static void test_fadt_v2_244(void **state)
{
	struct acpi_fadt f;
	paddr_t e[1], dsdt;

	(void)state;
	dsdt = tb_dsdt(tb_s5_aml, tb_s5_aml_len);
	tb_std_fadt(&f, dsdt, 0);
	/* X_ fields win over differing legacy ones; an X_ field in memory space
	 * cannot be an I/O port, so its legacy field is used. */
	f.pm1a_cnt_blk = 0x1004;
	f.x_pm1a_cnt_blk.address = 0x404;
	f.pm1b_cnt_blk = 0x2004;
	f.x_pm1b_cnt_blk = (struct acpi_gas){ ACPI_SPACE_MEM, 16, 0, 2, 0xfe000000 };
	f.dsdt = 0;
	e[0] = tb_fadt(&f, 244, 3);
	tb_rsdp_at(0xf0000, 2, 0, tb_root(true, e, 1));
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_int_equal(ai.rsdp, 0xf0000);
	assert_int_equal(ai.pm1a_cnt, 0x404);
	assert_log("X_PM1a_CNT_BLK 0x404 and PM1a_CNT_BLK 0x1004 differ");
	assert_int_equal(ai.pm1b_cnt, 0x2004);
	assert_true(ai.have_reset);
	assert_int_equal(ai.dsdt, dsdt);
	assert_int_equal(ai.facs, 0);
	assert_log("no usable MADT");
}

static void test_fadt_short(void **state)
{
	struct acpi_fadt f;
	paddr_t e[1];

	(void)state;
	tb_std_fadt(&f, 0, 0);
	f.dsdt = (uint32_t)tb_dsdt(tb_s5_aml, tb_s5_aml_len);
	/* 60 bytes: up to PM1b_EVT_BLK; no PM1 control, timer, flags */
	e[0] = tb_fadt(&f, 60, 1);
	tb_rsdp_at(0xf0000, 0, (uint32_t)tb_root(false, e, 1), 0);
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_log("FACP table at");
	assert_log("only 60 bytes (ACPI 1.0 has 116)");
	assert_true(ai.have_fadt);
	assert_int_equal(ai.sci_int, 9);
	assert_int_equal(ai.smi_cmd, 0xb2);
	assert_int_equal(ai.pm1a_cnt, 0);
	assert_int_equal(ai.pm_tmr_blk, 0);
	assert_false(ai.have_reset);
	assert_true(ai.have_s5);

	/* Header only: nothing at all, not even the DSDT. */
	reset();
	e[0] = tb_fadt(&f, 36, 1);
	tb_rsdp_at(0xf0000, 0, (uint32_t)tb_root(false, e, 1), 0);
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_true(ai.have_fadt);
	assert_int_equal(ai.sci_int, 0);
	assert_int_equal(ai.dsdt, 0);
	assert_log("FACP table at");
	assert_log("no DSDT address");
}

static void test_fadt_hw_reduced(void **state)
{
	struct acpi_fadt f;
	paddr_t e[1];

	(void)state;
	tb_std_fadt(&f, tb_dsdt(tb_s5_aml, tb_s5_aml_len), 0);
	f.flags |= ACPI_FADT_HW_REDUCED;
	e[0] = tb_fadt(&f, 276, 6);
	tb_rsdp_at(0xf0000, 2, 0, tb_root(true, e, 1));
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_true(ai.hw_reduced);
	assert_int_equal(ai.sci_int, 0);
	assert_int_equal(ai.pm1a_cnt, 0);
	assert_int_equal(ai.pm_tmr_blk, 0);
	assert_int_equal(ai.smi_cmd, 0);
	assert_true(ai.have_reset); /* the reset register is not fixed hardware */
	assert_true(ai.have_s5);
}

static void test_fadt_reset_and_timer_flags(void **state)
{
	struct acpi_fadt f;
	paddr_t e[1];

	(void)state;
	tb_std_fadt(&f, 0, 0);
	f.flags = 0;		    /* no RESET_REG_SUP, no TMR_VAL_EXT */
	f.pm_tmr_len = 0;	    /* and no timer in the legacy field either ... */
	f.x_pm_tmr_blk.address = 0; /* ... nor in the X_ one */
	e[0] = tb_fadt(&f, 276, 6);
	tb_rsdp_at(0xf0000, 2, 0, tb_root(true, e, 1));
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_false(ai.have_reset);
	assert_int_equal(ai.pm_tmr_blk, 0);
	assert_false(ai.pm_tmr_32bit);

	/* A reset register in an unusable address space */
	reset();
	tb_std_fadt(&f, 0, 0);
	f.reset_reg.space_id = 0x7f;
	e[0] = tb_fadt(&f, 276, 6);
	tb_rsdp_at(0xf0000, 2, 0, tb_root(true, e, 1));
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_false(ai.have_reset);
	assert_log("reset register (space 127, address 0xcf9) unusable");
}

static void test_fadt_x_dsdt_fallback(void **state)
{
	struct acpi_fadt f;
	paddr_t e[1], good, bad;

	(void)state;
	bad = tb_dsdt(tb_s5_aml, tb_s5_aml_len);
	tb_break(bad);
	good = tb_dsdt(tb_s5_aml, tb_s5_aml_len);
	tb_std_fadt(&f, bad, 0);
	f.dsdt = (uint32_t)good;
	e[0] = tb_fadt(&f, 276, 6);
	tb_rsdp_at(0xf0000, 2, 0, tb_root(true, e, 1));
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_log(LOGF("DSDT table at 0x%lx: bad checksum", (unsigned long)bad));
	assert_log("falling back to the 32-bit DSDT address");
	assert_int_equal(ai.dsdt, good);
	assert_true(ai.have_s5);
}

/* --------------------------------------------------------- RSDP finding */

static void test_search_bios_rom(void **state)
{
	struct tb_std s;

	(void)state;
	tb_std(&s);
	/* A decoy with the signature but a bad checksum comes first. */
	memcpy(tb_va(0xe0100), ACPI_RSDP_SIG, 8);
	tb_rsdp_at(0xe5a40, 2, (uint32_t)s.rsdt, s.xsdt);
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_int_equal(ai.rsdp, 0xe5a40);
	assert_std_madt();
}

static void test_search_ebda(void **state)
{
	struct tb_std s;
	uint16_t seg = 0x9fc0;

	(void)state;
	tb_std(&s);
	memcpy(tb_va(0x40e), &seg, 2);
	tb_rsdp_at(0x9fc00 + 0x3e0, 2, (uint32_t)s.rsdt, s.xsdt);
	tb_rsdp_at(0xfff00, 2, (uint32_t)s.rsdt, s.xsdt); /* the EBDA is searched first */
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_int_equal(ai.rsdp, 0x9fc00 + 0x3e0);
	assert_std_madt();

	/* Past the first KiB of the EBDA is not searched; the ROM copy is found. */
	reset();
	tb_std(&s);
	memcpy(tb_va(0x40e), &seg, 2);
	tb_rsdp_at(0x9fc00 + 0x400, 2, (uint32_t)s.rsdt, s.xsdt);
	tb_rsdp_at(0xfffe0, 0, (uint32_t)s.rsdt, 0); /* v1 in the last 16-byte slot that fits 20 bytes */
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_int_equal(ai.rsdp, 0xfffe0);
}

static void test_no_rsdp(void **state)
{
	uint16_t seg = 0xffff; /* junk EBDA pointer: ignored */

	(void)state;
	memcpy(tb_va(0x40e), &seg, 2);
	assert_int_equal(acpi_parse(0, &ai), -XEN_ENOENT);
	assert_log("<1>ACPI: no RSDP found");
	assert_int_equal(ai.nr_tables, 0);
	assert_int_equal(ai.nr_cpus, 0);
}

static void test_bad_hint_falls_back(void **state)
{
	struct tb_std s;

	(void)state;
	tb_std(&s);
	tb_rsdp_at(0xe0000, 2, (uint32_t)s.rsdt, s.xsdt);
	assert_int_equal(acpi_parse(s.xsdt, &ai), 0); /* not an RSDP */
	assert_log(LOGF("no valid RSDP at 0x%lx (no 'RSD PTR ' signature); searching", (unsigned long)s.xsdt));
	assert_int_equal(ai.rsdp, 0xe0000);

	harness_log_clear();
	assert_int_equal(acpi_parse(0x7fff0000, &ai), 0); /* outside memory */
	assert_log("no valid RSDP at 0x7fff0000 (not in readable memory)");
	assert_int_equal(ai.rsdp, 0xe0000);

	harness_log_clear();
	((uint8_t *)tb_va(s.rsdp))[8] ^= 1;
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	assert_log("(bad checksum); searching");
}

static void test_rsdp_copy(void **state)
{
	struct tb_std s;
	struct acpi_rsdp copy;

	(void)state;
	tb_std(&s);
	memcpy(&copy, tb_va(s.rsdp), sizeof(copy));
	assert_int_equal(acpi_parse_rsdp_copy(&copy, sizeof(copy), &ai), 0);
	assert_int_equal(ai.rsdp, 0);
	assert_string_equal(ai.tables[0].sig, "XSDT");
	assert_std_madt();
	assert_std_fadt(&s);

	/* multiboot2's "old RSDP" tag: 20 bytes of a v1 RSDP */
	tb_rsdp_at(0xe0000, 0, (uint32_t)s.rsdt, 0);
	memcpy(&copy, tb_va(0xe0000), ACPI_RSDP_V1_LEN);
	assert_int_equal(acpi_parse_rsdp_copy(&copy, ACPI_RSDP_V1_LEN, &ai), 0);
	assert_string_equal(ai.tables[0].sig, "RSDT");
	assert_std_madt();

	/* a v2 RSDP cut to 20 bytes: only the RSDT can be trusted */
	harness_log_clear();
	memcpy(&copy, tb_va(s.rsdp), sizeof(copy));
	assert_int_equal(acpi_parse_rsdp_copy(&copy, ACPI_RSDP_V1_LEN, &ai), 0);
	assert_log("RSDP revision 2 but only 20 bytes of it; using the RSDT");
	assert_string_equal(ai.tables[0].sig, "RSDT");
	assert_std_madt();

	harness_log_clear();
	assert_int_equal(acpi_parse_rsdp_copy(&copy, 19, &ai), -XEN_ENOENT);
	assert_log("RSDP copy (19 bytes) is unusable: too short");
	assert_int_equal(acpi_parse_rsdp_copy(NULL, 36, &ai), -XEN_ENOENT);
	copy.checksum ^= 0xff;
	assert_int_equal(acpi_parse_rsdp_copy(&copy, sizeof(copy), &ai), -XEN_ENOENT);
	assert_log("is unusable: bad checksum");
}

static void test_rsdp_v2_problems(void **state)
{
	struct tb_std s;
	struct acpi_rsdp *r;

	(void)state;
	tb_std(&s);
	r = tb_va(s.rsdp);
	r->ext_checksum += 0x10;
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	assert_log("RSDP extended checksum is bad (sum 0x10); using the RSDT");
	assert_string_equal(ai.tables[0].sig, "RSDT");
	assert_std_madt();

	/* The length is not covered by the v1 checksum: no fixing needed. */
	harness_log_clear();
	r->length = 5000;
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	assert_log("RSDP length 5000 is implausible");

	harness_log_clear();
	r->length = 40; /* longer than the 36 bytes allocated */
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	assert_log("RSDP length 40 is more than the 36 bytes available; using the RSDT");
	assert_std_madt();

	harness_log_clear();
	tb_rsdp_at(s.rsdp, 2, (uint32_t)s.rsdt, 0);
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	assert_log("RSDP revision 2 has no XSDT address; using the RSDT");
	assert_std_madt();
}

/* ------------------------------------------------------- broken root tables */

static void test_xsdt_bad_falls_back_to_rsdt(void **state)
{
	struct tb_std s;

	(void)state;
	tb_std(&s);
	tb_break(s.xsdt);
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	assert_log(LOGF("<2>ACPI: XSDT table at 0x%lx: bad checksum (sum 0x5a), ignored", (unsigned long)s.xsdt));
	assert_log(LOGF("XSDT unusable, falling back to the RSDT at 0x%lx", (unsigned long)s.rsdt));
	assert_string_equal(ai.tables[0].sig, "XSDT");
	assert_false(ai.tables[0].ok);
	assert_string_equal(ai.tables[1].sig, "RSDT");
	assert_true(ai.tables[1].ok);
	assert_std_madt();
	assert_std_fadt(&s);
}

static void test_xsdt_short_length(void **state)
{
	struct tb_std s;

	(void)state;
	tb_std(&s);
	tb_hdr(s.xsdt)->length = 12;
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	assert_log("XSDT table at");
	assert_log("length 12 is shorter than its header (36), ignored");
	assert_std_madt();

	/* both root tables bad: nothing, but still 0 (the RSDP was found) */
	harness_log_clear();
	tb_hdr(s.rsdt)->length = 0;
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	assert_log("RSDT table at");
	assert_log("<1>ACPI: no usable XSDT or RSDT: no ACPI tables");
	assert_false(ai.have_madt);
	assert_false(ai.have_fadt);
	assert_int_equal(ai.nr_tables, 2);
}

static void test_root_signature_mismatch(void **state)
{
	struct tb_std s;

	(void)state;
	tb_std(&s);
	tb_rsdp_at(s.rsdp, 2, (uint32_t)s.rsdt, s.madt); /* "XSDT" is the MADT */
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	assert_log("XSDT table at");
	assert_log("signature is 'APIC', ignored");
	assert_std_madt();
}

static void test_root_entries_odd(void **state)
{
	struct tb_std s;
	paddr_t e[7];

	(void)state;
	tb_std(&s);
	e[0] = 0; /* null */
	e[1] = s.madt;
	e[2] = s.madt;	   /* repeated */
	e[3] = 0x7fff0000; /* outside memory */
	e[4] = s.xsdt;	   /* a root table inside the root table */
	e[5] = s.fadt;
	e[6] = s.rsdp; /* not a table: "PTR " read as its length */
	s.xsdt = tb_root(true, e, 7);
	tb_rsdp_at(s.rsdp, 2, (uint32_t)s.rsdt, s.xsdt);
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	assert_log("entry 0 is null, skipped");
	assert_log(LOGF("entry 2 repeats the table at 0x%lx, skipped", (unsigned long)s.madt));
	assert_log("listed table at 0x7fff0000 is outside readable memory, ignored");
	assert_log("XSDT table at");
	assert_log("listed inside the root table, ignored");
	assert_log(LOGF("RSD  table at 0x%lx: length 542266448 is over the 16 MiB limit", (unsigned long)s.rsdp));
	assert_std_madt();
	assert_std_fadt(&s);
}

static void test_root_stray_bytes_and_caps(void **state)
{
	static paddr_t e[300];
	paddr_t x;
	unsigned int i;

	(void)state;
	for (i = 0; i < 300; i++)
		e[i] = tb_sdt("OEM1", 1, "x", 1);
	x = tb_root(true, e, 300);
	tb_rsdp_at(0xe0000, 2, 0, x);
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_log("300 entries, only the first 256 are used");
	assert_log("tables beyond the first 32 not listed");
	assert_int_equal(ai.nr_tables, ACPI_MAX_TABLES);
	assert_log("no usable MADT");

	/* 4 stray bytes after the last XSDT entry; 300 null entries are capped
	 * and their warnings too */
	reset();
	memset(e, 0, sizeof(e));
	x = tb_root(true, e, 300);
	tb_hdr(x)->length -= 4;
	tb_fix(x);
	tb_rsdp_at(0xe0000, 2, 0, x);
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_log("4 stray bytes after the last entry");
	assert_log("299 entries, only the first 256 are used");
	assert_log("entry 61 is null");
	assert_no_log("entry 62 is null");
	assert_log("more problems not shown");
}

/* ------------------------------------------------------ each table broken */

static void test_bad_checksum_each_table(void **state)
{
	static const char *const names[] = { "APIC", "HPET", "FACP", "DSDT" };
	unsigned int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		struct tb_std s;
		paddr_t bad;

		if (i)
			reset();
		tb_std(&s);
		bad = i == 0 ? s.madt : i == 1 ? s.hpet : i == 2 ? s.fadt : s.dsdt;
		tb_break(bad);
		assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
		assert_log(LOGF("<2>ACPI: %s table at 0x%lx: bad checksum (sum 0x5a), ignored", names[i],
				(unsigned long)bad));
		assert_false(find_table(names[i])->ok);
		/* everything else still parsed */
		if (i != 0)
			assert_std_madt();
		else
			assert_false(ai.have_madt);
		assert_int_equal(ai.have_hpet, i != 1);
		assert_int_equal(ai.have_fadt, i != 2);
		assert_int_equal(ai.have_s5, i != 2 && i != 3);
		if (i == 3)
			assert_int_equal(ai.dsdt, 0);
		if (i != 2)
			assert_int_equal(ai.pm1a_cnt, 0x604);
	}
}

static void test_table_lengths(void **state)
{
	struct tb_std s;

	(void)state;
	tb_std(&s);
	tb_hdr(s.madt)->length += 1; /* one byte into the red zone */
	tb_hdr(s.hpet)->length = 20 << 20;
	tb_hdr(s.dsdt)->length = 35;
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	assert_log(LOGF("APIC table at 0x%lx: length %u runs outside readable memory, ignored", (unsigned long)s.madt,
			tb_hdr(s.madt)->length));
	assert_log(LOGF("HPET table at 0x%lx: length 20971520 is over the 16 MiB limit", (unsigned long)s.hpet));
	assert_log(LOGF("DSDT table at 0x%lx: length 35 is shorter than its header", (unsigned long)s.dsdt));
	assert_false(ai.have_madt);
	assert_false(ai.have_hpet);
	assert_false(ai.have_s5);
	assert_true(ai.have_fadt);
	assert_int_equal(ai.sci_int, 9);
}

static void test_misaligned_tables(void **state)
{
	struct tb_std s;

	(void)state;
	tb_misalign(4); /* the MADT (first allocation) at a 4-byte boundary */
	tb_std(&s);
	assert_int_equal(s.madt & 7, 4);
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	assert_std_madt();
	assert_std_fadt(&s);
}

/* ------------------------------------------------------------------ MADT */

static paddr_t madt_only(const struct tb_madt *m)
{
	paddr_t e[1];

	e[0] = tb_madt_table(0xfee00000, 1, m);
	tb_rsdp_at(0xe0000, 2, 0, tb_root(true, e, 1));
	return e[0];
}

static void test_madt_zero_length_subtable(void **state)
{
	static struct tb_madt m;
	uint8_t zero[8] = { ACPI_MADT_LAPIC, 0, 5, 5, 1, 0, 0, 0 };
	paddr_t madt;

	(void)state;
	m.len = 0;
	tb_madt_lapic(&m, 0, 0, 1);
	tb_madt_bytes(&m, zero, sizeof(zero));
	tb_madt_lapic(&m, 1, 1, 1);
	madt = madt_only(&m);
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_log(LOGF("APIC table at 0x%lx: subtable at offset 52 has length 0, stopping", (unsigned long)madt));
	assert_int_equal(ai.nr_cpus, 1);
	assert_true(ai.have_madt);
}

static void test_madt_subtable_past_end(void **state)
{
	static struct tb_madt m;
	uint8_t longer[4] = { ACPI_MADT_X2APIC, 16, 0, 0 };
	paddr_t madt;

	(void)state;
	m.len = 0;
	tb_madt_lapic(&m, 0, 0, 1);
	tb_madt_bytes(&m, longer, sizeof(longer)); /* claims 16, 4 are left */
	madt = madt_only(&m);
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_log(LOGF("APIC table at 0x%lx: type 9 subtable at offset 52 (16 bytes) runs past the end of the "
			"table (56 bytes), stopping",
			(unsigned long)madt));
	assert_int_equal(ai.nr_cpus, 1);

	/* a single stray byte at the end */
	reset();
	m.len = 0;
	tb_madt_lapic(&m, 0, 0, 1);
	tb_madt_bytes(&m, longer, 1);
	madt_only(&m);
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_log("stray byte at offset 52");
	assert_int_equal(ai.nr_cpus, 1);
}

static void test_madt_short_and_odd_entries(void **state)
{
	static struct tb_madt m;
	uint8_t short_x2[8] = { ACPI_MADT_X2APIC, 8, 0, 0, 7, 0, 0, 0 };
	uint8_t nmi[6] = { ACPI_MADT_LAPIC_NMI, 6, 0xff, 5, 0, 1 };
	uint8_t long_lapic[12] = { ACPI_MADT_LAPIC, 12, 9, 9, 1, 0, 0, 0, 0xee, 0xee, 0xee, 0xee };

	(void)state;
	m.len = 0;
	tb_madt_bytes(&m, short_x2, sizeof(short_x2)); /* too short for its type: skipped */
	tb_madt_bytes(&m, nmi, sizeof(nmi));	       /* not ours: skipped quietly */
	tb_madt_lapic(&m, 0, 0xff, 1);		       /* broadcast ID: not a CPU */
	tb_madt_x2apic(&m, 1, 0xffffffff, 1);	       /* same for x2APIC */
	tb_madt_lapic(&m, 2, 4, 1);
	tb_madt_x2apic(&m, 3, 4, 1);			   /* duplicate APIC ID */
	tb_madt_bytes(&m, long_lapic, sizeof(long_lapic)); /* longer than we know: fine */
	tb_madt_lapic_override(&m, 0xfee10000);
	tb_madt_lapic_override(&m, 0xfee20000);
	madt_only(&m);
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_log("type 9 subtable at offset 44 is 8 bytes, needs 16; skipped");
	assert_log("APIC ID 0x4 listed twice");
	assert_log("a second local APIC address override, ignored");
	assert_int_equal(ai.nr_cpus, 2);
	assert_int_equal(ai.cpus[0].apic_id, 4);
	assert_int_equal(ai.cpus[0].acpi_uid, 2);
	assert_int_equal(ai.cpus[1].apic_id, 9);
	assert_int_equal(ai.lapic_base, 0xfee10000);
}

static void test_madt_too_many(void **state)
{
	static struct tb_madt m;
	unsigned int i;

	(void)state;
	m.len = 0;
	for (i = 0; i < 300; i++)
		tb_madt_x2apic(&m, i, i, i % 2 ? ACPI_MADT_ENABLED : ACPI_MADT_ONLINE_CAPABLE);
	for (i = 0; i < 10; i++)
		tb_madt_ioapic(&m, (uint8_t)i, 0xfec00000 + i * 0x1000, i * 24);
	madt_only(&m);
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_int_equal(ai.nr_cpus, NR_CPUS_ACPI);
	assert_int_equal(ai.nr_cpus_dropped, 44);
	assert_int_equal(ai.cpus[255].apic_id, 255);
	assert_log("APIC table lists 44 usable CPUs beyond the 256 supported");
	assert_int_equal(ai.nr_ioapics, ACPI_MAX_IOAPICS);
	assert_int_equal(ai.ioapics[7].gsi_base, 7 * 24);
	assert_log("lists 2 IO-APICs beyond the 8 supported");
}

static void test_duplicate_madt_and_hpet(void **state)
{
	struct tb_std s;
	static struct tb_madt m;
	struct acpi_fadt f;
	paddr_t e[5];

	(void)state;
	tb_std(&s);
	m.len = 0;
	tb_madt_lapic(&m, 0, 7, 1);
	e[0] = s.madt;
	e[1] = tb_madt_table(0xfee00000, 0, &m);
	e[2] = s.hpet;
	e[3] = tb_hpet(ACPI_SPACE_MEM, 0xfed01000, 1);
	e[4] = s.fadt;
	tb_rsdp_at(s.rsdp, 2, 0, tb_root(true, e, 5));
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	assert_log(LOGF("APIC table at 0x%lx: a second MADT, ignored", (unsigned long)e[1]));
	assert_log("another HPET block, not used");
	assert_std_madt();
	assert_int_equal(ai.hpet_base, 0xfed00000);

	/* a second FADT */
	harness_log_clear();
	tb_std_fadt(&f, s.dsdt, s.facs);
	e[0] = tb_fadt(&f, 276, 6);
	tb_rsdp_at(s.rsdp, 2, 0, tb_root(true, e, 5));
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	assert_log("a second FADT, ignored");
}

static void test_short_madt(void **state)
{
	paddr_t e[1];
	uint32_t lapic = 0xfee00000;

	(void)state;
	e[0] = tb_sdt("APIC", 5, &lapic, 4); /* 40 bytes: no flags field */
	tb_rsdp_at(0xe0000, 2, 0, tb_root(true, e, 1));
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_log("length 40 is too short for its fixed fields");
	assert_false(ai.have_madt);
}

/* ------------------------------------------------------------------ HPET */

static void test_hpet_problems(void **state)
{
	paddr_t e[3];
	uint8_t shortbody[10] = { 0 };

	(void)state;
	e[0] = tb_hpet(ACPI_SPACE_IO, 0xfed00000, 0);
	e[1] = tb_hpet(ACPI_SPACE_MEM, 0, 0);
	e[2] = tb_sdt("HPET", 1, shortbody, sizeof(shortbody));
	tb_rsdp_at(0xe0000, 2, 0, tb_root(true, e, 3));
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_log(LOGF("HPET table at 0x%lx: base address is in address space 1, not system memory; ignored",
			(unsigned long)e[0]));
	assert_log(LOGF("HPET table at 0x%lx: base address is 0, ignored", (unsigned long)e[1]));
	assert_log(LOGF("HPET table at 0x%lx: length 46 is too short (needs 56), ignored", (unsigned long)e[2]));
	assert_false(ai.have_hpet);

	/* a good one after bad ones is used */
	reset();
	e[0] = tb_hpet(ACPI_SPACE_IO, 0xfed00000, 0);
	e[1] = tb_hpet(ACPI_SPACE_MEM, 0xfed00000, 3);
	tb_rsdp_at(0xe0000, 2, 0, tb_root(true, e, 2));
	assert_int_equal(acpi_parse(0, &ai), 0);
	assert_true(ai.have_hpet);
	assert_int_equal(ai.hpet_number, 3);
}

/* --------------------------------------------------------------- \_S5_ */

/* Parse a table set whose DSDT holds 'aml'. */
static void parse_with_dsdt(const uint8_t *aml, size_t n)
{
	struct acpi_fadt f;
	paddr_t e[1];

	tb_std_fadt(&f, tb_dsdt(aml, n), 0);
	e[0] = tb_fadt(&f, 276, 6);
	tb_rsdp_at(0xe0000, 2, 0, tb_root(true, e, 1));
	assert_int_equal(acpi_parse(0, &ai), 0);
}

static void test_s5_encodings(void **state)
{
	/* \_S5_ with the root prefix, ZeroOp/OneOp elements */
	static const uint8_t root[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x01, 0x00, 0x00, 0x00 };
	/* two-byte PkgLength (0x4b 0x00 = 11), WordPrefix and DWordPrefix */
	static const uint8_t pkglen2[] = { 0x08, '_',  'S',  '5',  '_',	 0x12, 0x4b, 0x00, 0x02,
					   0x0b, 0x03, 0x00, 0x0c, 0x06, 0x00, 0x00, 0x00 };
	/* four-byte PkgLength (0xc0 0x01 0x00 0x00 = 16), QWordPrefix, ByteConst */
	static const uint8_t pkglen4[] = { 0x08, '_', 'S', '5', '_', 0x12, 0xc0, 0x01, 0x00, 0x00, 0x02, 0x0e,
					   0x02, 0,   0,   0,	0,   0,	   0,	 0,    0x0a, 0x04, 0xa3 };
	/* an out-of-range value (OnesOp) is cut to 3 bits */
	static const uint8_t ones[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0xff, 0x00 };

	(void)state;
	parse_with_dsdt(root, sizeof(root));
	assert_true(ai.have_s5);
	assert_int_equal(ai.slp_typa, 1);
	assert_int_equal(ai.slp_typb, 0);

	reset();
	parse_with_dsdt(pkglen2, sizeof(pkglen2));
	assert_true(ai.have_s5);
	assert_int_equal(ai.slp_typa, 3);
	assert_int_equal(ai.slp_typb, 6);

	reset();
	parse_with_dsdt(pkglen4, sizeof(pkglen4));
	assert_true(ai.have_s5);
	assert_int_equal(ai.slp_typa, 2);
	assert_int_equal(ai.slp_typb, 4);

	reset();
	parse_with_dsdt(ones, sizeof(ones));
	assert_true(ai.have_s5);
	assert_int_equal(ai.slp_typa, 7);
	assert_int_equal(ai.slp_typb, 0);
	assert_log("\\_S5_ value over 7, cut to 3 bits");
}

static void test_s5_broken(void **state)
{
	/* PkgLength claims more than the table holds */
	static const uint8_t past[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x3f, 0x02, 0x0a, 0x05, 0x0a, 0x05 };
	/* one element only */
	static const uint8_t one[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0a, 0x05 };
	/* elements past the package's own end (package says 3 bytes) */
	static const uint8_t inner[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x0a, 0x05, 0x0a, 0x05 };
	/* a method call as an element */
	static const uint8_t method[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 'S', 'L', 'P', 'A' };
	/* name at the very end of the table */
	static const uint8_t end[] = { 0x08, '_', 'S', '5', '_' };
	/* only references, no definition */
	static const uint8_t none[] = { 0x70, '_', 'S', '5', '_', 0x60, 0x5c, '_', 'S', '5', '_' };
	/* a broken definition, then a good one: the good one wins */
	static const uint8_t second[] = { 0x08, '_', 'S', '5', '_',  0x12, 0x04, 0x01, 0x0a, 0x05, 0x08,
					  '_',	'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x05, 0x01 };
	static const struct {
		const uint8_t *aml;
		size_t n;
		const char *why;
	} cases[] = {
		{ past, sizeof(past), "package length runs past the end of the table" },
		{ one, sizeof(one), "package has fewer than two elements" },
		{ inner, sizeof(inner), "not integer constants inside the package" },
		{ method, sizeof(method), "not integer constants" },
		{ end, sizeof(end), "not followed by a package" },
		{ none, sizeof(none), "DSDT has no \\_S5_ package" },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (i)
			reset();
		parse_with_dsdt(cases[i].aml, cases[i].n);
		assert_false(ai.have_s5);
		assert_true(ai.dsdt != 0);
		assert_log(cases[i].why);
		if (i < 5)
			assert_log("\\_S5_ at offset 37");
	}
	reset();
	parse_with_dsdt(second, sizeof(second));
	assert_true(ai.have_s5);
	assert_int_equal(ai.slp_typa, 5);
	assert_int_equal(ai.slp_typb, 1);
}

/* The scanner alone, on heap buffers of exact size: ASan sees any over-read. */
static void test_s5_scanner_bounds(void **state)
{
	static const uint8_t good[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a, 0x05, 0x0a, 0x07, 0, 0 };
	struct acpi_s5 r;
	size_t cut;

	(void)state;
	/* every truncation of a good definition: never a read past the end */
	for (cut = 0; cut <= sizeof(good); cut++) {
		uint8_t *t = malloc(36 + cut);
		int rc;

		assert_non_null(t);
		memset(t, 0, 36);
		memcpy(t + 36, good, cut);
		rc = acpi_aml_find_s5(t, (uint32_t)(36 + cut), &r);
		if (cut >= 12) {
			assert_int_equal(rc, 0);
			assert_int_equal(r.slp_typa, 5);
			assert_int_equal(r.slp_typb, 7);
		} else {
			assert_true(rc < 0);
		}
		free(t);
	}
}

/* ------------------------------------------------------------------ dump */

static void test_dump(void **state)
{
	struct tb_std s;

	(void)state;
	tb_std(&s);
	tb_break(s.hpet);
	assert_int_equal(acpi_parse(s.rsdp, &ai), 0);
	harness_log_clear();
	acpi_dump(&ai);
	assert_log(LOGF("ACPI: RSDP 0x%08lx revision 2 OEM 'BASALT'", (unsigned long)s.rsdp));
	assert_log(LOGF("ACPI: XSDT 0x%08lx      60", (unsigned long)s.xsdt));
	assert_log(LOGF("ACPI: HPET 0x%08lx      56 BAD, ignored", (unsigned long)s.hpet));
	assert_log("ACPI: 4 CPUs (3 enabled, 1 online capable), 0 dropped");
	assert_log("ACPI:  APIC IDs: 0 1 2+ 256x");
	assert_log("ACPI: IO-APIC id 2 at 0xfec00000, GSI base 0");
	assert_log("ACPI: SCI 9, SMI port 0xb2 (enable 0xf1), PM1a_CNT 0x604, PM1b_CNT 0x0, PM timer 0x608 (32-bit)");
	assert_log("ACPI: reset register: space 1, address 0xcf9, width 8, value 0x6");
	assert_log("ACPI: \\_S5_: SLP_TYPa 5, SLP_TYPb 7");
	assert_no_log("ACPI: HPET 0 at");

	/* a full CPU list wraps over several lines */
	{
		static struct tb_madt m;
		unsigned int i;

		reset();
		m.len = 0;
		for (i = 0; i < 256; i++)
			tb_madt_x2apic(&m, i, 1000 + i, 1);
		madt_only(&m);
		assert_int_equal(acpi_parse(0, &ai), 0);
		harness_log_clear();
		acpi_dump(&ai);
		assert_log("ACPI: 256 CPUs (256 enabled, 0 online capable), 0 dropped");
		assert_log(" 1255x\n");
		assert_log("ACPI: RSDP 0x000e0000");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_v2_xsdt_full),
		T(test_v1_rsdt_acpi1_fadt),
		T(test_fadt_v2_244),
		T(test_fadt_short),
		T(test_fadt_hw_reduced),
		T(test_fadt_reset_and_timer_flags),
		T(test_fadt_x_dsdt_fallback),
		T(test_search_bios_rom),
		T(test_search_ebda),
		T(test_no_rsdp),
		T(test_bad_hint_falls_back),
		T(test_rsdp_copy),
		T(test_rsdp_v2_problems),
		T(test_xsdt_bad_falls_back_to_rsdt),
		T(test_xsdt_short_length),
		T(test_root_signature_mismatch),
		T(test_root_entries_odd),
		T(test_root_stray_bytes_and_caps),
		T(test_bad_checksum_each_table),
		T(test_table_lengths),
		T(test_misaligned_tables),
		T(test_madt_zero_length_subtable),
		T(test_madt_subtable_past_end),
		T(test_madt_short_and_odd_entries),
		T(test_madt_too_many),
		T(test_duplicate_madt_and_hpet),
		T(test_short_madt),
		T(test_hpet_problems),
		T(test_s5_encodings),
		T(test_s5_broken),
		T(test_s5_scanner_bounds),
		T(test_dump),
#undef T
	};

	return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
