/*
 * Linux bzImages and the front end of the decompressors (see
 * hv/decompress.h). bzimage_parse() reads the setup header described in
 * Linux's Documentation/x86/boot.rst and finds the compressed payload (the
 * vmlinux ELF) a loader unpacks itself; decompress() recognises the
 * compressor by its magic and hands over to lib/inflate.c or lib/unxz.c.
 * The image is untrusted: every field is read only after the image is known
 * to reach it, and offsets are checked by subtraction so nothing wraps.
 */
#include <hv/decompress.h>
#include <hv/errno.h>
#include <hv/lib.h>

int dec_fail(const struct dec_err *e, int rc, const char *fmt, ...)
{
	va_list ap;

	if (e->len) {
		va_start(ap, fmt);
		vsnprintf(e->buf, e->len, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* ------------------------------------------------------------- bzImage */

/* Setup header fields (offsets into the image) and the protocol version that introduced them. */
#define BZ_SETUP_SECTS 0x1f1
#define BZ_HEADER 0x202 /* "HdrS" */
#define BZ_VERSION 0x206
#define BZ_KERNEL_ALIGNMENT 0x230 /* 2.05 */
#define BZ_RELOCATABLE 0x234	  /* 2.05 */
#define BZ_XLOADFLAGS 0x236	  /* 2.12 */
#define BZ_PAYLOAD_OFFSET 0x248	  /* 2.08 */
#define BZ_PAYLOAD_LENGTH 0x24c	  /* 2.08 */
#define BZ_PREF_ADDRESS 0x258	  /* 2.10 */
#define BZ_INIT_SIZE 0x260	  /* 2.10 */
#define BZ_HEADER_END_2_08 0x250  /* just past payload_length */
#define BZ_HEADER_END_2_10 0x264  /* just past init_size */
#define BZ_SECTOR 512
#define BZ_DEFAULT_SETUP_SECTS 4 /* what setup_sects 0 means */
#define BZ_DEFAULT_LOAD_ADDR 0x100000

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int bzimage_parse(const void *img, size_t size, struct bzimage_info *bi, char *err, size_t errlen)
{
	const struct dec_err e = { err, errlen };
	const uint8_t *p = img;
	struct bzimage_info info = { 0 };
	uint32_t sects, off, len;
	size_t need;

	if (errlen)
		err[0] = '\0';
	memset(bi, 0, sizeof(*bi));
	if (size < BZ_HEADER + 4 || memcmp(p + BZ_HEADER, "HdrS", 4) != 0)
		return dec_fail(&e, -XEN_ENOEXEC, "not a bzImage: no \"HdrS\" boot header at offset 0x%x%s", BZ_HEADER,
				size < BZ_HEADER + 4 ? " (the image is shorter than that)" : "");
	if (size < BZ_VERSION + 2)
		return dec_fail(&e, -XEN_EINVAL,
				"truncated bzImage: the boot protocol version at 0x%x is past the image end 0x%zx",
				BZ_VERSION, size);
	info.version = rd16(p + BZ_VERSION);
	if (info.version < 0x0208)
		return dec_fail(&e, -XEN_EOPNOTSUPP,
				"bzImage boot protocol %u.%02u is too old: the payload fields need 2.08 or later",
				info.version >> 8, info.version & 0xff);
	need = info.version >= 0x020a ? BZ_HEADER_END_2_10 : BZ_HEADER_END_2_08;
	if (size < need)
		return dec_fail(&e, -XEN_EINVAL,
				"truncated bzImage: the boot protocol %u.%02u setup header ends at 0x%zx, past the "
				"image end 0x%zx",
				info.version >> 8, info.version & 0xff, need, size);

	sects = p[BZ_SETUP_SECTS] ? p[BZ_SETUP_SECTS] : BZ_DEFAULT_SETUP_SECTS;
	info.setup_size = (sects + 1) * BZ_SECTOR;
	if (info.setup_size > size)
		return dec_fail(
			&e, -XEN_EINVAL,
			"truncated bzImage: the setup code (%u sectors and the boot sector, 0x%x bytes) extends "
			"past the image end 0x%zx",
			sects, info.setup_size, size);
	off = rd32(p + BZ_PAYLOAD_OFFSET);
	len = rd32(p + BZ_PAYLOAD_LENGTH);
	info.payload_offset = (uint64_t)info.setup_size + off;
	info.payload_length = len;
	if (len == 0)
		return dec_fail(&e, -XEN_EINVAL, "bzImage has no payload (payload_length is 0)");
	if (info.payload_offset > size || len > size - info.payload_offset)
		return dec_fail(&e, -XEN_EINVAL,
				"truncated bzImage: payload at 0x%llx of 0x%x bytes extends past the image end 0x%zx",
				(unsigned long long)info.payload_offset, len, size);

	info.kernel_alignment = rd32(p + BZ_KERNEL_ALIGNMENT);
	info.relocatable = p[BZ_RELOCATABLE] != 0;
	info.xloadflags = info.version >= 0x020c ? rd16(p + BZ_XLOADFLAGS) : 0;
	if (info.version >= 0x020a) {
		info.pref_address = rd32(p + BZ_PREF_ADDRESS) | (uint64_t)rd32(p + BZ_PREF_ADDRESS + 4) << 32;
		info.init_size = rd32(p + BZ_INIT_SIZE);
	} else {
		info.pref_address = BZ_DEFAULT_LOAD_ADDR;
	}
	*bi = info;
	return 0;
}

/* ---------------------------------------------------- the decompressors */

/* The workspace is aligned here, so callers may pass any pointer. */
#define WORK_ALIGN 64

size_t decompress_workspace_size(void)
{
	return MAX(gunzip_workspace_size(), unxz_workspace_size()) + WORK_ALIGN - 1;
}

static const uint8_t gzip_magic[2] = { 0x1f, 0x8b };
static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

static bool has_magic(const uint8_t *in, size_t len, const void *magic, size_t mlen)
{
	return len >= mlen && memcmp(in, magic, mlen) == 0;
}

/* What else a Linux payload may be compressed with, to say so. */
static const char *other_format(const uint8_t *in, size_t len)
{
	static const struct {
		uint8_t magic[4];
		uint8_t len;
		const char *name;
	} formats[] = {
		{ { 'B', 'Z', 'h' }, 3, "bzip2" },	  { { 0x5d, 0x00, 0x00 }, 3, "LZMA (.lzma)" },
		{ { 0x89, 'L', 'Z', 'O' }, 4, "LZO" },	  { { 0x02, 0x21, 0x4c, 0x18 }, 4, "LZ4 (legacy)" },
		{ { 0x04, 0x22, 0x4d, 0x18 }, 4, "LZ4" }, { { 0x28, 0xb5, 0x2f, 0xfd }, 4, "zstd" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (has_magic(in, len, formats[i].magic, formats[i].len))
			return formats[i].name;
	return NULL;
}

int decompress(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len, void *work, char *err,
	       size_t errlen)
{
	const struct dec_err e = { err, errlen };
	const uint8_t *src = in;
	void *ws = (void *)ROUNDUP((uintptr_t)work, WORK_ALIGN);
	size_t len = 0;
	const char *other;
	uint8_t none;
	int rc;

	if (errlen)
		err[0] = '\0';
	if (out_len)
		*out_len = 0;
	if (!work)
		return dec_fail(&e, -XEN_EINVAL, "decompress: no workspace");
	if (!out && out_cap)
		return dec_fail(&e, -XEN_EINVAL, "decompress: no output buffer");
	if (!out)
		out = &none; /* the decoders may form out + 0, which C does not allow for NULL */
	if (in_len == 0)
		return dec_fail(&e, -XEN_EINVAL, "decompress: empty input");
	if (has_magic(src, in_len, gzip_magic, sizeof(gzip_magic))) {
		rc = gunzip(src, in_len, out, out_cap, &len, ws, &e);
	} else if (has_magic(src, in_len, xz_magic, sizeof(xz_magic))) {
		rc = unxz(src, in_len, out, out_cap, &len, ws, &e);
	} else {
		other = other_format(src, in_len);
		if (other)
			return dec_fail(
				&e, -XEN_EOPNOTSUPP,
				"%s-compressed data is not supported (only gzip and xz; rebuild the kernel with "
				"CONFIG_KERNEL_GZIP or CONFIG_KERNEL_XZ)",
				other);
		if (has_magic(xz_magic, sizeof(xz_magic), src, in_len))
			return dec_fail(&e, -XEN_EINVAL, "xz: truncated input: %zu byte%s, not even the 6-byte magic",
					in_len, in_len == 1 ? "" : "s");
		if (has_magic(gzip_magic, sizeof(gzip_magic), src, in_len))
			return dec_fail(&e, -XEN_EINVAL, "gzip: truncated input: 1 byte, not even the 2-byte magic");
		return dec_fail(&e, -XEN_ENOEXEC, "not gzip or xz data: unknown magic %02x %02x %02x %02x",
				in_len > 0 ? src[0] : 0, in_len > 1 ? src[1] : 0, in_len > 2 ? src[2] : 0,
				in_len > 3 ? src[3] : 0);
	}
	if (rc == 0 && out_len)
		*out_len = len;
	return rc;
}

int decompressed_size(const void *in, size_t in_len, uint64_t *size)
{
	const uint8_t *src = in;

	if (has_magic(src, in_len, gzip_magic, sizeof(gzip_magic)))
		return gzip_size(src, in_len, size);
	if (has_magic(src, in_len, xz_magic, sizeof(xz_magic)))
		return xz_size(src, in_len, size);
	return -XEN_EINVAL;
}
