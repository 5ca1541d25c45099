/*
 * memory_op's reservation sub-ops, the balloon driver's path (Xen's
 * semantics, public/memory.h): decrease_reservation gives the pages at the
 * listed guest frames back to the hypervisor, populate_physmap takes new
 * pages (up to max_pages) and maps them at the listed frames,
 * increase_reservation takes new pages without mapping them (what Xen does
 * for an auto-translated guest: it is told nothing of them; they count in
 * its reservation until it dies).
 *
 * Each returns the number of extents done; the first extent that cannot be
 * done ends the call (a partial count, as Xen). Between extents a pending
 * softirq, or MEMOP_EXTENTS_PER_CALL extents done, preempts the call with a
 * continuation: the next extent travels in cmd >> MEMOP_EXTENT_SHIFT. The rules for mem_flags and guest frames are
 * pure (common/memop_check.c); the bookkeeping of the domain's pages is
 * common/domain_mem.c's. A 32-bit vCPU passes the compat reservation and
 * an array of 32-bit frame numbers (common/compat.c).
 *
 * Lock order: d->lock -> p2m lock -> heap_lock (see domain_mem.c).
 */
#include <hv/compat.h>
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hypercall.h>
#include <hv/lib.h>
#include <hv/memop.h>
#include <hv/mm.h>
#include <public/memory.h>
#include <asm/hvm.h>
#include <asm/p2m.h>

/* At most this many extents before a continuation, whatever the softirqs
 * say: it bounds the time in the hypervisor (an order-9 extent is 512
 * pages) and keeps the continuation path in use (tests: balloon). */
#define MEMOP_EXTENTS_PER_CALL 256

/* Is [gfn, gfn + 2^order) free of any mapping? */
static bool range_empty(struct domain *d, uint64_t gfn, unsigned int order)
{
	for (uint64_t j = 0; j < (1ULL << order); j++)
		if (!mfn_eq(p2m_lookup(d, _gfn(gfn + j), NULL), INVALID_MFN))
			return false;
	return true;
}

/* One extent of populate_physmap (map) or increase_reservation (!map): 0 or -XEN_Exxx. */
static int take_extent(struct domain *d, uint64_t gfn, unsigned int order, unsigned int memflags, bool map)
{
	mfn_t mfn;
	int rc;

	if (map && !memop_gfn_ok(gfn, order))
		return -XEN_EINVAL;
	mfn = alloc_pages(order, memflags | MEMF_zero);
	if (mfn_eq(mfn, INVALID_MFN))
		return -XEN_ENOMEM;
	spin_lock(&d->lock);
	if (map && !range_empty(d, gfn, order))
		rc = -XEN_EBUSY; /* Xen would drop what is there; Basalt refuses */
	else
		rc = domain_assign_pages_locked(d, mfn, order);
	if (!rc && map) {
		rc = p2m_map(d, _gfn(gfn), mfn, order, P2M_RWX);
		if (rc)
			domain_unassign_pages_locked(d, mfn, order);
		else if (gfn + (1ULL << order) - 1 > d->arch.max_gfn)
			d->arch.max_gfn = gfn + (1ULL << order) - 1;
	}
	spin_unlock(&d->lock);
	if (rc)
		free_pages(mfn, order);
	return rc;
}

static int give_extent(struct domain *d, uint64_t gfn, unsigned int order)
{
	int rc;

	if (!memop_gfn_ok(gfn, order))
		return -XEN_EINVAL; /* the legacy hole (start info, console ring), the MMIO hole, beyond 1 TiB */
	spin_lock(&d->lock);
	rc = domain_give_back_locked(d, _gfn(gfn), order);
	spin_unlock(&d->lock);
	return rc;
}

static const char *const op_names[] = {
	[XENMEM_increase_reservation] = "increase_reservation",
	[XENMEM_decrease_reservation] = "decrease_reservation",
	[XENMEM_populate_physmap] = "populate_physmap",
};

/* Only the caller's own domain: another one is -EPERM (no privileged
 * domain yet), an unknown one -ESRCH. */
static int check_domid(struct domain *d, domid_t id)
{
	struct domain *t;

	if (domid_is_self(d, id))
		return 0;
	t = get_domain_by_id(id);
	if (!t)
		return -XEN_ESRCH;
	put_domain(t);
	return -XEN_EPERM;
}

long memop_reservation(struct vcpu *v, unsigned int op, unsigned long start, uint64_t arg)
{
	struct domain *d = v->domain;
	struct xen_memory_reservation r;
	unsigned int memflags;
	unsigned long i;
	int rc;

	if (compat_get_reservation(v, arg, &r))
		return -XEN_EFAULT;
	rc = check_domid(d, r.domid);
	if (rc)
		return rc;
	if (start >= r.nr_extents)
		return (long)start;
	/* the continuation could not carry the position (in 32 bits for a
	 * 32-bit vCPU, whose cmd register is 32 bits) */
	if (r.nr_extents > (vcpu_is_compat(v) ? (UINT32_MAX >> MEMOP_EXTENT_SHIFT) : (~0UL >> MEMOP_EXTENT_SHIFT)))
		return -XEN_EINVAL;
	switch (memop_decode_flags(op, r.mem_flags, r.extent_order, page_alloc_max_mfn(), &memflags)) {
	case MEMOP_FLAGS_POD:
		if (!__atomic_exchange_n(&d->pod_warned, true, __ATOMIC_RELAXED))
			printk(LOG_WARN "d%u: populate-on-demand is not supported (-EOPNOTSUPP)\n", d->domain_id);
		return -XEN_EOPNOTSUPP;
	case MEMOP_FLAGS_NOTHING:
		return (long)start;
	case MEMOP_FLAGS_OK:
		break;
	}
	for (i = start; i < r.nr_extents; i++) {
		uint64_t gfn = 0;

		if (i != start && ((i - start) % MEMOP_EXTENTS_PER_CALL == 0 || hypercall_preempt_check(v))) {
			const uint64_t cont[5] = { op | ((uint64_t)i << MEMOP_EXTENT_SHIFT), arg, 0, 0, 0 };

			return hypercall_create_continuation(v, cont);
		}
		if (op != XENMEM_increase_reservation && compat_get_ulong(v, r.extent_start, i, &gfn))
			break;
		if (op == XENMEM_decrease_reservation)
			rc = give_extent(d, gfn, r.extent_order);
		else
			rc = take_extent(d, gfn, r.extent_order, memflags, op == XENMEM_populate_physmap);
		if (rc) {
			printk_ratelimited(LOG_INFO "d%u: %s: extent %lu of %llu (gfn %#llx, order %u) not done: %d\n",
					   d->domain_id, op_names[op], i, (unsigned long long)r.nr_extents,
					   (unsigned long long)gfn, r.extent_order, rc);
			break;
		}
	}
	return (long)i;
}
