/*
 * The pure rules of memory_op's reservation sub-ops: see hv/memop.h.
 *
 * Lock order: none (no state).
 */
#include <hv/memop.h>
#include <hv/mm.h>
#include <public/memory.h>

#define LEGACY_HOLE_START_PFN 0xa0UL  /* 640 KiB */
#define LEGACY_HOLE_END_PFN 0x100UL   /* 1 MiB */
#define MMIO_HOLE_START_PFN 0xf0000UL /* 3.75 GiB: the domain builder's low RAM limit */
#define MMIO_HOLE_END_PFN 0x100000UL  /* 4 GiB */

/* The order of n pages: log2 rounded up (Xen's get_order_from_pages). */
static unsigned int order_of_pages(unsigned long n)
{
	return n > 1 ? 64 - (unsigned int)__builtin_clzl(n - 1) : 0;
}

enum memop_flags_verdict memop_decode_flags(unsigned int op, uint32_t mem_flags, unsigned int extent_order,
					    unsigned long max_mfn, unsigned int *memflags)
{
	unsigned int bits = XENMEMF_address_bits(mem_flags), node = XENMEMF_node(mem_flags);

	*memflags = 0;
	if (op == XENMEM_populate_physmap && (mem_flags & XENMEMF_populate_on_demand))
		return MEMOP_FLAGS_POD;
	if (extent_order > MEMOP_DOMU_MAX_ORDER)
		return MEMOP_FLAGS_NOTHING;
	if (mem_flags & XENMEMF_vnode)
		return MEMOP_FLAGS_NOTHING; /* a virtual node: the domain has no vNUMA layout */
	if ((mem_flags & XENMEMF_exact_node_request) && node > 1)
		return MEMOP_FLAGS_NOTHING; /* only node 0 exists */
	/* a limit the host's memory lies under anyway is no limit */
	if (bits && bits < order_of_pages(max_mfn) + PAGE_SHIFT) {
		if (bits <= PAGE_SHIFT)
			return MEMOP_FLAGS_NOTHING;
		*memflags = MEMF_bits(bits);
	}
	return MEMOP_FLAGS_OK;
}

static bool overlaps(uint64_t s, uint64_t e, uint64_t hs, uint64_t he)
{
	return s < he && hs < e;
}

bool memop_gfn_ok(uint64_t gfn, unsigned int order)
{
	uint64_t n;

	if (order > MEMOP_DOMU_MAX_ORDER + 9) /* 1 GiB at most: nothing larger is ever mapped at once */
		return false;
	n = 1ULL << order;
	if (gfn & (n - 1))
		return false;
	if (gfn >= MEMOP_GFN_LIMIT || n > MEMOP_GFN_LIMIT - gfn)
		return false;
	return !overlaps(gfn, gfn + n, LEGACY_HOLE_START_PFN, LEGACY_HOLE_END_PFN) &&
	       !overlaps(gfn, gfn + n, MMIO_HOLE_START_PFN, MMIO_HOLE_END_PFN);
}
