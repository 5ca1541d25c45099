/*
 * memory_op (hypercall 12): the guest's view of its memory, with Xen's
 * numbers, layouts and semantics (Xen's public/memory.h is the reference).
 *
 * Reservation sub-ops (increase_reservation, decrease_reservation,
 * populate_physmap) take a struct xen_memory_reservation and return the
 * number of extents completed. A long request is continued: the extent to
 * start from travels in the command's upper bits, cmd = op | start <<
 * MEMOP_EXTENT_SHIFT.
 *
 * A vCPU in 32-bit mode passes Xen's compat layouts (the compat_* structs
 * at the end: xen_ulong_t, xen_pfn_t and guest handles are 32 bits wide
 * there, and arrays of them hold 32-bit elements); common/compat.c turns
 * them into the native structs below and back.
 */
#ifndef PUBLIC_MEMORY_H
#define PUBLIC_MEMORY_H

#include <hv/types.h>

#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_maximum_ram_page 2
#define XENMEM_current_reservation 3
#define XENMEM_maximum_reservation 4
#define XENMEM_populate_physmap 6
#define XENMEM_add_to_physmap 7
#define XENMEM_memory_map 9
#define XENMEM_machine_memory_map 10
#define XENMEM_maximum_gpfn 14
#define XENMEM_remove_from_physmap 15
#define XENMEM_add_to_physmap_batch 23

#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK ((1u << MEMOP_EXTENT_SHIFT) - 1)

/* mem_flags of a reservation */
#define XENMEMF_address_bits(f) ((f)&0xffu)    /* 0: no limit */
#define XENMEMF_node(f) ((((f) >> 8) & 0xffu)) /* node + 1; 0: any node */
#define XENMEMF_populate_on_demand (1u << 16)
#define XENMEMF_exact_node_request (1u << 17)
#define XENMEMF_vnode (1u << 18)

struct xen_memory_reservation {
	uint64_t extent_start; /* guest handle: xen_pfn_t[nr_extents] */
	uint64_t nr_extents;
	uint32_t extent_order;
	uint32_t mem_flags;
	uint16_t domid;
	uint16_t pad[3];
};

struct xen_add_to_physmap {
	uint16_t domid;
	uint16_t size; /* gmfn_range only */
	uint32_t space;
	uint64_t idx;
	uint64_t gpfn;
};

struct xen_add_to_physmap_batch {
	uint16_t domid;
	uint16_t space;
	uint16_t size;		/* entries in the three arrays */
	uint16_t foreign_domid; /* gmfn_foreign only; otherwise must be 0 */
	uint64_t idxs;		/* guest handle: xen_ulong_t[size] */
	uint64_t gpfns;		/* guest handle: xen_pfn_t[size] */
	uint64_t errs;		/* guest handle: int[size], OUT */
};

struct xen_remove_from_physmap {
	uint16_t domid;
	uint16_t pad[3];
	uint64_t gpfn;
};

struct xen_memory_map {
	uint32_t nr_entries;
	uint32_t pad;
	uint64_t buffer; /* guest handle: e820 entries */
};

struct e820entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

_Static_assert(sizeof(struct xen_memory_reservation) == 32, "xen_memory_reservation");
_Static_assert(offsetof(struct xen_memory_reservation, nr_extents) == 8 &&
		       offsetof(struct xen_memory_reservation, extent_order) == 16 &&
		       offsetof(struct xen_memory_reservation, mem_flags) == 20 &&
		       offsetof(struct xen_memory_reservation, domid) == 24,
	       "xen_memory_reservation fields");
_Static_assert(sizeof(struct xen_add_to_physmap) == 24, "xen_add_to_physmap");
_Static_assert(sizeof(struct xen_add_to_physmap_batch) == 32, "xen_add_to_physmap_batch");
_Static_assert(offsetof(struct xen_add_to_physmap_batch, space) == 2 &&
		       offsetof(struct xen_add_to_physmap_batch, size) == 4 &&
		       offsetof(struct xen_add_to_physmap_batch, foreign_domid) == 6 &&
		       offsetof(struct xen_add_to_physmap_batch, idxs) == 8 &&
		       offsetof(struct xen_add_to_physmap_batch, gpfns) == 16 &&
		       offsetof(struct xen_add_to_physmap_batch, errs) == 24,
	       "xen_add_to_physmap_batch fields");
_Static_assert(sizeof(struct xen_remove_from_physmap) == 16, "xen_remove_from_physmap");
_Static_assert(sizeof(struct xen_memory_map) == 16, "xen_memory_map");
_Static_assert(sizeof(struct e820entry) == 20, "e820entry");

/*
 * The compat (i386) layouts. Every handle, xen_ulong_t and xen_pfn_t is 32
 * bits; domid_t and the fixed-width fields are as above. No compat struct
 * here has a 64-bit field, so i386's 4-byte alignment of those changes
 * nothing else. current/maximum_reservation take a bare domid_t and
 * e820entry is packed: both are the same in either mode.
 */
struct compat_memory_reservation {
	uint32_t extent_start; /* guest handle: 32-bit xen_pfn_t[nr_extents] */
	uint32_t nr_extents;
	uint32_t extent_order;
	uint32_t mem_flags;
	uint16_t domid;
	uint16_t pad;
};

struct compat_add_to_physmap {
	uint16_t domid;
	uint16_t size;
	uint32_t space;
	uint32_t idx;
	uint32_t gpfn;
};

struct compat_add_to_physmap_batch {
	uint16_t domid;
	uint16_t space;
	uint16_t size;
	uint16_t foreign_domid;
	uint32_t idxs;	/* guest handle: 32-bit xen_ulong_t[size] */
	uint32_t gpfns; /* guest handle: 32-bit xen_pfn_t[size] */
	uint32_t errs;	/* guest handle: int[size], OUT */
};

struct compat_remove_from_physmap {
	uint16_t domid;
	uint16_t pad;
	uint32_t gpfn;
};

struct compat_memory_map {
	uint32_t nr_entries;
	uint32_t buffer; /* guest handle: e820 entries */
};

_Static_assert(sizeof(struct compat_memory_reservation) == 20, "compat_memory_reservation");
_Static_assert(offsetof(struct compat_memory_reservation, nr_extents) == 4 &&
		       offsetof(struct compat_memory_reservation, extent_order) == 8 &&
		       offsetof(struct compat_memory_reservation, mem_flags) == 12 &&
		       offsetof(struct compat_memory_reservation, domid) == 16,
	       "compat_memory_reservation fields");
_Static_assert(sizeof(struct compat_add_to_physmap) == 16, "compat_add_to_physmap");
_Static_assert(offsetof(struct compat_add_to_physmap, space) == 4 && offsetof(struct compat_add_to_physmap, idx) == 8 &&
		       offsetof(struct compat_add_to_physmap, gpfn) == 12,
	       "compat_add_to_physmap fields");
_Static_assert(sizeof(struct compat_add_to_physmap_batch) == 20, "compat_add_to_physmap_batch");
_Static_assert(offsetof(struct compat_add_to_physmap_batch, foreign_domid) == 6 &&
		       offsetof(struct compat_add_to_physmap_batch, idxs) == 8 &&
		       offsetof(struct compat_add_to_physmap_batch, gpfns) == 12 &&
		       offsetof(struct compat_add_to_physmap_batch, errs) == 16,
	       "compat_add_to_physmap_batch fields");
_Static_assert(sizeof(struct compat_remove_from_physmap) == 8 && offsetof(struct compat_remove_from_physmap, gpfn) == 4,
	       "compat_remove_from_physmap");
_Static_assert(sizeof(struct compat_memory_map) == 8 && offsetof(struct compat_memory_map, buffer) == 4,
	       "compat_memory_map");

#endif
