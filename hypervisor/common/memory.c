/*
 * memory_op (Xen's public/memory.h): dispatch, the physmap sub-ops
 * (add_to_physmap for shared_info, grant-table frames and gmfn; its batch
 * form; remove_from_physmap) and the queries (reservations, maximum_gpfn,
 * maximum_ram_page, memory_map). The reservation sub-ops (ballooning) are
 * common/reservation.c's; the domain's page bookkeeping is
 * common/domain_mem.c's. machine_memory_map is for the control domain
 * (-EPERM); anything else is -ENOSYS. A 32-bit vCPU's arguments come in
 * Xen's compat layouts, read and written through common/compat.c.
 *
 * Lock order: grant-table locks -> d->lock (every change of d's physmap made
 * here) -> p2m lock -> heap_lock.
 */
#include <hv/compat.h>
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hypercall.h>
#include <hv/lib.h>
#include <hv/memop.h>
#include <hv/mm.h>
#include <public/grant_table.h>
#include <public/memory.h>
#include <asm/hvm.h>
#include <asm/p2m.h>
#include <asm/pvh_info.h>

/* A hypervisor page the domain has in its physmap: shared_info or a grant-table frame. */
static bool is_hv_page(mfn_t mfn)
{
	return !mfn_eq(mfn, INVALID_MFN) && mfn_valid(mfn) && (mfn_to_page(mfn)->count_info & PGC_xenheap);
}

/* XENMAPSPACE_shared_info: the domain's shared_info page at gpfn (it leaves
 * where it was). What was at gpfn stays the domain's (freed with it). */
static long map_shared_info(struct domain *d, uint64_t idx, uint64_t gpfn)
{
	mfn_t si = virt_to_mfn(d->shared_info);
	int rc;

	if (idx != 0 || gpfn >= MEMOP_GFN_LIMIT)
		return -XEN_EINVAL;
	spin_lock(&d->lock);
	if (d->arch.shared_info_gfn && mfn_eq(p2m_lookup(d, _gfn(d->arch.shared_info_gfn), NULL), si))
		p2m_unmap(d, _gfn(d->arch.shared_info_gfn), 0);
	rc = p2m_map(d, _gfn(gpfn), si, 0, P2M_R | P2M_W);
	if (!rc)
		d->arch.shared_info_gfn = gpfn;
	spin_unlock(&d->lock);
	hvm_flush_guest_tlbs(d);
	return rc;
}

/*
 * XENMAPSPACE_gmfn: move the RAM page at gfn idx to gpfn, as Xen: idx
 * becomes empty; the domain's own RAM at gpfn is freed first (tot_pages
 * drops), a hypervisor page there (shared_info, a grant-table frame) is
 * just unhooked. idx must be the domain's own RAM (else -EINVAL); gpfn must
 * be a frame that may hold RAM (memop_gfn_ok, else -EINVAL); a grant
 * mapping at gpfn, or RAM there that is in use, is -EBUSY.
 */
static long move_gmfn(struct domain *d, uint64_t idx, uint64_t gpfn)
{
	mfn_t mfn, prev;
	long rc = 0;

	if (!memop_gfn_ok(gpfn, 0) || !memop_gfn_ok(idx, 0))
		return -XEN_EINVAL;
	spin_lock(&d->lock);
	if (!domain_ram_at(d, _gfn(idx), &mfn)) {
		rc = -XEN_EINVAL;
		goto out;
	}
	if (idx == gpfn)
		goto out;
	if (domain_ram_at(d, _gfn(gpfn), &prev))
		rc = domain_give_back_locked(d, _gfn(gpfn), 0); /* freed, as Xen; -EBUSY if held */
	else if (is_hv_page(prev))
		rc = p2m_unmap(d, _gfn(gpfn), 0); /* shared_info or a grant-table frame: unhooked */
	else if (!mfn_eq(prev, INVALID_MFN))
		rc = -XEN_EBUSY; /* a grant mapping: unmap_grant_ref it */
	if (rc)
		goto out;
	rc = p2m_unmap(d, _gfn(idx), 0);
	if (!rc)
		rc = p2m_map(d, _gfn(gpfn), mfn, 0, P2M_RWX);
	if (!rc && gpfn > d->arch.max_gfn)
		d->arch.max_gfn = gpfn;
out:
	spin_unlock(&d->lock);
	return rc;
}

static long add_to_physmap_one(struct domain *d, unsigned int space, uint64_t idx, uint64_t gpfn)
{
	switch (space) {
	case XENMAPSPACE_shared_info:
		return map_shared_info(d, idx, gpfn);
	case XENMAPSPACE_gmfn:
		return move_gmfn(d, idx, gpfn);
	default:
		return gnttab_add_to_physmap(d, space, idx, _gfn(gpfn)); /* grant table; others -ENOSYS */
	}
}

static long add_to_physmap(struct vcpu *v, uint64_t arg)
{
	struct xen_add_to_physmap x;

	if (compat_get_add_to_physmap(v, arg, &x))
		return -XEN_EFAULT;
	if (!domid_is_self(v->domain, x.domid))
		return -XEN_EPERM;
	if (x.space == XENMAPSPACE_gmfn_range)
		return -XEN_ENOSYS; /* not yet: gmfn one by one, or the batch */
	return add_to_physmap_one(v->domain, x.space, x.idx, x.gpfn);
}

/*
 * add_to_physmap_batch: each (idxs[i], gpfns[i]) as add_to_physmap, its
 * result in errs[i]; the call itself is 0 (or -EFAULT for a bad array).
 * Preempted (a pending softirq, or BATCH_PER_CALL entries done), it
 * continues with the rest: the arrays' handles advance and size shrinks in
 * the guest's structure, as on Xen.
 */
#define BATCH_PER_CALL 128
static long add_to_physmap_batch(struct vcpu *v, uint64_t arg)
{
	struct xen_add_to_physmap_batch b;
	struct domain *d = v->domain;
	unsigned int elem = compat_ulong_size(v); /* of idxs[] and gpfns[] */

	if (compat_get_add_to_physmap_batch(v, arg, &b))
		return -XEN_EFAULT;
	if (!domid_is_self(d, b.domid))
		return -XEN_EPERM;
	if (b.space == XENMAPSPACE_gmfn_range)
		return -XEN_EOPNOTSUPP; /* as Xen: a range in a batch makes no sense */
	if (b.space != XENMAPSPACE_gmfn_foreign && b.foreign_domid)
		return -XEN_EINVAL;
	for (unsigned int done = 0; b.size; done++) {
		uint64_t idx, gpfn;
		int32_t err;

		if (compat_get_ulong(v, b.idxs, 0, &idx) || compat_get_ulong(v, b.gpfns, 0, &gpfn))
			return -XEN_EFAULT;
		err = (int32_t)add_to_physmap_one(d, b.space, idx, gpfn);
		if (hvm_copy_to_guest(v, b.errs, &err, sizeof(err)))
			return -XEN_EFAULT;
		b.idxs += elem;
		b.gpfns += elem;
		b.errs += sizeof(err);
		b.size--;
		if (b.size && (done % BATCH_PER_CALL == BATCH_PER_CALL - 1 || hypercall_preempt_check(v))) {
			const uint64_t cont[5] = { XENMEM_add_to_physmap_batch, arg, 0, 0, 0 };

			if (compat_put_add_to_physmap_batch(v, arg, &b))
				return -XEN_EFAULT;
			return hypercall_create_continuation(v, cont);
		}
	}
	return 0;
}

/*
 * remove_from_physmap: the frame at gpfn leaves the physmap, as Xen: a RAM
 * page stays the domain's (counted, freed at its death), shared_info and
 * grant-table frames are just unhooked. Nothing there -ENOENT; another
 * domain's page mapped through a grant -EINVAL (unmap_grant_ref is the
 * way).
 */
static long remove_from_physmap(struct vcpu *v, uint64_t arg)
{
	struct xen_remove_from_physmap x;
	struct domain *d = v->domain;
	mfn_t mfn;
	long rc;

	if (compat_get_remove_from_physmap(v, arg, &x))
		return -XEN_EFAULT;
	if (!domid_is_self(d, x.domid))
		return -XEN_EPERM;
	if (x.gpfn >= MEMOP_GFN_LIMIT)
		return -XEN_ENOENT;
	spin_lock(&d->lock);
	if (domain_ram_at(d, _gfn(x.gpfn), &mfn) || is_hv_page(mfn))
		rc = p2m_unmap(d, _gfn(x.gpfn), 0);
	else
		rc = mfn_eq(mfn, INVALID_MFN) ? -XEN_ENOENT : -XEN_EINVAL;
	if (!rc && x.gpfn == d->arch.shared_info_gfn)
		d->arch.shared_info_gfn = 0;
	spin_unlock(&d->lock);
	return rc;
}

static long memory_map(struct vcpu *v, uint64_t arg)
{
	struct domain *d = v->domain;
	struct xen_memory_map m;
	struct hvm_memmap_table_entry ents[PVH_MAX_MEMMAP];
	struct pvh_layout l = {
		.mem_bytes = d->arch.guest_ram_bytes, .vcpus = 1, .max_vcpus = d->max_vcpus, .info_gpa = PVH_INFO_GPA
	};
	unsigned int n;

	if (compat_get_memory_map(v, arg, &m))
		return -XEN_EFAULT;
	n = pvh_memmap(&l, ents, PVH_MAX_MEMMAP);
	if (m.nr_entries < n)
		return -XEN_EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		struct e820entry e = { ents[i].addr, ents[i].size, ents[i].type };

		if (hvm_copy_to_guest(v, m.buffer + i * sizeof(e), &e, sizeof(e)))
			return -XEN_EFAULT;
	}
	m.nr_entries = n; /* at offset 0 in both layouts */
	return hvm_copy_to_guest(v, arg, &m, sizeof(m.nr_entries)) ? -XEN_EFAULT : 0;
}

static long reservation(struct vcpu *v, uint64_t arg, bool maximum)
{
	uint16_t domid;

	if (hvm_copy_from_guest(v, &domid, arg, sizeof(domid)))
		return -XEN_EFAULT;
	if (!domid_is_self(v->domain, domid))
		return -XEN_EPERM;
	return (long)(maximum ? v->domain->max_pages : READ_ONCE(v->domain->tot_pages));
}

long do_memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	unsigned int op = cmd & MEMOP_CMD_MASK;
	unsigned long start = cmd >> MEMOP_EXTENT_SHIFT;

	switch (op) {
	case XENMEM_increase_reservation:
	case XENMEM_decrease_reservation:
	case XENMEM_populate_physmap:
		return memop_reservation(v, op, start, arg);
	}
	if (start)
		return -XEN_ENOSYS; /* only the reservation sub-ops carry a start extent */
	switch (op) {
	case XENMEM_add_to_physmap:
		return add_to_physmap(v, arg);
	case XENMEM_add_to_physmap_batch:
		return add_to_physmap_batch(v, arg);
	case XENMEM_remove_from_physmap:
		return remove_from_physmap(v, arg);
	case XENMEM_memory_map:
		return memory_map(v, arg);
	case XENMEM_machine_memory_map:
		return -XEN_EPERM; /* the host's map is the control domain's */
	case XENMEM_current_reservation:
		return reservation(v, arg, false);
	case XENMEM_maximum_reservation:
		return reservation(v, arg, true);
	case XENMEM_maximum_gpfn:
		return (long)READ_ONCE(v->domain->arch.max_gfn);
	case XENMEM_maximum_ram_page:
		return (long)page_alloc_max_mfn(); /* Xen's max_page: every mfn is below */
	default:
		return -XEN_ENOSYS;
	}
}
