/* The fake hypervisor for the event channel tests: see fake_env.h. */
#include "fake_env.h"

#include <stdlib.h>
#include <string.h>

struct fake_dom fake_doms[FAKE_DOMS];
long fake_live_allocs;

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

static struct evtchn_domain *f_get_domain(domid_t id)
{
	for (unsigned int i = 0; i < FAKE_DOMS; i++)
		if (fake_doms[i].exists && fake_doms[i].ed.domain_id == id) {
			__atomic_fetch_add(&fake_doms[i].refs, 1, __ATOMIC_SEQ_CST);
			return &fake_doms[i].ed;
		}
	return NULL;
}

static void f_put_domain(struct evtchn_domain *d)
{
	struct fake_dom *f = d->priv;

	assert_true(__atomic_sub_fetch(&f->refs, 1, __ATOMIC_SEQ_CST) >= 0);
}

static struct shared_info *f_shared_info(struct evtchn_domain *d)
{
	return ((struct fake_dom *)d->priv)->si;
}

static struct vcpu_info *f_vcpu_info(struct evtchn_vcpu *v)
{
	return &((struct fake_dom *)v->domain->priv)->si->vcpu_info[v->vcpu_id];
}

static void *f_map_gfn(struct evtchn_domain *d, uint64_t gfn)
{
	struct fake_dom *f = d->priv;

	if (gfn >= FAKE_GFNS)
		return NULL;
	if (!f->page[gfn]) {
		f->page[gfn] = aligned_alloc(4096, 4096);
		memset(f->page[gfn], 0, 4096);
	}
	f->mapped[gfn]++;
	return f->page[gfn];
}

static void f_unmap(struct evtchn_domain *d, void *page)
{
	struct fake_dom *f = d->priv;

	for (unsigned int i = 0; i < FAKE_GFNS; i++)
		if (f->page[i] == page) {
			assert_true(f->mapped[i] > 0);
			f->mapped[i]--;
			return;
		}
	fail_msg("unmap of a page never mapped");
}

static void f_kick(struct evtchn_vcpu *v)
{
	struct fake_dom *f = v->domain->priv;

	__atomic_fetch_add(&f->kicks[v->vcpu_id], 1, __ATOMIC_SEQ_CST);
}

static bool f_paused(struct evtchn_domain *d)
{
	return ((struct fake_dom *)d->priv)->paused;
}

static void f_xen_event(struct evtchn_domain *d, evtchn_port_t port)
{
	struct fake_dom *f = d->priv;

	f->xen_events++;
	f->last_xen_port = port;
}

const struct evtchn_env fake_env = {
	.zalloc = f_zalloc,
	.free = f_free,
	.get_domain = f_get_domain,
	.put_domain = f_put_domain,
	.shared_info = f_shared_info,
	.vcpu_info = f_vcpu_info,
	.map_gfn = f_map_gfn,
	.unmap = f_unmap,
	.kick = f_kick,
	.paused = f_paused,
	.xen_event = f_xen_event,
};

struct fake_dom *fake_dom_create(unsigned int slot, domid_t id, bool privileged, unsigned int nr_vcpus,
				 unsigned int max_port)
{
	struct fake_dom *f = &fake_doms[slot];

	assert_false(f->exists);
	memset(f, 0, sizeof(*f));
	f->si = aligned_alloc(4096, 4096);
	memset(f->si, 0, 4096);
	assert_int_equal(evtchn_domain_init(&f->ed, id, privileged, nr_vcpus, max_port, &fake_env, f), 0);
	for (unsigned int i = 0; i < nr_vcpus; i++)
		evtchn_vcpu_init(&f->ed, &f->ev[i], i, NULL);
	f->exists = true;
	return f;
}

void fake_dom_destroy(struct fake_dom *f)
{
	if (!f->exists)
		return;
	f->exists = false; /* no new lookups */
	evtchn_domain_destroy(&f->ed);
	assert_int_equal(f->refs, 0);
	for (unsigned int i = 0; i < FAKE_GFNS; i++) {
		assert_int_equal(f->mapped[i], 0);
		free(f->page[i]);
	}
	free(f->si);
	memset(f, 0, sizeof(*f));
}

int fake_teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < FAKE_DOMS; i++)
		fake_dom_destroy(&fake_doms[i]);
	assert_int_equal(fake_live_allocs, 0);
	return 0;
}

long op(struct fake_dom *f, unsigned int cmd, void *arg)
{
	return evtchn_op(&f->ed, &f->ev[0], cmd, arg);
}

int alloc_unbound(struct fake_dom *f, domid_t dom, domid_t remote)
{
	struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote };
	long rc = op(f, EVTCHNOP_alloc_unbound, &a);

	return rc ? (int)rc : (int)a.port;
}

int bind_interdomain(struct fake_dom *f, domid_t remote, evtchn_port_t rport)
{
	struct evtchn_bind_interdomain b = { .remote_dom = remote, .remote_port = rport };
	long rc = op(f, EVTCHNOP_bind_interdomain, &b);

	return rc ? (int)rc : (int)b.local_port;
}

int bind_virq(struct fake_dom *f, uint32_t virq, uint32_t vcpu)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
	long rc = op(f, EVTCHNOP_bind_virq, &b);

	return rc ? (int)rc : (int)b.port;
}

int bind_ipi(struct fake_dom *f, uint32_t vcpu)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu };
	long rc = op(f, EVTCHNOP_bind_ipi, &b);

	return rc ? (int)rc : (int)b.port;
}

long send(struct fake_dom *f, evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	return op(f, EVTCHNOP_send, &s);
}

long close_port(struct fake_dom *f, evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };

	return op(f, EVTCHNOP_close, &c);
}

long unmask(struct fake_dom *f, evtchn_port_t port)
{
	struct evtchn_unmask u = { .port = port };

	return op(f, EVTCHNOP_unmask, &u);
}

long bind_vcpu(struct fake_dom *f, evtchn_port_t port, uint32_t vcpu)
{
	struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };

	return op(f, EVTCHNOP_bind_vcpu, &b);
}

long status(struct fake_dom *f, domid_t dom, evtchn_port_t port, struct evtchn_status *out)
{
	memset(out, 0xa5, sizeof(*out));
	out->dom = dom;
	out->port = port;
	return op(f, EVTCHNOP_status, out);
}

bool l2_pending(struct fake_dom *f, evtchn_port_t port)
{
	return (f->si->evtchn_pending[port / 64] >> (port % 64)) & 1;
}

bool l2_masked(struct fake_dom *f, evtchn_port_t port)
{
	return (f->si->evtchn_mask[port / 64] >> (port % 64)) & 1;
}

void l2_set_mask(struct fake_dom *f, evtchn_port_t port, bool masked)
{
	if (masked)
		__atomic_fetch_or(&f->si->evtchn_mask[port / 64], 1UL << (port % 64), __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&f->si->evtchn_mask[port / 64], ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
}

void l2_clear_pending(struct fake_dom *f, evtchn_port_t port)
{
	__atomic_fetch_and(&f->si->evtchn_pending[port / 64], ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
}

void fifo_setup(struct fifo_guest *g, struct fake_dom *f, unsigned int vcpu, uint64_t cb_gfn)
{
	struct evtchn_init_control c = { .control_gfn = cb_gfn, .offset = 64, .vcpu = vcpu };

	memset(g, 0, sizeof(*g));
	g->f = f;
	g->vcpu = vcpu;
	assert_int_equal(op(f, EVTCHNOP_init_control, &c), 0);
	assert_int_equal(c.link_bits, EVTCHN_FIFO_LINK_BITS);
	g->cb = (struct evtchn_fifo_control_block *)((char *)f->page[cb_gfn] + 64);
}

void fifo_add_pages(struct fake_dom *f, uint64_t gfn, unsigned int nr, bool masked)
{
	for (unsigned int i = 0; i < nr; i++) {
		struct evtchn_expand_array e = { .array_gfn = gfn + i };
		event_word_t *w;

		/* the guest initialises the page before handing it over */
		if (!f->page[gfn + i])
			f->page[gfn + i] = aligned_alloc(4096, 4096);
		w = f->page[gfn + i];
		for (unsigned int j = 0; j < 1024; j++)
			w[j] = masked ? 1U << EVTCHN_FIFO_MASKED : 0;
		assert_int_equal(op(f, EVTCHNOP_expand_array, &e), 0);
	}
}

event_word_t *fifo_word(struct fake_dom *f, evtchn_port_t port)
{
	assert_true(port < f->ed.fifo_nr_words);
	return f->ed.fifo_array[port / 1024] + port % 1024;
}

/* Clear LINKED and LINK, returning the old LINK (Linux's clear_linked). */
static uint32_t clear_linked(event_word_t *word)
{
	event_word_t w = __atomic_load_n(word, __ATOMIC_SEQ_CST), new;

	do
		new = w & ~((1U << EVTCHN_FIFO_LINKED) | EVTCHN_FIFO_LINK_MASK);
	while (!__atomic_compare_exchange_n(word, &w, new, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	return w & EVTCHN_FIFO_LINK_MASK;
}

unsigned int fifo_consume(struct fifo_guest *g, evtchn_port_t *out, unsigned int max)
{
	uint32_t ready = __atomic_exchange_n(&g->cb->ready, 0, __ATOMIC_SEQ_CST);
	unsigned int n = 0;

	while (ready) {
		unsigned int q = __builtin_ctz(ready);
		uint32_t head = g->head[q];
		event_word_t *word, w;
		evtchn_port_t port;

		if (!head)
			head = __atomic_load_n(&g->cb->head[q], __ATOMIC_SEQ_CST);
		port = head;
		word = fifo_word(g->f, port);
		head = clear_linked(word);
		if (!head)
			ready &= ~(1U << q);
		w = __atomic_load_n(word, __ATOMIC_SEQ_CST);
		if ((w & (1U << EVTCHN_FIFO_PENDING)) && !(w & (1U << EVTCHN_FIFO_MASKED))) {
			__atomic_fetch_and(word, ~(1U << EVTCHN_FIFO_PENDING), __ATOMIC_SEQ_CST);
			if (n < max && out)
				out[n] = port;
			n++;
		}
		g->head[q] = head;
		ready |= __atomic_exchange_n(&g->cb->ready, 0, __ATOMIC_SEQ_CST);
	}
	return n;
}
