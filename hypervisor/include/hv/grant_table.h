/*
 * Grant tables, version 1 (common/grant_table.c): each domain's table of
 * shared entries (in frames the hypervisor allocates and the guest maps),
 * the active entries that count how each grant is in use (pins), the
 * maptrack of each mapping domain (one handle per map_grant_ref), and the
 * GNTTABOP_* operations with Xen's semantics and status codes.
 *
 * The module is pure: everything it needs from the hypervisor (memory,
 * domain lookup and references, guest frames, the mapper's p2m, guest
 * memory access) comes through struct gnttab_env, so it runs unchanged in
 * the host unit tests (tests/unit/gnttab). The hypervisor embeds struct
 * gnttab_domain in its domain (common/gnttab_glue.c).
 *
 * Lifetime: every maptrack entry holds a reference (env->get_domain) on the
 * granting domain, so a granting domain that dies while others map its
 * frames stays allocated, frames included, until the last of those mappings
 * is unmapped. A dying domain's own mappings are undone by
 * gnttab_release_mappings() when it is destroyed (not when it is freed), so
 * two domains mapping each other's grants cannot keep each other alive.
 *
 * Lock order: the maptrack lock of the mapping domain -> the grant lock of
 * the granting domain (one at a time) -> (env: the mapper's p2m lock,
 * allocation). The grant lock protects the table's frames, nr_frames, the
 * active entries and the version; the maptrack lock protects that domain's
 * maptrack entries and free list. env->get_domain and env->put_domain are
 * called with no grant or maptrack lock held.
 */
#ifndef HV_GRANT_TABLE_H
#define HV_GRANT_TABLE_H

#include <hv/spinlock.h>
#include <hv/types.h>
#include <public/grant_table.h>
#include <public/xen.h>

#define GNTTAB_DEFAULT_MAX_FRAMES 64		/* xl's default max_grant_frames */
#define GNTTAB_LIMIT_MAX_FRAMES 4096		/* the most a configuration may ask for */
#define GNTTAB_DEFAULT_MAX_MAPTRACK_FRAMES 1024 /* xl's default max_maptrack_frames */
#define GNTTAB_LIMIT_MAPTRACK_FRAMES 65536	/* the most a configuration may ask for */
#define GNTTAB_MAPTRACK_PER_FRAME 256		/* handles per maptrack frame (Xen: 16-byte entries) */
#define GNTTAB_MAX_BATCH 1024			/* ops per hypercall: more is -EINVAL (no continuations) */
#define GNTTAB_PIN_MAX 127			/* mappings + copies of one grant of one kind */
#define GNTTAB_INVALID_HANDLE 0xffffffffu

struct gnttab_domain;

/* How a grant is in use; valid while host_r + host_w > 0. */
struct gnttab_active {
	uint16_t host_r, host_w; /* read-only / writable pins (mappings, copies in progress) */
	domid_t domid;		 /* the domain holding the pins */
	mfn_t mfn;		 /* the granted frame, looked up at the first pin */
};

/* One map_grant_ref of the mapping domain (flags 0: free). */
struct gnttab_maptrack {
	struct gnttab_domain *rd; /* the granting domain (referenced) */
	grant_ref_t ref;
	uint32_t flags; /* GNTMAP_host_map | GNTMAP_readonly */
	gfn_t host_gfn; /* where the mapping was made in the mapper */
	uint32_t next;	/* free list link */
};

struct gnttab_env {
	void *(*zalloc)(size_t bytes); /* zeroed memory, NULL when out */
	void (*free)(void *p);
	void *(*alloc_page)(void); /* a zeroed 4 KiB frame for shared entries, NULL when out */
	void (*free_page)(void *page);
	/* the live (not dying) domain with this id, referenced; NULL if none */
	struct gnttab_domain *(*get_domain)(domid_t id);
	void (*put_domain)(struct gnttab_domain *d);
	/* d's own RAM frame at gfn (not a foreign mapping, not a hypervisor
	 * frame): 0 and *mfn, held (it stays d's until release_frame), or -1 */
	int (*own_frame)(struct gnttab_domain *d, gfn_t gfn, mfn_t *mfn);
	void (*release_frame)(struct gnttab_domain *d, mfn_t mfn);
	void *(*frame_va)(mfn_t mfn); /* the host address of a frame */
	/* map mfn at gfn in d's physmap (read-only or not, never executable):
	 * 0, or -1 (gfn out of range, no memory) */
	int (*p2m_insert)(struct gnttab_domain *d, gfn_t gfn, mfn_t mfn, bool readonly);
	/* remove d's mapping at gfn if it maps mfn: 0, or -1 (it does not) */
	int (*p2m_remove)(struct gnttab_domain *d, gfn_t gfn, mfn_t mfn);
	/* guest memory of the calling vCPU (guest-virtual): 0 or -1 */
	int (*copy_from_guest)(void *vcpu, void *dst, uint64_t gva, size_t len);
	int (*copy_to_guest)(void *vcpu, uint64_t gva, const void *src, size_t len);
};

struct gnttab_domain {
	domid_t domain_id;
	bool privileged; /* may query and set up other domains' tables */
	const struct gnttab_env *env;
	void *priv;	 /* the hypervisor's domain */
	spinlock_t lock; /* the grant lock: see the lock order above */
	unsigned int version;
	unsigned int nr_frames, max_frames;
	void **shared;			   /* [max_frames]: the entry frames */
	gfn_t *frame_gfn;		   /* [max_frames]: where the guest mapped each (INVALID_GFN) */
	struct gnttab_active **active;	   /* [max_frames]: 512 entries each */
	spinlock_t maptrack_lock;	   /* this domain's maptrack */
	struct gnttab_maptrack **maptrack; /* [max_maptrack_frames] chunks */
	unsigned int maptrack_frames, max_maptrack_frames;
	uint32_t maptrack_free; /* head of the free list (GNTTAB_INVALID_HANDLE: empty) */
	unsigned int maptrack_used;
};

/* Set up d's table (version 1, one frame allocated, as Xen does at domain
 * creation) with room to grow to max_frames frames and max_maptrack_frames
 * maptrack frames (0: it cannot map grants). 0, -XEN_EINVAL (no frames, or a
 * limit too big) or -XEN_ENOMEM. */
int gnttab_domain_init(struct gnttab_domain *d, domid_t id, bool privileged, unsigned int max_frames,
		       unsigned int max_maptrack_frames, const struct gnttab_env *env, void *priv);
/* Undo every mapping d made of other domains' (and its own) grants: pins
 * dropped, the mappings removed from d's physmap, the references on the
 * granting domains put. For a dying domain whose vCPUs no longer run. */
void gnttab_release_mappings(struct gnttab_domain *d);
/* Free the table (after gnttab_release_mappings; nobody may map d's grants
 * any more: every mapper holds a reference on d). */
void gnttab_domain_destroy(struct gnttab_domain *d);

/* The hypercall grant_table_op(cmd, uop, count) from vCPU vcpu of d:
 * 0 or -XEN_Exxx; per-op GNTST_* status in each op's status field. compat:
 * the vCPU runs 32-bit code and passes Xen's compat (i386) layouts. */
long gnttab_op(struct gnttab_domain *d, void *vcpu, unsigned int cmd, uint64_t uop, unsigned int count, bool compat);

/* XENMAPSPACE_grant_table: frame idx of d's table (grown to idx + 1
 * frames if needed) for mapping at gfn. Returns the frame's host address
 * and, in *old_gfn, where it was mapped before (INVALID_GFN: nowhere), and
 * records gfn as its place; NULL (-XEN_EINVAL in *rc) for an idx beyond the
 * maximum, the status-frame bit (version 2 only) or no memory. */
void *gnttab_map_frame(struct gnttab_domain *d, uint64_t idx, gfn_t gfn, gfn_t *old_gfn, int *rc);

#endif
