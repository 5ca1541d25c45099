/*
 * Unit tests for the buddy allocator (common/page_alloc.c), run on the host.
 *
 * Each test builds its own frame table (calloc) and, when it touches page
 * contents, a machine-memory arena (harness_mem_init). The allocator's
 * private page states are not visible here, so the tests judge it by what it
 * hands out, its counters and its messages.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include <hv/mm.h>

static struct page_info *ft;
static unsigned long ft_frames;

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void frames_init(unsigned long nr)
{
	ft = calloc(nr, sizeof(*ft));
	assert_non_null(ft);
	ft_frames = nr;
	page_alloc_init(ft, nr);
	harness_log_clear();
}

static int teardown(void **state)
{
	(void)state;
	free(ft);
	ft = NULL;
	harness_mem_fini();
	return 0;
}

static void counts(unsigned long *per_order)
{
	page_alloc_free_counts(per_order);
}

static void assert_counts_equal(const unsigned long *a, const unsigned long *b)
{
	for (unsigned int o = 0; o <= MAX_ORDER; o++)
		if (a[o] != b[o])
			fail_msg("order %u: %lu free blocks, expected %lu", o, a[o], b[o]);
}

static unsigned long fls_ul(unsigned long x)
{
	return x ? 64 - (unsigned long)__builtin_clzl(x) : 0;
}

/* A frame bitmap to prove nothing is handed out twice. */
struct frame_map {
	unsigned char *bits;
	unsigned long nr;
};

static void map_init(struct frame_map *m, unsigned long nr)
{
	m->bits = calloc(nr, 1);
	assert_non_null(m->bits);
	m->nr = nr;
}

static void map_claim(struct frame_map *m, unsigned long mfn, unsigned int order)
{
	assert_true(mfn + (1UL << order) <= m->nr);
	for (unsigned long i = 0; i < (1UL << order); i++) {
		if (m->bits[mfn + i])
			fail_msg("frame %#lx handed out twice (block %#lx order %u)", mfn + i, mfn, order);
		m->bits[mfn + i] = 1;
	}
}

static void map_release(struct frame_map *m, unsigned long mfn, unsigned int order)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		assert_true(m->bits[mfn + i]);
		m->bits[mfn + i] = 0;
	}
}

static void test_init_everything_reserved(void **state)
{
	unsigned long c[MAX_ORDER + 1], zero[MAX_ORDER + 1] = { 0 };

	(void)state;
	frames_init(64);
	assert_int_equal(total_pages(), 0);
	assert_int_equal(total_free_pages(), 0);
	counts(c);
	assert_counts_equal(c, zero);
	assert_true(mfn_eq(alloc_pages(0, 0), INVALID_MFN));
	for (unsigned long i = 0; i < 64; i++)
		assert_true(ft[i].count_info & PGC_reserved);
	assert_true(mfn_valid(_mfn(63)));
	assert_false(mfn_valid(_mfn(64)));
	assert_ptr_equal(mfn_to_page(_mfn(5)), &ft[5]);
	assert_int_equal(mfn_x(page_to_mfn(&ft[42])), 42);
	assert_null(mfn_to_page(_mfn(64)));
}

/* [0, 4096) splits by zone: mfn 0 alone, then [2^(z-1), 2^z) as one block. */
static void test_add_range_builds_zone_blocks(void **state)
{
	unsigned long c[MAX_ORDER + 1];

	(void)state;
	frames_init(4096);
	page_alloc_add_range(_mfn(0), 4096);
	assert_int_equal(total_pages(), 4096);
	assert_int_equal(total_free_pages(), 4096);
	counts(c);
	assert_int_equal(c[0], 2);
	for (unsigned int o = 1; o <= 11; o++)
		assert_int_equal(c[o], 1);
	for (unsigned int o = 12; o <= MAX_ORDER; o++)
		assert_int_equal(c[o], 0);
	/* block heads carry their order and zone */
	for (unsigned int z = 1; z <= 12; z++) {
		struct page_info *pg = &ft[1UL << (z - 1)];

		assert_true(pg->count_info & PGC_free);
		assert_int_equal(pg->order, z - 1);
		assert_int_equal(pg->zone, z);
	}
	assert_true(ft[0].count_info & PGC_free);
	assert_int_equal(ft[0].order, 0);
	assert_false(ft[3].count_info & PGC_free); /* inside [2, 4) */
	assert_int_equal(harness_log[0], '\0');
}

/* mfn 0 and mfn 1 are buddies in different zones: they must stay apart. */
static void test_mfn0_never_merges(void **state)
{
	unsigned long c[MAX_ORDER + 1];
	mfn_t a, b;

	(void)state;
	frames_init(16);
	page_alloc_add_range(_mfn(0), 2);
	counts(c);
	assert_int_equal(c[0], 2);
	assert_int_equal(c[1], 0);
	assert_true(mfn_eq(alloc_pages(1, 0), INVALID_MFN));
	a = alloc_pages(0, 0);
	b = alloc_pages(0, 0);
	assert_int_equal(mfn_x(a), 1); /* higher zone first */
	assert_int_equal(mfn_x(b), 0);
	free_pages(a, 0);
	free_pages(b, 0);
	counts(c);
	assert_int_equal(c[0], 2);
	assert_int_equal(c[1], 0);
}

static void test_alloc_every_order(void **state)
{
	const unsigned long base = 1UL << MAX_ORDER;
	unsigned long c[MAX_ORDER + 1], start[MAX_ORDER + 1];
	mfn_t got[MAX_ORDER + 1];
	struct frame_map map;

	(void)state;
	frames_init(2 * base);
	page_alloc_add_range(_mfn(base), base); /* exactly one MAX_ORDER block */
	counts(start);
	assert_int_equal(start[MAX_ORDER], 1);

	/* one at a time: each order comes out aligned and merges back */
	for (unsigned int o = 0; o <= MAX_ORDER; o++) {
		mfn_t m = alloc_pages(o, 0);

		assert_false(mfn_eq(m, INVALID_MFN));
		assert_true(mfn_x(m) >= base && mfn_x(m) + (1UL << o) <= 2 * base);
		assert_int_equal(mfn_x(m) & ((1UL << o) - 1), 0);
		assert_int_equal(total_free_pages(), base - (1UL << o));
		free_pages(m, o);
		counts(c);
		assert_counts_equal(c, start);
	}

	/* all orders below MAX_ORDER at once: 2^MAX_ORDER - 1 frames */
	map_init(&map, 2 * base);
	for (unsigned int o = MAX_ORDER; o-- > 0;) {
		got[o] = alloc_pages(o, 0);
		assert_false(mfn_eq(got[o], INVALID_MFN));
		assert_int_equal(mfn_x(got[o]) & ((1UL << o) - 1), 0);
		map_claim(&map, mfn_x(got[o]), o);
	}
	assert_int_equal(total_free_pages(), 1);
	assert_true(mfn_eq(alloc_pages(1, 0), INVALID_MFN));
	got[MAX_ORDER] = alloc_pages(0, 0);
	map_claim(&map, mfn_x(got[MAX_ORDER]), 0);
	assert_int_equal(total_free_pages(), 0);
	assert_true(mfn_eq(alloc_pages(0, 0), INVALID_MFN));
	for (unsigned int o = 0; o < MAX_ORDER; o++)
		free_pages(got[o], o);
	free_pages(got[MAX_ORDER], 0);
	counts(c);
	assert_counts_equal(c, start);
	free(map.bits);
}

static void test_order_above_max_fails(void **state)
{
	(void)state;
	frames_init(64);
	page_alloc_add_range(_mfn(1), 63);
	assert_true(mfn_eq(alloc_pages(MAX_ORDER + 1, 0), INVALID_MFN));
	assert_true(mfn_eq(alloc_pages(6, 0), INVALID_MFN)); /* 64 frames, none order 6 */
	assert_int_equal(total_free_pages(), 63);
}

static void test_highest_zone_first(void **state)
{
	(void)state;
	frames_init(1UL << 12);
	page_alloc_add_range(_mfn(1), (1UL << 12) - 1);
	for (unsigned int o = 0; o < 6; o++) {
		mfn_t m = alloc_pages(o, 0);

		assert_int_equal(fls_ul(mfn_x(m)), 12);
	}
}

/* MEMF_bits(n): the whole block below 2^n bytes; low zones fill before failing. */
static void test_memf_bits_limits(void **state)
{
	const unsigned long nr = 1UL << 14;
	struct frame_map map;
	unsigned long n_low = 0;
	mfn_t m;

	(void)state;
	frames_init(nr);
	page_alloc_add_range(_mfn(0), nr);
	map_init(&map, nr);

	assert_true(mfn_eq(alloc_pages(0, MEMF_bits(11)), INVALID_MFN)); /* no frame ends below 2 KiB */
	m = alloc_pages(0, MEMF_bits(12));
	assert_int_equal(mfn_x(m), 0); /* only mfn 0 ends at 4 KiB */
	map_claim(&map, 0, 0);
	assert_true(mfn_eq(alloc_pages(0, MEMF_bits(12)), INVALID_MFN));
	assert_true(mfn_eq(alloc_pages(1, MEMF_bits(13)), INVALID_MFN)); /* [0, 2) would need mfn 0 */

	/* every order, every limit: the block lies below the limit */
	for (unsigned int bits = 13; bits <= 26; bits++) {
		for (unsigned int o = 0; o < bits - 12 && o < 8; o++) {
			m = alloc_pages(o, MEMF_bits(bits));
			if (mfn_eq(m, INVALID_MFN))
				continue;
			assert_true((mfn_x(m) + (1UL << o)) << 12 <= 1UL << bits);
			map_claim(&map, mfn_x(m), o);
			free_pages(m, o);
			map_release(&map, mfn_x(m), o);
		}
	}

	/* drain everything below 1 MiB (frames 1..255): exactly 255 order-0 frames */
	while (!mfn_eq(m = alloc_pages(0, MEMF_bits(20)), INVALID_MFN)) {
		assert_true(mfn_x(m) < 256);
		map_claim(&map, mfn_x(m), 0);
		n_low++;
	}
	assert_int_equal(n_low, 255);
	assert_int_equal(total_free_pages(), nr - 256);
	/* memory above the limit is still there */
	m = alloc_pages(4, 0);
	assert_true(mfn_x(m) >= 256);
	m = alloc_pages(4, MEMF_bits(21));
	assert_true(mfn_x(m) >= 256 && mfn_x(m) + 16 <= 512);
	free(map.bits);
}

static void test_memf_bits_huge_means_no_limit(void **state)
{
	(void)state;
	frames_init(1UL << 10);
	page_alloc_add_range(_mfn(1), (1UL << 10) - 1);
	assert_int_equal(fls_ul(mfn_x(alloc_pages(0, MEMF_bits(64)))), 10);
	assert_int_equal(fls_ul(mfn_x(alloc_pages(0, MEMF_bits(255)))), 10);
}

/* Allocate until exhaustion with random orders: no frame twice, every frame once. */
static void test_exhaust_no_double_handout(void **state)
{
	const unsigned long nr = 8192;
	unsigned long start[MAX_ORDER + 1], c[MAX_ORDER + 1], handed = 0, nblocks = 0;
	struct {
		unsigned long mfn;
		unsigned int order;
	} *blocks = calloc(nr, sizeof(*blocks));
	struct frame_map map;

	(void)state;
	assert_non_null(blocks);
	rng = 0x1234567;
	frames_init(nr);
	page_alloc_add_range(_mfn(1), 1000);
	page_alloc_add_range(_mfn(1003), 3000);
	page_alloc_add_range(_mfn(4100), nr - 4100);
	counts(start);
	map_init(&map, nr);
	for (;;) {
		unsigned int o = (unsigned int)(rnd() % 7);
		mfn_t m = alloc_pages(o, 0);

		if (mfn_eq(m, INVALID_MFN)) {
			o = 0;
			m = alloc_pages(0, 0);
			if (mfn_eq(m, INVALID_MFN))
				break;
		}
		map_claim(&map, mfn_x(m), o);
		blocks[nblocks].mfn = mfn_x(m);
		blocks[nblocks++].order = o;
		handed += 1UL << o;
	}
	assert_int_equal(handed, total_pages());
	assert_int_equal(total_free_pages(), 0);
	/* exactly the frames given, none from the holes */
	for (unsigned long i = 0; i < nr; i++) {
		bool ram = (i >= 1 && i < 1001) || (i >= 1003 && i < 4003) || i >= 4100;

		assert_int_equal(map.bits[i], ram);
	}
	/* free in a shuffled order */
	for (unsigned long i = nblocks; i > 1; i--) {
		unsigned long j = rnd() % i, mfn = blocks[i - 1].mfn;
		unsigned int o = blocks[i - 1].order;

		blocks[i - 1] = blocks[j];
		blocks[j].mfn = mfn;
		blocks[j].order = o;
	}
	for (unsigned long i = 0; i < nblocks; i++)
		free_pages(_mfn(blocks[i].mfn), blocks[i].order);
	counts(c);
	assert_counts_equal(c, start);
	assert_int_equal(total_free_pages(), total_pages());
	assert_int_equal(harness_log[0], '\0');
	free(blocks);
	free(map.bits);
}

struct live {
	unsigned long mfn;
	unsigned int order;
};

static void random_free_one(struct live *live, unsigned long *nlive, struct frame_map *map, unsigned long *used)
{
	unsigned long k = rnd() % *nlive;

	free_pages(_mfn(live[k].mfn), live[k].order);
	map_release(map, live[k].mfn, live[k].order);
	*used -= 1UL << live[k].order;
	live[k] = live[--*nlive];
}

/* Thousands of random allocations and frees: counters stay exact, merging restores the start. */
static void test_random_alloc_free(void **state)
{
	const unsigned long nr = 1UL << 14;
	unsigned long start[MAX_ORDER + 1], c[MAX_ORDER + 1], nlive = 0, used = 0;
	struct live *live = calloc(nr, sizeof(*live));
	struct frame_map map;

	(void)state;
	assert_non_null(live);
	for (uint64_t seed = 1; seed <= 3; seed++) {
		rng = 0x9e3779b97f4a7c15ULL * seed;
		frames_init(nr);
		page_alloc_add_range(_mfn(3), 5000);
		page_alloc_add_range(_mfn(5011), nr - 5011 - 7);
		counts(start);
		map_init(&map, nr);
		for (unsigned int op = 0; op < 20000; op++) {
			if (nlive && rnd() % 100 < 45) {
				random_free_one(live, &nlive, &map, &used);
			} else {
				unsigned int o = (unsigned int)(rnd() % 100 < 80 ? rnd() % 3 : rnd() % 9);
				unsigned int bits = rnd() % 4 ? 0 : 12 + 1 + (unsigned int)(rnd() % 14);
				mfn_t m = alloc_pages(o, MEMF_bits(bits));

				if (mfn_eq(m, INVALID_MFN))
					continue;
				assert_int_equal(mfn_x(m) & ((1UL << o) - 1), 0);
				if (bits)
					assert_true((mfn_x(m) + (1UL << o)) << 12 <= 1UL << bits);
				map_claim(&map, mfn_x(m), o);
				live[nlive].mfn = mfn_x(m);
				live[nlive++].order = o;
				used += 1UL << o;
			}
			assert_int_equal(total_free_pages() + used, total_pages());
		}
		while (nlive)
			random_free_one(live, &nlive, &map, &used);
		counts(c);
		assert_counts_equal(c, start);
		assert_int_equal(total_free_pages(), total_pages());
		assert_int_equal(harness_log[0], '\0');
		free(map.bits);
		free(ft);
		ft = NULL;
	}
	free(live);
}

/* Odd, unaligned ranges with holes: exactly those frames, and the same blocks whichever way they arrive. */
static void test_ranges_with_holes(void **state)
{
	static const unsigned long r[][2] = { { 3, 10 }, { 13, 100 }, { 101, 777 }, { 1000, 1001 }, { 1023, 1537 } };
	unsigned long start[MAX_ORDER + 1], c[MAX_ORDER + 1], expect = 0, got = 0;
	struct frame_map map;
	mfn_t m;

	(void)state;
	frames_init(2048);
	for (unsigned int i = 0; i < ARRAY_SIZE(r); i++) {
		page_alloc_add_range(_mfn(r[i][0]), r[i][1] - r[i][0]);
		expect += r[i][1] - r[i][0];
	}
	assert_int_equal(total_pages(), expect);
	assert_int_equal(total_free_pages(), expect);
	counts(start);
	/* [3,10) = 3 + [4,8) + [8,10): orders 0, 2, 1 */
	assert_true(ft[3].count_info & PGC_free);
	assert_int_equal(ft[3].order, 0);
	assert_int_equal(ft[4].order, 2);
	assert_int_equal(ft[8].order, 1);

	map_init(&map, 2048);
	while (!mfn_eq(m = alloc_pages(0, 0), INVALID_MFN)) {
		map_claim(&map, mfn_x(m), 0);
		got++;
	}
	assert_int_equal(got, expect);
	for (unsigned int i = 0; i < ARRAY_SIZE(r); i++)
		for (unsigned long f = r[i][0]; f < r[i][1]; f++)
			map.bits[f] = 0;
	for (unsigned long f = 0; f < 2048; f++)
		assert_int_equal(map.bits[f], 0); /* nothing from a hole */
	for (unsigned int i = 0; i < ARRAY_SIZE(r); i++)
		for (unsigned long f = r[i][1]; f-- > r[i][0];)
			free_pages(_mfn(f), 0);
	counts(c);
	assert_counts_equal(c, start);
	free(map.bits);
	free(ft);

	/* the same frames given in pieces merge into the same blocks */
	frames_init(2048);
	for (unsigned int i = 0; i < ARRAY_SIZE(r); i++)
		for (unsigned long f = r[i][0]; f < r[i][1]; f += 5)
			page_alloc_add_range(_mfn(f), MIN(5UL, r[i][1] - f));
	counts(c);
	assert_counts_equal(c, start);
	assert_int_equal(total_pages(), expect);
}

static void test_adjacent_ranges_merge(void **state)
{
	unsigned long c[MAX_ORDER + 1];

	(void)state;
	frames_init(1UL << 12);
	page_alloc_add_range(_mfn(2048), 5);
	page_alloc_add_range(_mfn(2053), 1000);
	page_alloc_add_range(_mfn(3053), 4096 - 3053);
	counts(c);
	assert_int_equal(c[11], 1); /* [2048, 4096) is one block again */
	assert_int_equal(total_free_pages(), 2048);
	assert_int_equal(mfn_x(alloc_pages(11, 0)), 2048);
}

/* A refused free leaves every counter and block as it was. */
static void bad_free(mfn_t m, unsigned int order, const char *expect)
{
	unsigned long before[MAX_ORDER + 1], after[MAX_ORDER + 1], free_before = total_free_pages();

	counts(before);
	harness_log_clear();
	free_pages(m, order);
	if (!harness_log_has(expect) || !harness_log_has("<1>page_alloc: free_pages("))
		fail_msg("free_pages(%#lx, %u): expected \"%s\", log: %s", mfn_x(m), order, expect, harness_log);
	counts(after);
	assert_counts_equal(after, before);
	assert_int_equal(total_free_pages(), free_before);
}

static void test_bad_frees_refused(void **state)
{
	unsigned long start[MAX_ORDER + 1], c[MAX_ORDER + 1], n = 0;
	mfn_t a, b, low[501];

	(void)state;
	frames_init(1000);
	page_alloc_add_range(_mfn(1), 500);
	page_alloc_add_range(_mfn(600), 400);
	counts(start);

	bad_free(_mfn(700), 0, "already free"); /* never allocated */
	bad_free(_mfn(640), 3, "already free"); /* inside a free block */
	bad_free(_mfn(1000), 0, "outside RAM"); /* beyond the frame table */
	bad_free(_mfn(~0UL), 0, "outside RAM");
	bad_free(_mfn(992), 4, "outside RAM"); /* runs past the end */
	bad_free(_mfn(550), 0, "outside RAM"); /* a hole */
	bad_free(_mfn(0), 0, "outside RAM");   /* mfn 0 was never given */
	bad_free(_mfn(5), MAX_ORDER + 1, "order above MAX_ORDER");

	a = alloc_pages(2, 0);
	bad_free(mfn_add(a, 1), 2, "misaligned");
	bad_free(mfn_add(a, 2), 2, "misaligned");
	free_pages(a, 2);
	bad_free(a, 2, "already free"); /* double free */

	/* a block that is half allocated, half free: nothing is freed */
	a = alloc_pages(1, 0);
	free_pages(mfn_add(a, 1), 0);
	bad_free(a, 1, "already free");
	b = alloc_pages(0, 0);
	assert_int_equal(mfn_x(b), mfn_x(a) + 1); /* the free half, taken back */
	free_pages(a, 1);
	counts(c);
	assert_counts_equal(c, start);

	/* a block spanning allocated frames and a hole: frame 501 is not RAM */
	while (!mfn_eq(low[n] = alloc_pages(0, MEMF_bits(12 + 9)), INVALID_MFN))
		n++;
	assert_int_equal(n, 500);
	bad_free(_mfn(500), 2, "frame 0x1f5 outside RAM");
	while (n)
		free_pages(low[--n], 0);
	counts(c);
	assert_counts_equal(c, start);
	assert_int_equal(total_free_pages(), 900);
}

/* Freeing an allocated block piecewise is allowed and merges back. */
static void test_partial_frees_merge(void **state)
{
	unsigned long start[MAX_ORDER + 1], c[MAX_ORDER + 1];
	mfn_t m;

	(void)state;
	frames_init(256);
	page_alloc_add_range(_mfn(128), 128);
	counts(start);
	m = alloc_pages(3, 0);
	free_pages(mfn_add(m, 4), 2);
	free_pages(mfn_add(m, 1), 0);
	free_pages(mfn_add(m, 2), 1);
	assert_int_equal(total_free_pages(), 127);
	free_pages(m, 0);
	counts(c);
	assert_counts_equal(c, start);
	assert_int_equal(harness_log[0], '\0');
}

static void test_memf_zero(void **state)
{
	unsigned char *p;
	mfn_t m;

	(void)state;
	harness_mem_init(64 * PAGE_SIZE);
	frames_init(64);
	page_alloc_add_range(_mfn(32), 32);
	m = alloc_pages(5, 0);
	memset(mfn_to_virt(m), 0xa5, 32 * PAGE_SIZE);
	free_pages(m, 5);
	m = alloc_pages(3, MEMF_zero);
	p = mfn_to_virt(m);
	for (size_t i = 0; i < 8 * PAGE_SIZE; i++)
		if (p[i])
			fail_msg("byte %zu of a MEMF_zero block is %#x", i, p[i]);
	/* the rest was not zeroed: MEMF_zero only touches what it hands out */
	free_pages(m, 3);
	m = alloc_pages(5, 0);
	p = mfn_to_virt(m);
	assert_int_equal(p[16 * PAGE_SIZE], 0xa5);
}

static void test_xenheap_pages(void **state)
{
	unsigned long start[MAX_ORDER + 1], c[MAX_ORDER + 1];
	unsigned char *va;
	mfn_t m, d;

	(void)state;
	harness_mem_init(64 * PAGE_SIZE);
	frames_init(64);
	page_alloc_add_range(_mfn(16), 48);
	counts(start);
	va = alloc_xenheap_pages(2, MEMF_zero);
	assert_non_null(va);
	m = virt_to_mfn(va);
	assert_ptr_equal(va, mfn_to_virt(m));
	assert_int_equal(mfn_x(m) & 3, 0);
	for (unsigned int i = 0; i < 4; i++)
		assert_true(ft[mfn_x(m) + i].count_info & PGC_xenheap);
	for (size_t i = 0; i < 4 * PAGE_SIZE; i++)
		assert_int_equal(va[i], 0);
	memset(va, 0x5a, 4 * PAGE_SIZE);

	harness_log_clear();
	free_xenheap_pages(va + 8, 2);
	assert_true(harness_log_has("not page aligned"));
	d = alloc_pages(0, 0); /* a domheap page is not a xenheap page */
	harness_log_clear();
	free_xenheap_pages(mfn_to_virt(d), 0);
	assert_true(harness_log_has("not a xenheap page"));
	free_pages(d, 0);

	harness_log_clear();
	free_xenheap_pages(NULL, 0);
	assert_int_equal(harness_log[0], '\0');
	free_xenheap_pages(va, 2);
	assert_int_equal(harness_log[0], '\0');
	for (unsigned int i = 0; i < 4; i++)
		assert_false(ft[mfn_x(m) + i].count_info & PGC_xenheap);
	counts(c);
	assert_counts_equal(c, start);
	free_xenheap_pages(va, 2);
	assert_true(harness_log_has("already free"));
	assert_null(alloc_xenheap_pages(6, 0));
}

static void test_add_range_conflicts(void **state)
{
	unsigned long start[MAX_ORDER + 1], c[MAX_ORDER + 1];

	(void)state;
	frames_init(100);
	page_alloc_add_range(_mfn(10), 10);
	counts(start);
	page_alloc_add_range(_mfn(15), 15); /* overlaps [15, 20) */
	assert_true(harness_log_has("already belongs to the allocator"));
	assert_int_equal(total_pages(), 10);
	counts(c);
	assert_counts_equal(c, start);

	harness_log_clear();
	page_alloc_add_range(_mfn(90), 20); /* 10 frames beyond the table */
	assert_true(harness_log_has("beyond the frame table"));
	assert_int_equal(total_pages(), 20);
	assert_int_equal(total_free_pages(), 20);
	harness_log_clear();
	page_alloc_add_range(_mfn(200), 5);
	assert_true(harness_log_has("beyond the frame table"));
	page_alloc_add_range(_mfn(~0UL - 1), 5); /* wraps */
	assert_int_equal(total_pages(), 20);
	page_alloc_add_range(_mfn(50), 0);
	assert_int_equal(total_pages(), 20);
}

static void test_dump(void **state)
{
	(void)state;
	frames_init(4096);
	page_alloc_add_range(_mfn(1), 4095);
	alloc_pages(0, 0);
	harness_log_clear();
	page_alloc_dump();
	assert_true(harness_log_has("Page allocator: 4094 of 4095 pages free"));
	assert_true(harness_log_has("zone  1 mfn [0x1, 0x2): 1 pages free; order:blocks 0:1\n"));
	assert_true(harness_log_has("zone 12 mfn [0x800, 0x1000): 2047 pages free; order:blocks 0:1 1:1 2:1 3:1 4:1 "
				    "5:1 6:1 7:1 8:1 9:1 10:1\n"));
	assert_false(harness_log_has("zone  0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_init_everything_reserved, teardown),
		cmocka_unit_test_teardown(test_add_range_builds_zone_blocks, teardown),
		cmocka_unit_test_teardown(test_mfn0_never_merges, teardown),
		cmocka_unit_test_teardown(test_alloc_every_order, teardown),
		cmocka_unit_test_teardown(test_order_above_max_fails, teardown),
		cmocka_unit_test_teardown(test_highest_zone_first, teardown),
		cmocka_unit_test_teardown(test_memf_bits_limits, teardown),
		cmocka_unit_test_teardown(test_memf_bits_huge_means_no_limit, teardown),
		cmocka_unit_test_teardown(test_exhaust_no_double_handout, teardown),
		cmocka_unit_test_teardown(test_random_alloc_free, teardown),
		cmocka_unit_test_teardown(test_ranges_with_holes, teardown),
		cmocka_unit_test_teardown(test_adjacent_ranges_merge, teardown),
		cmocka_unit_test_teardown(test_bad_frees_refused, teardown),
		cmocka_unit_test_teardown(test_partial_frees_merge, teardown),
		cmocka_unit_test_teardown(test_memf_zero, teardown),
		cmocka_unit_test_teardown(test_xenheap_pages, teardown),
		cmocka_unit_test_teardown(test_add_range_conflicts, teardown),
		cmocka_unit_test_teardown(test_dump, teardown),
	};

	return cmocka_run_group_tests_name("page_alloc", tests, NULL, NULL);
}
