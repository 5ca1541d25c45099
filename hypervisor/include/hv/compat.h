/*
 * Xen's compat layouts for memory_op: a vCPU in 32-bit mode passes the
 * i386 forms of the argument structs (public/memory.h, compat_*), with
 * 32-bit xen_ulong_t, xen_pfn_t and guest handles. These helpers read an
 * argument in whichever layout the calling vCPU uses into the native
 * struct, and write it back, so the operations themselves are written
 * once. Each returns 0 or -XEN_EFAULT. (grant_table_op's few compat
 * layouts are translated inside the grant table core, common/grant_table.c.)
 */
#ifndef HV_COMPAT_H
#define HV_COMPAT_H

#include <hv/types.h>
#include <public/memory.h>

struct vcpu;

/* Does v pass the compat layouts (it runs 32-bit code now)? */
bool vcpu_is_compat(struct vcpu *v);

/* Element i of a guest array of xen_ulong_t / xen_pfn_t (8 or 4 bytes
 * each, zero-extended) at gva. */
int compat_get_ulong(struct vcpu *v, uint64_t gva, uint64_t i, uint64_t *val);
/* The size of such an element for v. */
unsigned int compat_ulong_size(struct vcpu *v);

int compat_get_reservation(struct vcpu *v, uint64_t arg, struct xen_memory_reservation *r);
int compat_get_add_to_physmap(struct vcpu *v, uint64_t arg, struct xen_add_to_physmap *x);
int compat_get_add_to_physmap_batch(struct vcpu *v, uint64_t arg, struct xen_add_to_physmap_batch *b);
/* Write *b back (a continuation's advanced handles and size). */
int compat_put_add_to_physmap_batch(struct vcpu *v, uint64_t arg, const struct xen_add_to_physmap_batch *b);
int compat_get_remove_from_physmap(struct vcpu *v, uint64_t arg, struct xen_remove_from_physmap *x);
int compat_get_memory_map(struct vcpu *v, uint64_t arg, struct xen_memory_map *m);

#endif
