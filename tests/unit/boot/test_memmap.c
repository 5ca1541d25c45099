/* Unit tests: boot memory map sanitising and module checks (common/memmap.c). */
#include "harness.h"

#include <string.h>

#include <hv/bootinfo.h>

static struct boot_info bi;

static void reset(void)
{
	memset(&bi, 0, sizeof(bi));
	harness_log_clear();
}

static void add(uint64_t addr, uint64_t size, uint32_t type)
{
	bi.mem[bi.nr_mem++] = (struct boot_mem_region){ addr, size, type };
}

static void expect(unsigned int i, uint64_t addr, uint64_t size, uint32_t type)
{
	assert_true(i < bi.nr_mem);
	assert_int_equal(bi.mem[i].addr, addr);
	assert_int_equal(bi.mem[i].size, size);
	assert_int_equal(bi.mem[i].type, type);
}

static void test_sorted_untouched(void **state)
{
	reset();
	add(0x100000, 0x7ff00000, E820_RAM);
	add(0, 0x9fc00, E820_RAM);
	add(0xf0000, 0x10000, E820_RESERVED);
	memmap_sanitize(&bi);
	assert_int_equal(bi.nr_mem, 3);
	expect(0, 0, 0x9fc00, E820_RAM);
	expect(1, 0xf0000, 0x10000, E820_RESERVED);
	expect(2, 0x100000, 0x7ff00000, E820_RAM);
	assert_false(harness_log_has("overlaps"));
}

static void test_overlap_reserved_wins(void **state)
{
	reset();
	add(0x100000, 0x1000000, E820_RAM);	/* 1 MiB - 17 MiB */
	add(0x800000, 0x200000, E820_RESERVED); /* 8 - 10 MiB inside it */
	memmap_sanitize(&bi);
	assert_int_equal(bi.nr_mem, 3);
	expect(0, 0x100000, 0x700000, E820_RAM);
	expect(1, 0x800000, 0x200000, E820_RESERVED);
	expect(2, 0xa00000, 0x700000, E820_RAM);
	assert_true(harness_log_has("overlaps"));
	assert_true(harness_log_has("treated as reserved"));
}

static void test_adjacent_ram_merges(void **state)
{
	reset();
	add(0x200000, 0x100000, E820_RAM);
	add(0x100000, 0x100000, E820_RAM);
	add(0x180000, 0x100000, E820_RAM); /* overlaps both */
	memmap_sanitize(&bi);
	assert_int_equal(bi.nr_mem, 1);
	expect(0, 0x100000, 0x200000, E820_RAM);
}

static void test_zero_and_wrapping_dropped(void **state)
{
	reset();
	add(0x100000, 0, E820_RAM);
	add(0xfffffffffffff000ULL, 0x2000, E820_RAM);
	add(0x1000, 0x1000, E820_ACPI);
	memmap_sanitize(&bi);
	assert_int_equal(bi.nr_mem, 1);
	expect(0, 0x1000, 0x1000, E820_ACPI);
	assert_true(harness_log_has("zero-length RAM entry"));
	assert_true(harness_log_has("wraps around"));
}

static void test_many_random_regions_never_overlap(void **state)
{
	unsigned int seed = 12345;

	for (int round = 0; round < 200; round++) {
		reset();
		for (int i = 0; i < 40; i++) {
			seed = seed * 1103515245 + 12345;
			uint64_t a = (seed >> 8) % 0x10000 * 0x1000;
			seed = seed * 1103515245 + 12345;
			uint64_t sz = (seed >> 8) % 0x800 * 0x1000;
			add(a, sz, 1 + (seed >> 4) % 5);
		}
		memmap_sanitize(&bi);
		for (unsigned int i = 0; i + 1 < bi.nr_mem; i++) {
			assert_true(bi.mem[i].size > 0);
			assert_true(bi.mem[i].addr + bi.mem[i].size <= bi.mem[i + 1].addr);
		}
	}
}

static void test_modules(void **state)
{
	reset();
	add(0, 0x80000000, E820_RAM);
	bi.nr_modules = 5;
	bi.modules[0] = (struct boot_module){ 1, 0x1000000, 0x1000, "good" };
	bi.modules[1] = (struct boot_module){ 2, 0x2000000, 0, "empty" };
	bi.modules[2] = (struct boot_module){ 3, 0x200000, 0x1000, "on image" };
	bi.modules[3] = (struct boot_module){ 4, 0x3000000, 0x2000, "a" };
	bi.modules[4] = (struct boot_module){ 5, 0x3001000, 0x2000, "b" };
	modules_check(&bi, 0x200000, 0x300000);
	assert_int_equal(bi.nr_modules, 1);
	assert_string_equal(bi.modules[0].cmdline, "good");
	assert_int_equal(bi.modules[0].number, 1);
	assert_true(harness_log_has("module 2 (\"empty\") is empty (zero length), ignored"));
	assert_true(harness_log_has("module 3 (\"on image\") at [0x200000-0x201000) overlaps the hypervisor image"));
	assert_true(harness_log_has("modules 4 and 5 overlap"));
}

static void test_module_outside_ram(void **state)
{
	reset();
	add(0, 0x1000000, E820_RAM);
	bi.nr_modules = 1;
	bi.modules[0] = (struct boot_module){ 1, 0x0ff0000, 0x20000, "straddles" };
	modules_check(&bi, 0x200000, 0x300000);
	assert_int_equal(bi.nr_modules, 0);
	assert_true(harness_log_has("is not in RAM"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_untouched),
		cmocka_unit_test(test_overlap_reserved_wins),
		cmocka_unit_test(test_adjacent_ram_merges),
		cmocka_unit_test(test_zero_and_wrapping_dropped),
		cmocka_unit_test(test_many_random_regions_never_overlap),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_module_outside_ram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
