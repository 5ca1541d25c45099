/*
 * Unit tests for lib/sort.c: results are compared with qsort over many sizes
 * and value distributions (sorted, reversed, all equal, random with many
 * duplicates), for ints with a caller swap, and for odd-sized records with
 * the built-in byte swap. The comparison callback checks every pointer it is
 * given, so the sort can never look outside the array or between elements.
 */
#include <hv/lib.h>

#include "hv_unrename.h"

#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const char *cur_base;
static size_t cur_num, cur_size;
static unsigned long nr_cmp, nr_swap;

static void check_element(const void *p)
{
	const char *c = p;

	if (c < cur_base || c >= cur_base + cur_num * cur_size || (size_t)(c - cur_base) % cur_size)
		fail_msg("callback got %p, not an element of [%p, %zu x %zu)", p, (const void *)cur_base, cur_num,
			 cur_size);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	check_element(a);
	check_element(b);
	nr_cmp++;
	return (x > y) - (x < y);
}

static int cmp_int_libc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void swap_int(void *a, void *b, size_t size)
{
	int t = *(int *)a;

	check_element(a);
	check_element(b);
	assert_int_equal(size, sizeof(int));
	nr_swap++;
	*(int *)a = *(int *)b;
	*(int *)b = t;
}

static void fill(int *v, size_t n, int kind)
{
	for (size_t i = 0; i < n; i++) {
		switch (kind) {
		case 0:
			v[i] = (int)i;
			break;
		case 1:
			v[i] = (int)(n - i);
			break;
		case 2:
			v[i] = 7;
			break;
		case 3:
			v[i] = rand() % 5 - 2; /* many duplicates, negatives */
			break;
		default:
			v[i] = rand() - RAND_MAX / 2;
			break;
		}
	}
}

static void sort_ints(int *v, size_t n, bool own_swap)
{
	cur_base = (const char *)v;
	cur_num = n;
	cur_size = sizeof(int);
	sort(v, n, sizeof(int), cmp_int, own_swap ? swap_int : NULL);
}

static void test_ints_against_qsort(void **state)
{
	int v[300], ref[300];

	(void)state;
	srand(7);
	for (size_t n = 0; n <= ARRAY_SIZE(v); n += n < 40 ? 1 : 37)
		for (int kind = 0; kind < 5; kind++)
			for (int own = 0; own < 2; own++) {
				fill(v, n, kind);
				memcpy(ref, v, n * sizeof(int));
				qsort(ref, n, sizeof(int), cmp_int_libc);
				sort_ints(v, n, own);
				assert_memory_equal(v, ref, n * sizeof(int));
			}
}

/* Heap sort is O(n log n) even on inputs that hurt quicksort. */
static void test_complexity(void **state)
{
	enum { N = 10000 };
	static int v[N];

	(void)state;
	for (int kind = 0; kind < 5; kind++) {
		fill(v, N, kind);
		nr_cmp = 0;
		sort_ints(v, N, true);
		for (size_t i = 1; i < N; i++)
			assert_true(v[i - 1] <= v[i]);
		assert_true(nr_cmp < 2 * 14 * N); /* 2 n log2 n */
	}
}

static void test_trivial_sizes(void **state)
{
	int one = 5, two[2] = { 2, 1 };

	(void)state;
	nr_cmp = nr_swap = 0;
	sort_ints(&one, 1, true);
	sort_ints(NULL, 0, true);
	assert_int_equal(nr_cmp, 0);
	assert_int_equal(nr_swap, 0);
	assert_int_equal(one, 5);
	sort_ints(two, 2, true);
	assert_int_equal(two[0], 1);
	assert_int_equal(two[1], 2);
	/* size 0: nothing to compare or move */
	sort(two, 2, 0, cmp_int, NULL);
}

/* 13-byte records (odd size, unaligned) through the generic byte swap. */
struct record {
	char key[5];
	char payload[8];
};

static int cmp_record_libc(const void *a, const void *b)
{
	return memcmp(((const struct record *)a)->key, ((const struct record *)b)->key, 5);
}

static int cmp_record(const void *a, const void *b)
{
	check_element(a);
	check_element(b);
	return cmp_record_libc(a, b);
}

static void test_records_generic_swap(void **state)
{
	struct record r[97], ref[97];

	(void)state;
	assert_int_equal(sizeof(struct record), 13);
	srand(99);
	for (size_t i = 0; i < ARRAY_SIZE(r); i++) {
		for (int k = 0; k < 5; k++)
			r[i].key[k] = (char)(rand() % 3); /* duplicates */
		/* The payload follows its key: a byte swap must move all 13 bytes. */
		for (int k = 0; k < 8; k++)
			r[i].payload[k] = (char)(r[i].key[0] * 9 + r[i].key[1] * 3 + r[i].key[2] + k);
	}
	memcpy(ref, r, sizeof(r));
	qsort(ref, ARRAY_SIZE(ref), sizeof(ref[0]), cmp_record_libc);
	cur_base = (const char *)r;
	cur_num = ARRAY_SIZE(r);
	cur_size = sizeof(r[0]);
	sort(r, ARRAY_SIZE(r), sizeof(r[0]), cmp_record, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(r); i++) {
		assert_memory_equal(r[i].key, ref[i].key, 5);
		for (int k = 0; k < 8; k++)
			assert_int_equal(r[i].payload[k], (char)(r[i].key[0] * 9 + r[i].key[1] * 3 + r[i].key[2] + k));
	}
}

static int cmp_desc(const void *a, const void *b)
{
	return cmp_int(b, a);
}

static void test_descending(void **state)
{
	int v[50];

	(void)state;
	fill(v, 50, 4);
	cur_base = (const char *)v;
	cur_num = 50;
	cur_size = sizeof(int);
	sort(v, 50, sizeof(int), cmp_desc, NULL);
	for (size_t i = 1; i < 50; i++)
		assert_true(v[i - 1] >= v[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ints_against_qsort), cmocka_unit_test(test_complexity),
		cmocka_unit_test(test_trivial_sizes),	   cmocka_unit_test(test_records_generic_swap),
		cmocka_unit_test(test_descending),
	};

	return cmocka_run_group_tests_name("lib/sort", tests, NULL, NULL);
}
