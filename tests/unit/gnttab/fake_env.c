/* The fake hypervisor for the grant table tests: see fake_env.h. */
#include "fake_env.h"

#include <stdlib.h>
#include <string.h>

struct fake_dom fake_doms[FAKE_DOMS];
long fake_live_allocs;
uint64_t fake_bad_lo, fake_bad_hi;

#define DOM(gd) ((struct fake_dom *)(gd)->priv)

static void *f_zalloc(size_t bytes)
{
	__atomic_fetch_add(&fake_live_allocs, 1, __ATOMIC_SEQ_CST);
	return calloc(1, bytes);
}

static void f_free(void *p)
{
	if (p)
		__atomic_fetch_sub(&fake_live_allocs, 1, __ATOMIC_SEQ_CST);
	free(p);
}

static void *f_alloc_page(void)
{
	void *p = aligned_alloc(4096, 4096);

	memset(p, 0, 4096);
	__atomic_fetch_add(&fake_live_allocs, 1, __ATOMIC_SEQ_CST);
	return p;
}

static struct gnttab_domain *f_get_domain(domid_t id)
{
	for (unsigned int i = 0; i < FAKE_DOMS; i++)
		if (fake_doms[i].exists && fake_doms[i].gd.domain_id == id) {
			__atomic_fetch_add(&fake_doms[i].refs, 1, __ATOMIC_SEQ_CST);
			return &fake_doms[i].gd;
		}
	return NULL;
}

static void f_put_domain(struct gnttab_domain *d)
{
	struct fake_dom *f = DOM(d);

	assert_true(__atomic_sub_fetch(&f->refs, 1, __ATOMIC_SEQ_CST) >= 0);
}

mfn_t fake_ram_mfn(const struct fake_dom *f, unsigned int gfn)
{
	return _mfn((unsigned long)(f - fake_doms) * 4096 + gfn);
}

static int f_own_frame(struct gnttab_domain *d, gfn_t gfn, mfn_t *mfn)
{
	struct fake_dom *f = DOM(d);
	unsigned long g = gfn_x(gfn);

	if (g >= FAKE_GFNS || mfn_eq(f->p2m[g].mfn, INVALID_MFN))
		return -1;
	*mfn = f->p2m[g].mfn;
	/* own RAM only: not a grant mapping of someone else's frame */
	if (mfn_x(*mfn) / 4096 != (unsigned long)(f - fake_doms) || mfn_x(*mfn) % 4096 >= FAKE_RAM)
		return -1;
	/* a hold counts as a live allocation: teardown checks every one was released */
	__atomic_fetch_add(&fake_live_allocs, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void f_release_frame(struct gnttab_domain *d, mfn_t mfn)
{
	__atomic_fetch_sub(&fake_live_allocs, 1, __ATOMIC_SEQ_CST);
}

static void *f_frame_va(mfn_t mfn)
{
	return fake_doms[mfn_x(mfn) / 4096].ram[mfn_x(mfn) % 4096];
}

static int f_p2m_insert(struct gnttab_domain *d, gfn_t gfn, mfn_t mfn, bool readonly)
{
	struct fake_dom *f = DOM(d);

	if (gfn_x(gfn) >= FAKE_GFNS)
		return -1;
	f->p2m[gfn_x(gfn)] = (struct fake_p2m){ mfn, readonly };
	return 0;
}

static int f_p2m_remove(struct gnttab_domain *d, gfn_t gfn, mfn_t mfn)
{
	struct fake_dom *f = DOM(d);

	if (gfn_x(gfn) >= FAKE_GFNS || !mfn_eq(f->p2m[gfn_x(gfn)].mfn, mfn))
		return -1;
	f->p2m[gfn_x(gfn)].mfn = INVALID_MFN;
	return 0;
}

static bool bad(uint64_t gva, size_t len)
{
	if (gva >> 16 == FAKE_BAD_PTR >> 16 || gva < 4096)
		return true;
	return gva + len > fake_bad_lo && gva < fake_bad_hi;
}

static int f_copy_from(void *vcpu, void *dst, uint64_t gva, size_t len)
{
	if (bad(gva, len))
		return -1;
	memcpy(dst, (const void *)(uintptr_t)gva, len);
	return 0;
}

static int f_copy_to(void *vcpu, uint64_t gva, const void *src, size_t len)
{
	if (bad(gva, len))
		return -1;
	memcpy((void *)(uintptr_t)gva, src, len);
	return 0;
}

const struct gnttab_env fake_env = {
	.zalloc = f_zalloc,
	.free = f_free,
	.alloc_page = f_alloc_page,
	.free_page = f_free,
	.get_domain = f_get_domain,
	.put_domain = f_put_domain,
	.own_frame = f_own_frame,
	.release_frame = f_release_frame,
	.frame_va = f_frame_va,
	.p2m_insert = f_p2m_insert,
	.p2m_remove = f_p2m_remove,
	.copy_from_guest = f_copy_from,
	.copy_to_guest = f_copy_to,
};

struct fake_dom *fake_dom_create(unsigned int slot, domid_t id, bool privileged, unsigned int max_frames,
				 unsigned int max_maptrack)
{
	struct fake_dom *f = &fake_doms[slot];

	assert_false(f->exists);
	memset(f, 0, sizeof(*f));
	for (unsigned int g = 0; g < FAKE_GFNS; g++)
		f->p2m[g].mfn = INVALID_MFN;
	for (unsigned int g = 0; g < FAKE_RAM; g++) {
		f->ram[g] = aligned_alloc(4096, 4096);
		memset(f->ram[g], 0, 4096);
		f->p2m[g].mfn = fake_ram_mfn(f, g);
	}
	assert_int_equal(gnttab_domain_init(&f->gd, id, privileged, max_frames, max_maptrack, &fake_env, f), 0);
	f->exists = true;
	return f;
}

void fake_dom_destroy(struct fake_dom *f)
{
	if (!f->exists)
		return;
	f->exists = false; /* no new lookups */
	gnttab_release_mappings(&f->gd);
	assert_int_equal(f->refs, 0);
	gnttab_domain_destroy(&f->gd);
	for (unsigned int g = 0; g < FAKE_RAM; g++)
		free(f->ram[g]);
	memset(f, 0, sizeof(*f));
}

int fake_teardown(void **state)
{
	(void)state;
	/* mappers first: their mappings hold references on the granters */
	for (unsigned int i = 0; i < FAKE_DOMS; i++)
		if (fake_doms[i].exists)
			gnttab_release_mappings(&fake_doms[i].gd);
	for (unsigned int i = 0; i < FAKE_DOMS; i++)
		fake_dom_destroy(&fake_doms[i]);
	assert_int_equal(fake_live_allocs, 0);
	fake_bad_lo = fake_bad_hi = 0;
	return 0;
}

uint64_t gptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

long gop(struct fake_dom *f, unsigned int cmd, void *uop, unsigned int count)
{
	return gnttab_op(&f->gd, f, cmd, gptr(uop), count, false);
}

void grant(struct fake_dom *f, grant_ref_t ref, domid_t to, uint32_t gfn, uint16_t flags)
{
	uint32_t *w = (uint32_t *)f->gd.shared[ref / 512] + 2 * (ref % 512);

	w[1] = gfn;
	__atomic_store_n(&w[0], (uint32_t)to << 16 | flags, __ATOMIC_SEQ_CST);
}

uint16_t grant_flags(struct fake_dom *f, grant_ref_t ref)
{
	uint32_t *w = (uint32_t *)f->gd.shared[ref / 512] + 2 * (ref % 512);

	return (uint16_t)__atomic_load_n(&w[0], __ATOMIC_SEQ_CST);
}

int16_t map(struct fake_dom *f, domid_t dom, grant_ref_t ref, uint32_t flags, uint64_t gfn, grant_handle_t *h)
{
	struct gnttab_map_grant_ref m = { .host_addr = gfn << 12, .flags = flags, .ref = ref, .dom = dom };

	assert_int_equal(gop(f, GNTTABOP_map_grant_ref, &m, 1), 0);
	if (h)
		*h = m.handle;
	if (m.status == GNTST_okay)
		assert_int_equal(m.dev_bus_addr, 0);
	else
		assert_int_equal(m.handle, GNTTAB_INVALID_HANDLE);
	return m.status;
}

int16_t unmap(struct fake_dom *f, uint64_t gfn, grant_handle_t h)
{
	struct gnttab_unmap_grant_ref u = { .host_addr = gfn << 12, .handle = h };

	assert_int_equal(gop(f, GNTTABOP_unmap_grant_ref, &u, 1), 0);
	return u.status;
}

int16_t copy(struct fake_dom *f, const struct gnttab_copy *c)
{
	struct gnttab_copy op = *c;

	op.status = 99;
	assert_int_equal(gop(f, GNTTABOP_copy, &op, 1), 0);
	return op.status;
}
