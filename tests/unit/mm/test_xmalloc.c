/*
 * Unit tests for the hypervisor heap (common/xmalloc.c) on top of the real
 * page allocator, run on the host with a machine-memory arena.
 *
 * Every live allocation is filled with a pattern derived from its own seed
 * and checked before it is freed: an object handed out twice, or overlapping
 * another, or clobbered by the heap's own bookkeeping, shows up as a
 * pattern mismatch. Each test frees everything it allocates and checks that
 * the statistics and the page allocator are back where they started.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include <hv/mm.h>
#include <hv/xmalloc.h>

#define NR_FRAMES 8192UL
#define NR_CLASSES 8

static struct page_info *ft;
static unsigned long free_at_start;

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void heap_init(unsigned long frames)
{
	harness_mem_init(frames * PAGE_SIZE);
	ft = calloc(frames, sizeof(*ft));
	assert_non_null(ft);
	page_alloc_init(ft, frames);
	page_alloc_add_range(_mfn(1), frames - 1);
	free_at_start = total_free_pages();
	harness_log_clear();
}

static int setup(void **state)
{
	(void)state;
	heap_init(NR_FRAMES);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ft);
	ft = NULL;
	harness_mem_fini();
	return 0;
}

/* Nothing allocated: statistics empty, every page back with the page allocator. */
static void assert_heap_empty(void)
{
	struct xmalloc_stats st;

	xmalloc_get_stats(&st);
	for (unsigned int i = 0; i < NR_CLASSES; i++) {
		if (st.cls[i].in_use || st.cls[i].capacity)
			fail_msg("class %zu: %lu in use, capacity %lu", st.cls[i].size, st.cls[i].in_use,
				 st.cls[i].capacity);
	}
	assert_int_equal(st.large_allocs_in_use, 0);
	assert_int_equal(st.large_pages_in_use, 0);
	assert_int_equal(st.bytes_in_use, 0);
	assert_int_equal(total_free_pages(), free_at_start);
}

static unsigned int class_of(size_t n)
{
	unsigned int c = 0;

	while ((16u << c) < n)
		c++;
	return c;
}

static void fill(void *p, size_t n, uint64_t seed)
{
	unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)(seed + i * 131 + (i >> 8));
}

static void check(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != (unsigned char)(seed + i * 131 + (i >> 8)))
			fail_msg("allocation %p (%zu bytes): byte %zu clobbered", p, n, i);
}

struct alloc {
	unsigned char *p;
	size_t size;
	uint64_t seed;
};

static int by_address(const void *a, const void *b)
{
	const struct alloc *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

/* No two live allocations overlap, and each still holds its pattern. */
static void check_all(struct alloc *live, size_t n)
{
	struct alloc *sorted = malloc((n + 1) * sizeof(*sorted));

	assert_non_null(sorted);
	memcpy(sorted, live, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), by_address);
	for (size_t i = 0; i < n; i++) {
		check(sorted[i].p, sorted[i].size, sorted[i].seed);
		if (i + 1 < n && sorted[i].p + sorted[i].size > sorted[i + 1].p)
			fail_msg("%p (+%zu) overlaps %p", sorted[i].p, sorted[i].size, sorted[i + 1].p);
	}
	free(sorted);
}

static void test_zero_size_and_null(void **state)
{
	(void)state;
	assert_null(_xmalloc(0, 8));
	assert_null(_xzalloc(0, 1));
	assert_null(xmalloc_bytes(0));
	xfree(NULL);
	assert_int_equal(harness_log[0], '\0');
	assert_heap_empty();
}

static void test_stats_layout(void **state)
{
	struct xmalloc_stats st;

	(void)state;
	xmalloc_get_stats(&st);
	for (unsigned int i = 0; i < NR_CLASSES; i++)
		assert_int_equal(st.cls[i].size, 16u << i);
	assert_int_equal(st.cls[NR_CLASSES].size, 0);
}

/* Sizes on both sides of every class boundary land in the right class, with a fresh slab. */
static void test_class_boundaries(void **state)
{
	static const size_t sizes[] = { 1,   15,  16,  17,  31,	 32,  33,  63,	 64,   65,   127,  128,
					129, 255, 256, 257, 511, 512, 513, 1023, 1024, 1025, 2047, 2048 };

	(void)state;
	for (unsigned int k = 0; k < ARRAY_SIZE(sizes); k++) {
		size_t n = sizes[k];
		unsigned int c = class_of(n);
		size_t csize = 16u << c, slab = MAX((size_t)PAGE_SIZE, 8 * csize);
		struct xmalloc_stats before, st;
		unsigned char *p;

		xmalloc_get_stats(&before);
		p = _xmalloc(n, 1);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % csize, 0); /* objects are aligned to their class */
		fill(p, n, k);
		xmalloc_get_stats(&st);
		for (unsigned int i = 0; i < NR_CLASSES; i++)
			assert_int_equal(st.cls[i].in_use, i == c);
		assert_int_equal(st.cls[c].allocs, before.cls[c].allocs + 1);
		assert_int_equal(st.bytes_in_use, n);
		/* one slab; the header costs at most one slot in eight */
		assert_true(st.cls[c].capacity * csize <= slab);
		assert_true(st.cls[c].capacity * csize >= slab - slab / 8);
		assert_int_equal(free_at_start - total_free_pages(), slab / PAGE_SIZE);
		check(p, n, k);
		xfree(p);
		assert_heap_empty();
	}
	assert_int_equal(harness_log[0], '\0');
}

/* Every size from 1 to 4500 at once: patterns survive, nothing overlaps. */
static void test_every_size_filled(void **state)
{
	const size_t n = 4500;
	struct alloc *a = calloc(n, sizeof(*a));
	struct xmalloc_stats st;
	size_t bytes = 0;

	(void)state;
	assert_non_null(a);
	for (size_t i = 0; i < n; i++) {
		a[i].size = i + 1;
		a[i].seed = i * 7;
		a[i].p = _xmalloc(a[i].size, 1);
		assert_non_null(a[i].p);
		fill(a[i].p, a[i].size, a[i].seed);
		bytes += a[i].size;
	}
	xmalloc_get_stats(&st);
	assert_int_equal(st.bytes_in_use, bytes);
	assert_int_equal(st.large_allocs_in_use, n - 2048);
	check_all(a, n);
	for (size_t i = 0; i < n; i += 2)
		xfree(a[i].p);
	for (size_t i = 1; i < n; i += 2)
		check(a[i].p, a[i].size, a[i].seed);
	for (size_t i = 1; i < n; i += 2)
		xfree(a[i].p);
	assert_heap_empty();
	assert_int_equal(harness_log[0], '\0');
	free(a);
}

static void test_alignment(void **state)
{
	static const size_t sizes[] = { 1, 7, 16, 24, 100, 1000, 2048, 2049, 3000, 4096, 5000 };
	struct alloc a[ARRAY_SIZE(sizes) * 13];
	unsigned int n = 0;

	(void)state;
	for (size_t align = 1; align <= PAGE_SIZE; align *= 2) {
		for (unsigned int k = 0; k < ARRAY_SIZE(sizes); k++) {
			unsigned char *p = _xmalloc(sizes[k], align);

			assert_non_null(p);
			if ((uintptr_t)p % align)
				fail_msg("_xmalloc(%zu, %zu) = %p", sizes[k], align, p);
			a[n].p = p;
			a[n].size = sizes[k];
			a[n].seed = n;
			fill(p, sizes[k], n);
			n++;
		}
	}
	check_all(a, n);
	while (n--)
		xfree(a[n].p);
	assert_heap_empty();
	assert_int_equal(harness_log[0], '\0');
}

static void test_bad_alignment_refused(void **state)
{
	(void)state;
	assert_null(_xmalloc(16, 3));
	assert_true(harness_log_has("<1>xmalloc: alignment 3"));
	assert_null(_xmalloc(16, 2 * PAGE_SIZE));
	assert_null(_xmalloc(16, 24));
	assert_heap_empty();
}

/* Large allocations: whole pages, order from the size, page aligned, accounted. */
static void test_large_allocations(void **state)
{
	static const struct {
		size_t size, align, pages;
	} t[] = { { 2049, 8, 1 },    { 4096, 8, 1 },   { 4097, 8, 2 }, { 3 * PAGE_SIZE, 16, 4 },
		  { 100000, 8, 32 }, { 100, 4096, 1 }, { 1, 4096, 1 }, { 2048, 4096, 1 } };
	unsigned char *p[ARRAY_SIZE(t)];
	struct xmalloc_stats st;
	size_t bytes = 0, pages = 0;

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(t); i++) {
		p[i] = _xmalloc(t[i].size, t[i].align);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % PAGE_SIZE, 0);
		fill(p[i], t[i].size, i);
		bytes += t[i].size;
		pages += t[i].pages;
		xmalloc_get_stats(&st);
		assert_int_equal(st.large_allocs_in_use, i + 1);
		assert_int_equal(st.large_pages_in_use, pages);
		assert_int_equal(st.bytes_in_use, bytes);
		/* each large allocation keeps a 16-byte record */
		assert_int_equal(st.cls[0].in_use, i + 1);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(t); i++)
		check(p[i], t[i].size, i);
	for (unsigned int i = 0; i < ARRAY_SIZE(t); i++)
		xfree(p[i]);
	assert_heap_empty();
	assert_int_equal(harness_log[0], '\0');
	/* more than the largest block */
	assert_null(_xmalloc((PAGE_SIZE << MAX_ORDER) + 1, 8));
	assert_null(_xmalloc((size_t)-1, 8));
	assert_heap_empty();
}

/* A bad xfree is reported and changes nothing. */
static void bad_xfree(void *p, const char *expect)
{
	struct xmalloc_stats before, after;
	unsigned long pages = total_free_pages();

	xmalloc_get_stats(&before);
	harness_log_clear();
	xfree(p);
	if (!harness_log_has(expect) || !harness_log_has("<1>xfree("))
		fail_msg("xfree(%p): expected \"%s\", log: %s", p, expect, harness_log);
	xmalloc_get_stats(&after);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(total_free_pages(), pages);
}

static void test_bad_xfree_refused(void **state)
{
	unsigned char *a = _xmalloc(64, 8), *b = _xmalloc(64, 8), *c = _xmalloc(40, 8);
	unsigned char *big = _xmalloc(3 * PAGE_SIZE, 8), *gone, *slab;
	unsigned char *twok = _xmalloc(2048, 8);
	int local;
	mfn_t m;

	(void)state;
	fill(a, 64, 1);
	fill(b, 64, 2);
	fill(c, 40, 3);
	fill(big, 3 * PAGE_SIZE, 4);
	fill(twok, 2048, 5);

	bad_xfree(a + 1, "not the start of an object");
	bad_xfree(a + 32, "not the start of an object");
	bad_xfree(c + 16, "not the start of an object");
	slab = (unsigned char *)((uintptr_t)a & ~(PAGE_SIZE - 1));
	bad_xfree(slab, "points into a slab header");
	bad_xfree(slab + 8, "points into a slab header");
	bad_xfree(&local, "not a heap address");
	bad_xfree(ft, "not a heap address");
	bad_xfree(big + 100, "inside a large allocation");
	bad_xfree(big + PAGE_SIZE, "inside a large allocation");
	bad_xfree(big + 2 * PAGE_SIZE + 8, "inside a large allocation");
	bad_xfree(twok + 1024, "not the start of an object");

	/* a free slot of a live slab: double free, and a never-used slot */
	xfree(b);
	bad_xfree(b, "already free");
	bad_xfree(a + 64 * 10, "already free");

	/* pages that are not the heap's */
	m = alloc_pages(0, 0);
	bad_xfree(mfn_to_virt(m), "not in a page of the heap");
	bad_xfree((char *)mfn_to_virt(m) + 64, "not in a page of the heap");
	free_pages(m, 0);
	bad_xfree(mfn_to_virt(_mfn(1)), "not in a page of the heap"); /* free */

	/* memory handed back to the page allocator */
	gone = _xmalloc(700, 8);
	xfree(gone);
	bad_xfree(gone, "not in a page of the heap");
	xfree(big);
	bad_xfree(big, "not in a page of the heap");

	check(a, 64, 1);
	check(c, 40, 3);
	check(twok, 2048, 5);
	xfree(a);
	xfree(c);
	xfree(twok);
	assert_heap_empty();
}

static void test_xzalloc_zeroes(void **state)
{
	unsigned char *p, *q;
	uint64_t *arr;

	(void)state;
	p = _xmalloc(128, 8);
	memset(p, 0xff, 128);
	q = _xmalloc(128, 8); /* keeps the slab alive so the slot is reused dirty */
	xfree(p);
	p = _xzalloc(100, 8);
	for (unsigned int i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	xfree(p);
	xfree(q);

	p = _xmalloc(3 * PAGE_SIZE, 8);
	memset(p, 0xff, 3 * PAGE_SIZE);
	xfree(p);
	p = _xzalloc(3 * PAGE_SIZE, 8);
	for (size_t i = 0; i < 3 * PAGE_SIZE; i++)
		assert_int_equal(p[i], 0);
	xfree(p);

	arr = xzalloc_array(uint64_t, 300);
	assert_non_null(arr);
	assert_int_equal((uintptr_t)arr % __alignof__(uint64_t), 0);
	for (unsigned int i = 0; i < 300; i++)
		assert_int_equal(arr[i], 0);
	xfree(arr);
	assert_heap_empty();
}

static void test_array_overflow(void **state)
{
	uint32_t *a;

	(void)state;
	assert_null(_xmalloc_array((size_t)-1 / 2, 1, 3));
	assert_null(_xzalloc_array((size_t)1 << 40, 1, (size_t)1 << 40));
	assert_null(_xmalloc_array(8, 8, 0));
	a = xmalloc_array(uint32_t, 1000);
	assert_non_null(a);
	fill(a, 4000, 9);
	check(a, 4000, 9);
	xfree(a);
	assert_heap_empty();
}

struct aligned64 {
	char c;
	uint64_t v __aligned(64);
};

static void test_typed_macros(void **state)
{
	struct aligned64 *s = xmalloc(struct aligned64);
	struct aligned64 *z = xzalloc(struct aligned64);
	char *b = xmalloc_bytes(10);

	(void)state;
	assert_non_null(s);
	assert_int_equal((uintptr_t)s % 64, 0);
	assert_int_equal((uintptr_t)z % 64, 0);
	assert_int_equal(z->v, 0);
	assert_int_equal((uintptr_t)b % sizeof(void *), 0);
	xfree(s);
	xfree(z);
	xfree(b);
	assert_heap_empty();
}

/* Many objects over many slabs; every page goes back once they are all freed. */
static void test_pages_return(void **state)
{
	enum { N = 3000 };
	unsigned char *p[N];
	struct xmalloc_stats st;

	(void)state;
	rng = 77;
	for (unsigned int i = 0; i < N; i++) {
		p[i] = _xmalloc(40 + i % 25, 8);
		assert_non_null(p[i]);
	}
	xmalloc_get_stats(&st);
	assert_int_equal(st.cls[2].in_use, N);
	assert_true(st.cls[2].capacity >= N);
	assert_true(free_at_start - total_free_pages() >= N / 62);
	/* shuffle, free */
	for (unsigned int i = N - 1; i > 0; i--) {
		unsigned int j = (unsigned int)(rnd() % (i + 1));
		unsigned char *t = p[i];

		p[i] = p[j];
		p[j] = t;
	}
	for (unsigned int i = 0; i < N; i++) {
		xfree(p[i]);
		if (i == N / 2) {
			xmalloc_get_stats(&st);
			assert_int_equal(st.cls[2].in_use, N - N / 2 - 1);
		}
	}
	assert_heap_empty();
	assert_int_equal(harness_log[0], '\0');
}

static size_t random_size(void)
{
	unsigned int r = (unsigned int)(rnd() % 100);

	if (r < 70)
		return 1 + rnd() % 256;
	if (r < 95)
		return 257 + rnd() % (2048 - 256);
	return 2049 + rnd() % 20000;
}

static size_t random_align(void)
{
	unsigned int r = (unsigned int)(rnd() % 100);

	if (r < 80)
		return 1u << (rnd() % 4);
	return 1u << (rnd() % 13);
}

static void stress_free_one(struct alloc *live, size_t *n, size_t *bytes)
{
	size_t k = rnd() % *n;

	check(live[k].p, live[k].size, live[k].seed);
	xfree(live[k].p);
	*bytes -= live[k].size;
	live[k] = live[--*n];
}

/* Random allocations and frees against a shadow list: no overlap, exact stats, nothing leaked. */
static void test_random_stress(void **state)
{
	enum { MAX_LIVE = 2000, OPS = 30000 };
	struct alloc *live = calloc(MAX_LIVE, sizeof(*live));
	struct xmalloc_stats st;
	size_t n = 0, bytes = 0, large = 0;

	(void)state;
	assert_non_null(live);
	rng = 0xdeadbeefcafeULL;
	for (unsigned int op = 0; op < OPS; op++) {
		bool grow = n < MAX_LIVE && rnd() % 100 < (op < OPS / 2 ? 60 : 40);

		if (!grow && n) {
			stress_free_one(live, &n, &bytes);
		} else if (grow) {
			size_t size = random_size(), align = random_align();
			unsigned char *p = _xmalloc(size, align);

			if (!p)
				continue; /* out of memory is allowed; it must not corrupt */
			assert_int_equal((uintptr_t)p % align, 0);
			live[n].p = p;
			live[n].size = size;
			live[n].seed = rnd();
			fill(p, size, live[n].seed);
			bytes += size;
			n++;
		}
		xmalloc_get_stats(&st);
		assert_int_equal(st.bytes_in_use, bytes);
		if (op % 1000 == 0)
			check_all(live, n);
	}
	check_all(live, n);
	large = 0;
	for (size_t i = 0; i < n; i++)
		large += live[i].size > 2048;
	xmalloc_get_stats(&st);
	assert_true(st.large_allocs_in_use <= large); /* alignment > 2048 also goes large */
	while (n)
		stress_free_one(live, &n, &bytes);
	assert_heap_empty();
	assert_int_equal(harness_log[0], '\0');
	free(live);
}

/* Exhaust a small heap with every kind of request, then give everything back. */
static void test_out_of_memory(void **state)
{
	enum { MAX = 4000 };
	struct alloc *a = calloc(MAX, sizeof(*a));
	size_t n = 0, size = 2048;

	(void)state;
	assert_non_null(a);
	teardown(NULL);
	heap_init(64);
	for (;;) {
		unsigned char *p = _xmalloc(size, 8);

		if (!p) {
			if (size == 16)
				break;
			size /= 2; /* smaller objects may still fit in partial slabs */
			continue;
		}
		assert_true(n < MAX);
		a[n].p = p;
		a[n].size = size;
		a[n].seed = n;
		fill(p, size, n);
		n++;
	}
	assert_null(_xmalloc(5000, 8));
	assert_true(total_free_pages() < 4);
	check_all(a, n);
	while (n--)
		xfree(a[n].p);
	assert_heap_empty();
	assert_int_equal(harness_log[0], '\0');
	free(a);
}

static void test_dump(void **state)
{
	void *p = _xmalloc(50, 8), *q = _xmalloc(10000, 8);

	(void)state;
	xmalloc_dump();
	assert_true(harness_log_has("xmalloc: 10050 bytes requested in use\n"));
	assert_true(harness_log_has("    64-byte objects: 1 of 62 in use"));
	assert_true(harness_log_has("    16-byte objects: 1 of "));
	assert_true(harness_log_has("  2048-byte objects: 0 of 0 in use"));
	assert_true(harness_log_has("  large: 1 allocations in 4 pages\n"));
	xfree(p);
	xfree(q);
	assert_heap_empty();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_zero_size_and_null), T(test_stats_layout),      T(test_class_boundaries),
		T(test_every_size_filled),  T(test_alignment),	       T(test_bad_alignment_refused),
		T(test_large_allocations),  T(test_bad_xfree_refused), T(test_xzalloc_zeroes),
		T(test_array_overflow),	    T(test_typed_macros),      T(test_pages_return),
		T(test_random_stress),	    T(test_out_of_memory),     T(test_dump),
	};

	return cmocka_run_group_tests_name("xmalloc", tests, NULL, NULL);
}
