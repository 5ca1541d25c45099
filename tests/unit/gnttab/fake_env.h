/*
 * A fake hypervisor around common/grant_table.c for the unit tests: domains
 * with RAM frames (guest frames 0..FAKE_RAM-1, machine frame slot * 4096 +
 * gfn), a p2m of FAKE_GFNS frames per domain where grant mappings land, and
 * guest pointers that are host pointers except for a "bad" range.
 */
#ifndef GNTTAB_FAKE_ENV_H
#define GNTTAB_FAKE_ENV_H

#include "harness.h"

#include <hv/errno.h>
#include <hv/grant_table.h>

#define FAKE_DOMS 4
#define FAKE_RAM 64   /* RAM frames per domain */
#define FAKE_GFNS 256 /* p2m size: frames past it cannot be mapped */
#define FAKE_BAD_PTR 0xdead0000ULL

struct fake_p2m {
	mfn_t mfn; /* INVALID_MFN: nothing */
	bool readonly;
};

struct fake_dom {
	struct gnttab_domain gd;
	bool exists;
	int refs; /* references taken through get_domain and not put */
	uint8_t *ram[FAKE_RAM];
	struct fake_p2m p2m[FAKE_GFNS];
};

extern struct fake_dom fake_doms[FAKE_DOMS];
extern const struct gnttab_env fake_env;
extern long fake_live_allocs;
/* Guest pointers in [fake_bad_lo, fake_bad_hi) fault (besides FAKE_BAD_PTR's page). */
extern uint64_t fake_bad_lo, fake_bad_hi;

struct fake_dom *fake_dom_create(unsigned int slot, domid_t id, bool privileged, unsigned int max_frames,
				 unsigned int max_maptrack);
/* Destroy: release mappings, free; checks that no reference is left on it. */
void fake_dom_destroy(struct fake_dom *f);
int fake_teardown(void **state);
mfn_t fake_ram_mfn(const struct fake_dom *f, unsigned int gfn);
uint64_t gptr(const void *p); /* a host pointer as a guest pointer */

/* Hypercall on behalf of f. */
long gop(struct fake_dom *f, unsigned int cmd, void *uop, unsigned int count);

/* The granting guest's side: entry ref of f's table. */
void grant(struct fake_dom *f, grant_ref_t ref, domid_t to, uint32_t gfn, uint16_t flags);
uint16_t grant_flags(struct fake_dom *f, grant_ref_t ref);

/* Shorthands: status of one op. */
int16_t map(struct fake_dom *f, domid_t dom, grant_ref_t ref, uint32_t flags, uint64_t gfn, grant_handle_t *h);
int16_t unmap(struct fake_dom *f, uint64_t gfn, grant_handle_t h);
int16_t copy(struct fake_dom *f, const struct gnttab_copy *c);

#endif
