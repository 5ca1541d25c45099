/*
 * Unit tests for lib/bzimage.c: bzimage_parse() on setup headers built
 * here (each protocol version's fields, each rejection with its exact
 * message, every truncation and random corruption), decompress()'s
 * front end (magic numbers, other compressors, missing arguments), and,
 * when Debian's kernel is installed (package linux-image-amd64), the real
 * thing: its payload is unpacked and must be a valid ELF kernel with a PVH
 * entry point.
 */
#include <hv/decompress.h>
#include <hv/elf.h>
#include <hv/errno.h>
#include <hv/lib.h>

#include "hv_unrename.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "helpers.h"

#define IMG_SIZE 0x2000

static uint8_t img[IMG_SIZE];
static struct bzimage_info bi;

static void w16(size_t off, uint16_t v)
{
	img[off] = (uint8_t)v;
	img[off + 1] = (uint8_t)(v >> 8);
}

static void w32(size_t off, uint32_t v)
{
	w16(off, (uint16_t)v);
	w16(off + 2, (uint16_t)(v >> 16));
}

/* Protocol 2.15, 3 setup sectors (setup ends at 0x800), payload at 0x800 + 0x100, 0x1000 bytes. */
static void build(void)
{
	memset(img, 0, sizeof(img));
	img[0x1f1] = 3;
	w16(0x1fe, 0xaa55);
	memcpy(img + 0x202, "HdrS", 4);
	w16(0x206, 0x020f);
	w32(0x230, 0x200000);
	img[0x234] = 1;
	w16(0x236, 0x7f);
	w32(0x248, 0x100);
	w32(0x24c, 0x1000);
	w32(0x258, 0x1000000);
	w32(0x25c, 0x1);
	w32(0x260, 0x3f98000);
}

static int parse(size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	int rc;

	memcpy(copy, img, size);
	memset(&bi, 0x5a, sizeof(bi));
	memset(errbuf, 'E', sizeof(errbuf));
	rc = bzimage_parse(copy, size, &bi, errbuf, sizeof(errbuf));
	free(copy);
	return rc;
}

static void expect_bz_error(size_t size, int rc, const char *msg)
{
	int got = parse(size);

	if (got != rc || strcmp(errbuf, msg) != 0)
		fail_msg("got %d \"%s\"\nwant %d \"%s\"", got, errbuf, rc, msg);
	assert_int_equal(bi.payload_length, 0);
}

static void test_bzimage_valid(void **state)
{
	(void)state;
	build();
	assert_int_equal(parse(IMG_SIZE), 0);
	assert_string_equal(errbuf, "");
	assert_int_equal(bi.version, 0x020f);
	assert_int_equal(bi.setup_size, 0x800);
	assert_int_equal(bi.payload_offset, 0x900);
	assert_int_equal(bi.payload_length, 0x1000);
	assert_int_equal(bi.init_size, 0x3f98000);
	assert_true(bi.pref_address == 0x101000000ull);
	assert_int_equal(bi.kernel_alignment, 0x200000);
	assert_true(bi.relocatable);
	assert_int_equal(bi.xloadflags, 0x7f);
	/* the payload may end exactly at the end of the image */
	assert_int_equal(parse(0x1900), 0);

	/* setup_sects 0 means 4 */
	img[0x1f1] = 0;
	assert_int_equal(parse(IMG_SIZE), 0);
	assert_int_equal(bi.setup_size, 0xa00);
	assert_int_equal(bi.payload_offset, 0xb00);

	/* 2.08: no pref_address, init_size or xloadflags yet; the header may end at 0x250 */
	build();
	w16(0x206, 0x0208);
	img[0x234] = 0;
	assert_int_equal(parse(IMG_SIZE), 0);
	assert_true(bi.pref_address == 0x100000);
	assert_int_equal(bi.init_size, 0);
	assert_int_equal(bi.xloadflags, 0);
	assert_false(bi.relocatable);
	memmove(img + 0x250, img + 0x900, 0x100); /* a short image: setup of 0x250 bytes, payload right after */
	img[0x1f1] = 0;
	w32(0x248, 0);
	w32(0x24c, 0x50);
	w16(0x206, 0x0208);
	expect_bz_error(0x250, -XEN_EINVAL,
			"truncated bzImage: the setup code (4 sectors and the boot sector, 0xa00 bytes) extends past "
			"the image end 0x250");

	/* 2.10 and 2.11: init_size, no xloadflags */
	build();
	w16(0x206, 0x020b);
	assert_int_equal(parse(IMG_SIZE), 0);
	assert_int_equal(bi.init_size, 0x3f98000);
	assert_int_equal(bi.xloadflags, 0);
}

static void test_bzimage_errors(void **state)
{
	(void)state;
	build();
	expect_bz_error(0x100, -XEN_ENOEXEC,
			"not a bzImage: no \"HdrS\" boot header at offset 0x202 (the image is shorter than that)");
	expect_bz_error(0, -XEN_ENOEXEC,
			"not a bzImage: no \"HdrS\" boot header at offset 0x202 (the image is shorter than that)");
	expect_bz_error(0x207, -XEN_EINVAL,
			"truncated bzImage: the boot protocol version at 0x206 is past the image end 0x207");
	expect_bz_error(
		0x260, -XEN_EINVAL,
		"truncated bzImage: the boot protocol 2.15 setup header ends at 0x264, past the image end 0x260");
	w16(0x206, 0x0209);
	expect_bz_error(
		0x24f, -XEN_EINVAL,
		"truncated bzImage: the boot protocol 2.09 setup header ends at 0x250, past the image end 0x24f");
	w16(0x206, 0x0207);
	expect_bz_error(IMG_SIZE, -XEN_EOPNOTSUPP,
			"bzImage boot protocol 2.07 is too old: the payload fields need 2.08 or later");
	w16(0x206, 0x020f);

	img[0x205] = 'Z';
	expect_bz_error(IMG_SIZE, -XEN_ENOEXEC, "not a bzImage: no \"HdrS\" boot header at offset 0x202");
	img[0x205] = 'S';

	img[0x1f1] = 200;
	expect_bz_error(IMG_SIZE, -XEN_EINVAL,
			"truncated bzImage: the setup code (200 sectors and the boot sector, 0x19200 bytes) extends "
			"past the image end 0x2000");
	img[0x1f1] = 3;

	w32(0x24c, 0);
	expect_bz_error(IMG_SIZE, -XEN_EINVAL, "bzImage has no payload (payload_length is 0)");
	w32(0x24c, 0x1000);
	expect_bz_error(0x18ff, -XEN_EINVAL,
			"truncated bzImage: payload at 0x900 of 0x1000 bytes extends past the image end 0x18ff");
	w32(0x248, 0xffffffff);
	expect_bz_error(IMG_SIZE, -XEN_EINVAL,
			"truncated bzImage: payload at 0x1000007ff of 0x1000 bytes extends past the image end 0x2000");
	w32(0x248, 0x100);
	w32(0x24c, 0xffffffff);
	expect_bz_error(IMG_SIZE, -XEN_EINVAL,
			"truncated bzImage: payload at 0x900 of 0xffffffff bytes extends past the image end 0x2000");

	/* no message buffer: still the right code */
	build();
	assert_int_equal(bzimage_parse(img, 0x100, &bi, NULL, 0), -XEN_ENOEXEC);
	assert_int_equal(bzimage_parse(img, IMG_SIZE, &bi, NULL, 0), 0);
}

static void test_bzimage_truncations_and_mutations(void **state)
{
	unsigned int accepted = 0;

	(void)state;
	build();
	for (size_t size = 0; size < 0x1900; size++)
		assert_int_not_equal(parse(size), 0);
	srand(77);
	for (int it = 0; it < 50000; it++) {
		size_t size = 0x1900;

		build();
		for (int k = rand() % 4; k >= 0; k--)
			img[0x1f0 + rand() % 0x78] = (uint8_t)rand();
		if (rand() % 4 == 0)
			size = (size_t)rand() % IMG_SIZE;
		if (parse(size) == 0) {
			accepted++;
			assert_true(bi.payload_offset <= size && bi.payload_length <= size - bi.payload_offset);
			assert_true(bi.payload_length > 0 && bi.version >= 0x0208);
		} else {
			assert_true(strlen(errbuf) > 20);
		}
	}
	assert_true(accepted > 1000);
}

/* ------------------------------------------------------- the front end */

static void test_front_end(void **state)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *name;
	} others[] = {
		{ "BZh91AY&SY", 10, "bzip2" },	      { "\x5d\x00\x00\x80\x00", 5, "LZMA (.lzma)" },
		{ "\x89LZO\x00\r\n", 7, "LZO" },      { "\x02\x21\x4c\x18\x00", 5, "LZ4 (legacy)" },
		{ "\x04\x22\x4d\x18\x64", 5, "LZ4" }, { "\x28\xb5\x2f\xfd\x00", 5, "zstd" },
	};
	char want[256];
	uint8_t out[16], *work = malloc(decompress_workspace_size());
	size_t len = 99;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
		snprintf(want, sizeof(want),
			 "%s-compressed data is not supported (only gzip and xz; rebuild the kernel with "
			 "CONFIG_KERNEL_GZIP or CONFIG_KERNEL_XZ)",
			 others[i].name);
		expect_error(others[i].magic, others[i].len, 16, -XEN_EOPNOTSUPP, want);
	}
	expect_error("\x7f"
		     "ELF\2\1\1",
		     7, 16, -XEN_ENOEXEC, "not gzip or xz data: unknown magic 7f 45 4c 46");
	expect_error("\x1f", 1, 16, -XEN_EINVAL, "gzip: truncated input: 1 byte, not even the 2-byte magic");
	expect_error("\xfd"
		     "7z",
		     3, 16, -XEN_EINVAL, "xz: truncated input: 3 bytes, not even the 6-byte magic");
	expect_error("\xfd", 1, 16, -XEN_EINVAL, "xz: truncated input: 1 byte, not even the 6-byte magic");
	expect_error("", 0, 16, -XEN_EINVAL, "decompress: empty input");
	expect_error("ab", 2, 16, -XEN_ENOEXEC, "not gzip or xz data: unknown magic 61 62 00 00");

	/* no workspace */
	memset(errbuf, 0, sizeof(errbuf));
	assert_int_equal(decompress("\x1f\x8b", 2, out, sizeof(out), &len, NULL, errbuf, sizeof(errbuf)), -XEN_EINVAL);
	assert_string_equal(errbuf, "decompress: no workspace");
	assert_int_equal(len, 0);
	assert_int_equal(decompress("\x1f\x8b", 2, NULL, 1, &len, work, errbuf, sizeof(errbuf)), -XEN_EINVAL);
	assert_string_equal(errbuf, "decompress: no output buffer");
	/* no message buffer, no out_len, no output buffer for empty output */
	assert_int_equal(decompress("\x1f\x8b", 2, out, sizeof(out), NULL, work, NULL, 0), -XEN_EINVAL);
	{
		static const uint8_t empty_gz[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

		assert_int_equal(decompress(empty_gz, sizeof(empty_gz), NULL, 0, NULL, work, NULL, 0), 0);
	}
	/* a message buffer of one byte holds just the terminator */
	errbuf[0] = 'x';
	assert_int_equal(decompress("ab", 2, out, sizeof(out), NULL, work, errbuf, 1), -XEN_ENOEXEC);
	assert_int_equal(errbuf[0], '\0');
	/* decompressed_size of what it cannot read */
	assert_int_equal(decompressed_size("ab", 2, (uint64_t *)&len), -XEN_EINVAL);
	assert_int_equal(decompressed_size("", 0, (uint64_t *)&len), -XEN_EINVAL);
	free(work);
}

/* ------------------------------------------------ Debian's kernel, if any */

static void test_debian_kernel(void **state)
{
	struct elf_image_info info;
	glob_t g;
	uint8_t *image, *out, *work;
	size_t size, out_len;
	uint64_t usize;
	struct timespec t0, t1;
	double secs;
	uint32_t trailer;
	int rc;

	(void)state;
	if (glob("/boot/vmlinuz-*", 0, NULL, &g) != 0 || g.gl_pathc == 0) {
		print_message("no /boot/vmlinuz-*: skipping (apt-get install --no-install-recommends "
			      "linux-image-amd64 to run it)\n");
		skip();
		return;
	}
	image = read_file(g.gl_pathv[g.gl_pathc - 1], &size);
	assert_non_null(image);
	rc = bzimage_parse(image, size, &bi, errbuf, sizeof(errbuf));
	if (rc)
		fail_msg("%s: %s", g.gl_pathv[g.gl_pathc - 1], errbuf);
	print_message("  %s: boot protocol %u.%02u, payload 0x%llx bytes at 0x%llx, init_size 0x%x\n",
		      g.gl_pathv[g.gl_pathc - 1], bi.version >> 8, bi.version & 0xff,
		      (unsigned long long)bi.payload_length, (unsigned long long)bi.payload_offset, bi.init_size);
	assert_true(bi.version >= 0x020c);
	assert_true(bi.relocatable);

	rc = decompressed_size(image + bi.payload_offset, bi.payload_length, &usize);
	assert_int_equal(rc, 0);
	/* Linux appends the uncompressed size to every payload */
	memcpy(&trailer, image + bi.payload_offset + bi.payload_length - 4, 4);
	assert_int_equal(usize, trailer);
	assert_true(usize < bi.init_size);

	out = malloc(usize);
	work = malloc(decompress_workspace_size());
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = decompress(image + bi.payload_offset, bi.payload_length, out, usize, &out_len, work, errbuf,
			sizeof(errbuf));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc)
		fail_msg("payload: %d %s", rc, errbuf);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("  payload: 0x%zx bytes decompressed in %.2f s (%.0f MB/s, with ASan and UBSan)\n", out_len, secs,
		      out_len / secs / 1e6);
	assert_int_equal(out_len, usize);

	rc = elf_check(out, out_len, &info, errbuf, sizeof(errbuf));
	if (rc)
		fail_msg("the payload is no valid ELF image: %s", errbuf);
	assert_true(info.is64);
	assert_int_equal(info.machine, ELF_EM_X86_64);
	assert_true(info.has_phys32_entry);
	print_message("  vmlinux: %u PT_LOADs at 0x%llx..0x%llx, PVH entry 0x%llx\n", info.nr_load,
		      (unsigned long long)info.load_min, (unsigned long long)info.load_max,
		      (unsigned long long)info.phys32_entry);

	/* one byte short of room */
	rc = decompress(image + bi.payload_offset, bi.payload_length, out, usize - 1, &out_len, work, errbuf,
			sizeof(errbuf));
	assert_int_equal(rc, -XEN_ENOSPC);
	snprintf((char *)work, 256, "the data decompresses to 0x%llx bytes", (unsigned long long)usize);
	assert_non_null(strstr(errbuf, (char *)work));
	free(work);
	free(out);
	free(image);
	globfree(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bzimage_valid),
		cmocka_unit_test(test_bzimage_errors),
		cmocka_unit_test(test_bzimage_truncations_and_mutations),
		cmocka_unit_test(test_front_end),
		cmocka_unit_test(test_debian_kernel),
	};

	return cmocka_run_group_tests_name("lib/bzimage", tests, NULL, NULL);
}
