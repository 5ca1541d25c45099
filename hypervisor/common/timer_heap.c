/*
 * The timer heap: a binary min-heap of struct timer *, ordered by expires,
 * used by common/timer.c (one heap per CPU).
 *
 * Layout (hv/timer.h): entries are heap[1..size]; the children of heap[i] are
 * heap[2i] and heap[2i + 1]. heap[0] mirrors the entry count as a
 * pointer-sized integer. 'limit' is the capacity in entries, so the array
 * must have limit + 1 slots; an add to a heap holding 'limit' entries fails
 * with -XEN_ENOSPC and changes nothing, and the caller grows the array. A
 * heap with limit 0 may have heap == NULL.
 *
 * Each queued timer's heap_offset is its index in heap[], kept up to date on
 * every move, so removing any timer costs O(log n). A timer that is not in a
 * heap has heap_offset 0 once it has been removed.
 *
 * Lock order: none here. The caller holds the lock of the CPU that owns the
 * heap (see timer.c).
 */
#include <hv/console.h>
#include <hv/errno.h>
#include <hv/timer.h>

static void heap_put(struct timer_heap *h, unsigned int i, struct timer *t)
{
	h->heap[i] = t;
	t->heap_offset = i;
}

static void heap_set_size(struct timer_heap *h, unsigned int size)
{
	h->size = size;
	h->heap[0] = (struct timer *)(uintptr_t)size;
}

/* Move heap[i] towards the root until its parent expires no later. */
static void sift_up(struct timer_heap *h, unsigned int i)
{
	struct timer *t = h->heap[i];

	while (i > 1 && h->heap[i / 2]->expires > t->expires) {
		heap_put(h, i, h->heap[i / 2]);
		i /= 2;
	}
	heap_put(h, i, t);
}

/* Move heap[i] towards the leaves until no child expires earlier. */
static void sift_down(struct timer_heap *h, unsigned int i)
{
	struct timer *t = h->heap[i];

	for (;;) {
		unsigned int c = 2 * i;

		if (c > h->size)
			break;
		if (c < h->size && h->heap[c + 1]->expires < h->heap[c]->expires)
			c++;
		if (h->heap[c]->expires >= t->expires)
			break;
		heap_put(h, i, h->heap[c]);
		i = c;
	}
	heap_put(h, i, t);
}

/* Restore the order around heap[i] after its key (or occupant) changed. */
static void heap_fix(struct timer_heap *h, unsigned int i)
{
	if (i > 1 && h->heap[i / 2]->expires > h->heap[i]->expires)
		sift_up(h, i);
	else
		sift_down(h, i);
}

static bool in_heap(const struct timer_heap *h, const struct timer *t)
{
	return t->heap_offset >= 1 && t->heap_offset <= h->size && h->heap[t->heap_offset] == t;
}

int timer_heap_add(struct timer_heap *h, struct timer *t)
{
	if (in_heap(h, t)) {
		/* a caller bug; keep the heap ordered for the timer's current expiry */
		printk(LOG_ERR "timer_heap: timer %p added twice\n", (void *)t);
		heap_fix(h, t->heap_offset);
		return 0;
	}
	if (h->size >= h->limit)
		return -XEN_ENOSPC;
	heap_set_size(h, h->size + 1);
	heap_put(h, h->size, t);
	sift_up(h, h->size);
	return 0;
}

void timer_heap_remove(struct timer_heap *h, struct timer *t)
{
	unsigned int i = t->heap_offset;
	struct timer *last;

	if (!in_heap(h, t)) {
		printk(LOG_ERR "timer_heap: timer %p is not in the heap (offset %u)\n", (void *)t, i);
		return;
	}
	last = h->heap[h->size];
	h->heap[h->size] = NULL;
	heap_set_size(h, h->size - 1);
	t->heap_offset = 0;
	if (i > h->size)
		return; /* t was the last entry */
	heap_put(h, i, last);
	heap_fix(h, i);
}

struct timer *timer_heap_peek(const struct timer_heap *h)
{
	return h->size ? h->heap[1] : NULL;
}
