/*
 * Event channels: the port table, the EVTCHNOP_* operations and delivery
 * through the 2-level and FIFO ABIs (see hv/event.h for the interface).
 *
 * Lock order: event lock of the lower domain id -> event lock of the higher
 * domain id. Everything about a domain's ports, its vCPUs' virq_to_port[]
 * and FIFO queues is under its event lock, so every "set pending" runs
 * under the lock of the domain receiving the event (an interdomain send
 * holds both ends' locks). The guest changes its event words and bitmaps
 * concurrently: those are only touched with atomic operations, following
 * the protocols of Xen's 2-level ABI and FIFO design.
 *
 * Semantics and errors follow Xen's common/event_channel.c behaviour;
 * differences: there are no PIRQs (bind_pirq is -EINVAL, as for a domain
 * with no PIRQs), a domain is "privileged" or not (no XSM policy), reset
 * is never preempted (reset_cont does the same work), and ports whose other
 * end is the hypervisor are a flag on an unbound port.
 */
#include <hv/console.h>
#include <hv/errno.h>
#include <hv/event.h>
#include <hv/lib.h>

#define BITS_PER_UL (sizeof(unsigned long) * 8)

/* ------------------------------------------------------------ port table */

static unsigned int abi_nr_ports(const struct evtchn_domain *d)
{
	return d->fifo ? EVTCHN_FIFO_NR_CHANNELS : EVTCHN_2L_NR_CHANNELS;
}

static bool port_is_valid(const struct evtchn_domain *d, evtchn_port_t port)
{
	return port < d->valid_ports && port < abi_nr_ports(d);
}

static struct evtchn *port_chn(const struct evtchn_domain *d, evtchn_port_t port)
{
	return &d->bucket[port / EVTCHN_PORTS_PER_BUCKET][port % EVTCHN_PORTS_PER_BUCKET];
}

static struct evtchn_vcpu *domain_vcpu(const struct evtchn_domain *d, unsigned int id)
{
	return id < d->nr_vcpus ? d->vcpu[id] : NULL;
}

static bool may_act_on(const struct evtchn_domain *cur, const struct evtchn_domain *d)
{
	return cur == d || cur->privileged;
}

/* DOMID_SELF or an id -> the domain; *ref says whether to put it. */
static struct evtchn_domain *lookup_domain(struct evtchn_domain *cur, domid_t id, bool *ref)
{
	*ref = false;
	if (id == DOMID_SELF || id == cur->domain_id)
		return cur;
	*ref = true;
	return cur->env->get_domain(id);
}

static void lock_two(struct evtchn_domain *a, struct evtchn_domain *b)
{
	if (a == b) {
		spin_lock(&a->lock);
	} else if (a->domain_id < b->domain_id) {
		spin_lock(&a->lock);
		spin_lock(&b->lock);
	} else {
		spin_lock(&b->lock);
		spin_lock(&a->lock);
	}
}

static void unlock_two(struct evtchn_domain *a, struct evtchn_domain *b)
{
	if (a != b)
		spin_unlock(&b->lock);
	spin_unlock(&a->lock);
}

/* ------------------------------------------------------------ 2-level ABI */

/* The vCPU's upcall: set evtchn_upcall_pending, kick if newly set. */
static void mark_events_pending(struct evtchn_domain *d, struct evtchn_vcpu *v)
{
	struct vcpu_info *vi = d->env->vcpu_info(v);

	if (vi && !__atomic_exchange_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
		d->env->kick(v);
}

static bool ul_test_and_set(unsigned long *map, unsigned int nr)
{
	unsigned long m = 1UL << (nr % BITS_PER_UL);

	return __atomic_fetch_or(&map[nr / BITS_PER_UL], m, __ATOMIC_SEQ_CST) & m;
}

static bool ul_test_and_clear(unsigned long *map, unsigned int nr)
{
	unsigned long m = 1UL << (nr % BITS_PER_UL);

	return __atomic_fetch_and(&map[nr / BITS_PER_UL], ~m, __ATOMIC_SEQ_CST) & m;
}

static bool ul_test(const unsigned long *map, unsigned int nr)
{
	return (__atomic_load_n(&map[nr / BITS_PER_UL], __ATOMIC_SEQ_CST) >> (nr % BITS_PER_UL)) & 1;
}

static void evtchn_2l_set_pending(struct evtchn_domain *d, struct evtchn_vcpu *v, evtchn_port_t port)
{
	struct shared_info *si = d->env->shared_info(d);
	struct vcpu_info *vi = d->env->vcpu_info(v);

	if (!si || port >= EVTCHN_2L_NR_CHANNELS)
		return;
	if (ul_test_and_set(si->evtchn_pending, port))
		return; /* already pending: the guest has been told */
	if (vi && !ul_test(si->evtchn_mask, port) && !ul_test_and_set(&vi->evtchn_pending_sel, port / BITS_PER_UL))
		mark_events_pending(d, v);
}

static void evtchn_2l_clear_pending(struct evtchn_domain *d, evtchn_port_t port)
{
	struct shared_info *si = d->env->shared_info(d);

	if (si && port < EVTCHN_2L_NR_CHANNELS)
		ul_test_and_clear(si->evtchn_pending, port);
}

static void evtchn_2l_unmask(struct evtchn_domain *d, struct evtchn_vcpu *v, evtchn_port_t port)
{
	struct shared_info *si = d->env->shared_info(d);
	struct vcpu_info *vi = v ? d->env->vcpu_info(v) : NULL;

	if (!si || port >= EVTCHN_2L_NR_CHANNELS)
		return;
	if (ul_test_and_clear(si->evtchn_mask, port) && ul_test(si->evtchn_pending, port) && vi &&
	    !ul_test_and_set(&vi->evtchn_pending_sel, port / BITS_PER_UL))
		mark_events_pending(d, v);
}

/* ------------------------------------------------------------ FIFO ABI */

#define W_PENDING (1U << EVTCHN_FIFO_PENDING)
#define W_MASKED (1U << EVTCHN_FIFO_MASKED)
#define W_LINKED (1U << EVTCHN_FIFO_LINKED)
#define W_BUSY (1U << EVTCHN_FIFO_BUSY)

static event_word_t *fifo_word(const struct evtchn_domain *d, evtchn_port_t port)
{
	if (!d->fifo || port >= d->fifo_nr_words)
		return NULL;
	return d->fifo_array[port / EVTCHN_FIFO_WORDS_PER_PAGE] + port % EVTCHN_FIFO_WORDS_PER_PAGE;
}

static uint32_t word_or(event_word_t *w, uint32_t bits)
{
	return __atomic_fetch_or(w, bits, __ATOMIC_SEQ_CST);
}

static uint32_t word_and(event_word_t *w, uint32_t bits)
{
	return __atomic_fetch_and(w, bits, __ATOMIC_SEQ_CST);
}

/*
 * Point the tail event's LINK at port, if the tail is still LINKED (the
 * guest may have consumed it: then the queue is empty and the caller makes
 * port the head). The guest may meanwhile set or clear MASKED, clear
 * PENDING, or clear LINKED: so compare-and-swap, and after a failure set
 * BUSY, which a guest must respect by not unmasking, so that only a bounded
 * number of guest changes can make further attempts fail.
 */
static bool fifo_set_link(const struct evtchn_domain *d, event_word_t *word, evtchn_port_t port)
{
	event_word_t w = __atomic_load_n(word, __ATOMIC_SEQ_CST);
	bool busy = false;

	for (unsigned int try = 0; try < 8; try++) {
		event_word_t new;

		if (!(w & W_LINKED)) {
			if (busy)
				word_and(word, ~W_BUSY);
			return false;
		}
		new = (w & ~(W_BUSY | EVTCHN_FIFO_LINK_MASK)) | port;
		if (__atomic_compare_exchange_n(word, &w, new, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return true; /* BUSY cleared with the same write */
		if (!busy) {
			w = word_or(word, W_BUSY) | W_BUSY;
			busy = true;
		}
	}
	/* Only a guest breaking the protocol gets here: its event is lost. */
	word_and(word, ~W_BUSY);
	printk_ratelimited(LOG_WARN "evtchn: d%u port %u: tail word keeps changing, event lost\n", d->domain_id, port);
	return true;
}

static void evtchn_fifo_set_pending(struct evtchn_domain *d, struct evtchn_vcpu *v, struct evtchn *chn,
				    evtchn_port_t port)
{
	event_word_t *word = fifo_word(d, port);
	struct evtchn_fifo_queue *q;
	struct evtchn_vcpu *old_v;
	bool linked = true;

	if (!word) {
		chn->pending = true; /* raised when its page arrives */
		return;
	}
	/* No control block: the guest must not unmask events before it has
	 * one, so the event can be dropped. */
	if (!v->control_block)
		return;

	word_or(word, W_PENDING);
	q = &v->queue[chn->priority];
	if (!(__atomic_load_n(word, __ATOMIC_SEQ_CST) & W_MASKED) && !(word_or(word, W_LINKED) & W_LINKED)) {
		/* It was the tail of the queue it was last on: that queue's tail
		 * must not be linked to any more (the event is now linked here). */
		old_v = domain_vcpu(d, chn->last_vcpu_id);
		if (old_v && old_v->queue[chn->last_priority].tail == port)
			old_v->queue[chn->last_priority].tail = 0;
		chn->last_vcpu_id = v->vcpu_id;
		chn->last_priority = chn->priority;

		linked = false;
		if (q->tail) {
			event_word_t *tail_word = fifo_word(d, q->tail);

			if (tail_word)
				linked = fifo_set_link(d, tail_word, port);
		}
		if (!linked)
			__atomic_store_n(q->head, port, __ATOMIC_SEQ_CST);
		q->tail = port;
	}
	if (!linked && !(__atomic_fetch_or(&v->control_block->ready, 1U << chn->priority, __ATOMIC_SEQ_CST) &
			 (1U << chn->priority)))
		mark_events_pending(d, v);
}

static void evtchn_fifo_unmask(struct evtchn_domain *d, struct evtchn_vcpu *v, struct evtchn *chn, evtchn_port_t port)
{
	event_word_t *word = fifo_word(d, port);

	if (!word)
		return;
	word_and(word, ~W_MASKED);
	if ((__atomic_load_n(word, __ATOMIC_SEQ_CST) & W_PENDING) && v)
		evtchn_fifo_set_pending(d, v, chn, port);
}

static void fifo_teardown(struct evtchn_domain *d)
{
	for (unsigned int i = 0; i < d->nr_vcpus; i++) {
		struct evtchn_vcpu *v = d->vcpu[i];

		if (!v)
			continue;
		if (v->control_page)
			d->env->unmap(d, v->control_page);
		v->control_page = NULL;
		v->control_block = NULL;
		memset(v->queue, 0, sizeof(v->queue));
	}
	for (unsigned int i = 0; i < EVTCHN_FIFO_MAX_PAGES; i++) {
		if (d->fifo_array[i])
			d->env->unmap(d, d->fifo_array[i]);
		d->fifo_array[i] = NULL;
	}
	d->fifo_nr_words = 0;
	d->fifo = false;
}

/* ------------------------------------------------------------ either ABI */

/* Port of d becomes pending for vCPU v (d's event lock held). */
static void set_pending(struct evtchn_domain *d, struct evtchn_vcpu *v, evtchn_port_t port)
{
	if (!v)
		return;
	if (d->fifo)
		evtchn_fifo_set_pending(d, v, port_chn(d, port), port);
	else
		evtchn_2l_set_pending(d, v, port);
	if (d->env->port_pending)
		d->env->port_pending(d, port); /* masked or not: SCHEDOP_poll waits for either */
}

int evtchn_port_is_pending(struct evtchn_domain *d, evtchn_port_t port)
{
	int rc;

	if (port > d->max_port || port >= abi_nr_ports(d))
		return -XEN_EINVAL;
	spin_lock(&d->lock);
	if (d->fifo) {
		event_word_t *word = fifo_word(d, port);

		rc = word ? (__atomic_load_n(word, __ATOMIC_SEQ_CST) >> EVTCHN_FIFO_PENDING) & 1
			  : port_is_valid(d, port) && port_chn(d, port)->pending;
	} else {
		struct shared_info *si = d->env->shared_info(d);

		rc = si && ul_test(si->evtchn_pending, port);
	}
	spin_unlock(&d->lock);
	return rc;
}

static void clear_pending(struct evtchn_domain *d, evtchn_port_t port)
{
	event_word_t *word = fifo_word(d, port);

	if (d->fifo) {
		port_chn(d, port)->pending = false;
		if (word) /* the guest unlinks it and skips it: not pending */
			word_and(word, ~W_PENDING);
	} else {
		evtchn_2l_clear_pending(d, port);
	}
}

/* A FIFO port still on a queue cannot be reused until the guest unlinks it. */
static bool port_is_busy(const struct evtchn_domain *d, evtchn_port_t port)
{
	event_word_t *word = fifo_word(d, port);

	return word && (__atomic_load_n(word, __ATOMIC_SEQ_CST) & W_LINKED);
}

/* A free port of d (its lock held): its number, or -ENOSPC / -ENOMEM. */
static int get_free_port(struct evtchn_domain *d)
{
	unsigned int limit = MIN(d->max_port + 1, abi_nr_ports(d));
	unsigned int port;
	struct evtchn *b;

	for (port = 0; port < d->valid_ports; port++) {
		if (port >= limit)
			return -XEN_ENOSPC;
		if (port_chn(d, port)->state == ECS_FREE && !port_is_busy(d, port))
			return port;
	}
	if (port >= limit || port / EVTCHN_PORTS_PER_BUCKET >= d->nr_buckets)
		return -XEN_ENOSPC;
	b = d->env->zalloc(EVTCHN_PORTS_PER_BUCKET * sizeof(*b));
	if (!b)
		return -XEN_ENOMEM;
	for (unsigned int i = 0; i < EVTCHN_PORTS_PER_BUCKET; i++)
		b[i].priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
	d->bucket[port / EVTCHN_PORTS_PER_BUCKET] = b;
	__atomic_store_n(&d->valid_ports, d->valid_ports + EVTCHN_PORTS_PER_BUCKET, __ATOMIC_RELEASE);
	return port;
}

/* Take a port just returned by get_free_port into use. */
static struct evtchn *claim_port(struct evtchn_domain *d, evtchn_port_t port, enum evtchn_state state,
				 unsigned int vcpu_id)
{
	struct evtchn *chn = port_chn(d, port);

	chn->state = state;
	chn->notify_vcpu_id = vcpu_id;
	chn->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
	chn->pending = false;
	chn->xen_consumer = false;
	return chn;
}

static void free_port(struct evtchn_domain *d, evtchn_port_t port)
{
	struct evtchn *chn = port_chn(d, port);

	clear_pending(d, port);
	chn->state = ECS_FREE;
	chn->notify_vcpu_id = 0;
	chn->xen_consumer = false;
}

/*
 * Lock d and, when port is an interdomain channel to another domain, that
 * domain too, in lock order. Returns the other domain (locked) or NULL (only
 * d locked); *ref is set when the caller must also put that domain.
 */
static struct evtchn_domain *lock_port_and_peer(struct evtchn_domain *d, evtchn_port_t port, bool *ref)
{
	*ref = false;
	for (;;) {
		struct evtchn_domain *rd;
		struct evtchn *chn;
		domid_t rid;

		spin_lock(&d->lock);
		if (!port_is_valid(d, port))
			return NULL;
		chn = port_chn(d, port);
		if (chn->state != ECS_INTERDOMAIN || chn->u.interdomain.dom == d)
			return NULL;
		rd = chn->u.interdomain.dom;
		if (d->domain_id < rd->domain_id) {
			spin_lock(&rd->lock); /* bound: rd cannot go away while d is locked */
			return rd;
		}
		/* Wrong order: let go, hold a reference, take both, check again. */
		rid = rd->domain_id;
		spin_unlock(&d->lock);
		rd = d->env->get_domain(rid);
		if (!rd)
			continue; /* it is being destroyed: the channel is about to close */
		lock_two(d, rd);
		if (port_is_valid(d, port) && chn->state == ECS_INTERDOMAIN && chn->u.interdomain.dom == rd) {
			*ref = true;
			return rd;
		}
		unlock_two(d, rd);
		d->env->put_domain(rd);
	}
}

static void unlock_port_and_peer(struct evtchn_domain *d, struct evtchn_domain *rd, bool ref)
{
	if (rd) {
		unlock_two(d, rd);
		if (ref)
			d->env->put_domain(rd);
	} else {
		spin_unlock(&d->lock);
	}
}

/* Close port of d; a guest may not close a hypervisor-end port. */
static int close_port(struct evtchn_domain *d, evtchn_port_t port, bool guest)
{
	bool ref;
	struct evtchn_domain *rd = lock_port_and_peer(d, port, &ref);
	struct evtchn *chn, *rchn;
	int rc = 0;

	if (!port_is_valid(d, port)) {
		rc = -XEN_EINVAL;
		goto out;
	}
	chn = port_chn(d, port);
	if (guest && chn->xen_consumer) {
		rc = -XEN_EINVAL;
		goto out;
	}
	switch (chn->state) {
	case ECS_UNBOUND:
	case ECS_IPI:
		break;
	case ECS_VIRQ:
		for (unsigned int i = 0; i < d->nr_vcpus; i++)
			if (d->vcpu[i] && d->vcpu[i]->virq_to_port[chn->virq] == port)
				d->vcpu[i]->virq_to_port[chn->virq] = 0;
		break;
	case ECS_INTERDOMAIN:
		/* The other end (possibly in d itself) waits for a new peer. */
		rchn = port_chn(chn->u.interdomain.dom, chn->u.interdomain.port);
		rchn->state = ECS_UNBOUND;
		rchn->u.remote_domid = d->domain_id;
		break;
	default: /* free, reserved */
		rc = -XEN_EINVAL;
		goto out;
	}
	free_port(d, port);
out:
	unlock_port_and_peer(d, rd, ref);
	return rc;
}

/* ------------------------------------------------------------ operations */

static long op_alloc_unbound(struct evtchn_domain *cur, struct evtchn_alloc_unbound *a)
{
	bool ref;
	struct evtchn_domain *d = lookup_domain(cur, a->dom, &ref);
	struct evtchn *chn;
	int port;

	if (!d)
		return -XEN_ESRCH;
	if (!may_act_on(cur, d)) {
		port = -XEN_EPERM;
		goto out;
	}
	spin_lock(&d->lock);
	port = get_free_port(d);
	if (port > 0) {
		chn = claim_port(d, port, ECS_UNBOUND, 0);
		chn->u.remote_domid = a->remote_dom == DOMID_SELF ? cur->domain_id : a->remote_dom;
		a->port = port;
	}
	spin_unlock(&d->lock);
out:
	if (ref)
		cur->env->put_domain(d);
	return port < 0 ? port : 0;
}

static long op_bind_interdomain(struct evtchn_domain *ld, struct evtchn_bind_interdomain *b)
{
	bool ref;
	struct evtchn_domain *rd = lookup_domain(ld, b->remote_dom, &ref);
	struct evtchn *lchn, *rchn;
	int lport;

	if (!rd)
		return -XEN_ESRCH;
	lock_two(ld, rd);
	lport = get_free_port(ld);
	if (lport < 0)
		goto out;
	if (!port_is_valid(rd, b->remote_port)) {
		lport = -XEN_EINVAL;
		goto out;
	}
	rchn = port_chn(rd, b->remote_port);
	if (rchn->state != ECS_UNBOUND || rchn->xen_consumer || rchn->u.remote_domid != ld->domain_id) {
		lport = -XEN_EINVAL;
		goto out;
	}
	lchn = claim_port(ld, lport, ECS_INTERDOMAIN, 0);
	lchn->u.interdomain.dom = rd;
	lchn->u.interdomain.port = b->remote_port;
	rchn->state = ECS_INTERDOMAIN;
	rchn->u.interdomain.dom = ld;
	rchn->u.interdomain.port = lport;
	/* Sends to the unbound port were dropped: tell the binder to look. */
	set_pending(ld, domain_vcpu(ld, lchn->notify_vcpu_id), lport);
	b->local_port = lport;
out:
	unlock_two(ld, rd);
	if (ref)
		ld->env->put_domain(rd);
	return lport < 0 ? lport : 0;
}

static bool virq_is_global(unsigned int virq)
{
	return virq != VIRQ_TIMER && virq != VIRQ_DEBUG && virq != VIRQ_XENOPROF && virq != VIRQ_XENPMU;
}

static long op_bind_virq(struct evtchn_domain *d, struct evtchn_bind_virq *b)
{
	struct evtchn_vcpu *v;
	struct evtchn *chn;
	int port;

	if (b->virq >= NR_VIRQS)
		return -XEN_EINVAL;
	if (virq_is_global(b->virq) && b->vcpu != 0)
		return -XEN_EINVAL;
	v = domain_vcpu(d, b->vcpu);
	if (!v)
		return -XEN_ENOENT;
	spin_lock(&d->lock);
	if (v->virq_to_port[b->virq]) {
		port = -XEN_EEXIST;
		goto out;
	}
	port = get_free_port(d);
	if (port < 0)
		goto out;
	chn = claim_port(d, port, ECS_VIRQ, b->vcpu);
	chn->virq = b->virq;
	v->virq_to_port[b->virq] = port;
	b->port = port;
out:
	spin_unlock(&d->lock);
	return port < 0 ? port : 0;
}

static long op_bind_ipi(struct evtchn_domain *d, struct evtchn_bind_ipi *b)
{
	int port;

	if (!domain_vcpu(d, b->vcpu))
		return -XEN_ENOENT;
	spin_lock(&d->lock);
	port = get_free_port(d);
	if (port > 0) {
		claim_port(d, port, ECS_IPI, b->vcpu);
		b->port = port;
	}
	spin_unlock(&d->lock);
	return port < 0 ? port : 0;
}

static long op_send(struct evtchn_domain *d, evtchn_port_t port)
{
	bool ref, to_xen = false;
	struct evtchn_domain *rd = lock_port_and_peer(d, port, &ref);
	struct evtchn_domain *peer;
	struct evtchn *chn, *rchn;
	long rc = 0;

	if (!port_is_valid(d, port)) {
		rc = -XEN_EINVAL;
		goto out;
	}
	chn = port_chn(d, port);
	switch (chn->state) {
	case ECS_INTERDOMAIN:
		peer = chn->u.interdomain.dom; /* rd, or d for a loopback channel */
		rchn = port_chn(peer, chn->u.interdomain.port);
		set_pending(peer, domain_vcpu(peer, rchn->notify_vcpu_id), chn->u.interdomain.port);
		break;
	case ECS_IPI:
		set_pending(d, domain_vcpu(d, chn->notify_vcpu_id), port);
		break;
	case ECS_UNBOUND:
		to_xen = chn->xen_consumer; /* otherwise nobody listens: dropped */
		break;
	default:
		rc = -XEN_EINVAL;
	}
out:
	unlock_port_and_peer(d, rd, ref);
	if (to_xen && d->env->xen_event)
		d->env->xen_event(d, port);
	return rc;
}

static long op_status(struct evtchn_domain *cur, struct evtchn_status *s)
{
	bool ref;
	struct evtchn_domain *d = lookup_domain(cur, s->dom, &ref);
	struct evtchn *chn;
	long rc = 0;

	if (!d)
		return -XEN_ESRCH;
	if (!may_act_on(cur, d)) {
		rc = -XEN_EPERM;
		goto put;
	}
	spin_lock(&d->lock);
	if (!port_is_valid(d, s->port)) {
		rc = -XEN_EINVAL;
		goto out;
	}
	chn = port_chn(d, s->port);
	memset(&s->u, 0, sizeof(s->u));
	switch (chn->state) {
	case ECS_UNBOUND:
		s->status = EVTCHNSTAT_unbound;
		s->u.unbound.dom = chn->xen_consumer ? DOMID_XEN : chn->u.remote_domid;
		break;
	case ECS_INTERDOMAIN:
		s->status = EVTCHNSTAT_interdomain;
		s->u.interdomain.dom = chn->u.interdomain.dom->domain_id;
		s->u.interdomain.port = chn->u.interdomain.port;
		break;
	case ECS_VIRQ:
		s->status = EVTCHNSTAT_virq;
		s->u.virq = chn->virq;
		break;
	case ECS_IPI:
		s->status = EVTCHNSTAT_ipi;
		break;
	default:
		s->status = EVTCHNSTAT_closed;
	}
	s->vcpu = chn->notify_vcpu_id;
out:
	spin_unlock(&d->lock);
put:
	if (ref)
		cur->env->put_domain(d);
	return rc;
}

static long op_bind_vcpu(struct evtchn_domain *d, struct evtchn_bind_vcpu *b)
{
	struct evtchn *chn;
	long rc = 0;

	if (!domain_vcpu(d, b->vcpu))
		return -XEN_ENOENT;
	spin_lock(&d->lock);
	if (!port_is_valid(d, b->port)) {
		rc = -XEN_EINVAL;
		goto out;
	}
	chn = port_chn(d, b->port);
	if (chn->xen_consumer) {
		rc = -XEN_EINVAL;
		goto out;
	}
	switch (chn->state) {
	case ECS_VIRQ:
		if (virq_is_global(chn->virq))
			chn->notify_vcpu_id = b->vcpu;
		else
			rc = -XEN_EINVAL;
		break;
	case ECS_UNBOUND:
	case ECS_INTERDOMAIN:
		chn->notify_vcpu_id = b->vcpu;
		break;
	default:
		rc = -XEN_EINVAL;
	}
out:
	spin_unlock(&d->lock);
	return rc;
}

static long op_unmask(struct evtchn_domain *d, evtchn_port_t port)
{
	struct evtchn *chn;
	struct evtchn_vcpu *v;

	spin_lock(&d->lock);
	if (!port_is_valid(d, port)) {
		spin_unlock(&d->lock);
		return -XEN_EINVAL;
	}
	chn = port_chn(d, port);
	v = domain_vcpu(d, chn->notify_vcpu_id);
	if (d->fifo)
		evtchn_fifo_unmask(d, v, chn, port);
	else
		evtchn_2l_unmask(d, v, port);
	spin_unlock(&d->lock);
	return 0;
}

/* Close every port the guest could close; back to the 2-level ABI. */
static void reset_domain(struct evtchn_domain *d)
{
	for (evtchn_port_t port = 1; port < __atomic_load_n(&d->valid_ports, __ATOMIC_ACQUIRE); port++)
		close_port(d, port, true);
	spin_lock(&d->lock);
	fifo_teardown(d);
	spin_unlock(&d->lock);
}

static long op_reset(struct evtchn_domain *cur, struct evtchn_reset *r)
{
	bool ref;
	struct evtchn_domain *d = lookup_domain(cur, r->dom, &ref);
	long rc = 0;

	if (!d)
		return -XEN_ESRCH;
	if (!may_act_on(cur, d))
		rc = -XEN_EPERM;
	else if (d != cur && !(cur->env->paused && cur->env->paused(d)))
		rc = -XEN_EINVAL; /* another domain's ports only while it is paused */
	else
		reset_domain(d);
	if (ref)
		cur->env->put_domain(d);
	return rc;
}

static int map_control_block(struct evtchn_domain *d, struct evtchn_vcpu *v, uint64_t gfn, uint32_t offset)
{
	struct evtchn_fifo_control_block *cb;
	void *page;

	if (v->control_block)
		return -XEN_EINVAL;
	page = d->env->map_gfn(d, gfn);
	if (!page)
		return -XEN_EINVAL;
	cb = (struct evtchn_fifo_control_block *)((char *)page + offset);
	for (unsigned int i = 0; i < EVTCHN_FIFO_MAX_QUEUES; i++)
		v->queue[i].head = &cb->head[i];
	v->control_page = page;
	v->control_block = cb;
	return 0;
}

static long op_init_control(struct evtchn_domain *d, struct evtchn_init_control *c)
{
	struct shared_info *si;
	struct evtchn_vcpu *v;
	unsigned int prev;
	long rc;

	c->link_bits = EVTCHN_FIFO_LINK_BITS;
	v = domain_vcpu(d, c->vcpu);
	if (!v)
		return -XEN_ENOENT;
	if (c->offset > 4096 - sizeof(struct evtchn_fifo_control_block) || (c->offset & 7))
		return -XEN_EINVAL;
	spin_lock(&d->lock);
	rc = map_control_block(d, v, c->control_gfn, c->offset);
	if (rc || d->fifo)
		goto out;
	/* The first control block: switch ABI; pending 2-level ports stay
	 * pending (raised once their event words are mapped). */
	prev = MIN(d->valid_ports, EVTCHN_2L_NR_CHANNELS);
	si = d->env->shared_info(d);
	d->fifo = true;
	for (evtchn_port_t port = 1; port < prev; port++) {
		struct evtchn *chn = port_chn(d, port);

		chn->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
		if (si && ul_test(si->evtchn_pending, port))
			chn->pending = true;
	}
out:
	spin_unlock(&d->lock);
	return rc;
}

static long op_expand_array(struct evtchn_domain *d, struct evtchn_expand_array *e)
{
	unsigned int slot, first;
	void *page;
	long rc = 0;

	spin_lock(&d->lock);
	if (!d->fifo) {
		rc = -XEN_EOPNOTSUPP;
		goto out;
	}
	slot = d->fifo_nr_words / EVTCHN_FIFO_WORDS_PER_PAGE;
	if (slot >= EVTCHN_FIFO_MAX_PAGES) {
		rc = -XEN_ENOSPC;
		goto out;
	}
	page = d->env->map_gfn(d, e->array_gfn);
	if (!page) {
		rc = -XEN_EINVAL;
		goto out;
	}
	d->fifo_array[slot] = page;
	first = d->fifo_nr_words;
	d->fifo_nr_words += EVTCHN_FIFO_WORDS_PER_PAGE;
	/* Raise what became pending while these ports had no event word. */
	for (evtchn_port_t port = first; port < d->fifo_nr_words && port_is_valid(d, port); port++) {
		struct evtchn *chn = port_chn(d, port);

		if (chn->pending) {
			chn->pending = false;
			set_pending(d, domain_vcpu(d, chn->notify_vcpu_id), port);
		}
	}
out:
	spin_unlock(&d->lock);
	return rc;
}

static long op_set_priority(struct evtchn_domain *d, struct evtchn_set_priority *p)
{
	long rc = 0;

	spin_lock(&d->lock);
	if (!port_is_valid(d, p->port))
		rc = -XEN_EINVAL;
	else if (!d->fifo)
		rc = -XEN_ENOSYS; /* the 2-level ABI has no priorities */
	else if (p->priority > EVTCHN_FIFO_PRIORITY_MIN)
		rc = -XEN_EINVAL;
	else /* future events only: one already linked stays on its queue */
		port_chn(d, p->port)->priority = p->priority;
	spin_unlock(&d->lock);
	return rc;
}

size_t evtchn_op_arg_size(unsigned int cmd)
{
	switch (cmd) {
	case EVTCHNOP_bind_interdomain:
		return sizeof(struct evtchn_bind_interdomain);
	case EVTCHNOP_bind_virq:
		return sizeof(struct evtchn_bind_virq);
	case EVTCHNOP_bind_pirq:
		return sizeof(struct evtchn_bind_pirq);
	case EVTCHNOP_close:
		return sizeof(struct evtchn_close);
	case EVTCHNOP_send:
		return sizeof(struct evtchn_send);
	case EVTCHNOP_status:
		return sizeof(struct evtchn_status);
	case EVTCHNOP_alloc_unbound:
		return sizeof(struct evtchn_alloc_unbound);
	case EVTCHNOP_bind_ipi:
		return sizeof(struct evtchn_bind_ipi);
	case EVTCHNOP_bind_vcpu:
		return sizeof(struct evtchn_bind_vcpu);
	case EVTCHNOP_unmask:
		return sizeof(struct evtchn_unmask);
	case EVTCHNOP_reset:
	case EVTCHNOP_reset_cont:
		return sizeof(struct evtchn_reset);
	case EVTCHNOP_init_control:
		return sizeof(struct evtchn_init_control);
	case EVTCHNOP_expand_array:
		return sizeof(struct evtchn_expand_array);
	case EVTCHNOP_set_priority:
		return sizeof(struct evtchn_set_priority);
	default:
		return 0;
	}
}

long evtchn_op(struct evtchn_domain *d, struct evtchn_vcpu *v, unsigned int cmd, void *arg)
{
	switch (cmd) {
	case EVTCHNOP_bind_interdomain:
		return op_bind_interdomain(d, arg);
	case EVTCHNOP_bind_virq:
		return op_bind_virq(d, arg);
	case EVTCHNOP_bind_pirq:
		return -XEN_EINVAL; /* no PIRQs: every number is out of range */
	case EVTCHNOP_close:
		return close_port(d, ((struct evtchn_close *)arg)->port, true);
	case EVTCHNOP_send:
		return op_send(d, ((struct evtchn_send *)arg)->port);
	case EVTCHNOP_status:
		return op_status(d, arg);
	case EVTCHNOP_alloc_unbound:
		return op_alloc_unbound(d, arg);
	case EVTCHNOP_bind_ipi:
		return op_bind_ipi(d, arg);
	case EVTCHNOP_bind_vcpu:
		return op_bind_vcpu(d, arg);
	case EVTCHNOP_unmask:
		return op_unmask(d, ((struct evtchn_unmask *)arg)->port);
	case EVTCHNOP_reset:
	case EVTCHNOP_reset_cont:
		return op_reset(d, arg);
	case EVTCHNOP_init_control:
		return op_init_control(d, arg);
	case EVTCHNOP_expand_array:
		return op_expand_array(d, arg);
	case EVTCHNOP_set_priority:
		return op_set_priority(d, arg);
	default:
		return -XEN_ENOSYS;
	}
}

/* ------------------------------------------------------------ hypervisor side */

void evtchn_send_virq(struct evtchn_domain *d, unsigned int vcpu_id, unsigned int virq)
{
	struct evtchn_vcpu *v;
	evtchn_port_t port;

	if (virq >= NR_VIRQS)
		return;
	v = domain_vcpu(d, virq_is_global(virq) ? 0 : vcpu_id);
	if (!v)
		return;
	spin_lock(&d->lock);
	port = v->virq_to_port[virq];
	if (port) {
		if (virq_is_global(virq)) /* wherever bind_vcpu moved it */
			v = domain_vcpu(d, port_chn(d, port)->notify_vcpu_id);
		set_pending(d, v, port);
	}
	spin_unlock(&d->lock);
}

int evtchn_alloc_xen_port(struct evtchn_domain *d, unsigned int vcpu_id, evtchn_port_t *out)
{
	struct evtchn *chn;
	int port;

	if (!domain_vcpu(d, vcpu_id))
		return -XEN_ENOENT;
	spin_lock(&d->lock);
	port = get_free_port(d);
	if (port > 0) {
		chn = claim_port(d, port, ECS_UNBOUND, vcpu_id);
		chn->u.remote_domid = DOMID_XEN;
		chn->xen_consumer = true;
		*out = port;
	}
	spin_unlock(&d->lock);
	return port < 0 ? port : 0;
}

void evtchn_notify_xen_port(struct evtchn_domain *d, evtchn_port_t port)
{
	spin_lock(&d->lock);
	if (port_is_valid(d, port) && port_chn(d, port)->xen_consumer)
		set_pending(d, domain_vcpu(d, port_chn(d, port)->notify_vcpu_id), port);
	spin_unlock(&d->lock);
}

int evtchn_domain_init(struct evtchn_domain *d, domid_t id, bool privileged, unsigned int nr_vcpus,
		       unsigned int max_port, const struct evtchn_env *env, void *priv)
{
	int port;

	memset(d, 0, sizeof(*d));
	d->domain_id = id;
	d->privileged = privileged;
	d->env = env;
	d->priv = priv;
	spin_lock_init(&d->lock);
	d->nr_vcpus = nr_vcpus;
	d->max_port = MIN(max_port, EVTCHN_FIFO_NR_CHANNELS - 1);
	d->nr_buckets = DIV_ROUND_UP(d->max_port + 1, EVTCHN_PORTS_PER_BUCKET);
	d->vcpu = env->zalloc(sizeof(*d->vcpu) * (nr_vcpus ? nr_vcpus : 1));
	d->bucket = env->zalloc(sizeof(*d->bucket) * d->nr_buckets);
	if (!d->vcpu || !d->bucket)
		goto nomem;
	port = get_free_port(d); /* port 0: never handed out */
	if (port < 0)
		goto nomem;
	port_chn(d, 0)->state = ECS_RESERVED;
	return 0;
nomem:
	env->free(d->vcpu);
	env->free(d->bucket);
	d->vcpu = NULL;
	d->bucket = NULL;
	return -XEN_ENOMEM;
}

void evtchn_vcpu_init(struct evtchn_domain *d, struct evtchn_vcpu *v, unsigned int vcpu_id, void *priv)
{
	memset(v, 0, sizeof(*v));
	v->vcpu_id = vcpu_id;
	v->domain = d;
	v->priv = priv;
	if (vcpu_id < d->nr_vcpus)
		d->vcpu[vcpu_id] = v;
}

void evtchn_domain_destroy(struct evtchn_domain *d)
{
	if (!d->bucket)
		return;
	for (evtchn_port_t port = 1; port < d->valid_ports; port++)
		close_port(d, port, false);
	spin_lock(&d->lock);
	fifo_teardown(d);
	spin_unlock(&d->lock);
	for (unsigned int i = 0; i < d->nr_buckets; i++)
		d->env->free(d->bucket[i]);
	d->env->free(d->bucket);
	d->env->free(d->vcpu);
	d->bucket = NULL;
	d->vcpu = NULL;
	d->valid_ports = 0;
}
