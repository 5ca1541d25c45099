/*
 * Number parsing for command lines and configuration text: simple_strtoull,
 * simple_strtoll and parse_size from hv/lib.h, all built on one checked
 * parser (strtou64, see internal.h) so overflow is detected in one place.
 * Unlike the C library's strtoull these skip no white space and ignore
 * locale; an out-of-range value saturates instead of wrapping.
 */
#include <hv/errno.h>
#include <hv/lib.h>

#include "internal.h"

/* Value of an alphanumeric digit, or 36 (invalid in every base). */
static unsigned int digit_value(char c)
{
	if (isdigit(c))
		return (unsigned int)(c - '0');
	if (tolower(c) >= 'a' && tolower(c) <= 'z')
		return (unsigned int)(tolower(c) - 'a' + 10);
	return 36;
}

/* Pick the base for base 0 and skip a 0x prefix. The prefix only counts
 * when a hex digit follows, so "0x" alone parses as the number 0. */
static unsigned int fixup_base(const char **s, unsigned int base)
{
	const char *p = *s;
	bool hex_prefix = p[0] == '0' && tolower(p[1]) == 'x' && isxdigit(p[2]);

	if ((base == 0 || base == 16) && hex_prefix) {
		*s = p + 2;
		return 16;
	}
	if (base == 0)
		return p[0] == '0' ? 8 : 10;
	return base;
}

int strtou64(const char *s, const char **end, unsigned int base, uint64_t *out)
{
	const char *p = s;
	uint64_t v = 0;
	bool overflow = false;
	unsigned int d;

	if (base == 1 || base > 36)
		goto no_digits;
	base = fixup_base(&p, base);
	if (digit_value(*p) >= base)
		goto no_digits;

	/* Keep consuming digits after an overflow so *end skips the number. */
	for (; (d = digit_value(*p)) < base; p++) {
		if (v > (UINT64_MAX - d) / base)
			overflow = true;
		else
			v = v * base + d;
	}
	if (end)
		*end = p;
	*out = overflow ? UINT64_MAX : v;
	return overflow ? -XEN_ERANGE : 0;

no_digits:
	if (end)
		*end = s;
	*out = 0;
	return -XEN_EINVAL;
}

unsigned long long simple_strtoull(const char *s, const char **end, unsigned int base)
{
	uint64_t v;

	strtou64(s, end, base, &v);
	return v;
}

/* An optional sign, then as simple_strtoull; saturates at LLONG_MIN/MAX. */
long long simple_strtoll(const char *s, const char **end, unsigned int base)
{
	const uint64_t max = (uint64_t)INT64_MAX;
	const char *digits = s, *e;
	bool negative = false;
	uint64_t v;

	if (*digits == '-' || *digits == '+')
		negative = *digits++ == '-';
	if (strtou64(digits, &e, base, &v) == -XEN_EINVAL) {
		if (end)
			*end = s; /* a lone sign is not a number */
		return 0;
	}
	if (end)
		*end = e;
	if (negative)
		return v > max ? INT64_MIN : -(long long)v;
	return v > max ? INT64_MAX : (long long)v;
}

/* Binary shift for a size suffix, or -1 if 'c' is not one. */
static int size_shift(char c)
{
	switch (tolower(c)) {
	case 'k':
		return 10;
	case 'm':
		return 20;
	case 'g':
		return 30;
	case 't':
		return 40;
	default:
		return -1;
	}
}

int parse_size(const char *s, const char **end, uint64_t *out)
{
	const char *p;
	uint64_t v;
	int rc = strtou64(s, &p, 0, &v), shift = size_shift(*p);

	if (rc == -XEN_EINVAL) {
		if (end)
			*end = s;
		return rc;
	}
	if (shift >= 0) {
		p++;
		if (v > (UINT64_MAX >> shift))
			rc = -XEN_ERANGE;
		else
			v <<= shift;
	}
	if (end)
		*end = p;
	if (rc == 0)
		*out = v;
	return rc;
}
