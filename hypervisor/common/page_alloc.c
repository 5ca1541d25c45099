/*
 * The page allocator: a binary buddy allocator over the frame table.
 *
 * Free memory is held as naturally aligned power-of-two blocks of frames
 * ("orders" 0..MAX_ORDER), on one doubly linked free list per (zone, order).
 * The zone of a block is fls() of its first mfn: zone 0 is mfn 0 alone and
 * zone z >= 1 holds the frames [2^(z-1), 2^z). Allocations search from the
 * highest zone a caller's MEMF_bits allows downwards, so low memory is left
 * for callers that need it.
 *
 * Zones and merging. A free block never spans two zones. Merging a block with
 * its buddy stays inside one zone except in one case: the block
 * [2^k, 2^(k+1)) (zone k+1) and its buddy [0, 2^k) (zone 0). The merged block
 * would start at mfn 0 and so land in zone 0 while covering frames up to
 * 2^(k+1): an order-0 request would then carve high memory out of "zone 0",
 * and the highest-zone-first policy would hand out the lowest frames first.
 * So buddies merge only when they are in the same zone, which refuses exactly
 * that case; mfn 0 stays an order-0 block of its own and every other merge
 * yields the block a single-zone allocator would have built. (Zones above
 * MAX_ORDER + 1 simply hold several MAX_ORDER blocks.) Within a zone the
 * smallest sufficient block is split, keeping its low part.
 *
 * Page states, in count_info. Every frame is in exactly one state:
 *   PGC_reserved   not RAM, or never given to the allocator;
 *   PGC_free       head of a free block (order, zone and list links valid);
 *   PGC_free_body  any other frame of a free block (private to this file);
 *   PGC_inuse      allocated (private to this file), plus PGC_xenheap for
 *                  alloc_xenheap_pages() memory.
 * Every frame of a block changes state on allocation and on free, so
 * free_pages() can check each frame it is given (as Xen does): freeing a
 * frame that is free, reserved or outside the frame table is refused with a
 * message and changes nothing. Freeing part of an allocated block (for example
 * the two halves of an order-1 block one by one) is allowed.
 *
 * Lock order: heap_lock is a leaf. It protects the free lists, the counters
 * and the state of every frame; nothing else is taken while it is held and
 * nothing is printed under it (messages are printed after unlocking).
 */
#include <hv/console.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/spinlock.h>

/* Private page states (see above); must not collide with the public PGC_*. */
#define PGC_free_body 0x40000000u
#define PGC_inuse 0x80000000u
BUILD_BUG_ON((PGC_free_body | PGC_inuse) & (PGC_free | PGC_reserved | PGC_xenheap));

/* x86-64 physical addresses have at most 52 bits: mfns below 2^40. */
#define MAX_MFN_BITS (52 - PAGE_SHIFT)
#define NR_ZONES (MAX_MFN_BITS + 1)

static DEFINE_SPINLOCK(heap_lock);
static struct page_info *frame_table;
static unsigned long max_mfn; /* frames covered by the frame table */
static struct page_info *free_list[NR_ZONES][MAX_ORDER + 1];
static unsigned long free_blocks[NR_ZONES][MAX_ORDER + 1];
static unsigned long zone_free_pages[NR_ZONES];
static unsigned long nr_free_pages; /* sum of zone_free_pages[] */
static unsigned long nr_ram_pages;  /* every frame ever given to us */

static unsigned int mfn_zone(unsigned long mfn)
{
	return mfn ? 64 - (unsigned int)__builtin_clzl(mfn) : 0;
}

/* Zone z >= 1 spans 2^(z-1) frames, so it holds blocks of order z-1 at most. */
static unsigned int zone_max_order(unsigned int zone)
{
	return zone ? MIN(zone - 1, (unsigned int)MAX_ORDER) : 0;
}

static void free_block_insert(struct page_info *pg, unsigned int zone, unsigned int order)
{
	struct page_info **head = &free_list[zone][order];

	pg->count_info = PGC_free;
	pg->order = (uint8_t)order;
	pg->zone = (uint8_t)zone;
	pg->owner = NULL;
	pg->prev = NULL;
	pg->next = *head;
	if (*head)
		(*head)->prev = pg;
	*head = pg;
	free_blocks[zone][order]++;
	zone_free_pages[zone] += 1UL << order;
	nr_free_pages += 1UL << order;
}

/* Take a free block off its list; its head becomes an ordinary free frame. */
static void free_block_remove(struct page_info *pg)
{
	unsigned int zone = pg->zone, order = pg->order;

	if (pg->prev)
		pg->prev->next = pg->next;
	else
		free_list[zone][order] = pg->next;
	if (pg->next)
		pg->next->prev = pg->prev;
	pg->next = pg->prev = NULL;
	pg->count_info = PGC_free_body;
	free_blocks[zone][order]--;
	zone_free_pages[zone] -= 1UL << order;
	nr_free_pages -= 1UL << order;
}

/* Free [mfn, mfn + 2^order) without checks, merging with free buddies. */
static void free_block_locked(unsigned long mfn, unsigned int order)
{
	unsigned int zone = mfn_zone(mfn);

	for (unsigned long i = 0; i < (1UL << order); i++) {
		frame_table[mfn + i].count_info = PGC_free_body;
		frame_table[mfn + i].owner = NULL;
		frame_table[mfn + i].holds = 0;
	}
	while (order < MAX_ORDER) {
		unsigned long buddy = mfn ^ (1UL << order);
		struct page_info *bp;

		if (buddy >= max_mfn)
			break;
		bp = &frame_table[buddy];
		/* a free head of the same order is exactly the buddy block */
		if (!(bp->count_info & PGC_free) || bp->order != order || mfn_zone(buddy) != zone)
			break;
		free_block_remove(bp);
		mfn &= ~(1UL << order);
		order++;
	}
	free_block_insert(&frame_table[mfn], zone, order);
}

static void mark_inuse(unsigned long mfn, unsigned int order, uint32_t extra)
{
	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct page_info *pg = &frame_table[mfn + i];

		pg->count_info = PGC_inuse | extra;
		pg->owner = NULL;
		pg->holds = 0;
		pg->next = pg->prev = NULL;
	}
}

/* Find the smallest free block of at least 'order' in the highest zone up to max_zone. */
static struct page_info *find_block_locked(unsigned int order, unsigned int max_zone)
{
	for (unsigned int zone = max_zone + 1; zone-- > 0;) {
		if (zone_free_pages[zone] < (1UL << order))
			continue;
		for (unsigned int j = order; j <= zone_max_order(zone); j++)
			if (free_list[zone][j])
				return free_list[zone][j];
	}
	return NULL;
}

static unsigned long alloc_block_locked(unsigned int order, unsigned int max_zone, uint32_t extra)
{
	struct page_info *pg = find_block_locked(order, max_zone);
	unsigned long mfn;
	unsigned int j;

	if (!pg)
		return mfn_x(INVALID_MFN);
	j = pg->order;
	free_block_remove(pg);
	mfn = (unsigned long)(pg - frame_table);
	/* keep the low part; each upper half goes back as a block of its own */
	while (j > order) {
		unsigned long half = mfn + (1UL << --j);

		free_block_insert(&frame_table[half], mfn_zone(half), j);
	}
	mark_inuse(mfn, order, extra);
	return mfn;
}

static mfn_t alloc_common(unsigned int order, unsigned int memflags, uint32_t extra)
{
	unsigned int bits = MEMF_bits(memflags), max_zone = NR_ZONES - 1;
	unsigned long flags, mfn;

	if (order > MAX_ORDER)
		return INVALID_MFN;
	if (bits) {
		/* MEMF_bits(n): every frame below 2^n bytes, i.e. zones up to n - PAGE_SHIFT */
		if (bits < PAGE_SHIFT)
			return INVALID_MFN;
		max_zone = MIN(bits - PAGE_SHIFT, max_zone);
	}
	flags = spin_lock_irqsave(&heap_lock);
	mfn = alloc_block_locked(order, max_zone, extra);
	spin_unlock_irqrestore(&heap_lock, flags);
	if (mfn == mfn_x(INVALID_MFN))
		return INVALID_MFN;
	/* the pages are ours now: zero them without holding the lock */
	if (memflags & MEMF_zero)
		memset(mfn_to_virt(_mfn(mfn)), 0, PAGE_SIZE << order);
	return _mfn(mfn);
}

mfn_t alloc_pages(unsigned int order, unsigned int memflags)
{
	return alloc_common(order, memflags, 0);
}

void *alloc_xenheap_pages(unsigned int order, unsigned int memflags)
{
	mfn_t mfn = alloc_common(order, memflags, PGC_xenheap);

	return mfn_eq(mfn, INVALID_MFN) ? NULL : mfn_to_virt(mfn);
}

/*
 * Why [mfn, mfn + 2^order) cannot be freed, or NULL if it can. *bad is the
 * offending frame.
 */
static const char *free_check_locked(unsigned long mfn, unsigned int order, bool xenheap, unsigned long *bad)
{
	*bad = mfn;
	if (order > MAX_ORDER)
		return "order above MAX_ORDER";
	if (mfn & ((1UL << order) - 1))
		return "misaligned for its order";
	if (mfn >= max_mfn || (1UL << order) > max_mfn - mfn)
		return "outside RAM (beyond the frame table)";
	for (unsigned long i = 0; i < (1UL << order); i++) {
		uint32_t c = frame_table[mfn + i].count_info;

		*bad = mfn + i;
		if (c & PGC_reserved)
			return "outside RAM (frame not given to the allocator)";
		if (c & (PGC_free | PGC_free_body))
			return "already free";
		if (!(c & PGC_inuse))
			return "not allocated";
		if (xenheap && !(c & PGC_xenheap))
			return "not a xenheap page";
	}
	return NULL;
}

static void free_common(const char *fn, unsigned long mfn, unsigned int order, bool xenheap)
{
	const char *why;
	unsigned long flags, bad;

	flags = spin_lock_irqsave(&heap_lock);
	why = free_check_locked(mfn, order, xenheap, &bad);
	if (!why)
		free_block_locked(mfn, order);
	spin_unlock_irqrestore(&heap_lock, flags);
	if (why)
		printk(LOG_ERR "page_alloc: %s(mfn %#lx, order %u) refused: frame %#lx %s\n", fn, mfn, order, bad, why);
}

void free_pages(mfn_t mfn, unsigned int order)
{
	free_common("free_pages", mfn_x(mfn), order, false);
}

void free_xenheap_pages(void *va, unsigned int order)
{
	if (!va)
		return;
	if ((uintptr_t)va & (PAGE_SIZE - 1)) {
		printk(LOG_ERR "page_alloc: free_xenheap_pages(%p, order %u) refused: not page aligned\n", va, order);
		return;
	}
	free_common("free_xenheap_pages", mfn_x(virt_to_mfn(va)), order, true);
}

void page_alloc_init(struct page_info *ft, unsigned long nr_frames)
{
	if (nr_frames > (1UL << MAX_MFN_BITS)) {
		printk(LOG_WARN "page_alloc: frame table of %#lx frames cut to the %u-bit physical limit\n", nr_frames,
		       MAX_MFN_BITS + PAGE_SHIFT);
		nr_frames = 1UL << MAX_MFN_BITS;
	}
	spin_lock_init(&heap_lock);
	frame_table = ft;
	max_mfn = nr_frames;
	memset(free_list, 0, sizeof(free_list));
	memset(free_blocks, 0, sizeof(free_blocks));
	memset(zone_free_pages, 0, sizeof(zone_free_pages));
	nr_free_pages = nr_ram_pages = 0;
	for (unsigned long i = 0; i < nr_frames; i++)
		ft[i] = (struct page_info){ .count_info = PGC_reserved };
}

/* The largest aligned block starting at mfn that fits in nr frames. */
static unsigned int add_order(unsigned long mfn, unsigned long nr)
{
	unsigned int order;

	if (!mfn)
		return 0; /* mfn 0 is a zone of its own */
	order = MIN((unsigned int)__builtin_ctzl(mfn), (unsigned int)MAX_ORDER);
	while ((1UL << order) > nr)
		order--;
	return order;
}

void page_alloc_add_range(mfn_t start, unsigned long nr)
{
	unsigned long s = mfn_x(start), e = s + nr, flags, clipped = 0, busy = 0;
	bool conflict = false;

	if (e < s) /* wrapped */
		e = ~0UL;
	flags = spin_lock_irqsave(&heap_lock);
	if (e > max_mfn) {
		clipped = e - MAX(s, max_mfn);
		e = MAX(s, max_mfn);
	}
	/* all or nothing: a frame we already manage means the caller is confused */
	for (unsigned long m = s; m < e && !conflict; m++)
		if (!(frame_table[m].count_info & PGC_reserved))
			conflict = true, busy = m;
	if (!conflict) {
		nr_ram_pages += e - s;
		for (unsigned long m = s; m < e;) {
			unsigned int order = add_order(m, e - m);

			free_block_locked(m, order);
			m += 1UL << order;
		}
	}
	spin_unlock_irqrestore(&heap_lock, flags);
	if (clipped)
		printk(LOG_WARN
		       "page_alloc: %lu frames from mfn %#lx lie beyond the frame table (%#lx frames); ignored\n",
		       clipped, MAX(s, max_mfn), max_mfn);
	if (conflict)
		printk(LOG_ERR "page_alloc: range mfn %#lx+%#lx refused: frame %#lx already belongs to the allocator\n",
		       s, nr, busy);
}

bool mfn_valid(mfn_t mfn)
{
	return mfn_x(mfn) < max_mfn;
}

unsigned long page_alloc_max_mfn(void)
{
	return max_mfn;
}

/* NULL for a frame outside the frame table. */
struct page_info *mfn_to_page(mfn_t mfn)
{
	return mfn_valid(mfn) ? &frame_table[mfn_x(mfn)] : NULL;
}

mfn_t page_to_mfn(const struct page_info *pg)
{
	return _mfn((unsigned long)(pg - frame_table));
}

unsigned long total_free_pages(void)
{
	return READ_ONCE(nr_free_pages);
}

unsigned long total_pages(void)
{
	return READ_ONCE(nr_ram_pages);
}

void page_alloc_free_counts(unsigned long *per_order)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);

	for (unsigned int order = 0; order <= MAX_ORDER; order++) {
		per_order[order] = 0;
		for (unsigned int zone = 0; zone < NR_ZONES; zone++)
			per_order[order] += free_blocks[zone][order];
	}
	spin_unlock_irqrestore(&heap_lock, flags);
}

/* Append to a line buffer, never past its end. */
static size_t line_add(char *buf, size_t size, size_t len, const char *fmt, ...) __printf(4, 5);
static size_t line_add(char *buf, size_t size, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (len >= size - 1)
		return len;
	va_start(ap, fmt);
	n = vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
	return n < 0 ? len : MIN(len + (size_t)n, size - 1);
}

/* One line per zone with free memory: "order:blocks" for each order present. */
void page_alloc_dump(void)
{
	char line[320];

	printk("Page allocator: %lu of %lu pages free\n", total_free_pages(), total_pages());
	for (unsigned int zone = 0; zone < NR_ZONES; zone++) {
		unsigned long counts[MAX_ORDER + 1], pages, flags;
		size_t len;

		/* per-zone snapshot: the dump need not be atomic across zones */
		flags = spin_lock_irqsave(&heap_lock);
		pages = zone_free_pages[zone];
		memcpy(counts, free_blocks[zone], sizeof(counts));
		spin_unlock_irqrestore(&heap_lock, flags);
		if (!pages)
			continue;
		len = line_add(line, sizeof(line), 0, "  zone %2u mfn [%#lx, %#lx): %lu pages free; order:blocks", zone,
			       zone ? 1UL << (zone - 1) : 0, 1UL << zone, pages);
		for (unsigned int order = 0; order <= MAX_ORDER; order++)
			if (counts[order])
				len = line_add(line, sizeof(line), len, " %u:%lu", order, counts[order]);
		printk("%s\n", line);
	}
}
