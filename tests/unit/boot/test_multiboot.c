/*
 * Unit tests: multiboot1/multiboot2 information parsing (arch/x86/multiboot.c)
 * with well-formed and malformed information. The parser reads loader data
 * by physical address below 4 GiB (1:1 mapped at boot), so the test maps a
 * scratch area at a fixed low address of its own and builds the structures
 * there.
 */
#include "harness.h"

#include <string.h>
#include <sys/mman.h>

#include <hv/bootinfo.h>
#include <hv/errno.h>

#define AREA ((uintptr_t)0x30000000)
#define AREA_SIZE (1u << 20)
#define MB1_MAGIC 0x2BADB002
#define MB2_MAGIC 0x36d76289

static uint8_t *area;
static struct boot_info bi;

static int setup(void **state)
{
	void *p = mmap((void *)AREA, AREA_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != (void *)AREA)
		return -1;
	area = p;
	return 0;
}

static int teardown(void **state)
{
	munmap(area, AREA_SIZE);
	return 0;
}

static void reset(void)
{
	memset(area, 0, AREA_SIZE);
	memset(&bi, 0, sizeof(bi));
	harness_log_clear();
}

static uint32_t pa(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

/* multiboot1: info at +0, mmap at +0x100, modules at +0x200, strings at +0x400 */
struct mb1_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr, syms[4];
	uint32_t mmap_length, mmap_addr, drives_length, drives_addr, config_table, boot_loader_name;
};

static uint8_t *put_mmap1(uint8_t *p, uint64_t addr, uint64_t len, uint32_t type)
{
	uint32_t size = 20;

	memcpy(p, &size, 4);
	memcpy(p + 4, &addr, 8);
	memcpy(p + 12, &len, 8);
	memcpy(p + 20, &type, 4);
	return p + 24;
}

static struct mb1_info *mb1_basic(void)
{
	struct mb1_info *mbi = (void *)area;
	uint8_t *m = area + 0x100, *e;

	strcpy((char *)area + 0x400, "/boot/basalt.elf loglvl=debug selftest");
	strcpy((char *)area + 0x500, "QEMU");
	mbi->flags = (1 << 2) | (1 << 6) | (1 << 9);
	mbi->cmdline = pa(area + 0x400);
	mbi->boot_loader_name = pa(area + 0x500);
	e = put_mmap1(m, 0, 0x9fc00, 1);
	e = put_mmap1(e, 0x100000, 0x7ff00000, 1);
	mbi->mmap_addr = pa(m);
	mbi->mmap_length = (uint32_t)(e - m);
	return mbi;
}

static void test_mb1_good(void **state)
{
	reset();
	mb1_basic();
	assert_int_equal(multiboot_parse(MB1_MAGIC, AREA, &bi), 0);
	assert_string_equal(bi.loader, "multiboot1");
	assert_string_equal(bi.cmdline, "loglvl=debug selftest");
	assert_string_equal(bi.loader_name, "QEMU");
	assert_int_equal(bi.nr_mem, 2);
	assert_int_equal(bi.mem[1].addr, 0x100000);
}

static void test_mb1_grub2_keeps_first_word(void **state)
{
	reset();
	mb1_basic();
	strcpy((char *)area + 0x500, "GRUB 2.06-13");
	strcpy((char *)area + 0x400, "loglvl=debug selftest");
	assert_int_equal(multiboot_parse(MB1_MAGIC, AREA, &bi), 0);
	assert_string_equal(bi.cmdline, "loglvl=debug selftest");
}

static void test_mb1_modules(void **state)
{
	struct mb1_info *mbi;
	uint32_t *mods;

	reset();
	mbi = mb1_basic();
	mods = (uint32_t *)(area + 0x200);
	strcpy((char *)area + 0x600, "kernel.elf root=/dev/xvda");
	mods[0] = 0x1000000, mods[1] = 0x1001000, mods[2] = pa(area + 0x600);
	mods[4] = 0x2000000, mods[5] = 0x1000000, mods[6] = 0; /* ends before it starts */
	mbi->flags |= 1 << 3;
	mbi->mods_count = 2;
	mbi->mods_addr = pa(mods);
	assert_int_equal(multiboot_parse(MB1_MAGIC, AREA, &bi), 0);
	assert_int_equal(bi.nr_modules, 1);
	assert_int_equal(bi.modules[0].number, 1);
	assert_string_equal(bi.modules[0].cmdline, "kernel.elf root=/dev/xvda");
	assert_int_equal(bi.modules[0].size, 0x1000);
	assert_true(harness_log_has("module 2 ends (0x1000000) before it starts (0x2000000), ignored"));
}

static void test_mb1_bad_mmap_entry(void **state)
{
	struct mb1_info *mbi;

	reset();
	mbi = mb1_basic();
	*(uint32_t *)(area + 0x100 + 24) = 4; /* second entry claims size 4 */
	(void)mbi;
	assert_int_equal(multiboot_parse(MB1_MAGIC, AREA, &bi), 0);
	assert_int_equal(bi.nr_mem, 1);
	assert_true(harness_log_has("has size 4 (< 20), map truncated"));
}

static void test_mb1_no_memory(void **state)
{
	struct mb1_info *mbi;

	reset();
	mbi = mb1_basic();
	mbi->flags = 0;
	assert_int_equal(multiboot_parse(MB1_MAGIC, AREA, &bi), -XEN_EINVAL);
	assert_true(harness_log_has("neither a memory map nor memory sizes"));
}

static void test_mb1_unterminated_cmdline(void **state)
{
	struct mb1_info *mbi;

	reset();
	mbi = mb1_basic();
	memset(area + 0x2000, 'x', 4096); /* no NUL within the buffer size */
	mbi->cmdline = pa(area + 0x2000);
	assert_int_equal(multiboot_parse(MB1_MAGIC, AREA, &bi), 0);
	assert_int_equal(strlen(bi.cmdline), 0); /* one word: the image name, dropped */
	assert_true(harness_log_has("command line longer than"));
}

static void test_bad_magic_and_pointer(void **state)
{
	reset();
	assert_int_equal(multiboot_parse(0x12345678, AREA, &bi), -XEN_EINVAL);
	assert_true(harness_log_has("neither multiboot1 nor multiboot2"));
	assert_int_equal(multiboot_parse(MB1_MAGIC, 0, &bi), -XEN_EINVAL);
	assert_true(harness_log_has("information pointer 0 is invalid"));
	assert_int_equal(multiboot_parse(MB2_MAGIC, 0x100000001ULL, &bi), -XEN_EINVAL);
}

/* multiboot2: tags from +8, 8-byte aligned */
static uint8_t *tag(uint8_t *p, uint32_t type, const void *data, uint32_t len)
{
	uint32_t size = 8 + len;

	memcpy(p, &type, 4);
	memcpy(p + 4, &size, 4);
	if (len)
		memcpy(p + 8, data, len);
	return p + ((size + 7) & ~7u);
}

static uint8_t *mb2_mmap_tag(uint8_t *p)
{
	uint8_t buf[8 + 2 * 24] = { 0 };
	uint32_t esz = 24;
	uint64_t e[2][3] = { { 0, 0x9fc00, 1 }, { 0x100000, 0x3ff00000, 1 } };

	memcpy(buf, &esz, 4);
	memcpy(buf + 8, e[0], 24);
	memcpy(buf + 32, e[1], 24);
	return tag(p, 6, buf, sizeof(buf));
}

static void finish_mb2(uint8_t *end)
{
	uint32_t total;

	end = tag(end, 0, NULL, 0);
	total = (uint32_t)(end - area);
	memcpy(area, &total, 4);
}

static void test_mb2_good(void **state)
{
	uint8_t *p;
	uint32_t mod[2] = { 0x2000000, 0x2003000 };
	uint8_t modtag[8 + 8];
	uint8_t rsdp[36] = "RSD PTR ";

	reset();
	p = tag(area + 8, 1, "console=com1", 13);
	p = tag(p, 2, "GRUB 2.06", 10);
	p = mb2_mmap_tag(p);
	memcpy(modtag, mod, 8);
	memcpy(modtag + 8, "initrd\0", 8);
	p = tag(p, 3, modtag, sizeof(modtag));
	p = tag(p, 15, rsdp, sizeof(rsdp));
	finish_mb2(p);
	assert_int_equal(multiboot_parse(MB2_MAGIC, AREA, &bi), 0);
	assert_string_equal(bi.loader, "multiboot2");
	assert_string_equal(bi.cmdline, "console=com1");
	assert_string_equal(bi.loader_name, "GRUB 2.06");
	assert_int_equal(bi.nr_mem, 2);
	assert_int_equal(bi.nr_modules, 1);
	assert_int_equal(bi.modules[0].size, 0x3000);
	assert_string_equal(bi.modules[0].cmdline, "initrd");
	assert_int_equal(bi.rsdp_len, 36);
	assert_memory_equal(bi.rsdp, "RSD PTR ", 8);
}

static void test_mb2_tag_past_end(void **state)
{
	uint8_t *p;
	uint32_t big = 0x10000;

	reset();
	p = mb2_mmap_tag(area + 8);
	p = tag(p, 1, "x", 2);
	memcpy(p - 16 + 4, &big, 4); /* the cmdline tag now claims 64 KiB */
	finish_mb2(p);
	assert_int_equal(multiboot_parse(MB2_MAGIC, AREA, &bi), 0);
	assert_true(harness_log_has("beyond the information's end"));
	assert_string_equal(bi.cmdline, "");
}

static void test_mb2_no_mmap(void **state)
{
	reset();
	finish_mb2(tag(area + 8, 1, "x", 2));
	assert_int_equal(multiboot_parse(MB2_MAGIC, AREA, &bi), -XEN_EINVAL);
	assert_true(harness_log_has("no memory map"));
}

static void test_mb2_bad_total(void **state)
{
	uint32_t total = 0x7fffffff;

	reset();
	memcpy(area, &total, 4);
	assert_int_equal(multiboot_parse(MB2_MAGIC, AREA, &bi), -XEN_EINVAL);
	assert_true(harness_log_has("is implausible"));
}

static void test_mb2_bad_mmap_entry_size(void **state)
{
	uint8_t buf[8 + 24] = { 0 };
	uint32_t esz = 8;

	reset();
	memcpy(buf, &esz, 4);
	finish_mb2(tag(area + 8, 6, buf, sizeof(buf)));
	assert_int_equal(multiboot_parse(MB2_MAGIC, AREA, &bi), -XEN_EINVAL);
	assert_true(harness_log_has("memory map tag with entry size 8"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mb1_good),
		cmocka_unit_test(test_mb1_grub2_keeps_first_word),
		cmocka_unit_test(test_mb1_modules),
		cmocka_unit_test(test_mb1_bad_mmap_entry),
		cmocka_unit_test(test_mb1_no_memory),
		cmocka_unit_test(test_mb1_unterminated_cmdline),
		cmocka_unit_test(test_bad_magic_and_pointer),
		cmocka_unit_test(test_mb2_good),
		cmocka_unit_test(test_mb2_tag_past_end),
		cmocka_unit_test(test_mb2_no_mmap),
		cmocka_unit_test(test_mb2_bad_total),
		cmocka_unit_test(test_mb2_bad_mmap_entry_size),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
