/*
 * gnttab: grant tables (version 1) within one domain, with Xen's semantics,
 * errno values and GNTST codes:
 *   query_size (1 frame, at most 64: xl's default max_grant_frames),
 *   set_version (1 accepted, 2 refused -ENOSYS with version 1 written back,
 *   others -EINVAL), get_version, setup_table (frames not mapped read ~0;
 *   past the maximum GNTST_general_error), add_to_physmap of grant frames
 *   (the table is really there: an entry written through it is honoured;
 *   growth; frame 64 and the status bit -EINVAL), copy and map/unmap of a
 *   grant to ourselves (data through the mapping both ways, GTF_reading /
 *   GTF_writing while in use, a read-only mapping the hypervisor cannot
 *   write through, nothing left after unmap), and the refusals: bad
 *   pointers -EFAULT, bad refs GNTST_bad_gntref, unknown domains
 *   GNTST_bad_domain / -ESRCH, another domain's table
 *   GNTST_permission_denied / -EPERM, transfer -EOPNOTSUPP, dump_table
 *   -ENOSYS, count != 1 -EINVAL.
 * Options: max_frames= (64) the domain's max_grant_frames, no_maptrack=1
 * for a domain with max_maptrack_frames = 0 (every map is then
 * GNTST_no_device_space). Xen/Basalt only (SKIP without).
 */
#include "guest.h"
#include "xen-gnttab.h"

const char test_name[] = TEST_NAME;

#define GT_GPA 0x80000000ull  /* grant frame 0 (beyond RAM, inside the boot map) */
#define GT5_GPA 0x80005000ull /* grant frame 5 */
#define MAP_GPA 0x80200000ull /* where we map grants */
#define BAD BAD_GUEST_PTR
#define NOBODY 0x7000 /* a domain id nobody has */

static uint8_t page[4096] __attribute__((aligned(4096)));
static uint8_t buf[4096] __attribute__((aligned(4096)));
static uint32_t max_frames;

static void table_checks(uint16_t self)
{
	static struct gnttab_query_size q;
	static struct gnttab_setup_table s;
	static uint32_t version[2];
	static unsigned long frames[2]; /* xen_pfn_t */

	long rc;

	/* (each call before its check: the check's arguments show the results) */
	q = (struct gnttab_query_size){ .dom = 0x7ff0 };
	rc = gnttab_op(GNTTABOP_query_size, &q, 1);
	check(rc == 0 && q.status == GNTST_okay && q.nr_frames == 1 && q.max_nr_frames == max_frames,
	      "query_size: status %d, %u frames of at most %u", q.status, q.nr_frames, q.max_nr_frames);
	q.dom = NOBODY;
	rc = gnttab_op(GNTTABOP_query_size, &q, 1);
	check(rc == 0 && q.status == GNTST_bad_domain, "query_size of an unknown domain: GNTST_bad_domain (%d)",
	      q.status);
	check(gnttab_op(GNTTABOP_query_size, &q, 2) == -XEN_EINVAL, "query_size with count 2: -EINVAL");
	check(gnttab_op(GNTTABOP_query_size, BAD, 1) == -XEN_EFAULT, "query_size with a bad pointer: -EFAULT");

	version[0] = 1;
	check(gnttab_op(GNTTABOP_set_version, version, 1) == 0 && version[0] == 1, "set_version 1: 0");
	version[0] = 2;
	rc = gnttab_op(GNTTABOP_set_version, version, 1);
	check(rc == -XEN_ENOSYS && version[0] == 1, "set_version 2: -ENOSYS, version 1 written back (%u)", version[0]);
	version[0] = 7;
	check(gnttab_op(GNTTABOP_set_version, version, 1) == -XEN_EINVAL, "set_version 7: -EINVAL");
	version[0] = 0x7ff0; /* dom DOMID_SELF, pad 0 */
	version[1] = 0;
	check(gnttab_op(GNTTABOP_get_version, version, 1) == 0 && version[1] == 1, "get_version: 1");
	version[0] = NOBODY;
	check(gnttab_op(GNTTABOP_get_version, version, 1) == -XEN_ESRCH, "get_version of an unknown domain: -ESRCH");

	s = (struct gnttab_setup_table){ .dom = 0x7ff0, .nr_frames = 1, .frame_list = (uintptr_t)frames };
	frames[0] = 0;
	rc = gnttab_op(GNTTABOP_setup_table, &s, 1);
	check(rc == 0 && s.status == GNTST_okay && frames[0] == ~0ul,
	      "setup_table before add_to_physmap: frame 0 is nowhere (%#llx)", (unsigned long long)frames[0]);
	check(map_grant_frame(0, GT_GPA) == 0, "add_to_physmap(grant_table, 0) at %#llx", GT_GPA);
	rc = gnttab_op(GNTTABOP_setup_table, &s, 1);
	check(rc == 0 && s.status == GNTST_okay && frames[0] == GT_GPA >> 12, "setup_table: frame 0 at gfn %#llx",
	      (unsigned long long)frames[0]);
	s.frame_list = (uintptr_t)BAD;
	rc = gnttab_op(GNTTABOP_setup_table, &s, 1);
	check(rc == 0 && s.status == GNTST_bad_virt_addr, "setup_table with a bad frame list: GNTST_bad_virt_addr (%d)",
	      s.status);
	s.frame_list = (uintptr_t)frames;
	s.nr_frames = max_frames + 1;
	rc = gnttab_op(GNTTABOP_setup_table, &s, 1);
	check(rc == 0 && s.status == GNTST_general_error, "setup_table of max + 1 frames: GNTST_general_error (%d)",
	      s.status);
	s.nr_frames = 1;
	s.dom = NOBODY;
	rc = gnttab_op(GNTTABOP_setup_table, &s, 1);
	check(rc == 0 && s.status == GNTST_bad_domain, "setup_table of an unknown domain: GNTST_bad_domain (%d)",
	      s.status);

	check(map_grant_frame(max_frames, GT5_GPA) == -XEN_EINVAL, "add_to_physmap of frame %u (the maximum): -EINVAL",
	      max_frames);
	check(map_grant_frame(0 | XENMAPIDX_grant_table_status, GT5_GPA) == -XEN_EINVAL,
	      "add_to_physmap of a status frame (v2 only): -EINVAL");
	check(map_grant_frame(5, GT5_GPA) == 0, "add_to_physmap of frame 5 grows the table");
	q.dom = self;
	rc = gnttab_op(GNTTABOP_query_size, &q, 1);
	check(rc == 0 && q.status == GNTST_okay && q.nr_frames == 6, "query_size: now %u frames", q.nr_frames);
	check(gnttab_op(GNTTABOP_transfer, &q, 1) == -XEN_EOPNOTSUPP, "transfer: -EOPNOTSUPP");
	check(gnttab_op(GNTTABOP_dump_table, &q, 1) == -XEN_ENOSYS, "dump_table: -ENOSYS");
}

static void self_grant_checks(uint16_t self)
{
	struct grant_entry_v1 *gt = (struct grant_entry_v1 *)(uintptr_t)GT_GPA;
	struct grant_entry_v1 *gt5 = (struct grant_entry_v1 *)(uintptr_t)GT5_GPA;
	volatile uint8_t *m = (volatile uint8_t *)(uintptr_t)MAP_GPA;
	uint32_t h, h2;

	for (unsigned i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)(i * 13 + 1);
	check(grant_copy(self, 8, 0, 0x7ff0, (uintptr_t)buf >> 12, 0, 16, GNTCOPY_source_gref) == GNTST_general_error,
	      "copy from an empty entry: GNTST_general_error");
	grant_access(gt, 8, self, (uintptr_t)page, false);
	grant_access(gt5, 7, self, (uintptr_t)page, true); /* ref 5 * 512 + 7 */
	memset(buf, 0, sizeof(buf));
	check(grant_copy(self, 8, 100, 0x7ff0, (uintptr_t)buf >> 12, 200, 1000, GNTCOPY_source_gref) == GNTST_okay &&
		      memcmp(buf + 200, page + 100, 1000) == 0 && buf[199] == 0 && buf[1200] == 0,
	      "copy of 1000 bytes through the grant written in frame 0 (mapped by add_to_physmap)");
	check(grant_copy(self, 5 * 512 + 7, 0, 0x7ff0, (uintptr_t)buf >> 12, 0, 8, GNTCOPY_source_gref) == GNTST_okay,
	      "copy through an entry of frame 5");
	check(gt[8].flags == GTF_permit_access, "no GTF_reading/GTF_writing left after a copy (flags %#x)",
	      gt[8].flags);
	check(grant_copy(0x7ff0, (uintptr_t)buf >> 12, 0, self, 5 * 512 + 7, 0, 8, GNTCOPY_dest_gref) ==
		      GNTST_general_error,
	      "copy into a read-only grant: GNTST_general_error");
	check(grant_copy(self, 8, 4000, 0x7ff0, (uintptr_t)buf >> 12, 0, 100, GNTCOPY_source_gref) ==
		      GNTST_bad_copy_arg,
	      "copy past the end of the page: GNTST_bad_copy_arg");
	check(grant_copy(self, 6 * 512, 0, 0x7ff0, (uintptr_t)buf >> 12, 0, 1, GNTCOPY_source_gref) == GNTST_bad_gntref,
	      "copy from ref %u (beyond 6 frames): GNTST_bad_gntref", 6 * 512);
	check(grant_copy(NOBODY, 8, 0, 0x7ff0, (uintptr_t)buf >> 12, 0, 1, GNTCOPY_source_gref) == GNTST_bad_domain,
	      "copy from an unknown domain: GNTST_bad_domain");
	check(grant_copy(self, (uintptr_t)page >> 12, 0, 0x7ff0, (uintptr_t)buf >> 12, 0, 1, 0) ==
		      GNTST_permission_denied,
	      "a frame named with our id instead of DOMID_SELF: GNTST_permission_denied");
	check(grant_copy(0x7ff0, 0x7000000, 0, 0x7ff0, (uintptr_t)buf >> 12, 0, 1, 0) == GNTST_bad_page,
	      "copy from a frame that is not RAM: GNTST_bad_page");
	check(gnttab_op(GNTTABOP_copy, BAD, 1) == -XEN_EFAULT, "copy with a bad pointer: -EFAULT");

	/* map it writable at MAP_GPA */
	check(grant_map(0x7ff0, 8, false, MAP_GPA, &h) == GNTST_bad_domain, "map with DOMID_SELF: GNTST_bad_domain");
	check(grant_map(NOBODY, 8, false, MAP_GPA, &h) == GNTST_bad_domain, "map from an unknown domain");
	if (cmdline_u64("no_maptrack", 0)) {
		check(grant_map(self, 8, false, MAP_GPA, &h) == GNTST_no_device_space,
		      "max_maptrack_frames = 0: map is GNTST_no_device_space");
		return; /* (checked before the ref, as on Xen) */
	}
	check(grant_map(self, 100000, false, MAP_GPA, &h) == GNTST_bad_gntref, "map of ref 100000: GNTST_bad_gntref");
	check(grant_map(self, 5 * 512 + 7, false, MAP_GPA, &h) == GNTST_general_error,
	      "writable map of a read-only grant: GNTST_general_error");
	check(gnttab_op(GNTTABOP_map_grant_ref, BAD, 1) == -XEN_EFAULT, "map with a bad pointer: -EFAULT");
	check(!hv_can_read((const void *)m), "nothing at %#llx before the map", MAP_GPA);
	if (!check(grant_map(self, 8, false, MAP_GPA, &h) == GNTST_okay, "map ref 8 writable at %#llx", MAP_GPA))
		return;
	check(gt[8].flags == (GTF_permit_access | GTF_reading | GTF_writing), "mapped: GTF_reading|GTF_writing (%#x)",
	      gt[8].flags);
	check(!grant_end(gt, 8), "the grant cannot be taken back while mapped");
	check(m[100] == page[100] && m[4095] == page[4095], "the mapping shows the granted page");
	m[5] = 0xee;
	__asm__ volatile("" ::: "memory"); /* page aliases m: read it after the store */
	check(page[5] == 0xee, "a write through the mapping lands in the granted page");
	check(grant_unmap(MAP_GPA, h + 1000) == GNTST_bad_handle, "unmap of a bad handle: GNTST_bad_handle");
	check(grant_unmap(MAP_GPA + 0x1000, h) == GNTST_general_error,
	      "unmap at an address that does not map it: GNTST_general_error");
	check(grant_unmap(MAP_GPA, h) == GNTST_okay, "unmap");
	check(gt[8].flags == GTF_permit_access, "unmapped: flags back to %#x", gt[8].flags);
	check(!hv_can_read((const void *)m), "nothing at %#llx after the unmap", MAP_GPA);
	check(grant_unmap(MAP_GPA, h) == GNTST_bad_handle, "a second unmap: GNTST_bad_handle");

	/* read-only */
	if (!check(grant_map(self, 5 * 512 + 7, true, MAP_GPA, &h2) == GNTST_okay, "map ref %u read-only", 5 * 512 + 7))
		return;
	check(gt5[7].flags == (GTF_permit_access | GTF_readonly | GTF_reading), "read-only map: GTF_reading only (%#x)",
	      gt5[7].flags);
	check(hv_can_read((const void *)m) && m[6] == page[6], "the read-only mapping reads");
	check(!hv_can_write((void *)m) && page[0] == 1, "the hypervisor cannot write through it (-EFAULT)");
	check(grant_unmap(MAP_GPA, h2) == GNTST_okay && gt5[7].flags == (GTF_permit_access | GTF_readonly), "unmapped");
	check(grant_end(gt, 8) && grant_end(gt5, 7), "both grants taken back");
	check(grant_copy(self, 8, 0, 0x7ff0, (uintptr_t)buf >> 12, 0, 1, GNTCOPY_source_gref) == GNTST_general_error,
	      "copy from a grant taken back: GNTST_general_error");
}

void test_main(void)
{
	uint16_t self;

	if (!env.xen)
		skip("needs Xen/Basalt");
	self = own_domid();
	max_frames = (uint32_t)cmdline_u64("max_frames", 64);
	if (self == 0x7ff0)
		skip("the HVM CPUID leaf gives no domain id");
	table_checks(self);
	self_grant_checks(self);
	checks_verdict();
}
