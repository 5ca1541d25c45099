/*
 * balloon: memory_op's reservation and physmap sub-ops, the balloon
 * driver's path, with Xen's semantics and errno values:
 *   decrease_reservation gives pages back (current_reservation drops, the
 *     frames are gone: the hypervisor cannot read them, giving them back
 *     again does nothing); populate_physmap brings them back zeroed (order 0
 *     and 1, a 512-extent call that may be continued); past max_pages a
 *     partial count; increase_reservation; maximum_gpfn follows a page
 *     populated high up
 *   refusals: populate-on-demand (-EOPNOTSUPP), an order too big, address
 *     bits of a page or less, bad pointers (-EFAULT for the argument, no
 *     extent for the list), an unknown domain (-ESRCH), the peer (peer=,
 *     -EPERM), frames that are not plain RAM (the console ring and start
 *     info in the legacy hole, shared_info, the local APIC, an empty frame),
 *     a frame in use (granted and mapped, a vcpu_info)
 *   with maxmem above memory, the difference populated first (balloon up)
 *   add_to_physmap gmfn (a page moves, its old frame empties; onto RAM the
 *     RAM is freed), add_to_physmap_batch (per-entry errors),
 *     remove_from_physmap, maximum_ram_page, machine_memory_map (-EPERM)
 * With role=wait (and peer=) it only waits for the peer to appear and go
 * away: the other domain of the pair, so that -EPERM has a target.
 * With role=race (2 vCPUs) vCPU 1 keeps making the hypervisor write into a
 * page (xen_version guest_handle, a grant copy onto it as our own frame)
 * while vCPU 0 gives that page back and populates it again, many times:
 * every give-back is followed by a successful populate, the writes land or
 * fail cleanly (-EFAULT, GNTST_bad_page), and the host's free pages add up
 * at the end (tests/qemu: balloon-race).
 * Xen/Basalt only (SKIP without).
 */
#include "guest.h"
#include "xen-gnttab.h"

const char test_name[] = TEST_NAME;

#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_maximum_ram_page 2
#define XENMEM_current_reservation 3
#define XENMEM_maximum_reservation 4
#define XENMEM_populate_physmap 6
#define XENMEM_machine_memory_map 10
#define XENMEM_maximum_gpfn 14
#define XENMEM_remove_from_physmap 15
#define XENMEM_add_to_physmap_batch 23
#define XENMAPSPACE_shared_info 0
#define XENMAPSPACE_gmfn 2
#define XENMEMF_populate_on_demand (1u << 16)
#define XEN_ENOENT 2
#define SELF 0x7ff0

#define POOL 64
#define BIG 512 /* more than one call's worth of extents: continued */
#define BATCH 300
#define HIGH_GPA 0x40000000ull /* 1 GiB: no RAM there in a small domain */
#define UP_GPA 0x20000000ull   /* where maxmem above memory is populated (below HIGH_GPA) */
#define MAX_UP 1024
#define GT_GPA 0x80000000ull
#define MAP_GPA 0x80200000ull
#define SHINFO_GPA 0x80400000ull
#define WAIT_US 60000000ull

static uint8_t pool[POOL][4096] __attribute__((aligned(2 * 4096)));
static uint8_t big[BIG][4096] __attribute__((aligned(4096)));
static uint8_t vcpu_info_page[4096] __attribute__((aligned(4096)));
static uint16_t peer;

/* Xen's layouts: handles, xen_ulong_t and xen_pfn_t are unsigned long,
 * 32 bits in a 32-bit guest (the compat layouts) */
typedef unsigned long xen_pfn_t;

struct reservation {
	unsigned long extent_start; /* guest handle: xen_pfn_t[nr_extents] */
	unsigned long nr_extents;
	uint32_t extent_order, mem_flags;
	uint16_t domid;
};

struct batch {
	uint16_t domid, space, size, foreign_domid;
	unsigned long idxs, gpfns, errs; /* guest handles */
};

struct remove {
	uint16_t domid;
	xen_pfn_t gpfn;
};

_Static_assert(sizeof(struct reservation) == (GUEST_BITS == 64 ? 32 : 20), "reservation");
_Static_assert(sizeof(struct batch) == (GUEST_BITS == 64 ? 32 : 20), "batch");
_Static_assert(sizeof(struct remove) == (GUEST_BITS == 64 ? 16 : 8), "remove");

static uint64_t gfn_of(const void *p)
{
	return (uint64_t)(uintptr_t)p >> 12;
}

static long resv(unsigned op, const xen_pfn_t *list, unsigned long n, unsigned order, uint32_t flags, uint16_t domid)
{
	static struct reservation r;

	r = (struct reservation){ .extent_start = (uintptr_t)list,
				  .nr_extents = n,
				  .extent_order = order,
				  .mem_flags = flags,
				  .domid = domid };
	return hypercall2(HC_memory_op, op, &r);
}

static long one(unsigned op, uint64_t gfn)
{
	static xen_pfn_t g;

	g = gfn;
	return resv(op, &g, 1, 0, 0, SELF);
}

static long current_pages(void)
{
	static uint16_t d = SELF;

	return hypercall2(HC_memory_op, XENMEM_current_reservation, &d);
}

static long move(uint64_t from, uint64_t to)
{
	static struct xen_add_to_physmap x;

	x = (struct xen_add_to_physmap){ .domid = SELF, .space = XENMAPSPACE_gmfn, .idx = from, .gpfn = to };
	return hypercall2(HC_memory_op, XENMEM_add_to_physmap, &x);
}

static long remove_gfn(uint64_t gfn)
{
	static struct remove r;

	r = (struct remove){ .domid = SELF, .gpfn = gfn };
	return hypercall2(HC_memory_op, XENMEM_remove_from_physmap, &r);
}

static bool all_bytes(const uint8_t *p, uint8_t v)
{
	for (unsigned i = 0; i < 4096; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* maxmem above memory: populate the difference (high up), as a balloon
 * driver going up would */
static void balloon_up(long max)
{
	static xen_pfn_t list[MAX_UP];
	long want = max - current_pages(), rc;
	bool zero = true;

	if (want <= 0)
		return;
	if (want > MAX_UP)
		fail("maxmem is %ld pages above memory: at most %d here", want, MAX_UP);
	for (long i = 0; i < want; i++)
		list[i] = (xen_pfn_t)(UP_GPA >> 12) + (xen_pfn_t)i;
	rc = resv(XENMEM_populate_physmap, list, (unsigned long)want, 0, 0, SELF);
	check(rc == want, "ballooned up by %ld pages to maxmem: %ld done", want, rc);
	for (long i = 0; i < want; i++)
		zero &= all_bytes((const uint8_t *)(uintptr_t)(UP_GPA + (uint64_t)i * 4096), 0);
	check(zero, "the pages above memory are zeroed RAM");
	memset((void *)(uintptr_t)UP_GPA, 0x11, 4096);
	check(all_bytes((const uint8_t *)(uintptr_t)UP_GPA, 0x11), "and writable");
	check(one(XENMEM_populate_physmap, (UP_GPA >> 12) + (uint64_t)want) == 0, "not a page more");
}

static void queries(long max)
{
	static xen_pfn_t map[4];

	check(current_pages() == max, "current_reservation %ld = maximum %ld", current_pages(), max);
	check(hypercall2(HC_memory_op, XENMEM_maximum_ram_page, 0) > 0, "maximum_ram_page %ld",
	      hypercall2(HC_memory_op, XENMEM_maximum_ram_page, 0));
	check(hypercall2(HC_memory_op, XENMEM_machine_memory_map, map) == -XEN_EPERM,
	      "machine_memory_map is -EPERM (the control domain's)");
}

static void balloon_cycle(long max)
{
	static xen_pfn_t list[POOL], big_list[BIG];
	long rc;
	bool gone = true, zero = true;
	uint64_t t0, t1, t2, t3;

	for (unsigned i = 0; i < POOL; i++) {
		memset(pool[i], 0x5a, 4096);
		list[i] = gfn_of(pool[i]);
	}
	rc = resv(XENMEM_decrease_reservation, list, POOL, 0, 0, SELF);
	check(rc == POOL, "decrease_reservation of %d pages: %ld done", POOL, rc);
	check(current_pages() == max - POOL, "current_reservation dropped to %ld", current_pages());
	for (unsigned i = 0; i < POOL; i++)
		gone &= !hv_can_read(pool[i]);
	check(gone, "the hypervisor finds nothing at the freed frames");
	check(one(XENMEM_decrease_reservation, list[3]) == 0, "giving back a freed frame again: 0 extents");
	check(remove_gfn(list[3]) == -XEN_ENOENT, "remove_from_physmap of a freed frame: -ENOENT");
	rc = resv(XENMEM_populate_physmap, list, POOL, 0, 0, SELF);
	check(rc == POOL, "populate_physmap of %d pages: %ld done", POOL, rc);
	check(current_pages() == max, "current_reservation back to %ld", current_pages());
	for (unsigned i = 0; i < POOL; i++)
		zero &= all_bytes(pool[i], 0);
	check(zero, "the new pages are zeroed");

	/* order 1: a 2-page extent */
	rc = resv(XENMEM_decrease_reservation, list, 1, 1, 0, SELF);
	check(rc == 1 && current_pages() == max - 2, "decrease one order-1 extent: %ld, %ld pages", rc,
	      current_pages());
	rc = resv(XENMEM_populate_physmap, list, 1, 1, 0, SELF);
	check(rc == 1 && current_pages() == max, "populate one order-1 extent: %ld, %ld pages", rc, current_pages());

	/* many extents in one call (it may be continued on the way) */
	for (unsigned i = 0; i < BIG; i++) {
		big[i][0] = 1;
		big_list[i] = gfn_of(big[i]);
	}
	t0 = rdtsc();
	rc = resv(XENMEM_decrease_reservation, big_list, BIG, 0, 0, SELF);
	t1 = rdtsc();
	check(rc == BIG && current_pages() == max - BIG, "decrease %d extents: %ld done", BIG, rc);
	t2 = rdtsc();
	rc = resv(XENMEM_populate_physmap, big_list, BIG, 0, 0, SELF);
	t3 = rdtsc();
	check(rc == BIG && current_pages() == max, "populate %d extents: %ld done", BIG, rc);
	printf("  note: %d pages given back in %llu us, populated in %llu us (guest TSC)\n", BIG,
	       (unsigned long long)tsc_to_us(t1 - t0), (unsigned long long)tsc_to_us(t3 - t2));
	check(big[0][0] == 0 && big[BIG - 1][0] == 0, "and they are zeroed too");
}

static void limits(long max)
{
	static xen_pfn_t list[6];
	long rc;

	for (unsigned i = 0; i < 4; i++)
		list[i] = gfn_of(pool[8 + i]);
	list[4] = HIGH_GPA >> 12;
	list[5] = (HIGH_GPA >> 12) + 1;
	rc = resv(XENMEM_decrease_reservation, list, 4, 0, 0, SELF);
	check(rc == 4, "decrease 4: %ld", rc);
	rc = resv(XENMEM_populate_physmap, list, 6, 0, 0, SELF);
	check(rc == 4, "populate 6 with room for 4: %ld done (partial, as Xen)", rc);
	check(current_pages() == max, "at the maximum: %ld pages", current_pages());
	check(!hv_can_read((void *)(uintptr_t)HIGH_GPA), "the extents past the maximum were not populated");
	check(resv(XENMEM_increase_reservation, NULL, 1, 0, 0, SELF) == 0, "increase_reservation at the maximum: 0");

	/* a page moves high up: maximum_gpfn follows */
	check(one(XENMEM_decrease_reservation, gfn_of(pool[12])) == 1, "decrease 1 for a high page");
	check(one(XENMEM_populate_physmap, HIGH_GPA >> 12) == 1, "populate at %#llx", HIGH_GPA);
	check(hypercall2(HC_memory_op, XENMEM_maximum_gpfn, 0) == (long)(HIGH_GPA >> 12), "maximum_gpfn %#lx",
	      hypercall2(HC_memory_op, XENMEM_maximum_gpfn, 0));
	*(volatile uint8_t *)(uintptr_t)HIGH_GPA = 7;
	check(*(volatile uint8_t *)(uintptr_t)HIGH_GPA == 7, "the high page is RAM");
	check(one(XENMEM_decrease_reservation, HIGH_GPA >> 12) == 1, "and goes back");

	/* increase_reservation: pages the domain has but does not see */
	rc = resv(XENMEM_increase_reservation, NULL, 1, 0, 0, SELF);
	check(rc == 1 && current_pages() == max, "increase_reservation of 1 page: %ld, %ld pages", rc, current_pages());
	check(one(XENMEM_populate_physmap, gfn_of(pool[12])) == 0, "no room left to populate: 0");
}

static void refusals(void)
{
	static xen_pfn_t g;
	static struct xen_add_to_physmap x;
	static struct {
		uint64_t mfn;
		uint32_t offset, rsvd;
	} vi;
	struct grant_entry_v1 *gt = (struct grant_entry_v1 *)(uintptr_t)GT_GPA;
	uint32_t handle = 0;

	g = gfn_of(pool[20]);
	check(resv(XENMEM_populate_physmap, &g, 1, 0, XENMEMF_populate_on_demand, SELF) == -XEN_EOPNOTSUPP,
	      "populate-on-demand is -EOPNOTSUPP");
	check(resv(XENMEM_decrease_reservation, &g, 1, 10, 0, SELF) == 0, "order 10: 0 extents");
	check(resv(XENMEM_populate_physmap, &g, 1, 0, 12, SELF) == 0, "12 address bits: 0 extents");
	check(hypercall2(HC_memory_op, XENMEM_decrease_reservation, BAD_GUEST_PTR) == -XEN_EFAULT,
	      "a bad argument pointer is -EFAULT");
	check(resv(XENMEM_decrease_reservation, (xen_pfn_t *)BAD_GUEST_PTR, 1, 0, 0, SELF) == 0,
	      "a bad extent list: 0 extents");
	check(resv(XENMEM_decrease_reservation, &g, 1, 0, 0, 0x7000) == -XEN_ESRCH, "an unknown domain is -ESRCH");
	if (peer) {
		check(resv(XENMEM_decrease_reservation, &g, 1, 0, 0, peer) == -XEN_EPERM,
		      "the peer's decrease_reservation is -EPERM");
		check(resv(XENMEM_populate_physmap, &g, 1, 0, 0, peer) == -XEN_EPERM,
		      "the peer's populate_physmap is -EPERM");
		check(resv(XENMEM_increase_reservation, &g, 1, 0, 0, peer) == -XEN_EPERM,
		      "the peer's increase_reservation is -EPERM");
	}

	check(one(XENMEM_decrease_reservation, 0xdf) == 0, "the console ring (0xdf000) is not given back");
	check(one(XENMEM_decrease_reservation, env.start_info_pa >> 12) == 0, "nor the start info (%#x)",
	      env.start_info_pa);
	check(one(XENMEM_decrease_reservation, (HIGH_GPA >> 12) + 9) == 0, "nor an empty frame");
	check(one(XENMEM_populate_physmap, 0xe0) == 0, "populate in the legacy hole: 0");
	check(one(XENMEM_populate_physmap, 0xfee00) == 0, "populate at the local APIC: 0");
	check(one(XENMEM_populate_physmap, gfn_of(pool[20])) == 0, "populate over RAM: 0");

	x = (struct xen_add_to_physmap){ .domid = SELF, .space = XENMAPSPACE_shared_info, .gpfn = SHINFO_GPA >> 12 };
	check(hypercall2(HC_memory_op, XENMEM_add_to_physmap, &x) == 0, "shared_info at %#llx", SHINFO_GPA);
	check(one(XENMEM_decrease_reservation, SHINFO_GPA >> 12) == 0, "shared_info is not given back");

	/* a page granted and mapped (by ourselves) is in use */
	if (map_grant_frame(0, GT_GPA) == 0) {
		grant_access(gt, 8, own_domid(), (uintptr_t)pool[21], false);
		check(grant_map(own_domid(), 8, false, MAP_GPA, &handle) == GNTST_okay, "our own grant mapped");
		check(one(XENMEM_decrease_reservation, gfn_of(pool[21])) == 0, "a granted, mapped page stays");
		check(one(XENMEM_decrease_reservation, MAP_GPA >> 12) == 0, "its mapping is not given back");
		check(move(MAP_GPA >> 12, gfn_of(pool[22])) == -XEN_EINVAL, "a grant mapping does not move");
		check(grant_unmap(MAP_GPA, handle) == GNTST_okay && grant_end(gt, 8), "unmapped, grant ended");
		check(one(XENMEM_decrease_reservation, gfn_of(pool[21])) == 1, "then it can go");
		check(one(XENMEM_populate_physmap, gfn_of(pool[21])) == 1, "and come back");
	} else {
		check(false, "grant frame 0 at %#llx", GT_GPA);
	}
	vi.mfn = gfn_of(vcpu_info_page);
	vi.offset = 0;
	check(hypercall3(24, 10, 0, &vi) == 0, "vcpu_info registered");
	check(one(XENMEM_decrease_reservation, gfn_of(vcpu_info_page)) == 0, "the vcpu_info page stays");
}

static void physmap(long max)
{
	static unsigned long idxs[2];
	static xen_pfn_t gpfns[2];
	static int32_t errs[2], long_errs[BATCH];
	static unsigned long long_idxs[BATCH];
	static xen_pfn_t long_gpfns[BATCH];
	static struct batch b;
	unsigned n;
	uint64_t a = gfn_of(pool[30]), bb = gfn_of(pool[31]), c = gfn_of(pool[32]), d = gfn_of(pool[33]);
	long cur = current_pages();

	memset(pool[30], 0xa1, 4096);
	check(one(XENMEM_decrease_reservation, bb) == 1, "an empty frame to move to");
	check(move(a, bb) == 0, "add_to_physmap gmfn %#llx -> %#llx", (unsigned long long)a, (unsigned long long)bb);
	check(all_bytes(pool[31], 0xa1), "the page shows at its new frame");
	check(!hv_can_read(pool[30]), "its old frame is empty");
	check(current_pages() == cur - 1, "no page came or went");
	check(move(a, bb) == -XEN_EINVAL, "moving from an empty frame is -EINVAL");
	check(move(bb, 0xe0) == -XEN_EINVAL, "moving into the legacy hole is -EINVAL");
	check(move(bb, a) == 0 && all_bytes(pool[30], 0xa1), "and back");

	/* onto RAM: that page is freed */
	memset(pool[32], 0xc3, 4096);
	memset(pool[33], 0xd4, 4096);
	check(move(c, d) == 0 && all_bytes(pool[33], 0xc3), "a page moved onto RAM replaces it");
	check(current_pages() == cur - 2, "the replaced page went back: %ld pages", current_pages());
	check(one(XENMEM_populate_physmap, c) == 1 && one(XENMEM_populate_physmap, bb) == 1, "refill");
	check(current_pages() == cur, "back to %ld pages", cur);

	/* the batch: one move done, one refused, each with its own result */
	check(one(XENMEM_decrease_reservation, bb) == 1, "an empty frame for the batch");
	idxs[0] = a;
	gpfns[0] = bb;
	idxs[1] = (HIGH_GPA >> 12) + 20; /* empty */
	gpfns[1] = c;
	errs[0] = errs[1] = 99;
	b = (struct batch){ .domid = SELF,
			    .space = XENMAPSPACE_gmfn,
			    .size = 2,
			    .idxs = (uintptr_t)idxs,
			    .gpfns = (uintptr_t)gpfns,
			    .errs = (uintptr_t)errs };
	check(hypercall2(HC_memory_op, XENMEM_add_to_physmap_batch, &b) == 0, "add_to_physmap_batch: 0");
	check(errs[0] == 0 && errs[1] == -XEN_EINVAL, "errs %d, %d", errs[0], errs[1]);
	check(all_bytes(pool[31], 0xa1), "the batch moved the page");
	check(move(bb, a) == 0 && one(XENMEM_populate_physmap, bb) == 1, "moved back, refilled");
	/* a batch long enough to be continued: every entry gets its result */
	for (unsigned i = 0; i < BATCH; i++) {
		long_idxs[i] = (HIGH_GPA >> 12) + 100 + i; /* empty: -EINVAL each */
		long_gpfns[i] = (HIGH_GPA >> 12) + 1000 + i;
		long_errs[i] = 99;
	}
	b = (struct batch){ .domid = SELF,
			    .space = XENMAPSPACE_gmfn,
			    .size = BATCH,
			    .idxs = (uintptr_t)long_idxs,
			    .gpfns = (uintptr_t)long_gpfns,
			    .errs = (uintptr_t)long_errs };
	check(hypercall2(HC_memory_op, XENMEM_add_to_physmap_batch, &b) == 0, "a batch of %d: 0", BATCH);
	n = 0;
	for (unsigned i = 0; i < BATCH; i++)
		n += long_errs[i] == -XEN_EINVAL;
	check(n == BATCH, "every entry of it has its result (%u of %d -EINVAL)", n, BATCH);
	b.foreign_domid = 3;
	check(hypercall2(HC_memory_op, XENMEM_add_to_physmap_batch, &b) == -XEN_EINVAL,
	      "foreign_domid outside gmfn_foreign is -EINVAL");

	/* remove_from_physmap: the page leaves the physmap, not the domain */
	check(remove_gfn(gfn_of(pool[34])) == 0, "remove_from_physmap of RAM");
	check(!hv_can_read(pool[34]), "the frame is empty");
	check(current_pages() == cur, "the page still counts: %ld", current_pages());
	check(remove_gfn(gfn_of(pool[34])) == -XEN_ENOENT, "again: -ENOENT");
	check(remove_gfn(SHINFO_GPA >> 12) == 0 && !hv_can_read((void *)(uintptr_t)SHINFO_GPA),
	      "remove_from_physmap of shared_info");
	(void)max;
}

static uint8_t race_page[4096] __attribute__((aligned(4096)));
static uint8_t race_src[4096] __attribute__((aligned(4096)));
static volatile bool race_stop;
static volatile unsigned long race_ok, race_refused, race_ap_done;

static void race_ap(struct cpu *c)
{
	unsigned long ok = 0, refused = 0;

	if (c->idx != 1)
		return;
	while (!race_stop) {
		long rc = hypercall2(__HYPERVISOR_xen_version, 8, race_page + 1024);
		int16_t st = grant_copy(SELF, gfn_of(race_src), 0, SELF, gfn_of(race_page), 2048, 512, 0);

		ok += (rc == 0) + (st == GNTST_okay);
		refused += (rc == -XEN_EFAULT) + (st == GNTST_bad_page);
	}
	race_ok = ok;
	race_refused = refused;
	__atomic_store_n(&race_ap_done, 1, __ATOMIC_SEQ_CST);
}

static void race(void)
{
	unsigned long gave = 0, busy = 0, bad = 0;
	uint64_t until;
	long max = current_pages();

	if (smp_start(race_ap) < 2)
		fail("role=race needs 2 vCPUs");
	for (unsigned i = 0; i < 2000; i++) {
		long rc = one(XENMEM_decrease_reservation, gfn_of(race_page));

		if (rc == 1) {
			gave++;
			bad += one(XENMEM_populate_physmap, gfn_of(race_page)) != 1;
		} else {
			busy++; /* held by a copy in flight: refused, still mapped */
		}
	}
	race_stop = true;
	until = rdtsc() + us_to_tsc(WAIT_US);
	while (!__atomic_load_n(&race_ap_done, __ATOMIC_SEQ_CST))
		if (rdtsc() > until)
			fail("vCPU 1 did not stop");
	printf("  note: %lu given back and populated again, %lu refused while in use; vCPU 1: %lu writes done, "
	       "%lu refused\n",
	       gave, busy, race_ok, race_refused);
	check(gave > 0, "the page was given back and populated again (%lu times)", gave);
	check(bad == 0, "every populate after a give-back succeeded (%lu failed)", bad);
	check(race_ok > 0, "vCPU 1's writes went through at times");
	check(current_pages() == max, "the reservation is whole again: %ld pages", current_pages());
	race_page[0] = 1;
	check(race_page[0] == 1, "the page is RAM at the end");
	checks_verdict();
}

static bool peer_exists(void)
{
	static struct gnttab_query_size q;

	q = (struct gnttab_query_size){ .dom = peer };
	return gnttab_op(GNTTABOP_query_size, &q, 1) == 0 && q.status != GNTST_bad_domain;
}

static void wait_peer(bool present)
{
	uint64_t until = rdtsc() + us_to_tsc(WAIT_US);

	while (peer_exists() != present) {
		if (rdtsc() > until)
			fail("timed out waiting for d%u to %s", peer, present ? "appear" : "go away");
		xen_sched_yield();
	}
}

void test_main(void)
{
	static uint16_t d = SELF;
	char role[16] = "";
	long max;

	if (!env.xen)
		skip("needs Xen/Basalt");
	peer = (uint16_t)cmdline_u64("peer", 0);
	cmdline_str("role", role, sizeof(role));
	if (strcmp(role, "race") == 0)
		race();
	if (peer)
		wait_peer(true);
	if (strcmp(role, "wait") == 0) {
		wait_peer(false);
		pass();
	}
	max = hypercall2(HC_memory_op, XENMEM_maximum_reservation, &d);
	balloon_up(max);
	queries(max);
	balloon_cycle(max);
	refusals();
	physmap(max);
	limits(max);
	checks_verdict();
}
