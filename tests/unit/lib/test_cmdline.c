/*
 * Unit tests for lib/cmdline.c: every parameter type with good and bad
 * values, the exact text of every kind of report, quoting, '-'/'_'
 * equivalence, "no-" negation, duplicate unknown options, and hostile input
 * (control bytes, non-UTF-8, very long tokens, unbalanced quotes). A random
 * test feeds thousands of generated lines and checks that buffers stay
 * terminated and untouched beyond their size and that the return value
 * counts the reports.
 */
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/param.h>

#include "hv_unrename.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* ------------------------------------------------------------ reports */

#define MAX_REPORTS 64
static char reports[MAX_REPORTS][600];
static int nr_reports;

static void report(const char *msg)
{
	assert_true(strlen(msg) < 600);
	if (nr_reports < MAX_REPORTS)
		strcpy(reports[nr_reports], msg);
	nr_reports++;
}

/* ------------------------------------------------------------ the options */

static bool opt_flag;
static int opt_int_flag; /* a boolean kept in an int */
static uint8_t opt_u8;
static uint16_t opt_u16;
static unsigned int opt_loglvl;
static uint64_t opt_u64;
static uint64_t opt_mem;
static uint32_t opt_mem32;
static unsigned int opt_tslice;
static struct {
	char buf[8];
	char canary[8]; /* must never be written */
} opt_str;
static uint8_t bad_decl_var[3];

static const char *custom_seen[8];
static int custom_calls;
static char custom_copy[64];

static int custom_fn(const char *value)
{
	custom_calls++;
	if (!value) {
		custom_seen[0] = NULL;
		return 0;
	}
	custom_seen[0] = "value";
	snprintf(custom_copy, sizeof(custom_copy), "%s", value);
	return strcmp(value, "bad") == 0 ? -XEN_EINVAL : 0;
}

static int strict_custom_fn(const char *value)
{
	return value ? 0 : -XEN_EINVAL;
}

static const struct kernel_param params[] = {
	{ "flag", PARAM_BOOL, &opt_flag, sizeof(opt_flag), NULL },
	{ "int_flag", PARAM_BOOL, &opt_int_flag, sizeof(opt_int_flag), NULL },
	{ "u8", PARAM_UINT, &opt_u8, sizeof(opt_u8), NULL },
	{ "u16", PARAM_UINT, &opt_u16, sizeof(opt_u16), NULL },
	{ "loglvl", PARAM_UINT, &opt_loglvl, sizeof(opt_loglvl), NULL },
	{ "u64", PARAM_UINT, &opt_u64, sizeof(opt_u64), NULL },
	{ "mem", PARAM_SIZE, &opt_mem, sizeof(opt_mem), NULL },
	{ "mem32", PARAM_SIZE, &opt_mem32, sizeof(opt_mem32), NULL },
	{ "sched_credit_tslice_ms", PARAM_UINT, &opt_tslice, sizeof(opt_tslice), NULL },
	{ "str", PARAM_STRING, opt_str.buf, sizeof(opt_str.buf), NULL },
	{ "cust", PARAM_CUSTOM, NULL, 0, custom_fn },
	{ "strict", PARAM_CUSTOM, NULL, 0, strict_custom_fn },
	{ "bad-decl", PARAM_UINT, bad_decl_var, sizeof(bad_decl_var), NULL },
	{ "no-reboot", PARAM_BOOL, &opt_int_flag, sizeof(opt_int_flag), NULL }, /* a real name starting "no-" */
};

static void reset(void)
{
	opt_flag = false;
	opt_int_flag = 0;
	opt_u8 = 0;
	opt_u16 = 0;
	opt_loglvl = 3;
	opt_u64 = 0;
	opt_mem = 0;
	opt_mem32 = 0;
	opt_tslice = 0;
	memset(opt_str.buf, 0, sizeof(opt_str.buf));
	strcpy(opt_str.buf, "init");
	memset(opt_str.canary, 'C', sizeof(opt_str.canary));
	custom_calls = 0;
	custom_seen[0] = "unset";
	custom_copy[0] = '\0';
	nr_reports = 0;
	memset(reports, 0, sizeof(reports));
}

static int parse(const char *line)
{
	reset();
	return cmdline_parse(line, params, ARRAY_SIZE(params), report);
}

/* Parse 'line' and expect exactly the given reports, in order. */
static void expect_reports(const char *line, int n, ...)
{
	va_list ap;
	int rc = parse(line);

	if (rc != n || nr_reports != n) {
		for (int i = 0; i < nr_reports && i < MAX_REPORTS; i++)
			print_message("report %d: %s\n", i, reports[i]);
		fail_msg("\"%s\": %d problems, %d reports, want %d", line, rc, nr_reports, n);
	}
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		const char *want = va_arg(ap, const char *);

		if (strcmp(reports[i], want))
			fail_msg("\"%s\": report %d is\n  %s\nwant\n  %s", line, i, reports[i], want);
	}
	va_end(ap);
}

static void expect_ok(const char *line)
{
	expect_reports(line, 0);
}

/* ------------------------------------------------------------ tests */

static void test_empty_lines(void **state)
{
	(void)state;
	expect_ok("");
	expect_ok("    ");
	expect_ok(" \t\n\r ");
	reset();
	assert_int_equal(cmdline_parse(NULL, params, ARRAY_SIZE(params), report), 0);
	assert_int_equal(cmdline_parse("flag", NULL, 0, NULL), 1); /* unknown, report NULL: counted only */
}

static void test_booleans(void **state)
{
	static const char *const yes[] = { "1", "yes", "on", "true", "enable" };
	static const char *const no[] = { "0", "no", "off", "false", "disable" };
	char line[64];

	(void)state;
	expect_ok("flag");
	assert_true(opt_flag);
	expect_ok("flag no-flag");
	assert_false(opt_flag);
	expect_ok("flag no_flag");
	assert_false(opt_flag);
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		snprintf(line, sizeof(line), "flag=%s int_flag=%s", yes[i], yes[i]);
		expect_ok(line);
		assert_true(opt_flag);
		assert_int_equal(opt_int_flag, 1);
		snprintf(line, sizeof(line), "flag int_flag flag=%s int_flag=\"%s\"", no[i], no[i]);
		expect_ok(line);
		assert_false(opt_flag);
		assert_int_equal(opt_int_flag, 0);
	}
	expect_reports("flag=maybe", 1, "option \"flag\": bad value \"maybe\" (expected a boolean)");
	assert_false(opt_flag);
	expect_reports("flag=", 1, "option \"flag\": bad value \"\" (expected a boolean)");
	expect_reports("flag=YES", 1, "option \"flag\": bad value \"YES\" (expected a boolean)");
	expect_reports("flag=1x", 1, "option \"flag\": bad value \"1x\" (expected a boolean)");
	expect_reports("flag no-flag=1", 1, "option \"no-flag\": unexpected value \"1\" (a \"no-\" option takes none)");
	assert_true(opt_flag); /* unchanged by the bad token */
}

static void test_name_starting_with_no(void **state)
{
	(void)state;
	/* An exact name wins over the "no-" prefix. */
	expect_ok("no-reboot");
	assert_int_equal(opt_int_flag, 1);
	expect_ok("no_reboot=0");
	assert_int_equal(opt_int_flag, 0);
	expect_reports("no-", 1, "unknown option \"no-\"");
	expect_reports("no-nothing", 1, "unknown option \"no-nothing\"");
}

static void test_integers(void **state)
{
	(void)state;
	expect_ok("loglvl=7");
	assert_int_equal(opt_loglvl, 7);
	expect_ok("loglvl=0x10");
	assert_int_equal(opt_loglvl, 16);
	expect_ok("loglvl=010");
	assert_int_equal(opt_loglvl, 8);
	expect_ok("loglvl=\"42\"");
	assert_int_equal(opt_loglvl, 42);
	expect_ok("loglvl=4294967295 u8=255 u16=65535 u64=18446744073709551615");
	assert_int_equal(opt_loglvl, 4294967295u);
	assert_int_equal(opt_u8, 255);
	assert_int_equal(opt_u16, 65535);
	assert_true(opt_u64 == UINT64_MAX);
	expect_ok("u64=0xffffffffffffffff");
	assert_true(opt_u64 == UINT64_MAX);

	expect_reports("loglvl=banana", 1, "option \"loglvl\": bad value \"banana\" (expected an integer)");
	assert_int_equal(opt_loglvl, 3);
	expect_reports("loglvl=12abc", 1, "option \"loglvl\": bad value \"12abc\" (expected an integer)");
	expect_reports("loglvl=", 1, "option \"loglvl\": bad value \"\" (expected an integer)");
	expect_reports("loglvl=-1", 1, "option \"loglvl\": bad value \"-1\" (expected an integer)");
	expect_reports("loglvl=08", 1, "option \"loglvl\": bad value \"08\" (expected an integer)");
	expect_reports("loglvl= 5", 2, "option \"loglvl\": bad value \"\" (expected an integer)",
		       "unknown option \"5\"");
	expect_reports("loglvl", 1, "option \"loglvl\": missing value");
	expect_reports("u8=256", 1, "option \"u8\": value \"256\" out of range (at most 255)");
	assert_int_equal(opt_u8, 0);
	expect_reports("u16=65536", 1, "option \"u16\": value \"65536\" out of range (at most 65535)");
	expect_reports("loglvl=4294967296", 1,
		       "option \"loglvl\": value \"4294967296\" out of range (at most 4294967295)");
	expect_reports("u64=18446744073709551616", 1,
		       "option \"u64\": value \"18446744073709551616\" out of range (at most 18446744073709551615)");
	assert_true(opt_u64 == 0);
	expect_reports("no-loglvl", 1, "option \"no-loglvl\": only boolean options can be negated");
	assert_int_equal(opt_loglvl, 3);
}

static void test_dash_underscore(void **state)
{
	(void)state;
	expect_ok("sched-credit-tslice-ms=5");
	assert_int_equal(opt_tslice, 5);
	expect_ok("sched_credit-tslice_ms=6");
	assert_int_equal(opt_tslice, 6);
	expect_ok("int-flag");
	assert_int_equal(opt_int_flag, 1);
	/* The report names the option as it was written. */
	expect_reports("sched-credit-tslice-ms=x", 1,
		       "option \"sched-credit-tslice-ms\": bad value \"x\" (expected an integer)");
	/* Names are case-sensitive. */
	expect_reports("FLAG", 1, "unknown option \"FLAG\"");
}

static void test_sizes(void **state)
{
	(void)state;
	expect_ok("mem=512M");
	assert_true(opt_mem == 512ULL << 20);
	expect_ok("mem=2g mem32=4k");
	assert_true(opt_mem == 2ULL << 30);
	assert_int_equal(opt_mem32, 4096);
	expect_ok("mem=100 mem32=4294967295");
	assert_true(opt_mem == 100);
	assert_int_equal(opt_mem32, 4294967295u);
	expect_ok("mem=0x10K");
	assert_true(opt_mem == 16384);
	expect_reports("mem=12Q", 1, "option \"mem\": bad value \"12Q\" (expected a size such as 512M)");
	expect_reports("mem=1KB", 1, "option \"mem\": bad value \"1KB\" (expected a size such as 512M)");
	expect_reports("mem=M", 1, "option \"mem\": bad value \"M\" (expected a size such as 512M)");
	expect_reports("mem", 1, "option \"mem\": missing value");
	expect_reports("mem=16777216T", 1,
		       "option \"mem\": value \"16777216T\" out of range (at most 18446744073709551615)");
	expect_reports("mem32=4G", 1, "option \"mem32\": value \"4G\" out of range (at most 4294967295)");
	assert_int_equal(opt_mem32, 0);
	assert_true(opt_mem == 0);
}

static void test_strings(void **state)
{
	(void)state;
	expect_ok("str=abc");
	assert_string_equal(opt_str.buf, "abc");
	expect_ok("str=\"a b c\"");
	assert_string_equal(opt_str.buf, "a b c");
	expect_ok("str=a\"b c\"d");
	assert_string_equal(opt_str.buf, "ab cd");
	expect_ok("str=\"\"");
	assert_string_equal(opt_str.buf, "");
	expect_ok("str=");
	assert_string_equal(opt_str.buf, "");
	expect_ok("str=x=y");
	assert_string_equal(opt_str.buf, "x=y");
	expect_ok("str=1234567");
	assert_string_equal(opt_str.buf, "1234567");
	/* Too long: stored cut short, and reported. */
	expect_reports("str=0123456789", 1, "option \"str\": value \"0123456789\" truncated to 7 characters");
	assert_string_equal(opt_str.buf, "0123456");
	assert_memory_equal(opt_str.canary, "CCCCCCCC", 8);
	expect_reports("str", 1, "option \"str\": missing value");
	assert_string_equal(opt_str.buf, "init");
	expect_reports("no-str", 1, "option \"no-str\": only boolean options can be negated");
}

static void test_custom(void **state)
{
	(void)state;
	expect_ok("cust=hello");
	assert_int_equal(custom_calls, 1);
	assert_string_equal(custom_copy, "hello");
	expect_ok("cust");
	assert_int_equal(custom_calls, 1);
	assert_null(custom_seen[0]);
	expect_ok("cust=\"with space\"");
	assert_string_equal(custom_copy, "with space");
	expect_reports("cust=bad", 1, "option \"cust\": bad value \"bad\"");
	expect_reports("strict", 1, "option \"strict\": a value is required");
	expect_reports("no-cust", 1, "option \"no-cust\": only boolean options can be negated");
	assert_int_equal(custom_calls, 0);
}

static void test_unknown_options(void **state)
{
	(void)state;
	expect_reports("foo=bar", 1, "unknown option \"foo=bar\"");
	/* The same unknown option is reported once, however it is written. */
	expect_reports("foo=bar flag foo=baz foo", 1, "unknown option \"foo=bar\"");
	assert_true(opt_flag);
	expect_reports("foo foo_x foo-x foo_x=1 bar", 3, "unknown option \"foo\"", "unknown option \"foo_x\"",
		       "unknown option \"bar\"");
	expect_reports("=value", 1, "unknown option \"=value\"");
	expect_reports("= =", 1, "unknown option \"=\"");
	expect_reports("\"quoted name\"=1", 1, "unknown option \"\\\"quoted name\\\"=1\"");
}

static void test_unterminated_quote(void **state)
{
	(void)state;
	expect_reports("str=\"abc", 1, "unterminated quote in \"str=\\\"abc\"");
	assert_string_equal(opt_str.buf, "init");
	/* Everything after an open quote belongs to the token. */
	expect_reports("flag str=\"abc def loglvl=1", 1, "unterminated quote in \"str=\\\"abc def loglvl=1\"");
	assert_true(opt_flag);
	assert_int_equal(opt_loglvl, 3);
	expect_reports("\"", 1, "unterminated quote in \"\\\"\"");
	expect_reports("str=\"a\"\"", 1, "unterminated quote in \"str=\\\"a\\\"\\\"\"");
}

static void test_separators(void **state)
{
	(void)state;
	expect_ok("\tflag\nloglvl=5\r  u8=1   ");
	assert_true(opt_flag);
	assert_int_equal(opt_loglvl, 5);
	assert_int_equal(opt_u8, 1);
	expect_ok("str=\"a\tb c\"");
	assert_string_equal(opt_str.buf, "a\tb c");
}

static void test_hostile_bytes(void **state)
{
	(void)state;
	/* Non-printable and non-UTF-8 bytes are escaped in reports. */
	expect_reports("\x01\xff=\x80", 1, "unknown option \"\\x01\\xff=\\x80\"");
	expect_reports("loglvl=\x1b[31m", 1, "option \"loglvl\": bad value \"\\x1b[31m\" (expected an integer)");
	expect_reports("flag=a\\b", 1, "option \"flag\": bad value \"a\\\\b\" (expected a boolean)");
}

static void test_long_tokens(void **state)
{
	static char line[8192];
	char want[600];

	(void)state;
	/* An unknown 5000-character token: reported once, shortened. */
	memset(line, 'a', 5000);
	line[5000] = '\0';
	snprintf(want, sizeof(want), "unknown option \"%.48s...\"", line);
	expect_reports(line, 1, want);

	/* A value longer than the parser's buffer is refused, not cut. */
	memcpy(line, "str=", 4);
	memset(line + 4, 'v', 3000);
	line[3004] = '\0';
	snprintf(want, sizeof(want), "option \"str\": value \"%.48s...\" too long (at most 1023 characters)", line + 4);
	expect_reports(line, 1, want);
	assert_string_equal(opt_str.buf, "init");

	/* The longest value the buffer takes is fine (then truncated to the string's size). */
	memset(line + 4, 'w', 1023);
	line[1027] = '\0';
	assert_int_equal(parse(line), 1);
	assert_non_null(strstr(reports[0], "truncated to 7 characters"));
	assert_string_equal(opt_str.buf, "wwwwwww");

	/* A long option name in a report is shortened too. */
	memset(line, 'n', 100);
	strcpy(line + 100, "=1");
	assert_int_equal(parse(line), 1);
	assert_true(strlen(reports[0]) < 100);
}

static void test_bad_declaration(void **state)
{
	(void)state;
	expect_reports("bad-decl=1", 1, "option \"bad-decl\": unsupported declaration (type 1, size 3)");
}

static void test_problem_count(void **state)
{
	(void)state;
	expect_reports("a b flag=x loglvl=1 u8=999 a", 4, "unknown option \"a\"", "unknown option \"b\"",
		       "option \"flag\": bad value \"x\" (expected a boolean)",
		       "option \"u8\": value \"999\" out of range (at most 255)");
	/* the unterminated quote is a fifth problem, after the first four */
	assert_int_equal(parse("a b flag=x u8=999 str=\""), 5);
	assert_string_equal(reports[4], "unterminated quote in \"str=\\\"\"");
}

static void test_parse_bool(void **state)
{
	const char *s = "yes,no";

	(void)state;
	assert_int_equal(parse_bool("1", NULL), 1);
	assert_int_equal(parse_bool("enable", NULL), 1);
	assert_int_equal(parse_bool("true", NULL), 1);
	assert_int_equal(parse_bool("on", NULL), 1);
	assert_int_equal(parse_bool("0", NULL), 0);
	assert_int_equal(parse_bool("disable", NULL), 0);
	assert_int_equal(parse_bool("false", NULL), 0);
	assert_int_equal(parse_bool("off", NULL), 0);
	assert_int_equal(parse_bool("no", NULL), 0);
	assert_int_equal(parse_bool("", NULL), -1);
	assert_int_equal(parse_bool("yess", NULL), -1);
	assert_int_equal(parse_bool("ye", NULL), -1);
	assert_int_equal(parse_bool("2", NULL), -1);
	assert_int_equal(parse_bool(NULL, NULL), -1);
	/* With an end pointer: only [s, end) counts. */
	assert_int_equal(parse_bool(s, s + 3), 1);
	assert_int_equal(parse_bool(s + 4, s + 6), 0);
	assert_int_equal(parse_bool(s, s + 2), -1);
	assert_int_equal(parse_bool(s, s), -1);
	assert_int_equal(parse_bool(s + 3, s), -1);
	assert_int_equal(parse_bool(s, s + 6), -1);
}

/* Random lines from a hostile alphabet: no crash, no overrun, count == reports. */
static void test_random_lines(void **state)
{
	static const char alphabet[] = "ab=\"\" \t-_no-flagloglvlstrmemcust0x1K9\x80\xff\x01";
	static const char *const words[] = { "flag", "no-flag", "loglvl=", "str=", "mem=", "cust=", "u8=",
					     "\"",   "=",	"no-",	   "0x",   "512M", "yes",   " " };
	char line[600];

	(void)state;
	srand(77);
	for (int iter = 0; iter < 30000; iter++) {
		size_t len = (size_t)rand() % (sizeof(line) - 1), n = 0;

		while (n < len) {
			if (rand() % 3 == 0) {
				const char *w = words[rand() % ARRAY_SIZE(words)];
				size_t wl = strlen(w);

				if (n + wl > len)
					break;
				memcpy(line + n, w, wl);
				n += wl;
			} else {
				line[n++] = alphabet[(size_t)rand() % (sizeof(alphabet) - 1)];
			}
		}
		line[n] = '\0';
		int rc = parse(line);

		assert_int_equal(rc, nr_reports);
		assert_non_null(memchr(opt_str.buf, '\0', sizeof(opt_str.buf)));
		assert_memory_equal(opt_str.canary, "CCCCCCCC", 8);
		for (int i = 0; i < nr_reports && i < MAX_REPORTS; i++)
			for (const char *p = reports[i]; *p; p++)
				assert_true(*p >= 0x20 && *p < 0x7f); /* reports are printable ASCII */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_lines),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_name_starting_with_no),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_dash_underscore),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_custom),
		cmocka_unit_test(test_unknown_options),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_hostile_bytes),
		cmocka_unit_test(test_long_tokens),
		cmocka_unit_test(test_bad_declaration),
		cmocka_unit_test(test_problem_count),
		cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_random_lines),
	};

	return cmocka_run_group_tests_name("lib/cmdline", tests, NULL, NULL);
}
