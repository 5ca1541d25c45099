/*
 * Helpers of the decompress unit tests; see helpers.h. The writers here
 * are independent references written for the tests: what they produce is
 * checked against the gzip and xz tools' output elsewhere, and the LZMA
 * encoder's own output is decoded back by the tests that use it.
 */
#include <hv/decompress.h>
#include <hv/errno.h>
#include <hv/lib.h>

#include "hv_unrename.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "helpers.h"

char errbuf[1024];

/* ------------------------------------------------------------ running */

int dec(const void *in, size_t len, size_t cap, uint8_t **out, size_t *out_len)
{
	uint8_t *copy = malloc(len ? len : 1), *o = malloc(cap ? cap : 1);
	size_t wsize = decompress_workspace_size();
	/* an odd address: decompress() aligns the workspace itself */
	uint8_t *work = malloc(wsize + 1);
	size_t olen = 12345;
	int rc;

	assert_non_null(copy);
	assert_non_null(o);
	assert_non_null(work);
	memcpy(copy, in, len);
	memset(errbuf, 'E', sizeof(errbuf));
	rc = decompress(copy, len, cap ? o : NULL, cap, &olen, work + 1, errbuf, sizeof(errbuf));
	if (rc == 0)
		assert_string_equal(errbuf, "");
	else
		assert_int_equal(olen, 0);
	free(work);
	free(copy);
	if (out)
		*out = o;
	else
		free(o);
	if (out_len)
		*out_len = olen;
	return rc;
}

void expect_error(const void *in, size_t len, size_t cap, int rc, const char *msg)
{
	int got = dec(in, len, cap, NULL, NULL);

	if (got != rc || strcmp(errbuf, msg) != 0)
		fail_msg("got %d \"%s\"\nwant %d \"%s\"", got, errbuf, rc, msg);
}

void expect_error_has(const void *in, size_t len, size_t cap, int rc, const char *part)
{
	int got = dec(in, len, cap, NULL, NULL);

	if (got != rc || !strstr(errbuf, part))
		fail_msg("got %d \"%s\"\nwant %d and \"%s\" in the message", got, errbuf, rc, part);
}

void expect_decodes(const void *comp, size_t clen, const void *data, size_t n)
{
	uint8_t *out;
	size_t olen;
	int rc;

	rc = dec(comp, clen, n, &out, &olen);
	if (rc)
		fail_msg("decompress into exactly 0x%zx bytes: %d %s", n, rc, errbuf);
	assert_int_equal(olen, n);
	assert_memory_equal(out, data, n);
	free(out);

	rc = dec(comp, clen, n + 100, &out, &olen);
	if (rc)
		fail_msg("decompress into 0x%zx bytes: %d %s", n + 100, rc, errbuf);
	assert_int_equal(olen, n);
	assert_memory_equal(out, data, n);
	free(out);

	if (n > 0) {
		rc = dec(comp, clen, n - 1, NULL, NULL);
		if (rc != -XEN_ENOSPC || !strstr(errbuf, "output buffer too small"))
			fail_msg("into 0x%zx bytes: %d %s", n - 1, rc, errbuf);
	}
}

void expect_roundtrip(const void *comp, size_t clen, const void *data, size_t n)
{
	const uint8_t *c = comp;
	uint64_t size;

	expect_decodes(comp, clen, data, n);

	assert_int_equal(decompressed_size(comp, clen, &size), 0);
	if (c[0] == 0x1f)
		assert_int_equal(size, (uint32_t)n);
	else
		assert_int_equal(size, n);
}

void check_truncations(const void *comp, size_t clen, size_t n)
{
	for (size_t k = 0; k < clen; k++) {
		uint8_t *copy = malloc(k ? k : 1);
		uint64_t size;
		int rc = dec(comp, k, n + 16, NULL, NULL);

		if (rc != -XEN_EINVAL || strlen(errbuf) < 10)
			fail_msg("prefix of 0x%zx of 0x%zx bytes: %d \"%s\"", k, clen, rc, errbuf);
		memcpy(copy, comp, k);
		(void)decompressed_size(copy, k, &size); /* must not read out of bounds */
		free(copy);
	}
}

unsigned int check_bitflips(const void *comp, size_t clen, const void *data, size_t n, unsigned int iterations,
			    bool checked, unsigned int seed)
{
	uint8_t *copy = malloc(clen);
	unsigned int rejected = 0;

	srand(seed);
	for (unsigned int it = 0; it < iterations; it++) {
		unsigned int flips = 1 + (unsigned int)rand() % 3;
		uint8_t *out;
		size_t olen;
		uint64_t size;
		int rc;

		memcpy(copy, comp, clen);
		for (unsigned int f = 0; f < flips; f++) {
			size_t at = (size_t)rand() % clen;

			copy[at] ^= (uint8_t)(1u << (rand() % 8));
		}
		rc = dec(copy, clen, n, &out, &olen);
		if (rc == 0) {
			if (checked && (olen != n || memcmp(out, data, n) != 0))
				fail_msg("iteration %u: a corrupted stream decoded to different data", it);
		} else {
			rejected++;
			if (rc != -XEN_EINVAL && rc != -XEN_ENOSPC && rc != -XEN_EOPNOTSUPP && rc != -XEN_ENOEXEC)
				fail_msg("iteration %u: unexpected %d %s", it, rc, errbuf);
			if (strlen(errbuf) < 10)
				fail_msg("iteration %u: %d with message \"%s\"", it, rc, errbuf);
		}
		free(out);
		(void)decompressed_size(copy, clen, &size);
	}
	free(copy);
	return rejected;
}

/* -------------------------------------------------------------- tools */

#define VEC_DIR "build/unit/decompress-vectors"

bool have_tool(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p;
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	p = malloc(size ? (size_t)size : 1);
	if (p && fread(p, 1, (size_t)size, f) != (size_t)size) {
		free(p);
		p = NULL;
	}
	fclose(f);
	*len = (size_t)size;
	return p;
}

uint8_t *run_tool(const char *cmd, const void *in, size_t len, size_t *out_len)
{
	static unsigned int serial;
	char inpath[128], outpath[128], line[1024];
	uint8_t *out;
	FILE *f;

	mkdir("build", 0755);
	mkdir("build/unit", 0755);
	mkdir(VEC_DIR, 0755);
	snprintf(inpath, sizeof(inpath), VEC_DIR "/in.%d.%u", (int)getpid(), serial);
	snprintf(outpath, sizeof(outpath), VEC_DIR "/out.%d.%u", (int)getpid(), serial++);
	f = fopen(inpath, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(in, 1, len, f), len);
	fclose(f);
	snprintf(line, sizeof(line), "%s < %s > %s", cmd, inpath, outpath);
	out = system(line) == 0 ? read_file(outpath, out_len) : NULL;
	unlink(inpath);
	unlink(outpath);
	return out;
}

/* --------------------------------------------------------------- data */

uint8_t *gen_text(size_t n, unsigned int seed)
{
	static const char *const words[] = { "the ",	 "hypervisor ", "boots ", "a ",	     "kernel ", "with ",
					     "its ",	 "payload ",	"of ",	  "xz ",     "data\n",	"and ",
					     "checks ",	 "every ",	"byte; ", "LZMA2 ",  "chunk ",	"0x1f8b ",
					     "window, ", "dictionary ", "match ", "literal " };
	uint8_t *p = malloc(n ? n : 1);
	size_t i = 0;

	srand(seed);
	while (i < n) {
		const char *w = words[rand() % (int)ARRAY_SIZE(words)];

		for (; *w && i < n; w++)
			p[i++] = (uint8_t)*w;
	}
	return p;
}

uint8_t *gen_random(size_t n, unsigned int seed)
{
	uint8_t *p = malloc(n ? n : 1);
	uint64_t x = 0x9e3779b97f4a7c15ull * (seed + 1);

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x >> 24);
	}
	return p;
}

uint8_t *gen_x86(size_t *n)
{
	uint8_t *p = read_file("/proc/self/exe", n);

	assert_non_null(p);
	return p;
}

uint32_t ref_crc32(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t c = 0xffffffff;

	while (n--) {
		c ^= *b++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320 : c >> 1;
	}
	return ~c;
}

uint64_t ref_crc64(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t c = ~0ull;

	while (n--) {
		c ^= *b++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xc96c5795d7870f42ull : c >> 1;
	}
	return ~c;
}

/* ------------------------------------------------------------ writing */

void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

void put8(struct buf *b, unsigned int v)
{
	uint8_t c = (uint8_t)v;

	put(b, &c, 1);
}

void put16le(struct buf *b, unsigned int v)
{
	put8(b, v);
	put8(b, v >> 8);
}

void put16be(struct buf *b, unsigned int v)
{
	put8(b, v >> 8);
	put8(b, v);
}

void put32le(struct buf *b, uint32_t v)
{
	put16le(b, v & 0xffff);
	put16le(b, v >> 16);
}

void put64le(struct buf *b, uint64_t v)
{
	put32le(b, (uint32_t)v);
	put32le(b, (uint32_t)(v >> 32));
}

void put_vli(struct buf *b, uint64_t v)
{
	while (v >= 0x80) {
		put8(b, (unsigned int)(v & 0x7f) | 0x80);
		v >>= 7;
	}
	put8(b, (unsigned int)v);
}

void set32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void bits_put(struct bits *w, uint32_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		w->acc |= ((v >> i) & 1) << w->n;
		if (++w->n == 8) {
			put8(w->b, w->acc);
			w->acc = 0;
			w->n = 0;
		}
	}
}

void bits_code(struct bits *w, uint32_t code, unsigned int len)
{
	while (len--)
		bits_put(w, (code >> len) & 1, 1);
}

void bits_flush(struct bits *w)
{
	if (w->n)
		bits_put(w, 0, 8 - w->n);
}

void fixed_lit(struct bits *w, unsigned int sym)
{
	if (sym < 144)
		bits_code(w, 0x30 + sym, 8);
	else if (sym < 256)
		bits_code(w, 0x190 + sym - 144, 9);
	else if (sym < 280)
		bits_code(w, sym - 256, 7);
	else
		bits_code(w, 0xc0 + sym - 280, 8);
}

void fixed_dist(struct bits *w, unsigned int sym)
{
	bits_code(w, sym, 5);
}

void gz_member(struct buf *out, const struct buf *deflate, const void *orig, size_t n)
{
	static const uint8_t hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };

	put(out, hdr, sizeof(hdr));
	put(out, deflate->p, deflate->len);
	put32le(out, ref_crc32(orig, n));
	put32le(out, (uint32_t)n);
}

/* ----------------------------------------------------------------- xz */

static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };

static unsigned int check_len(unsigned int check)
{
	return check == 0 ? 0 : check == 1 ? 4 : check == 4 ? 8 : 32;
}

void xz_begin(struct xz_writer *w, struct buf *b, unsigned int check)
{
	w->b = b;
	w->check = check;
	w->nrec = 0;
	w->stream_start = b->len;
	put(b, xz_magic, 6);
	put8(b, 0);
	put8(b, check);
	put32le(b, ref_crc32(b->p + b->len - 2, 2));
}

size_t xz_block(struct xz_writer *w, const struct xz_block_opts *o, const struct buf *l2, const void *data, size_t n)
{
	struct buf h = { 0 };
	size_t start = w->b->len, hsize;

	put8(&h, 0); /* size, filled in below */
	put8(&h, (o->x86 ? 1 : 0) | (o->sizes ? 0xc0 : 0));
	if (o->sizes) {
		put_vli(&h, l2->len);
		put_vli(&h, n);
	}
	if (o->x86) {
		put8(&h, 0x04);
		if (o->x86_start >= 0) {
			put8(&h, 4);
			put32le(&h, (uint32_t)o->x86_start);
		} else {
			put8(&h, 0);
		}
	}
	put8(&h, 0x21);
	put8(&h, 1);
	put8(&h, o->dict);
	while ((h.len + 4) % 4)
		put8(&h, 0);
	for (unsigned int i = 0; i < o->extra; i++)
		put8(&h, 0);
	hsize = h.len + 4;
	h.p[0] = (uint8_t)(hsize / 4 - 1);
	put32le(&h, ref_crc32(h.p, h.len));
	put(w->b, h.p, h.len);
	free(h.p);

	put(w->b, l2->p, l2->len);
	while ((w->b->len - start) % 4)
		put8(w->b, 0);
	if (w->check == 1)
		put32le(w->b, ref_crc32(data, n));
	else if (w->check == 4)
		put64le(w->b, ref_crc64(data, n));
	else
		for (unsigned int i = 0; i < check_len(w->check); i++)
			put8(w->b, 0);
	assert_true(w->nrec < 64);
	w->rec[w->nrec][0] = hsize + l2->len + check_len(w->check);
	w->rec[w->nrec][1] = n;
	w->nrec++;
	return start;
}

size_t xz_end(struct xz_writer *w)
{
	size_t start = w->b->len, size;

	put8(w->b, 0);
	put_vli(w->b, w->nrec);
	for (unsigned int i = 0; i < w->nrec; i++) {
		put_vli(w->b, w->rec[i][0]);
		put_vli(w->b, w->rec[i][1]);
	}
	while ((w->b->len - start) % 4)
		put8(w->b, 0);
	put32le(w->b, ref_crc32(w->b->p + start, w->b->len - start));
	size = w->b->len - start;
	put32le(w->b, 0); /* footer CRC */
	put32le(w->b, (uint32_t)(size / 4 - 1));
	put8(w->b, 0);
	put8(w->b, w->check);
	put8(w->b, 'Y');
	put8(w->b, 'Z');
	xz_fix_footer_crc(w->b->p, w->b->len - 12);
	return start;
}

void xz_fix_block_crc(uint8_t *p, size_t off)
{
	size_t size = ((size_t)p[off] + 1) * 4;

	set32le(p + off + size - 4, ref_crc32(p + off, size - 4));
}

void xz_fix_header_crc(uint8_t *p, size_t off)
{
	set32le(p + off + 8, ref_crc32(p + off + 6, 2));
}

void xz_fix_index_crc(uint8_t *p, size_t off, size_t size)
{
	set32le(p + off + size - 4, ref_crc32(p + off, size - 4));
}

void xz_fix_footer_crc(uint8_t *p, size_t off)
{
	set32le(p + off, ref_crc32(p + off + 4, 6));
}

void lzma2_uncompressed(struct buf *b, bool dict_reset, const void *data, size_t n)
{
	put8(b, dict_reset ? 1 : 2);
	put16be(b, (unsigned int)(n - 1));
	put(b, data, n);
}

void lzma2_chunk(struct buf *b, unsigned int ctrl, size_t usize, const struct buf *packed, int props)
{
	put8(b, ctrl | (unsigned int)((usize - 1) >> 16));
	put16be(b, (unsigned int)((usize - 1) & 0xffff));
	put16be(b, (unsigned int)(packed->len - 1));
	if (props >= 0)
		put8(b, (unsigned int)props);
	put(b, packed->p, packed->len);
}

/* --------------------------------------------------------------- LZMA */

/* Offsets of the models in lzma_enc.p, in the decoder's order. */
#define P_IS_MATCH 0
#define P_IS_REP (P_IS_MATCH + 12 * 16)
#define P_REP_G0 (P_IS_REP + 12)
#define P_REP_G1 (P_REP_G0 + 12)
#define P_REP_G2 (P_REP_G1 + 12)
#define P_REP0_LONG (P_REP_G2 + 12)
#define P_DIST_SLOT (P_REP0_LONG + 12 * 16)
#define P_DIST_SPECIAL (P_DIST_SLOT + 4 * 64)
#define P_ALIGN (P_DIST_SPECIAL + 115)
#define P_MATCH_LEN (P_ALIGN + 16)
#define LEN_MODEL_SIZE (2 + 16 * 8 + 16 * 8 + 256)
#define P_REP_LEN (P_MATCH_LEN + LEN_MODEL_SIZE)
#define P_LITERAL (P_REP_LEN + LEN_MODEL_SIZE)

static void rc_shift_low(struct lzma_enc *e)
{
	if ((uint32_t)e->low < 0xff000000u || (e->low >> 32) != 0) {
		uint8_t carry = (uint8_t)(e->low >> 32), out = e->cache;

		do {
			put8(&e->out, (uint8_t)(out + carry));
			out = 0xff;
		} while (--e->cache_size);
		e->cache = (uint8_t)(e->low >> 24);
	}
	e->cache_size++;
	e->low = (e->low & 0x00ffffff) << 8;
}

static void rc_start(struct lzma_enc *e)
{
	e->low = 0;
	e->range = 0xffffffff;
	e->cache = 0;
	e->cache_size = 1;
}

static void rc_bit(struct lzma_enc *e, uint16_t *p, unsigned int bit)
{
	uint32_t bound = (e->range >> 11) * *p;

	if (!bit) {
		e->range = bound;
		*p += (2048 - *p) >> 5;
	} else {
		e->low += bound;
		e->range -= bound;
		*p -= *p >> 5;
	}
	while (e->range < (1u << 24)) {
		e->range <<= 8;
		rc_shift_low(e);
	}
}

static void rc_direct(struct lzma_enc *e, uint32_t v, unsigned int n)
{
	while (n--) {
		e->range >>= 1;
		if ((v >> n) & 1)
			e->low += e->range;
		while (e->range < (1u << 24)) {
			e->range <<= 8;
			rc_shift_low(e);
		}
	}
}

static void rc_tree(struct lzma_enc *e, uint16_t *probs, unsigned int nbits, uint32_t v)
{
	unsigned int m = 1;

	while (nbits--) {
		unsigned int bit = (v >> nbits) & 1;

		rc_bit(e, &probs[m], bit);
		m = (m << 1) | bit;
	}
}

static void rc_tree_reverse(struct lzma_enc *e, uint16_t *probs, unsigned int nbits, uint32_t v)
{
	unsigned int m = 1;

	for (unsigned int i = 0; i < nbits; i++) {
		unsigned int bit = (v >> i) & 1;

		rc_bit(e, &probs[m], bit);
		m = (m << 1) | bit;
	}
}

void lze_init(struct lzma_enc *e, unsigned int lc, unsigned int lp, unsigned int pb)
{
	memset(e, 0, sizeof(*e));
	for (size_t i = 0; i < ARRAY_SIZE(e->p); i++)
		e->p[i] = 1024;
	e->lc = lc;
	e->lp = lp;
	e->pb = pb;
	rc_start(e);
}

static void hist_put(struct lzma_enc *e, uint8_t c)
{
	if (e->pos == e->hist_cap) {
		e->hist_cap = e->hist_cap * 2 + 256;
		e->hist = realloc(e->hist, e->hist_cap);
	}
	e->hist[e->pos++] = c;
}

void lze_reset(struct lzma_enc *e, unsigned int lc, unsigned int lp, unsigned int pb, bool dict_reset)
{
	for (size_t i = 0; i < ARRAY_SIZE(e->p); i++)
		e->p[i] = 1024;
	e->lc = lc;
	e->lp = lp;
	e->pb = pb;
	e->state = 0;
	memset(e->rep, 0, sizeof(e->rep));
	if (dict_reset)
		e->pos = 0;
}

void lze_raw(struct lzma_enc *e, const void *data, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hist_put(e, ((const uint8_t *)data)[i]);
}

static unsigned int pos_state(const struct lzma_enc *e)
{
	return (unsigned int)e->pos & ((1u << e->pb) - 1);
}

void lze_literal(struct lzma_enc *e, uint8_t byte)
{
	unsigned int prev = e->pos ? e->hist[e->pos - 1] : 0;
	uint16_t *probs = &e->p[P_LITERAL + 0x300 * ((((unsigned int)e->pos & ((1u << e->lp) - 1)) << e->lc) +
						     (prev >> (8 - e->lc)))];
	unsigned int sym = 1;

	rc_bit(e, &e->p[P_IS_MATCH + e->state * 16 + pos_state(e)], 0);
	if (e->state < 7) {
		rc_tree(e, probs, 8, byte);
	} else {
		unsigned int match = e->hist[e->pos - e->rep[0] - 1];
		bool same = true;

		for (int i = 7; i >= 0; i--) {
			unsigned int bit = (byte >> i) & 1;

			if (same) {
				unsigned int mbit = (match >> i) & 1;

				rc_bit(e, &probs[0x100 + (mbit << 8) + sym], bit);
				same = mbit == bit;
			} else {
				rc_bit(e, &probs[sym], bit);
			}
			sym = (sym << 1) | bit;
		}
	}
	e->state = e->state < 4 ? 0 : e->state < 10 ? e->state - 3 : e->state - 6;
	hist_put(e, byte);
}

static void encode_len(struct lzma_enc *e, unsigned int model, unsigned int len)
{
	uint16_t *m = &e->p[model];
	unsigned int v = len - 2, ps = pos_state(e);

	if (v < 8) {
		rc_bit(e, &m[0], 0);
		rc_tree(e, &m[2 + ps * 8], 3, v);
	} else if (v < 16) {
		rc_bit(e, &m[0], 1);
		rc_bit(e, &m[1], 0);
		rc_tree(e, &m[2 + 128 + ps * 8], 3, v - 8);
	} else {
		rc_bit(e, &m[0], 1);
		rc_bit(e, &m[1], 1);
		rc_tree(e, &m[2 + 256], 8, v - 16);
	}
}

static void copy_hist(struct lzma_enc *e, uint32_t dist0, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++)
		hist_put(e, dist0 < e->pos ? e->hist[e->pos - dist0 - 1] : 0);
}

void lze_match(struct lzma_enc *e, uint32_t dist, unsigned int len)
{
	uint32_t d = dist - 1;
	unsigned int slot, ls = len - 2 < 3 ? len - 2 : 3;

	rc_bit(e, &e->p[P_IS_MATCH + e->state * 16 + pos_state(e)], 1);
	rc_bit(e, &e->p[P_IS_REP + e->state], 0);
	encode_len(e, P_MATCH_LEN, len);
	e->state = e->state < 7 ? 7 : 10;
	if (d < 4) {
		slot = d;
	} else {
		unsigned int top = 31 - (unsigned int)__builtin_clz(d);

		slot = 2 * top + ((d >> (top - 1)) & 1);
	}
	rc_tree(e, &e->p[P_DIST_SLOT + ls * 64], 6, slot);
	if (slot >= 4) {
		unsigned int nbits = (slot >> 1) - 1;
		uint32_t base = (2 | (slot & 1)) << nbits, low = d - base;

		if (slot < 14) {
			rc_tree_reverse(e, &e->p[P_DIST_SPECIAL + base - slot], nbits, low);
		} else {
			rc_direct(e, low >> 4, nbits - 4);
			rc_tree_reverse(e, &e->p[P_ALIGN], 4, low & 15);
		}
	}
	e->rep[3] = e->rep[2];
	e->rep[2] = e->rep[1];
	e->rep[1] = e->rep[0];
	e->rep[0] = d;
	if (d != 0xffffffff)
		copy_hist(e, d, len);
}

void lze_end_marker(struct lzma_enc *e)
{
	lze_match(e, 0, 2); /* distance - 1 = 0xffffffff */
}

void lze_rep(struct lzma_enc *e, unsigned int which, unsigned int len)
{
	unsigned int ps = pos_state(e);
	uint32_t d;

	rc_bit(e, &e->p[P_IS_MATCH + e->state * 16 + ps], 1);
	rc_bit(e, &e->p[P_IS_REP + e->state], 1);
	if (which == 0) {
		rc_bit(e, &e->p[P_REP_G0 + e->state], 0);
		rc_bit(e, &e->p[P_REP0_LONG + e->state * 16 + ps], len != 1);
		if (len == 1) {
			e->state = e->state < 7 ? 9 : 11;
			copy_hist(e, e->rep[0], 1);
			return;
		}
	} else {
		rc_bit(e, &e->p[P_REP_G0 + e->state], 1);
		if (which == 1) {
			rc_bit(e, &e->p[P_REP_G1 + e->state], 0);
		} else {
			rc_bit(e, &e->p[P_REP_G1 + e->state], 1);
			rc_bit(e, &e->p[P_REP_G2 + e->state], which == 3);
		}
		d = e->rep[which];
		for (unsigned int i = which; i > 0; i--)
			e->rep[i] = e->rep[i - 1];
		e->rep[0] = d;
	}
	encode_len(e, P_REP_LEN, len);
	e->state = e->state < 7 ? 8 : 11;
	copy_hist(e, e->rep[0], len);
}

void lze_flush(struct lzma_enc *e)
{
	for (int i = 0; i < 5; i++)
		rc_shift_low(e);
	rc_start(e);
}

void lze_free(struct lzma_enc *e)
{
	free(e->out.p);
	free(e->hist);
}
