/*
 * Unit tests for lib/strtol.c: base detection, where *end points after
 * success and failure, saturation on overflow, signs, and parse_size's
 * suffixes and overflow checks. Valid numbers are also compared with the C
 * library's strtoull over many random values in every base.
 */
#include <hv/errno.h>
#include <hv/lib.h>

#include "../../../hypervisor/lib/internal.h"

#include "hv_unrename.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

struct ull_case {
	const char *s;
	unsigned int base;
	unsigned long long value;
	size_t consumed; /* how far *end moves */
};

static const struct ull_case ull_cases[] = {
	{ "0", 0, 0, 1 },
	{ "123", 10, 123, 3 },
	{ "123", 0, 123, 3 },
	{ "0x1f", 0, 31, 4 },
	{ "0X1F", 0, 31, 4 },
	{ "0x1f", 16, 31, 4 },
	{ "1f", 16, 31, 2 },
	{ "017", 0, 15, 3 },
	{ "017", 10, 17, 3 },
	{ "089", 0, 0, 1 }, /* octal stops at the 8 */
	{ "0x", 0, 0, 1 },  /* no hex digit: the 0 is the number */
	{ "0xg", 16, 0, 1 },
	{ "0x", 16, 0, 1 },
	{ "12abc", 10, 12, 2 },
	{ "12abc", 16, 0x12abc, 5 },
	{ "zz", 36, 35 * 36 + 35, 2 },
	{ "ZZ", 36, 35 * 36 + 35, 2 },
	{ "1012", 2, 5, 3 },
	{ "777", 8, 0777, 3 },
	{ "18446744073709551615", 0, ULLONG_MAX, 20 },
	{ "0xffffffffffffffff", 0, ULLONG_MAX, 18 },
	{ "01777777777777777777777", 0, ULLONG_MAX, 23 },
	/* Overflow saturates and still consumes every digit. */
	{ "18446744073709551616", 10, ULLONG_MAX, 20 },
	{ "99999999999999999999999999x", 10, ULLONG_MAX, 26 },
	{ "0x10000000000000000", 0, ULLONG_MAX, 19 },
	/* Nothing to parse: 0, and *end stays at the start. */
	{ "", 0, 0, 0 },
	{ "abc", 10, 0, 0 },
	{ " 12", 10, 0, 0 }, /* no white space skipping */
	{ "-1", 10, 0, 0 },  /* no sign for the unsigned parser */
	{ "+1", 10, 0, 0 },
	{ "12", 1, 0, 0 }, /* invalid bases */
	{ "12", 37, 0, 0 },
	{ "9", 8, 0, 0 },
};

static void test_strtoull_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ull_cases); i++) {
		const struct ull_case *c = &ull_cases[i];
		const char *end = NULL;
		unsigned long long v = simple_strtoull(c->s, &end, c->base);

		if (v != c->value || (size_t)(end - c->s) != c->consumed)
			fail_msg("\"%s\" base %u: got %llu, consumed %td; want %llu, %zu", c->s, c->base, v, end - c->s,
				 c->value, c->consumed);
		assert_int_equal(simple_strtoull(c->s, NULL, c->base), c->value); /* end may be NULL */
	}
}

/* Random values printed in each base parse back as glibc parses them. */
static void test_strtoull_against_libc(void **state)
{
	static const char *const formats[] = { "%llu", "%#llx", "%#llo", "%llx", "%#llX" };
	static const unsigned int bases[] = { 10, 0, 0, 16, 16 };
	char buf[64];

	(void)state;
	srand(4242);
	for (int i = 0; i < 20000; i++) {
		unsigned long long v = ((unsigned long long)rand() << 33) ^ ((unsigned long long)rand() << 11) ^
				       (unsigned long long)rand();

		v >>= rand() % 64;
		for (size_t f = 0; f < ARRAY_SIZE(formats); f++) {
			const char *end;
			char *lend;

			snprintf(buf, sizeof(buf), formats[f], v);
			assert_int_equal(simple_strtoull(buf, &end, bases[f]), strtoull(buf, &lend, (int)bases[f]));
			assert_ptr_equal(end, lend);
			assert_int_equal(simple_strtoull(buf, NULL, bases[f]), v);
		}
	}
}

static void test_strtou64_errors(void **state)
{
	const char *s = "123456789012345678901234567890 rest", *end;
	uint64_t v = 5;

	(void)state;
	assert_int_equal(strtou64("42", &end, 0, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(strtou64(s, &end, 10, &v), -XEN_ERANGE);
	assert_int_equal(v, UINT64_MAX);
	assert_string_equal(end, " rest");
	assert_int_equal(strtou64("x", &end, 0, &v), -XEN_EINVAL);
	assert_int_equal(v, 0);
	assert_int_equal(strtou64("1", &end, 99, &v), -XEN_EINVAL);
	assert_int_equal(strtou64("18446744073709551615", NULL, 10, &v), 0);
	assert_int_equal(v, UINT64_MAX);
}

struct ll_case {
	const char *s;
	unsigned int base;
	long long value;
	size_t consumed;
};

static const struct ll_case ll_cases[] = {
	{ "123", 10, 123, 3 },
	{ "-123", 10, -123, 4 },
	{ "+123", 10, 123, 4 },
	{ "-0x10", 0, -16, 5 },
	{ "-010", 0, -8, 4 },
	{ "9223372036854775807", 10, LLONG_MAX, 19 },
	{ "-9223372036854775808", 10, LLONG_MIN, 20 },
	{ "9223372036854775808", 10, LLONG_MAX, 19 },  /* saturates */
	{ "-9223372036854775809", 10, LLONG_MIN, 20 }, /* saturates */
	{ "-99999999999999999999999", 10, LLONG_MIN, 24 },
	{ "-", 10, 0, 0 },
	{ "+", 10, 0, 0 },
	{ "-x", 10, 0, 0 },
	{ "--1", 10, 0, 0 },
	{ "", 10, 0, 0 },
	{ "-0", 10, 0, 2 },
};

static void test_strtoll_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ll_cases); i++) {
		const struct ll_case *c = &ll_cases[i];
		const char *end = NULL;
		long long v = simple_strtoll(c->s, &end, c->base);

		if (v != c->value || (size_t)(end - c->s) != c->consumed)
			fail_msg("\"%s\" base %u: got %lld, consumed %td; want %lld, %zu", c->s, c->base, v, end - c->s,
				 c->value, c->consumed);
		assert_int_equal(simple_strtoll(c->s, NULL, c->base), c->value);
	}
}

struct size_case {
	const char *s;
	int rc;
	uint64_t value; /* when rc == 0 */
	size_t consumed;
};

static const struct size_case size_cases[] = {
	{ "100", 0, 100, 3 },
	{ "512M", 0, 512ULL << 20, 4 },
	{ "512m", 0, 512ULL << 20, 4 },
	{ "2G", 0, 2ULL << 30, 2 },
	{ "2g", 0, 2ULL << 30, 2 },
	{ "4k", 0, 4096, 2 },
	{ "4K", 0, 4096, 2 },
	{ "1T", 0, 1ULL << 40, 2 },
	{ "1t", 0, 1ULL << 40, 2 },
	{ "0", 0, 0, 1 },
	{ "0K", 0, 0, 2 },
	{ "0x10K", 0, 16 * 1024, 5 },
	{ "010M", 0, 8ULL << 20, 4 },
	{ "1KB", 0, 1024, 2 }, /* the caller judges the trailing "B" */
	{ "12X", 0, 12, 2 },   /* not a suffix */
	{ "16777215T", 0, 16777215ULL << 40, 9 },
	{ "18446744073709551615", 0, UINT64_MAX, 20 },
	{ "16777216T", -XEN_ERANGE, 0, 9 }, /* 2^24 << 40 = 2^64 */
	{ "17179869184G", -XEN_ERANGE, 0, 12 },
	{ "99999999999999999999", -XEN_ERANGE, 0, 20 },
	{ "99999999999999999999K", -XEN_ERANGE, 0, 21 },
	{ "", -XEN_EINVAL, 0, 0 },
	{ "K", -XEN_EINVAL, 0, 0 },
	{ "-1M", -XEN_EINVAL, 0, 0 },
	{ " 1M", -XEN_EINVAL, 0, 0 },
};

static void test_parse_size(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(size_cases); i++) {
		const struct size_case *c = &size_cases[i];
		const char *end = NULL;
		uint64_t v = 0xabcdef;
		int rc = parse_size(c->s, &end, &v);
		uint64_t want = c->rc ? 0xabcdef : c->value; /* *out is untouched on error */

		if (rc != c->rc || v != want || (size_t)(end - c->s) != c->consumed)
			fail_msg("\"%s\": got rc %d, %llu, consumed %td; want %d, %llu, %zu", c->s, rc,
				 (unsigned long long)v, end - c->s, c->rc, (unsigned long long)want, c->consumed);
		assert_int_equal(parse_size(c->s, NULL, &v), c->rc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strtoull_cases),	cmocka_unit_test(test_strtoull_against_libc),
		cmocka_unit_test(test_strtou64_errors), cmocka_unit_test(test_strtoll_cases),
		cmocka_unit_test(test_parse_size),
	};

	return cmocka_run_group_tests_name("lib/strtol", tests, NULL, NULL);
}
