/*
 * Unit tests for lib/inflate.c through decompress(): gzip members built bit
 * by bit here (stored, fixed and dynamic blocks, codes long enough to need
 * second-level tables, every header field, every malformed code and
 * block), then the gzip tool's output at -1 and -9 on several kinds of data
 * when gzip is installed, with truncation at every offset and random bit
 * flips. Exact-size heap buffers let ASan see any stray access.
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

static char want[1024];

/* A member whose deflate data is in 'd' and decodes to 'orig'. */
static void member(struct buf *out, struct buf *d, const void *orig, size_t n)
{
	out->len = 0;
	gz_member(out, d, orig, n);
}

/* The member must decode, and every prefix of it fail (when it is small enough to try them all quickly). */
static void roundtrip_deflate(struct buf *d, const void *orig, size_t n)
{
	struct buf g = { 0 };

	member(&g, d, orig, n);
	expect_roundtrip(g.p, g.len, orig, n);
	if (g.len + n < 20000)
		check_truncations(g.p, g.len, n);
	free(g.p);
}

static void expect_deflate_error(struct buf *d, size_t n, int rc, const char *part)
{
	static uint8_t zeros[4096];
	struct buf g = { 0 };

	member(&g, d, zeros, n);
	expect_error_has(g.p, g.len, 4096, rc, part);
	free(g.p);
}

/* ------------------------------------------------------- stored, fixed */

static void stored(struct bits *w, bool final, const void *p, size_t n)
{
	bits_put(w, final, 1);
	bits_put(w, 0, 2);
	bits_flush(w);
	put16le(w->b, (unsigned int)n);
	put16le(w->b, (unsigned int)~n & 0xffff);
	put(w->b, p, n);
}

static void test_stored_blocks(void **state)
{
	uint8_t *data = gen_random(70000, 3);
	struct buf d = { 0 };
	struct bits w = { &d, 0, 0 };

	(void)state;
	stored(&w, false, data, 0);
	stored(&w, false, data, 65535);
	stored(&w, false, data + 65535, 1);
	/* a fixed block with a literal, leaving the next stored block's header mid-byte */
	bits_put(&w, 0, 1);
	bits_put(&w, 1, 2);
	fixed_lit(&w, data[65536]);
	fixed_lit(&w, 256);
	stored(&w, true, data + 65537, 70000 - 65537);
	roundtrip_deflate(&d, data, 70000);

	/* LEN and NLEN disagree */
	d.len = 0;
	w = (struct bits){ &d, 0, 0 };
	stored(&w, true, data, 10);
	d.p[3] ^= 1;
	expect_deflate_error(&d, 10, -XEN_EINVAL,
			     "gzip: corrupt DEFLATE data at 0xb: stored block length 0x000a and its complement 0xfff4 "
			     "disagree");
	free(d.p);
	free(data);
}

/* Length and distance symbols for a match (RFC 1951 3.2.5), with extra bits. */
static void fixed_match(struct bits *w, unsigned int len, unsigned int dist)
{
	static const uint16_t lbase[29] = { 3,	4,  5,	6,  7,	8,  9,	10, 11,	 13,  15,  17,	19,  23, 27,
					    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
	static const uint16_t dbase[30] = { 1,	  2,	3,    4,    5,	  7,	9,    13,    17,    25,
					    33,	  49,	65,   97,   129,  193,	257,  385,   513,   769,
					    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577 };
	unsigned int l = 28, d = 29;

	while (lbase[l] > len)
		l--;
	if (len == 258)
		l = 28;
	else if (l == 28)
		l = 27;
	fixed_lit(w, 257 + l);
	if (l >= 8 && l < 28)
		bits_put(w, len - lbase[l], l / 4 - 1);
	while (dbase[d] > dist)
		d--;
	fixed_dist(w, d);
	if (d >= 4)
		bits_put(w, dist - dbase[d], d / 2 - 1);
}

static void test_fixed_block(void **state)
{
	static uint8_t out[70000];
	struct buf d = { 0 };
	struct bits w = { &d, 0, 0 };
	size_t n = 0;

	(void)state;
	bits_put(&w, 1, 1);
	bits_put(&w, 1, 2);
	for (unsigned int c = 0; c < 256; c++) {
		fixed_lit(&w, c);
		out[n++] = (uint8_t)c;
	}
	/* every length symbol with the most extra bits, at growing distances */
	for (unsigned int len = 3, dist = 1; len <= 258;
	     len += len < 20 ? 1 : 13, dist = dist > 20000 ? 7 : dist * 3 + 1) {
		if (dist > n)
			dist = (unsigned int)n;
		fixed_match(&w, len, dist);
		for (unsigned int i = 0; i < len; i++, n++)
			out[n] = out[n - dist];
	}
	fixed_match(&w, 258, 1);
	for (unsigned int i = 0; i < 258; i++, n++)
		out[n] = out[n - 1];
	while (n < 32768 + 300) {
		fixed_lit(&w, n % 251);
		out[n] = (uint8_t)(n % 251);
		n++;
	}
	fixed_match(&w, 100, 32768); /* the largest distance */
	for (unsigned int i = 0; i < 100; i++, n++)
		out[n] = out[n - 32768];
	fixed_match(&w, 5, 24577);
	for (unsigned int i = 0; i < 5; i++, n++)
		out[n] = out[n - 24577];
	fixed_lit(&w, 256);
	bits_flush(&w);
	roundtrip_deflate(&d, out, n);
	free(d.p);
}

static void test_fixed_block_errors(void **state)
{
	struct buf d = { 0 };
	struct bits w = { &d, 0, 0 };

	(void)state;
	bits_put(&w, 1, 1);
	bits_put(&w, 1, 2);
	fixed_lit(&w, 'a');
	fixed_lit(&w, 286);
	bits_flush(&w);
	expect_deflate_error(&d, 1, -XEN_EINVAL,
			     "gzip: corrupt DEFLATE data at 0xc: invalid literal/length symbol 286");

	d.len = 0;
	w = (struct bits){ &d, 0, 0 };
	bits_put(&w, 1, 1);
	bits_put(&w, 1, 2);
	fixed_lit(&w, 'a');
	fixed_lit(&w, 257);
	fixed_dist(&w, 30);
	bits_flush(&w);
	expect_deflate_error(&d, 4, -XEN_EINVAL, "gzip: corrupt DEFLATE data at 0xc: invalid distance symbol 30");

	d.len = 0;
	w = (struct bits){ &d, 0, 0 };
	bits_put(&w, 1, 1);
	bits_put(&w, 1, 2);
	fixed_lit(&w, 'a');
	fixed_lit(&w, 'b');
	fixed_match(&w, 3, 3);
	fixed_lit(&w, 256);
	bits_flush(&w);
	expect_deflate_error(&d, 5, -XEN_EINVAL,
			     "gzip: corrupt DEFLATE data at 0xd: distance 3 reaches before the start of the "
			     "member's output (0x2 bytes so far)");

	d.len = 0;
	w = (struct bits){ &d, 0, 0 };
	bits_put(&w, 1, 1);
	bits_put(&w, 3, 2);
	bits_flush(&w);
	expect_deflate_error(&d, 0, -XEN_EINVAL, "gzip: corrupt DEFLATE data at 0xa: block type 3, which is reserved");
	free(d.p);
}

/* ------------------------------------------------------------ dynamic */

static const uint8_t clen_order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };

static void canon(const uint8_t *lens, unsigned int n, uint16_t *codes)
{
	unsigned int count[16] = { 0 }, next[16], code = 0;

	for (unsigned int s = 0; s < n; s++)
		count[lens[s]]++;
	count[0] = 0;
	for (unsigned int l = 1; l < 16; l++) {
		code = (code + count[l - 1]) << 1;
		next[l] = code;
	}
	for (unsigned int s = 0; s < n; s++)
		if (lens[s])
			codes[s] = (uint16_t)next[lens[s]]++;
}

struct dyn {
	uint8_t lens[286 + 30];
	unsigned int nlit, ndist;
	uint16_t litc[286], distc[30];
};

/*
 * A dynamic block header sending d's code lengths one by one, with a code
 * length code in which 0..15 have 4-bit codes (their own value).
 */
static void dyn_header(struct bits *w, struct dyn *d, bool final)
{
	bits_put(w, final, 1);
	bits_put(w, 2, 2);
	bits_put(w, d->nlit - 257, 5);
	bits_put(w, d->ndist - 1, 5);
	bits_put(w, 19 - 4, 4);
	for (unsigned int i = 0; i < 19; i++)
		bits_put(w, clen_order[i] < 16 ? 4 : 0, 3);
	for (unsigned int i = 0; i < d->nlit + d->ndist; i++)
		bits_code(w, d->lens[i], 4);
	canon(d->lens, d->nlit, d->litc);
	canon(d->lens + d->nlit, d->ndist, d->distc);
}

static void dyn_lit(struct bits *w, const struct dyn *d, unsigned int sym)
{
	bits_code(w, d->litc[sym], d->lens[sym]);
}

static void dyn_dist(struct bits *w, const struct dyn *d, unsigned int sym)
{
	bits_code(w, d->distc[sym], d->lens[d->nlit + sym]);
}

static void test_dynamic_blocks(void **state)
{
	static const unsigned int lits[] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 256, 257, 258, 265 };
	struct buf d = { 0 };
	struct bits w = { &d, 0, 0 };
	struct dyn dy;
	uint8_t out[200];
	size_t n = 0;

	(void)state;
	/* A small complete code: four 3-bit and eight 4-bit codes; four 2-bit distances. */
	memset(&dy, 0, sizeof(dy));
	dy.nlit = 266;
	dy.ndist = 30;
	for (unsigned int i = 0; i < ARRAY_SIZE(lits); i++)
		dy.lens[lits[i]] = i < 4 ? 3 : 4;
	dy.lens[266 + 0] = dy.lens[266 + 1] = dy.lens[266 + 4] = dy.lens[266 + 29] = 2;
	dyn_header(&w, &dy, false);
	for (unsigned int c = 'a'; c <= 'h'; c++) {
		dyn_lit(&w, &dy, c);
		out[n++] = (uint8_t)c;
	}
	dyn_lit(&w, &dy, 265); /* length 11 + 1 */
	bits_put(&w, 1, 1);
	dyn_dist(&w, &dy, 4); /* distance 5 + 1 */
	bits_put(&w, 1, 1);
	for (int i = 0; i < 12; i++, n++)
		out[n] = out[n - 6];
	dyn_lit(&w, &dy, 257);
	dyn_dist(&w, &dy, 0);
	for (int i = 0; i < 3; i++, n++)
		out[n] = out[n - 1];
	dyn_lit(&w, &dy, 256);

	/*
	 * A skewed code needing second-level tables: lengths 1 .. 14 for 'a' ..
	 * 'n', 15 for end-of-block and length 3; distances alike.
	 */
	memset(&dy, 0, sizeof(dy));
	dy.nlit = 258;
	dy.ndist = 16;
	for (unsigned int i = 0; i < 14; i++)
		dy.lens['a' + i] = (uint8_t)(i + 1);
	dy.lens[256] = dy.lens[257] = 15;
	for (unsigned int i = 0; i < 14; i++)
		dy.lens[258 + i] = (uint8_t)(i + 1);
	dy.lens[258 + 14] = dy.lens[258 + 15] = 15;
	dyn_header(&w, &dy, true);
	for (unsigned int i = 0; i < 3 * 14; i++) {
		dyn_lit(&w, &dy, 'a' + i % 14);
		out[n++] = (uint8_t)('a' + i % 14);
	}
	/* distance symbols 12 (65 .. 96, 5 extra bits, a 13-bit code) and 8 (17 .. 24) */
	dyn_lit(&w, &dy, 257);
	dyn_dist(&w, &dy, 12);
	bits_put(&w, 0, 5);
	for (int i = 0; i < 3; i++, n++)
		out[n] = out[n - 65];
	dyn_lit(&w, &dy, 257);
	dyn_dist(&w, &dy, 8); /* 17 .. 24: 3 extra bits */
	bits_put(&w, 7, 3);
	for (int i = 0; i < 3; i++, n++)
		out[n] = out[n - 24];
	dyn_lit(&w, &dy, 256);
	bits_flush(&w);
	roundtrip_deflate(&d, out, n);
	free(d.p);
}

/* Headers with a code length code that includes the repeat codes. */
struct clen_seq {
	uint8_t sym, extra_bits;
	uint8_t extra;
};

static void dyn_header_raw(struct bits *w, unsigned int nlit, unsigned int ndist, const uint8_t clen[19],
			   const struct clen_seq *seq, size_t nseq)
{
	uint16_t codes[19];

	bits_put(w, 1, 1);
	bits_put(w, 2, 2);
	bits_put(w, nlit - 257, 5);
	bits_put(w, ndist - 1, 5);
	bits_put(w, 19 - 4, 4);
	for (unsigned int i = 0; i < 19; i++)
		bits_put(w, clen[clen_order[i]], 3);
	canon(clen, 19, codes);
	for (size_t i = 0; i < nseq; i++) {
		bits_code(w, codes[seq[i].sym], clen[seq[i].sym]);
		bits_put(w, seq[i].extra, seq[i].extra_bits);
	}
}

/* 0..12: 4 bits, 13..18: 5 bits: complete. */
static const uint8_t clen_all[19] = { 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5 };

static void expect_header(unsigned int nlit, unsigned int ndist, const uint8_t clen[19], const struct clen_seq *seq,
			  size_t nseq, int rc, const char *part)
{
	struct buf d = { 0 };
	struct bits w = { &d, 0, 0 };

	dyn_header_raw(&w, nlit, ndist, clen, seq, nseq);
	/* then, if the header was accepted: end-of-block as a 1-bit code */
	bits_put(&w, 0, 8);
	bits_flush(&w);
	expect_deflate_error(&d, 0, rc, part);
	free(d.p);
}

static void test_dynamic_header_errors(void **state)
{
	/* 257 literal/length and 1 distance lengths: EOB and one literal of 1 bit, one distance of 1 bit */
	const struct clen_seq ok[] = {
		{ 18, 7, 138 - 11 }, { 18, 7, 117 - 11 }, { 1, 0, 0 }, { 1, 0, 0 }, { 1, 0, 0 }
	};
	const struct clen_seq rep_first[] = { { 16, 2, 0 } };
	const struct clen_seq rep_past[] = { { 18, 7, 138 - 11 }, { 18, 7, 118 - 11 }, { 1, 0, 0 }, { 16, 2, 0 } };
	const struct clen_seq no_eob[] = {
		{ 1, 0, 0 }, { 1, 0, 0 }, { 18, 7, 138 - 11 }, { 18, 7, 118 - 11 }, { 1, 0, 0 }
	};
	const struct clen_seq three_1bit[] = { { 18, 7, 138 - 11 }, { 18, 7, 117 - 11 }, { 1, 0, 0 },
					       { 1, 0, 0 },	    { 1, 0, 0 },	 { 1, 0, 0 } };
	const struct clen_seq two_2bit[] = {
		{ 18, 7, 138 - 11 }, { 18, 7, 118 - 11 }, { 2, 0, 0 }, { 2, 0, 0 }, { 1, 0, 0 }
	};
	const struct clen_seq no_dist[] = { { 18, 7, 138 - 11 }, { 18, 7, 117 - 11 }, { 1, 0, 0 },
					    { 1, 0, 0 },	 { 0, 0, 0 },	      { 0, 0, 0 } };
	uint8_t clen_over[19] = { 0 }, clen_inc[19] = { 0 };
	struct buf d = { 0 };
	struct bits w = { &d, 0, 0 };

	(void)state;
	/* the base case is valid: a block of nothing, with 'ok' */
	dyn_header_raw(&w, 257, 1, clen_all, ok, ARRAY_SIZE(ok));
	bits_put(&w, 1, 1); /* EOB: 255 has code 0, 256 code 1 */
	bits_flush(&w);
	roundtrip_deflate(&d, "", 0);

	/* literals only: no distance code at all; a match then hits no code */
	d.len = 0;
	w = (struct bits){ &d, 0, 0 };
	dyn_header_raw(&w, 258, 1, clen_all, no_dist, ARRAY_SIZE(no_dist));
	bits_put(&w, 0, 1); /* literal 255 */
	bits_put(&w, 1, 1); /* EOB */
	bits_flush(&w);
	roundtrip_deflate(&d, "\xff", 1);

	expect_header(287, 1, clen_all, ok, 0, -XEN_EINVAL,
		      "a dynamic block with 287 literal/length and 1 distance codes (at most 286 and 30)");
	expect_header(257, 31, clen_all, ok, 0, -XEN_EINVAL,
		      "a dynamic block with 257 literal/length and 31 distance codes (at most 286 and 30)");
	expect_header(257, 1, clen_all, rep_first, ARRAY_SIZE(rep_first), -XEN_EINVAL,
		      "a dynamic block repeats the previous code length before the first");
	expect_header(257, 1, clen_all, rep_past, ARRAY_SIZE(rep_past), -XEN_EINVAL,
		      "code lengths repeat past the 258 a dynamic block declared");
	expect_header(257, 1, clen_all, no_eob, ARRAY_SIZE(no_eob), -XEN_EINVAL,
		      "a dynamic block without an end-of-block code");
	expect_header(258, 1, clen_all, three_1bit, ARRAY_SIZE(three_1bit), -XEN_EINVAL,
		      "over-subscribed literal/length code (too many codes of 1 bits)");
	expect_header(257, 1, clen_all, two_2bit, ARRAY_SIZE(two_2bit), -XEN_EINVAL, "incomplete literal/length code");
	clen_over[0] = clen_over[1] = clen_over[2] = 1;
	expect_header(257, 1, clen_over, ok, 0, -XEN_EINVAL,
		      "over-subscribed code length code (too many codes of 1 bits)");
	clen_inc[1] = 1;
	expect_header(257, 1, clen_inc, ok, 0, -XEN_EINVAL, "incomplete code length code");
	free(d.p);
}

static void test_single_distance_code(void **state)
{
	/* one distance code of one bit: valid; its other half matches nothing */
	const struct clen_seq seq[] = { { 0, 0, 0 }, { 1, 0, 0 }, { 18, 7, 138 - 11 }, { 18, 7, 116 - 11 },
					{ 2, 0, 0 }, { 2, 0, 0 }, { 1, 0, 0 } };
	struct buf d = { 0 };
	struct bits w = { &d, 0, 0 };

	(void)state;
	/* literal 1: 1 bit (code 0); 256, 257: 2 bits (10, 11); distance 0: 1 bit */
	dyn_header_raw(&w, 258, 1, clen_all, seq, ARRAY_SIZE(seq));
	bits_code(&w, 0, 1); /* literal 0x01 */
	bits_code(&w, 3, 2); /* length 3 */
	bits_code(&w, 0, 1); /* distance 1 */
	bits_code(&w, 2, 2); /* EOB */
	bits_flush(&w);
	roundtrip_deflate(&d, "\1\1\1\1", 4);

	d.len = 0;
	w = (struct bits){ &d, 0, 0 };
	dyn_header_raw(&w, 258, 1, clen_all, seq, ARRAY_SIZE(seq));
	bits_code(&w, 0, 1);
	bits_code(&w, 3, 2);
	bits_code(&w, 1, 1); /* no such distance code */
	bits_code(&w, 2, 2);
	bits_flush(&w);
	expect_deflate_error(&d, 4, -XEN_EINVAL, "no distance code matches the input");
	free(d.p);
}

/* ------------------------------------------------------- header, trailer */

static void test_header_fields(void **state)
{
	static const uint8_t deflate_hi[] = { 0xcb, 0xc8, 0x04, 0x00 }; /* fixed block "hi" */
	struct buf g = { 0 };
	uint16_t crc16;

	(void)state;
	/* FTEXT, FEXTRA, FNAME, FCOMMENT and FHCRC together */
	put(&g, "\x1f\x8b\x08\x1f\0\0\0\0\0\3", 10);
	put16le(&g, 6);
	put(&g, "AB\2\0xy", 6);
	put(&g, "name.txt", 9);
	put(&g, "a comment", 10);
	crc16 = (uint16_t)ref_crc32(g.p, g.len);
	put16le(&g, crc16);
	put(&g, deflate_hi, sizeof(deflate_hi));
	put32le(&g, ref_crc32("hi", 2));
	put32le(&g, 2);
	expect_roundtrip(g.p, g.len, "hi", 2);
	check_truncations(g.p, g.len, 2);

	expect_error(g.p, 5, 16, -XEN_EINVAL,
		     "gzip: truncated input: it ends at 0x5, inside the header of the member at 0x0");
	expect_error(g.p, 11, 16, -XEN_EINVAL,
		     "gzip: truncated input: it ends at 0xb, inside the extra field of the member at 0x0");
	expect_error(g.p, 15, 16, -XEN_EINVAL,
		     "gzip: truncated input: it ends at 0xf, inside the extra field of the member at 0x0");
	expect_error(g.p, 20, 16, -XEN_EINVAL,
		     "gzip: truncated input: it ends at 0x14, inside the file name of the member at 0x0");
	expect_error(g.p, 30, 16, -XEN_EINVAL,
		     "gzip: truncated input: it ends at 0x1e, inside the comment of the member at 0x0");
	expect_error(g.p, 38, 16, -XEN_EINVAL,
		     "gzip: truncated input: it ends at 0x26, inside the header CRC of the member at 0x0");
	expect_error(g.p, 39, 16, -XEN_EINVAL,
		     "gzip: truncated input: it ends at 0x27, inside a block header of the member at 0x0");
	expect_error(g.p, 41, 16, -XEN_EINVAL,
		     "gzip: truncated input: it ends at 0x29, inside compressed data of the member at 0x0");
	expect_error(g.p, 45, 16, -XEN_EINVAL,
		     "gzip: truncated input: it ends at 0x2d, inside the trailer of the member at 0x0");

	g.p[37] ^= 1;
	snprintf(want, sizeof(want), "gzip: member at 0x0: header CRC16 0x%04x does not match the stored 0x%04x", crc16,
		 crc16 ^ 1);
	expect_error(g.p, g.len, 16, -XEN_EINVAL, want);
	g.p[37] ^= 1;

	g.p[2] = 7;
	expect_error(g.p, g.len, 16, -XEN_EOPNOTSUPP,
		     "gzip: member at 0x0 uses compression method 7 (only 8, deflate, exists)");
	g.p[2] = 8;
	g.p[3] = 0x20;
	expect_error(g.p, g.len, 16, -XEN_EINVAL, "gzip: member at 0x0 has reserved flag bits set (flags 0x20)");
	g.p[3] = 0x1f;

	g.p[g.len - 8] ^= 1;
	snprintf(want, sizeof(want),
		 "gzip: member at 0x0: the 0x2 bytes decoded have CRC32 0x%08x, the trailer at 0x2b says 0x%08x",
		 ref_crc32("hi", 2), ref_crc32("hi", 2) ^ 1);
	expect_error(g.p, g.len, 16, -XEN_EINVAL, want);
	g.p[g.len - 8] ^= 1;
	g.p[g.len - 1] = 1;
	expect_error(g.p, g.len, 16, -XEN_EINVAL,
		     "gzip: member at 0x0: decoded 0x2 bytes, the trailer at 0x2b says 0x01000002 (mod 2^32)");
	free(g.p);
}

static void test_members_and_space(void **state)
{
	static const uint8_t deflate_hi[] = { 0xcb, 0xc8, 0x04, 0x00 };
	static const uint8_t empty[] = { 0x03, 0x00 };
	struct buf d = { 0 }, g = { 0 }, m = { 0 };
	uint64_t size;

	(void)state;
	put(&d, deflate_hi, sizeof(deflate_hi));
	gz_member(&g, &d, "hi", 2);
	d.len = 0;
	put(&d, empty, sizeof(empty));
	gz_member(&m, &d, "", 0);
	/* an empty member alone, then three members */
	expect_roundtrip(m.p, m.len, "", 0);
	put(&m, g.p, g.len);
	put(&m, g.p, g.len);
	expect_decodes(m.p, m.len, "hihi", 4);
	/* trailing bytes that do not start a member are ignored */
	put(&m, "\0\0\0\0\x1f", 5);
	expect_error(m.p, m.len, 4, 0, "");
	/* one that does must be whole */
	put8(&m, 0x8b);
	expect_error(m.p, m.len - 6, 4, 0, "");
	m.p[m.len - 6] = 0x1f;
	m.p[m.len - 5] = 0x8b;
	expect_error(m.p, m.len - 4, 4, -XEN_EINVAL,
		     "gzip: truncated input: it ends at 0x42, inside the header of the member at 0x40");

	/* too small: ISIZE gives the size it needs */
	expect_error(g.p, g.len, 1, -XEN_ENOSPC,
		     "gzip: output buffer too small: 0x1 bytes, the input's last four bytes (ISIZE) say 0x2");
	/* ... unless it is no help (here the last member's ISIZE is 2, the output 4) */
	m.len = 0;
	put(&m, g.p, g.len);
	put(&m, g.p, g.len);
	expect_error(m.p, m.len, 3, -XEN_ENOSPC, "gzip: output buffer too small: 0x3 bytes were not enough");
	assert_int_equal(decompressed_size(m.p, m.len, &size), 0);
	assert_int_equal(size, 2);
	assert_int_equal(decompressed_size(m.p, 19, &size), -XEN_EINVAL);
	/* a stored block that does not fit */
	d.len = 0;
	put(&d,
	    "\x01\x03\x00\xfc\xff"
	    "abc",
	    8);
	g.len = 0;
	gz_member(&g, &d, "abc", 3);
	expect_error(g.p, g.len, 2, -XEN_ENOSPC,
		     "gzip: output buffer too small: 0x2 bytes, the input's last four bytes (ISIZE) say 0x3");
	free(d.p);
	free(g.p);
	free(m.p);
}

/* ---------------------------------------------------------- the gzip tool */

static bool need_gzip(void)
{
	if (have_tool("gzip"))
		return true;
	print_message("gzip is not installed: skipping the tests against its output\n");
	return false;
}

static void test_gzip_tool(void **state)
{
	static const char *const cmds[] = { "gzip -1 -n -c", "gzip -6 -n -c", "gzip -9 -n -c", "gzip -9 -c" };
	struct {
		const char *name;
		uint8_t *p;
		size_t n;
	} sets[] = {
		{ "empty", malloc(1), 0 },
		{ "one byte", (uint8_t *)strdup("x"), 1 },
		{ "text", gen_text(200000, 4), 200000 },
		{ "random", gen_random(70000, 5), 70000 },
		{ "x86 code", NULL, 0 },
		{ "zeros", calloc(1, 1 << 20), 1 << 20 },
	};

	(void)state;
	if (!need_gzip()) {
		skip();
		return;
	}
	sets[4].p = gen_x86(&sets[4].n);
	sets[4].n = MIN(sets[4].n, (size_t)300000);
	for (size_t c = 0; c < ARRAY_SIZE(cmds); c++) {
		for (size_t d = 0; d < ARRAY_SIZE(sets); d++) {
			size_t clen;
			uint8_t *comp = run_tool(cmds[c], sets[d].p, sets[d].n, &clen);

			assert_non_null(comp);
			print_message("  %-16s %-8s %8zu -> %8zu\n", cmds[c], sets[d].name, sets[d].n, clen);
			expect_roundtrip(comp, clen, sets[d].p, sets[d].n);
			free(comp);
		}
	}
	for (size_t d = 0; d < ARRAY_SIZE(sets); d++)
		free(sets[d].p);
}

static void test_gzip_truncations_and_flips(void **state)
{
	static const char *const cmds[] = { "gzip -1 -n -c", "gzip -9 -n -c" };
	uint8_t *text = gen_text(2000, 6), *rnd = gen_random(1000, 7), *sample = malloc(3000);

	(void)state;
	if (!need_gzip()) {
		skip();
		return;
	}
	memcpy(sample, text, 2000);
	memcpy(sample + 2000, rnd, 1000);
	for (size_t c = 0; c < ARRAY_SIZE(cmds); c++) {
		size_t clen;
		uint8_t *comp = run_tool(cmds[c], sample, 3000, &clen);
		unsigned int rejected;

		assert_non_null(comp);
		check_truncations(comp, clen, 3000);
		rejected = check_bitflips(comp, clen, sample, 3000, 4000, true, (unsigned int)c + 10);
		print_message("  %s: %zu truncations, %u of 4000 bit flips rejected\n", cmds[c], clen, rejected);
		assert_true(rejected > 3500);
		free(comp);
	}
	free(text);
	free(rnd);
	free(sample);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stored_blocks),
		cmocka_unit_test(test_fixed_block),
		cmocka_unit_test(test_fixed_block_errors),
		cmocka_unit_test(test_dynamic_blocks),
		cmocka_unit_test(test_dynamic_header_errors),
		cmocka_unit_test(test_single_distance_code),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_members_and_space),
		cmocka_unit_test(test_gzip_tool),
		cmocka_unit_test(test_gzip_truncations_and_flips),
	};

	return cmocka_run_group_tests_name("lib/inflate", tests, NULL, NULL);
}
