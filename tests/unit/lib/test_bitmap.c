/*
 * Unit tests for lib/bitmap.c. Each whole-map operation is compared with a
 * bit-at-a-time reference built on test_bit(), for map sizes around word
 * boundaries and with garbage in the don't-care bits past the end (which
 * every reader must ignore). bitmap_scnlistprintf is checked on fixed cases
 * and against a reference printer, including truncation.
 */
#include <hv/bitmap.h>
#include <hv/lib.h>

#include "hv_unrename.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MAXBITS 200
#define WORDS BITS_TO_LONGS(MAXBITS)

static const unsigned int sizes[] = { 0, 1, 2, 63, 64, 65, 100, 127, 128, 129, 191, 192, MAXBITS };

/* Random contents, including the bits past 'bits'. */
static void random_map(unsigned long *map, int density)
{
	for (size_t i = 0; i < WORDS; i++) {
		unsigned long w = 0;

		for (int b = 0; b < BITS_PER_LONG; b++)
			if (rand() % 100 < density)
				w |= 1UL << b;
		map[i] = w;
	}
}

static void test_single_bit_ops(void **state)
{
	DECLARE_BITMAP(map, 130) = { 0 };

	(void)state;
	set_bit(0, map);
	set_bit(64, map);
	set_bit(129, map);
	assert_true(test_bit(0, map));
	assert_true(test_bit(64, map));
	assert_true(test_bit(129, map));
	assert_false(test_bit(1, map));
	assert_int_equal(map[0], 1);
	assert_int_equal(map[1], 1);
	assert_int_equal(map[2], 2);
	assert_true(test_and_set_bit(64, map));
	assert_false(test_and_set_bit(65, map));
	assert_true(test_and_clear_bit(65, map));
	assert_false(test_and_clear_bit(65, map));
	clear_bit(0, map);
	assert_false(test_bit(0, map));
	assert_int_equal(bitmap_weight(map, 130), 2);
}

static void test_zero_fill(void **state)
{
	unsigned long map[WORDS];

	(void)state;
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		unsigned int bits = sizes[s];

		memset(map, 0x5a, sizeof(map));
		bitmap_fill(map, bits);
		assert_true(bitmap_full(map, bits));
		assert_int_equal(bitmap_weight(map, bits), bits);
		assert_true(bits == 0 || !bitmap_empty(map, bits));
		/* fill clears the tail of the last word, so it is also exact */
		if (bits % BITS_PER_LONG)
			assert_int_equal(map[bits / BITS_PER_LONG], (1UL << (bits % BITS_PER_LONG)) - 1);
		/* words past the map are not touched */
		if (BITS_TO_LONGS(bits) < WORDS)
			assert_int_equal(map[BITS_TO_LONGS(bits)], 0x5a5a5a5a5a5a5a5aUL);

		bitmap_zero(map, bits);
		assert_true(bitmap_empty(map, bits));
		assert_int_equal(bitmap_weight(map, bits), 0);
		assert_int_equal(find_first_bit(map, bits), bits);
		assert_int_equal(find_first_zero_bit(map, bits), 0);
	}
}

static void ref_check_predicates(const unsigned long *a, const unsigned long *b, unsigned int bits)
{
	bool empty = true, full = true, equal = true;
	unsigned int weight = 0;

	for (unsigned int i = 0; i < bits; i++) {
		empty &= !test_bit(i, a);
		full &= test_bit(i, a);
		equal &= test_bit(i, a) == test_bit(i, b);
		weight += test_bit(i, a);
	}
	assert_int_equal(bitmap_empty(a, bits), empty);
	assert_int_equal(bitmap_full(a, bits), full);
	assert_int_equal(bitmap_equal(a, b, bits), equal);
	assert_int_equal(bitmap_weight(a, bits), weight);
}

static void test_predicates_ignore_tail(void **state)
{
	unsigned long a[WORDS], b[WORDS];

	(void)state;
	srand(1);
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		unsigned int bits = sizes[s];

		for (int iter = 0; iter < 200; iter++) {
			int density = iter % 3 == 0 ? 1 : iter % 3 == 1 ? 99 : 50;

			random_map(a, density);
			random_map(b, 50);
			if (iter % 4 == 0) /* equal inside the map, different tails */
				for (unsigned int i = 0; i < bits; i++)
					test_bit(i, a) ? set_bit(i, b) : clear_bit(i, b);
			ref_check_predicates(a, b, bits);
		}
	}
	/* The tail alone never makes a map non-empty, non-full or unequal. */
	a[0] = ~0UL << 5;
	assert_true(bitmap_empty(a, 5));
	a[0] = 0x1f;
	assert_true(bitmap_full(a, 5));
	a[0] = 0xff;
	b[0] = 0x1f;
	assert_true(bitmap_equal(a, b, 5));
	assert_false(bitmap_equal(a, b, 6));
}

static void test_binary_ops(void **state)
{
	unsigned long a[WORDS], b[WORDS], d[WORDS];

	(void)state;
	srand(2);
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		unsigned int bits = sizes[s];

		for (int iter = 0; iter < 50; iter++) {
			random_map(a, 50);
			random_map(b, 50);
			bitmap_and(d, a, b, bits);
			for (unsigned int i = 0; i < bits; i++)
				assert_int_equal(test_bit(i, d), test_bit(i, a) && test_bit(i, b));
			bitmap_or(d, a, b, bits);
			for (unsigned int i = 0; i < bits; i++)
				assert_int_equal(test_bit(i, d), test_bit(i, a) || test_bit(i, b));
			bitmap_andnot(d, a, b, bits);
			for (unsigned int i = 0; i < bits; i++)
				assert_int_equal(test_bit(i, d), test_bit(i, a) && !test_bit(i, b));
			bitmap_copy(d, a, bits);
			assert_true(bitmap_equal(d, a, bits));
			/* in place: dst may be a source */
			bitmap_and(a, a, b, bits);
			bitmap_andnot(d, d, b, bits);
			bitmap_or(d, d, a, bits);
			bitmap_andnot(b, d, a, bits);
			ref_check_predicates(b, b, bits);
		}
	}
}

static unsigned int ref_find(const unsigned long *map, unsigned int bits, unsigned int start, bool value)
{
	for (unsigned int i = start; i < bits; i++)
		if (test_bit(i, map) == value)
			return i;
	return bits;
}

static void test_find(void **state)
{
	unsigned long map[WORDS];

	(void)state;
	srand(3);
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		unsigned int bits = sizes[s];

		for (int iter = 0; iter < 60; iter++) {
			random_map(map, iter % 2 ? 3 : 97); /* sparse and dense */
			for (unsigned int start = 0; start <= bits + 2; start++) {
				assert_int_equal(find_next_bit(map, bits, start), ref_find(map, bits, start, true));
				assert_int_equal(find_next_zero_bit(map, bits, start),
						 ref_find(map, bits, start, false));
			}
		}
	}
	/* A set bit in the tail is never found. */
	map[0] = 1UL << 40;
	assert_int_equal(find_first_bit(map, 40), 40);
	map[0] = ~(1UL << 40);
	assert_int_equal(find_first_zero_bit(map, 40), 40);
	assert_int_equal(find_first_zero_bit(map, 41), 40);
}

static void test_for_each_set_bit(void **state)
{
	DECLARE_BITMAP(map, 150) = { 0 };
	static const unsigned int bits_set[] = { 0, 5, 63, 64, 100, 149 };
	unsigned int i, n = 0;

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(bits_set); k++)
		set_bit(bits_set[k], map);
	for_each_set_bit(i, map, 150) {
		assert_true(n < ARRAY_SIZE(bits_set));
		assert_int_equal(i, bits_set[n++]);
	}
	assert_int_equal(n, ARRAY_SIZE(bits_set));
}

static void expect_list(const unsigned long *map, unsigned int bits, const char *want)
{
	char buf[1024];

	assert_int_equal(bitmap_scnlistprintf(buf, sizeof(buf), map, bits), (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_listprintf_cases(void **state)
{
	DECLARE_BITMAP(map, 200) = { 0 };

	(void)state;
	expect_list(map, 200, "");
	map[0] = 0x4f; /* 0-3, 6 */
	expect_list(map, 200, "0-3,6");
	map[0] = 0x30; /* two bits are still a range */
	expect_list(map, 200, "4-5");
	bitmap_fill(map, 200);
	expect_list(map, 200, "0-199");
	expect_list(map, 130, "0-129");
	bitmap_zero(map, 200);
	set_bit(63, map);
	set_bit(64, map);
	set_bit(199, map);
	expect_list(map, 200, "63-64,199");
	expect_list(map, 199, "63-64");
	expect_list(map, 0, "");
}

static void test_listprintf_truncation(void **state)
{
	DECLARE_BITMAP(map, 200) = { 0 };
	char buf[32];

	(void)state;
	map[0] = 0x4f;
	set_bit(100, map);
	set_bit(150, map);
	set_bit(151, map);
	/* "0-3,6,100,150-151" is 17 characters */
	for (size_t len = 0; len <= 20; len++) {
		memset(buf, 'Z', sizeof(buf));
		int n = bitmap_scnlistprintf(buf, len, map, 200);

		assert_int_equal(n, len ? (int)(len - 1 < 17 ? len - 1 : 17) : 0);
		if (len) {
			assert_memory_equal(buf, "0-3,6,100,150-151", (size_t)n);
			assert_int_equal(buf[n], '\0');
		}
		assert_int_equal(buf[len], 'Z');
	}
	assert_int_equal(bitmap_scnlistprintf(NULL, 0, map, 200), 0);
}

/* A straightforward reference printer. */
static void ref_list(char *out, size_t outlen, const unsigned long *map, unsigned int bits)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned int i = 0; i < bits; i++) {
		unsigned int j = i;

		if (!test_bit(i, map))
			continue;
		while (j + 1 < bits && test_bit(j + 1, map))
			j++;
		n += (size_t)snprintf(out + n, outlen - n, n ? ",%u" : "%u", i);
		if (j > i)
			n += (size_t)snprintf(out + n, outlen - n, "-%u", j);
		i = j;
	}
}

static void test_listprintf_random(void **state)
{
	unsigned long map[WORDS];
	char want[1024];

	(void)state;
	srand(4);
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++)
		for (int iter = 0; iter < 100; iter++) {
			random_map(map, iter % 5 * 20 + 10);
			ref_list(want, sizeof(want), map, sizes[s]);
			expect_list(map, sizes[s], want);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_bit_ops),
		cmocka_unit_test(test_zero_fill),
		cmocka_unit_test(test_predicates_ignore_tail),
		cmocka_unit_test(test_binary_ops),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_for_each_set_bit),
		cmocka_unit_test(test_listprintf_cases),
		cmocka_unit_test(test_listprintf_truncation),
		cmocka_unit_test(test_listprintf_random),
	};

	return cmocka_run_group_tests_name("lib/bitmap", tests, NULL, NULL);
}
