/*
 * The gzip decoder behind decompress() (see hv/decompress.h), written from
 * RFC 1951 (DEFLATE) and RFC 1952 (gzip).
 *
 * A gzip member is a header (magic, method 8, flags for optional extra
 * field, name, comment and header CRC16), DEFLATE data, and a trailer with
 * the CRC32 and the size modulo 2^32 of the output. DEFLATE data is a
 * sequence of blocks: stored, or literals and <length, distance> matches
 * coded with the fixed or a per-block ("dynamic") pair of Huffman codes.
 *
 * Huffman codes are decoded with lookup tables: the next LIT_ROOT (or
 * DIST_ROOT) input bits index a first-level table whose entry gives the
 * symbol and its code length, or, for the rare longer codes, points to a
 * second-level table indexed by the following bits. Bits are read from a
 * 64-bit buffer refilled eight bytes at a time while eight remain, and a
 * byte at a time near the end, where missing bytes read as zeros and are
 * counted ("virtual"): consuming one of those means the input is truncated.
 * The output buffer is the window; a distance may reach back to the start
 * of the member.
 */
#include <hv/decompress.h>
#include <hv/errno.h>
#include <hv/lib.h>

#define LIT_ROOT 10
#define DIST_ROOT 8
#define CLEN_ROOT 7
/*
 * Table sizes. A complete code whose longest codes are b bits longer than
 * the root has, under each root entry that needs a second level, a full
 * subtree of depth b, holding at least b + 1 codes for its 2^b entries.
 * With at most 288 (32) symbols and codes of at most 15 bits that bounds
 * the second levels at 288 / 6 * 32 (32 / 8 * 128) entries.
 */
#define LIT_TABLE_SIZE ((1 << LIT_ROOT) + 288 / 6 * 32)
#define DIST_TABLE_SIZE ((1 << DIST_ROOT) + 32 / 8 * 128)
#define CLEN_TABLE_SIZE (1 << CLEN_ROOT)

#define MAX_CODE_BITS 15
#define NR_LIT 288 /* 286 used; 286 and 287 take part in the fixed code only */
#define NR_DIST 32 /* 30 used; likewise */
#define NR_CLEN 19
#define END_OF_BLOCK 256
#define MAX_MATCH 258

/*
 * A table entry: bits 0-3 the code bits it consumes, 4-7 the extra bits
 * that follow (for a link: the second level's index bits), 8-11 flags,
 * 16-31 the value (a literal, a length or distance base, a code length
 * symbol, or the second level's offset).
 */
#define E_BITS(e) ((e)&0xf)
#define E_EXTRA(e) (((e) >> 4) & 0xf)
#define E_VAL(e) ((e) >> 16)
#define E_LIT 0x100
#define E_EOB 0x200
#define E_LINK 0x400
#define E_BAD 0x800 /* no such code, or a symbol DEFLATE does not use */
#define E_NONE (E_BAD | 0xffffu << 16)

enum huff_kind { HUFF_CLEN, HUFF_LIT, HUFF_DIST };

/* The order in which a dynamic block sends the code length code's lengths. */
static const uint8_t clen_order[NR_CLEN] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };

/* The workspace. */
struct inflate {
	uint32_t lit[LIT_TABLE_SIZE];
	uint32_t dist[DIST_TABLE_SIZE];
	uint32_t clen[CLEN_TABLE_SIZE];
	uint16_t code[NR_LIT + NR_DIST];
	uint8_t lens[NR_LIT + NR_DIST];
	uint8_t sub_bits[1 << LIT_ROOT];
	struct crc32_table crc32;

	const uint8_t *in;
	size_t in_len, pos; /* pos: the next byte to load into the bit buffer */
	uint64_t bitbuf;
	unsigned int bitcnt; /* valid bits in bitbuf, virtual ones included */
	unsigned int virt;   /* zero bytes loaded past the end of the input */
	uint8_t *out;
	size_t out_cap, op;
	size_t member_in, member_start; /* where the current member starts in the input and output */
	const struct dec_err *e;
};

static inline uint64_t load_le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	       (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static inline uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ------------------------------------------------------------ bit input */

/*
 * Bring the bit buffer to at least 56 bits. Bits above bitcnt may hold the
 * bytes at pos and after, as the eight-byte load left them; every later
 * load writes the same values there, so OR-ing is right.
 */
#define REFILL(in, in_len, pos, bitbuf, bitcnt, virt)                                    \
	do {                                                                             \
		if ((in_len) - (pos) >= 8) {                                             \
			(bitbuf) |= load_le64((in) + (pos)) << (bitcnt);                 \
			(pos) += (63 - (bitcnt)) >> 3;                                   \
			(bitcnt) |= 56;                                                  \
		} else {                                                                 \
			for (; (bitcnt) <= 56; (bitcnt) += 8) {                          \
				if ((pos) < (in_len))                                    \
					(bitbuf) |= (uint64_t)(in)[(pos)++] << (bitcnt); \
				else                                                     \
					(virt)++;                                        \
			}                                                                \
		}                                                                        \
	} while (0)

static void refill(struct inflate *z)
{
	REFILL(z->in, z->in_len, z->pos, z->bitbuf, z->bitcnt, z->virt);
}

/* The input offset of the byte holding the last bit consumed: where the bad code ends. */
static size_t bit_offset(const struct inflate *z)
{
	size_t consumed = (z->pos + z->virt) * 8 - z->bitcnt;

	return consumed ? (consumed - 1) / 8 : 0;
}

/* The input offset of the byte holding the next bit: where a block or header starts. */
static size_t next_bit_offset(const struct inflate *z)
{
	return ((z->pos + z->virt) * 8 - z->bitcnt) / 8;
}

static int truncated(struct inflate *z, const char *what)
{
	return dec_fail(z->e, -XEN_EINVAL, "gzip: truncated input: it ends at 0x%zx, inside %s of the member at 0x%zx",
			z->in_len, what, z->member_in);
}

/* Have the bits consumed so far run into the zeros past the end? */
static inline bool overran(const struct inflate *z)
{
	return z->virt && z->bitcnt < 8 * z->virt;
}

/* Take n (<= 32) bits; check overran() once a field is complete. */
static uint32_t take(struct inflate *z, unsigned int n)
{
	uint32_t v;

	if (z->bitcnt < n)
		refill(z);
	v = (uint32_t)(z->bitbuf & ((1ull << n) - 1));
	z->bitbuf >>= n;
	z->bitcnt -= n;
	return v;
}

/*
 * Skip to a byte boundary and hand the whole bytes still in the bit buffer
 * back to the input, for stored blocks and the trailer, which are bytes.
 */
static bool byte_align(struct inflate *z)
{
	unsigned int whole;

	take(z, z->bitcnt % 8);
	whole = z->bitcnt / 8;
	if (whole < z->virt)
		return false;
	z->pos -= whole - z->virt;
	z->bitbuf = 0;
	z->bitcnt = 0;
	z->virt = 0;
	return true;
}

/* -------------------------------------------------------- Huffman tables */

/*
 * RFC 1951 3.2.5's table as arithmetic. Length symbol 257 + i: i < 8 are
 * 3 .. 10; then each group of four adds an extra bit, base 3 + (4..7 <<
 * extra); 285 is 258. Distance symbol j: 0 .. 3 are 1 .. 4; then each pair
 * adds an extra bit, base 1 + (2..3 << extra).
 */
static uint32_t length_entry(unsigned int i)
{
	unsigned int extra = i < 8 ? 0 : (i >> 2) - 1;

	if (i == 28)
		return (uint32_t)MAX_MATCH << 16;
	if (i < 4)
		return (uint32_t)(i + 3) << 16;
	return (uint32_t)(((4 | (i & 3)) << extra) + 3) << 16 | extra << 4;
}

static uint32_t distance_entry(unsigned int j)
{
	unsigned int extra = j < 2 ? 0 : (j >> 1) - 1;

	if (j < 2)
		return (uint32_t)(j + 1) << 16;
	return (uint32_t)(((2 | (j & 1)) << extra) + 1) << 16 | extra << 4;
}

/* The table entry (without its bit count) for symbol 'sym' of a code of kind 'kind'. */
static uint32_t sym_entry(enum huff_kind kind, unsigned int sym)
{
	if (kind == HUFF_CLEN)
		return (uint32_t)sym << 16;
	if (kind == HUFF_DIST)
		return sym < 30 ? distance_entry(sym) : E_BAD | (uint32_t)sym << 16;
	if (sym < 256)
		return E_LIT | (uint32_t)sym << 16;
	if (sym == END_OF_BLOCK)
		return E_EOB;
	if (sym <= 285)
		return length_entry(sym - 257);
	return E_BAD | (uint32_t)sym << 16;
}

static unsigned int reverse_bits(unsigned int v, unsigned int n)
{
	unsigned int r = 0;

	while (n--) {
		r = (r << 1) | (v & 1);
		v >>= 1;
	}
	return r;
}

static const char *const kind_name[] = { "code length", "literal/length", "distance" };

/*
 * Build the table for the canonical Huffman code with code lengths
 * lens[0 .. n) (RFC 1951 3.2.2). The code must be complete, except that a
 * literal/length or distance code may have a single code of one bit, and a
 * distance code none at all (a block of literals only).
 */
static int huff_build(struct inflate *z, uint32_t *table, size_t cap, unsigned int root, const uint8_t *lens,
		      unsigned int n, enum huff_kind kind)
{
	unsigned int count[MAX_CODE_BITS + 1] = { 0 }, next[MAX_CODE_BITS + 1];
	unsigned int used = 0, longest = 0, size = 1u << root, off = size;
	int left = 1;

	for (unsigned int s = 0; s < n; s++)
		count[lens[s]]++;
	for (unsigned int l = 1; l <= MAX_CODE_BITS; l++) {
		left = 2 * left - (int)count[l];
		if (left < 0)
			return dec_fail(z->e, -XEN_EINVAL,
					"gzip: corrupt DEFLATE data at 0x%zx: over-subscribed %s code (too many "
					"codes of %u bits)",
					bit_offset(z), kind_name[kind], l);
		used += count[l];
		if (count[l])
			longest = l;
	}
	if (left > 0 && !(kind != HUFF_CLEN && used == 1 && longest == 1) && !(kind == HUFF_DIST && used == 0))
		return dec_fail(z->e, -XEN_EINVAL, "gzip: corrupt DEFLATE data at 0x%zx: incomplete %s code",
				bit_offset(z), kind_name[kind]);

	next[1] = 0;
	for (unsigned int l = 2; l <= MAX_CODE_BITS; l++)
		next[l] = (next[l - 1] + count[l - 1]) << 1;
	for (unsigned int i = 0; i < size; i++) {
		table[i] = E_NONE;
		z->sub_bits[i] = 0;
	}
	/* Assign the codes; note how deep each root entry's second level must be. */
	for (unsigned int s = 0; s < n; s++) {
		unsigned int l = lens[s];

		if (!l)
			continue;
		z->code[s] = (uint16_t)next[l]++;
		if (l > root) {
			unsigned int idx = reverse_bits(z->code[s] >> (l - root), root);

			z->sub_bits[idx] = (uint8_t)MAX(z->sub_bits[idx], l - root);
		}
	}
	for (unsigned int i = 0; i < size; i++) {
		unsigned int b = z->sub_bits[i];

		if (!b)
			continue;
		if (off + (1u << b) > cap)
			return dec_fail(z->e, -XEN_EINVAL, "gzip: corrupt DEFLATE data at 0x%zx: %s code too big",
					bit_offset(z), kind_name[kind]);
		table[i] = E_LINK | (uint32_t)off << 16 | b << 4 | root;
		for (unsigned int k = 0; k < (1u << b); k++)
			table[off + k] = E_NONE;
		off += 1u << b;
	}
	for (unsigned int s = 0; s < n; s++) {
		unsigned int l = lens[s], r;
		uint32_t entry;

		if (!l)
			continue;
		entry = sym_entry(kind, s);
		r = reverse_bits(z->code[s], l);
		if (l <= root) {
			for (unsigned int i = r; i < size; i += 1u << l)
				table[i] = entry | l;
		} else {
			uint32_t link = table[r & (size - 1)];

			for (unsigned int i = r >> root; i < (1u << E_EXTRA(link)); i += 1u << (l - root))
				table[E_VAL(link) + i] = entry | (l - root);
		}
	}
	return 0;
}

/* Decode one symbol with 'table' (outside the hot loop); returns its entry. */
static uint32_t decode_sym(struct inflate *z, const uint32_t *table, unsigned int root)
{
	uint32_t e;

	if (z->bitcnt < MAX_CODE_BITS)
		refill(z);
	e = table[z->bitbuf & ((1u << root) - 1)];
	if (e & E_LINK) {
		z->bitbuf >>= root;
		z->bitcnt -= root;
		e = table[E_VAL(e) + (z->bitbuf & ((1u << E_EXTRA(e)) - 1))];
	}
	z->bitbuf >>= E_BITS(e);
	z->bitcnt -= E_BITS(e);
	return e;
}

static int bad_symbol(struct inflate *z, uint32_t e, const char *code)
{
	if (E_VAL(e) == 0xffff)
		return dec_fail(z->e, -XEN_EINVAL, "gzip: corrupt DEFLATE data at 0x%zx: no %s code matches the input",
				bit_offset(z), code);
	return dec_fail(z->e, -XEN_EINVAL, "gzip: corrupt DEFLATE data at 0x%zx: invalid %s symbol %u", bit_offset(z),
			code, E_VAL(e));
}

static int fixed_tables(struct inflate *z)
{
	unsigned int s;
	int rc;

	for (s = 0; s < 144; s++)
		z->lens[s] = 8;
	for (; s < 256; s++)
		z->lens[s] = 9;
	for (; s < 280; s++)
		z->lens[s] = 7;
	for (; s < NR_LIT; s++)
		z->lens[s] = 8;
	for (s = 0; s < NR_DIST; s++)
		z->lens[NR_LIT + s] = 5;
	rc = huff_build(z, z->lit, LIT_TABLE_SIZE, LIT_ROOT, z->lens, NR_LIT, HUFF_LIT);
	if (!rc)
		rc = huff_build(z, z->dist, DIST_TABLE_SIZE, DIST_ROOT, z->lens + NR_LIT, NR_DIST, HUFF_DIST);
	return rc;
}

/* A dynamic block's header: the code length code, then the two codes' lengths in it. */
static int dynamic_tables(struct inflate *z)
{
	unsigned int nlit, ndist, nclen, i;
	uint8_t clen_lens[NR_CLEN] = { 0 };
	size_t at = next_bit_offset(z);
	int rc;

	nlit = take(z, 5) + 257;
	ndist = take(z, 5) + 1;
	nclen = take(z, 4) + 4;
	if (overran(z))
		return truncated(z, "a dynamic block header");
	if (nlit > 286 || ndist > 30)
		return dec_fail(z->e, -XEN_EINVAL,
				"gzip: corrupt DEFLATE data at 0x%zx: a dynamic block with %u literal/length and %u "
				"distance codes (at most 286 and 30)",
				at, nlit, ndist);
	for (i = 0; i < nclen; i++)
		clen_lens[clen_order[i]] = (uint8_t)take(z, 3);
	if (overran(z))
		return truncated(z, "a dynamic block header");
	rc = huff_build(z, z->clen, CLEN_TABLE_SIZE, CLEN_ROOT, clen_lens, NR_CLEN, HUFF_CLEN);
	if (rc)
		return rc;

	for (i = 0; i < nlit + ndist;) {
		uint32_t e = decode_sym(z, z->clen, CLEN_ROOT);
		unsigned int sym = E_VAL(e), rep, val = 0;

		if (e & E_BAD) /* cannot happen: the code length code is complete */
			return bad_symbol(z, e, "code length");
		if (sym < 16) {
			z->lens[i++] = (uint8_t)sym;
		} else {
			if (sym == 16) {
				if (i == 0)
					return dec_fail(z->e, -XEN_EINVAL,
							"gzip: corrupt DEFLATE data at 0x%zx: a dynamic block repeats "
							"the previous code length before the first",
							bit_offset(z));
				val = z->lens[i - 1];
				rep = 3 + take(z, 2);
			} else if (sym == 17) {
				rep = 3 + take(z, 3);
			} else {
				rep = 11 + take(z, 7);
			}
			if (rep > nlit + ndist - i)
				return dec_fail(
					z->e, -XEN_EINVAL,
					"gzip: corrupt DEFLATE data at 0x%zx: code lengths repeat past the %u a "
					"dynamic block declared",
					bit_offset(z), nlit + ndist);
			while (rep--)
				z->lens[i++] = (uint8_t)val;
		}
		if (overran(z))
			return truncated(z, "a dynamic block header");
	}
	if (z->lens[END_OF_BLOCK] == 0)
		return dec_fail(z->e, -XEN_EINVAL,
				"gzip: corrupt DEFLATE data at 0x%zx: a dynamic block without an end-of-block code",
				at);
	rc = huff_build(z, z->lit, LIT_TABLE_SIZE, LIT_ROOT, z->lens, nlit, HUFF_LIT);
	if (!rc)
		rc = huff_build(z, z->dist, DIST_TABLE_SIZE, DIST_ROOT, z->lens + nlit, ndist, HUFF_DIST);
	return rc;
}

/* ------------------------------------------------------------- blocks */

/*
 * Decode a Huffman-coded block with the tables built. The bit reader and
 * output position live in locals here: the output stores (uint8_t) could
 * alias anything in *z, which would force the compiler to reload them.
 */
static int inflate_codes(struct inflate *z)
{
	const uint8_t *const in = z->in;
	const size_t in_len = z->in_len, out_cap = z->out_cap, window = z->member_start;
	const uint32_t *const lit = z->lit, *const dist = z->dist;
	uint8_t *const out = z->out;
	size_t pos = z->pos, op = z->op;
	uint64_t bitbuf = z->bitbuf;
	unsigned int bitcnt = z->bitcnt, virt = z->virt;
	uint32_t e, n;
	size_t len, d;
	int rc = 0;

#define CONSUME(nbits)              \
	do {                        \
		bitbuf >>= (nbits); \
		bitcnt -= (nbits);  \
	} while (0)

	for (;;) {
		/* One symbol needs at most 15 + 5 + 15 + 13 = 48 bits. */
		if (bitcnt < 48)
			REFILL(in, in_len, pos, bitbuf, bitcnt, virt);
		e = lit[bitbuf & ((1u << LIT_ROOT) - 1)];
		if (e & E_LINK) {
			CONSUME(LIT_ROOT);
			e = lit[E_VAL(e) + (bitbuf & ((1u << E_EXTRA(e)) - 1))];
		}
		CONSUME(E_BITS(e));
		if (e & E_LIT) {
			if (unlikely(op == out_cap))
				goto no_space;
			out[op++] = (uint8_t)E_VAL(e);
			if (unlikely(virt) && bitcnt < 8 * virt)
				goto overrun;
			continue;
		}
		if (unlikely(e & (E_EOB | E_BAD))) {
			if (virt && bitcnt < 8 * virt)
				goto overrun;
			if (e & E_EOB)
				break;
			goto bad_lit;
		}
		n = E_EXTRA(e);
		len = E_VAL(e) + (bitbuf & ((1u << n) - 1));
		CONSUME(n);

		e = dist[bitbuf & ((1u << DIST_ROOT) - 1)];
		if (e & E_LINK) {
			CONSUME(DIST_ROOT);
			e = dist[E_VAL(e) + (bitbuf & ((1u << E_EXTRA(e)) - 1))];
		}
		CONSUME(E_BITS(e));
		if (unlikely(e & E_BAD))
			goto bad_dist;
		n = E_EXTRA(e);
		d = E_VAL(e) + (bitbuf & ((1u << n) - 1));
		CONSUME(n);
		if (unlikely(virt) && bitcnt < 8 * virt)
			goto overrun;
		if (unlikely(d > op - window)) {
			rc = -XEN_EINVAL;
			goto out;
		}
		if (unlikely(len > out_cap - op))
			goto no_space;
		dec_copy_match(out + op, d, len, out_cap - op);
		op += len;
	}
#undef CONSUME

out:
	z->pos = pos;
	z->bitbuf = bitbuf;
	z->bitcnt = bitcnt;
	z->virt = virt;
	z->op = op;
	if (rc)
		return dec_fail(z->e, rc,
				"gzip: corrupt DEFLATE data at 0x%zx: distance %zu reaches before the start of the "
				"member's output (0x%zx bytes so far)",
				bit_offset(z), d, op - window);
	return 0;

overrun:
	z->pos = pos;
	z->bitcnt = bitcnt;
	z->virt = virt;
	z->op = op;
	return truncated(z, "compressed data");
bad_lit:
	z->pos = pos;
	z->bitcnt = bitcnt;
	z->virt = virt;
	return bad_symbol(z, e, "literal/length");
bad_dist:
	z->pos = pos;
	z->bitcnt = bitcnt;
	z->virt = virt;
	return bad_symbol(z, e, "distance");
no_space:
	z->op = op;
	return -XEN_ENOSPC;
}

static int stored_block(struct inflate *z)
{
	size_t at, len;

	if (!byte_align(z))
		return truncated(z, "a stored block header");
	at = z->pos;
	if (z->in_len - at < 4)
		return truncated(z, "a stored block header");
	len = z->in[at] | (size_t)z->in[at + 1] << 8;
	if ((len ^ (z->in[at + 2] | (size_t)z->in[at + 3] << 8)) != 0xffff)
		return dec_fail(z->e, -XEN_EINVAL,
				"gzip: corrupt DEFLATE data at 0x%zx: stored block length 0x%04zx and its complement "
				"0x%02x%02x disagree",
				at, len, z->in[at + 3], z->in[at + 2]);
	z->pos += 4;
	if (z->in_len - z->pos < len)
		return truncated(z, "a stored block");
	if (z->out_cap - z->op < len)
		return -XEN_ENOSPC;
	memcpy(z->out + z->op, z->in + z->pos, len);
	z->pos += len;
	z->op += len;
	return 0;
}

static int inflate_blocks(struct inflate *z)
{
	unsigned int final, type;
	int rc;

	z->bitbuf = 0;
	z->bitcnt = 0;
	z->virt = 0;
	do {
		size_t at = next_bit_offset(z);

		final = take(z, 1);
		type = take(z, 2);
		if (overran(z))
			return truncated(z, "a block header");
		switch (type) {
		case 0:
			rc = stored_block(z);
			break;
		case 1:
			rc = fixed_tables(z);
			if (!rc)
				rc = inflate_codes(z);
			break;
		case 2:
			rc = dynamic_tables(z);
			if (!rc)
				rc = inflate_codes(z);
			break;
		default:
			return dec_fail(z->e, -XEN_EINVAL,
					"gzip: corrupt DEFLATE data at 0x%zx: block type 3, which is reserved", at);
		}
		if (rc)
			return rc;
	} while (!final);
	if (!byte_align(z))
		return truncated(z, "compressed data");
	return 0;
}

/* ---------------------------------------------------------------- gzip */

#define GZ_FTEXT 0x01
#define GZ_FHCRC 0x02
#define GZ_FEXTRA 0x04
#define GZ_FNAME 0x08
#define GZ_FCOMMENT 0x10
#define GZ_FRESERVED 0xe0
#define GZ_CM_DEFLATE 8
#define GZ_HEADER_SIZE 10
#define GZ_TRAILER_SIZE 8

/* Skip a zero-terminated header field starting at *p. */
static int skip_string(struct inflate *z, size_t *p, const char *what)
{
	while (*p < z->in_len && z->in[*p])
		(*p)++;
	if (*p >= z->in_len)
		return truncated(z, what);
	(*p)++;
	return 0;
}

static int gzip_header(struct inflate *z, size_t start, size_t *data)
{
	const uint8_t *h = z->in + start;
	size_t p = start + GZ_HEADER_SIZE;
	unsigned int flags;
	int rc;

	if (z->in_len - start < GZ_HEADER_SIZE)
		return truncated(z, "the header");
	if (h[2] != GZ_CM_DEFLATE)
		return dec_fail(z->e, -XEN_EOPNOTSUPP,
				"gzip: member at 0x%zx uses compression method %u (only 8, deflate, exists)", start,
				h[2]);
	flags = h[3];
	if (flags & GZ_FRESERVED)
		return dec_fail(z->e, -XEN_EINVAL, "gzip: member at 0x%zx has reserved flag bits set (flags 0x%02x)",
				start, flags);
	if (flags & GZ_FEXTRA) {
		size_t xlen;

		if (z->in_len - p < 2)
			return truncated(z, "the extra field");
		xlen = z->in[p] | (size_t)z->in[p + 1] << 8;
		p += 2;
		if (z->in_len - p < xlen)
			return truncated(z, "the extra field");
		p += xlen;
	}
	if (flags & GZ_FNAME) {
		rc = skip_string(z, &p, "the file name");
		if (rc)
			return rc;
	}
	if (flags & GZ_FCOMMENT) {
		rc = skip_string(z, &p, "the comment");
		if (rc)
			return rc;
	}
	if (flags & GZ_FHCRC) {
		uint16_t stored, crc;

		if (z->in_len - p < 2)
			return truncated(z, "the header CRC");
		stored = (uint16_t)(z->in[p] | z->in[p + 1] << 8);
		crc = (uint16_t)crc32_update(&z->crc32, 0, h, p - start);
		if (crc != stored)
			return dec_fail(z->e, -XEN_EINVAL,
					"gzip: member at 0x%zx: header CRC16 0x%04x does not match the stored 0x%04x",
					start, crc, stored);
		p += 2;
	}
	*data = p;
	return 0;
}

static int gzip_member(struct inflate *z, size_t start, size_t *end)
{
	const uint8_t *t;
	uint32_t crc, stored, isize;
	size_t data = 0, size;
	int rc;

	z->member_in = start;
	z->member_start = z->op;
	rc = gzip_header(z, start, &data);
	if (rc)
		return rc;
	z->pos = data;
	rc = inflate_blocks(z);
	if (rc == -XEN_ENOSPC) {
		uint64_t hint;

		if (gzip_size(z->in, z->in_len, &hint) == 0 && hint > z->out_cap)
			return dec_fail(
				z->e, rc,
				"gzip: output buffer too small: 0x%zx bytes, the input's last four bytes (ISIZE) "
				"say 0x%llx",
				z->out_cap, (unsigned long long)hint);
		return dec_fail(z->e, rc, "gzip: output buffer too small: 0x%zx bytes were not enough", z->out_cap);
	}
	if (rc)
		return rc;
	if (z->in_len - z->pos < GZ_TRAILER_SIZE)
		return truncated(z, "the trailer");
	t = z->in + z->pos;
	size = z->op - z->member_start;
	stored = load_le32(t);
	isize = load_le32(t + 4);
	crc = crc32_update(&z->crc32, 0, z->out + z->member_start, size);
	if (crc != stored)
		return dec_fail(z->e, -XEN_EINVAL,
				"gzip: member at 0x%zx: the 0x%zx bytes decoded have CRC32 0x%08x, the trailer at "
				"0x%zx says 0x%08x",
				start, size, crc, z->pos, stored);
	if (isize != (uint32_t)size)
		return dec_fail(
			z->e, -XEN_EINVAL,
			"gzip: member at 0x%zx: decoded 0x%zx bytes, the trailer at 0x%zx says 0x%08x (mod 2^32)",
			start, size, z->pos, isize);
	*end = z->pos + GZ_TRAILER_SIZE;
	return 0;
}

size_t gunzip_workspace_size(void)
{
	return sizeof(struct inflate);
}

int gunzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len, void *work,
	   const struct dec_err *e)
{
	struct inflate *z = work;
	size_t start = 0;
	int rc;

	z->in = in;
	z->in_len = in_len;
	z->out = out;
	z->out_cap = out_cap;
	z->op = 0;
	z->e = e;
	crc32_init(&z->crc32);
	/* Members follow one another while the gzip magic does. */
	do {
		rc = gzip_member(z, start, &start);
		if (rc)
			return rc;
	} while (in_len - start >= 2 && in[start] == 0x1f && in[start + 1] == 0x8b);
	*out_len = z->op;
	return 0;
}

int gzip_size(const uint8_t *in, size_t in_len, uint64_t *size)
{
	/* The smallest member: a 10-byte header, an empty block in 2 bytes, the 8-byte trailer. */
	if (in_len < GZ_HEADER_SIZE + 2 + GZ_TRAILER_SIZE || in[0] != 0x1f || in[1] != 0x8b)
		return -XEN_EINVAL;
	*size = load_le32(in + in_len - 4);
	return 0;
}
