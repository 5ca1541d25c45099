/*
 * gnttab-peer: grant tables between two domains (run as a group, see
 * manifest.txt; peer= names the other domain's id). Roles (role=):
 *
 *   grant  publishes ref 8 (a patterned page, read-only) and ref 9 (a page,
 *          writable) for the peer, and ref 10 for nobody; waits for the
 *          peer's "DONE" in the writable page; then checks what the peer
 *          wrote, that ref 9 is no longer in use and can be taken back, and
 *          that ref 8 is still in use (the peer keeps it mapped) and cannot
 *          be; then powers off while the peer still maps ref 8.
 *   map    waits for ref 8 to be copyable, then: copy (with offsets), the
 *          refusals (ref 10: not ours; writing ref 8; past the page; a bad
 *          ref; an unknown domain), a read-only map of ref 8 that the
 *          hypervisor cannot write through, a writable map of ref 9 (data
 *          lands in the peer's page; the hypervisor refuses to keep it as a
 *          vcpu_info or FIFO control page; after unmap nothing is left),
 *          then "DONE"; then waits until the peer is gone and checks that
 *          its still-mapped page is intact (the granter's memory outlives
 *          it while mapped) before unmapping it.
 *   hold   (the granter of the crash pair) publishes ref 8 read-only and
 *          waits for it to be in use, then for it to be free again: the
 *          peer was crashed with the mapping and its death must drop it.
 *   crash  maps ref 8 read-only and writes through the mapping: the
 *          hypervisor must crash it.
 * Xen/Basalt only (SKIP without).
 */
#include "guest.h"
#include "xen-gnttab.h"

const char test_name[] = TEST_NAME;

#define GT_GPA 0x80000000ull
#define RO_MAP_GPA 0x80200000ull
#define RW_MAP_GPA 0x80201000ull
#define WAIT_US 60000000ull /* the peer runs beside us on one pCPU under TCG */

static uint8_t ro_page[4096] __attribute__((aligned(4096)));
static uint8_t rw_page[4096] __attribute__((aligned(4096)));
static uint8_t buf[4096] __attribute__((aligned(4096)));
static uint16_t peer;

static uint8_t pattern(unsigned i)
{
	return (uint8_t)(i * 31 + 7);
}

static uint64_t deadline(void)
{
	return rdtsc() + us_to_tsc(WAIT_US);
}

static void wait_step(uint64_t until, const char *what)
{
	if (rdtsc() > until)
		fail("timed out waiting for %s", what);
	xen_sched_yield();
}

static struct grant_entry_v1 *setup_table(void)
{
	if (map_grant_frame(0, GT_GPA))
		fail("add_to_physmap of grant frame 0");
	return (struct grant_entry_v1 *)(uintptr_t)GT_GPA;
}

static void role_grant(void)
{
	struct grant_entry_v1 *gt = setup_table();
	volatile uint8_t *rw = rw_page;
	uint64_t until = deadline();

	for (unsigned i = 0; i < sizeof(ro_page); i++)
		ro_page[i] = pattern(i);
	grant_access(gt, 10, 0x7000, (uintptr_t)ro_page, false);
	grant_access(gt, 9, peer, (uintptr_t)rw_page, false);
	grant_access(gt, 8, peer, (uintptr_t)ro_page, true);
	printf("granted refs 8 (read-only) and 9 to d%u\n", peer);
	while (memcmp((const void *)(rw + 4), "DONE", 4) != 0)
		wait_step(until, "the peer's DONE");
	check(rw[16] == 0xb0 && rw[31] == 0xbf, "the peer's writes through its writable mapping arrived");
	check(rw[2048] == pattern(100) && rw[3071] == pattern(1123), "the peer's grant copy into ref 9 arrived");
	check(ro_page[0] == pattern(0) && ro_page[4095] == pattern(4095), "the read-only page is unchanged");
	check(gt[9].flags == GTF_permit_access, "ref 9 is no longer in use (flags %#x)", gt[9].flags);
	check(grant_end(gt, 9), "ref 9 taken back");
	check(gt[8].flags == (GTF_permit_access | GTF_readonly | GTF_reading),
	      "ref 8 is in use for reading: the peer still maps it (flags %#x)", gt[8].flags);
	check(!grant_end(gt, 8), "ref 8 cannot be taken back while mapped");
	check(grant_end(gt, 10), "ref 10 taken back");
	printf("powering off while d%u still maps ref 8\n", peer);
	checks_verdict();
}

static void refusals(void)
{
	uint64_t own = (uintptr_t)buf >> 12;

	check(grant_copy(peer, 10, 0, 0x7ff0, own, 0, 16, GNTCOPY_source_gref) == GNTST_general_error,
	      "copy from a grant for another domain: GNTST_general_error");
	check(grant_copy(0x7ff0, own, 0, peer, 8, 0, 16, GNTCOPY_dest_gref) == GNTST_general_error,
	      "copy into the read-only grant: GNTST_general_error");
	check(grant_copy(peer, 8, 4000, 0x7ff0, own, 0, 200, GNTCOPY_source_gref) == GNTST_bad_copy_arg,
	      "copy past the page end: GNTST_bad_copy_arg");
	check(grant_copy(peer, 5000, 0, 0x7ff0, own, 0, 1, GNTCOPY_source_gref) == GNTST_bad_gntref,
	      "copy from ref 5000 of a 1-frame table: GNTST_bad_gntref");
	check(grant_copy(0x7000, 8, 0, 0x7ff0, own, 0, 1, GNTCOPY_source_gref) == GNTST_bad_domain,
	      "copy from an unknown domain: GNTST_bad_domain");
	check(grant_copy(peer, own, 0, 0x7ff0, own, 0, 1, 0) == GNTST_permission_denied,
	      "a frame of the peer named without a grant: GNTST_permission_denied");
	check(grant_map(peer, 8, false, RO_MAP_GPA, NULL) == GNTST_general_error,
	      "writable map of the read-only grant: GNTST_general_error");
	check(grant_map(peer, 10, true, RO_MAP_GPA, NULL) == GNTST_general_error,
	      "map of a grant for another domain: GNTST_general_error");
}

/* Pages the hypervisor keeps mapped must be the domain's own: a page of
 * the peer, mapped by a grant, is refused (Xen: -EINVAL for both). */
static void foreign_page_refusals(void)
{
	static struct {
		uint64_t mfn;
		uint32_t offset, rsvd;
	} vi;
	static struct {
		uint64_t control_gfn;
		uint32_t offset, vcpu;
		uint8_t link_bits, pad[7];
	} ic;

	vi.mfn = RW_MAP_GPA >> 12;
	check(hypercall3(__HYPERVISOR_vcpu_op, 10 /* register_vcpu_info */, 0, &vi) == -XEN_EINVAL,
	      "vcpu_info in the peer's granted page: -EINVAL");
	ic.control_gfn = RW_MAP_GPA >> 12;
	check(hypercall2(__HYPERVISOR_event_channel_op, 11 /* init_control */, &ic) == -XEN_EINVAL,
	      "FIFO control block in the peer's granted page: -EINVAL");
}

static void role_map(void)
{
	volatile uint8_t *ro = (volatile uint8_t *)(uintptr_t)RO_MAP_GPA;
	volatile uint8_t *rw = (volatile uint8_t *)(uintptr_t)RW_MAP_GPA;
	uint64_t own = (uintptr_t)buf >> 12, until = deadline();
	uint32_t hro, hrw;
	int16_t st;

	while ((st = grant_copy(peer, 8, 0, 0x7ff0, own, 0, 4096, GNTCOPY_source_gref)) == GNTST_general_error)
		wait_step(until, "the peer's grant");
	check(st == GNTST_okay && buf[0] == pattern(0) && buf[4095] == pattern(4095),
	      "copy of the peer's read-only page (status %d)", st);
	memset(buf, 0, sizeof(buf));
	check(grant_copy(peer, 8, 100, 0x7ff0, own, 2000, 1024, GNTCOPY_source_gref) == GNTST_okay &&
		      buf[2000] == pattern(100) && buf[3023] == pattern(1123) && buf[1999] == 0 && buf[3024] == 0,
	      "copy of 1024 bytes from offset 100 to offset 2000");
	refusals();

	if (!check(grant_map(peer, 8, true, RO_MAP_GPA, &hro) == GNTST_okay, "map ref 8 read-only"))
		checks_verdict();
	check(ro[0] == pattern(0) && ro[4095] == pattern(4095), "the read-only mapping shows the peer's page");
	check(!hv_can_write((void *)ro), "the hypervisor cannot write through the read-only mapping");
	check(ro[0] == pattern(0), "and the page is unchanged");

	if (!check(grant_map(peer, 9, false, RW_MAP_GPA, &hrw) == GNTST_okay, "map ref 9 writable"))
		checks_verdict();
	for (unsigned i = 0; i < 16; i++)
		rw[16 + i] = (uint8_t)(0xb0 + i);
	check(hv_can_read((const void *)rw), "the writable mapping is there for the hypervisor too");
	foreign_page_refusals();
	check(grant_unmap(RW_MAP_GPA, hrw) == GNTST_okay, "unmap ref 9");
	check(!hv_can_read((const void *)rw), "after the unmap nothing is mapped at %#llx", RW_MAP_GPA);
	check(grant_unmap(RW_MAP_GPA, hrw) == GNTST_bad_handle, "its handle is gone: GNTST_bad_handle");

	/* the copy into ref 9 (from our copy of the page), then DONE */
	check(grant_copy(0x7ff0, own, 2000, peer, 9, 2048, 1024, GNTCOPY_dest_gref) == GNTST_okay,
	      "copy into the writable grant");
	memcpy(buf, "DONE", 4);
	check(grant_copy(0x7ff0, own, 0, peer, 9, 4, 4, GNTCOPY_dest_gref) == GNTST_okay, "DONE copied");

	/* the granter powers off; its page stays while we map it */
	until = deadline();
	while ((st = grant_copy(peer, 8, 0, 0x7ff0, own, 0, 1, GNTCOPY_source_gref)) == GNTST_okay)
		wait_step(until, "the peer to go away");
	check(st == GNTST_bad_domain, "the peer is gone: GNTST_bad_domain (%d)", st);
	check(ro[0] == pattern(0) && ro[2222] == pattern(2222) && ro[4095] == pattern(4095),
	      "its page, still mapped, is intact");
	check(grant_unmap(RO_MAP_GPA, hro) == GNTST_okay, "unmap the dead peer's page");
	check(!hv_can_read((const void *)ro), "nothing left at %#llx", RO_MAP_GPA);
	checks_verdict();
}

static void role_hold(void)
{
	struct grant_entry_v1 *gt = setup_table();
	uint64_t until = deadline();

	for (unsigned i = 0; i < sizeof(ro_page); i++)
		ro_page[i] = pattern(i);
	grant_access(gt, 8, peer, (uintptr_t)ro_page, true);
	while (!(gt[8].flags & GTF_reading))
		wait_step(until, "the peer to map ref 8");
	printf("ref 8 is mapped by d%u\n", peer);
	until = deadline();
	while (gt[8].flags & GTF_reading)
		wait_step(until, "the crashed peer's mapping to be dropped");
	check(gt[8].flags == (GTF_permit_access | GTF_readonly), "the crashed peer's mapping was dropped");
	check(ro_page[0] == pattern(0), "the page was not written");
	check(grant_end(gt, 8), "ref 8 taken back");
	checks_verdict();
}

static void role_crash(void)
{
	volatile uint8_t *ro = (volatile uint8_t *)(uintptr_t)RO_MAP_GPA;
	uint64_t until = deadline();
	int16_t st;

	while ((st = grant_map(peer, 8, true, RO_MAP_GPA, NULL)) == GNTST_general_error)
		wait_step(until, "the peer's grant");
	if (st != GNTST_okay || ro[0] != pattern(0))
		fail("map of the peer's read-only grant: status %d", st);
	verdict_expect_crash();
	ro[0] = 0x55;
	fail("wrote through a read-only grant mapping");
}

void test_main(void)
{
	char role[16];

	if (!env.xen)
		skip("needs Xen/Basalt");
	peer = (uint16_t)cmdline_u64("peer", 0);
	if (!peer || !cmdline_str("role", role, sizeof(role)))
		skip("needs role= and peer= (see manifest.txt)");
	if (!strcmp(role, "grant"))
		role_grant();
	else if (!strcmp(role, "map"))
		role_map();
	else if (!strcmp(role, "hold"))
		role_hold();
	else if (!strcmp(role, "crash"))
		role_crash();
	fail("unknown role %s", role);
}
