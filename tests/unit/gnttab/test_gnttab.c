/*
 * Grant tables (common/grant_table.c): table setup, growth and limits,
 * versions, map/unmap with every permission rule and the shared-entry
 * flags and pins they leave, copy with its bounds and errors, batches and
 * bad pointers, swap, what a domain's death undoes, and the compat
 * (i386) layouts of a 32-bit caller.
 *
 * Domains: slot 0 is the privileged domain 0; slot 1 (id 1, "A") grants,
 * slot 2 (id 2, "B") maps and copies, slot 3 (id 3, "C") is a bystander.
 * A's table may grow to 4 frames; the others to 64.
 */
#include "fake_env.h"
#include "fuzzrand.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>

static struct fake_dom *d0, *a, *b, *c;

#define HOST_GFN 200 /* where B maps grants (beyond its RAM) */

static int setup(void **state)
{
	(void)state;
	d0 = fake_dom_create(0, 0, true, 64, 16);
	a = fake_dom_create(1, 1, false, 4, 16);
	b = fake_dom_create(2, 2, false, 64, 16);
	c = fake_dom_create(3, 3, false, 64, 16);
	return 0;
}

static int16_t query(struct fake_dom *f, domid_t dom, uint32_t *nr, uint32_t *max)
{
	struct gnttab_query_size q = { .dom = dom, .status = 99 };

	assert_int_equal(gop(f, GNTTABOP_query_size, &q, 1), 0);
	*nr = q.nr_frames;
	*max = q.max_nr_frames;
	return q.status;
}

static void test_query_size(void **state)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	uint32_t nr, max;

	assert_int_equal(query(a, DOMID_SELF, &nr, &max), GNTST_okay);
	assert_int_equal(nr, 1); /* one frame from the start, as on Xen */
	assert_int_equal(max, 4);
	assert_int_equal(query(a, 1, &nr, &max), GNTST_okay);
	assert_int_equal(query(a, 2, &nr, &max), GNTST_permission_denied);
	assert_int_equal(query(a, 77, &nr, &max), GNTST_bad_domain);
	assert_int_equal(query(d0, 1, &nr, &max), GNTST_okay); /* privileged */
	assert_int_equal(max, 4);
	assert_int_equal(gop(a, GNTTABOP_query_size, &q, 2), -XEN_EINVAL);
	assert_int_equal(gop(a, GNTTABOP_query_size, &q, 0), -XEN_EINVAL);
	assert_int_equal(gnttab_op(&a->gd, a, GNTTABOP_query_size, FAKE_BAD_PTR, 1, false), -XEN_EFAULT);
	assert_int_equal(b->refs + a->refs + c->refs + d0->refs, 0);
}

static void test_setup_table_growth_and_limits(void **state)
{
	uint64_t frames[8] = { 0 };
	struct gnttab_setup_table s = { .dom = DOMID_SELF, .nr_frames = 3, .frame_list = gptr(frames) };
	uint32_t nr, max;
	gfn_t old;
	int rc;

	memset(frames, 0, sizeof(frames));
	assert_int_equal(gop(a, GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_okay);
	for (int i = 0; i < 3; i++)
		assert_true(frames[i] == ~0ULL); /* not mapped anywhere yet */
	assert_int_equal(query(a, DOMID_SELF, &nr, &max), GNTST_okay);
	assert_int_equal(nr, 3);

	/* add_to_physmap's side: frame 1 at gfn 100, then moved to 101 */
	assert_non_null(gnttab_map_frame(&a->gd, 1, _gfn(100), &old, &rc));
	assert_true(gfn_x(old) == gfn_x(INVALID_GFN));
	assert_non_null(gnttab_map_frame(&a->gd, 1, _gfn(101), &old, &rc));
	assert_int_equal(gfn_x(old), 100);
	assert_int_equal(gop(a, GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(frames[1], 101);

	/* beyond max_grant_frames */
	s.nr_frames = 5;
	assert_int_equal(gop(a, GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_general_error);
	assert_int_equal(query(a, DOMID_SELF, &nr, &max), GNTST_okay);
	assert_int_equal(nr, 3);
	assert_null(gnttab_map_frame(&a->gd, 4, _gfn(102), &old, &rc));
	assert_int_equal(rc, -XEN_EINVAL);
	assert_null(gnttab_map_frame(&a->gd, 0 | XENMAPIDX_grant_table_status, _gfn(102), &old, &rc));
	assert_int_equal(rc, -XEN_EINVAL);
	/* mapping frame 3 grows the table to its maximum */
	assert_non_null(gnttab_map_frame(&a->gd, 3, _gfn(102), &old, &rc));
	assert_int_equal(query(a, DOMID_SELF, &nr, &max), GNTST_okay);
	assert_int_equal(nr, 4);

	/* other domains, bad frame list, bad pointer */
	s.nr_frames = 1;
	s.dom = 2;
	assert_int_equal(gop(a, GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_permission_denied);
	s.dom = 99;
	assert_int_equal(gop(a, GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_bad_domain);
	s.dom = DOMID_SELF;
	s.frame_list = FAKE_BAD_PTR;
	assert_int_equal(gop(a, GNTTABOP_setup_table, &s, 1), 0);
	assert_int_equal(s.status, GNTST_bad_virt_addr);
	assert_int_equal(gnttab_op(&a->gd, a, GNTTABOP_setup_table, FAKE_BAD_PTR, 1, false), -XEN_EFAULT);
	assert_int_equal(gop(a, GNTTABOP_setup_table, &s, 2), -XEN_EINVAL);
	s.dom = 2;
	s.frame_list = gptr(frames);
	s.nr_frames = 2;
	assert_int_equal(gop(d0, GNTTABOP_setup_table, &s, 1), 0); /* privileged: another's */
	assert_int_equal(s.status, GNTST_okay);
	assert_int_equal(query(b, DOMID_SELF, &nr, &max), GNTST_okay);
	assert_int_equal(nr, 2);
}

static void test_versions(void **state)
{
	struct gnttab_set_version sv = { .version = 1 };
	struct gnttab_get_version gv = { .dom = DOMID_SELF };

	assert_int_equal(gop(a, GNTTABOP_set_version, &sv, 1), 0);
	assert_int_equal(sv.version, 1);
	sv.version = 2;
	assert_int_equal(gop(a, GNTTABOP_set_version, &sv, 1), -XEN_ENOSYS);
	assert_int_equal(sv.version, 1); /* the version in force comes back */
	sv.version = 0;
	assert_int_equal(gop(a, GNTTABOP_set_version, &sv, 1), -XEN_EINVAL);
	sv.version = 3;
	assert_int_equal(gop(a, GNTTABOP_set_version, &sv, 1), -XEN_EINVAL);
	assert_int_equal(gop(a, GNTTABOP_set_version, &sv, 2), -XEN_EINVAL);
	assert_int_equal(gnttab_op(&a->gd, a, GNTTABOP_set_version, FAKE_BAD_PTR, 1, false), -XEN_EFAULT);

	assert_int_equal(gop(a, GNTTABOP_get_version, &gv, 1), 0);
	assert_int_equal(gv.version, 1);
	gv.dom = 2;
	assert_int_equal(gop(a, GNTTABOP_get_version, &gv, 1), -XEN_EPERM);
	gv.dom = 77;
	assert_int_equal(gop(a, GNTTABOP_get_version, &gv, 1), -XEN_ESRCH);
	gv.dom = 1;
	gv.version = 0;
	assert_int_equal(gop(d0, GNTTABOP_get_version, &gv, 1), 0);
	assert_int_equal(gv.version, 1);
	assert_int_equal(gnttab_op(&a->gd, a, GNTTABOP_get_version, FAKE_BAD_PTR, 1, false), -XEN_EFAULT);
	assert_int_equal(a->refs + d0->refs, 0);
}

static void test_other_ops(void **state)
{
	struct gnttab_transfer t = { .domid = 2 };
	struct gnttab_get_status_frames sf = { .nr_frames = 1, .dom = DOMID_SELF };

	assert_int_equal(gop(a, GNTTABOP_transfer, &t, 1), -XEN_EOPNOTSUPP);
	assert_int_equal(gop(a, GNTTABOP_dump_table, &t, 1), -XEN_ENOSYS);
	assert_int_equal(gop(a, GNTTABOP_cache_flush, &t, 1), -XEN_ENOSYS);
	assert_int_equal(gop(a, 13, &t, 1), -XEN_ENOSYS);
	assert_int_equal(gop(a, GNTTABOP_copy | 0x1000, &t, 1), -XEN_EINVAL); /* continuation bits */
	assert_int_equal(gop(a, GNTTABOP_copy, &t, 0x80000000u), -XEN_EINVAL);
	assert_int_equal(gop(a, GNTTABOP_copy, &t, GNTTAB_MAX_BATCH + 1), -XEN_EINVAL);
	assert_int_equal(gop(a, GNTTABOP_copy, &t, 0), 0);
	assert_int_equal(gop(a, GNTTABOP_get_status_frames, &sf, 1), 0);
	assert_int_equal(sf.status, GNTST_general_error); /* version 1 has none */
	sf.dom = 66;
	assert_int_equal(gop(a, GNTTABOP_get_status_frames, &sf, 1), 0);
	assert_int_equal(sf.status, GNTST_bad_domain);
}

static void test_map_permissions(void **state)
{
	grant_handle_t h;

	grant(a, 10, 2, 5, GTF_permit_access);
	grant(a, 11, 2, 6, GTF_permit_access | GTF_readonly);
	grant(a, 12, 3, 7, GTF_permit_access); /* for C */
	grant(a, 13, 2, 8, GTF_invalid);
	grant(a, 14, 2, 9, GTF_accept_transfer);
	grant(a, 15, 2, 9, GTF_permit_access | GTF_sub_page);
	grant(a, 16, 2, 150, GTF_permit_access);      /* not RAM */
	grant(a, 17, 2, HOST_GFN, GTF_permit_access); /* filled below with a foreign mapping */

	assert_int_equal(map(b, 1, 512, GNTMAP_host_map, HOST_GFN, &h), GNTST_bad_gntref);
	assert_int_equal(map(b, 1, 0xffffffffu, GNTMAP_host_map, HOST_GFN, &h), GNTST_bad_gntref);
	assert_int_equal(map(b, 1, 10, 0, HOST_GFN, &h), GNTST_bad_gntref); /* no kind of mapping */
	assert_int_equal(map(b, 1, 10, GNTMAP_host_map | GNTMAP_device_map, HOST_GFN, &h), GNTST_general_error);
	assert_int_equal(map(b, 1, 10, GNTMAP_host_map | GNTMAP_application_map, HOST_GFN, &h), GNTST_general_error);
	assert_int_equal(map(b, 1, 10, GNTMAP_host_map | GNTMAP_contains_pte, HOST_GFN, &h), GNTST_general_error);
	assert_int_equal(map(b, DOMID_SELF, 10, GNTMAP_host_map, HOST_GFN, &h), GNTST_bad_domain);
	assert_int_equal(map(b, 77, 10, GNTMAP_host_map, HOST_GFN, &h), GNTST_bad_domain);
	assert_int_equal(map(b, 1, 11, GNTMAP_host_map, HOST_GFN, &h), GNTST_general_error); /* r/o grant */
	assert_int_equal(map(b, 1, 12, GNTMAP_host_map, HOST_GFN, &h), GNTST_general_error); /* for C */
	assert_int_equal(map(b, 1, 13, GNTMAP_host_map, HOST_GFN, &h), GNTST_general_error); /* invalid */
	assert_int_equal(map(b, 1, 14, GNTMAP_host_map, HOST_GFN, &h), GNTST_general_error); /* transfer */
	assert_int_equal(map(b, 1, 15, GNTMAP_host_map | GNTMAP_readonly, HOST_GFN, &h), GNTST_general_error);
	assert_int_equal(map(b, 1, 16, GNTMAP_host_map, HOST_GFN, &h), GNTST_bad_page);
	assert_int_equal(map(b, 1, 10, GNTMAP_host_map, FAKE_GFNS, &h), GNTST_general_error); /* p2m refuses */
	/* none of the failures left a flag, a pin, a mapping or a reference */
	for (grant_ref_t r = 10; r <= 16; r++) {
		assert_int_equal(grant_flags(a, r) & (GTF_reading | GTF_writing), 0);
		assert_int_equal(a->gd.active[0][r].host_r + a->gd.active[0][r].host_w, 0);
	}
	assert_true(mfn_eq(b->p2m[HOST_GFN].mfn, INVALID_MFN));
	assert_int_equal(a->refs, 0);
	assert_int_equal(b->gd.maptrack_used, 0);

	/* a foreign frame mapped by A cannot be granted on */
	assert_int_equal(map(a, 3, 0, GNTMAP_host_map, HOST_GFN, &h), GNTST_general_error);
	grant(c, 0, 1, 4, GTF_permit_access);
	assert_int_equal(map(a, 3, 0, GNTMAP_host_map, HOST_GFN, &h), GNTST_okay);
	assert_int_equal(map(b, 1, 17, GNTMAP_host_map, HOST_GFN, NULL), GNTST_bad_page);
	assert_int_equal(unmap(a, HOST_GFN, h), GNTST_okay);
	assert_int_equal(c->refs, 0);

	/* the readonly one maps read-only; the sub-page one is copyable (v1) */
	assert_int_equal(map(b, 1, 11, GNTMAP_host_map | GNTMAP_readonly, HOST_GFN, &h), GNTST_okay);
	assert_true(b->p2m[HOST_GFN].readonly);
	assert_true(mfn_eq(b->p2m[HOST_GFN].mfn, fake_ram_mfn(a, 6)));
	assert_int_equal(grant_flags(a, 11), GTF_permit_access | GTF_readonly | GTF_reading);
	assert_int_equal(unmap(b, HOST_GFN, h), GNTST_okay);
	assert_int_equal(grant_flags(a, 11), GTF_permit_access | GTF_readonly);
	assert_int_equal(copy(b, &(struct gnttab_copy){ .source = { .u.ref = 15, .domid = 1 },
							.dest = { .u.gmfn = 3, .domid = DOMID_SELF },
							.len = 8,
							.flags = GNTCOPY_source_gref }),
			 GNTST_okay);
	assert_int_equal(a->refs, 0);
}

static void test_map_unmap_pins(void **state)
{
	grant_handle_t hw, hr, h;
	struct gnttab_unmap_and_replace r;
	uint16_t rw = GTF_reading | GTF_writing;

	grant(a, 20, 2, 5, GTF_permit_access);
	a->ram[5][0] = 0x5a;
	assert_int_equal(map(b, 1, 20, GNTMAP_host_map, HOST_GFN, &hw), GNTST_okay);
	assert_int_equal(grant_flags(a, 20) & rw, rw);
	assert_true(mfn_eq(b->p2m[HOST_GFN].mfn, fake_ram_mfn(a, 5)));
	assert_false(b->p2m[HOST_GFN].readonly);
	assert_int_equal(a->refs, 1);
	assert_int_equal(map(b, 1, 20, GNTMAP_host_map | GNTMAP_readonly, HOST_GFN + 1, &hr), GNTST_okay);
	assert_int_not_equal(hr, hw);
	assert_int_equal(a->gd.active[0][20].host_w, 1);
	assert_int_equal(a->gd.active[0][20].host_r, 1);
	assert_int_equal(a->refs, 2);
	/* C may not use a grant B holds (nor one made for B) */
	assert_int_equal(map(c, 1, 20, GNTMAP_host_map | GNTMAP_readonly, HOST_GFN, &h), GNTST_general_error);

	/* unmap: host_addr 0 does nothing; a wrong address fails; bad handles */
	assert_int_equal(unmap(b, 0, hw), GNTST_okay);
	assert_int_equal(a->gd.active[0][20].host_w, 1);
	assert_int_equal(unmap(b, 7, hw), GNTST_general_error); /* B's RAM, not the grant */
	assert_int_equal(unmap(b, HOST_GFN, 5000), GNTST_bad_handle);
	assert_int_equal(unmap(b, HOST_GFN, 17), GNTST_bad_handle); /* allocated chunk, unused */
	r = (struct gnttab_unmap_and_replace){ .host_addr = HOST_GFN << 12, .new_addr = 0x1000, .handle = hw };
	assert_int_equal(gop(b, GNTTABOP_unmap_and_replace, &r, 1), 0);
	assert_int_equal(r.status, GNTST_general_error); /* nothing to put back in an HVM domain */

	/* dropping the writable pin clears GTF_writing only */
	r.new_addr = 0;
	assert_int_equal(gop(b, GNTTABOP_unmap_and_replace, &r, 1), 0);
	assert_int_equal(r.status, GNTST_okay);
	assert_true(mfn_eq(b->p2m[HOST_GFN].mfn, INVALID_MFN));
	assert_int_equal(grant_flags(a, 20) & rw, GTF_reading);
	assert_int_equal(unmap(b, HOST_GFN, hw), GNTST_bad_handle); /* gone */
	assert_int_equal(unmap(b, HOST_GFN + 1, hr), GNTST_okay);
	assert_int_equal(grant_flags(a, 20) & rw, 0);
	assert_int_equal(a->refs, 0);
	assert_int_equal(b->gd.maptrack_used, 0);

	/* the granter takes it back (its cmpxchg would see no flags): a new map fails */
	grant(a, 20, 2, 5, GTF_invalid);
	assert_int_equal(map(b, 1, 20, GNTMAP_host_map, HOST_GFN, &h), GNTST_general_error);

	/* pin counts saturate at GNTTAB_PIN_MAX */
	grant(a, 21, 2, 6, GTF_permit_access | GTF_readonly);
	for (int i = 0; i < GNTTAB_PIN_MAX; i++)
		assert_int_equal(map(b, 1, 21, GNTMAP_host_map | GNTMAP_readonly, HOST_GFN, NULL), GNTST_okay);
	assert_int_equal(map(b, 1, 21, GNTMAP_host_map | GNTMAP_readonly, HOST_GFN, NULL), GNTST_general_error);
	assert_int_equal(a->refs, GNTTAB_PIN_MAX);
	gnttab_release_mappings(&b->gd);
	assert_int_equal(a->refs, 0);
	assert_int_equal(grant_flags(a, 21), GTF_permit_access | GTF_readonly);
}

static void test_maptrack_limit(void **state)
{
	struct fake_dom *small;
	grant_handle_t h;

	fake_dom_destroy(c);
	small = fake_dom_create(3, 3, false, 1, 1);
	grant(a, 30, 3, 5, GTF_permit_access | GTF_readonly);
	for (unsigned int i = 0; i < GNTTAB_MAPTRACK_PER_FRAME; i++) {
		grant(a, 100 + i, 3, 5, GTF_permit_access | GTF_readonly);
		assert_int_equal(map(small, 1, 100 + i, GNTMAP_host_map | GNTMAP_readonly, 10, &h), GNTST_okay);
	}
	assert_int_equal(map(small, 1, 30, GNTMAP_host_map | GNTMAP_readonly, 10, &h), GNTST_no_device_space);
	assert_int_equal(a->refs, GNTTAB_MAPTRACK_PER_FRAME);
	assert_int_equal(unmap(small, 10, 7), GNTST_okay);
	assert_int_equal(map(small, 1, 30, GNTMAP_host_map | GNTMAP_readonly, 10, &h), GNTST_okay);
	assert_int_equal(h, 7);	 /* the freed handle again */
	fake_dom_destroy(small); /* releases its mappings first */
	assert_int_equal(a->refs, 0);

	small = fake_dom_create(3, 3, false, 1, 0);
	assert_int_equal(map(small, 1, 30, GNTMAP_host_map | GNTMAP_readonly, 10, &h), GNTST_no_device_space);
	assert_int_equal(a->refs, 0);
}

static void test_copy(void **state)
{
	struct gnttab_copy op;

	for (int i = 0; i < 4096; i++)
		a->ram[5][i] = (uint8_t)(i * 7);
	grant(a, 40, 2, 5, GTF_permit_access | GTF_readonly);
	grant(a, 41, 2, 6, GTF_permit_access);
	grant(a, 42, 3, 6, GTF_permit_access);

	/* grant -> own frame, with offsets */
	op = (struct gnttab_copy){ .source = { .u.ref = 40, .domid = 1, .offset = 100 },
				   .dest = { .u.gmfn = 9, .domid = DOMID_SELF, .offset = 10 },
				   .len = 3000,
				   .flags = GNTCOPY_source_gref };
	assert_int_equal(copy(b, &op), GNTST_okay);
	assert_memory_equal(b->ram[9] + 10, a->ram[5] + 100, 3000);
	assert_int_equal(b->ram[9][9], 0);
	assert_int_equal(grant_flags(a, 40), GTF_permit_access | GTF_readonly); /* unpinned again */
	assert_int_equal(a->refs, 0);

	/* own frame -> writable grant; grant -> grant */
	memset(b->ram[3], 0xc3, 4096);
	op = (struct gnttab_copy){ .source = { .u.gmfn = 3, .domid = DOMID_SELF },
				   .dest = { .u.ref = 41, .domid = 1 },
				   .len = 4096,
				   .flags = GNTCOPY_dest_gref };
	assert_int_equal(copy(b, &op), GNTST_okay);
	assert_int_equal(a->ram[6][4095], 0xc3);
	assert_int_equal(grant_flags(a, 41), GTF_permit_access);
	op = (struct gnttab_copy){ .source = { .u.ref = 40, .domid = 1 },
				   .dest = { .u.ref = 41, .domid = 1, .offset = 4095 },
				   .len = 1,
				   .flags = GNTCOPY_source_gref | GNTCOPY_dest_gref };
	assert_int_equal(copy(b, &op), GNTST_okay);
	assert_int_equal(a->ram[6][4095], a->ram[5][0]);

	/* errors */
	op.dest.offset = 4095;
	op.len = 2;
	assert_int_equal(copy(b, &op), GNTST_bad_copy_arg);
	op.dest.offset = 0;
	op.source.offset = 4000;
	op.len = 97;
	assert_int_equal(copy(b, &op), GNTST_bad_copy_arg);
	op.source.offset = 0;
	op.len = 16;
	op.dest.u.ref = 40; /* read-only grant as the destination */
	assert_int_equal(copy(b, &op), GNTST_general_error);
	assert_int_equal(grant_flags(a, 40), GTF_permit_access | GTF_readonly); /* the source pin undone */
	op.dest.u.ref = 42;							/* C's grant */
	assert_int_equal(copy(b, &op), GNTST_general_error);
	op.dest.u.ref = 4096;
	assert_int_equal(copy(b, &op), GNTST_bad_gntref);
	op.dest.u.ref = 41;
	op.dest.domid = 99;
	assert_int_equal(copy(b, &op), GNTST_bad_domain);
	op.dest.domid = 1;
	op.flags = GNTCOPY_source_gref; /* dest is a frame of domain 1: only DOMID_SELF may name frames */
	assert_int_equal(copy(b, &op), GNTST_permission_denied);
	op.dest.domid = DOMID_SELF;
	op.dest.u.gmfn = 150; /* not B's RAM */
	assert_int_equal(copy(b, &op), GNTST_bad_page);
	op.dest.u.gmfn = 1ULL << 40;
	assert_int_equal(copy(b, &op), GNTST_bad_page);
	assert_int_equal(grant_flags(a, 40), GTF_permit_access | GTF_readonly);
	assert_int_equal(grant_flags(a, 41), GTF_permit_access);
	assert_int_equal(a->refs, 0);
}

static void test_copy_batch_fault(void **state)
{
	struct gnttab_copy ops[3];

	grant(a, 50, 2, 5, GTF_permit_access | GTF_readonly);
	for (int i = 0; i < 3; i++)
		ops[i] = (struct gnttab_copy){ .source = { .u.ref = 50, .domid = 1 },
					       .dest = { .u.gmfn = 10 + i, .domid = DOMID_SELF },
					       .len = 64,
					       .flags = GNTCOPY_source_gref,
					       .status = 99 };
	a->ram[5][0] = 0x77;
	fake_bad_lo = gptr(&ops[1]);
	fake_bad_hi = fake_bad_lo + 1;
	assert_int_equal(gop(b, GNTTABOP_copy, ops, 3), -XEN_EFAULT);
	assert_int_equal(ops[0].status, GNTST_okay);
	assert_int_equal(b->ram[10][0], 0x77);
	assert_int_equal(ops[2].status, 99);
	assert_int_equal(b->ram[12][0], 0);
	fake_bad_lo = fake_bad_hi = 0;
	assert_int_equal(gop(b, GNTTABOP_copy, ops, 3), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ops[i].status, GNTST_okay);
	assert_int_equal(gnttab_op(&b->gd, b, GNTTABOP_map_grant_ref, FAKE_BAD_PTR, 1, false), -XEN_EFAULT);
	assert_int_equal(gnttab_op(&b->gd, b, GNTTABOP_unmap_grant_ref, FAKE_BAD_PTR, 1, false), -XEN_EFAULT);
	assert_int_equal(a->refs, 0);
}

static void test_swap(void **state)
{
	struct gnttab_swap_grant_ref s = { .ref_a = 60, .ref_b = 61 };
	grant_handle_t h;

	grant(a, 60, 2, 5, GTF_permit_access);
	grant(a, 61, 3, 6, GTF_permit_access | GTF_readonly);
	assert_int_equal(gop(a, GNTTABOP_swap_grant_ref, &s, 1), 0);
	assert_int_equal(s.status, GNTST_okay);
	assert_int_equal(grant_flags(a, 60), GTF_permit_access | GTF_readonly);
	assert_int_equal(map(c, 1, 60, GNTMAP_host_map | GNTMAP_readonly, 10, &h), GNTST_okay);
	assert_int_equal(gop(a, GNTTABOP_swap_grant_ref, &s, 1), 0);
	assert_int_equal(s.status, GNTST_eagain); /* in use */
	s.ref_b = 512;
	assert_int_equal(gop(a, GNTTABOP_swap_grant_ref, &s, 1), 0);
	assert_int_equal(s.status, GNTST_bad_gntref);
	s.ref_b = 60;
	assert_int_equal(gop(a, GNTTABOP_swap_grant_ref, &s, 1), 0);
	assert_int_equal(s.status, GNTST_okay); /* the same ref: nothing to do */
	assert_int_equal(unmap(c, 10, h), GNTST_okay);
}

/* A mapper dies: its mappings are undone and the granter's flags cleared. */
static void test_mapper_dies(void **state)
{
	grant_handle_t h;

	grant(a, 70, 2, 5, GTF_permit_access);
	grant(a, 71, 2, 6, GTF_permit_access | GTF_readonly);
	assert_int_equal(map(b, 1, 70, GNTMAP_host_map, HOST_GFN, &h), GNTST_okay);
	assert_int_equal(map(b, 1, 71, GNTMAP_host_map | GNTMAP_readonly, HOST_GFN + 1, &h), GNTST_okay);
	assert_int_equal(map(b, 2, 0, GNTMAP_host_map, HOST_GFN + 2, &h), GNTST_general_error);
	grant(b, 0, 2, 7, GTF_permit_access); /* a grant to itself, mapped by itself */
	assert_int_equal(map(b, 2, 0, GNTMAP_host_map, HOST_GFN + 2, &h), GNTST_okay);
	assert_int_equal(a->refs, 2);
	assert_int_equal(b->refs, 1);
	b->exists = false; /* dying: no new lookups */
	gnttab_release_mappings(&b->gd);
	assert_int_equal(a->refs, 0);
	assert_int_equal(b->refs, 0);
	assert_int_equal(grant_flags(a, 70), GTF_permit_access);
	assert_int_equal(grant_flags(a, 71), GTF_permit_access | GTF_readonly);
	assert_int_equal(grant_flags(b, 0), GTF_permit_access);
	for (int i = 0; i < 3; i++)
		assert_true(mfn_eq(b->p2m[HOST_GFN + i].mfn, INVALID_MFN));
	b->exists = true;
	fake_dom_destroy(b);
}

/* A granter dies while mapped: the mapper's reference keeps its table (and,
 * in the hypervisor, its memory); unmap still works and drops it. */
static void test_granter_dies(void **state)
{
	grant_handle_t h;
	struct gnttab_copy op = { .source = { .u.ref = 80, .domid = 1 },
				  .dest = { .u.gmfn = 2, .domid = DOMID_SELF },
				  .len = 8,
				  .flags = GNTCOPY_source_gref };

	grant(a, 80, 2, 5, GTF_permit_access);
	assert_int_equal(map(b, 1, 80, GNTMAP_host_map, HOST_GFN, &h), GNTST_okay);
	a->exists = false; /* dying */
	gnttab_release_mappings(&a->gd);
	assert_int_equal(a->refs, 1); /* B's mapping */
	assert_int_equal(map(b, 1, 80, GNTMAP_host_map, HOST_GFN + 1, NULL), GNTST_bad_domain);
	assert_int_equal(copy(b, &op), GNTST_bad_domain);
	assert_true(mfn_eq(b->p2m[HOST_GFN].mfn, fake_ram_mfn(a, 5)));
	assert_int_equal(unmap(b, HOST_GFN, h), GNTST_okay);
	assert_int_equal(a->refs, 0);
	a->exists = true;
	fake_dom_destroy(a);
}

/*
 * The guest protocol under concurrency: A grants a page holding a
 * generation number, then takes the grant back the way Linux does (only
 * while neither GTF_reading nor GTF_writing is set, by cmpxchg) and
 * poisons the page before the next generation. Two copiers and a mapper in
 * B use the grant meanwhile: whatever succeeds must never see the poison,
 * which it would if a pin could happen without the flags that keep the
 * granter from taking the grant back.
 */
#define POISON 0xdeaddeaddeaddeadULL
#define CONC_REF 90
static volatile bool conc_stop;
static long conc_ok[3];

static uint64_t page_word(struct fake_dom *f, unsigned int gfn)
{
	return __atomic_load_n((uint64_t *)f->ram[gfn], __ATOMIC_SEQ_CST);
}

static void *copier(void *arg)
{
	long id = (long)arg;
	struct gnttab_copy op = { .source = { .u.ref = CONC_REF, .domid = 1 },
				  .dest = { .u.gmfn = 20 + id, .domid = DOMID_SELF },
				  .len = 8,
				  .flags = GNTCOPY_source_gref };

	while (!conc_stop) {
		struct gnttab_copy o = op;

		assert_int_equal(gnttab_op(&b->gd, b, GNTTABOP_copy, gptr(&o), 1, false), 0);
		if (o.status == GNTST_okay) {
			uint64_t v = page_word(b, 20 + id);

			assert_true(v != POISON && v != 0);
			conc_ok[id]++;
		} else {
			assert_int_equal(o.status, GNTST_general_error);
		}
		sched_yield(); /* 4 threads on maybe 2 CPUs */
	}
	return NULL;
}

static void *mapper(void *arg)
{
	while (!conc_stop) {
		grant_handle_t h;

		sched_yield();
		if (map(b, 1, CONC_REF, GNTMAP_host_map | GNTMAP_readonly, HOST_GFN, &h) != GNTST_okay)
			continue;
		/* hold it a while: the granter must wait for us */
		for (int i = 0; i < 20; i++) {
			assert_true(*(volatile uint64_t *)fake_env.frame_va(b->p2m[HOST_GFN].mfn) != POISON);
			sched_yield();
		}
		assert_int_equal(unmap(b, HOST_GFN, h), GNTST_okay);
		conc_ok[2]++;
	}
	return NULL;
}

static void test_concurrent_revoke(void **state)
{
	uint32_t *w = (uint32_t *)a->gd.shared[0] + 2 * CONC_REF;
	pthread_t t[3];
	long revoked = 0;

	conc_stop = false;
	memset(conc_ok, 0, sizeof(conc_ok));
	pthread_create(&t[0], NULL, copier, (void *)0);
	pthread_create(&t[1], NULL, copier, (void *)1);
	pthread_create(&t[2], NULL, mapper, NULL);
	for (uint64_t gen = 1; gen <= 200; gen++) {
		uint32_t cur;

		__atomic_store_n((uint64_t *)a->ram[5], gen, __ATOMIC_SEQ_CST);
		grant(a, CONC_REF, 2, 5, GTF_permit_access | GTF_readonly);
		for (int i = 0; i < 50; i++)
			sched_yield();
		/* take it back: only while not in use */
		cur = __atomic_load_n(w, __ATOMIC_SEQ_CST);
		for (;;) {
			if (cur & (GTF_reading | GTF_writing)) {
				sched_yield();
				cur = __atomic_load_n(w, __ATOMIC_SEQ_CST);
				continue;
			}
			if (__atomic_compare_exchange_n(w, &cur, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				break;
		}
		revoked++;
		__atomic_store_n((uint64_t *)a->ram[5], POISON, __ATOMIC_SEQ_CST);
	}
	conc_stop = true;
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	print_message("revoked %ld times; %ld + %ld copies and %ld mappings succeeded\n", revoked, conc_ok[0],
		      conc_ok[1], conc_ok[2]);
	assert_true(conc_ok[0] + conc_ok[1] > 0 && conc_ok[2] > 0);
	assert_int_equal(a->gd.active[0][CONC_REF].host_r + a->gd.active[0][CONC_REF].host_w, 0);
	assert_int_equal(*w, 0);
	assert_int_equal(a->refs, 0);
	assert_int_equal(b->gd.maptrack_used, 0);
}

/*
 * Random operations from A, B and C on each other's tables, with grants
 * that A, B and C keep rewriting: nothing may crash or leak (ASan), every
 * result must be a known code, foreign frames in a p2m stay covered by
 * handles, and once every domain's mappings are released no pin, no in-use
 * flag and no reference may be left.
 * GNTTAB_FUZZ_SEED / GNTTAB_FUZZ_ITERS reproduce or lengthen a run.
 */
static domid_t fuzz_domid(void)
{
	static const domid_t ids[] = { 1, 2, 3, DOMID_SELF, 0, 77 };

	return ids[below(ARRAY_SIZE(ids))];
}

/* count ops of cmd at buf, random but biased towards the values that pass
 * the first checks, so that the deeper paths run too */
static void fuzz_fill(unsigned int cmd, uint8_t *buf, size_t len, unsigned int count)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)rnd();
	for (unsigned int k = 0; k < count; k++) {
		if (cmd == GNTTABOP_map_grant_ref) {
			struct gnttab_map_grant_ref *m = (struct gnttab_map_grant_ref *)buf + k;

			m->host_addr = (uint64_t)below(FAKE_GFNS + 8) << 12;
			m->flags = GNTMAP_host_map | (below(2) ? GNTMAP_readonly : 0) | (below(8) ? 0 : rnd() & 0x1f);
			m->ref = below(8) ? below(16) : (grant_ref_t)rnd();
			m->dom = fuzz_domid();
		} else if (cmd == GNTTABOP_unmap_grant_ref || cmd == GNTTABOP_unmap_and_replace) {
			struct gnttab_unmap_grant_ref *u = (struct gnttab_unmap_grant_ref *)buf + k;

			u->host_addr = below(8) ? (uint64_t)below(FAKE_GFNS + 8) << 12 : 0;
			u->dev_bus_addr = below(2) ? 0 : rnd(); /* new_addr for unmap_and_replace */
			u->handle = below(8) ? below(8) : (grant_handle_t)rnd();
		} else if (cmd == GNTTABOP_copy) {
			struct gnttab_copy *c = (struct gnttab_copy *)buf + k;
			struct gnttab_copy_ptr *p[2] = { &c->source, &c->dest };

			c->flags = (uint16_t)below(4);
			c->len = (uint16_t)(below(4) ? below(4097) : rnd());
			for (int side = 0; side < 2; side++) {
				bool gref = c->flags & (1u << side);

				p[side]->u.gmfn = gref ? below(16) : below(FAKE_RAM + 4);
				p[side]->domid = gref || below(8) == 0 ? fuzz_domid() : DOMID_SELF;
				p[side]->offset = (uint16_t)(below(4) ? below(64) : rnd());
			}
		} else if (cmd == GNTTABOP_swap_grant_ref) {
			struct gnttab_swap_grant_ref *w = (struct gnttab_swap_grant_ref *)buf + k;

			w->ref_a = below(20);
			w->ref_b = below(20);
		}
	}
}

/*
 * While a domain lives, every frame of another domain in its p2m must be
 * covered by a live mapping handle for that frame (which holds a reference
 * on its owner): at least as many handles as p2m entries, per frame. (The
 * guest chooses which address an unmap removes, as on Xen, so entries and
 * handles are not paired one to one.)
 */
static void check_foreign_entries_covered(struct fake_dom *f)
{
	unsigned int self = (unsigned int)(f - fake_doms);

	for (unsigned int g = 0; g < FAKE_GFNS; g++) {
		mfn_t m = f->p2m[g].mfn;
		unsigned int entries = 0, handles = 0;

		if (mfn_eq(m, INVALID_MFN) || mfn_x(m) / 4096 == self)
			continue;
		for (unsigned int g2 = 0; g2 < FAKE_GFNS; g2++)
			entries += mfn_eq(f->p2m[g2].mfn, m);
		for (uint32_t h = 0; h < f->gd.maptrack_frames * GNTTAB_MAPTRACK_PER_FRAME; h++) {
			struct gnttab_maptrack *t =
				&f->gd.maptrack[h / GNTTAB_MAPTRACK_PER_FRAME][h % GNTTAB_MAPTRACK_PER_FRAME];

			if (t->flags && mfn_eq(t->rd->active[t->ref / 512][t->ref % 512].mfn, m))
				handles++;
		}
		assert_true(entries <= handles);
	}
}

static void test_random_ops(void **state)
{
	static const int16_t known[] = {
		GNTST_okay,	    GNTST_general_error,     GNTST_bad_domain,	    GNTST_bad_gntref,
		GNTST_bad_handle,   GNTST_bad_virt_addr,     GNTST_no_device_space, GNTST_bad_page,
		GNTST_bad_copy_arg, GNTST_permission_denied, GNTST_eagain
	};
	struct fake_dom *doms[3] = { a, b, c };
	static const unsigned int cmds[] = { GNTTABOP_map_grant_ref,
					     GNTTABOP_map_grant_ref,
					     GNTTABOP_unmap_grant_ref,
					     GNTTABOP_unmap_grant_ref,
					     GNTTABOP_copy,
					     GNTTABOP_copy,
					     GNTTABOP_copy,
					     GNTTABOP_unmap_and_replace,
					     GNTTABOP_swap_grant_ref };
	uint8_t buf[4 * 40] __attribute__((aligned(8)));
	uint64_t frames[8];
	unsigned long okays[2] = { 0, 0 };

	fuzzrand_seed("GNTTAB_FUZZ", "test_random_ops", 0x6e7461622d667a);
	for (unsigned long i = 0; i < 20000ul * iter_scale; i++) {
		struct fake_dom *f = doms[below(3)];
		unsigned int cmd = below(4) ? cmds[below(ARRAY_SIZE(cmds))] : below(14), count = below(5);
		long rc;

		if (below(3) == 0) { /* the granting guests rewrite their entries */
			static const uint16_t fl[] = { GTF_invalid, GTF_permit_access, GTF_permit_access | GTF_readonly,
						       GTF_permit_access | GTF_sub_page, GTF_accept_transfer };
			struct fake_dom *g = doms[below(3)];

			grant(g, below(16), (domid_t)(1 + below(3)), below(FAKE_RAM + 2), fl[below(ARRAY_SIZE(fl))]);
		}
		fuzz_fill(cmd, buf, sizeof(buf), count);
		if (i % 64 == 0)
			for (int k = 0; k < 3; k++)
				check_foreign_entries_covered(doms[k]);
		if (cmd == GNTTABOP_setup_table) {
			struct gnttab_setup_table *st = (void *)buf;

			st->nr_frames = below(8);
			st->frame_list = below(4) ? gptr(frames) : FAKE_BAD_PTR;
			count = 1;
		}
		rc = gnttab_op(&f->gd, f, cmd, below(16) ? gptr(buf) : FAKE_BAD_PTR, count, false);
		assert_true(rc == 0 || rc == -XEN_EFAULT || rc == -XEN_EINVAL || rc == -XEN_ENOSYS ||
			    rc == -XEN_EOPNOTSUPP || rc == -XEN_ESRCH || rc == -XEN_EPERM);
		if (rc == 0 && (cmd == GNTTABOP_map_grant_ref || cmd == GNTTABOP_copy)) {
			size_t size =
				cmd == GNTTABOP_copy ? sizeof(struct gnttab_copy) : sizeof(struct gnttab_map_grant_ref);
			size_t st = cmd == GNTTABOP_copy ? offsetof(struct gnttab_copy, status)
							 : offsetof(struct gnttab_map_grant_ref, status);

			for (unsigned int k = 0; k < count; k++) {
				int16_t v;
				bool ok = false;

				memcpy(&v, buf + k * size + st, sizeof(v));
				for (size_t j = 0; j < ARRAY_SIZE(known); j++)
					ok |= v == known[j];
				assert_true(ok);
				okays[cmd == GNTTABOP_copy] += v == GNTST_okay;
			}
		}
	}
	for (int k = 0; k < 3; k++)
		check_foreign_entries_covered(doms[k]);
	print_message("%lu maps and %lu copies succeeded\n", okays[0], okays[1]);
	assert_true(okays[0] > 100 && okays[1] > 100);
	for (int i = 0; i < 3; i++)
		gnttab_release_mappings(&doms[i]->gd);
	for (int i = 0; i < 3; i++) {
		struct fake_dom *f = doms[i];

		assert_int_equal(f->refs, 0);
		assert_int_equal(f->gd.maptrack_used, 0);
		for (unsigned int fr = 0; fr < f->gd.nr_frames; fr++)
			for (unsigned int e = 0; e < 512; e++) {
				grant_ref_t r = fr * 512 + e;

				assert_int_equal(f->gd.active[fr][e].host_r + f->gd.active[fr][e].host_w, 0);
				assert_int_equal(grant_flags(f, r) & (GTF_reading | GTF_writing), 0);
			}
	}
}

/* A 32-bit caller (compat): setup_table with a 32-bit handle and 32-bit
 * frames, copy in its 24-byte layout with a 32-bit gmfn, batches striding
 * by the compat size; query_size is the same in both. Guest memory here
 * is host memory, so the compat structs sit below 4 GiB (MAP_32BIT). */
static void test_compat_layouts(void **state)
{
	uint8_t *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	struct compat_gnttab_setup_table *s = (void *)low;
	uint32_t *frames = (uint32_t *)(low + 64);
	struct compat_gnttab_copy *cp = (void *)(low + 256);
	struct gnttab_query_size *q = (void *)(low + 512);
	gfn_t old;
	int rc;

	assert_true(low != MAP_FAILED && (uintptr_t)low + 4096 <= (1ULL << 32));
	memset(frames, 0x5a, 5 * sizeof(*frames));
	*s = (struct compat_gnttab_setup_table){
		.dom = DOMID_SELF, .nr_frames = 2, .status = 99, .frame_list = (uint32_t)(uintptr_t)frames
	};
	assert_non_null(gnttab_map_frame(&a->gd, 1, _gfn(0x1234), &old, &rc));
	assert_int_equal(gnttab_op(&a->gd, a, GNTTABOP_setup_table, gptr(s), 1, true), 0);
	assert_int_equal(s->status, GNTST_okay);
	assert_int_equal(frames[0], 0xffffffffu); /* not mapped: ~0 in 32 bits */
	assert_int_equal(frames[1], 0x1234);
	assert_int_equal(frames[2], 0x5a5a5a5au); /* 4-byte elements: nothing beyond */
	s->frame_list = 16;			  /* a pointer into the first page: bad */
	assert_int_equal(gnttab_op(&a->gd, a, GNTTABOP_setup_table, gptr(s), 1, true), 0);
	assert_int_equal(s->status, GNTST_bad_virt_addr);

	*q = (struct gnttab_query_size){ .dom = DOMID_SELF, .status = 99 };
	assert_int_equal(gnttab_op(&a->gd, a, GNTTABOP_query_size, gptr(q), 1, true), 0);
	assert_int_equal(q->status, GNTST_okay);
	assert_int_equal(q->nr_frames, 2);

	/* two copies in one batch: grant -> own frame, own frame -> grant */
	for (int i = 0; i < 4096; i++)
		a->ram[5][i] = (uint8_t)(i * 3 + 1);
	memset(b->ram[4], 0x77, 4096);
	grant(a, 40, 2, 5, GTF_permit_access | GTF_readonly);
	grant(a, 41, 2, 6, GTF_permit_access);
	cp[0] = (struct compat_gnttab_copy){ .source = { .ref_or_gmfn = 40, .domid = 1, .offset = 8 },
					     .dest = { .ref_or_gmfn = 9, .domid = DOMID_SELF, .offset = 16 },
					     .len = 100,
					     .flags = GNTCOPY_source_gref,
					     .status = 99 };
	cp[1] = (struct compat_gnttab_copy){ .source = { .ref_or_gmfn = 4, .domid = DOMID_SELF },
					     .dest = { .ref_or_gmfn = 41, .domid = 1, .offset = 4000 },
					     .len = 96,
					     .flags = GNTCOPY_dest_gref,
					     .status = 99 };
	assert_int_equal(gnttab_op(&b->gd, b, GNTTABOP_copy, gptr(cp), 2, true), 0);
	assert_int_equal(cp[0].status, GNTST_okay);
	assert_int_equal(cp[1].status, GNTST_okay);
	assert_memory_equal(b->ram[9] + 16, a->ram[5] + 8, 100);
	assert_int_equal(a->ram[6][4000], 0x77);
	assert_int_equal(a->ram[6][4095], 0x77);
	/* the status is at offset 20: the bytes after it are untouched */
	assert_int_equal(cp[0].source.domid, 1);
	cp[0].len = 4096; /* offset 8 + 4096: past the page */
	assert_int_equal(gnttab_op(&b->gd, b, GNTTABOP_copy, gptr(cp), 1, true), 0);
	assert_int_equal(cp[0].status, GNTST_bad_copy_arg);
	munmap(low, 4096);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fake_teardown)
	const struct CMUnitTest tests[] = {
		T(test_query_size),	   T(test_setup_table_growth_and_limits),
		T(test_versions),	   T(test_other_ops),
		T(test_map_permissions),   T(test_map_unmap_pins),
		T(test_maptrack_limit),	   T(test_copy),
		T(test_copy_batch_fault),  T(test_swap),
		T(test_mapper_dies),	   T(test_granter_dies),
		T(test_concurrent_revoke), T(test_random_ops),
		T(test_compat_layouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
