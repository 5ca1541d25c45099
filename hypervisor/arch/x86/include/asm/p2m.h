/*
 * The physical-to-machine map of a domain: AMD nested page tables
 * (hvm/p2m.c). Guest frames map to machine frames with 4 KiB, 2 MiB or
 * 1 GiB entries, whichever the alignment of both sides allows.
 *
 * Lock order: d->arch.p2m_lock is taken inside d->lock; it is a leaf.
 */
#ifndef ASM_P2M_H
#define ASM_P2M_H

#include <hv/types.h>

struct domain;

#define P2M_R 1u
#define P2M_W 2u
#define P2M_X 4u
#define P2M_RWX (P2M_R | P2M_W | P2M_X)

int p2m_init(struct domain *d);
/* Free the table pages (not the frames they map). */
void p2m_teardown(struct domain *d);
/* Map 2^order frames from gfn to mfn (both aligned to 2^order). */
int p2m_map(struct domain *d, gfn_t gfn, mfn_t mfn, unsigned int order, unsigned int access);
/* Remove 2^order frames' mappings (a large mapping is split as needed). */
int p2m_unmap(struct domain *d, gfn_t gfn, unsigned int order);
/* INVALID_MFN when unmapped; *access gets P2M_* (may be NULL). */
mfn_t p2m_lookup(struct domain *d, gfn_t gfn, unsigned int *access);

#endif
