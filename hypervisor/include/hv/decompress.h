/*
 * Unpacking guest kernels: the payload of a Linux bzImage (lib/bzimage.c)
 * and the two compressors it comes in here, gzip (RFC 1951/1952,
 * lib/inflate.c) and xz (LZMA2, optionally behind the x86 BCJ filter, as
 * Linux's scripts/xz_wrap.sh makes it; lib/unxz.c).
 *
 * Everything runs in "single-call" mode: the whole input is in memory and
 * the output buffer is the history window (the LZMA dictionary), so the
 * decoders allocate nothing. Their other state (Huffman tables, LZMA
 * probabilities, CRC tables) lives in a workspace the caller provides, of
 * decompress_workspace_size() bytes and any alignment; nothing is global,
 * so several CPUs may decompress at once with separate workspaces. Stack
 * use is a few hundred bytes and no function recurses.
 *
 * Input is untrusted: every byte read is bounds-checked, nothing is written
 * past out_cap, every check the formats carry is verified, and errors say
 * what is wrong and at which input offset.
 *
 * Speed (Debian 12's kernel: 7.8 MiB of xz to 63 MiB): about 100 MB/s of
 * output on a current x86 host, 40 MB/s under QEMU's TCG (user mode); gzip
 * is about five times faster. Under emulation that is seconds without a
 * preemption point, so call it where that is acceptable (building boot
 * domains), not from a hypercall.
 *
 * A domain builder given a bzImage: bzimage_parse(), decompressed_size() of
 * the payload to size the output buffer, decompress(), then elf_check() and
 * load the vmlinux ELF it produced (its PVH entry note included).
 */
#ifndef HV_DECOMPRESS_H
#define HV_DECOMPRESS_H

#include <hv/types.h>

/* Bytes of workspace decompress() needs (about 40 KiB; any alignment). */
size_t decompress_workspace_size(void);

/*
 * Decompress 'in' (in_len bytes), recognised by its magic: gzip (1f 8b) or
 * xz (fd '7zXZ' 00). Output goes to out[0 .. out_cap); *out_len (may be
 * NULL) receives its length on success and 0 on failure. 'work' points to
 * decompress_workspace_size() bytes of scratch.
 *
 * Concatenation: gzip members that follow each other are all decoded (RFC
 * 1952), as are xz streams separated by stream padding (null bytes, a
 * multiple of four); their outputs are concatenated. Anything after the
 * last member or stream that does not start another one is ignored, as
 * Linux's and gzip's decoders do: a Linux bzImage payload ends with four
 * bytes of uncompressed size after the xz stream.
 *
 * Checks: gzip's CRC32 and ISIZE (and the header CRC16 if present); xz's
 * header, block header, index and footer CRC32s, the index against the
 * blocks decoded, and each block's CRC32 or CRC64 check (or none).
 *
 * Returns 0 or:
 *  -XEN_ENOSPC     out_cap is too small; the message says how much is needed
 *                  (exact for xz, from its index; for gzip, ISIZE's hint)
 *  -XEN_EINVAL     corrupt, truncated or empty input; the message names
 *                  the problem and its input offset. Also: no workspace, or
 *                  out NULL with out_cap > 0 (out may be NULL if it is 0)
 *  -XEN_EOPNOTSUPP valid but unsupported: an xz filter other than LZMA2 and
 *                  x86 BCJ, an xz SHA-256 check, another compressor (bzip2,
 *                  LZMA, LZO, LZ4, zstd), each named in the message
 *  -XEN_ENOEXEC    not compressed data this knows (no known magic)
 * out[*out_len .. out_cap) may have been written too (match copies store
 * eight bytes at a time), and after a failure all of out holds junk.
 */
int decompress(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len, void *work, char *err,
	       size_t errlen);

/*
 * The decompressed size of 'in' without decompressing it.
 * gzip: the last four bytes (ISIZE of the last member, or the size Linux
 *       appends): a hint only, modulo 2^32, and not verified.
 * xz:   the sum of the uncompressed sizes in the index of every stream,
 *       exact once decompress() has verified them; the last footer must be
 *       at the end of the input, after any stream padding, or four bytes
 *       before it (the size a Linux bzImage appends to its payload).
 * Returns 0 and sets *size, or -XEN_EINVAL if it cannot tell.
 */
int decompressed_size(const void *in, size_t in_len, uint64_t *size);

/*
 * A Linux bzImage's boot protocol header (Documentation/x86/boot.rst) as
 * far as a loader that unpacks the payload itself needs it. Offsets are
 * absolute, into the image.
 */
struct bzimage_info {
	uint16_t version;	   /* boot protocol, 0x020f for 2.15 */
	uint32_t setup_size;	   /* (setup_sects + 1) * 512: the protected-mode code starts here */
	uint64_t payload_offset;   /* compressed payload (the vmlinux ELF): setup_size + payload_offset field */
	uint64_t payload_length;   /* ... and its length, including Linux's 4-byte size trailer */
	uint32_t init_size;	   /* memory the kernel needs while decompressing itself (0 before 2.10) */
	uint64_t pref_address;	   /* preferred load address (0x100000 before 2.10) */
	uint32_t kernel_alignment; /* physical alignment a relocatable kernel needs */
	bool relocatable;	   /* relocatable_kernel */
	uint32_t xloadflags;	   /* XLF_* (0 before 2.12) */
};

/*
 * Check that img (size bytes) is a bzImage with boot protocol 2.08 or later
 * whose payload lies inside the image, and describe it in *bi. Returns 0,
 * -XEN_ENOEXEC (no "HdrS" header: not a bzImage), -XEN_EOPNOTSUPP (boot
 * protocol older than 2.08) or -XEN_EINVAL (truncated or inconsistent); the
 * message (err, errlen bytes, may be 0) says why.
 */
int bzimage_parse(const void *img, size_t size, struct bzimage_info *bi, char *err, size_t errlen);

/* ------------------------------------------------------------------------
 * Shared by lib/bzimage.c, lib/inflate.c and lib/unxz.c only.
 */

/* The IEEE 802.3 CRC32 of gzip and xz, eight bytes at a time ("slicing by 8"). */
struct crc32_table {
	uint32_t t[8][256];
};
void crc32_init(struct crc32_table *ct);
uint32_t crc32_update(const struct crc32_table *ct, uint32_t crc, const void *buf, size_t len);
/* Without a table, a bit at a time: for the few bytes of headers. */
uint32_t crc32_small(const void *buf, size_t len);

/* Where error messages go. */
struct dec_err {
	char *buf;
	size_t len;
};
int dec_fail(const struct dec_err *e, int rc, const char *fmt, ...) __printf(3, 4);

/* The decoders behind decompress(); 'work' is aligned to 64 bytes. */
size_t gunzip_workspace_size(void);
int gunzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len, void *work,
	   const struct dec_err *e);
int gzip_size(const uint8_t *in, size_t in_len, uint64_t *size);
size_t unxz_workspace_size(void);
int unxz(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len, void *work,
	 const struct dec_err *e);
int xz_size(const uint8_t *in, size_t in_len, uint64_t *size);

/* Unaligned 8-byte access for match copies. */
struct __attribute__((packed, may_alias)) dec_unaligned64 {
	uint64_t v;
};

/*
 * dst[0 .. len) = the bytes 'dist' (>= 1) before them, overlapping as LZ77
 * means. 'room' (>= len) bytes may be written at dst: when there are at
 * least eight more than len, the fast paths store eight bytes at a time and
 * may write up to seven bytes of junk past len.
 */
static inline void dec_copy_match(uint8_t *dst, size_t dist, size_t len, size_t room)
{
	const uint8_t *src = dst - dist;
	size_t i;

	if (room - len >= 8) {
		if (dist >= 8) {
			for (i = 0; i < len; i += 8)
				((struct dec_unaligned64 *)(dst + i))->v =
					((const struct dec_unaligned64 *)(src + i))->v;
			return;
		}
		if (dist == 1) {
			uint64_t v = 0x0101010101010101ull * src[0];

			for (i = 0; i < len; i += 8)
				((struct dec_unaligned64 *)(dst + i))->v = v;
			return;
		}
		/* Each store's first 'dist' bytes come from bytes already final. */
		for (i = 0; i < len; i += dist)
			((struct dec_unaligned64 *)(dst + i))->v = ((const struct dec_unaligned64 *)(src + i))->v;
		return;
	}
	for (i = 0; i < len; i++)
		dst[i] = src[i];
}

#endif
