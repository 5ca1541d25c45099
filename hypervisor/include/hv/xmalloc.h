/*
 * The hypervisor heap (common/xmalloc.c): small allocations from per-size
 * pools carved out of hypervisor pages; large ones (over half a page) take
 * whole pages. Alignment up to PAGE_SIZE. Accounting per size class is
 * shown by the 'm' debug key.
 */
#ifndef HV_XMALLOC_H
#define HV_XMALLOC_H

#include <hv/types.h>

void *_xmalloc(size_t size, size_t align);
void *_xzalloc(size_t size, size_t align);
void xfree(void *p);

#define xmalloc(type) ((type *)_xmalloc(sizeof(type), __alignof__(type)))
#define xzalloc(type) ((type *)_xzalloc(sizeof(type), __alignof__(type)))
#define xmalloc_array(type, n) ((type *)_xmalloc_array(sizeof(type), __alignof__(type), (n)))
#define xzalloc_array(type, n) ((type *)_xzalloc_array(sizeof(type), __alignof__(type), (n)))
#define xmalloc_bytes(n) _xmalloc((n), sizeof(void *))
#define xzalloc_bytes(n) _xzalloc((n), sizeof(void *))
/* NULL on multiplication overflow. */
void *_xmalloc_array(size_t size, size_t align, size_t num);
void *_xzalloc_array(size_t size, size_t align, size_t num);

struct xmalloc_class_stats {
	size_t size;		/* class object size; 0 terminates the array */
	unsigned long in_use;	/* objects allocated */
	unsigned long capacity; /* objects the class's pages can hold */
	unsigned long allocs;	/* lifetime allocation count */
};
struct xmalloc_stats {
	struct xmalloc_class_stats cls[16];
	unsigned long large_allocs_in_use; /* page-sized allocations */
	unsigned long large_pages_in_use;
	unsigned long bytes_in_use; /* requested bytes currently allocated */
};
void xmalloc_get_stats(struct xmalloc_stats *st);
void xmalloc_dump(void);

#endif
