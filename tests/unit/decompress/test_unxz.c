/*
 * Unit tests for lib/unxz.c through decompress(). Three sources of input:
 * the xz tool (Linux's settings and many others, when xz is installed;
 * skipped otherwise), streams built here with uncompressed LZMA2 chunks,
 * which make every container error reproducible with its exact message,
 * and LZMA chunks from the test's own range encoder, which can say things
 * an encoder never would (end markers, distances before the start). Every
 * run uses exact-size heap buffers, so ASan sees any stray access.
 */
#include <hv/decompress.h>
#include <hv/errno.h>
#include <hv/lib.h>

#include "hv_unrename.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "helpers.h"

#define N 101 /* the hand-built stream's data: 3 bytes of block padding follow it */

static uint8_t data[4096];
static char want[1024];

static void setup_data(void)
{
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)("The quick brown fox jumps over the lazy dog. "[i % 45] + i / 45 % 3);
}

/* A stream of 'blocks' blocks of N bytes each (one uncompressed LZMA2 chunk each). */
struct built {
	struct buf b;
	size_t block[4], index, footer;
};

static void build(struct built *s, unsigned int check, const struct xz_block_opts *o, unsigned int blocks)
{
	struct xz_writer w;
	struct xz_block_opts def = { .dict = 8 };

	setup_data();
	memset(s, 0, sizeof(*s));
	xz_begin(&w, &s->b, check);
	for (unsigned int i = 0; i < blocks; i++) {
		struct buf l2 = { 0 };

		lzma2_uncompressed(&l2, true, data + i * N, N);
		put8(&l2, 0);
		s->block[i] = xz_block(&w, o ? o : &def, &l2, data + i * N, N);
		free(l2.p);
	}
	s->index = xz_end(&w);
	s->footer = s->b.len - 12;
}

#define EXPECT(s, rc, ...)                                             \
	do {                                                           \
		snprintf(want, sizeof(want), __VA_ARGS__);             \
		expect_error((s)->b.p, (s)->b.len, 4 * N, (rc), want); \
	} while (0)

/* ------------------------------------------------------- hand-built, valid */

static void test_built_valid(void **state)
{
	static const unsigned int checks[] = { T_XZ_CHECK_NONE, T_XZ_CHECK_CRC32, T_XZ_CHECK_CRC64 };
	struct xz_block_opts sizes = { .sizes = true, .dict = 0 };
	struct xz_block_opts padded = { .dict = 40, .extra = 8 };
	struct built s;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		for (unsigned int blocks = 1; blocks <= 3; blocks++) {
			build(&s, checks[i], NULL, blocks);
			expect_roundtrip(s.b.p, s.b.len, data, blocks * N);
			free(s.b.p);
		}
	}
	build(&s, T_XZ_CHECK_CRC32, &sizes, 2);
	expect_roundtrip(s.b.p, s.b.len, data, 2 * N);
	free(s.b.p);
	build(&s, T_XZ_CHECK_CRC64, &padded, 1);
	expect_roundtrip(s.b.p, s.b.len, data, N);
	free(s.b.p);
}

static void test_built_empty_and_chunks(void **state)
{
	struct xz_writer w;
	struct buf b = { 0 }, l2 = { 0 };
	struct xz_block_opts o = { .dict = 1 };

	(void)state;
	setup_data();
	/* No blocks at all: what xz makes of empty input. */
	xz_begin(&w, &b, T_XZ_CHECK_CRC64);
	xz_end(&w);
	expect_roundtrip(b.p, b.len, data, 0);
	b.len = 0;

	/* A block of several uncompressed chunks, one without dictionary reset, and an empty one. */
	xz_begin(&w, &b, T_XZ_CHECK_CRC32);
	lzma2_uncompressed(&l2, true, data, 1000);
	lzma2_uncompressed(&l2, false, data + 1000, 1);
	lzma2_uncompressed(&l2, true, data + 1001, 2000);
	put8(&l2, 0);
	xz_block(&w, &o, &l2, data, 3001);
	l2.len = 0;
	put8(&l2, 0); /* an empty block: just the end of LZMA2 */
	xz_block(&w, &o, &l2, data, 0);
	xz_end(&w);
	expect_roundtrip(b.p, b.len, data, 3001);
	free(b.p);
	free(l2.p);
}

/* ----------------------------------------------------- the stream header */

static void test_stream_header_errors(void **state)
{
	struct built s;

	(void)state;
	build(&s, T_XZ_CHECK_CRC32, NULL, 1);
	s.b.p[9] ^= 1;
	EXPECT(&s, -XEN_EINVAL, "xz: stream header at 0x0: CRC32 0x%08x does not match the stored 0x%08x",
	       ref_crc32(s.b.p + 6, 2), ref_crc32(s.b.p + 6, 2) ^ 0x100);
	s.b.p[9] ^= 1;

	s.b.p[6] = 0x01;
	xz_fix_header_crc(s.b.p, 0);
	EXPECT(&s, -XEN_EOPNOTSUPP, "xz: stream header at 0x0: reserved flag bits set (01 01; a newer format?)");
	s.b.p[6] = 0;
	s.b.p[7] = 0x21;
	xz_fix_header_crc(s.b.p, 0);
	EXPECT(&s, -XEN_EOPNOTSUPP, "xz: stream header at 0x0: reserved flag bits set (00 21; a newer format?)");

	s.b.p[7] = 0x0a;
	xz_fix_header_crc(s.b.p, 0);
	EXPECT(&s, -XEN_EOPNOTSUPP,
	       "xz: stream at 0x0 uses a SHA-256 check, which is not supported (use CRC32, CRC64 or none: xz "
	       "--check=crc32)");
	s.b.p[7] = 0x02;
	xz_fix_header_crc(s.b.p, 0);
	EXPECT(&s, -XEN_EOPNOTSUPP, "xz: stream at 0x0 uses check type 0x2, which is not supported");
	free(s.b.p);
}

/* ------------------------------------------------------- block headers */

static void test_block_header_errors(void **state)
{
	struct built s;
	size_t bh;

	(void)state;
	build(&s, T_XZ_CHECK_CRC32, NULL, 1);
	bh = s.block[0];
	assert_int_equal(bh, 12);
	s.b.p[bh + 4] ^= 1; /* the dictionary size byte */
	EXPECT(&s, -XEN_EINVAL, "xz: block header at 0xc: CRC32 0x%08x does not match the stored 0x%08x",
	       ref_crc32(s.b.p + bh, 8),
	       (uint32_t)s.b.p[bh + 8] | (uint32_t)s.b.p[bh + 9] << 8 | (uint32_t)s.b.p[bh + 10] << 16 |
		       (uint32_t)s.b.p[bh + 11] << 24);
	s.b.p[bh + 4] ^= 1;

	s.b.p[bh + 1] = 0x04;
	xz_fix_block_crc(s.b.p, bh);
	EXPECT(&s, -XEN_EOPNOTSUPP, "xz: block header at 0xc: reserved flag bits set (flags 0x04; a newer format?)");
	s.b.p[bh + 1] = 0;

	s.b.p[bh + 4] = 41;
	xz_fix_block_crc(s.b.p, bh);
	EXPECT(&s, -XEN_EINVAL, "xz: block header at 0xc: invalid LZMA2 dictionary size byte 41 (at most 40)");
	s.b.p[bh + 4] = 8;

	s.b.p[bh + 3] = 2; /* LZMA2 with 2 bytes of properties */
	xz_fix_block_crc(s.b.p, bh);
	EXPECT(&s, -XEN_EINVAL, "xz: block header at 0xc: LZMA2 has 2 bytes of properties (1)");
	s.b.p[bh + 3] = 5; /* more than the header holds */
	xz_fix_block_crc(s.b.p, bh);
	EXPECT(&s, -XEN_EINVAL, "xz: block header at 0xc: filter 0's 0x5 bytes of properties overrun the header");
	s.b.p[bh + 3] = 1;

	s.b.p[bh + 2] = 0x03; /* delta as the only filter */
	xz_fix_block_crc(s.b.p, bh);
	EXPECT(&s, -XEN_EOPNOTSUPP,
	       "xz: block header at 0xc: unsupported filter 0x3 (delta) at 0xe; only LZMA2, optionally after one "
	       "x86 BCJ filter, is supported");
	s.b.p[bh + 2] = 0x21;

	s.b.p[bh + 6] = 1; /* header padding */
	xz_fix_block_crc(s.b.p, bh);
	EXPECT(&s, -XEN_EINVAL, "xz: block header at 0xc: non-zero padding byte at 0x12");
	s.b.p[bh + 6] = 0;

	/* Filter ID VLIs: not minimal, and running into the CRC. */
	s.b.p[bh + 2] = 0xa1;
	s.b.p[bh + 3] = 0x00;
	xz_fix_block_crc(s.b.p, bh);
	EXPECT(&s, -XEN_EINVAL, "xz: a filter ID at 0xe is not minimally encoded");
	memset(s.b.p + bh + 2, 0xff, 6);
	xz_fix_block_crc(s.b.p, bh);
	EXPECT(&s, -XEN_EINVAL, "xz: a filter ID at 0xe runs past the end of its header");
	free(s.b.p);
}

/* Headers with sizes and filter chains, built byte by byte. */
static void put_block(struct buf *b, const uint8_t *fields, size_t n, unsigned int flags)
{
	struct buf h = { 0 };

	put8(&h, 0);
	put8(&h, flags);
	put(&h, fields, n);
	while ((h.len + 4) % 4)
		put8(&h, 0);
	h.p[0] = (uint8_t)((h.len + 4) / 4 - 1);
	put32le(&h, ref_crc32(h.p, h.len));
	put(b, h.p, h.len);
	free(h.p);
}

static void expect_block(const uint8_t *fields, size_t n, unsigned int flags, int rc, const char *msg)
{
	struct buf b = { 0 };
	struct xz_writer w;

	xz_begin(&w, &b, T_XZ_CHECK_NONE);
	put_block(&b, fields, n, flags);
	put(&b, "\x01\x00\x00X\x00", 5); /* one byte, uncompressed */
	expect_error(b.p, b.len, 64, rc, msg);
	free(b.p);
}

static void test_filter_chains(void **state)
{
	static const uint8_t arm_lzma2[] = { 0x07, 0x00, 0x21, 0x01, 0x08 };
	static const uint8_t x86_x86_lzma2[] = { 0x04, 0x00, 0x04, 0x00, 0x21, 0x01, 0x08 };
	static const uint8_t x86_props2[] = { 0x04, 0x02, 0x00, 0x00, 0x21, 0x01, 0x08 };
	static const uint8_t lzma2_x86[] = { 0x21, 0x01, 0x08, 0x04, 0x00 };
	static const uint8_t arm64[] = { 0x0a, 0x00 };
	static const uint8_t huge_id[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00 };
	static const uint8_t zero_csize[] = { 0x00, 0x21, 0x01, 0x08 };
	static const uint8_t long_usize[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 };

	(void)state;
	expect_block(arm_lzma2, sizeof(arm_lzma2), 1, -XEN_EOPNOTSUPP,
		     "xz: block header at 0xc: unsupported filter 0x7 (ARM BCJ) at 0xe; only LZMA2, optionally after "
		     "one x86 BCJ filter, is supported");
	expect_block(x86_x86_lzma2, sizeof(x86_x86_lzma2), 2, -XEN_EOPNOTSUPP,
		     "xz: block header at 0xc: unsupported filter 0x4 (x86 BCJ) at 0x10; only LZMA2, optionally after "
		     "one x86 BCJ filter, is supported");
	expect_block(x86_props2, sizeof(x86_props2), 1, -XEN_EINVAL,
		     "xz: block header at 0xc: the x86 BCJ filter has 2 bytes of properties (0 or 4)");
	expect_block(lzma2_x86, sizeof(lzma2_x86), 1, -XEN_EOPNOTSUPP,
		     "xz: block header at 0xc: unsupported filter 0x21 (LZMA2) at 0xe; only LZMA2, optionally after "
		     "one x86 BCJ filter, is supported");
	expect_block(arm64, sizeof(arm64), 0, -XEN_EOPNOTSUPP,
		     "xz: block header at 0xc: unsupported filter 0xa (ARM64 BCJ) at 0xe; only LZMA2, optionally "
		     "after one x86 BCJ filter, is supported");
	expect_block(huge_id, sizeof(huge_id), 0, -XEN_EINVAL, "xz: a filter ID at 0xe is longer than 9 bytes");
	expect_block(zero_csize, sizeof(zero_csize), 0x40, -XEN_EINVAL, "xz: block header at 0xc: compressed size 0");
	expect_block(long_usize, sizeof(long_usize), 0x80, -XEN_EINVAL,
		     "xz: a block's uncompressed size at 0xe is longer than 9 bytes");
}

static void test_block_sizes_padding_check(void **state)
{
	struct xz_block_opts sizes = { .sizes = true, .dict = 8 };
	struct built s;
	size_t bh, end;

	(void)state;
	build(&s, T_XZ_CHECK_CRC32, &sizes, 1);
	bh = s.block[0];
	/* flags, compressed size 105 (0x69), uncompressed 101 (0x65) */
	assert_int_equal(s.b.p[bh + 2], 105);
	s.b.p[bh + 2] = 106;
	xz_fix_block_crc(s.b.p, bh);
	EXPECT(&s, -XEN_EINVAL, "xz: block at 0xc: 0x69 bytes of compressed data, its header says 0x6a");
	s.b.p[bh + 2] = 105;
	s.b.p[bh + 3] = 100;
	xz_fix_block_crc(s.b.p, bh);
	EXPECT(&s, -XEN_EINVAL, "xz: block at 0xc: decoded 0x65 bytes, its header says 0x64");
	/* The header's size is checked against the buffer before decoding. */
	s.b.p[bh + 3] = 101;
	xz_fix_block_crc(s.b.p, bh);
	snprintf(want, sizeof(want),
		 "xz: output buffer too small: the data decompresses to 0x65 bytes, the buffer holds 0x64");
	expect_error(s.b.p, s.b.len, 100, -XEN_ENOSPC, want);
	free(s.b.p);

	build(&s, T_XZ_CHECK_CRC32, NULL, 1);
	end = s.block[0] + 12 + 105; /* the padding: 3 bytes, then the check */
	s.b.p[end + 1] = 7;
	EXPECT(&s, -XEN_EINVAL, "xz: block at 0xc: non-zero padding byte at 0x%zx", end + 1);
	s.b.p[end + 1] = 0;
	s.b.p[end + 3] ^= 0x10; /* the CRC32 */
	EXPECT(&s, -XEN_EINVAL,
	       "xz: block CRC32 at 0x%zx: the 0x65 bytes decoded have CRC32 0x%08x, the stream says 0x%08x", end + 3,
	       ref_crc32(data, N), ref_crc32(data, N) ^ 0x10);
	free(s.b.p);

	build(&s, T_XZ_CHECK_CRC64, NULL, 1);
	s.b.p[end + 10] ^= 0x80; /* the CRC64's top byte */
	EXPECT(&s, -XEN_EINVAL,
	       "xz: block CRC64 at 0x%zx: the 0x65 bytes decoded have CRC64 0x%016llx, the stream says 0x%016llx",
	       end + 3, (unsigned long long)ref_crc64(data, N),
	       (unsigned long long)(ref_crc64(data, N) ^ 0x8000000000000000ull));
	free(s.b.p);
}

/* ----------------------------------------------------- index and footer */

static void test_index_errors(void **state)
{
	struct built s;
	size_t ix;

	(void)state;
	build(&s, T_XZ_CHECK_CRC32, NULL, 2);
	ix = s.index;
	/* 00, count 2, (121, 101), (121, 101), padding 2, CRC32: 12 bytes */
	assert_int_equal(s.footer - ix, 12);
	s.b.p[ix + 1] = 3;
	xz_fix_index_crc(s.b.p, ix, 12);
	EXPECT(&s, -XEN_EINVAL, "xz: the index at 0x%zx lists 3 blocks, the stream has 2", ix);
	s.b.p[ix + 1] = 2;
	s.b.p[ix + 5] = 100;
	xz_fix_index_crc(s.b.p, ix, 12);
	EXPECT(&s, -XEN_EINVAL,
	       "xz: the index at 0x%zx does not match the blocks (sizes 0xf2/0xc9 listed, 0xf2/0xca decoded)", ix);
	/* Two records swapped keep the sums; the CRC over the records still sees it. */
	s.b.p[ix + 5] = 101;
	s.b.p[ix + 2] = 120;
	s.b.p[ix + 4] = 122;
	xz_fix_index_crc(s.b.p, ix, 12);
	EXPECT(&s, -XEN_EINVAL,
	       "xz: the index at 0x%zx does not match the blocks (sizes 0xf2/0xca listed, 0xf2/0xca decoded)", ix);
	s.b.p[ix + 2] = 121;
	s.b.p[ix + 4] = 121;
	s.b.p[ix + 7] = 1;
	xz_fix_index_crc(s.b.p, ix, 12);
	EXPECT(&s, -XEN_EINVAL, "xz: the index at 0x%zx has a non-zero padding byte at 0x%zx", ix, ix + 7);
	s.b.p[ix + 7] = 0;
	xz_fix_index_crc(s.b.p, ix, 12);
	s.b.p[ix + 8] ^= 1;
	EXPECT(&s, -XEN_EINVAL, "xz: the index at 0x%zx: CRC32 0x%08x does not match the stored 0x%08x", ix,
	       ref_crc32(s.b.p + ix, 8), ref_crc32(s.b.p + ix, 8) ^ 1);
	s.b.p[ix + 8] ^= 1;
	s.b.p[ix + 2] = 0xfe; /* an unfinished VLI reaching into the padding is still a record mismatch */
	xz_fix_index_crc(s.b.p, ix, 12);
	expect_error_has(s.b.p, s.b.len, 4 * N, -XEN_EINVAL, "does not match the blocks");
	free(s.b.p);
}

static void test_footer_errors(void **state)
{
	struct built s;
	size_t f;

	(void)state;
	build(&s, T_XZ_CHECK_CRC32, NULL, 1);
	f = s.footer;
	s.b.p[f + 11] = 'z';
	EXPECT(&s, -XEN_EINVAL, "xz: no stream footer magic \"YZ\" at 0x%zx", f + 10);
	s.b.p[f + 11] = 'Z';
	s.b.p[f] ^= 1;
	EXPECT(&s, -XEN_EINVAL, "xz: stream footer at 0x%zx: CRC32 0x%08x does not match the stored 0x%08x", f,
	       ref_crc32(s.b.p + f + 4, 6), ref_crc32(s.b.p + f + 4, 6) ^ 1);
	s.b.p[f] ^= 1;
	s.b.p[f + 4] = 2;
	xz_fix_footer_crc(s.b.p, f);
	EXPECT(&s, -XEN_EINVAL, "xz: stream footer at 0x%zx gives the index size as 0xc, the index has 0x8 bytes", f);
	s.b.p[f + 4] = 1;
	s.b.p[f + 9] = 4;
	xz_fix_footer_crc(s.b.p, f);
	EXPECT(&s, -XEN_EINVAL, "xz: stream footer at 0x%zx: flags 00 04 differ from the header's 00 01", f);
	free(s.b.p);
}

static void test_truncation_messages(void **state)
{
	struct built s;

	(void)state;
	build(&s, T_XZ_CHECK_CRC32, NULL, 1);
	expect_error(s.b.p, 5, 64, -XEN_EINVAL, "xz: truncated input: 5 bytes, not even the 6-byte magic");
	expect_error(s.b.p, 7, 64, -XEN_EINVAL, "xz: truncated input: it ends at 0x7, inside the stream header at 0x0");
	expect_error(s.b.p, 12, 64, -XEN_EINVAL,
		     "xz: truncated input: it ends at 0xc, inside a block header or the index at 0xc");
	expect_error(s.b.p, 20, 64, -XEN_EINVAL, "xz: truncated input: it ends at 0x14, inside a block header at 0xc");
	expect_error(s.b.p, 24, 64, -XEN_EINVAL,
		     "xz: truncated input: it ends at 0x18, inside an LZMA2 chunk header at 0x18");
	expect_error(s.b.p, 26, 64, -XEN_EINVAL,
		     "xz: truncated input: it ends at 0x1a, inside an LZMA2 chunk header at 0x18");
	expect_error(s.b.p, 100, 200, -XEN_EINVAL,
		     "xz: truncated input: it ends at 0x64, inside an uncompressed LZMA2 chunk at 0x18");
	expect_error(s.b.p, 24 + 106, 200, -XEN_EINVAL,
		     "xz: truncated input: it ends at 0x82, inside a block's padding at 0xc");
	expect_error(s.b.p, 24 + 108 + 2, 200, -XEN_EINVAL,
		     "xz: truncated input: it ends at 0x86, inside a block's check at 0xc");
	snprintf(want, sizeof(want), "xz: truncated input: it ends at 0x%zx, inside the index at 0x%zx", s.index + 6,
		 s.index);
	expect_error(s.b.p, s.index + 6, 200, -XEN_EINVAL, want);
	snprintf(want, sizeof(want), "xz: truncated input: it ends at 0x%zx, inside an index record at 0x%zx",
		 s.index + 2, s.index + 2);
	expect_error(s.b.p, s.index + 2, 200, -XEN_EINVAL, want);
	snprintf(want, sizeof(want), "xz: truncated input: it ends at 0x%zx, inside the stream footer at 0x%zx",
		 s.b.len - 1, s.footer);
	expect_error(s.b.p, s.b.len - 1, 200, -XEN_EINVAL, want);
	free(s.b.p);
}

/* --------------------------------------------- concatenation and sizes */

static void test_concatenation_and_size(void **state)
{
	struct built a, c;
	struct buf b = { 0 };
	uint8_t twice[2 * N];
	uint64_t size;

	(void)state;
	build(&a, T_XZ_CHECK_CRC32, NULL, 1);
	build(&c, T_XZ_CHECK_CRC64, NULL, 1);
	memcpy(twice, data, N);
	memcpy(twice + N, data, N);

	put(&b, a.b.p, a.b.len);
	put(&b, c.b.p, c.b.len);
	expect_roundtrip(b.p, b.len, twice, 2 * N);
	/* stream padding between and after */
	b.len = a.b.len;
	put32le(&b, 0);
	put32le(&b, 0);
	put(&b, c.b.p, c.b.len);
	put32le(&b, 0);
	expect_roundtrip(b.p, b.len, twice, 2 * N);
	/* Linux's 4-byte size trailer and other trailing bytes are ignored; the size is found past the trailer. */
	put32le(&b, 2 * N);
	expect_roundtrip(b.p, b.len, twice, 2 * N);
	put(&b, "junk", 4);
	expect_error(b.p, b.len, 2 * N, 0, "");
	assert_int_equal(decompressed_size(b.p, b.len, &size), -XEN_EINVAL);

	/* padding that is not a multiple of four, before another stream */
	b.len = a.b.len;
	put(&b, "\0\0\0", 3);
	put(&b, c.b.p, c.b.len);
	snprintf(want, sizeof(want), "xz: 3 bytes of stream padding at 0x%zx (must be a multiple of 4)", a.b.len);
	expect_error(b.p, b.len, 2 * N, -XEN_EINVAL, want);
	assert_int_equal(decompressed_size(b.p, b.len, &size), -XEN_EINVAL);

	/* a second stream that is broken is an error, not trailing data */
	b.len = a.b.len;
	put(&b, c.b.p, c.b.len);
	b.p[a.b.len + 9] ^= 1;
	expect_error_has(b.p, b.len, 2 * N, -XEN_EINVAL, "xz: stream header at 0x9c: CRC32");

	/* decompressed_size() does not trust a footer whose index or header is wrong */
	assert_int_equal(decompressed_size(a.b.p, a.b.len, &size), 0);
	assert_int_equal(size, N);
	a.b.p[a.index + 3] ^= 1;
	assert_int_equal(decompressed_size(a.b.p, a.b.len, &size), -XEN_EINVAL);
	a.b.p[a.index + 3] ^= 1;
	a.b.p[1] = 'x';
	assert_int_equal(decompressed_size(a.b.p, a.b.len, &size), -XEN_EINVAL);
	a.b.p[1] = '7';
	a.b.p[9] ^= 1;
	assert_int_equal(decompressed_size(a.b.p, a.b.len, &size), -XEN_EINVAL);
	free(a.b.p);
	free(c.b.p);
	free(b.p);
}

static void test_no_space_messages(void **state)
{
	struct built s;

	(void)state;
	build(&s, T_XZ_CHECK_CRC32, NULL, 2);
	expect_error(s.b.p, s.b.len, 0, -XEN_ENOSPC,
		     "xz: output buffer too small: the data decompresses to 0xca bytes, the buffer holds 0x0");
	expect_error(s.b.p, s.b.len, N + 1, -XEN_ENOSPC,
		     "xz: output buffer too small: the data decompresses to 0xca bytes, the buffer holds 0x66");
	/* Without a usable index the message says what it knows. */
	s.b.p[s.footer] ^= 1;
	expect_error(s.b.p, s.b.len, N + 1, -XEN_ENOSPC,
		     "xz: output buffer too small: 0x66 bytes, and 0x65 of them were written before the next chunk did "
		     "not fit");
	free(s.b.p);
}

/* ------------------------------------------------------------- LZMA2 */

static void expect_l2(const struct buf *l2, size_t n, int rc, const char *msg)
{
	struct buf b = { 0 };
	struct xz_writer w;
	struct xz_block_opts o = { .dict = 8 };

	xz_begin(&w, &b, T_XZ_CHECK_NONE);
	xz_block(&w, &o, l2, data, n);
	xz_end(&w);
	if (rc)
		expect_error(b.p, b.len, 4096, rc, msg);
	else
		expect_roundtrip(b.p, b.len, data, n);
	free(b.p);
}

static void test_lzma2_control(void **state)
{
	struct buf l2 = { 0 }, packed = { 0 };

	(void)state;
	setup_data();
	put(&l2, "\x02\x00\x00X\x00", 5);
	expect_l2(&l2, 1, -XEN_EINVAL, "xz: LZMA2 data at 0x18 starts without a dictionary reset (control byte 0x02)");
	l2.len = 0;
	put(&l2, "\x80\x00\x00\x00\x04", 5);
	expect_l2(&l2, 1, -XEN_EINVAL, "xz: LZMA2 data at 0x18 starts without a dictionary reset (control byte 0x80)");
	l2.len = 0;
	lzma2_uncompressed(&l2, true, data, 10);
	put(&l2, "\x03", 1);
	expect_l2(&l2, 10, -XEN_EINVAL, "xz: invalid LZMA2 control byte 0x03 at 0x25");
	l2.len = 0;
	lzma2_uncompressed(&l2, true, data, 10);
	put(&l2, "\xa0\x00\x00\x00\x04", 5);
	expect_l2(&l2, 11, -XEN_EINVAL,
		  "xz: LZMA2 chunk at 0x25 (control byte 0xa0) lacks the properties a dictionary reset requires");

	put(&packed, "\0\0\0\0\0", 5);
	l2.len = 0;
	lzma2_chunk(&l2, 0xe0, 1, &packed, 225);
	expect_l2(&l2, 1, -XEN_EINVAL, "xz: invalid LZMA properties byte 0xe1 at 0x1d");
	l2.len = 0;
	lzma2_chunk(&l2, 0xe0, 1, &packed, (0 * 5 + 2) * 9 + 3);
	expect_l2(&l2, 1, -XEN_EINVAL, "xz: LZMA properties at 0x1d: lc 3 + lp 2 exceed 4, LZMA2's limit");
	l2.len = 0;
	lzma2_chunk(&l2, 0xe0, 1, &packed, 93);
	expect_l2(&l2, 1, -XEN_EINVAL,
		  "xz: corrupt LZMA chunk at 0x1e: its 0x5 bytes end before its output does (0x0 of 0x1 bytes)");
	free(l2.p);
	free(packed.p);
}

/* One LZMA chunk (control 0xe0, props of e) wrapped in a stream, with 'usize' declared. */
static void expect_lzma(struct lzma_enc *e, size_t usize, int rc, const char *part)
{
	struct buf l2 = { 0 };

	lzma2_chunk(&l2, 0xe0, usize, &e->out, (int)((e->pb * 5 + e->lp) * 9 + e->lc));
	put8(&l2, 0);
	if (rc == 0) {
		memcpy(data, e->hist, usize);
		expect_l2(&l2, usize, 0, NULL);
	} else {
		struct buf b = { 0 };
		struct xz_writer w;
		struct xz_block_opts o = { .dict = 8 };

		xz_begin(&w, &b, T_XZ_CHECK_NONE);
		xz_block(&w, &o, &l2, data, usize);
		xz_end(&w);
		expect_error_has(b.p, b.len, 4096, rc, part);
		free(b.p);
	}
	free(l2.p);
}

/* Every kind of symbol, each model, long and short lengths and distances. */
static void encode_everything(struct lzma_enc *e, unsigned int seed)
{
	srand(seed);
	for (int i = 0; i < 300; i++)
		lze_literal(e, (uint8_t)(rand() % 7 + 'a'));
	lze_match(e, 4, 8);    /* distance slot < 4 */
	lze_literal(e, 'Z');   /* matched literal */
	lze_match(e, 9, 2);    /* special distance bits */
	lze_match(e, 77, 11);  /* mid lengths */
	lze_match(e, 250, 40); /* high lengths; direct and align bits */
	lze_match(e, 2, 273);  /* the longest match */
	lze_rep(e, 0, 1);      /* short rep */
	lze_rep(e, 0, 5);      /* rep0 */
	lze_rep(e, 1, 3);      /* rep1 */
	lze_rep(e, 2, 20);     /* rep2 */
	lze_rep(e, 3, 9);      /* rep3 */
	lze_literal(e, 'Q');   /* matched literal after a rep */
	lze_literal(e, 'R');   /* literal after a literal */
	lze_match(e, 300, 2);  /* from the start */
	lze_rep(e, 0, 1);
	lze_literal(e, 'S'); /* after a short rep */
}

static void test_lzma_symbols(void **state)
{
	static const unsigned int props[][3] = { { 3, 0, 2 }, { 0, 0, 0 }, { 4, 0, 4 }, { 0, 4, 4 }, { 1, 3, 1 } };
	struct lzma_enc *e = malloc(sizeof(*e));

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(props); i++) {
		lze_init(e, props[i][0], props[i][1], props[i][2]);
		encode_everything(e, (unsigned int)i);
		lze_flush(e);
		assert_true(e->pos <= sizeof(data));
		expect_lzma(e, e->pos, 0, NULL);
		lze_free(e);
	}
	free(e);
}

/*
 * Chunks that continue the state (0x80), reset it (0xa0), change the
 * properties (0xc0) and reset the dictionary (0xe0, where positions and
 * distances restart), with uncompressed chunks between.
 */
static void test_lzma_chunk_sequence(void **state)
{
	struct lzma_enc *e = malloc(sizeof(*e));
	struct buf l2 = { 0 }, b = { 0 };
	struct xz_writer w;
	struct xz_block_opts o = { .dict = 8, .sizes = true };
	static uint8_t expect[8192];
	size_t n = 0, start;

	(void)state;
	lze_init(e, 3, 1, 2);
#define CHUNK(ctrl, props)                                                  \
	do {                                                                \
		lze_flush(e);                                               \
		lzma2_chunk(&l2, (ctrl), e->pos - start, &e->out, (props)); \
		memcpy(expect + n, e->hist + start, e->pos - start);        \
		n += e->pos - start;                                        \
		e->out.len = 0;                                             \
	} while (0)

	start = 0;
	encode_everything(e, 1);
	CHUNK(0xe0, (2 * 5 + 1) * 9 + 3);
	start = e->pos;
	encode_everything(e, 2);
	CHUNK(0x80, -1);
	lzma2_uncompressed(&l2, false, "uncompressed", 12);
	memcpy(expect + n, "uncompressed", 12);
	n += 12;
	lze_raw(e, "uncompressed", 12);
	start = e->pos;
	lze_rep(e, 0, 7); /* state and rep0 carry over the uncompressed chunk */
	lze_literal(e, 'x');
	CHUNK(0x80, -1);
	lze_reset(e, 3, 1, 2, false);
	start = e->pos;
	encode_everything(e, 3);
	CHUNK(0xa0, -1);
	lze_reset(e, 0, 2, 1, false);
	start = e->pos;
	encode_everything(e, 4);
	CHUNK(0xc0, (1 * 5 + 2) * 9 + 0);
	lze_reset(e, 2, 2, 3, true);
	start = 0;
	lze_literal(e, 'A'); /* an odd number of bytes, so positions matter */
	encode_everything(e, 5);
	CHUNK(0xe0, (3 * 5 + 2) * 9 + 2);
#undef CHUNK
	put8(&l2, 0);
	assert_true(n <= sizeof(expect));

	xz_begin(&w, &b, T_XZ_CHECK_CRC64);
	xz_block(&w, &o, &l2, expect, n);
	xz_end(&w);
	expect_roundtrip(b.p, b.len, expect, n);
	check_truncations(b.p, b.len, n);
	lze_free(e);
	free(e);
	free(l2.p);
	free(b.p);
}

static void test_lzma_errors(void **state)
{
	struct lzma_enc *e = malloc(sizeof(*e));
	size_t n;

	(void)state;
	lze_init(e, 3, 0, 2);
	lze_literal(e, 'a');
	lze_literal(e, 'b');
	lze_end_marker(e);
	lze_flush(e);
	expect_lzma(e, 10, -XEN_EINVAL, "an end marker, which LZMA2 does not allow");
	lze_free(e);

	lze_init(e, 3, 0, 2);
	lze_literal(e, 'a');
	lze_literal(e, 'b');
	lze_literal(e, 'c');
	lze_match(e, 10, 2);
	lze_flush(e);
	expect_lzma(e, 5, -XEN_EINVAL,
		    "match distance 0xa reaches before the 0x3 bytes decoded since the dictionary reset");
	lze_free(e);

	lze_init(e, 3, 0, 2);
	lze_rep(e, 0, 1);
	lze_flush(e);
	expect_lzma(e, 1, -XEN_EINVAL,
		    "match distance 0x1 reaches before the 0x0 bytes decoded since the dictionary reset");
	lze_free(e);

	lze_init(e, 3, 0, 2);
	lze_literal(e, 'a');
	lze_rep(e, 1, 4); /* rep1 is 0 after a reset: distance 1, fine */
	lze_rep(e, 3, 2);
	lze_match(e, 8, 2); /* 7 bytes so far: too far */
	lze_flush(e);
	expect_lzma(e, 9, -XEN_EINVAL, "match distance 0x8 reaches before the 0x7 bytes");
	lze_free(e);

	lze_init(e, 3, 0, 2);
	for (int i = 0; i < 5; i++)
		lze_literal(e, 'a');
	lze_match(e, 1, 10);
	lze_flush(e);
	expect_lzma(e, 8, -XEN_EINVAL, "a match of 10 bytes runs 0x7 bytes past the end of its chunk");
	/* Declared longer than the data: the range coder runs out. */
	expect_lzma(e, 200, -XEN_EINVAL, "bytes end before its output does (0x");
	n = e->out.len;
	e->out.len = 3;
	expect_lzma(e, 15, -XEN_EINVAL, "LZMA chunk data at 0x1e is only 3 bytes (at least 5)");
	e->out.len = n;
	e->out.p[0] = 1;
	expect_lzma(e, 15, -XEN_EINVAL, "corrupt LZMA chunk at 0x1e: the range coder's first byte is 0x01, not 0");
	e->out.p[0] = 0;
	put(&e->out, "\0\0\0", 3);
	snprintf(want, sizeof(want), "its output is complete after 0x%zx of its 0x%zx bytes", n, n + 3);
	expect_lzma(e, 15, -XEN_EINVAL, want);
	e->out.len = n;
	e->out.p[n - 1] ^= 0x01;
	expect_lzma(e, 15, -XEN_EINVAL, "the range decoder does not finish cleanly");
	lze_free(e);
	free(e);
}

/* ----------------------------------------------------------- the xz tool */

struct dataset {
	const char *name;
	uint8_t *p;
	size_t n;
};

static struct dataset sets[6];

static void make_sets(void)
{
	if (sets[0].p)
		return;
	sets[0] = (struct dataset){ "empty", malloc(1), 0 };
	sets[1] = (struct dataset){ "one byte", (uint8_t *)strdup("x"), 1 };
	sets[2] = (struct dataset){ "text", gen_text(100000, 1), 100000 };
	sets[3] = (struct dataset){ "random", gen_random(50000, 2), 50000 };
	sets[4].name = "x86 code";
	sets[4].p = gen_x86(&sets[4].n);
	sets[4].n = MIN(sets[4].n, (size_t)150000);
	sets[5] = (struct dataset){ "zeros", calloc(1, 1 << 19), 1 << 19 };
}

static const char *const xz_cmds[] = {
	"xz -T1 --check=crc32 --x86 --lzma2=preset=6", /* Linux's, apart from the dictionary size */
	"xz -T1 --check=crc32 --x86 --lzma2=preset=9,dict=1MiB",
	"xz -T1 --check=crc64",
	"xz -T1 --check=none -0",
	"xz -T1 -9e",
	"xz -T1 --lzma2=preset=1,lc=0,lp=4,pb=4",
	"xz -T1 --lzma2=preset=1,lc=4,lp=0,pb=0",
	"xz -T1 --lzma2=preset=1,lc=1,lp=3,pb=2",
	"xz -T1 --lzma2=preset=6,dict=4KiB",
	"xz -T1 --x86=start=1234567 --lzma2=preset=2",
	"xz -T1 --block-size=40000 --check=crc32",
	"xz -T2 --block-size=30000 --check=crc64",
	"xz -T1 --lzma2=preset=0,mode=fast,mf=hc3",
};

static bool need_xz(void)
{
	if (have_tool("xz"))
		return true;
	print_message("xz is not installed (package xz-utils): skipping the tests against its output\n");
	return false;
}

static void test_xz_tool(void **state)
{
	(void)state;
	if (!need_xz()) {
		skip();
		return;
	}
	make_sets();
	for (size_t c = 0; c < ARRAY_SIZE(xz_cmds); c++) {
		for (size_t d = 0; d < ARRAY_SIZE(sets); d++) {
			size_t clen;
			uint8_t *comp = run_tool(xz_cmds[c], sets[d].p, sets[d].n, &clen);

			if (!comp)
				fail_msg("%s failed", xz_cmds[c]);
			print_message("  %-52s %-8s %8zu -> %8zu\n", xz_cmds[c], sets[d].name, sets[d].n, clen);
			expect_roundtrip(comp, clen, sets[d].p, sets[d].n);
			free(comp);
		}
	}
}

/* What Linux builds: xz_wrap.sh's options, then the size appended. */
static void test_xz_linux_payload(void **state)
{
	uint8_t *comp, *with_size;
	size_t clen;
	uint64_t size;

	(void)state;
	if (!need_xz()) {
		skip();
		return;
	}
	make_sets();
	comp = run_tool("xz --format=xz --check=crc32 --x86 --lzma2=preset=6e,dict=32MiB", sets[4].p, sets[4].n, &clen);
	assert_non_null(comp);
	with_size = malloc(clen + 4);
	memcpy(with_size, comp, clen);
	set32le(with_size + clen, (uint32_t)sets[4].n);
	expect_roundtrip(with_size, clen + 4, sets[4].p, sets[4].n);
	assert_int_equal(decompressed_size(with_size, clen + 4, &size), 0);
	assert_int_equal(size, sets[4].n);
	free(comp);
	free(with_size);
}

static void test_xz_tool_unsupported(void **state)
{
	static const struct {
		const char *cmd;
		int rc;
		const char *part;
	} cases[] = {
		{ "xz -T1 --check=sha256", -XEN_EOPNOTSUPP, "uses a SHA-256 check, which is not supported" },
		{ "xz -T1 --delta=dist=4 --lzma2", -XEN_EOPNOTSUPP, "unsupported filter 0x3 (delta) at 0xe" },
		{ "xz -T1 --arm --lzma2", -XEN_EOPNOTSUPP, "unsupported filter 0x7 (ARM BCJ)" },
		{ "xz -T1 --armthumb --lzma2", -XEN_EOPNOTSUPP, "unsupported filter 0x8 (ARM-Thumb BCJ)" },
		{ "xz -T1 --powerpc --lzma2", -XEN_EOPNOTSUPP, "unsupported filter 0x5 (PowerPC BCJ)" },
		{ "xz -T1 --ia64 --lzma2", -XEN_EOPNOTSUPP, "unsupported filter 0x6 (IA-64 BCJ)" },
		{ "xz -T1 --sparc --lzma2", -XEN_EOPNOTSUPP, "unsupported filter 0x9 (SPARC BCJ)" },
		{ "xz -T1 --x86 --delta --lzma2", -XEN_EOPNOTSUPP, "unsupported filter 0x3 (delta) at 0x10" },
		{ "xz -T1 --format=lzma", -XEN_EOPNOTSUPP, "LZMA (.lzma)-compressed data is not supported" },
		{ "xz -T1 --format=raw 2>/dev/null", -XEN_ENOEXEC, "not gzip or xz data: unknown magic" },
	};

	(void)state;
	if (!need_xz()) {
		skip();
		return;
	}
	make_sets();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t clen;
		uint8_t *comp = run_tool(cases[i].cmd, sets[2].p, 1000, &clen);

		assert_non_null(comp);
		expect_error_has(comp, clen, 2000, cases[i].rc, cases[i].part);
		free(comp);
	}
}

static void test_xz_truncations_and_flips(void **state)
{
	static const char *const cmds[] = {
		"xz -T1 --check=crc32 --x86 --lzma2=preset=6",
		"xz -T1 --check=crc64 --block-size=700",
		"xz -T2 --check=none --block-size=1000",
	};
	uint8_t *sample;
	size_t n = 3000;

	(void)state;
	if (!need_xz()) {
		skip();
		return;
	}
	make_sets();
	sample = malloc(n);
	memcpy(sample, sets[2].p, n / 2);
	memcpy(sample + n / 2, sets[4].p + 4096, n - n / 2); /* half text, half code */
	for (size_t c = 0; c < ARRAY_SIZE(cmds); c++) {
		size_t clen;
		uint8_t *comp = run_tool(cmds[c], sample, n, &clen);
		unsigned int rejected;

		assert_non_null(comp);
		check_truncations(comp, clen, n);
		rejected =
			check_bitflips(comp, clen, sample, n, 3000, strstr(cmds[c], "none") == NULL, (unsigned int)c);
		print_message("  %s: %zu truncations, %u of 3000 bit flips rejected\n", cmds[c], clen, rejected);
		assert_true(rejected > 2500);
		free(comp);
	}
	free(sample);
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
		free(sets[i].p);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_built_valid),
		cmocka_unit_test(test_built_empty_and_chunks),
		cmocka_unit_test(test_stream_header_errors),
		cmocka_unit_test(test_block_header_errors),
		cmocka_unit_test(test_filter_chains),
		cmocka_unit_test(test_block_sizes_padding_check),
		cmocka_unit_test(test_index_errors),
		cmocka_unit_test(test_footer_errors),
		cmocka_unit_test(test_truncation_messages),
		cmocka_unit_test(test_concatenation_and_size),
		cmocka_unit_test(test_no_space_messages),
		cmocka_unit_test(test_lzma2_control),
		cmocka_unit_test(test_lzma_symbols),
		cmocka_unit_test(test_lzma_chunk_sequence),
		cmocka_unit_test(test_lzma_errors),
		cmocka_unit_test(test_xz_tool),
		cmocka_unit_test(test_xz_linux_payload),
		cmocka_unit_test(test_xz_tool_unsupported),
		cmocka_unit_test(test_xz_truncations_and_flips),
	};

	return cmocka_run_group_tests_name("lib/unxz", tests, NULL, teardown);
}
