/*
 * Shared by the decompress unit tests: running decompress() on exact-size
 * heap copies (so ASan sees any access past the input or the output),
 * vectors made by the gzip and xz tools, generated data, and small
 * reference writers with which the tests build gzip and xz data by hand:
 * a byte buffer, a DEFLATE bit writer, an xz container writer and an LZMA
 * range encoder that emits chosen symbols (also invalid ones).
 */
#ifndef DECOMPRESS_HELPERS_H
#define DECOMPRESS_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern char errbuf[1024];

/* ------------------------------------------------------------ running */

/*
 * decompress() of a heap copy of in[0 .. len) into a heap buffer of exactly
 * 'cap' bytes. Returns rc; on success *out (freed by the caller, may be
 * NULL) holds the output and *out_len its length. errbuf has the message.
 */
int dec(const void *in, size_t len, size_t cap, uint8_t **out, size_t *out_len);
/* decompress() must fail with rc and exactly msg. */
void expect_error(const void *in, size_t len, size_t cap, int rc, const char *msg);
/* ... with rc and a message containing 'part'. */
void expect_error_has(const void *in, size_t len, size_t cap, int rc, const char *part);
/* comp must decompress to data[0 .. n) into a buffer of n and of n + 100 bytes,
 * fail with -XEN_ENOSPC into n - 1, and decompressed_size() must agree
 * (exactly for xz; for gzip, modulo 2^32). */
void expect_roundtrip(const void *comp, size_t clen, const void *data, size_t n);
/* The same without the decompressed_size() check. */
void expect_decodes(const void *comp, size_t clen, const void *data, size_t n);
/* Every proper prefix of comp must fail with -XEN_EINVAL (or -XEN_ENOEXEC if too short for a magic). */
void check_truncations(const void *comp, size_t clen, size_t n);
/* Random 1-3 bit flips; whatever decompress() says, it must not crash; when it
 * accepts and 'checked', the output must be data. Returns how many were rejected. */
unsigned int check_bitflips(const void *comp, size_t clen, const void *data, size_t n, unsigned int iterations,
			    bool checked, unsigned int seed);

/* -------------------------------------------------------------- tools */

/* Is the command on $PATH? */
bool have_tool(const char *name);
/* Run "sh -c cmd" with in as stdin; returns its stdout (malloc'd) or NULL if it failed. */
uint8_t *run_tool(const char *cmd, const void *in, size_t len, size_t *out_len);
/* Read a whole file, or NULL. */
uint8_t *read_file(const char *path, size_t *len);

/* --------------------------------------------------------------- data */

uint8_t *gen_text(size_t n, unsigned int seed);	  /* words: compressible */
uint8_t *gen_random(size_t n, unsigned int seed); /* incompressible */
uint8_t *gen_x86(size_t *n);			  /* this test binary: real x86 code */

/* Bitwise reference CRCs. */
uint32_t ref_crc32(const void *p, size_t n);
uint64_t ref_crc64(const void *p, size_t n);

/* ------------------------------------------------------------ writing */

struct buf {
	uint8_t *p;
	size_t len, cap;
};
void put(struct buf *b, const void *p, size_t n);
void put8(struct buf *b, unsigned int v);
void put16le(struct buf *b, unsigned int v);
void put16be(struct buf *b, unsigned int v);
void put32le(struct buf *b, uint32_t v);
void put64le(struct buf *b, uint64_t v);
void put_vli(struct buf *b, uint64_t v);
void set32le(uint8_t *p, uint32_t v);

/* DEFLATE bits: values LSB first, Huffman codes MSB first. */
struct bits {
	struct buf *b;
	uint32_t acc;
	unsigned int n;
};
void bits_put(struct bits *w, uint32_t v, unsigned int n);
void bits_code(struct bits *w, uint32_t code, unsigned int len);
void bits_flush(struct bits *w);
/* Fixed-code symbols (RFC 1951 3.2.6). */
void fixed_lit(struct bits *w, unsigned int sym);
void fixed_dist(struct bits *w, unsigned int sym);
/* A gzip member around deflate data: 10-byte header (flags 0), data, CRC32 and ISIZE of 'orig'. */
void gz_member(struct buf *out, const struct buf *deflate, const void *orig, size_t n);

/* xz */
#define T_XZ_CHECK_NONE 0
#define T_XZ_CHECK_CRC32 1
#define T_XZ_CHECK_CRC64 4
#define T_XZ_CHECK_SHA256 10

struct xz_writer {
	struct buf *b;
	unsigned int check;
	size_t stream_start;
	unsigned int nrec;
	uint64_t rec[64][2]; /* unpadded size, uncompressed size */
};
struct xz_block_opts {
	bool sizes;	    /* store compressed and uncompressed sizes in the header */
	bool x86;	    /* x86 BCJ before LZMA2 (the data given is what LZMA2 produced) */
	int x86_start;	    /* >= 0: give the BCJ start offset property */
	unsigned int dict;  /* LZMA2 dictionary size byte */
	unsigned int extra; /* header padding bytes beyond what is needed (multiple of 4) */
};
void xz_begin(struct xz_writer *w, struct buf *b, unsigned int check);
/* A block of raw LZMA2 data 'l2' that decodes to 'data'; returns its offset. */
size_t xz_block(struct xz_writer *w, const struct xz_block_opts *o, const struct buf *l2, const void *data, size_t n);
/* The index and the footer; returns the index's offset. */
size_t xz_end(struct xz_writer *w);
/* Recompute the CRC32 of the block header at off / of the stream header at off. */
void xz_fix_block_crc(uint8_t *p, size_t off);
void xz_fix_header_crc(uint8_t *p, size_t off);
/* The index at off, 'size' bytes with its CRC; recompute the CRC. */
void xz_fix_index_crc(uint8_t *p, size_t off, size_t size);
void xz_fix_footer_crc(uint8_t *p, size_t off);

/* LZMA2 chunks. */
void lzma2_uncompressed(struct buf *b, bool dict_reset, const void *data, size_t n);
/* ctrl: 0x80 | reset bits (0x00, 0x20, 0x40, 0x60); props < 0: none written */
void lzma2_chunk(struct buf *b, unsigned int ctrl, size_t usize, const struct buf *packed, int props);

/* An LZMA encoder of chosen symbols, with the decoder's model. */
struct lzma_enc {
	struct buf out;
	uint64_t low;
	uint32_t range;
	uint8_t cache;
	uint64_t cache_size;
	unsigned int lc, lp, pb, state;
	uint32_t rep[4]; /* distance - 1, as the decoder keeps them */
	uint8_t *hist;	 /* the uncompressed data so far */
	size_t pos, hist_cap;
	uint16_t p[16384]; /* every probability, laid out like the decoder's */
};
void lze_init(struct lzma_enc *e, unsigned int lc, unsigned int lp, unsigned int pb);
void lze_literal(struct lzma_enc *e, uint8_t byte);
void lze_match(struct lzma_enc *e, uint32_t dist, unsigned int len); /* dist >= 1; 0xffffffff + 1 = end marker */
void lze_end_marker(struct lzma_enc *e);
void lze_rep(struct lzma_enc *e, unsigned int which, unsigned int len); /* which 0..3; (0, 1) = short rep */
/* New properties and a state reset, as LZMA2's control bits 0x40 say (0x60: and a dictionary reset). */
void lze_reset(struct lzma_enc *e, unsigned int lc, unsigned int lp, unsigned int pb, bool dict_reset);
/* Bytes an uncompressed LZMA2 chunk adds to the dictionary. */
void lze_raw(struct lzma_enc *e, const void *data, size_t n);
/* Flush the range coder; e->out holds the chunk data. Starts a new chunk (state kept). */
void lze_flush(struct lzma_enc *e);
void lze_free(struct lzma_enc *e);

#endif
