/*
 * Just enough AML to power off: the SLP_TYPa/SLP_TYPb values that S5 needs
 * are in the DSDT as Name (_S5, Package () { a, b, ... }). An interpreter is
 * far beyond what the hypervisor needs (Dom0 runs ACPICA), so this scans the
 * byte code for the encoding of that one definition:
 *
 *   NameOp 0x08, ['\' root prefix], "_S5_", PackageOp 0x12, PkgLength,
 *   NumElements, then integer elements: ZeroOp 0x00, OneOp 0x01,
 *   OnesOp 0xff, or BytePrefix 0x0a / WordPrefix 0x0b / DWordPrefix 0x0c /
 *   QWordPrefix 0x0e followed by that many little-endian bytes.
 *
 * That is how iasl and QEMU encode it and what real firmware ships. Every
 * read goes through a cursor bounded by the package and the table length.
 */
#include <hv/acpi.h>
#include <hv/errno.h>

#include "internal.h"

#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP 0x12
#define AML_ROOT_CHAR 0x5c /* '\' */
#define AML_ONES_OP 0xff
#define SLP_TYP_MAX 7 /* SLP_TYP is a 3-bit field of PM1x_CNT */

/* Reads of [pos, end) of the AML; each one is checked. */
struct aml_cursor {
	const uint8_t *aml;
	uint32_t pos, end;
};

static bool aml_byte(struct aml_cursor *c, uint8_t *v)
{
	if (c->pos >= c->end)
		return false;
	*v = c->aml[c->pos++];
	return true;
}

/*
 * PkgLength: bits 7-6 of the lead byte count the bytes that follow (0-3).
 * With none, bits 5-0 are the length; otherwise bits 3-0 are its low nibble
 * and each following byte supplies the next 8 bits. The length counts from
 * the lead byte to the end of the package.
 */
static bool aml_pkg_length(struct aml_cursor *c, uint32_t *len)
{
	uint8_t lead, b;
	unsigned int i, follow;

	if (!aml_byte(c, &lead))
		return false;
	follow = lead >> 6;
	if (!follow) {
		*len = lead & 0x3f;
		return true;
	}
	*len = lead & 0x0f;
	for (i = 0; i < follow; i++) {
		if (!aml_byte(c, &b))
			return false;
		*len |= (uint32_t)b << (4 + 8 * i);
	}
	return true;
}

/* One integer constant element; false for anything else (or truncated). */
static bool aml_integer(struct aml_cursor *c, uint64_t *v)
{
	unsigned int i, bytes;
	uint8_t op, b;

	if (!aml_byte(c, &op))
		return false;
	switch (op) {
	case AML_ZERO_OP:
		*v = 0;
		return true;
	case AML_ONE_OP:
		*v = 1;
		return true;
	case AML_ONES_OP:
		*v = ~0ULL;
		return true;
	case AML_BYTE_PREFIX:
		bytes = 1;
		break;
	case AML_WORD_PREFIX:
		bytes = 2;
		break;
	case AML_DWORD_PREFIX:
		bytes = 4;
		break;
	case AML_QWORD_PREFIX:
		bytes = 8;
		break;
	default:
		return false;
	}
	*v = 0;
	for (i = 0; i < bytes; i++) {
		if (!aml_byte(c, &b))
			return false;
		*v |= (uint64_t)b << (8 * i);
	}
	return true;
}

/* Decode the package that must follow the name "_S5_" at 'at'. */
static int s5_decode(const uint8_t *aml, uint32_t len, uint32_t at, struct acpi_s5 *res)
{
	struct aml_cursor c = { aml, at + 4, len };
	uint32_t pkg_start, pkg_len;
	uint64_t a, b;
	uint8_t op, count;

	res->offset = at;
	res->why = "not followed by a package";
	if (!aml_byte(&c, &op) || op != AML_PACKAGE_OP)
		return -XEN_EINVAL;
	pkg_start = c.pos;
	res->why = "package length runs past the end of the table";
	if (!aml_pkg_length(&c, &pkg_len) || pkg_len > len - pkg_start)
		return -XEN_EINVAL;
	c.end = pkg_start + pkg_len; /* the elements must lie inside the package */
	res->why = "package has fewer than two elements";
	if (!aml_byte(&c, &count) || count < 2)
		return -XEN_EINVAL;
	res->why = "SLP_TYP elements are not integer constants inside the package";
	if (!aml_integer(&c, &a) || !aml_integer(&c, &b))
		return -XEN_EINVAL;
	res->why = NULL;
	res->masked = a > SLP_TYP_MAX || b > SLP_TYP_MAX;
	res->slp_typa = a & SLP_TYP_MAX;
	res->slp_typb = b & SLP_TYP_MAX;
	return 0;
}

/* Is "_S5_" at 'at' the name of a definition (NameOp, maybe '\' between)? */
static bool s5_is_defined(const uint8_t *aml, uint32_t at)
{
	const uint32_t body = sizeof(struct acpi_table_header);

	if (aml[at - 1] == AML_NAME_OP)
		return true;
	return aml[at - 1] == AML_ROOT_CHAR && at >= body + 2 && aml[at - 2] == AML_NAME_OP;
}

static bool s5_name_at(const uint8_t *aml, uint32_t at)
{
	return aml[at] == '_' && aml[at + 1] == 'S' && aml[at + 2] == '5' && aml[at + 3] == '_';
}

int acpi_aml_find_s5(const uint8_t *aml, uint32_t len, struct acpi_s5 *res)
{
	const uint32_t body = sizeof(struct acpi_table_header);
	struct acpi_s5 r;
	int rc = -XEN_ENOENT;
	uint32_t at;

	*res = (struct acpi_s5){ 0 };
	/* The first definition that decodes wins; otherwise report the first
	 * failure. "_S5_" elsewhere (a reference in a method) is skipped. */
	for (at = body + 1; at < len && len - at >= 4; at++) {
		if (!s5_name_at(aml, at) || !s5_is_defined(aml, at))
			continue;
		r = (struct acpi_s5){ 0 };
		if (!s5_decode(aml, len, at, &r)) {
			*res = r;
			return 0;
		}
		if (rc == -XEN_ENOENT) {
			*res = r;
			rc = -XEN_EINVAL;
		}
	}
	return rc;
}
