/*
 * Grant tables in the hypervisor: the environment the pure grant table core
 * (common/grant_table.c) runs in, the grant_table_op hypercall, the
 * grant-table space of memory_op add_to_physmap, and a domain's grant table
 * through its life (created by the builder with the configuration's
 * max_grant_frames / max_maptrack_frames, its mappings of other domains'
 * grants undone when it is destroyed, freed with it).
 *
 * Granted frames: only a domain's own RAM (pages it owns, see
 * common/domain_mem.c) can be granted; a foreign frame it has mapped, its
 * shared_info page or its grant table frames cannot (GNTST_bad_page), so a
 * grant mapping always points at RAM of the granting domain, which the
 * mapper's reference keeps allocated (see hv/grant_table.h) and a hold keeps
 * from being ballooned out while the grant is pinned or copied. Mappings go into the mapper's p2m as 4 KiB
 * entries, read-only or read-write, never executable, at any frame below
 * 1 TiB (what was there is replaced, as on Xen; RAM frames replaced stay the
 * domain's until it dies).
 *
 * Lock order: grant-table locks (see hv/grant_table.h) -> d->lock (taken here
 * around p2m changes, so that they do not interleave with add_to_physmap)
 * -> p2m lock. Nothing that holds d->lock takes a grant-table lock.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/grant_table.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/xmalloc.h>
#include <asm/hvm.h>
#include <asm/p2m.h>
#include <asm/page.h>

#define DOM(gd) ((struct domain *)(gd)->priv)
#define GNTTAB_GFN_LIMIT ((1ULL << 40) >> PAGE_SHIFT) /* 1 TiB, as add_to_physmap */

static void *env_zalloc(size_t bytes)
{
	return _xzalloc(bytes, 8);
}

static void env_free(void *p)
{
	xfree(p);
}

static void *env_alloc_page(void)
{
	return alloc_xenheap_pages(0, MEMF_zero);
}

static void env_free_page(void *page)
{
	free_xenheap_pages(page, 0);
}

static struct gnttab_domain *env_get_domain(domid_t id)
{
	struct domain *d = get_domain_by_id(id);

	if (d && !d->gnttab_ready) {
		put_domain(d); /* still being built */
		return NULL;
	}
	return d ? &d->gnttab : NULL;
}

static void env_put_domain(struct gnttab_domain *gd)
{
	put_domain(DOM(gd));
}

static int env_own_frame(struct gnttab_domain *gd, gfn_t gfn, mfn_t *mfn)
{
	struct domain *d = DOM(gd);

	*mfn = p2m_lookup(d, gfn, NULL);
	/* RAM only: shared_info is the domain's but not a page to share. Held
	 * while in use (pinned or copied): it cannot be ballooned out meanwhile */
	if (mfn_eq(*mfn, INVALID_MFN) || mfn_eq(*mfn, virt_to_mfn(d->shared_info)) || !domain_hold_frame(d, gfn, *mfn))
		return -1;
	return 0;
}

static void env_release_frame(struct gnttab_domain *gd, mfn_t mfn)
{
	domain_release_frame(mfn);
}

static void *env_frame_va(mfn_t mfn)
{
	return mfn_to_virt(mfn);
}

static int env_p2m_insert(struct gnttab_domain *gd, gfn_t gfn, mfn_t mfn, bool readonly)
{
	struct domain *d = DOM(gd);
	bool replacing;
	int rc;

	if (gfn_x(gfn) >= GNTTAB_GFN_LIMIT)
		return -1;
	spin_lock(&d->lock);
	replacing = !mfn_eq(p2m_lookup(d, gfn, NULL), INVALID_MFN);
	rc = p2m_map(d, gfn, mfn, 0, readonly ? P2M_R : P2M_R | P2M_W);
	spin_unlock(&d->lock);
	/* replacing a present entry (RAM, say) needs the stale translation gone;
	 * a new one does not (the TLB holds no non-present entries) */
	if (replacing)
		hvm_flush_guest_tlbs(d);
	return rc ? -1 : 0;
}

static int env_p2m_remove(struct gnttab_domain *gd, gfn_t gfn, mfn_t mfn)
{
	struct domain *d = DOM(gd);
	int rc = -1;

	spin_lock(&d->lock);
	if (gfn_x(gfn) < GNTTAB_GFN_LIMIT && mfn_eq(p2m_lookup(d, gfn, NULL), mfn))
		rc = p2m_unmap(d, gfn, 0) ? -1 : 0; /* flushes the guest TLBs */
	spin_unlock(&d->lock);
	return rc;
}

static int env_copy_from_guest(void *vcpu, void *dst, uint64_t gva, size_t len)
{
	return hvm_copy_from_guest(vcpu, dst, gva, len) ? -1 : 0;
}

static int env_copy_to_guest(void *vcpu, uint64_t gva, const void *src, size_t len)
{
	return hvm_copy_to_guest(vcpu, gva, src, len) ? -1 : 0;
}

static const struct gnttab_env gnttab_env = {
	.zalloc = env_zalloc,
	.free = env_free,
	.alloc_page = env_alloc_page,
	.free_page = env_free_page,
	.get_domain = env_get_domain,
	.put_domain = env_put_domain,
	.own_frame = env_own_frame,
	.release_frame = env_release_frame,
	.frame_va = env_frame_va,
	.p2m_insert = env_p2m_insert,
	.p2m_remove = env_p2m_remove,
	.copy_from_guest = env_copy_from_guest,
	.copy_to_guest = env_copy_to_guest,
};

int domain_gnttab_init(struct domain *d, unsigned int max_frames, unsigned int max_maptrack_frames)
{
	int rc = gnttab_domain_init(&d->gnttab, d->domain_id, false, max_frames, max_maptrack_frames, &gnttab_env, d);

	if (!rc)
		d->gnttab_ready = true;
	return rc;
}

void domain_gnttab_release(struct domain *d)
{
	if (d->gnttab_ready)
		gnttab_release_mappings(&d->gnttab);
}

void domain_gnttab_destroy(struct domain *d)
{
	if (d->gnttab_ready)
		gnttab_domain_destroy(&d->gnttab);
	d->gnttab_ready = false;
}

long do_grant_table_op(struct vcpu *v, uint64_t cmd, uint64_t uop, uint64_t count)
{
	if (!v->domain->gnttab_ready)
		return -XEN_ENOSYS;
	/* cmd and count are unsigned int in Xen's prototype: the upper halves
	 * of the registers are ignored. A vCPU in 32-bit mode passes the compat
	 * layouts (public/grant_table.h), which the core translates. */
	return gnttab_op(&v->domain->gnttab, v, (unsigned int)cmd, uop, (unsigned int)count, !hvm_long_mode_64bit(v));
}

/*
 * XENMAPSPACE_grant_table: frame idx of the domain's grant table at gpfn
 * (the table grows to idx + 1 frames; idx at or past max_grant_frames, or
 * with XENMAPIDX_grant_table_status, is -EINVAL). The frame leaves the
 * place it was mapped before; what was at gpfn is replaced. Other spaces
 * (gmfn, gmfn_range, gmfn_foreign, dev_mmio) are -ENOSYS.
 */
long gnttab_add_to_physmap(struct domain *d, unsigned int space, uint64_t idx, gfn_t gpfn)
{
	gfn_t old;
	void *page;
	mfn_t mfn;
	int rc;

	if (space != XENMAPSPACE_grant_table || !d->gnttab_ready)
		return -XEN_ENOSYS;
	if (gfn_x(gpfn) >= GNTTAB_GFN_LIMIT)
		return -XEN_EINVAL;
	page = gnttab_map_frame(&d->gnttab, idx, gpfn, &old, &rc);
	if (!page)
		return rc;
	mfn = virt_to_mfn(page);
	spin_lock(&d->lock);
	if (gfn_x(old) != gfn_x(INVALID_GFN) && mfn_eq(p2m_lookup(d, old, NULL), mfn))
		p2m_unmap(d, old, 0);
	rc = p2m_map(d, gpfn, mfn, 0, P2M_R | P2M_W);
	spin_unlock(&d->lock);
	hvm_flush_guest_tlbs(d);
	return rc;
}
