/*
 * memory_op's argument structs in the layout of the calling vCPU's mode
 * (see hv/compat.h): a 64-bit vCPU's are copied as they are; a 32-bit
 * vCPU's compat struct is copied and widened into the native one (handles
 * and xen_ulong_t / xen_pfn_t zero-extended), and narrowed on the way back.
 * Narrowing loses nothing: the only struct written back is the batch's,
 * whose handles came from the guest as 32-bit values and only advance
 * within the arrays the guest passed.
 */
#include <hv/compat.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <asm/hvm.h>

bool vcpu_is_compat(struct vcpu *v)
{
	return !hvm_long_mode_64bit(v);
}

unsigned int compat_ulong_size(struct vcpu *v)
{
	return vcpu_is_compat(v) ? 4 : 8;
}

int compat_get_ulong(struct vcpu *v, uint64_t gva, uint64_t i, uint64_t *val)
{
	uint32_t v32;

	if (!vcpu_is_compat(v))
		return hvm_copy_from_guest(v, val, gva + i * 8, 8) ? -XEN_EFAULT : 0;
	if (hvm_copy_from_guest(v, &v32, gva + i * 4, 4))
		return -XEN_EFAULT;
	*val = v32;
	return 0;
}

/* Copy the native struct (64-bit vCPU) or the compat one into c. */
static int get(struct vcpu *v, uint64_t arg, void *native, size_t nsize, void *c, size_t csize, bool *compat)
{
	*compat = vcpu_is_compat(v);
	if (*compat)
		return hvm_copy_from_guest(v, c, arg, csize) ? -XEN_EFAULT : 0;
	return hvm_copy_from_guest(v, native, arg, nsize) ? -XEN_EFAULT : 0;
}

int compat_get_reservation(struct vcpu *v, uint64_t arg, struct xen_memory_reservation *r)
{
	struct compat_memory_reservation c;
	bool compat;
	int rc = get(v, arg, r, sizeof(*r), &c, sizeof(c), &compat);

	if (!rc && compat)
		*r = (struct xen_memory_reservation){ .extent_start = c.extent_start,
						      .nr_extents = c.nr_extents,
						      .extent_order = c.extent_order,
						      .mem_flags = c.mem_flags,
						      .domid = c.domid };
	return rc;
}

int compat_get_add_to_physmap(struct vcpu *v, uint64_t arg, struct xen_add_to_physmap *x)
{
	struct compat_add_to_physmap c;
	bool compat;
	int rc = get(v, arg, x, sizeof(*x), &c, sizeof(c), &compat);

	if (!rc && compat)
		*x = (struct xen_add_to_physmap){
			.domid = c.domid, .size = c.size, .space = c.space, .idx = c.idx, .gpfn = c.gpfn
		};
	return rc;
}

int compat_get_add_to_physmap_batch(struct vcpu *v, uint64_t arg, struct xen_add_to_physmap_batch *b)
{
	struct compat_add_to_physmap_batch c;
	bool compat;
	int rc = get(v, arg, b, sizeof(*b), &c, sizeof(c), &compat);

	if (!rc && compat)
		*b = (struct xen_add_to_physmap_batch){ .domid = c.domid,
							.space = c.space,
							.size = c.size,
							.foreign_domid = c.foreign_domid,
							.idxs = c.idxs,
							.gpfns = c.gpfns,
							.errs = c.errs };
	return rc;
}

int compat_put_add_to_physmap_batch(struct vcpu *v, uint64_t arg, const struct xen_add_to_physmap_batch *b)
{
	struct compat_add_to_physmap_batch c = { .domid = b->domid,
						 .space = b->space,
						 .size = b->size,
						 .foreign_domid = b->foreign_domid,
						 .idxs = (uint32_t)b->idxs,
						 .gpfns = (uint32_t)b->gpfns,
						 .errs = (uint32_t)b->errs };

	if (!vcpu_is_compat(v))
		return hvm_copy_to_guest(v, arg, b, sizeof(*b)) ? -XEN_EFAULT : 0;
	return hvm_copy_to_guest(v, arg, &c, sizeof(c)) ? -XEN_EFAULT : 0;
}

int compat_get_remove_from_physmap(struct vcpu *v, uint64_t arg, struct xen_remove_from_physmap *x)
{
	struct compat_remove_from_physmap c;
	bool compat;
	int rc = get(v, arg, x, sizeof(*x), &c, sizeof(c), &compat);

	if (!rc && compat)
		*x = (struct xen_remove_from_physmap){ .domid = c.domid, .gpfn = c.gpfn };
	return rc;
}

int compat_get_memory_map(struct vcpu *v, uint64_t arg, struct xen_memory_map *m)
{
	struct compat_memory_map c;
	bool compat;
	int rc = get(v, arg, m, sizeof(*m), &c, sizeof(c), &compat);

	if (!rc && compat)
		*m = (struct xen_memory_map){ .nr_entries = c.nr_entries, .buffer = c.buffer };
	return rc;
}
