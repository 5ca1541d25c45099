/*
 * Grant tables for the test guests: Xen's numbers and layouts
 * (public/grant_table.h, public/memory.h), written here again on purpose
 * (see xen-abi.h), and small helpers shared by the gnttab tests.
 */
#ifndef GUEST_XEN_GNTTAB_H
#define GUEST_XEN_GNTTAB_H

#include "guest.h"

#define HC_memory_op 12
#define HC_grant_table_op 20
#define XENMEM_add_to_physmap 7
#define XENMAPSPACE_grant_table 1
#define XENMAPIDX_grant_table_status 0x80000000u

#define GNTTABOP_map_grant_ref 0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table 2
#define GNTTABOP_dump_table 3
#define GNTTABOP_transfer 4
#define GNTTABOP_copy 5
#define GNTTABOP_query_size 6
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version 8
#define GNTTABOP_get_version 10

#define GTF_permit_access 1u
#define GTF_readonly 4u
#define GTF_reading 8u
#define GTF_writing 16u
#define GNTMAP_host_map 2u
#define GNTMAP_readonly 4u
#define GNTCOPY_source_gref 1u
#define GNTCOPY_dest_gref 2u

#define GNTST_okay 0
#define GNTST_general_error (-1)
#define GNTST_bad_domain (-2)
#define GNTST_bad_gntref (-3)
#define GNTST_bad_handle (-4)
#define GNTST_bad_virt_addr (-5)
#define GNTST_no_device_space (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page (-9)
#define GNTST_bad_copy_arg (-10)

#define XEN_ESRCH 3
#define XEN_EOPNOTSUPP 95

struct grant_entry_v1 {
	volatile uint16_t flags;
	volatile uint16_t domid;
	volatile uint32_t frame;
};

struct gnttab_map_grant_ref {
	uint64_t host_addr;
	uint32_t flags, ref;
	uint16_t dom;
	int16_t status;
	uint32_t handle;
	uint64_t dev_bus_addr;
};

struct gnttab_unmap_grant_ref {
	uint64_t host_addr, dev_bus_addr;
	uint32_t handle;
	int16_t status;
};

struct gnttab_setup_table {
	uint16_t dom;
	uint32_t nr_frames;
	int16_t status;
	unsigned long frame_list; /* guest handle: xen_pfn_t (unsigned long) frames */
};

struct gnttab_query_size {
	uint16_t dom;
	uint32_t nr_frames, max_nr_frames;
	int16_t status;
};

struct gnttab_copy_ptr {
	unsigned long ref_or_gmfn; /* union of grant_ref_t and xen_pfn_t */
	uint16_t domid, offset;
};

struct gnttab_copy {
	struct gnttab_copy_ptr source, dest;
	uint16_t len, flags;
	int16_t status;
};

struct xen_add_to_physmap {
	uint16_t domid, size;
	uint32_t space;
	unsigned long idx, gpfn; /* xen_ulong_t, xen_pfn_t */
};

_Static_assert(sizeof(struct gnttab_map_grant_ref) == 32, "map_grant_ref");
_Static_assert(sizeof(struct gnttab_unmap_grant_ref) == 24, "unmap_grant_ref");
/* Xen's layouts for the guest's mode: x86-64, or i386 (compat), where
 * handles, xen_ulong_t and xen_pfn_t are 32 bits */
_Static_assert(sizeof(struct gnttab_setup_table) == (GUEST_BITS == 64 ? 24 : 16), "setup_table");
_Static_assert(sizeof(struct gnttab_query_size) == 16, "query_size");
_Static_assert(sizeof(struct gnttab_copy) == (GUEST_BITS == 64 ? 40 : 24), "copy");
_Static_assert(__builtin_offsetof(struct gnttab_copy, status) == (GUEST_BITS == 64 ? 36 : 20), "copy status");
_Static_assert(sizeof(struct xen_add_to_physmap) == (GUEST_BITS == 64 ? 24 : 16), "add_to_physmap");

static inline long gnttab_op(unsigned cmd, void *uop, unsigned count)
{
	return hypercall3(HC_grant_table_op, cmd, uop, count);
}

/* Frame idx of our grant table at guest-physical address gpa. */
static inline long map_grant_frame(unsigned long idx, uint64_t gpa)
{
	static struct xen_add_to_physmap x;

	x = (struct xen_add_to_physmap){
		.domid = 0x7ff0, .space = XENMAPSPACE_grant_table, .idx = idx, .gpfn = gpa >> 12
	};
	return hypercall2(HC_memory_op, XENMEM_add_to_physmap, &x);
}

/* Fill entry ref as a granting guest does: frame and domid, then flags. */
static inline void grant_access(struct grant_entry_v1 *gt, unsigned ref, uint16_t domid, uint64_t gpa, bool ro)
{
	gt[ref].frame = (uint32_t)(gpa >> 12);
	gt[ref].domid = domid;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	gt[ref].flags = (uint16_t)(GTF_permit_access | (ro ? GTF_readonly : 0));
}

/* Take a grant back (Linux's gnttab_end_foreign_access_ref for v1):
 * only while the hypervisor has it in use for neither reading nor writing. */
static inline bool grant_end(struct grant_entry_v1 *gt, unsigned ref)
{
	uint16_t f = gt[ref].flags;

	do {
		if (f & (GTF_reading | GTF_writing))
			return false;
	} while (!__atomic_compare_exchange_n(&gt[ref].flags, &f, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	return true;
}

static inline int16_t grant_map(uint16_t dom, uint32_t ref, bool ro, uint64_t gpa, uint32_t *handle)
{
	static struct gnttab_map_grant_ref m;
	long rc;

	m = (struct gnttab_map_grant_ref){
		.host_addr = gpa, .flags = GNTMAP_host_map | (ro ? GNTMAP_readonly : 0), .ref = ref, .dom = dom
	};
	rc = gnttab_op(GNTTABOP_map_grant_ref, &m, 1);
	if (rc)
		return (int16_t)(-1000 + rc); /* never a GNTST value */
	if (handle)
		*handle = m.handle;
	return m.status;
}

static inline int16_t grant_unmap(uint64_t gpa, uint32_t handle)
{
	static struct gnttab_unmap_grant_ref u;
	long rc;

	u = (struct gnttab_unmap_grant_ref){ .host_addr = gpa, .handle = handle };
	rc = gnttab_op(GNTTABOP_unmap_grant_ref, &u, 1);
	return rc ? (int16_t)(-1000 + rc) : u.status;
}

/* One copy op; flags say which sides are grant references. */
static inline int16_t grant_copy(uint16_t sdom, unsigned long sref, uint16_t soff, uint16_t ddom, unsigned long dref,
				 uint16_t doff, uint16_t len, uint16_t flags)
{
	static struct gnttab_copy c;
	long rc;

	c = (struct gnttab_copy){
		.source = { sref, sdom, soff }, .dest = { dref, ddom, doff }, .len = len, .flags = flags, .status = 99
	};
	rc = gnttab_op(GNTTABOP_copy, &c, 1);
	return rc ? (int16_t)(-1000 + rc) : c.status;
}

/* Probes through the hypervisor's guest-memory access: can it read the
 * byte at va (XENMEM_current_reservation reads a domid there: anything but
 * -EFAULT means readable), can it write 16 bytes there (XENVER_guest_handle
 * writes 16 zero bytes: it clobbers them when it succeeds)? */
static inline bool hv_can_read(const void *va)
{
	return hypercall2(HC_memory_op, 3, va) != -XEN_EFAULT;
}

static inline bool hv_can_write(void *va)
{
	return hypercall2(__HYPERVISOR_xen_version, 8, va) == 0;
}

/* Our domain id (the HVM CPUID leaf has it). */
static inline uint16_t own_domid(void)
{
	struct cpuid_regs r = cpuid_count(env.xen_base + 4, 0);

	return (r.a & XEN_HVM_CPUID_DOMID_PRESENT) ? (uint16_t)r.c : 0x7ff0;
}

#endif
