/*
 * memory_op (Xen's public/memory.h), the part the PVH foundation offers so
 * far: add_to_physmap for the shared_info page, the reservation queries,
 * maximum_gpfn and memory_map. The rest (populate/increase/decrease
 * reservation for ballooning, gmfn/grant-table spaces, batches) comes with
 * the full guest ABI and is -ENOSYS until then.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hypercall.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <asm/hvm.h>
#include <asm/p2m.h>
#include <asm/pvh_info.h>

#define XENMEM_current_reservation 3
#define XENMEM_maximum_reservation 4
#define XENMEM_add_to_physmap 7
#define XENMEM_memory_map 9
#define XENMEM_maximum_gpfn 14
#define XENMAPSPACE_shared_info 0

struct xen_add_to_physmap {
	uint16_t domid;
	uint16_t size;
	uint32_t space;
	uint64_t idx;
	uint64_t gpfn;
};
BUILD_BUG_ON(sizeof(struct xen_add_to_physmap) != 24);

struct xen_memory_map {
	uint32_t nr_entries;
	uint32_t pad;
	uint64_t buffer; /* guest handle: e820 entries */
};
BUILD_BUG_ON(sizeof(struct xen_memory_map) != 16);

struct e820entry {
	uint64_t addr, size;
	uint32_t type;
} __packed;
BUILD_BUG_ON(sizeof(struct e820entry) != 20);

static long add_to_physmap(struct vcpu *v, uint64_t arg)
{
	struct domain *d = v->domain;
	struct xen_add_to_physmap x;
	int rc;

	if (hvm_copy_from_guest(v, &x, arg, sizeof(x)))
		return -XEN_EFAULT;
	if (!domid_is_self(d, x.domid))
		return -XEN_EPERM;
	if (x.space != XENMAPSPACE_shared_info)
		return gnttab_add_to_physmap(d, x.space, x.idx, _gfn(x.gpfn)); /* grant table; others -ENOSYS */
	if (x.idx != 0 || x.gpfn >= (1ULL << 40) >> 12)
		return -XEN_EINVAL;
	/* the RAM frame that was there stays the domain's (freed with it) */
	spin_lock(&d->lock);
	if (d->arch.shared_info_gfn)
		p2m_unmap(d, _gfn(d->arch.shared_info_gfn), 0);
	rc = p2m_map(d, _gfn(x.gpfn), virt_to_mfn(d->shared_info), 0, P2M_R | P2M_W);
	if (!rc)
		d->arch.shared_info_gfn = x.gpfn;
	spin_unlock(&d->lock);
	hvm_flush_guest_tlbs(d);
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

	if (hvm_copy_from_guest(v, &m, arg, sizeof(m)))
		return -XEN_EFAULT;
	n = pvh_memmap(&l, ents, PVH_MAX_MEMMAP);
	if (m.nr_entries < n)
		return -XEN_EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		struct e820entry e = { ents[i].addr, ents[i].size, ents[i].type };

		if (hvm_copy_to_guest(v, m.buffer + i * sizeof(e), &e, sizeof(e)))
			return -XEN_EFAULT;
	}
	m.nr_entries = n;
	return hvm_copy_to_guest(v, arg, &m, sizeof(m.nr_entries)) ? -XEN_EFAULT : 0;
}

static long reservation(struct vcpu *v, uint64_t arg, bool maximum)
{
	uint16_t domid;

	if (hvm_copy_from_guest(v, &domid, arg, sizeof(domid)))
		return -XEN_EFAULT;
	if (!domid_is_self(v->domain, domid))
		return -XEN_EPERM;
	return (long)(maximum ? v->domain->max_pages : v->domain->tot_pages);
}

long do_memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	switch (cmd) {
	case XENMEM_add_to_physmap:
		return add_to_physmap(v, arg);
	case XENMEM_memory_map:
		return memory_map(v, arg);
	case XENMEM_current_reservation:
		return reservation(v, arg, false);
	case XENMEM_maximum_reservation:
		return reservation(v, arg, true);
	case XENMEM_maximum_gpfn:
		return (long)(v->domain->arch.max_gfn);
	default:
		return -XEN_ENOSYS;
	}
}
