/*
 * Unit tests for the timer heap (common/timer_heap.c), run on the host.
 *
 * After every operation the heap is checked whole: heap[0] and size agree,
 * each entry's heap_offset is its index, no child expires before its parent,
 * and the set of entries is exactly the reference set the test keeps.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include <hv/errno.h>
#include <hv/timer.h>

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static struct timer_heap *heap_new(unsigned int limit)
{
	struct timer_heap *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	h->heap = calloc(limit + 1, sizeof(*h->heap)); /* heap[0] + limit entries */
	assert_non_null(h->heap);
	h->limit = limit;
	return h;
}

static void heap_free(struct timer_heap *h)
{
	free(h->heap);
	free(h);
}

/* The heap holds exactly ref[0..n) (in any order) and is a valid min-heap. */
static void heap_check(const struct timer_heap *h, struct timer **ref, unsigned int n)
{
	assert_int_equal(h->size, n);
	if (h->heap)
		assert_int_equal((uintptr_t)h->heap[0], n);
	for (unsigned int i = 1; i <= n; i++) {
		assert_non_null(h->heap[i]);
		if (h->heap[i]->heap_offset != i)
			fail_msg("heap[%u] has heap_offset %u", i, h->heap[i]->heap_offset);
		if (i > 1 && h->heap[i / 2]->expires > h->heap[i]->expires)
			fail_msg("heap[%u] expires %lld before its parent %lld", i, (long long)h->heap[i]->expires,
				 (long long)h->heap[i / 2]->expires);
	}
	for (unsigned int k = 0; k < n; k++) {
		unsigned int off = ref[k]->heap_offset;

		if (off < 1 || off > n || h->heap[off] != ref[k])
			fail_msg("timer %u (expires %lld) lost from the heap", k, (long long)ref[k]->expires);
	}
}

static s_time_t ref_min(struct timer **ref, unsigned int n)
{
	s_time_t m = INT64_MAX;

	for (unsigned int k = 0; k < n; k++)
		m = MIN(m, ref[k]->expires);
	return m;
}

static void test_empty(void **state)
{
	struct timer_heap h0 = { NULL, 0, 0 };
	struct timer_heap *h = heap_new(4);
	struct timer t = { .expires = 5 };

	(void)state;
	assert_null(timer_heap_peek(&h0));
	assert_int_equal(timer_heap_add(&h0, &t), -XEN_ENOSPC); /* no array yet: caller grows it */
	assert_int_equal(h0.size, 0);
	assert_null(timer_heap_peek(h));
	heap_free(h);
}

static void test_add_peek_remove_one(void **state)
{
	struct timer_heap *h = heap_new(1);
	struct timer t = { .expires = 42 };

	(void)state;
	assert_int_equal(timer_heap_add(h, &t), 0);
	assert_ptr_equal(timer_heap_peek(h), &t);
	assert_int_equal(t.heap_offset, 1);
	assert_int_equal((uintptr_t)h->heap[0], 1);
	timer_heap_remove(h, &t);
	assert_null(timer_heap_peek(h));
	assert_int_equal(h->size, 0);
	assert_int_equal((uintptr_t)h->heap[0], 0);
	assert_int_equal(t.heap_offset, 0);
	heap_free(h);
}

/* Removing the root, a leaf, the last entry and inner nodes keeps order. */
static void test_remove_positions(void **state)
{
	enum { N = 15 };
	struct timer t[N], *ref[N];
	struct timer_heap *h = heap_new(N);
	unsigned int n = N;
	s_time_t prev = INT64_MIN;

	(void)state;
	for (unsigned int i = 0; i < N; i++) {
		t[i] = (struct timer){ .expires = (s_time_t)((i * 7) % N) * 10 };
		ref[i] = &t[i];
		assert_int_equal(timer_heap_add(h, &t[i]), 0);
		heap_check(h, ref, i + 1);
	}
	/* the last slot, then an inner node, then the root */
	for (unsigned int pick = 0; pick < 3; pick++) {
		unsigned int off = pick == 0 ? n : pick == 1 ? 3 : 1;
		struct timer *victim = h->heap[off];

		timer_heap_remove(h, victim);
		for (unsigned int k = 0; k < n; k++)
			if (ref[k] == victim)
				ref[k] = ref[--n];
		heap_check(h, ref, n);
	}
	/* drain in order */
	while (n) {
		struct timer *first = timer_heap_peek(h);

		assert_true(first->expires >= prev);
		assert_int_equal(first->expires, ref_min(ref, n));
		prev = first->expires;
		timer_heap_remove(h, first);
		for (unsigned int k = 0; k < n; k++)
			if (ref[k] == first)
				ref[k] = ref[--n];
		heap_check(h, ref, n);
	}
	heap_free(h);
}

static void test_equal_expiries(void **state)
{
	enum { N = 40 };
	struct timer t[N], *ref[N];
	struct timer_heap *h = heap_new(N);

	(void)state;
	for (unsigned int i = 0; i < N; i++) {
		t[i] = (struct timer){ .expires = 1000 + (i % 3) };
		ref[i] = &t[i];
		assert_int_equal(timer_heap_add(h, &t[i]), 0);
	}
	heap_check(h, ref, N);
	for (unsigned int n = N; n; n--) {
		struct timer *first = timer_heap_peek(h);

		assert_int_equal(first->expires, ref_min(ref, n));
		timer_heap_remove(h, first);
		for (unsigned int k = 0; k < n; k++)
			if (ref[k] == first)
				ref[k] = ref[n - 1];
		heap_check(h, ref, n - 1);
	}
	heap_free(h);
}

/* A full heap refuses with -XEN_ENOSPC and is unchanged; growing it lets the add through. */
static void test_full_heap(void **state)
{
	enum { L = 7 };
	struct timer t[L + 1], *ref[L + 1];
	struct timer_heap *h = heap_new(L);
	struct timer **bigger;

	(void)state;
	for (unsigned int i = 0; i <= L; i++) {
		t[i] = (struct timer){ .expires = 100 - (s_time_t)i };
		ref[i] = &t[i];
	}
	for (unsigned int i = 0; i < L; i++)
		assert_int_equal(timer_heap_add(h, &t[i]), 0);
	t[L].heap_offset = 0;
	assert_int_equal(timer_heap_add(h, &t[L]), -XEN_ENOSPC);
	assert_int_equal(t[L].heap_offset, 0);
	heap_check(h, ref, L);
	assert_ptr_equal(timer_heap_peek(h), &t[L - 1]);

	/* what timer.c does: a bigger array, same contents */
	bigger = calloc(2 * L + 1, sizeof(*bigger));
	assert_non_null(bigger);
	memcpy(bigger, h->heap, (L + 1) * sizeof(*bigger));
	free(h->heap);
	h->heap = bigger;
	h->limit = 2 * L;
	assert_int_equal(timer_heap_add(h, &t[L]), 0);
	heap_check(h, ref, L + 1);
	assert_ptr_equal(timer_heap_peek(h), &t[L]);
	heap_free(h);
}

static void test_misuse_reported(void **state)
{
	struct timer_heap *h = heap_new(8);
	struct timer a = { .expires = 10 }, b = { .expires = 20 }, stranger = { .expires = 5, .heap_offset = 1 };
	struct timer *ref[2] = { &a, &b };

	(void)state;
	assert_int_equal(timer_heap_add(h, &a), 0);
	assert_int_equal(timer_heap_add(h, &b), 0);
	harness_log_clear();
	timer_heap_remove(h, &stranger); /* offset 1 holds a */
	assert_true(harness_log_has("<1>timer_heap: timer"));
	assert_true(harness_log_has("is not in the heap"));
	heap_check(h, ref, 2);
	stranger.heap_offset = 1000;
	timer_heap_remove(h, &stranger);
	heap_check(h, ref, 2);

	/* adding a queued timer again: reported, heap still valid for its new expiry */
	harness_log_clear();
	b.expires = 1;
	assert_int_equal(timer_heap_add(h, &b), 0);
	assert_true(harness_log_has("added twice"));
	heap_check(h, ref, 2);
	assert_ptr_equal(timer_heap_peek(h), &b);

	timer_heap_remove(h, &a);
	harness_log_clear();
	timer_heap_remove(h, &a); /* already removed */
	assert_true(harness_log_has("is not in the heap"));
	heap_check(h, ref + 1, 1);
	heap_free(h);
}

/* Random adds, removes and peeks against a reference set; phases of mostly adds fill it up. */
static void test_random_against_reference(void **state)
{
	enum { NT = 600, LIMIT = 400, OPS = 60000 };
	struct timer *t = calloc(NT, sizeof(*t));
	struct timer **ref = calloc(NT, sizeof(*ref));
	bool *queued = calloc(NT, sizeof(*queued));
	struct timer_heap *h = heap_new(LIMIT);
	unsigned int n = 0, full = 0;

	(void)state;
	assert_non_null(t);
	assert_non_null(ref);
	assert_non_null(queued);
	rng = 0x5eed5eed1234ULL;
	harness_log_clear();
	for (unsigned int op = 0; op < OPS; op++) {
		unsigned int r = (unsigned int)(rnd() % 100);
		unsigned int k = (unsigned int)(rnd() % NT);

		while (queued[k]) /* n < NT: an idle timer exists */
			k = (k + 1) % NT;
		if (r < 50) {
			/* narrow range: plenty of equal expiries */
			t[k].expires = (s_time_t)(rnd() % 5000) - 1000;
			if (n == LIMIT) {
				assert_int_equal(timer_heap_add(h, &t[k]), -XEN_ENOSPC);
				full++;
			} else {
				assert_int_equal(timer_heap_add(h, &t[k]), 0);
				queued[k] = true;
				ref[n++] = &t[k];
			}
		} else if (r < (op % 20000 < 5000 ? 55 : 90) && n) {
			/* remove a random queued timer, sometimes the earliest */
			unsigned int j = (unsigned int)(rnd() % n);
			struct timer *victim = r < 60 ? timer_heap_peek(h) : ref[j];

			timer_heap_remove(h, victim);
			queued[victim - t] = false;
			for (j = 0; ref[j] != victim; j++)
				;
			ref[j] = ref[--n];
		}
		if (n)
			assert_int_equal(timer_heap_peek(h)->expires, ref_min(ref, n));
		else
			assert_null(timer_heap_peek(h));
		if (op % 16 == 0 || n < 8)
			heap_check(h, ref, n);
	}
	heap_check(h, ref, n);
	assert_true(full > 0); /* the run did reach the limit */
	assert_int_equal(harness_log[0], '\0');
	heap_free(h);
	free(queued);
	free(ref);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_add_peek_remove_one),
		cmocka_unit_test(test_remove_positions),
		cmocka_unit_test(test_equal_expiries),
		cmocka_unit_test(test_full_heap),
		cmocka_unit_test(test_misuse_reported),
		cmocka_unit_test(test_random_against_reference),
	};

	return cmocka_run_group_tests_name("timer_heap", tests, NULL, NULL);
}
