/*
 * Physical memory: the page (buddy) allocator in common/page_alloc.c.
 *
 * Every RAM frame has a struct page_info in the frame table. Free memory is
 * kept in power-of-two blocks ("orders") in per-zone free lists; the zone of
 * a frame is the number of significant bits of its mfn, so a caller can ask
 * for memory below an address limit (MEMF_bits). Allocations come from the
 * highest zone that can satisfy them, which keeps low memory for the callers
 * that need it.
 *
 * Lock order: heap_lock is a leaf.
 */
#ifndef HV_MM_H
#define HV_MM_H

#include <hv/types.h>
#include <asm/page.h> /* PAGE_SHIFT, PAGE_SIZE, mfn_to_virt(), virt_to_mfn() */

#define MAX_ORDER 20 /* largest block: 2^20 pages = 4 GiB */

struct page_info {
	uint32_t count_info; /* PGC_* flags */
	uint8_t order;	     /* order of the free block this page heads */
	uint8_t zone;
	/* allocated: holds the hypervisor (or a grant user) keeps on a domain
	 * page it uses in place; the page may not leave the domain while any
	 * is held (hv/domain.h: domain_hold_frame). Zero on allocation. */
	uint16_t holds;
	/* link in a free list while free; when allocated, the owner's (a
	 * domain's list of the pages it was given after it was built) */
	struct page_info *next, *prev;
	void *owner; /* allocated: who holds it (NULL = hypervisor) */
};

#define PGC_free 0x1u	  /* head of a free block */
#define PGC_reserved 0x2u /* not RAM or never given to the allocator */
#define PGC_xenheap 0x4u  /* hypervisor heap page */
#define PGC_listed 0x8u	  /* allocated: on its owner's page list (the owner's to set) */
/* bits 30 and 31 are the allocator's own (page_alloc.c: free body, in use) */

/* Allocation flags */
#define MEMF_bits(n) ((unsigned int)(n)&0xffu) /* whole block below 2^n bytes */
#define MEMF_zero 0x100u		       /* zero the memory */

/* Setup. The frame table must cover [0, max_mfn); every frame starts reserved. */
void page_alloc_init(struct page_info *frame_table, unsigned long max_mfn);
/* Give the frames [start, start + nr) to the allocator (RAM, unused). */
void page_alloc_add_range(mfn_t start, unsigned long nr);

mfn_t alloc_pages(unsigned int order, unsigned int memflags); /* INVALID_MFN on failure */
void free_pages(mfn_t mfn, unsigned int order);
/* Hypervisor-heap pages: returns the direct-map address, NULL on failure. */
void *alloc_xenheap_pages(unsigned int order, unsigned int memflags);
void free_xenheap_pages(void *va, unsigned int order);

struct page_info *mfn_to_page(mfn_t mfn); /* NULL outside the frame table */
mfn_t page_to_mfn(const struct page_info *pg);
bool mfn_valid(mfn_t mfn);
unsigned long page_alloc_max_mfn(void); /* frames covered: every mfn is below */

unsigned long total_free_pages(void);
unsigned long total_pages(void); /* every page ever given to the allocator */
/* Free blocks per order (array of MAX_ORDER + 1), for the 'm' debug key. */
void page_alloc_free_counts(unsigned long *per_order);
void page_alloc_dump(void);

#endif
