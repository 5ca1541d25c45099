/*
 * sort(): an in-place heap sort for the hypervisor's small tables (memory
 * map entries, ACPI tables, option lists). Heap sort needs no recursion and
 * no allocation and is O(n log n) in the worst case, which matters more here
 * than the stability or average speed a merge or quick sort would give.
 */
#include <hv/lib.h>

typedef int (*cmp_fn)(const void *, const void *);
typedef void (*swap_fn)(void *, void *, size_t);

/* The fallback when the caller has no faster swap for its element type. */
static void swap_bytes(void *a, void *b, size_t size)
{
	unsigned char *x = a, *y = b;

	for (; size; size--, x++, y++) {
		unsigned char t = *x;

		*x = *y;
		*y = t;
	}
}

/*
 * Move element 'root' down until it is no smaller than its children, within
 * the heap of the first 'n' elements. The root < n / 2 test is exactly "has a
 * left child" and keeps 2 * root + 1 from overflowing.
 */
static void sift_down(char *base, size_t root, size_t n, size_t size, cmp_fn cmp, swap_fn swap)
{
	while (root < n / 2) {
		size_t child = 2 * root + 1;

		if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + root * size, base + child * size) >= 0)
			return;
		swap(base + root * size, base + child * size, size);
		root = child;
	}
}

void sort(void *base, size_t num, size_t size, int (*cmp)(const void *, const void *),
	  void (*swap)(void *, void *, size_t size))
{
	char *b = base;

	if (num < 2 || size == 0)
		return;
	if (!swap)
		swap = swap_bytes;

	/* Build a max-heap, then repeatedly move its top to the end. */
	for (size_t i = num / 2; i-- > 0;)
		sift_down(b, i, num, size, cmp, swap);
	for (size_t end = num - 1; end > 0; end--) {
		swap(b, b + end * size, size);
		sift_down(b, 0, end, size, cmp, swap);
	}
}
