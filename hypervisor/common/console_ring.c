/*
 * The hypervisor side of a domain's PV console (Xen's console ring,
 * public/io/console.h): a page in the guest with an input ring (1 KiB, the
 * hypervisor produces) and an output ring (2 KiB, the guest produces), and
 * an event channel. The guest finds both with HVMOP_get_param
 * (HVM_PARAM_CONSOLE_PFN / _EVTCHN), writes its output and sends on the
 * channel; Basalt copies what is new to the console as "(dN) ..." lines.
 * Characters typed while the domain has the input focus go into the input
 * ring.
 *
 * Everything in the page is guest-writable, so indices are read once and
 * checked: a producer more than a ring's size ahead of the consumer is a
 * corrupt ring; it is reported (rate-limited) and skipped over.
 *
 * Lock order: the ring is only touched under d->lock.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/lib.h>
#include <asm/p2m.h>
#include <asm/page.h>

struct cons_ring {
	char in[1024];
	char out[2048];
	uint32_t in_cons, in_prod;
	uint32_t out_cons, out_prod;
};
BUILD_BUG_ON(offsetof(struct cons_ring, in_cons) != 3072);
BUILD_BUG_ON(offsetof(struct cons_ring, out_prod) != 3084);

static volatile struct cons_ring *ring_of(struct domain *d)
{
	mfn_t mfn;

	if (!d->con_ring_gfn)
		return NULL;
	mfn = p2m_lookup(d, _gfn(d->con_ring_gfn), NULL);
	/* not a page another domain granted (maybe read-only) mapped over it */
	return mfn_eq(mfn, INVALID_MFN) || !domain_owns_frame(d, mfn) ? NULL : mfn_to_virt(mfn);
}

void console_ring_process(struct domain *d)
{
	volatile struct cons_ring *r;
	uint32_t cons, prod;
	char buf[sizeof(r->out)];
	size_t n = 0;

	spin_lock(&d->lock);
	r = ring_of(d);
	if (!r) {
		spin_unlock(&d->lock);
		return;
	}
	cons = r->out_cons;
	prod = r->out_prod;
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the data after the index */
	if (prod - cons > sizeof(r->out)) {
		printk_ratelimited(LOG_WARN "d%u: console ring corrupt (out_prod %u, out_cons %u), output skipped\n",
				   d->domain_id, prod, cons);
		cons = prod;
	}
	while (cons != prod)
		buf[n++] = r->out[cons++ & (sizeof(r->out) - 1)];
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->out_cons = cons;
	spin_unlock(&d->lock);
	console_guest_write(d, buf, n);
}

bool console_ring_input(struct domain *d, char c)
{
	volatile struct cons_ring *r;
	uint32_t cons, prod;
	bool ok = false;

	spin_lock(&d->lock);
	r = ring_of(d);
	if (r) {
		cons = r->in_cons;
		prod = r->in_prod;
		if (prod - cons < sizeof(r->in)) {
			r->in[prod & (sizeof(r->in) - 1)] = c;
			__atomic_thread_fence(__ATOMIC_RELEASE);
			r->in_prod = prod + 1;
			ok = true;
		}
	}
	spin_unlock(&d->lock);
	return ok;
}
