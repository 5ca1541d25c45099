/*
 * Unit tests for lib/vsprintf.c. The integer, character and string
 * conversions must match the C library exactly, so most of this file builds
 * every combination of flags, width, precision and length modifier at run
 * time and compares hv_snprintf with glibc's snprintf for a set of awkward
 * values. The rest covers what the C library does differently or not at all:
 * %p, "(null)", truncation and the return values, unknown conversions, and
 * widths too large to ever write.
 */
#include <hv/lib.h>

#include "hv_unrename.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define OUT 512

/* Warnings are switched off below by name; some names exist only in gcc
 * (-Wformat-overflow) and would themselves warn under clang. */
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wunknown-warning-option"

static unsigned long comparisons;

static void expect_same(const char *what, const char *ours, int nours, const char *ref, int nref)
{
	comparisons++;
	if (nours != nref || strcmp(ours, ref) != 0)
		fail_msg("%s: ours \"%s\" (%d), libc \"%s\" (%d)", what, ours, nours, ref, nref);
}

/* Compare one format with one argument of the type its length modifier needs. */
#define COMPARE_ONE(fmt, arg)                                          \
	do {                                                           \
		char ours[OUT], ref[OUT];                              \
		int nours = hv_snprintf(ours, sizeof(ours), fmt, arg); \
		int nref = snprintf(ref, sizeof(ref), fmt, arg);       \
		expect_same(fmt, ours, nours, ref, nref);              \
	} while (0)

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void compare_integer(const char *fmt, const char *length, long long v)
{
	if (!strcmp(length, "hh") || !strcmp(length, "h") || !strcmp(length, ""))
		COMPARE_ONE(fmt, (int)v);
	else if (!strcmp(length, "l"))
		COMPARE_ONE(fmt, (long)v);
	else if (!strcmp(length, "ll"))
		COMPARE_ONE(fmt, v);
	else if (!strcmp(length, "z"))
		COMPARE_ONE(fmt, (size_t)v);
	else if (!strcmp(length, "t"))
		COMPARE_ONE(fmt, (ptrdiff_t)v);
	else
		COMPARE_ONE(fmt, (intmax_t)v);
}

static void compare_string(const char *fmt, const char *s)
{
	COMPARE_ONE(fmt, s);
}

static void compare_char(const char *fmt, int c)
{
	COMPARE_ONE(fmt, c);
}
#pragma GCC diagnostic pop

static const char *const flag_sets[] = {
	"", "-", "+", " ", "#", "0", "-0", "+0", " 0", "#0", "-#", "+ ", "-+ #0", "0-"
};
static const char *const widths[] = { "", "0", "1", "5", "24" };
static const char *const precisions[] = { "", ".", ".0", ".1", ".5", ".24" };
static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "t", "j" };
static const long long int_values[] = { 0,
					1,
					-1,
					7,
					8,
					10,
					-42,
					127,
					128,
					255,
					256,
					-129,
					32767,
					-32768,
					65535,
					65536,
					123456789,
					INT_MAX,
					INT_MIN,
					(long long)UINT_MAX,
					LLONG_MAX,
					LLONG_MIN,
					0x7ff0000000000001LL,
					-0x1234567890LL };

static void test_integers_against_libc(void **state)
{
	static const char conversions[] = "diuxXo";
	char fmt[64];

	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++)
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
			for (size_t p = 0; p < ARRAY_SIZE(precisions); p++)
				for (size_t l = 0; l < ARRAY_SIZE(lengths); l++)
					for (const char *c = conversions; *c; c++) {
						snprintf(fmt, sizeof(fmt), "<%%%s%s%s%s%c>", flag_sets[f], widths[w],
							 precisions[p], lengths[l], *c);
						for (size_t v = 0; v < ARRAY_SIZE(int_values); v++)
							compare_integer(fmt, lengths[l], int_values[v]);
					}
	assert_true(comparisons > 100000);
}

static void test_strings_against_libc(void **state)
{
	static const char *const strings[] = { "", "a", "hello", "hello, world", "\x80\xff high bytes" };
	char fmt[64];

	(void)state;
	/* '+', ' ', '#' and '0' mean nothing for %s and %c; glibc ignores them, as must we. */
	for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++)
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++) {
			for (size_t p = 0; p < ARRAY_SIZE(precisions); p++) {
				snprintf(fmt, sizeof(fmt), "[%%%s%s%ss]", flag_sets[f], widths[w], precisions[p]);
				for (size_t s = 0; s < ARRAY_SIZE(strings); s++)
					compare_string(fmt, strings[s]);
			}
			snprintf(fmt, sizeof(fmt), "[%%%s%sc]", flag_sets[f], widths[w]);
			compare_char(fmt, 'x');
			compare_char(fmt, 0x1ff); /* converted to unsigned char */
		}
}

/* Flag combinations gcc warns about are exactly the ones worth comparing. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
static void test_mixed_formats(void **state)
{
	(void)state;
	COMPARE_ONE("plain text, no conversions%s", "");
	COMPARE_ONE("100%% %s", "sure");
	COMPARE_ONE("%hhd", 300);
	COMPARE_ONE("%hhu", -1);
	COMPARE_ONE("%hd", 70000);
	COMPARE_ONE("%hx", -1);
	COMPARE_ONE("%llu", ULLONG_MAX);
	COMPARE_ONE("%llo", ULLONG_MAX);
	COMPARE_ONE("%#llo", ULLONG_MAX);
	COMPARE_ONE("%#llX", ULLONG_MAX);
	COMPARE_ONE("%zu", SIZE_MAX);
	COMPARE_ONE("%zx", (size_t)0xdeadbeef);
	COMPARE_ONE("%td", (ptrdiff_t)-5);
	COMPARE_ONE("%jd", INTMAX_MIN);
	COMPARE_ONE("%ju", UINTMAX_MAX);
	COMPARE_ONE("%-+08d|", 42);
	COMPARE_ONE("%0-8d|", 42);
	COMPARE_ONE("%08.3d|", -42);
	COMPARE_ONE("% 08d|", 42);
	COMPARE_ONE("%+ d|", 42);

	char ours[OUT], ref[OUT];
	int a = hv_snprintf(ours, sizeof(ours), "%d %s %c %x %%%u|%5.2s|%-4c|", -1, "str", 'q', 255u, 7u, "abc", 'z');
	int b = snprintf(ref, sizeof(ref), "%d %s %c %x %%%u|%5.2s|%-4c|", -1, "str", 'q', 255u, 7u, "abc", 'z');
	expect_same("several", ours, a, ref, b);

	/* "%%" with flags or width is undefined in C (and makes ASan's printf
	 * interceptor complain); ours prints a plain '%'. */
	assert_int_equal(hv_snprintf(ours, sizeof(ours), "%5%|%-5%|%s", "x"), 5);
	assert_string_equal(ours, "%|%|x");
}
#pragma GCC diagnostic pop

static void test_star_width_precision(void **state)
{
	static const int values[] = { -30, -5, -1, 0, 1, 3, 12 };
	char ours[OUT], ref[OUT];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(values); i++)
		for (size_t j = 0; j < ARRAY_SIZE(values); j++) {
			int w = values[i], p = values[j];
			int a = hv_snprintf(ours, sizeof(ours), "[%*.*d][%*.*s][%-*x][%.*o]", w, p, -1234, w, p,
					    "string", w, 0xabcu, p, 8u);
			int b = snprintf(ref, sizeof(ref), "[%*.*d][%*.*s][%-*x][%.*o]", w, p, -1234, w, p, "string", w,
					 0xabcu, p, 8u);
			expect_same("star", ours, a, ref, b);
		}
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
static void test_pointer(void **state)
{
	char buf[OUT];
	int n;

	(void)state;
	n = hv_snprintf(buf, sizeof(buf), "%p", (void *)0xffff8000deadbeefUL);
	assert_string_equal(buf, "0xffff8000deadbeef");
	assert_int_equal(n, 18);
	hv_snprintf(buf, sizeof(buf), "%p", (void *)0x1234);
	assert_string_equal(buf, "0x0000000000001234");
	hv_snprintf(buf, sizeof(buf), "%p", NULL);
	assert_string_equal(buf, "0x0000000000000000");
	/* Width pads, '-' left-justifies; other flags do not change the digits. */
	hv_snprintf(buf, sizeof(buf), "[%20p]", (void *)0x1);
	assert_string_equal(buf, "[  0x0000000000000001]");
	hv_snprintf(buf, sizeof(buf), "[%-20p]", (void *)0x1);
	assert_string_equal(buf, "[0x0000000000000001  ]");
	hv_snprintf(buf, sizeof(buf), "[%020p]", (void *)0x1);
	assert_string_equal(buf, "[  0x0000000000000001]");
}
#pragma GCC diagnostic pop

static void test_null_string(void **state)
{
	const char *volatile null = NULL; /* volatile: keep gcc from warning about a NULL %s */
	char buf[OUT];

	(void)state;
	assert_int_equal(hv_snprintf(buf, sizeof(buf), "%s", null), 6);
	assert_string_equal(buf, "(null)");
	hv_snprintf(buf, sizeof(buf), "[%8s][%-8s][%.3s]", null, null, null);
	assert_string_equal(buf, "[  (null)][(null)  ][(nu]");
}

static void test_precision_bounds_string_reads(void **state)
{
	char unterminated[3] = { 'a', 'b', 'c' };
	char buf[OUT];

	(void)state;
	/* ASan reports it if %.3s reads unterminated[3]. */
	assert_int_equal(hv_snprintf(buf, sizeof(buf), "%.3s|%.2s", unterminated, unterminated), 6);
	assert_string_equal(buf, "abc|ab");
}

/* Every buffer size from 0 to beyond the output: C99 return, prefix, terminator, no overrun. */
static void test_truncation(void **state)
{
	const char *full = "value=-12345 name=basalt";
	size_t len = strlen(full);
	char buf[64];

	(void)state;
	assert_int_equal(hv_snprintf(NULL, 0, "value=%d name=%s", -12345, "basalt"), (int)len);
	for (size_t size = 0; size <= len + 2; size++) {
		memset(buf, 0x5a, sizeof(buf));
		assert_int_equal(hv_snprintf(buf, size, "value=%d name=%s", -12345, "basalt"), (int)len);
		if (size) {
			size_t kept = size - 1 < len ? size - 1 : len;

			assert_memory_equal(buf, full, kept);
			assert_int_equal(buf[kept], '\0');
			assert_int_equal(hv_scnprintf(buf, size, "value=%d name=%s", -12345, "basalt"), (int)kept);
		} else {
			assert_int_equal(hv_scnprintf(buf, size, "value=%d name=%s", -12345, "basalt"), 0);
		}
		assert_int_equal(buf[size], 0x5a);
	}
}

static int call_vscnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static int call_vsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_v_variants(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(call_vsnprintf(buf, sizeof(buf), "%s-%d", "abcdef", 99), 9);
	assert_string_equal(buf, "abcdef-");
	assert_int_equal(call_vscnprintf(buf, sizeof(buf), "%s-%d", "abcdef", 99), 7);
	assert_int_equal(call_vscnprintf(buf, sizeof(buf), "%d", 5), 1);
	assert_string_equal(buf, "5");
	assert_int_equal(call_vscnprintf(NULL, 0, "%d", 5), 0);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-overflow"
/* Huge widths and precisions are counted, never written or looped over. */
static void test_huge_width(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(hv_snprintf(buf, sizeof(buf), "%2000000000d", 7), 2000000000);
	assert_string_equal(buf, "               ");
	assert_int_equal(hv_snprintf(buf, sizeof(buf), "%.2000000000d", 7), 2000000000);
	assert_string_equal(buf, "000000000000000");
	assert_int_equal(hv_snprintf(buf, sizeof(buf), "%-*s|", 1000000, "x"), 1000001);
	assert_string_equal(buf, "x              ");
	assert_int_equal(hv_snprintf(buf, sizeof(buf), "%*d", INT_MIN, 1), INT_MAX); /* |INT_MIN| saturates */
	/* Widths beyond INT_MAX saturate, and so does the total. */
	const char *fmt = "%99999999999999999999d";
	assert_int_equal(hv_snprintf(buf, sizeof(buf), fmt, 1), INT_MAX);
	assert_int_equal(hv_snprintf(buf, sizeof(buf), "%2000000000d%2000000000d", 1, 2), INT_MAX);
}
#pragma GCC diagnostic pop

/* Formats the compiler would reject as literals; kept in variables. */
static const char *volatile fmt_unknown = "a%yb";
static const char *volatile fmt_unknown_spec = "[%-5.3k]";
static const char *volatile fmt_trailing = "abc%";
static const char *volatile fmt_trailing_spec = "abc%-08.";
static const char *volatile fmt_n = "x%ny";

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
static void test_bad_formats(void **state)
{
	int target = 12345;
	char buf[OUT];

	(void)state;
	/* An unknown conversion is copied out verbatim; no argument is consumed. */
	assert_int_equal(hv_snprintf(buf, sizeof(buf), fmt_unknown, 1), 4);
	assert_string_equal(buf, "a%yb");
	hv_snprintf(buf, sizeof(buf), fmt_unknown_spec, 1);
	assert_string_equal(buf, "[%-5.3k]");
	assert_int_equal(hv_snprintf(buf, sizeof(buf), fmt_trailing, 1), 4);
	assert_string_equal(buf, "abc%");
	hv_snprintf(buf, sizeof(buf), fmt_trailing_spec, 1);
	assert_string_equal(buf, "abc%-08.");
	/* %n is not supported: printed, never written through. */
	hv_snprintf(buf, sizeof(buf), fmt_n, &target);
	assert_string_equal(buf, "x%ny");
	assert_int_equal(target, 12345);
}
#pragma GCC diagnostic pop

static void test_empty(void **state)
{
	const char *volatile empty = "";
	char buf[4] = "xyz";

	(void)state;
	assert_int_equal(hv_snprintf(buf, sizeof(buf), empty, 0), 0);
	assert_string_equal(buf, "");
	assert_int_equal(hv_snprintf(buf, 1, "%s", "abc"), 3);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers_against_libc),
		cmocka_unit_test(test_strings_against_libc),
		cmocka_unit_test(test_mixed_formats),
		cmocka_unit_test(test_star_width_precision),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_precision_bounds_string_reads),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_v_variants),
		cmocka_unit_test(test_huge_width),
		cmocka_unit_test(test_bad_formats),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests_name("lib/vsprintf", tests, NULL, NULL);
}
