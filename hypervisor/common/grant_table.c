/*
 * Grant tables, version 1: the per-domain table, pins, the maptrack and
 * the GNTTABOP_* operations (see hv/grant_table.h for the interface and the
 * lifetime rules).
 *
 * Lock order: maptrack lock of the mapping domain -> grant lock of the
 * granting domain (never two grant locks at once) -> env (the mapper's p2m
 * lock, allocation). Domain references are taken and put with no grant or
 * maptrack lock held.
 *
 * The guest writes its shared entries concurrently. An entry is two 32-bit
 * words: flags (low 16 bits) and domid (high 16 bits), then the frame. The
 * first word is only changed with compare-and-exchange, and a grant is
 * pinned only if, in the same exchange that sets GTF_reading (and
 * GTF_writing for write access), the type is GTF_permit_access, the domid
 * is the user's and GTF_readonly allows the access (Xen's protocol, at most
 * five attempts against a guest that keeps changing the word). The frame
 * number is read after that exchange: the guest must not change it while
 * the entry is in use.
 *
 * Semantics and status codes follow Xen's common/grant_table.c for an HVM
 * (auto-translated) domain. Differences: version 2 is not offered (as Xen
 * built with max version 1: set_version(2) is -ENOSYS); transfer is
 * -EOPNOTSUPP (as Xen without PV support); host mappings are the only kind
 * (device, application and PTE mappings are PV-only: GNTST_general_error);
 * dev_bus_addr is always 0; batches above GNTTAB_MAX_BATCH ops are -EINVAL
 * instead of being preempted with a continuation; no XSM: a domain is
 * privileged or not.
 *
 * A 32-bit caller (gnttab_op's compat) passes Xen's compat layouts: they
 * are read into the native structs and their OUT fields written back in
 * place (setup_table, copy, get_status_frames; the rest are the same in
 * i386, as public/grant_table.h checks).
 */
#include <hv/console.h>
#include <hv/errno.h>
#include <hv/grant_table.h>
#include <hv/lib.h>

#define ENTRIES_PER_FRAME 512u /* version 1: 8-byte entries in a 4 KiB frame */
#define FLAGS_MASK 0xffffu

/* ------------------------------------------------------------ table */

static unsigned int nr_entries(const struct gnttab_domain *d)
{
	return d->nr_frames * ENTRIES_PER_FRAME;
}

/* The flags/domid word of entry ref (the frame follows it). */
static uint32_t *entry_word(const struct gnttab_domain *d, grant_ref_t ref)
{
	return (uint32_t *)d->shared[ref / ENTRIES_PER_FRAME] + 2 * (ref % ENTRIES_PER_FRAME);
}

static struct gnttab_active *active_entry(const struct gnttab_domain *d, grant_ref_t ref)
{
	return &d->active[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

/* Grow to nr frames (caller holds the grant lock; nr <= max_frames). */
static bool grow_locked(struct gnttab_domain *d, unsigned int nr)
{
	const struct gnttab_env *env = d->env;

	while (d->nr_frames < nr) {
		unsigned int i = d->nr_frames;

		d->shared[i] = env->alloc_page();
		d->active[i] = env->zalloc(ENTRIES_PER_FRAME * sizeof(struct gnttab_active));
		if (!d->shared[i] || !d->active[i]) {
			if (d->shared[i])
				env->free_page(d->shared[i]);
			env->free(d->active[i]);
			d->shared[i] = NULL;
			d->active[i] = NULL;
			return false;
		}
		d->frame_gfn[i] = INVALID_GFN;
		d->nr_frames = i + 1;
	}
	return true;
}

int gnttab_domain_init(struct gnttab_domain *d, domid_t id, bool privileged, unsigned int max_frames,
		       unsigned int max_maptrack_frames, const struct gnttab_env *env, void *priv)
{
	if (!max_frames || max_frames > GNTTAB_LIMIT_MAX_FRAMES || max_maptrack_frames > GNTTAB_LIMIT_MAPTRACK_FRAMES)
		return -XEN_EINVAL;
	memset(d, 0, sizeof(*d));
	d->domain_id = id;
	d->privileged = privileged;
	d->env = env;
	d->priv = priv;
	spin_lock_init(&d->lock);
	spin_lock_init(&d->maptrack_lock);
	d->version = 1;
	d->max_frames = max_frames;
	d->max_maptrack_frames = max_maptrack_frames;
	d->maptrack_free = GNTTAB_INVALID_HANDLE;
	d->shared = env->zalloc(max_frames * sizeof(*d->shared));
	d->frame_gfn = env->zalloc(max_frames * sizeof(*d->frame_gfn));
	d->active = env->zalloc(max_frames * sizeof(*d->active));
	d->maptrack = env->zalloc(MAX(max_maptrack_frames, 1u) * sizeof(*d->maptrack)); /* 0: never maps */
	if (!d->shared || !d->frame_gfn || !d->active || !d->maptrack || !grow_locked(d, 1)) {
		gnttab_domain_destroy(d);
		return -XEN_ENOMEM;
	}
	return 0;
}

void gnttab_domain_destroy(struct gnttab_domain *d)
{
	const struct gnttab_env *env = d->env;

	if (!env)
		return;
	gnttab_release_mappings(d);
	for (unsigned int i = 0; i < d->nr_frames; i++) {
		env->free_page(d->shared[i]);
		env->free(d->active[i]);
	}
	for (unsigned int i = 0; d->maptrack && i < d->maptrack_frames; i++)
		env->free(d->maptrack[i]);
	env->free(d->shared);
	env->free(d->frame_gfn);
	env->free(d->active);
	env->free(d->maptrack);
	memset(d, 0, sizeof(*d));
}

/* ------------------------------------------------------------ pins */

/*
 * Set GTF_reading (and GTF_writing unless readonly) in the shared entry,
 * checking, unless the grant is already pinned, that it permits access to
 * user: Xen's _set_status_v1. A mapping also refuses GTF_sub_page.
 */
static int16_t set_status(uint32_t *word, bool pinned, bool readonly, bool mapping, domid_t user)
{
	uint32_t mask = GTF_type_mask | (mapping ? GTF_sub_page : 0);
	uint32_t cur = __atomic_load_n(word, __ATOMIC_SEQ_CST);

	for (unsigned int tries = 0;; tries++) {
		uint32_t new = cur | GTF_reading;

		if (!pinned && ((cur & mask) != GTF_permit_access || (cur >> 16) != user))
			return GNTST_general_error;
		if (!readonly) {
			if (cur & GTF_readonly)
				return GNTST_general_error;
			new |= GTF_writing;
		}
		if (__atomic_compare_exchange_n(word, &cur, new, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return GNTST_okay;
		if (tries == 4)
			return GNTST_general_error; /* the guest keeps changing it */
	}
}

static void clear_flags(uint32_t *word, uint32_t flags)
{
	__atomic_fetch_and(word, ~flags, __ATOMIC_SEQ_CST);
}

/*
 * Pin grant ref of rd for user (grant lock held): the frame in *mfn. For a
 * mapping GTF_sub_page is refused. Xen's checks and status codes: a bad ref
 * GNTST_bad_gntref; a grant pinned by another domain, not permitted, for
 * another domain, read-only for a write, or pinned too often
 * GNTST_general_error; a frame that is not the granting domain's RAM
 * GNTST_bad_page.
 */
static int16_t pin_locked(struct gnttab_domain *rd, grant_ref_t ref, domid_t user, bool readonly, bool mapping,
			  mfn_t *mfn)
{
	struct gnttab_active *act;
	uint32_t *word;
	bool pinned;
	int16_t st;

	if (ref >= nr_entries(rd))
		return GNTST_bad_gntref;
	act = active_entry(rd, ref);
	word = entry_word(rd, ref);
	pinned = act->host_r || act->host_w;
	if (pinned && act->domid != user)
		return GNTST_general_error;
	if ((readonly ? act->host_r : act->host_w) >= GNTTAB_PIN_MAX)
		return GNTST_general_error;
	if (!pinned || (!readonly && !act->host_w)) {
		st = set_status(word, pinned, readonly, mapping, user);
		if (st)
			return st;
		if (!pinned) {
			gfn_t gfn = _gfn(__atomic_load_n(word + 1, __ATOMIC_SEQ_CST));

			if (rd->env->own_frame(rd, gfn, &act->mfn)) {
				clear_flags(word, GTF_reading | GTF_writing);
				return GNTST_bad_page;
			}
			act->domid = user;
		}
	}
	if (readonly)
		act->host_r++;
	else
		act->host_w++;
	*mfn = act->mfn;
	return GNTST_okay;
}

/* Drop one pin (grant lock held); clear the shared flags no longer true. */
static void unpin_locked(struct gnttab_domain *rd, grant_ref_t ref, bool readonly)
{
	struct gnttab_active *act = active_entry(rd, ref);
	uint32_t *word = entry_word(rd, ref);

	if (readonly)
		act->host_r--;
	else
		act->host_w--;
	if (!readonly && !act->host_w)
		clear_flags(word, GTF_writing);
	if (!act->host_r && !act->host_w) {
		clear_flags(word, GTF_reading);
		rd->env->release_frame(rd, act->mfn); /* held since the first pin */
	}
}

/* ------------------------------------------------------------ domains */

/* DOMID_SELF or any id (Xen's rcu_lock_domain_by_any_id); NULL: none. A
 * domain other than cur is referenced: drop it with put(). */
static struct gnttab_domain *lookup_any(struct gnttab_domain *cur, domid_t id)
{
	if (id == DOMID_SELF || id == cur->domain_id)
		return cur;
	return cur->env->get_domain(id);
}

static void put(struct gnttab_domain *cur, struct gnttab_domain *d)
{
	if (d && d != cur)
		cur->env->put_domain(d);
}

/* ------------------------------------------------------------ maptrack */

static struct gnttab_maptrack *maptrack_entry(const struct gnttab_domain *d, uint32_t handle)
{
	return &d->maptrack[handle / GNTTAB_MAPTRACK_PER_FRAME][handle % GNTTAB_MAPTRACK_PER_FRAME];
}

/* A free handle (maptrack lock held), growing by one frame's worth when
 * none is free; GNTTAB_INVALID_HANDLE at the limit or out of memory. */
static uint32_t get_handle_locked(struct gnttab_domain *d)
{
	uint32_t h = d->maptrack_free;

	if (h == GNTTAB_INVALID_HANDLE) {
		unsigned int f = d->maptrack_frames;
		struct gnttab_maptrack *chunk;

		if (f >= d->max_maptrack_frames)
			return GNTTAB_INVALID_HANDLE;
		chunk = d->env->zalloc(GNTTAB_MAPTRACK_PER_FRAME * sizeof(*chunk));
		if (!chunk)
			return GNTTAB_INVALID_HANDLE;
		for (unsigned int i = 0; i < GNTTAB_MAPTRACK_PER_FRAME; i++)
			chunk[i].next = i + 1 < GNTTAB_MAPTRACK_PER_FRAME ? f * GNTTAB_MAPTRACK_PER_FRAME + i + 1
									  : GNTTAB_INVALID_HANDLE;
		d->maptrack[f] = chunk;
		d->maptrack_frames = f + 1;
		h = f * GNTTAB_MAPTRACK_PER_FRAME;
	}
	d->maptrack_free = maptrack_entry(d, h)->next;
	d->maptrack_used++;
	return h;
}

static void put_handle_locked(struct gnttab_domain *d, uint32_t h)
{
	struct gnttab_maptrack *m = maptrack_entry(d, h);

	m->flags = 0;
	m->rd = NULL;
	m->next = d->maptrack_free;
	d->maptrack_free = h;
	d->maptrack_used--;
}

/* ------------------------------------------------------------ map / unmap */

static int16_t map_one(struct gnttab_domain *ld, struct gnttab_map_grant_ref *op)
{
	bool readonly = op->flags & GNTMAP_readonly;
	struct gnttab_domain *rd;
	struct gnttab_maptrack *m;
	uint32_t h;
	mfn_t mfn;
	int16_t st;

	op->handle = GNTTAB_INVALID_HANDLE;
	op->dev_bus_addr = 0;
	if (!(op->flags & (GNTMAP_device_map | GNTMAP_host_map)))
		return GNTST_bad_gntref; /* Xen's answer to "no kind of mapping" */
	if (op->flags & (GNTMAP_device_map | GNTMAP_application_map | GNTMAP_contains_pte))
		return GNTST_general_error; /* PV-only kinds */
	/* by id only (DOMID_SELF is not a domain here, as on Xen) */
	rd = ld->env->get_domain(op->dom);
	if (!rd)
		return GNTST_bad_domain;
	spin_lock(&ld->maptrack_lock);
	h = get_handle_locked(ld);
	if (h == GNTTAB_INVALID_HANDLE) {
		spin_unlock(&ld->maptrack_lock);
		ld->env->put_domain(rd);
		return GNTST_no_device_space;
	}
	spin_lock(&rd->lock);
	st = pin_locked(rd, op->ref, ld->domain_id, readonly, true, &mfn);
	if (st == GNTST_okay && ld->env->p2m_insert(ld, _gfn(op->host_addr >> 12), mfn, readonly)) {
		unpin_locked(rd, op->ref, readonly);
		st = GNTST_general_error;
	}
	spin_unlock(&rd->lock);
	if (st != GNTST_okay) {
		put_handle_locked(ld, h);
		spin_unlock(&ld->maptrack_lock);
		ld->env->put_domain(rd);
		return st;
	}
	m = maptrack_entry(ld, h);
	m->rd = rd; /* keeps the reference get_domain took */
	m->ref = op->ref;
	m->flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0);
	m->host_gfn = _gfn(op->host_addr >> 12);
	spin_unlock(&ld->maptrack_lock);
	op->handle = h;
	return GNTST_okay;
}

/*
 * Unmap handle. host_addr 0 leaves the mapping (and the handle) alone, as on
 * Xen; a host_addr whose frame does not map the granted frame is
 * GNTST_general_error and changes nothing. A non-zero new_addr
 * (unmap_and_replace) is refused: an HVM domain has nothing to put back.
 */
static int16_t unmap_one(struct gnttab_domain *ld, uint64_t host_addr, uint64_t new_addr, uint32_t h)
{
	struct gnttab_domain *rd = NULL;
	struct gnttab_maptrack *m;
	int16_t st = GNTST_okay;

	spin_lock(&ld->maptrack_lock);
	if (h >= ld->maptrack_frames * GNTTAB_MAPTRACK_PER_FRAME || !maptrack_entry(ld, h)->flags) {
		spin_unlock(&ld->maptrack_lock);
		return GNTST_bad_handle;
	}
	m = maptrack_entry(ld, h);
	if (host_addr) {
		struct gnttab_domain *granter = m->rd;
		bool readonly = m->flags & GNTMAP_readonly;

		spin_lock(&granter->lock);
		if (new_addr || ld->env->p2m_remove(ld, _gfn(host_addr >> 12), active_entry(granter, m->ref)->mfn)) {
			st = GNTST_general_error;
		} else {
			unpin_locked(granter, m->ref, readonly);
			rd = granter;
			put_handle_locked(ld, h);
		}
		spin_unlock(&granter->lock);
	}
	spin_unlock(&ld->maptrack_lock);
	if (rd)
		ld->env->put_domain(rd);
	return st;
}

void gnttab_release_mappings(struct gnttab_domain *d)
{
	if (!d->maptrack)
		return;
	spin_lock(&d->maptrack_lock);
	for (uint32_t h = 0; h < d->maptrack_frames * GNTTAB_MAPTRACK_PER_FRAME; h++) {
		struct gnttab_maptrack *m = maptrack_entry(d, h);
		struct gnttab_domain *rd = m->rd;

		if (!m->flags)
			continue;
		spin_lock(&rd->lock);
		/* the mapping goes too: rd's frame must not stay reachable */
		d->env->p2m_remove(d, m->host_gfn, active_entry(rd, m->ref)->mfn);
		unpin_locked(rd, m->ref, m->flags & GNTMAP_readonly);
		spin_unlock(&rd->lock);
		put_handle_locked(d, h);
		spin_unlock(&d->maptrack_lock);
		d->env->put_domain(rd); /* may free rd (never d: its destroyer holds a reference) */
		spin_lock(&d->maptrack_lock);
	}
	spin_unlock(&d->maptrack_lock);
}

/* ------------------------------------------------------------ copy */

struct copy_buf {
	struct gnttab_domain *d;
	bool pinned, readonly;
	bool held; /* a frame of the caller's own (not a grant): held for the copy */
	grant_ref_t ref;
	mfn_t mfn;
};

/* The domain of one side: a frame (not a grant) must be the caller's own. */
static int16_t copy_lock_domain(struct gnttab_domain *ld, const struct gnttab_copy_ptr *p, bool gref,
				struct copy_buf *b)
{
	if (!gref && p->domid != DOMID_SELF)
		return GNTST_permission_denied;
	b->d = lookup_any(ld, p->domid);
	return b->d ? GNTST_okay : GNTST_bad_domain;
}

static int16_t copy_claim(struct gnttab_domain *ld, const struct gnttab_copy_ptr *p, bool gref, struct copy_buf *b)
{
	int16_t st;

	if (!gref) {
		if (ld->env->own_frame(ld, _gfn(p->u.gmfn), &b->mfn))
			return GNTST_bad_page;
		b->held = true;
		return GNTST_okay;
	}
	spin_lock(&b->d->lock);
	st = pin_locked(b->d, p->u.ref, ld->domain_id, b->readonly, false, &b->mfn);
	spin_unlock(&b->d->lock);
	if (st == GNTST_okay) {
		b->pinned = true;
		b->ref = p->u.ref;
	}
	return st;
}

static void copy_release(struct gnttab_domain *ld, struct copy_buf *b)
{
	if (b->held)
		ld->env->release_frame(ld, b->mfn);
	if (b->pinned) {
		spin_lock(&b->d->lock);
		unpin_locked(b->d, b->ref, b->readonly);
		spin_unlock(&b->d->lock);
	}
	put(ld, b->d);
}

static int16_t copy_one(struct gnttab_domain *ld, const struct gnttab_copy *op)
{
	struct copy_buf src = { .readonly = true }, dst = { .readonly = false };
	bool sref = op->flags & GNTCOPY_source_gref, dref = op->flags & GNTCOPY_dest_gref;
	int16_t st;

	if (op->source.offset + op->len > 4096u || op->dest.offset + op->len > 4096u)
		return GNTST_bad_copy_arg;
	st = copy_lock_domain(ld, &op->source, sref, &src);
	if (st == GNTST_okay)
		st = copy_lock_domain(ld, &op->dest, dref, &dst);
	if (st == GNTST_okay)
		st = copy_claim(ld, &op->source, sref, &src);
	if (st == GNTST_okay)
		st = copy_claim(ld, &op->dest, dref, &dst);
	if (st == GNTST_okay)
		memmove((uint8_t *)ld->env->frame_va(dst.mfn) + op->dest.offset,
			(const uint8_t *)ld->env->frame_va(src.mfn) + op->source.offset, op->len);
	copy_release(ld, &dst);
	copy_release(ld, &src);
	return st;
}

/* ------------------------------------------------------------ table ops */

/* Grow d to nr frames (grant lock held): GNTST_okay or general_error. */
static int16_t setup_locked(struct gnttab_domain *d, unsigned int nr)
{
	if (nr > d->max_frames) {
		printk_ratelimited(LOG_INFO "d%u: grant table limited to %u frames\n", d->domain_id, d->max_frames);
		return GNTST_general_error;
	}
	return grow_locked(d, nr) ? GNTST_okay : GNTST_general_error;
}

/* The setup_table argument in either layout, as the native struct. */
static int setup_table_in(struct gnttab_domain *ld, void *vcpu, uint64_t uop, bool compat,
			  struct gnttab_setup_table *op)
{
	struct compat_gnttab_setup_table c;

	if (!compat)
		return ld->env->copy_from_guest(vcpu, op, uop, sizeof(*op));
	if (ld->env->copy_from_guest(vcpu, &c, uop, sizeof(c)))
		return -1;
	*op = (struct gnttab_setup_table){ .dom = c.dom, .nr_frames = c.nr_frames, .frame_list = c.frame_list };
	return 0;
}

/* The frame list holds xen_pfn_t: 64 bits, or 32 in compat (a grant frame
 * is always below GNTTAB_GFN_LIMIT, so it fits; ~0 "not mapped" becomes
 * 32 bits of ones). */
static int put_frame(struct gnttab_domain *ld, void *vcpu, uint64_t list, unsigned int i, uint64_t gfn, bool compat)
{
	uint32_t g32 = (uint32_t)gfn;

	if (compat)
		return ld->env->copy_to_guest(vcpu, list + i * sizeof(g32), &g32, sizeof(g32));
	return ld->env->copy_to_guest(vcpu, list + i * sizeof(gfn), &gfn, sizeof(gfn));
}

static long setup_table(struct gnttab_domain *ld, void *vcpu, uint64_t uop, bool compat)
{
	const struct gnttab_env *env = ld->env;
	struct gnttab_setup_table op;
	struct gnttab_domain *d;

	if (setup_table_in(ld, vcpu, uop, compat, &op))
		return -XEN_EFAULT;
	d = lookup_any(ld, op.dom);
	if (!d) {
		op.status = GNTST_bad_domain;
	} else if (d != ld && !ld->privileged) {
		op.status = GNTST_permission_denied;
	} else {
		spin_lock(&d->lock);
		op.status = setup_locked(d, op.nr_frames);
		spin_unlock(&d->lock);
		/* frames never go away: read each gfn under the lock, copy without */
		for (unsigned int i = 0; op.status == GNTST_okay && i < op.nr_frames; i++) {
			uint64_t gfn;

			spin_lock(&d->lock);
			gfn = gfn_x(d->frame_gfn[i]) == gfn_x(INVALID_GFN) ? ~0ULL : gfn_x(d->frame_gfn[i]);
			spin_unlock(&d->lock);
			if (put_frame(ld, vcpu, op.frame_list, i, gfn, compat))
				op.status = GNTST_bad_virt_addr;
		}
	}
	put(ld, d);
	/* status is at offset 8 in both layouts */
	_Static_assert(offsetof(struct gnttab_setup_table, status) ==
			       offsetof(struct compat_gnttab_setup_table, status),
		       "setup_table status");
	if (env->copy_to_guest(vcpu, uop + offsetof(struct gnttab_setup_table, status), &op.status, sizeof(op.status)))
		return -XEN_EFAULT;
	return 0;
}

static long query_size(struct gnttab_domain *ld, void *vcpu, uint64_t uop)
{
	struct gnttab_query_size op;
	struct gnttab_domain *d;

	if (ld->env->copy_from_guest(vcpu, &op, uop, sizeof(op)))
		return -XEN_EFAULT;
	d = lookup_any(ld, op.dom);
	if (!d) {
		op.status = GNTST_bad_domain;
	} else if (d != ld && !ld->privileged) {
		op.status = GNTST_permission_denied;
	} else {
		spin_lock(&d->lock);
		op.nr_frames = d->nr_frames;
		op.max_nr_frames = d->max_frames;
		spin_unlock(&d->lock);
		op.status = GNTST_okay;
	}
	put(ld, d);
	return ld->env->copy_to_guest(vcpu, uop, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

/* Version 1 only: 2 is -ENOSYS, Xen's answer when version 2 is disabled;
 * the version in force is written back whatever the result. */
static long set_version(struct gnttab_domain *ld, void *vcpu, uint64_t uop)
{
	struct gnttab_set_version op;
	long rc;

	if (ld->env->copy_from_guest(vcpu, &op, uop, sizeof(op)))
		return -XEN_EFAULT;
	if (op.version == 1)
		rc = 0;
	else if (op.version == 2)
		rc = -XEN_ENOSYS;
	else
		rc = -XEN_EINVAL;
	op.version = ld->version;
	return ld->env->copy_to_guest(vcpu, uop, &op, sizeof(op)) ? -XEN_EFAULT : rc;
}

static long get_version(struct gnttab_domain *ld, void *vcpu, uint64_t uop)
{
	struct gnttab_get_version op;
	struct gnttab_domain *d;

	if (ld->env->copy_from_guest(vcpu, &op, uop, sizeof(op)))
		return -XEN_EFAULT;
	d = lookup_any(ld, op.dom);
	if (!d)
		return -XEN_ESRCH;
	if (d != ld && !ld->privileged) {
		put(ld, d);
		return -XEN_EPERM;
	}
	op.version = d->version;
	put(ld, d);
	return ld->env->copy_to_guest(vcpu, uop, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

/* Version 2 only: a version 1 table has no status frames. */
static long get_status_frames(struct gnttab_domain *ld, void *vcpu, uint64_t uop, bool compat)
{
	struct gnttab_get_status_frames op;
	struct compat_gnttab_get_status_frames c;
	struct gnttab_domain *d;

	/* nr_frames, dom and status sit at the same offsets in both layouts */
	if (ld->env->copy_from_guest(vcpu, compat ? (void *)&c : (void *)&op, uop, compat ? sizeof(c) : sizeof(op)))
		return -XEN_EFAULT;
	if (compat)
		op = (struct gnttab_get_status_frames){ .nr_frames = c.nr_frames, .dom = c.dom };
	d = lookup_any(ld, op.dom);
	if (!d)
		op.status = GNTST_bad_domain;
	else if (d != ld && !ld->privileged)
		op.status = GNTST_permission_denied;
	else
		op.status = GNTST_general_error;
	put(ld, d);
	if (ld->env->copy_to_guest(vcpu, uop + offsetof(struct gnttab_get_status_frames, status), &op.status,
				   sizeof(op.status)))
		return -XEN_EFAULT;
	return 0;
}

static int16_t swap_one(struct gnttab_domain *d, grant_ref_t a, grant_ref_t b)
{
	int16_t st = GNTST_okay;

	spin_lock(&d->lock);
	if (a >= nr_entries(d) || b >= nr_entries(d)) {
		st = GNTST_bad_gntref;
	} else if (a != b) {
		struct gnttab_active *aa = active_entry(d, a), *ab = active_entry(d, b);

		if (aa->host_r || aa->host_w || ab->host_r || ab->host_w) {
			st = GNTST_eagain; /* in use */
		} else {
			uint32_t *wa = entry_word(d, a), *wb = entry_word(d, b);

			for (int i = 0; i < 2; i++) {
				uint32_t t = __atomic_load_n(&wa[i], __ATOMIC_SEQ_CST);

				__atomic_store_n(&wa[i], __atomic_load_n(&wb[i], __ATOMIC_SEQ_CST), __ATOMIC_SEQ_CST);
				__atomic_store_n(&wb[i], t, __ATOMIC_SEQ_CST);
			}
		}
	}
	spin_unlock(&d->lock);
	return st;
}

/* ------------------------------------------------------------ batches */

/* The per-op loop of map, unmap, unmap_and_replace, copy and swap: each op
 * is copied in, done, and its OUT part copied back (bytes [out_off,
 * out_off + out_len) of it); a bad pointer stops the batch with -EFAULT,
 * the ops before it done. */
static void copy_ptr_from_compat(struct gnttab_copy_ptr *p, const struct compat_gnttab_copy_ptr *c)
{
	p->u.gmfn = c->ref_or_gmfn; /* zero-extended: ref (the union's low half) or a 32-bit gmfn */
	p->domid = c->domid;
	p->offset = c->offset;
}

/* One op of a batch from guest memory into *op (native layout); a compat
 * copy is translated, every other op has the same layout in both modes. */
static int batch_in(struct gnttab_domain *ld, void *vcpu, unsigned int cmd, uint64_t p, size_t size, bool compat,
		    void *op)
{
	struct compat_gnttab_copy c;
	struct gnttab_copy *n = op;

	if (!compat || cmd != GNTTABOP_copy)
		return ld->env->copy_from_guest(vcpu, op, p, size);
	if (ld->env->copy_from_guest(vcpu, &c, p, sizeof(c)))
		return -1;
	memset(n, 0, sizeof(*n));
	copy_ptr_from_compat(&n->source, &c.source);
	copy_ptr_from_compat(&n->dest, &c.dest);
	n->len = c.len;
	n->flags = c.flags;
	return 0;
}

static long batch(struct gnttab_domain *ld, void *vcpu, unsigned int cmd, uint64_t uop, unsigned int count, bool compat)
{
	union {
		struct gnttab_map_grant_ref map;
		struct gnttab_unmap_grant_ref unmap;
		struct gnttab_unmap_and_replace repl;
		struct gnttab_copy copy;
		struct gnttab_swap_grant_ref swap;
	} op;
	size_t size, out_off, out_len;

	switch (cmd) {
	case GNTTABOP_map_grant_ref:
		size = sizeof(op.map), out_off = 0, out_len = size;
		break;
	case GNTTABOP_unmap_grant_ref:
		size = sizeof(op.unmap), out_off = offsetof(struct gnttab_unmap_grant_ref, status), out_len = 2;
		break;
	case GNTTABOP_unmap_and_replace:
		size = sizeof(op.repl), out_off = offsetof(struct gnttab_unmap_and_replace, status), out_len = 2;
		break;
	case GNTTABOP_copy:
		size = sizeof(op.copy), out_off = offsetof(struct gnttab_copy, status), out_len = 2;
		break;
	default:
		size = sizeof(op.swap), out_off = offsetof(struct gnttab_swap_grant_ref, status), out_len = 2;
		break;
	}
	for (unsigned int i = 0; i < count; i++) {
		size_t stride = compat && cmd == GNTTABOP_copy ? sizeof(struct compat_gnttab_copy) : size;
		uint64_t p = uop + (uint64_t)i * stride;

		if (batch_in(ld, vcpu, cmd, p, size, compat, &op))
			return -XEN_EFAULT;
		switch (cmd) {
		case GNTTABOP_map_grant_ref:
			op.map.status = map_one(ld, &op.map);
			break;
		case GNTTABOP_unmap_grant_ref:
			op.unmap.status = unmap_one(ld, op.unmap.host_addr, 0, op.unmap.handle);
			break;
		case GNTTABOP_unmap_and_replace:
			op.repl.status = unmap_one(ld, op.repl.host_addr, op.repl.new_addr, op.repl.handle);
			break;
		case GNTTABOP_copy:
			op.copy.status = copy_one(ld, &op.copy);
			break;
		default:
			op.swap.status = swap_one(ld, op.swap.ref_a, op.swap.ref_b);
			break;
		}
		if (compat && cmd == GNTTABOP_copy) {
			if (ld->env->copy_to_guest(vcpu, p + offsetof(struct compat_gnttab_copy, status),
						   &op.copy.status, sizeof(op.copy.status)))
				return -XEN_EFAULT;
		} else if (ld->env->copy_to_guest(vcpu, p + out_off, (const uint8_t *)&op + out_off, out_len)) {
			return -XEN_EFAULT;
		}
	}
	return 0;
}

long gnttab_op(struct gnttab_domain *d, void *vcpu, unsigned int cmd, uint64_t uop, unsigned int count, bool compat)
{
	if (cmd > GNTTABOP_CMD_MASK || (int)count < 0)
		return -XEN_EINVAL; /* a continuation's bits, or a negative count */
	switch (cmd) {
	case GNTTABOP_map_grant_ref:
	case GNTTABOP_unmap_grant_ref:
	case GNTTABOP_unmap_and_replace:
	case GNTTABOP_copy:
	case GNTTABOP_swap_grant_ref:
		if (count > GNTTAB_MAX_BATCH)
			return -XEN_EINVAL;
		return batch(d, vcpu, cmd, uop, count, compat);
	case GNTTABOP_transfer:
		return -XEN_EOPNOTSUPP; /* page transfer is for PV domains */
	case GNTTABOP_setup_table:
	case GNTTABOP_query_size:
	case GNTTABOP_set_version:
	case GNTTABOP_get_version:
	case GNTTABOP_get_status_frames:
		if (count != 1)
			return -XEN_EINVAL;
		break;
	default:
		return -XEN_ENOSYS; /* dump_table, cache_flush, unknown */
	}
	switch (cmd) {
	case GNTTABOP_setup_table:
		return setup_table(d, vcpu, uop, compat);
	case GNTTABOP_query_size:
		return query_size(d, vcpu, uop);
	case GNTTABOP_set_version:
		return set_version(d, vcpu, uop);
	case GNTTABOP_get_version:
		return get_version(d, vcpu, uop);
	default:
		return get_status_frames(d, vcpu, uop, compat);
	}
}

/* ------------------------------------------------------------ physmap */

void *gnttab_map_frame(struct gnttab_domain *d, uint64_t idx, gfn_t gfn, gfn_t *old_gfn, int *rc)
{
	void *page = NULL;

	*rc = -XEN_EINVAL;
	*old_gfn = INVALID_GFN;
	if (idx & XENMAPIDX_grant_table_status)
		return NULL; /* status frames exist in version 2 only */
	spin_lock(&d->lock);
	if (idx < d->max_frames && grow_locked(d, (unsigned int)idx + 1)) {
		page = d->shared[idx];
		*old_gfn = d->frame_gfn[idx];
		d->frame_gfn[idx] = gfn;
		*rc = 0;
	} else if (idx < d->max_frames) {
		*rc = -XEN_ENOMEM;
	}
	spin_unlock(&d->lock);
	return page;
}
