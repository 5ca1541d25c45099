/*
 * The pure rules of memory_op's reservation sub-ops (common/memop_check.c),
 * kept apart from the hypervisor so the host unit tests run them unchanged
 * (tests/unit/memop).
 *
 * Lock order: none (no state).
 */
#ifndef HV_MEMOP_H
#define HV_MEMOP_H

#include <hv/types.h>

/* Largest extent a domain may ask for: 2 MiB (Xen's CONFIG_DOMU_MAX_ORDER). */
#define MEMOP_DOMU_MAX_ORDER 9
/* Guest frames stop at 1 TiB (the most a PVH domain may have). */
#define MEMOP_GFN_LIMIT ((1ULL << 40) >> 12)

/* What a reservation's mem_flags ask of the allocator. */
enum memop_flags_verdict {
	MEMOP_FLAGS_OK,	     /* *memflags says how to allocate */
	MEMOP_FLAGS_NOTHING, /* Xen does no extent at all: return the start extent */
	MEMOP_FLAGS_POD,     /* populate-on-demand: refused, -EOPNOTSUPP */
};

/*
 * Decode mem_flags for sub-op op (XENMEM_*) and extent_order, on a host
 * whose frames end below max_mfn. As Xen: address bits at or above what the
 * host needs are no limit, 12 or fewer leave nothing possible; an exact
 * request for a node other than 0, a virtual node (no vNUMA here) or an
 * extent above MEMOP_DOMU_MAX_ORDER do no extent; populate-on-demand is
 * asked only through populate_physmap (the other sub-ops ignore it).
 */
enum memop_flags_verdict memop_decode_flags(unsigned int op, uint32_t mem_flags, unsigned int extent_order,
					    unsigned long max_mfn, unsigned int *memflags);

/*
 * May the guest have RAM (populate, move a page to) at [gfn, gfn + 2^order)?
 * Aligned to its order, below 1 TiB, and clear of the legacy hole
 * [0xa0000, 1 MiB) (start info, ACPI tables, the console ring) and of the
 * MMIO hole below 4 GiB (local APIC). Also the rule for the frames
 * decrease_reservation may give back.
 */
bool memop_gfn_ok(uint64_t gfn, unsigned int order);

#endif
