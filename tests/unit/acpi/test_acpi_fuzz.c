/*
 * Randomized tests for the ACPI table parser: mutations of a valid table set
 * (bytes, lengths, pointers, MADT subtable headers, AML opcodes), with the
 * checksums usually fixed up afterwards so the mutations reach the parsers
 * behind the checks. Each table's memory past its (mutated) length is
 * poisoned, so ASan reports any read beyond what the table claims; UBSan
 * watches the arithmetic. The parser must never crash, hang, or produce an
 * inconsistent struct acpi_info.
 *
 * ACPI_FUZZ_SEED and ACPI_FUZZ_ITERS (a multiplier) in the environment
 * reproduce or lengthen a run.
 */
#include "builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "fuzzrand.h"

#define BIOS_RSDP 0xe0000u
#define MUTATE_ITERS 3000
#define RANDOM_ITERS 1000
#define AML_ITERS 20000

static struct acpi_info ai;
static void seed_rng(const char *test)
{
	fuzzrand_seed("ACPI_FUZZ", test, 0x5eed1234abcdULL);
}

/* The regions that may be mutated: every allocation plus the BIOS RSDP. */
struct region {
	paddr_t pa;
	uint32_t len;
	bool sdt;
	uint8_t *saved;
};
static struct region regions[TB_MAX_ALLOCS + 1];
static unsigned int nr_regions;
static struct tb_std std;

static int setup(void **state)
{
	unsigned int i;

	(void)state;
	tb_setup();
	tb_std(&std);
	tb_rsdp_at(BIOS_RSDP, 2, (uint32_t)std.rsdt, std.xsdt);
	nr_regions = 0;
	for (i = 0; i < tb_nr_allocs; i++)
		regions[nr_regions++] = (struct region){ tb_allocs[i].pa, tb_allocs[i].len, tb_allocs[i].sdt, NULL };
	regions[nr_regions++] = (struct region){ BIOS_RSDP, sizeof(struct acpi_rsdp), false, NULL };
	for (i = 0; i < nr_regions; i++) {
		regions[i].saved = malloc(regions[i].len);
		assert_non_null(regions[i].saved);
		memcpy(regions[i].saved, tb_va(regions[i].pa), regions[i].len);
	}
	return 0;
}

static int teardown(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < nr_regions; i++)
		free(regions[i].saved);
	nr_regions = 0;
	tb_teardown();
	return 0;
}

static void restore(void)
{
	unsigned int i;

	for (i = 0; i < nr_regions; i++) {
		tb_unpoison(regions[i].pa, regions[i].len);
		memcpy(tb_va(regions[i].pa), regions[i].saved, regions[i].len);
	}
}

static uint32_t interesting32(void)
{
	static const uint32_t v[] = { 0,      1,       2,	   4,	       0x7f,	   0x80,     0xff, 35,
				      36,     37,      43,	   44,	       45,	   116,	     244,  276,
				      0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 16u << 20 };
	const struct region *r = &regions[below(nr_regions)];

	switch (below(4)) {
	case 0:
		return (uint32_t)r->pa + below(r->len + 8); /* into (or just past) a table */
	case 1:
		return r->len + below(9) - 4;
	case 2:
		return (uint32_t)rnd();
	default:
		return v[below(ARRAY_SIZE(v))];
	}
}

static void put(uint8_t *p, uint32_t room, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes && i < room; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Point at a random MADT subtable header (walking the intact chain). */
static uint8_t *madt_subtable(void)
{
	uint8_t *t = tb_va(std.madt);
	uint32_t len = tb_hdr(std.madt)->length, off = 44, n = 0, pick;
	uint32_t alloc = 0;
	unsigned int i;

	for (i = 0; i < nr_regions; i++)
		if (regions[i].pa == std.madt)
			alloc = regions[i].len;
	if (len > alloc)
		len = alloc;
	pick = below(8);
	while (off + 2 <= len && t[off + 1] >= 2 && n < pick) {
		off += t[off + 1];
		n++;
	}
	return off + 2 <= len ? t + off : NULL;
}

static void mutate_once(void)
{
	struct region *r = &regions[below(nr_regions)];
	uint8_t *p = tb_va(r->pa), *s;
	static const uint8_t aml_ops[] = { 0x00, 0x01, 0x08, 0x0a, 0x0b, 0x0c, 0x0e, 0x12, 0x5c, 0xff,
					   0x3f, 0x40, 0x4f, 0x80, 0xbf, 0xc0, 0xff, '_',  'S',	 '5' };
	uint32_t off = below(r->len);

	switch (below(9)) {
	case 0:
		p[off] = (uint8_t)rnd();
		break;
	case 1:
		p[off] ^= (uint8_t)(1u << below(8));
		break;
	case 2:
		put(p + off, r->len - off, interesting32(), 4);
		break;
	case 3:
		put(p + off, r->len - off, (uint64_t)interesting32() | (below(4) ? 0 : rnd() << 32), 8);
		break;
	case 4: /* an SDT's length */
		if (r->sdt)
			put(p + 4, r->len - 4, interesting32(), 4);
		break;
	case 5: /* an MADT subtable's type or length */
		s = madt_subtable();
		if (s)
			s[below(2)] = below(2) ? (uint8_t)below(20) : (uint8_t)rnd();
		break;
	case 6: /* AML opcodes into the DSDT */
		p = tb_va(std.dsdt);
		p[36 + below(tb_s5_aml_len)] = aml_ops[below(ARRAY_SIZE(aml_ops))];
		break;
	case 7: /* FADT pointers and flags */
		p = tb_va(std.fadt);
		put(p + (below(2) ? 112 : 140), 8, below(2) ? interesting32() : rnd(), below(2) ? 4 : 8);
		break;
	default: /* root table entries */
		p = tb_va(below(2) ? std.xsdt : std.rsdt);
		put(p + 36 + below(8), 4, interesting32(), 4); /* the RSDT has 12 bytes of entries */
		break;
	}
}

/* Recompute checksums where the (mutated) length allows, then poison every
 * table past what its header claims. */
static void fix_and_poison(bool fix)
{
	unsigned int i;

	for (i = 0; i < nr_regions; i++) {
		const struct region *r = &regions[i];
		uint32_t claimed, cut;

		if (!r->sdt)
			continue;
		claimed = tb_hdr(r->pa)->length;
		if (fix && claimed >= sizeof(struct acpi_table_header) && claimed <= r->len)
			tb_fix(r->pa);
		cut = MAX(claimed, (uint32_t)sizeof(struct acpi_table_header));
		if (cut < r->len)
			tb_poison(r->pa + cut, r->len - cut);
	}
	if (fix) {
		struct acpi_rsdp *rs = tb_va(BIOS_RSDP);

		if (rs->revision >= 2 && rs->length > offsetof(struct acpi_rsdp, ext_checksum) &&
		    rs->length <= sizeof(*rs)) {
			tb_rsdp_fix(BIOS_RSDP);
		} else {
			rs->checksum = 0;
			rs->checksum = (uint8_t)-acpi_checksum(rs, ACPI_RSDP_V1_LEN);
		}
	}
}

static void check_invariants(void)
{
	unsigned int i;

	assert_true(ai.nr_cpus <= NR_CPUS_ACPI);
	assert_true(ai.nr_ioapics <= ACPI_MAX_IOAPICS);
	assert_true(ai.nr_tables <= ACPI_MAX_TABLES);
	assert_int_equal(ai.oem_id[6], '\0');
	for (i = 0; i < ai.nr_tables; i++) {
		assert_int_equal(strlen(ai.tables[i].sig), 4);
	}
	for (i = 0; i < ai.nr_cpus; i++) {
		assert_true(ai.cpus[i].enabled != ai.cpus[i].online_capable);
	}
	if (ai.have_s5) {
		assert_true(ai.slp_typa <= 7 && ai.slp_typb <= 7);
		assert_true(ai.dsdt != 0);
	}
	if (ai.pm_tmr_32bit)
		assert_true(ai.pm_tmr_blk != 0);
	if (ai.hw_reduced)
		assert_true(ai.pm1a_cnt == 0 && ai.pm_tmr_blk == 0 && ai.sci_int == 0);
}

/* Parse one way or another, check, dump. */
static void parse_some_way(void)
{
	uint8_t *copy;
	size_t n;
	int rc;

	switch (below(3)) {
	case 0:
		rc = acpi_parse(0, &ai);
		break;
	case 1:
		rc = acpi_parse(std.rsdp, &ai);
		break;
	default:
		/* a copy of exact size on the heap: ASan sees any over-read */
		n = below(sizeof(struct acpi_rsdp) + 1);
		copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, tb_va(BIOS_RSDP), n);
		rc = acpi_parse_rsdp_copy(copy, n, &ai);
		free(copy);
		break;
	}
	assert_true(rc == 0 || rc == -XEN_ENOENT);
	check_invariants();
	acpi_dump(&ai);
}

static void test_mutations(void **state)
{
	unsigned int it, n, parsed_s5 = 0, parsed_cpus = 0;

	(void)state;
	seed_rng("acpi_fuzz mutations");
	for (it = 0; it < MUTATE_ITERS * iter_scale; it++) {
		restore();
		for (n = 1 + below(6); n; n--)
			mutate_once();
		fix_and_poison(below(8) != 0);
		harness_log_clear();
		parse_some_way();
		parsed_s5 += ai.have_s5;
		parsed_cpus += ai.nr_cpus > 0;
	}
	/* The mutations must not all be stopped at the door by checksums. */
	assert_true(parsed_s5 > MUTATE_ITERS * iter_scale / 10);
	assert_true(parsed_cpus > MUTATE_ITERS * iter_scale / 10);
	restore();
}

/* Table bodies replaced by random bytes, signatures kept, checksums right. */
static void test_random_bodies(void **state)
{
	unsigned int it, i, j;

	(void)state;
	seed_rng("acpi_fuzz random bodies");
	for (it = 0; it < RANDOM_ITERS * iter_scale; it++) {
		restore();
		for (i = 0; i < nr_regions; i++) {
			struct region *r = &regions[i];
			uint8_t *p = tb_va(r->pa);
			uint32_t from = r->sdt ? sizeof(struct acpi_table_header) : 0;

			if (!r->sdt || below(3) == 0)
				continue;
			for (j = from; j < r->len; j++)
				p[j] = (uint8_t)rnd();
			if (below(4) == 0)
				put(p + 4, 4, r->len - below(r->len), 4);
		}
		fix_and_poison(true);
		harness_log_clear();
		parse_some_way();
	}
	restore();
}

/* The AML scanner on random byte code with \_S5_ pieces planted, each
 * buffer exactly as long as the table. */
static void test_random_aml(void **state)
{
	static const uint8_t pieces[][6] = {
		{ 0x08, '_', 'S', '5', '_', 0x12 },	{ 0x08, 0x5c, '_', 'S', '5', '_' },
		{ 0x0a, 0x05, 0x0b, 0x01, 0, 0x0c },	{ 0x12, 0x40, 0x00, 0x02, 0x0e, 0 },
		{ 0x12, 0xff, 0xff, 0xff, 0xff, 0x04 },
	};
	unsigned int it, j, found = 0;

	(void)state;
	seed_rng("acpi_fuzz aml");
	for (it = 0; it < AML_ITERS * iter_scale; it++) {
		uint32_t len = 36 + below(64);
		uint8_t *t = malloc(len);
		struct acpi_s5 r;
		int rc;

		assert_non_null(t);
		for (j = 0; j < len; j++)
			t[j] = below(3) ? (uint8_t)below(16) : (uint8_t)rnd();
		for (j = below(4); j; j--) {
			uint32_t at = 36 + below(len - 36);
			const uint8_t *pc = pieces[below(ARRAY_SIZE(pieces))];

			memcpy(t + at, pc, MIN(6u, len - at));
		}
		rc = acpi_aml_find_s5(t, len, &r);
		assert_true(rc == 0 || rc == -XEN_ENOENT || rc == -XEN_EINVAL);
		if (rc == 0) {
			assert_true(r.slp_typa <= 7 && r.slp_typb <= 7);
			found++;
		} else if (rc == -XEN_EINVAL) {
			assert_non_null(r.why);
		}
		free(t);
	}
	assert_true(found > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mutations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_bodies, setup, teardown),
		cmocka_unit_test(test_random_aml),
	};

	return cmocka_run_group_tests_name("acpi_fuzz", tests, NULL, NULL);
}
