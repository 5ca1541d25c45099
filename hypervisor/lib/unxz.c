/*
 * The xz decoder behind decompress() (see hv/decompress.h), written from
 * the .xz file format specification (tukaani.org/xz/xz-file-format.txt)
 * and the LZMA specification in the LZMA SDK (lzma-specification.txt).
 *
 * An .xz stream is a 12-byte header (magic, flags naming the check, CRC32),
 * blocks, an index listing every block's sizes, and a 12-byte footer that
 * repeats the flags and gives the index size. Each block has a header (its
 * filter chain, optionally its sizes, CRC32), the filtered data, padding to
 * four bytes and the check (none, CRC32, CRC64 or SHA-256) of its output.
 * We support the filter chains Linux uses: LZMA2 alone, or x86 BCJ then
 * LZMA2.
 *
 * Single-call mode makes the decoder simple: the output buffer is the LZMA
 * dictionary, so a match copies from earlier output; the only limit on a
 * match distance is the data decoded since the last dictionary reset. The
 * BCJ filter runs over a block's output once LZMA2 has produced all of it,
 * and the check is computed over the filtered bytes. The LZMA decoder keeps
 * the range coder, position and state in locals of one function; the bit
 * decoder is a macro, and an input byte is bounds-checked only when the
 * range coder actually needs one (once per eight bits of information).
 */
#include <hv/decompress.h>
#include <hv/errno.h>
#include <hv/lib.h>

/* ------------------------------------------------------------------ CRCs */

#define CRC32_POLY 0xedb88320u		 /* 0x04c11db7, bit-reversed */
#define CRC64_POLY 0xc96c5795d7870f42ull /* ECMA-182, bit-reversed */

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/*
 * t[0][b] is the CRC register after shifting in byte b; t[k][b] is that
 * followed by k zero bytes, so eight bytes fold in with eight lookups.
 */
void crc32_init(struct crc32_table *ct)
{
	for (unsigned int b = 0; b < 256; b++) {
		uint32_t c = b;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC32_POLY & (0u - (c & 1)));
		ct->t[0][b] = c;
	}
	for (unsigned int b = 0; b < 256; b++)
		for (int k = 1; k < 8; k++)
			ct->t[k][b] = (ct->t[k - 1][b] >> 8) ^ ct->t[0][ct->t[k - 1][b] & 0xff];
}

/* crc32_update(ct, 0, ...) starts a CRC; pass the result back in to continue it. */
uint32_t crc32_update(const struct crc32_table *ct, uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	for (; len >= 8; len -= 8, p += 8) {
		uint32_t lo = crc ^ get_le32(p), hi = get_le32(p + 4);

		crc = ct->t[7][lo & 0xff] ^ ct->t[6][(lo >> 8) & 0xff] ^ ct->t[5][(lo >> 16) & 0xff] ^
		      ct->t[4][lo >> 24] ^ ct->t[3][hi & 0xff] ^ ct->t[2][(hi >> 8) & 0xff] ^
		      ct->t[1][(hi >> 16) & 0xff] ^ ct->t[0][hi >> 24];
	}
	while (len--)
		crc = (crc >> 8) ^ ct->t[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

uint32_t crc32_small(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = ~0u;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (CRC32_POLY & (0u - (crc & 1)));
	}
	return ~crc;
}

static void crc64_init(uint64_t t[256])
{
	for (unsigned int b = 0; b < 256; b++) {
		uint64_t c = b;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (CRC64_POLY & (0ull - (c & 1)));
		t[b] = c;
	}
}

static uint64_t crc64(const uint64_t t[256], const uint8_t *p, size_t len)
{
	uint64_t crc = ~0ull;

	while (len--)
		crc = (crc >> 8) ^ t[(crc ^ *p++) & 0xff];
	return ~crc;
}

/* ------------------------------------------------------------ the format */

#define XZ_HEADER_SIZE 12
#define XZ_FOOTER_SIZE 12
static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

#define XZ_CHECK_NONE 0x0
#define XZ_CHECK_CRC32 0x1
#define XZ_CHECK_CRC64 0x4
#define XZ_CHECK_SHA256 0xa

#define XZ_FILTER_DELTA 0x03
#define XZ_FILTER_X86 0x04
#define XZ_FILTER_LZMA2 0x21
#define XZ_MAX_FILTERS 4

/* Block header flags */
#define XZ_BF_NR_FILTERS 0x03
#define XZ_BF_RESERVED 0x3c
#define XZ_BF_COMPRESSED 0x40
#define XZ_BF_UNCOMPRESSED 0x80

/* LZMA (lzma-specification.txt) */
#define LZMA_STATES 12
#define LZMA_LIT_STATES 7 /* states below this: the previous symbol was a literal */
#define LZMA_POS_STATES_MAX 16
#define LZMA_LEN_STATES 4
#define LZMA_DIST_SLOTS 64
#define LZMA_END_POS_MODEL 14 /* slots below this code their low bits with probabilities */
#define LZMA_FULL_DISTANCES 128
#define LZMA_ALIGN_BITS 4
#define LZMA_MATCH_MIN 2
#define LZMA_LIT_SIZE 0x300
#define LZMA_PROB_INIT 1024 /* one half, in 11-bit fixed point */

struct lzma_len_probs {
	uint16_t choice, choice2;
	uint16_t low[LZMA_POS_STATES_MAX][8];
	uint16_t mid[LZMA_POS_STATES_MAX][8];
	uint16_t high[256];
};

/* Every adaptive probability; all uint16_t, so it can be reset as an array. */
struct lzma_probs {
	uint16_t is_match[LZMA_STATES][LZMA_POS_STATES_MAX];
	uint16_t is_rep[LZMA_STATES];
	uint16_t is_rep_g0[LZMA_STATES];
	uint16_t is_rep_g1[LZMA_STATES];
	uint16_t is_rep_g2[LZMA_STATES];
	uint16_t is_rep0_long[LZMA_STATES][LZMA_POS_STATES_MAX];
	uint16_t dist_slot[LZMA_LEN_STATES][LZMA_DIST_SLOTS];
	uint16_t dist_special[1 + LZMA_FULL_DISTANCES - LZMA_END_POS_MODEL];
	uint16_t dist_align[1 << LZMA_ALIGN_BITS];
	struct lzma_len_probs match_len, rep_len;
	/* one 0x300-entry coder per (position, previous byte) context; LZMA2 caps lc + lp at 4 */
	uint16_t literal[16][LZMA_LIT_SIZE];
};

/* The workspace. */
struct xz {
	struct lzma_probs probs;
	struct crc32_table crc32;
	uint64_t crc64[256];
	bool crc64_ready;

	const uint8_t *in;
	size_t in_len;
	uint8_t *out;
	size_t out_cap;
	const struct dec_err *e;

	/* the current stream */
	size_t stream_start;
	uint8_t flags[2];
	unsigned int check;
	/* its blocks so far, to compare with the index */
	uint64_t nr_blocks, sum_unpadded, sum_uncompressed;
	uint32_t records_crc;

	/* LZMA state carried from one LZMA2 chunk to the next */
	unsigned int lc, lp, pb;
	unsigned int state;
	uint32_t rep[4];
};

static unsigned int check_size(unsigned int check)
{
	/* Sizes per the spec's table; only 0, 1, 4 and 10 are defined. */
	static const uint8_t size[16] = { 0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64 };

	return size[check & 15];
}

static int truncated(struct xz *x, size_t at, const char *what)
{
	return dec_fail(x->e, -XEN_EINVAL, "xz: truncated input: it ends at 0x%zx, inside %s at 0x%zx", x->in_len, what,
			at);
}

static int no_space(struct xz *x, size_t written)
{
	uint64_t need;

	if (xz_size(x->in, x->in_len, &need) == 0)
		return dec_fail(x->e, -XEN_ENOSPC,
				"xz: output buffer too small: the data decompresses to 0x%llx bytes, the buffer holds "
				"0x%zx",
				(unsigned long long)need, x->out_cap);
	return dec_fail(x->e, -XEN_ENOSPC,
			"xz: output buffer too small: 0x%zx bytes, and 0x%zx of them were written before the next "
			"chunk did not fit",
			x->out_cap, written);
}

/* Variable-length integer: 7 bits a byte, low first, at most 9 bytes, no needless trailing zero byte. */
static int get_vli(struct xz *x, size_t end, size_t *pos, uint64_t *val, const char *what)
{
	size_t start = *pos;
	uint64_t v = 0;

	for (unsigned int i = 0; i < 9; i++) {
		uint8_t b;

		if (*pos >= end)
			return *pos >= x->in_len
				       ? truncated(x, start, what)
				       : dec_fail(x->e, -XEN_EINVAL, "xz: %s at 0x%zx runs past the end of its header",
						  what, start);
		b = x->in[(*pos)++];
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			if (b == 0 && i > 0)
				return dec_fail(x->e, -XEN_EINVAL, "xz: %s at 0x%zx is not minimally encoded", what,
						start);
			*val = v;
			return 0;
		}
	}
	return dec_fail(x->e, -XEN_EINVAL, "xz: %s at 0x%zx is longer than 9 bytes", what, start);
}

/* ------------------------------------------------------------------ LZMA */

static void lzma_reset(struct xz *x)
{
	uint16_t *p = (uint16_t *)&x->probs;

	for (size_t i = 0; i < sizeof(x->probs) / sizeof(*p); i++)
		p[i] = LZMA_PROB_INIT;
	x->state = 0;
	x->rep[0] = x->rep[1] = x->rep[2] = x->rep[3] = 0;
}

#define RC_TOP (1u << 24)
#define RC_MODEL_BITS 11
#define RC_MOVE_BITS 5

/* The range decoder, on the locals range, code, in and in_end of lzma_chunk(). */
#define RC_NORMALIZE()                              \
	do {                                        \
		if (range < RC_TOP) {               \
			if (unlikely(in == in_end)) \
				goto overrun;       \
			range <<= 8;                \
			code = (code << 8) | *in++; \
		}                                   \
	} while (0)

/* Decode one bit with the adaptive probability *prob; evaluates to 0 or 1. */
#define RC_BIT(prob)                                                          \
	({                                                                    \
		uint16_t *p_ = (prob);                                        \
		uint32_t bound_;                                              \
		unsigned int bit_;                                            \
		RC_NORMALIZE();                                               \
		bound_ = (range >> RC_MODEL_BITS) * *p_;                      \
		if (code < bound_) {                                          \
			range = bound_;                                       \
			*p_ += ((1u << RC_MODEL_BITS) - *p_) >> RC_MOVE_BITS; \
			bit_ = 0;                                             \
		} else {                                                      \
			range -= bound_;                                      \
			code -= bound_;                                       \
			*p_ -= *p_ >> RC_MOVE_BITS;                           \
			bit_ = 1;                                             \
		}                                                             \
		bit_;                                                         \
	})

/* A bit tree of 'nbits' levels, most significant bit first: 'out' = 0 .. 2^nbits - 1. */
#define RC_TREE(probs, nbits, out)                        \
	do {                                              \
		uint16_t *t_ = (probs);                   \
		unsigned int m_ = 1, i_;                  \
		for (i_ = 0; i_ < (nbits); i_++)          \
			m_ = (m_ << 1) | RC_BIT(&t_[m_]); \
		(out) = m_ - (1u << (nbits));             \
	} while (0)

/* The same, least significant bit first; adds the result to 'out'. */
#define RC_TREE_REVERSE(probs, nbits, out)         \
	do {                                       \
		uint16_t *t_ = (probs);            \
		unsigned int m_ = 1, i_, b_;       \
		for (i_ = 0; i_ < (nbits); i_++) { \
			b_ = RC_BIT(&t_[m_]);      \
			m_ = (m_ << 1) | b_;       \
			(out) += b_ << i_;         \
		}                                  \
	} while (0)

/* A match length minus 2 (0 .. 271) from the length coder 'lp'. */
#define RC_LEN(lp, pos_state, out)                             \
	do {                                                   \
		if (!RC_BIT(&(lp)->choice)) {                  \
			RC_TREE((lp)->low[pos_state], 3, out); \
		} else if (!RC_BIT(&(lp)->choice2)) {          \
			RC_TREE((lp)->mid[pos_state], 3, out); \
			(out) += 8;                            \
		} else {                                       \
			RC_TREE((lp)->high, 8, out);           \
			(out) += 16;                           \
		}                                              \
	} while (0)

/*
 * Decode one LZMA2 chunk: in[ipos .. ipos + psize) holds its range-coded
 * data, which must produce exactly dict[pos .. end). 'dict' is the output
 * at the last dictionary reset, so positions count from there (they select
 * the pb/lp contexts) and a match may reach back to dict[0].
 */
static int lzma_chunk(struct xz *x, size_t ipos, size_t psize, uint8_t *dict, size_t pos, size_t end)
{
	struct lzma_probs *const pr = &x->probs;
	const uint8_t *in = x->in + ipos, *const in_end = in + psize;
	const unsigned int lc = x->lc, lp_mask = (1u << x->lp) - 1, pb_mask = (1u << x->pb) - 1;
	const size_t chunk_start = pos;
	uint32_t range = 0xffffffff, code;
	uint32_t rep0 = x->rep[0], rep1 = x->rep[1], rep2 = x->rep[2], rep3 = x->rep[3];
	unsigned int state = x->state;

	if (psize < 5)
		return dec_fail(x->e, -XEN_EINVAL, "xz: LZMA chunk data at 0x%zx is only %zu bytes (at least 5)", ipos,
				psize);
	if (in[0] != 0)
		return dec_fail(x->e, -XEN_EINVAL,
				"xz: corrupt LZMA chunk at 0x%zx: the range coder's first byte is 0x%02x, not 0", ipos,
				in[0]);
	code = (uint32_t)in[1] << 24 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 8 | in[4];
	in += 5;

	while (pos < end) {
		const unsigned int pos_state = pos & pb_mask;
		uint32_t len = 0;

		if (!RC_BIT(&pr->is_match[state][pos_state])) {
			/* A literal, coded in the context of the previous byte and the position. */
			unsigned int prev = pos ? dict[pos - 1] : 0;
			uint16_t *probs = pr->literal[((pos & lp_mask) << lc) + (prev >> (8 - lc))];
			unsigned int sym = 1;

			if (state >= LZMA_LIT_STATES) {
				/*
				 * After a match the byte at rep0 is a good guess: its bits select
				 * the probabilities until the first bit that differs. rep0 < pos:
				 * these states follow a match, which checked that, and LZMA2
				 * resets the state along with the dictionary.
				 */
				unsigned int match_byte = dict[pos - rep0 - 1];

				do {
					unsigned int match_bit = (match_byte >> 7) & 1, bit;

					match_byte <<= 1;
					bit = RC_BIT(&probs[0x100 + (match_bit << 8) + sym]);
					sym = (sym << 1) | bit;
					if (bit != match_bit)
						break;
				} while (sym < 0x100);
			}
			if (sym == 1)
				RC_TREE(probs, 8, sym);
			else
				while (sym < 0x100)
					sym = (sym << 1) | RC_BIT(&probs[sym]);
			dict[pos++] = (uint8_t)sym;
			state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
			continue;
		}

		if (!RC_BIT(&pr->is_rep[state])) {
			/* A match with a new distance. */
			unsigned int slot;

			RC_LEN(&pr->match_len, pos_state, len);
			state = state < LZMA_LIT_STATES ? 7 : 10;
			rep3 = rep2;
			rep2 = rep1;
			rep1 = rep0;
			RC_TREE(pr->dist_slot[len < LZMA_LEN_STATES ? len : LZMA_LEN_STATES - 1], 6, slot);
			if (slot < 4) {
				rep0 = slot;
			} else {
				unsigned int nbits = (slot >> 1) - 1;

				rep0 = (2 | (slot & 1)) << nbits;
				if (slot < LZMA_END_POS_MODEL) {
					RC_TREE_REVERSE(pr->dist_special + rep0 - slot, nbits, rep0);
				} else {
					uint32_t direct = 0;

					/* The middle bits have no model: each halves the range. */
					for (nbits -= LZMA_ALIGN_BITS; nbits; nbits--) {
						RC_NORMALIZE();
						range >>= 1;
						direct <<= 1;
						if (code >= range) {
							code -= range;
							direct |= 1;
						}
					}
					rep0 += direct << LZMA_ALIGN_BITS;
					RC_TREE_REVERSE(pr->dist_align, LZMA_ALIGN_BITS, rep0);
				}
				if (rep0 == 0xffffffff)
					return dec_fail(x->e, -XEN_EINVAL,
							"xz: corrupt LZMA data at 0x%zx: an end marker, which LZMA2 "
							"does not allow",
							(size_t)(in - x->in));
			}
		} else {
			/* A match at one of the four most recent distances. */
			if (!RC_BIT(&pr->is_rep_g0[state])) {
				if (!RC_BIT(&pr->is_rep0_long[state][pos_state])) {
					/* "Short rep": one byte from rep0. */
					if (unlikely(rep0 >= pos))
						goto bad_distance;
					state = state < LZMA_LIT_STATES ? 9 : 11;
					dict[pos] = dict[pos - rep0 - 1];
					pos++;
					continue;
				}
			} else {
				uint32_t dist;

				if (!RC_BIT(&pr->is_rep_g1[state])) {
					dist = rep1;
				} else {
					if (!RC_BIT(&pr->is_rep_g2[state])) {
						dist = rep2;
					} else {
						dist = rep3;
						rep3 = rep2;
					}
					rep2 = rep1;
				}
				rep1 = rep0;
				rep0 = dist;
			}
			RC_LEN(&pr->rep_len, pos_state, len);
			state = state < LZMA_LIT_STATES ? 8 : 11;
		}

		if (unlikely(rep0 >= pos))
			goto bad_distance;
		len += LZMA_MATCH_MIN;
		if (unlikely(len > end - pos))
			return dec_fail(x->e, -XEN_EINVAL,
					"xz: corrupt LZMA data at 0x%zx: a match of %u bytes runs 0x%zx bytes past the "
					"end of its chunk",
					(size_t)(in - x->in), len, len - (end - pos));
		dec_copy_match(dict + pos, (size_t)rep0 + 1, len, end - pos);
		pos += len;
	}

	RC_NORMALIZE();
	if (in != in_end)
		return dec_fail(
			x->e, -XEN_EINVAL,
			"xz: corrupt LZMA chunk at 0x%zx: its output is complete after 0x%zx of its 0x%zx bytes", ipos,
			(size_t)(in - (x->in + ipos)), psize);
	if (code != 0)
		return dec_fail(x->e, -XEN_EINVAL,
				"xz: corrupt LZMA chunk at 0x%zx: the range decoder does not finish cleanly", ipos);
	x->state = state;
	x->rep[0] = rep0;
	x->rep[1] = rep1;
	x->rep[2] = rep2;
	x->rep[3] = rep3;
	return 0;

overrun:
	return dec_fail(x->e, -XEN_EINVAL,
			"xz: corrupt LZMA chunk at 0x%zx: its 0x%zx bytes end before its output does (0x%zx of 0x%zx "
			"bytes)",
			ipos, psize, pos - chunk_start, end - chunk_start);
bad_distance:
	return dec_fail(x->e, -XEN_EINVAL,
			"xz: corrupt LZMA data at 0x%zx: match distance 0x%llx reaches before the 0x%zx bytes decoded "
			"since the dictionary reset",
			(size_t)(in - x->in), (unsigned long long)rep0 + 1, pos);
}

/* ----------------------------------------------------------------- LZMA2 */

/*
 * An LZMA2 stream is a sequence of chunks, each starting with a control byte:
 *   0x00          end of the stream
 *   0x01          uncompressed chunk, dictionary reset
 *   0x02          uncompressed chunk
 *   0x80 .. 0xff  LZMA chunk; bits 5-6: 0 nothing reset, 1 state reset,
 *                 2 state reset + new properties, 3 also dictionary reset;
 *                 bits 0-4: bits 16-20 of the uncompressed size - 1
 * followed, for uncompressed chunks, by the size - 1 (16 bits, big-endian);
 * for LZMA chunks by the uncompressed size - 1 (low 16 bits), the
 * compressed size - 1 (16 bits) and, with new properties, the lc/lp/pb
 * byte. The first chunk resets the dictionary; every dictionary reset is
 * followed by new properties before the next LZMA chunk.
 */
static int lzma2_props(struct xz *x, size_t at, unsigned int b)
{
	if (b > (4 * 5 + 4) * 9 + 8)
		return dec_fail(x->e, -XEN_EINVAL, "xz: invalid LZMA properties byte 0x%02x at 0x%zx", b, at);
	x->lc = b % 9;
	b /= 9;
	x->lp = b % 5;
	x->pb = b / 5;
	if (x->lc + x->lp > 4)
		return dec_fail(x->e, -XEN_EINVAL,
				"xz: LZMA properties at 0x%zx: lc %u + lp %u exceed 4, LZMA2's limit", at, x->lc,
				x->lp);
	return 0;
}

static int lzma2_block(struct xz *x, size_t *ipos, size_t *opos)
{
	const uint8_t *in = x->in;
	size_t ip = *ipos, op = *opos, dict_start = op;
	bool need_dict_reset = true, need_props = true;
	int rc;

	for (;;) {
		size_t usize, psize, hdr, at = ip;
		unsigned int ctrl;

		if (ip >= x->in_len)
			return truncated(x, ip, "an LZMA2 chunk header");
		ctrl = in[ip];
		if (ctrl == 0x00) {
			ip++;
			break;
		}
		if (ctrl >= 0xe0 || ctrl == 0x01) {
			dict_start = op;
			need_dict_reset = false;
			need_props = true;
		} else if (need_dict_reset) {
			return dec_fail(
				x->e, -XEN_EINVAL,
				"xz: LZMA2 data at 0x%zx starts without a dictionary reset (control byte 0x%02x)", ip,
				ctrl);
		}

		if (ctrl >= 0x80) {
			hdr = ctrl >= 0xc0 ? 6 : 5;
			if (x->in_len - ip < hdr)
				return truncated(x, at, "an LZMA2 chunk header");
			usize = ((size_t)(ctrl & 0x1f) << 16) + ((size_t)in[ip + 1] << 8) + in[ip + 2] + 1;
			psize = ((size_t)in[ip + 3] << 8) + in[ip + 4] + 1;
			if (ctrl >= 0xc0) {
				rc = lzma2_props(x, ip + 5, in[ip + 5]);
				if (rc)
					return rc;
				need_props = false;
			} else if (need_props) {
				return dec_fail(x->e, -XEN_EINVAL,
						"xz: LZMA2 chunk at 0x%zx (control byte 0x%02x) lacks the properties a "
						"dictionary reset requires",
						ip, ctrl);
			}
			if (ctrl >= 0xa0)
				lzma_reset(x);
			ip += hdr;
			if (x->in_len - ip < psize)
				return truncated(x, at, "an LZMA2 chunk");
			if (x->out_cap - op < usize)
				return no_space(x, op);
			rc = lzma_chunk(x, ip, psize, x->out + dict_start, op - dict_start, op - dict_start + usize);
			if (rc)
				return rc;
		} else if (ctrl > 0x02) {
			return dec_fail(x->e, -XEN_EINVAL, "xz: invalid LZMA2 control byte 0x%02x at 0x%zx", ctrl, ip);
		} else {
			if (x->in_len - ip < 3)
				return truncated(x, at, "an LZMA2 chunk header");
			usize = psize = ((size_t)in[ip + 1] << 8) + in[ip + 2] + 1;
			ip += 3;
			if (x->in_len - ip < usize)
				return truncated(x, at, "an uncompressed LZMA2 chunk");
			if (x->out_cap - op < usize)
				return no_space(x, op);
			memcpy(x->out + op, in + ip, usize);
		}
		ip += psize;
		op += usize;
	}
	*ipos = ip;
	*opos = op;
	return 0;
}

/* ------------------------------------------------------------------- BCJ */

static inline bool x86_far_byte(uint8_t b)
{
	return b == 0x00 || b == 0xff;
}

/*
 * Undo the x86 BCJ filter on buf[0 .. size), whose first byte was at
 * uncompressed position 'start'. The encoder turned the 32-bit relative
 * operand of each E8 (call) and E9 (jmp) into an absolute one when its top
 * byte was 00 or ff (a near target), so that repeated calls to one function
 * look alike; here each such operand goes back to relative. Which E8/E9
 * bytes were converted also depends on the three bytes before them: 'mask'
 * has bit k set when the byte k + 1 before the current one was an E8/E9
 * that was left alone, and some patterns of those forbid conversion or
 * make it re-run with part of the operand inverted. The last four bytes
 * can hold no whole operand and stay as they are.
 */
/*
 * The byte positions in v (little-endian) that hold E8 or E9: bit 7 of
 * each such byte is set in the result, with possibly false ones above the
 * first true one (a borrow runs upwards), so only the lowest bit is exact.
 */
static inline uint64_t e8_e9_bytes(uint64_t v)
{
	uint64_t x = (v & 0xfefefefefefefefeull) ^ 0xe8e8e8e8e8e8e8e8ull;

	return (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
}

static void bcj_x86(uint8_t *buf, size_t size, uint32_t start)
{
	static const bool may_convert[8] = { true, true, true, false, true, false, false, false };
	static const uint8_t mask_byte[8] = { 0, 1, 2, 2, 3, 3, 3, 3 };
	uint32_t mask = 0, src, dest;
	size_t i = 0, prev = 0, limit = size > 4 ? size - 4 : 0;

	while (i < limit) {
		/* Find the next E8/E9, eight bytes at a time while there are eight. */
		if (limit - i >= 8) {
			uint64_t hits = e8_e9_bytes(((const struct dec_unaligned64 *)(buf + i))->v);

			if (!hits) {
				i += 8;
				continue;
			}
			i += (size_t)__builtin_ctzll(hits) / 8;
		} else if ((buf[i] & 0xfe) != 0xe8) {
			i++;
			continue;
		}

		if (i - prev > 3) {
			mask = 0;
		} else if (mask) {
			mask = (mask << (i - prev - 1)) & 7;
			if (mask && (!may_convert[mask] || x86_far_byte(buf[i + 4 - mask_byte[mask]]))) {
				prev = i++;
				mask = (mask << 1) | 1;
				continue;
			}
		}
		prev = i;
		if (!x86_far_byte(buf[i + 4])) {
			i++;
			mask = (mask << 1) | 1;
			continue;
		}
		src = get_le32(buf + i + 1);
		for (;;) {
			unsigned int shift;

			dest = src - (start + (uint32_t)i + 5);
			if (!mask)
				break;
			shift = mask_byte[mask] * 8;
			if (!x86_far_byte((uint8_t)(dest >> (24 - shift))))
				break;
			src = dest ^ ((1u << (32 - shift)) - 1);
		}
		/* bits 25-31 copy bit 24: the operand is a sign-extended 25-bit offset */
		dest &= 0x01ffffff;
		dest |= 0u - (dest & 0x01000000);
		put_le32(buf + i + 1, dest);
		i += 5;
	}
}

/* ---------------------------------------------------------------- blocks */

static const char *filter_name(uint64_t id)
{
	switch (id) {
	case XZ_FILTER_DELTA:
		return "delta";
	case XZ_FILTER_X86:
		return "x86 BCJ";
	case 0x05:
		return "PowerPC BCJ";
	case 0x06:
		return "IA-64 BCJ";
	case 0x07:
		return "ARM BCJ";
	case 0x08:
		return "ARM-Thumb BCJ";
	case 0x09:
		return "SPARC BCJ";
	case 0x0a:
		return "ARM64 BCJ";
	case 0x0b:
		return "RISC-V BCJ";
	case XZ_FILTER_LZMA2:
		return "LZMA2";
	default:
		return "unknown";
	}
}

struct block_header {
	size_t size;
	uint64_t compressed, uncompressed; /* UINT64_MAX when absent */
	bool x86;
	uint32_t x86_start;
};

/* One entry of the filter chain, at *pos inside the header ending at 'end'. */
static int parse_filter(struct xz *x, size_t bh, size_t end, size_t *pos, unsigned int i, unsigned int nr,
			struct block_header *h)
{
	const uint8_t *in = x->in;
	size_t at = *pos;
	uint64_t id, psize;
	int rc;

	rc = get_vli(x, end, pos, &id, "a filter ID");
	if (!rc)
		rc = get_vli(x, end, pos, &psize, "a filter properties size");
	if (rc)
		return rc;
	if (psize > end - *pos)
		return dec_fail(x->e, -XEN_EINVAL,
				"xz: block header at 0x%zx: filter %u's 0x%llx bytes of properties overrun the header",
				bh, i, (unsigned long long)psize);
	if (i + 1 < nr) {
		if (id != XZ_FILTER_X86 || h->x86)
			return dec_fail(x->e, -XEN_EOPNOTSUPP,
					"xz: block header at 0x%zx: unsupported filter 0x%llx (%s) at 0x%zx; only "
					"LZMA2, optionally after one x86 BCJ filter, is supported",
					bh, (unsigned long long)id, filter_name(id), at);
		if (psize != 0 && psize != 4)
			return dec_fail(x->e, -XEN_EINVAL,
					"xz: block header at 0x%zx: the x86 BCJ filter has %llu bytes of properties "
					"(0 or 4)",
					bh, (unsigned long long)psize);
		h->x86 = true;
		h->x86_start = psize ? get_le32(in + *pos) : 0;
	} else {
		if (id != XZ_FILTER_LZMA2)
			return dec_fail(x->e, -XEN_EOPNOTSUPP,
					"xz: block header at 0x%zx: unsupported filter 0x%llx (%s) at 0x%zx; only "
					"LZMA2, optionally after one x86 BCJ filter, is supported",
					bh, (unsigned long long)id, filter_name(id), at);
		if (psize != 1)
			return dec_fail(x->e, -XEN_EINVAL,
					"xz: block header at 0x%zx: LZMA2 has %llu bytes of properties (1)", bh,
					(unsigned long long)psize);
		/* The dictionary size; the output buffer is the dictionary, so only its validity matters. */
		if (in[*pos] > 40)
			return dec_fail(x->e, -XEN_EINVAL,
					"xz: block header at 0x%zx: invalid LZMA2 dictionary size byte %u (at most 40)",
					bh, in[*pos]);
	}
	*pos += psize;
	return 0;
}

static int parse_block_header(struct xz *x, size_t bh, struct block_header *h)
{
	const uint8_t *in = x->in;
	size_t pos, end;
	unsigned int flags, nr;
	uint32_t stored, crc;
	int rc;

	h->size = ((size_t)in[bh] + 1) * 4;
	h->compressed = h->uncompressed = UINT64_MAX;
	h->x86 = false;
	if (x->in_len - bh < h->size)
		return truncated(x, bh, "a block header");
	end = bh + h->size - 4;
	stored = get_le32(in + end);
	crc = crc32_update(&x->crc32, 0, in + bh, h->size - 4);
	if (crc != stored)
		return dec_fail(x->e, -XEN_EINVAL,
				"xz: block header at 0x%zx: CRC32 0x%08x does not match the stored 0x%08x", bh, crc,
				stored);
	flags = in[bh + 1];
	if (flags & XZ_BF_RESERVED)
		return dec_fail(x->e, -XEN_EOPNOTSUPP,
				"xz: block header at 0x%zx: reserved flag bits set (flags 0x%02x; a newer format?)", bh,
				flags);
	pos = bh + 2;
	if (flags & XZ_BF_COMPRESSED) {
		rc = get_vli(x, end, &pos, &h->compressed, "a block's compressed size");
		if (rc)
			return rc;
		if (h->compressed == 0)
			return dec_fail(x->e, -XEN_EINVAL, "xz: block header at 0x%zx: compressed size 0", bh);
	}
	if (flags & XZ_BF_UNCOMPRESSED) {
		rc = get_vli(x, end, &pos, &h->uncompressed, "a block's uncompressed size");
		if (rc)
			return rc;
	}
	nr = (flags & XZ_BF_NR_FILTERS) + 1;
	for (unsigned int i = 0; i < nr; i++) {
		rc = parse_filter(x, bh, end, &pos, i, nr, h);
		if (rc)
			return rc;
	}
	for (; pos < end; pos++)
		if (in[pos])
			return dec_fail(x->e, -XEN_EINVAL, "xz: block header at 0x%zx: non-zero padding byte at 0x%zx",
					bh, pos);
	return 0;
}

/* Verify the check of out[start .. end) stored at in[pos]. */
static int verify_check(struct xz *x, size_t pos, size_t start, size_t end)
{
	const uint8_t *data = x->out + start;
	size_t len = end - start;

	if (x->check == XZ_CHECK_CRC32) {
		uint32_t crc = crc32_update(&x->crc32, 0, data, len), stored = get_le32(x->in + pos);

		if (crc != stored)
			return dec_fail(x->e, -XEN_EINVAL,
					"xz: block CRC32 at 0x%zx: the 0x%zx bytes decoded have CRC32 0x%08x, the "
					"stream says 0x%08x",
					pos, len, crc, stored);
	} else if (x->check == XZ_CHECK_CRC64) {
		uint64_t crc, stored = get_le64(x->in + pos);

		if (!x->crc64_ready) {
			crc64_init(x->crc64);
			x->crc64_ready = true;
		}
		crc = crc64(x->crc64, data, len);
		if (crc != stored)
			return dec_fail(x->e, -XEN_EINVAL,
					"xz: block CRC64 at 0x%zx: the 0x%zx bytes decoded have CRC64 0x%016llx, the "
					"stream says 0x%016llx",
					pos, len, (unsigned long long)crc, (unsigned long long)stored);
	}
	return 0;
}

/* Fold one (unpadded size, uncompressed size) record into the stream's summary. */
static void add_record(struct xz *x, uint64_t *count, uint64_t *unpadded_sum, uint64_t *uncompressed_sum, uint32_t *crc,
		       uint64_t unpadded, uint64_t uncompressed)
{
	uint8_t rec[16];

	put_le32(rec, (uint32_t)unpadded);
	put_le32(rec + 4, (uint32_t)(unpadded >> 32));
	put_le32(rec + 8, (uint32_t)uncompressed);
	put_le32(rec + 12, (uint32_t)(uncompressed >> 32));
	*crc = crc32_update(&x->crc32, *crc, rec, sizeof(rec));
	(*count)++;
	*unpadded_sum += unpadded;
	*uncompressed_sum += uncompressed;
}

static int xz_block(struct xz *x, size_t *ipos, size_t *opos)
{
	const uint8_t *in = x->in;
	struct block_header h;
	size_t bh = *ipos, data, ip, out_start = *opos, op = *opos, csize, csum;
	int rc;

	rc = parse_block_header(x, bh, &h);
	if (rc)
		return rc;
	if (h.uncompressed != UINT64_MAX && h.uncompressed > x->out_cap - op)
		return no_space(x, op);
	data = ip = bh + h.size;
	rc = lzma2_block(x, &ip, &op);
	if (rc)
		return rc;
	csize = ip - data;
	if (h.compressed != UINT64_MAX && h.compressed != csize)
		return dec_fail(x->e, -XEN_EINVAL,
				"xz: block at 0x%zx: 0x%zx bytes of compressed data, its header says 0x%llx", bh, csize,
				(unsigned long long)h.compressed);
	if (h.uncompressed != UINT64_MAX && h.uncompressed != op - out_start)
		return dec_fail(x->e, -XEN_EINVAL, "xz: block at 0x%zx: decoded 0x%zx bytes, its header says 0x%llx",
				bh, op - out_start, (unsigned long long)h.uncompressed);
	if (h.x86)
		bcj_x86(x->out + out_start, op - out_start, h.x86_start);

	/* Block padding makes the compressed data a multiple of four bytes. */
	for (; (ip - data) & 3; ip++) {
		if (ip >= x->in_len)
			return truncated(x, bh, "a block's padding");
		if (in[ip])
			return dec_fail(x->e, -XEN_EINVAL, "xz: block at 0x%zx: non-zero padding byte at 0x%zx", bh,
					ip);
	}
	csum = check_size(x->check);
	if (x->in_len - ip < csum)
		return truncated(x, bh, "a block's check");
	rc = verify_check(x, ip, out_start, op);
	if (rc)
		return rc;
	add_record(x, &x->nr_blocks, &x->sum_unpadded, &x->sum_uncompressed, &x->records_crc, h.size + csize + csum,
		   op - out_start);
	*ipos = ip + csum;
	*opos = op;
	return 0;
}

/* ------------------------------------------------------- index and footer */

/* The index must list exactly the blocks decoded. Returns its size in *size. */
static int xz_index(struct xz *x, size_t *ipos, size_t *size)
{
	const uint8_t *in = x->in;
	size_t start = *ipos, pos = start + 1;
	uint64_t count, n = 0, unpadded_sum = 0, uncompressed_sum = 0;
	uint32_t crc = 0, stored;
	int rc;

	rc = get_vli(x, x->in_len, &pos, &count, "the index's record count");
	if (rc)
		return rc;
	if (count != x->nr_blocks)
		return dec_fail(x->e, -XEN_EINVAL, "xz: the index at 0x%zx lists %llu blocks, the stream has %llu",
				start, (unsigned long long)count, (unsigned long long)x->nr_blocks);
	while (n < count) {
		uint64_t unpadded, uncompressed;

		rc = get_vli(x, x->in_len, &pos, &unpadded, "an index record");
		if (!rc)
			rc = get_vli(x, x->in_len, &pos, &uncompressed, "an index record");
		if (rc)
			return rc;
		add_record(x, &n, &unpadded_sum, &uncompressed_sum, &crc, unpadded, uncompressed);
	}
	if (unpadded_sum != x->sum_unpadded || uncompressed_sum != x->sum_uncompressed || crc != x->records_crc)
		return dec_fail(x->e, -XEN_EINVAL,
				"xz: the index at 0x%zx does not match the blocks (sizes 0x%llx/0x%llx listed, "
				"0x%llx/0x%llx decoded)",
				start, (unsigned long long)unpadded_sum, (unsigned long long)uncompressed_sum,
				(unsigned long long)x->sum_unpadded, (unsigned long long)x->sum_uncompressed);
	for (; (pos - start) & 3; pos++) {
		if (pos >= x->in_len)
			return truncated(x, start, "the index");
		if (in[pos])
			return dec_fail(x->e, -XEN_EINVAL,
					"xz: the index at 0x%zx has a non-zero padding byte at 0x%zx", start, pos);
	}
	if (x->in_len - pos < 4)
		return truncated(x, start, "the index");
	stored = get_le32(in + pos);
	crc = crc32_update(&x->crc32, 0, in + start, pos - start);
	if (crc != stored)
		return dec_fail(x->e, -XEN_EINVAL,
				"xz: the index at 0x%zx: CRC32 0x%08x does not match the stored 0x%08x", start, crc,
				stored);
	*ipos = pos + 4;
	*size = pos + 4 - start;
	return 0;
}

static int xz_footer(struct xz *x, size_t pos, size_t index_size)
{
	const uint8_t *f = x->in + pos;
	uint32_t crc, stored;
	uint64_t backward;

	if (x->in_len - pos < XZ_FOOTER_SIZE)
		return truncated(x, pos, "the stream footer");
	if (f[10] != 'Y' || f[11] != 'Z')
		return dec_fail(x->e, -XEN_EINVAL, "xz: no stream footer magic \"YZ\" at 0x%zx", pos + 10);
	stored = get_le32(f);
	crc = crc32_small(f + 4, 6);
	if (crc != stored)
		return dec_fail(x->e, -XEN_EINVAL,
				"xz: stream footer at 0x%zx: CRC32 0x%08x does not match the stored 0x%08x", pos, crc,
				stored);
	backward = ((uint64_t)get_le32(f + 4) + 1) * 4;
	if (backward != index_size)
		return dec_fail(x->e, -XEN_EINVAL,
				"xz: stream footer at 0x%zx gives the index size as 0x%llx, the index has 0x%zx bytes",
				pos, (unsigned long long)backward, index_size);
	if (f[8] != x->flags[0] || f[9] != x->flags[1])
		return dec_fail(x->e, -XEN_EINVAL,
				"xz: stream footer at 0x%zx: flags %02x %02x differ from the header's %02x %02x", pos,
				f[8], f[9], x->flags[0], x->flags[1]);
	return 0;
}

/* ---------------------------------------------------------------- streams */

static int xz_stream_header(struct xz *x, size_t pos)
{
	const uint8_t *h = x->in + pos;
	uint32_t crc, stored;

	if (x->in_len - pos < XZ_HEADER_SIZE)
		return truncated(x, pos, "the stream header");
	if (memcmp(h, xz_magic, sizeof(xz_magic)) != 0)
		return dec_fail(x->e, -XEN_EINVAL, "xz: no stream header magic at 0x%zx", pos);
	stored = get_le32(h + 8);
	crc = crc32_small(h + 6, 2);
	if (crc != stored)
		return dec_fail(x->e, -XEN_EINVAL,
				"xz: stream header at 0x%zx: CRC32 0x%08x does not match the stored 0x%08x", pos, crc,
				stored);
	if (h[6] != 0 || (h[7] & 0xf0))
		return dec_fail(x->e, -XEN_EOPNOTSUPP,
				"xz: stream header at 0x%zx: reserved flag bits set (%02x %02x; a newer format?)", pos,
				h[6], h[7]);
	x->flags[0] = h[6];
	x->flags[1] = h[7];
	x->check = h[7] & 0x0f;
	if (x->check == XZ_CHECK_SHA256)
		return dec_fail(x->e, -XEN_EOPNOTSUPP,
				"xz: stream at 0x%zx uses a SHA-256 check, which is not supported (use CRC32, CRC64 or "
				"none: xz --check=crc32)",
				pos);
	if (x->check != XZ_CHECK_NONE && x->check != XZ_CHECK_CRC32 && x->check != XZ_CHECK_CRC64)
		return dec_fail(x->e, -XEN_EOPNOTSUPP,
				"xz: stream at 0x%zx uses check type 0x%x, which is not supported", pos, x->check);
	return 0;
}

static int xz_stream(struct xz *x, size_t *ipos, size_t *opos)
{
	size_t pos = *ipos, index_size = 0;
	int rc;

	rc = xz_stream_header(x, pos);
	if (rc)
		return rc;
	x->stream_start = pos;
	x->nr_blocks = x->sum_unpadded = x->sum_uncompressed = 0;
	x->records_crc = 0;
	pos += XZ_HEADER_SIZE;
	for (;;) {
		if (pos >= x->in_len)
			return truncated(x, pos, "a block header or the index");
		if (x->in[pos] == 0)
			break; /* the index indicator */
		rc = xz_block(x, &pos, opos);
		if (rc)
			return rc;
	}
	rc = xz_index(x, &pos, &index_size);
	if (!rc)
		rc = xz_footer(x, pos, index_size);
	if (rc)
		return rc;
	*ipos = pos + XZ_FOOTER_SIZE;
	return 0;
}

size_t unxz_workspace_size(void)
{
	return sizeof(struct xz);
}

int unxz(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len, void *work,
	 const struct dec_err *e)
{
	struct xz *x = work;
	size_t ip = 0, op = 0;
	int rc;

	x->in = in;
	x->in_len = in_len;
	x->out = out;
	x->out_cap = out_cap;
	x->e = e;
	x->crc64_ready = false;
	crc32_init(&x->crc32);
	for (;;) {
		size_t next;

		rc = xz_stream(x, &ip, &op);
		if (rc)
			return rc;
		/* Stream padding and another stream, or the end of what we decode. */
		for (next = ip; next < in_len && in[next] == 0; next++)
			;
		if (in_len - next < sizeof(xz_magic) || memcmp(in + next, xz_magic, sizeof(xz_magic)) != 0)
			break;
		if ((next - ip) & 3)
			return dec_fail(e, -XEN_EINVAL,
					"xz: %zu bytes of stream padding at 0x%zx (must be a multiple of 4)", next - ip,
					ip);
		ip = next;
	}
	*out_len = op;
	return 0;
}

/* --------------------------------------------------- size from the index */

/* A VLI at *pos, before 'end'; false if it does not fit or is too long. */
static bool vli_at(const uint8_t *in, size_t *pos, size_t end, uint64_t *val)
{
	uint64_t v = 0;

	for (unsigned int k = 0; k < 9 && *pos < end; k++) {
		uint8_t b = in[(*pos)++];

		v |= (uint64_t)(b & 0x7f) << (7 * k);
		if (!(b & 0x80)) {
			*val = v;
			return true;
		}
	}
	return false;
}

/*
 * The stream whose footer ends at 'end': check its footer, index and
 * header, and return where it starts and how much it decompresses to.
 */
static int xz_stream_back(const uint8_t *in, size_t end, size_t *start, uint64_t *usize)
{
	const uint8_t *f;
	size_t index_start, index_size, pos, index_end;
	uint64_t count, blocks = 0, total = 0;

	if (end < XZ_HEADER_SIZE + XZ_FOOTER_SIZE + 8)
		return -XEN_EINVAL;
	f = in + end - XZ_FOOTER_SIZE;
	if (f[10] != 'Y' || f[11] != 'Z' || crc32_small(f + 4, 6) != get_le32(f))
		return -XEN_EINVAL;
	index_size = ((size_t)get_le32(f + 4) + 1) * 4;
	if (index_size > end - XZ_FOOTER_SIZE - XZ_HEADER_SIZE)
		return -XEN_EINVAL;
	index_end = end - XZ_FOOTER_SIZE;
	index_start = index_end - index_size;
	if (in[index_start] != 0 || crc32_small(in + index_start, index_size - 4) != get_le32(in + index_end - 4))
		return -XEN_EINVAL;

	/* The records, inside the CRC-checked index. */
	pos = index_start + 1;
	if (!vli_at(in, &pos, index_end - 4, &count) || count > index_size)
		return -XEN_EINVAL;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t unpadded, uncompressed;

		if (!vli_at(in, &pos, index_end - 4, &unpadded) || !vli_at(in, &pos, index_end - 4, &uncompressed))
			return -XEN_EINVAL;
		/* a block occupies its unpadded size rounded up to four bytes */
		if (unpadded > end || ROUNDUP(unpadded, 4) > end - blocks || uncompressed > UINT64_MAX - total)
			return -XEN_EINVAL;
		blocks += ROUNDUP(unpadded, 4);
		total += uncompressed;
	}
	if (index_start < XZ_HEADER_SIZE || blocks > index_start - XZ_HEADER_SIZE)
		return -XEN_EINVAL;
	*start = index_start - blocks - XZ_HEADER_SIZE;
	f = in + *start;
	if (memcmp(f, xz_magic, sizeof(xz_magic)) != 0 || crc32_small(f + 6, 2) != get_le32(f + 8) ||
	    f[6] != in[end - 4] || f[7] != in[end - 3])
		return -XEN_EINVAL;
	*usize = total;
	return 0;
}

/* Back over stream padding: whole groups of four null bytes. */
static size_t skip_padding_back(const uint8_t *in, size_t end)
{
	while (end >= 4 && get_le32(in + end - 4) == 0)
		end -= 4;
	return end;
}

int xz_size(const uint8_t *in, size_t in_len, uint64_t *size)
{
	size_t end = skip_padding_back(in, in_len), start;
	uint64_t total = 0, usize;

	if (in_len < sizeof(xz_magic) || memcmp(in, xz_magic, sizeof(xz_magic)) != 0)
		return -XEN_EINVAL;
	/* No footer at the end: a bzImage payload's 4-byte size trailer? */
	if (xz_stream_back(in, end, &start, &usize) != 0) {
		if (in_len < 4 || xz_stream_back(in, skip_padding_back(in, in_len - 4), &start, &usize) != 0)
			return -XEN_EINVAL;
	}
	for (;;) {
		if (usize > UINT64_MAX - total)
			return -XEN_EINVAL;
		total += usize;
		if (start == 0)
			break;
		end = skip_padding_back(in, start);
		if (xz_stream_back(in, end, &start, &usize) != 0)
			return -XEN_EINVAL;
	}
	*size = total;
	return 0;
}
