/*
 * The hypervisor heap: _xmalloc() and xfree().
 *
 * Small requests (size and alignment up to 2048 bytes) are served from eight
 * size classes, the powers of two from 16 to 2048 bytes; a request takes the
 * smallest class that covers both its size and its alignment. Each class
 * carves objects out of slabs: naturally aligned blocks of hypervisor pages
 * (alloc_xenheap_pages) that hold objects of that class only. A slab is one
 * page for classes up to 512 bytes and 2 or 4 pages for 1024 and 2048, so
 * that the slab header costs at most one object slot in eight.
 *
 * The slab header (struct xslab) sits at the start of the slab's first page:
 * a free bitmap (one bit per object: the per-object free marker xfree checks)
 * and the requested size of each live object (for bytes_in_use). Objects
 * start at the header's size rounded up to the class size, so every object is
 * aligned to its class size. Every page of a slab has page_info->owner
 * pointing at its class descriptor, which gives the slab order and thus the
 * header (round the mfn down to the slab order). A slab goes back to the page
 * allocator as soon as its last object is freed.
 *
 * Larger requests (or alignment above 2048, up to PAGE_SIZE) take 2^order
 * whole pages. The requested size lives in a small record (struct xlarge,
 * itself a 16-byte object, so it shows in that class's statistics) and every
 * page's owner points at that record; the order follows from the size.
 *
 * xfree() checks its argument before touching anything: a pointer that is
 * not the start of a live object or large allocation is reported with
 * LOG_ERR and ignored.
 *
 * Lock order: xmalloc_lock -> heap_lock (the page allocator's, a leaf).
 * xmalloc_lock protects the class descriptors, every slab header, the large
 * records and the statistics. Nothing is printed while it is held.
 */
#include <hv/console.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/spinlock.h>
#include <hv/xmalloc.h>

#define XM_MIN_SHIFT 4
#define XM_MAX_SHIFT 11
#define NR_CLASSES (XM_MAX_SHIFT - XM_MIN_SHIFT + 1)
#define XM_MAX_SMALL (1u << XM_MAX_SHIFT)
#define SLAB_MIN_SLOTS 8			  /* slab size >= 8 objects of its class */
#define SLAB_MAX_OBJS (PAGE_SIZE >> XM_MIN_SHIFT) /* 256 */
#define SLAB_MAP_LONGS (SLAB_MAX_OBJS / 64)
#define XSLAB_MAGIC 0x736c6162u /* "slab" */
#define XM_MAX_LARGE (PAGE_SIZE << MAX_ORDER)

struct xslab {
	uint32_t magic;
	uint16_t nfree;
	uint8_t cls;
	struct xslab *next, *prev;	       /* class's partial list */
	unsigned long freemap[SLAB_MAP_LONGS]; /* bit set: object free */
	/* requested size of each object: size - 1 as one byte for classes up to
	 * 256 bytes, as two bytes (little endian) above */
	unsigned char req[];
};

struct xclass {
	unsigned int size;     /* object size */
	unsigned int order;    /* slab: 2^order pages */
	unsigned int nobj;     /* objects per slab */
	unsigned int first;    /* offset of object 0 in the slab */
	unsigned int width;    /* bytes per requested-size entry */
	struct xslab *partial; /* slabs with a free object */
	unsigned long slabs, in_use, allocs;
};

/* A large allocation: 2^order pages at va, order from bytes. */
struct xlarge {
	void *va;
	size_t bytes;
};

static DEFINE_SPINLOCK(xmalloc_lock);
static struct xclass classes[NR_CLASSES];
static bool classes_ready;
static unsigned long large_allocs, large_pages, bytes_in_use;

static unsigned int fls_long(unsigned long x)
{
	return x ? 64 - (unsigned int)__builtin_clzl(x) : 0;
}

/* The class for an object of n bytes, 1 <= n <= XM_MAX_SMALL. */
static unsigned int size_class(size_t n)
{
	return n <= (1u << XM_MIN_SHIFT) ? 0 : fls_long(n - 1) - XM_MIN_SHIFT;
}

/* Smallest order with 2^order pages >= bytes. */
static unsigned int pages_order(size_t bytes)
{
	unsigned long pages = DIV_ROUND_UP(bytes, PAGE_SIZE);

	return pages <= 1 ? 0 : fls_long(pages - 1);
}

#define XLARGE_CLASS 0
BUILD_BUG_ON(sizeof(struct xlarge) > (1u << XM_MIN_SHIFT));

static unsigned int slab_header_bytes(const struct xclass *c, unsigned int nobj)
{
	return (unsigned int)offsetof(struct xslab, req) + nobj * c->width;
}

/* Fit as many objects as the slab holds after its header. */
static void classes_setup_locked(void)
{
	for (unsigned int i = 0; i < NR_CLASSES; i++) {
		struct xclass *c = &classes[i];
		unsigned int n, bytes;

		c->size = 1u << (i + XM_MIN_SHIFT);
		c->width = c->size <= 256 ? 1 : 2;
		for (c->order = 0; (PAGE_SIZE << c->order) < SLAB_MIN_SLOTS * c->size; c->order++)
			;
		bytes = (unsigned int)(PAGE_SIZE << c->order);
		for (n = MIN(bytes / c->size, (unsigned int)SLAB_MAX_OBJS); n; n--)
			if (ROUNDUP(slab_header_bytes(c, n), c->size) + n * c->size <= bytes)
				break;
		c->nobj = n;
		c->first = ROUNDUP(slab_header_bytes(c, n), c->size);
	}
	classes_ready = true;
}

static size_t req_get(const struct xslab *s, const struct xclass *c, unsigned int i)
{
	if (c->width == 1)
		return (size_t)s->req[i] + 1;
	return (size_t)s->req[2 * i] | (size_t)s->req[2 * i + 1] << 8;
}

static void req_set(struct xslab *s, const struct xclass *c, unsigned int i, size_t n)
{
	if (c->width == 1) {
		s->req[i] = (unsigned char)(n - 1);
	} else {
		s->req[2 * i] = (unsigned char)n;
		s->req[2 * i + 1] = (unsigned char)(n >> 8);
	}
}

static bool obj_is_free(const struct xslab *s, unsigned int i)
{
	return (s->freemap[i / 64] >> (i % 64)) & 1;
}

static void partial_add(struct xclass *c, struct xslab *s)
{
	s->prev = NULL;
	s->next = c->partial;
	if (c->partial)
		c->partial->prev = s;
	c->partial = s;
}

static void partial_del(struct xclass *c, struct xslab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		c->partial = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

/* Tag each page of the block at va (2^order pages) with its owner. */
static void set_owner(void *va, unsigned int order, void *owner)
{
	mfn_t mfn = virt_to_mfn(va);

	for (unsigned long i = 0; i < (1UL << order); i++)
		mfn_to_page(mfn_add(mfn, i))->owner = owner;
}

static struct xslab *slab_new_locked(struct xclass *c)
{
	struct xslab *s = alloc_xenheap_pages(c->order, 0);

	if (!s)
		return NULL;
	set_owner(s, c->order, c);
	memset(s, 0, c->first);
	s->magic = XSLAB_MAGIC;
	s->cls = (uint8_t)(c - classes);
	s->nfree = (uint16_t)c->nobj;
	for (unsigned int i = 0; i < c->nobj; i++)
		s->freemap[i / 64] |= 1UL << (i % 64);
	partial_add(c, s);
	c->slabs++;
	return s;
}

static void slab_release_locked(struct xclass *c, struct xslab *s)
{
	partial_del(c, s);
	s->magic = 0;
	set_owner(s, c->order, NULL);
	free_xenheap_pages(s, c->order);
	c->slabs--;
}

static void *slab_alloc_locked(unsigned int cls, size_t size)
{
	struct xclass *c = &classes[cls];
	struct xslab *s = c->partial ? c->partial : slab_new_locked(c);
	unsigned int i, w;

	if (!s)
		return NULL;
	for (w = 0; !s->freemap[w]; w++)
		; /* on the partial list: a free object exists */
	i = w * 64 + (unsigned int)__builtin_ctzl(s->freemap[w]);
	s->freemap[w] &= ~(1UL << (i % 64));
	req_set(s, c, i, size);
	if (!--s->nfree)
		partial_del(c, s);
	c->in_use++;
	c->allocs++;
	return (char *)s + c->first + (size_t)i * c->size;
}

/* Free object i of slab s; returns its requested size. */
static size_t slab_free_locked(struct xclass *c, struct xslab *s, unsigned int i)
{
	size_t size = req_get(s, c, i);

	s->freemap[i / 64] |= 1UL << (i % 64);
	c->in_use--;
	if (s->nfree++ == 0)
		partial_add(c, s);
	if (s->nfree == c->nobj)
		slab_release_locked(c, s);
	return size;
}

static struct xclass *owner_class(const void *owner)
{
	for (unsigned int i = 0; i < NR_CLASSES; i++)
		if (owner == &classes[i])
			return &classes[i];
	return NULL;
}

/*
 * p lies in a page owned by class c: find its slab and object index. NULL
 * (with *why) unless p is the start of a live object.
 */
static struct xslab *slab_object(const void *p, struct xclass *c, unsigned int *idx, const char **why)
{
	unsigned long base = mfn_x(virt_to_mfn(p)) & ~((1UL << c->order) - 1);
	struct xslab *s = mfn_to_virt(_mfn(base));
	size_t off = (size_t)((const char *)p - (const char *)s);

	if (s->magic != XSLAB_MAGIC || s->cls != c - classes) {
		*why = "slab header corrupted";
		return NULL;
	}
	if (off < c->first) {
		*why = "points into a slab header";
		return NULL;
	}
	if ((off - c->first) % c->size) {
		*why = "not the start of an object";
		return NULL;
	}
	*idx = (unsigned int)((off - c->first) / c->size);
	if (*idx >= c->nobj) {
		*why = "past the last object of a slab";
		return NULL;
	}
	if (obj_is_free(s, *idx)) {
		*why = "object already free (double free?)";
		return NULL;
	}
	return s;
}

/* The large record 'owner', if it is one: a live 16-byte object that owns its va's page. */
static struct xlarge *large_record(void *owner)
{
	struct page_info *pg = mfn_valid(virt_to_mfn(owner)) ? mfn_to_page(virt_to_mfn(owner)) : NULL;
	struct xlarge *rec = owner;
	const char *why;
	unsigned int i;

	if (!pg || pg->owner != &classes[XLARGE_CLASS] || !slab_object(owner, &classes[XLARGE_CLASS], &i, &why))
		return NULL;
	if (!mfn_valid(virt_to_mfn(rec->va)) || mfn_to_page(virt_to_mfn(rec->va))->owner != rec)
		return NULL;
	return rec;
}

/* Free the record of a large allocation (a live object of XLARGE_CLASS). */
static void record_free_locked(struct xlarge *rec)
{
	struct xslab *s;
	const char *why;
	unsigned int i;

	s = slab_object(rec, &classes[XLARGE_CLASS], &i, &why);
	slab_free_locked(&classes[XLARGE_CLASS], s, i);
}

static void *large_alloc_locked(size_t size)
{
	unsigned int order = pages_order(size);
	struct xlarge *rec = slab_alloc_locked(XLARGE_CLASS, sizeof(*rec));
	void *va;

	if (!rec)
		return NULL;
	va = alloc_xenheap_pages(order, 0);
	if (!va) {
		record_free_locked(rec);
		return NULL;
	}
	rec->va = va;
	rec->bytes = size;
	set_owner(va, order, rec);
	large_allocs++;
	large_pages += 1UL << order;
	return va;
}

static void large_free_locked(struct xlarge *rec)
{
	unsigned int order = pages_order(rec->bytes);

	set_owner(rec->va, order, NULL);
	free_xenheap_pages(rec->va, order);
	large_allocs--;
	large_pages -= 1UL << order;
	bytes_in_use -= rec->bytes;
	rec->va = NULL;
	record_free_locked(rec);
}

void *_xmalloc(size_t size, size_t align)
{
	unsigned long flags;
	void *p;

	if (!size)
		return NULL;
	if (!align)
		align = 1;
	if ((align & (align - 1)) || align > PAGE_SIZE) {
		printk(LOG_ERR "xmalloc: alignment %zu is not a power of two up to %lu\n", align, PAGE_SIZE);
		return NULL;
	}
	if (size > XM_MAX_LARGE)
		return NULL;
	flags = spin_lock_irqsave(&xmalloc_lock);
	if (!classes_ready)
		classes_setup_locked();
	if (size > XM_MAX_SMALL || align > XM_MAX_SMALL)
		p = large_alloc_locked(size);
	else
		p = slab_alloc_locked(size_class(MAX(size, align)), size);
	if (p)
		bytes_in_use += size;
	spin_unlock_irqrestore(&xmalloc_lock, flags);
	return p;
}

void *_xzalloc(size_t size, size_t align)
{
	void *p = _xmalloc(size, align);

	if (p)
		memset(p, 0, size);
	return p;
}

void *_xmalloc_array(size_t size, size_t align, size_t num)
{
	if (num && size > (size_t)-1 / num)
		return NULL;
	return _xmalloc(size * num, align);
}

void *_xzalloc_array(size_t size, size_t align, size_t num)
{
	if (num && size > (size_t)-1 / num)
		return NULL;
	return _xzalloc(size * num, align);
}

static const char *small_free_locked(void *p, struct xclass *c)
{
	const char *why;
	unsigned int i;
	struct xslab *s = slab_object(p, c, &i, &why);

	if (!s)
		return why;
	bytes_in_use -= slab_free_locked(c, s, i);
	return NULL;
}

/* Free p, or say why it is not something xmalloc handed out. */
static const char *xfree_locked(void *p)
{
	mfn_t mfn = virt_to_mfn(p);
	struct page_info *pg;
	struct xclass *c;
	struct xlarge *rec;

	if (!mfn_valid(mfn))
		return "not a heap address";
	pg = mfn_to_page(mfn);
	c = owner_class(pg->owner);
	if (c)
		return small_free_locked(p, c);
	rec = pg->owner ? large_record(pg->owner) : NULL;
	if (!rec)
		return "not in a page of the heap";
	if (rec->va != p)
		return "inside a large allocation, not at its start";
	large_free_locked(rec);
	return NULL;
}

void xfree(void *p)
{
	unsigned long flags;
	const char *why;

	if (!p)
		return;
	flags = spin_lock_irqsave(&xmalloc_lock);
	why = classes_ready ? xfree_locked(p) : "nothing allocated yet";
	spin_unlock_irqrestore(&xmalloc_lock, flags);
	if (why)
		printk(LOG_ERR "xfree(%p) ignored: %s\n", p, why);
}

void xmalloc_get_stats(struct xmalloc_stats *st)
{
	unsigned long flags;

	memset(st, 0, sizeof(*st));
	BUILD_BUG_ON(NR_CLASSES >= ARRAY_SIZE(st->cls)); /* room for the terminator */
	flags = spin_lock_irqsave(&xmalloc_lock);
	if (!classes_ready)
		classes_setup_locked();
	for (unsigned int i = 0; i < NR_CLASSES; i++) {
		st->cls[i].size = classes[i].size;
		st->cls[i].in_use = classes[i].in_use;
		st->cls[i].capacity = classes[i].slabs * classes[i].nobj;
		st->cls[i].allocs = classes[i].allocs;
	}
	st->large_allocs_in_use = large_allocs;
	st->large_pages_in_use = large_pages;
	st->bytes_in_use = bytes_in_use;
	spin_unlock_irqrestore(&xmalloc_lock, flags);
}

void xmalloc_dump(void)
{
	struct xmalloc_stats st;

	xmalloc_get_stats(&st);
	printk("xmalloc: %lu bytes requested in use\n", st.bytes_in_use);
	for (unsigned int i = 0; st.cls[i].size; i++)
		printk("  %4zu-byte objects: %lu of %lu in use, %lu allocated since boot\n", st.cls[i].size,
		       st.cls[i].in_use, st.cls[i].capacity, st.cls[i].allocs);
	printk("  large: %lu allocations in %lu pages\n", st.large_allocs_in_use, st.large_pages_in_use);
}
