/*
 * Unit tests for lib/string.c: every function is checked against the C
 * library over all small sizes and alignments (the word-at-a-time paths have
 * alignment-dependent heads and tails), and for the edge cases C defines:
 * signedness of comparisons, searching for the terminator, and the strlcpy
 * and strlcat truncation contract. Guard bytes around each buffer catch
 * writes out of range; ASan catches reads.
 */
#include <hv/lib.h>

#include "hv_unrename.h"

#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define BUF 96
#define GUARD 0xa5

/* A fresh buffer with a known pattern, so copies are visible. */
static void pattern(unsigned char *b, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(seed + i * 7 + (i >> 3));
}

static void test_memcpy_all_alignments(void **state)
{
	unsigned char src[BUF], ours[BUF], ref[BUF];

	(void)state;
	pattern(src, sizeof(src), 1);
	for (size_t so = 0; so < 8; so++)
		for (size_t dof = 0; dof < 8; dof++)
			for (size_t n = 0; n <= 64; n++) {
				memset(ours, GUARD, sizeof(ours));
				memset(ref, GUARD, sizeof(ref));
				assert_ptr_equal(hv_memcpy(ours + dof, src + so, n), ours + dof);
				memcpy(ref + dof, src + so, n);
				assert_memory_equal(ours, ref, sizeof(ours));
			}
}

static void test_memmove_overlaps(void **state)
{
	unsigned char ours[BUF], ref[BUF];

	(void)state;
	/* Every source and destination offset within one buffer, both directions. */
	for (size_t so = 0; so < 24; so++)
		for (size_t dof = 0; dof < 24; dof++)
			for (size_t n = 0; n <= 64; n++) {
				pattern(ours, sizeof(ours), 3);
				pattern(ref, sizeof(ref), 3);
				assert_ptr_equal(hv_memmove(ours + dof, ours + so, n), ours + dof);
				memmove(ref + dof, ref + so, n);
				assert_memory_equal(ours, ref, sizeof(ours));
			}
}

static void test_memmove_disjoint(void **state)
{
	unsigned char a[BUF], b[BUF];

	(void)state;
	pattern(a, sizeof(a), 9);
	memset(b, 0, sizeof(b));
	hv_memmove(b + 3, a + 5, 50);
	assert_memory_equal(b + 3, a + 5, 50);
	assert_int_equal(b[2], 0);
	assert_int_equal(b[53], 0);
	/* n = 0 with identical pointers is fine and changes nothing. */
	assert_ptr_equal(hv_memmove(a, a, 0), a);
}

static void test_memset(void **state)
{
	unsigned char ours[BUF], ref[BUF];

	(void)state;
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n <= 64; n++) {
			memset(ours, GUARD, sizeof(ours));
			memset(ref, GUARD, sizeof(ref));
			/* Only the low byte of c counts. */
			assert_ptr_equal(hv_memset(ours + off, 0x17f, n), ours + off);
			memset(ref + off, 0x7f, n);
			assert_memory_equal(ours, ref, sizeof(ours));
		}
	memset(ours, 0, sizeof(ours));
	hv_memset(ours, -1, 20);
	for (size_t i = 0; i < 20; i++)
		assert_int_equal(ours[i], 0xff);
	assert_int_equal(ours[20], 0);
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_memcmp(void **state)
{
	unsigned char a[BUF], b[BUF];

	(void)state;
	pattern(a, sizeof(a), 5);
	memcpy(b, a, sizeof(b));
	assert_int_equal(hv_memcmp(a, b, sizeof(a)), 0);
	assert_int_equal(hv_memcmp(a, b, 0), 0);
	for (size_t i = 0; i < 40; i++) {
		memcpy(b, a, sizeof(b));
		b[i] ^= 0x80; /* a high-bit difference: bytes compare unsigned */
		assert_int_equal(sign(hv_memcmp(a, b, 40)), sign(memcmp(a, b, 40)));
		assert_int_equal(sign(hv_memcmp(b, a, 40)), sign(memcmp(b, a, 40)));
		assert_int_equal(hv_memcmp(a, b, i), 0); /* difference just outside n */
	}
	assert_true(hv_memcmp("\x80", "\x01", 1) > 0);
	assert_true(hv_memcmp("\x01", "\xff", 1) < 0);
}

static void test_memchr(void **state)
{
	const char s[] = "abcabc\0xyz\x80";

	(void)state;
	assert_ptr_equal(hv_memchr(s, 'c', sizeof(s)), s + 2);
	assert_ptr_equal(hv_memchr(s, 'x', sizeof(s)), s + 7); /* past the NUL: memchr ignores it */
	assert_ptr_equal(hv_memchr(s, '\0', sizeof(s)), s + 6);
	assert_ptr_equal(hv_memchr(s, 'x', 7), NULL);
	assert_ptr_equal(hv_memchr(s, 'a', 0), NULL);
	assert_ptr_equal(hv_memchr(s, 0x180, sizeof(s)), s + 10); /* c is converted to unsigned char */
	assert_ptr_equal(hv_memchr(s, -128, sizeof(s)), s + 10);
}

static void test_strlen_strnlen(void **state)
{
	char unterminated[4] = { 'a', 'b', 'c', 'd' };
	char s[BUF];

	(void)state;
	assert_int_equal(hv_strlen(""), 0);
	assert_int_equal(hv_strlen("hello"), 5);
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n < 40; n++) {
			memset(s, 'x', sizeof(s));
			s[off + n] = '\0';
			assert_int_equal(hv_strlen(s + off), n);
			assert_int_equal(hv_strnlen(s + off, n + 5), n);
			assert_int_equal(hv_strnlen(s + off, n), n);
			if (n)
				assert_int_equal(hv_strnlen(s + off, n - 1), n - 1);
		}
	/* Never reads past 'max' (ASan would report the overflow). */
	assert_int_equal(hv_strnlen(unterminated, sizeof(unterminated)), 4);
	assert_int_equal(hv_strnlen(unterminated, 2), 2);
	assert_int_equal(hv_strnlen(NULL, 0), 0);
}

static const char *const cmp_strings[] = {
	"", "a", "b", "ab", "abc", "abd", "abcd", "ABC", "a\x80", "a\x7f", "\xff", "\x01", "hello world", "hello",
};

static void test_strcmp_strncmp(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cmp_strings); i++)
		for (size_t j = 0; j < ARRAY_SIZE(cmp_strings); j++) {
			const char *a = cmp_strings[i], *b = cmp_strings[j];

			assert_int_equal(sign(hv_strcmp(a, b)), sign(strcmp(a, b)));
			for (size_t n = 0; n < 14; n++)
				assert_int_equal(sign(hv_strncmp(a, b, n)), sign(strncmp(a, b, n)));
		}
	assert_true(hv_strcmp("\x80", "\x7f") > 0); /* unsigned, like libc */
	assert_int_equal(hv_strncmp("abcX", "abcY", 3), 0);
	assert_int_equal(hv_strncmp("abc", "abc", 100), 0);
}

static void test_strchr_strrchr(void **state)
{
	const char s[] = "hello, world\x80!";

	(void)state;
	assert_ptr_equal(hv_strchr(s, 'o'), s + 4);
	assert_ptr_equal(hv_strrchr(s, 'o'), s + 8);
	assert_ptr_equal(hv_strchr(s, 'h'), s);
	assert_ptr_equal(hv_strrchr(s, 'h'), s);
	assert_ptr_equal(hv_strchr(s, 'z'), NULL);
	assert_ptr_equal(hv_strrchr(s, 'z'), NULL);
	/* The terminator is part of the string. */
	assert_ptr_equal(hv_strchr(s, '\0'), s + strlen(s));
	assert_ptr_equal(hv_strrchr(s, '\0'), s + strlen(s));
	assert_ptr_equal(hv_strchr(s, 0x80), s + 12);
	assert_ptr_equal(hv_strrchr(s, 0x180), s + 12);
	assert_ptr_equal(hv_strchr("", 'a'), NULL);
	assert_ptr_equal(hv_strrchr("", 'a'), NULL);
}

static void test_strstr(void **state)
{
	static const char *const hay[] = { "", "a", "aaa", "aaab", "abcabd", "hello world", "xabcabcabdy" };
	static const char *const needles[] = { "", "a", "aa", "aab", "abd", "world", "abcabd", "z", "hello world!" };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(hay); i++)
		for (size_t j = 0; j < ARRAY_SIZE(needles); j++)
			assert_ptr_equal(hv_strstr(hay[i], needles[j]), strstr(hay[i], needles[j]));
}

static void test_strlcpy(void **state)
{
	char buf[16];

	(void)state;
	memset(buf, GUARD, sizeof(buf));
	assert_int_equal(hv_strlcpy(buf, "hello", 0), 5); /* size 0: nothing written */
	assert_int_equal((unsigned char)buf[0], GUARD);
	assert_int_equal(hv_strlcpy(buf, "hello", 1), 5);
	assert_string_equal(buf, "");
	assert_int_equal((unsigned char)buf[1], GUARD);
	assert_int_equal(hv_strlcpy(buf, "hello", 5), 5);
	assert_string_equal(buf, "hell");
	assert_int_equal(hv_strlcpy(buf, "hello", 6), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal((unsigned char)buf[6], GUARD);
	assert_int_equal(hv_strlcpy(buf, "", sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(hv_strlcpy(buf, "a much longer string than fits", sizeof(buf)), 30);
	assert_string_equal(buf, "a much longer s");
}

static void test_strlcat(void **state)
{
	char buf[12];

	(void)state;
	strcpy(buf, "abc");
	assert_int_equal(hv_strlcat(buf, "def", sizeof(buf)), 6);
	assert_string_equal(buf, "abcdef");
	assert_int_equal(hv_strlcat(buf, "ghijklmn", sizeof(buf)), 14); /* truncated */
	assert_string_equal(buf, "abcdefghijk");
	assert_int_equal(hv_strlcat(buf, "x", sizeof(buf)), 12); /* full: nothing fits */
	assert_string_equal(buf, "abcdefghijk");
	strcpy(buf, "abc");
	assert_int_equal(hv_strlcat(buf, "", sizeof(buf)), 3);
	assert_int_equal(hv_strlcat(buf, "de", 4), 5); /* size == strlen(dst) + 1 */
	assert_string_equal(buf, "abc");
	/* No terminator within 'size': dst is left alone and size + strlen(src) returned. */
	memset(buf, 'z', sizeof(buf));
	assert_int_equal(hv_strlcat(buf, "hello", 4), 9);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 'z');
	assert_int_equal(hv_strlcat(buf, "hello", 0), 5);
}

/* Random sizes and offsets against libc, for anything the tables missed. */
static void test_random_against_libc(void **state)
{
	unsigned char a[256], b[256], c[256];

	(void)state;
	srand(12345);
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = (size_t)rand() % 200, so = (size_t)rand() % 50, dof = (size_t)rand() % 50;

		for (size_t i = 0; i < sizeof(a); i++)
			a[i] = (unsigned char)rand();
		memcpy(b, a, sizeof(a));
		memcpy(c, a, sizeof(a));
		hv_memmove(b + dof, b + so, n);
		memmove(c + dof, c + so, n);
		assert_memory_equal(b, c, sizeof(b));
		assert_int_equal(sign(hv_memcmp(a + so, b + dof, n)), sign(memcmp(a + so, b + dof, n)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy_all_alignments),
		cmocka_unit_test(test_memmove_overlaps),
		cmocka_unit_test(test_memmove_disjoint),
		cmocka_unit_test(test_memset),
		cmocka_unit_test(test_memcmp),
		cmocka_unit_test(test_memchr),
		cmocka_unit_test(test_strlen_strnlen),
		cmocka_unit_test(test_strcmp_strncmp),
		cmocka_unit_test(test_strchr_strrchr),
		cmocka_unit_test(test_strstr),
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_strlcat),
		cmocka_unit_test(test_random_against_libc),
	};

	return cmocka_run_group_tests_name("lib/string", tests, NULL, NULL);
}
