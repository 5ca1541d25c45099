/*
 * A domain's memory: the pages it owns, from the builder's allocation to
 * its death, through ballooning (memory_op, common/reservation.c).
 *
 * Ownership. Every RAM page a domain owns has page_info->owner == d, set
 * when the page is given to it and cleared (by the allocator) when it goes
 * back. Pages are given in two ways and tracked so that death frees each
 * owned page exactly once:
 *   - the builder's allocation: large chunks (struct dom_chunk, up to 1 GiB
 *     each). A page given back from a chunk leaves a hole in it (counted in
 *     the chunk's given_back); the chunk itself stays on the list.
 *   - pages given later (populate_physmap, increase_reservation): each page
 *     on the domain's page list (page_info next/prev, PGC_listed), taken off
 *     when given back.
 * At death the page list is freed first, then each chunk: whole if it has
 * no holes, otherwise the parts still owned by d (a page given back and then
 * given again lies in a chunk's range but is on the list, already freed by
 * then, so it no longer has d as owner). tot_pages counts the owned pages.
 *
 * Holds. A page the hypervisor keeps using in place (a vcpu_info, FIFO
 * event pages), is copying to or from for the guest right now (hvm.c's
 * guest-memory copies), or that another domain uses through a grant (mapped
 * or being copied) has holds > 0 and cannot be given back (Xen keeps such a page
 * alive with its reference count until the last user lets go; Basalt
 * refuses to give it back instead). Taking a hold and giving a page back
 * race without a common lock: the holder increments holds and then checks
 * that the page is still mapped where it found it; the giver unmaps the page
 * and then checks holds (a full fence in between on both sides). Either the
 * holder sees the page gone, or the giver sees the hold and maps it back.
 *
 * Lock order: d->lock (the page list, tot_pages, the chunks' given_back,
 * owner changes of d's pages) -> p2m lock -> heap_lock.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/xmalloc.h>
#include <asm/hvm.h>
#include <asm/p2m.h>

/* Guest-physical layout: RAM from 0 up to the 4 GiB hole, the rest above 4 GiB. */
#define LOWMEM_END_PFN 0xf0000UL /* 3.75 GiB: above it, the LAPIC and friends */
#define HIGHMEM_START_PFN 0x100000UL
#define HOLDS_MAX 0xfff0u /* page_info.holds is 16 bits */

static void set_owner(struct domain *d, mfn_t mfn, unsigned int order)
{
	for (unsigned long i = 0; i < (1UL << order); i++)
		mfn_to_page(_mfn(mfn_x(mfn) + i))->owner = d;
}

static int add_chunk(struct domain *d, mfn_t mfn, unsigned int order)
{
	struct dom_chunk *c = xzalloc(struct dom_chunk);

	if (!c)
		return -XEN_ENOMEM;
	c->mfn = mfn;
	c->order = order;
	set_owner(d, mfn, order);
	spin_lock(&d->lock);
	c->next = d->chunks;
	d->chunks = c;
	d->tot_pages += 1UL << order;
	spin_unlock(&d->lock);
	return 0;
}

/* Is mfn the domain's own memory (RAM it owns, or its shared_info page),
 * not a frame of another domain that a grant mapping put in its physmap? */
bool domain_owns_frame(const struct domain *d, mfn_t mfn)
{
	const struct page_info *pg = mfn_to_page(mfn);

	if (d->shared_info && mfn_eq(mfn, virt_to_mfn(d->shared_info)))
		return true;
	return pg && READ_ONCE(pg->owner) == d;
}

/*
 * Allocate and map 'pages' of RAM: from gfn 0 up to the hole below 4 GiB,
 * the rest from 4 GiB. Chunks are taken largest first (up to 1 GiB), so the
 * gfn cursor stays aligned to every chunk and the p2m can use large pages.
 * Memory is zeroed: it may hold a previous domain's data.
 */
int domain_alloc_memory(struct domain *d, unsigned long pages)
{
	unsigned long gfn = 0, left = pages;

	while (left) {
		unsigned int order = 18;
		unsigned long room = gfn < LOWMEM_END_PFN ? LOWMEM_END_PFN - gfn : ~0UL;
		mfn_t mfn;
		int rc;

		while ((1UL << order) > left || (1UL << order) > room || (gfn & ((1UL << order) - 1)))
			order--;
		for (;;) {
			mfn = alloc_pages(order, MEMF_zero);
			if (!mfn_eq(mfn, INVALID_MFN) || order == 0)
				break;
			order--;
		}
		if (mfn_eq(mfn, INVALID_MFN))
			return -XEN_ENOMEM;
		rc = add_chunk(d, mfn, order);
		if (rc) {
			free_pages(mfn, order);
			return rc;
		}
		rc = p2m_map(d, _gfn(gfn), mfn, order, P2M_RWX);
		if (rc)
			return rc; /* the chunk is the domain's: freed with it */
		d->arch.max_gfn = gfn + (1UL << order) - 1;
		gfn += 1UL << order;
		left -= 1UL << order;
		if (gfn == LOWMEM_END_PFN)
			gfn = HIGHMEM_START_PFN;
	}
	d->max_pages = pages;
	d->arch.guest_ram_bytes = (uint64_t)pages << PAGE_SHIFT;
	return 0;
}

/* ------------------------------------------------------------ the page list */

static void list_add_locked(struct domain *d, struct page_info *pg)
{
	pg->count_info |= PGC_listed;
	pg->prev = NULL;
	pg->next = d->page_list;
	if (d->page_list)
		d->page_list->prev = pg;
	d->page_list = pg;
}

static void list_del_locked(struct domain *d, struct page_info *pg)
{
	if (pg->prev)
		pg->prev->next = pg->next;
	else
		d->page_list = pg->next;
	if (pg->next)
		pg->next->prev = pg->prev;
	pg->next = pg->prev = NULL;
	pg->count_info &= ~PGC_listed;
}

int domain_assign_pages_locked(struct domain *d, mfn_t mfn, unsigned int order)
{
	unsigned long n = 1UL << order;

	if (d->tot_pages + n > d->max_pages || d->tot_pages + n < d->tot_pages)
		return -XEN_ENOMEM;
	for (unsigned long i = 0; i < n; i++) {
		struct page_info *pg = mfn_to_page(_mfn(mfn_x(mfn) + i));

		pg->owner = d;
		list_add_locked(d, pg);
	}
	d->tot_pages += n;
	return 0;
}

/* The page leaves d (the caller frees it). */
static void unassign_page_locked(struct domain *d, mfn_t mfn)
{
	struct page_info *pg = mfn_to_page(mfn);

	if (pg->count_info & PGC_listed) {
		list_del_locked(d, pg);
	} else {
		for (struct dom_chunk *c = d->chunks; c; c = c->next)
			if (mfn_x(mfn) - mfn_x(c->mfn) < (1UL << c->order)) {
				c->given_back++;
				break;
			}
	}
	pg->owner = NULL;
	d->tot_pages--;
}

void domain_unassign_pages_locked(struct domain *d, mfn_t mfn, unsigned int order)
{
	for (unsigned long i = 0; i < (1UL << order); i++)
		unassign_page_locked(d, _mfn(mfn_x(mfn) + i));
}

/* ------------------------------------------------------------ holds */

bool domain_hold_mapped(struct domain *d, gfn_t gfn, mfn_t mfn)
{
	struct page_info *pg = mfn_to_page(mfn);
	uint16_t n;

	if (!pg)
		return false;
	/* a guest can ask for many holds on one page (one per grant entry):
	 * refuse more than the counter holds rather than wrap it */
	n = __atomic_load_n(&pg->holds, __ATOMIC_SEQ_CST);
	do {
		if (n >= HOLDS_MAX)
			return false;
	} while (!__atomic_compare_exchange_n(&pg->holds, &n, (uint16_t)(n + 1), false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	if (mfn_eq(p2m_lookup(d, gfn, NULL), mfn))
		return true;
	domain_release_frame(mfn);
	return false;
}

bool domain_hold_frame(struct domain *d, gfn_t gfn, mfn_t mfn)
{
	if (!domain_hold_mapped(d, gfn, mfn))
		return false;
	if (domain_owns_frame(d, mfn))
		return true;
	domain_release_frame(mfn);
	return false;
}

void domain_release_frame(mfn_t mfn)
{
	struct page_info *pg = mfn_to_page(mfn);

	if (pg)
		__atomic_sub_fetch(&pg->holds, 1, __ATOMIC_SEQ_CST);
}

static bool held(mfn_t mfn)
{
	return __atomic_load_n(&mfn_to_page(mfn)->holds, __ATOMIC_SEQ_CST) != 0;
}

/* ------------------------------------------------------------ giving back */

/* Is the entry at gfn a RAM mapping of d's own page (not a grant mapping,
 * even of its own page, not shared_info or a grant-table frame)? The p2m
 * has no type field: RAM is what is mapped executable, every other kind of
 * entry is mapped without X. */
bool domain_ram_at(struct domain *d, gfn_t gfn, mfn_t *mfn)
{
	unsigned int access = 0;

	*mfn = p2m_lookup(d, gfn, &access);
	return !mfn_eq(*mfn, INVALID_MFN) && (access & P2M_X) && mfn_valid(*mfn) && mfn_to_page(*mfn)->owner == d;
}

/* Why the frame at gfn cannot go back to the allocator: 0 or -XEN_Exxx. */
static int give_back_check(struct domain *d, gfn_t gfn, mfn_t *mfn)
{
	if (!domain_ram_at(d, gfn, mfn))
		/* nothing there (Xen: "page number invalid"), or a grant mapping,
		 * shared_info, a grant-table frame (Xen: "bad page free") */
		return mfn_eq(*mfn, INVALID_MFN) ? -XEN_EINVAL : -XEN_ENXIO;
	if (held(*mfn))
		return -XEN_EBUSY;
	return 0;
}

/*
 * Give the 2^order frames at gfn back to the allocator. Each must be d's own
 * RAM, mapped, and not held: all are checked before any goes. Only a hold
 * taken meanwhile (see above) can stop it half-way (-XEN_EBUSY, the pages
 * before it gone). d->lock held.
 */
int domain_give_back_locked(struct domain *d, gfn_t gfn, unsigned int order)
{
	unsigned long n = 1UL << order;
	uint64_t g = gfn_x(gfn);
	mfn_t mfn;
	int rc;

	for (unsigned long j = 0; j < n; j++) {
		rc = give_back_check(d, _gfn(g + j), &mfn);
		if (rc)
			return rc;
	}
	for (unsigned long j = 0; j < n; j++) {
		mfn = p2m_lookup(d, _gfn(g + j), NULL);
		rc = p2m_unmap(d, _gfn(g + j), 0); /* flushes the guest TLBs */
		if (rc)
			return rc;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (held(mfn)) { /* a holder came in between: it keeps the page */
			p2m_map(d, _gfn(g + j), mfn, 0, P2M_RWX);
			return -XEN_EBUSY;
		}
		unassign_page_locked(d, mfn);
		free_pages(mfn, 0);
	}
	return 0;
}

/* ------------------------------------------------------------ death */

/* Free the parts of [mfn, mfn + 2^order) that d still owns, in blocks as
 * large as possible. */
static void free_owned(struct domain *d, unsigned long mfn, unsigned int order)
{
	unsigned long n = 1UL << order, owned = 0;

	for (unsigned long i = 0; i < n; i++)
		owned += mfn_to_page(_mfn(mfn + i))->owner == d;
	if (owned == n) {
		free_pages(_mfn(mfn), order);
	} else if (owned) {
		free_owned(d, mfn, order - 1);
		free_owned(d, mfn + n / 2, order - 1);
	}
}

/* Every page d owns goes back, once (d is dead: nothing else changes its
 * pages now). */
void domain_free_memory(struct domain *d)
{
	while (d->page_list) {
		struct page_info *pg = d->page_list;

		list_del_locked(d, pg);
		if (pg->owner == d)
			free_pages(page_to_mfn(pg), 0);
	}
	while (d->chunks) {
		struct dom_chunk *c = d->chunks;

		d->chunks = c->next;
		if (c->given_back)
			free_owned(d, mfn_x(c->mfn), c->order);
		else
			free_pages(c->mfn, c->order);
		xfree(c);
	}
}
