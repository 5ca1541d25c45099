/*
 * evtchn-peer: event channels with either ABI, in one domain or between two
 * (a group in manifest.txt; peer= names the other domain's id).
 *
 * abi=2l (default) uses the 2-level ABI (pending/mask bitmaps in
 * shared_info); abi=fifo sets up the FIFO ABI as Linux does: a control
 * block page (EVTCHNOP_init_control), one event array page whose words all
 * start MASKED (EVTCHNOP_expand_array), and queues walked by priority.
 * Upcalls arrive on the callback vector (HVM_PARAM_CALLBACK_IRQ type 2,
 * via=callback, the 2-level default) or on the per-vCPU upcall vector
 * (HVMOP_set_evtchn_upcall_vector, via=vector, the FIFO default).
 *
 * role=solo    the ABI's own rules: for FIFO the refusals of init_control,
 *              expand_array and set_priority, then IPI ports sent to
 *              ourselves: delivery in priority order and along a queue's
 *              links, a masked port pending but not delivered until
 *              unmasked; for 2-level the FIFO-only operations refused.
 * role=alloc   (d1) allocates ports for itself (B) and for the peer (A,
 *              which must be port=, then C = A + 1), waits until the peer
 *              has bound A and C (EVTCHNOP_status says interdomain, with the
 *              peer's id and port), answers n= pings on A, then sees A go
 *              back to unbound when the peer closes its end (a send on it is
 *              dropped), tells the peer on C to bind again, takes one more
 *              event and closes A.
 * role=bind    (d2) retries EVTCHNOP_bind_interdomain on the peer's port=
 *              until it is offered (bounded wait), binds port+1 too, checks
 *              the refusals (a port unbound for someone else, the console
 *              port, a bound port, an unknown domain, another domain's
 *              status and ports), sends n= pings and waits for each answer,
 *              closes its end (send and close on it are then -EINVAL), binds
 *              again when told on C, sends once and sees its end go back to
 *              unbound when the peer closes A.
 *
 * bench=N times instead of pinging n= times (rows "BENCH <name> median=
 * min= n=", guest TSC cycles, as tests/guests/bench.c): role=solo a null
 * hypercall and EVTCHNOP_send on an IPI port to ourselves up to our
 * handler (evtchn_self); role=alloc a null hypercall and a round trip
 * send -> peer's handler -> peer's send -> our handler (evtchn_rtt).
 * spin=1 waits without yielding (for domains on separate pCPUs).
 * Xen/Basalt only (SKIP without).
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

#define VECTOR 0xf3
#define DOMID_SELF 0x7ff0
#define NO_SUCH_DOMAIN 1000
#define WAIT_US 30000000ull /* two domains share one pCPU under TCG */
#define MAX_TRACK 64	    /* ports counted by the handler */

#define XEN_EPERM 1
#define XEN_ENOENT 2
#define XEN_ESRCH 3
#define XEN_EINVAL 22
#define XEN_ENOSYS 38
#define XEN_EOPNOTSUPP 95

/* event_channel_op sub-ops (public/event_channel.h) */
#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_close 3
#define EVTCHNOP_send 4
#define EVTCHNOP_status 5
#define EVTCHNOP_alloc_unbound 6
#define EVTCHNOP_bind_ipi 7
#define EVTCHNOP_unmask 9
#define EVTCHNOP_init_control 11
#define EVTCHNOP_expand_array 12
#define EVTCHNOP_set_priority 13

#define EVTCHNSTAT_closed 0
#define EVTCHNSTAT_unbound 1
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_ipi 5

/* FIFO event words */
#define FIFO_PENDING (1u << 31)
#define FIFO_MASKED (1u << 30)
#define FIFO_LINKED (1u << 29)
#define FIFO_BUSY (1u << 28)
#define FIFO_LINK_BITS 17
#define FIFO_LINK_MASK ((1u << FIFO_LINK_BITS) - 1)
#define FIFO_QUEUES 16
#define FIFO_PRIORITY_DEFAULT 7
#define FIFO_WORDS (4096 / 4)

struct alloc_unbound {
	uint16_t dom, remote_dom;
	uint32_t port;
};
struct bind_interdomain {
	uint16_t remote_dom, pad;
	uint32_t remote_port, local_port;
};
struct bind_ipi {
	uint32_t vcpu, port;
};
struct status {
	uint16_t dom, pad;
	uint32_t port, status, vcpu;
	union {
		uint16_t unbound_dom;
		struct {
			uint16_t dom, pad;
			uint32_t port;
		} interdomain;
	} u;
};
struct init_control {
	uint64_t control_gfn;
	uint32_t offset, vcpu;
	uint8_t link_bits, pad[7];
};
struct set_priority {
	uint32_t port, priority;
};
struct control_block {
	volatile uint32_t ready, rsvd;
	volatile uint32_t head[FIFO_QUEUES];
};
struct add_to_physmap {
	uint16_t domid, size;
	uint32_t space;
	uint64_t idx, gpfn;
};
struct hvm_param {
	uint16_t domid, pad;
	uint32_t index;
	uint64_t value;
};
struct upcall_vector {
	uint32_t vcpu;
	uint8_t vector, pad[3];
};

static uint8_t shinfo[4096] __attribute__((aligned(4096)));
static uint8_t cb_page[4096] __attribute__((aligned(4096)));
static volatile uint32_t ev_array[FIFO_WORDS] __attribute__((aligned(4096)));
static struct control_block *const cb = (struct control_block *)cb_page;
static uint32_t fifo_head[FIFO_QUEUES]; /* where each queue is being walked */
static bool fifo;
static bool spin;
static uint16_t peer;

/* What the upcall handler saw. */
static volatile unsigned counts[MAX_TRACK];
static volatile unsigned order[8], nr_order;
static volatile uint64_t handled_tsc;

/* Our domain id (the HVM CPUID leaf has it). */
static uint16_t own_domid(void)
{
	struct cpuid_regs r = cpuid_count(env.xen_base + 4, 0);

	return (r.a & XEN_HVM_CPUID_DOMID_PRESENT) ? (uint16_t)r.c : DOMID_SELF;
}

static long evtchn_op(unsigned cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}

static long send(uint32_t port)
{
	uint32_t p = port;

	return evtchn_op(EVTCHNOP_send, &p);
}

static long close_port(uint32_t port)
{
	uint32_t p = port;

	return evtchn_op(EVTCHNOP_close, &p);
}

static long status(uint16_t dom, uint32_t port, struct status *s)
{
	memset(s, 0, sizeof(*s));
	s->dom = dom;
	s->port = port;
	return evtchn_op(EVTCHNOP_status, s);
}

static long bind_interdomain(uint16_t dom, uint32_t port, uint32_t *local)
{
	struct bind_interdomain b = { .remote_dom = dom, .remote_port = port };
	long rc = evtchn_op(EVTCHNOP_bind_interdomain, &b);

	if (local)
		*local = b.local_port;
	return rc;
}

static long set_priority(uint32_t port, uint32_t prio)
{
	struct set_priority p = { port, prio };

	return evtchn_op(EVTCHNOP_set_priority, &p);
}

/* ------------------------------------------------------------ delivery */

static volatile uint64_t *l2_word(unsigned off, unsigned i)
{
	return (volatile uint64_t *)&shinfo[off + 8 * i];
}
#define L2_PENDING 2048
#define L2_MASK 2560

static void handle_port(uint32_t port)
{
	handled_tsc = rdtsc();
	if (port < MAX_TRACK)
		counts[port]++;
	if (nr_order < ARRAY_SIZE(order))
		order[nr_order++] = port;
}

/* What Linux's 2-level upcall does: selector word, then pending & ~mask. */
static void l2_scan(void)
{
	uint64_t sel = __atomic_exchange_n((volatile uint64_t *)&shinfo[8], 0, __ATOMIC_SEQ_CST);

	while (sel) {
		unsigned w = __builtin_ctzll(sel);
		uint64_t bits = *l2_word(L2_PENDING, w) & ~*l2_word(L2_MASK, w);

		sel &= sel - 1;
		while (bits) {
			unsigned b = __builtin_ctzll(bits);

			bits &= bits - 1;
			__atomic_fetch_and(l2_word(L2_PENDING, w), ~(1ull << b), __ATOMIC_SEQ_CST);
			handle_port(w * 64 + b);
		}
	}
}

/* Clear LINKED and the link of a word; returns the link (Linux's clear_linked). */
static uint32_t fifo_clear_linked(volatile uint32_t *word)
{
	uint32_t w = *word;

	while (!__atomic_compare_exchange_n(word, &w, w & ~(FIFO_LINKED | FIFO_LINK_MASK), false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST))
		;
	return w & FIFO_LINK_MASK;
}

/* One event off queue q (Linux's consume_one_event). */
static void fifo_consume(unsigned q, uint32_t *ready)
{
	uint32_t port = fifo_head[q], next;
	volatile uint32_t *word;

	if (!port)
		port = cb->head[q];
	if (!port || port >= FIFO_WORDS) {
		*ready &= ~(1u << q);
		return;
	}
	word = &ev_array[port];
	next = fifo_clear_linked(word);
	if (!next)
		*ready &= ~(1u << q);
	if ((*word & (FIFO_PENDING | FIFO_MASKED)) == FIFO_PENDING) {
		__atomic_fetch_and(word, ~FIFO_PENDING, __ATOMIC_SEQ_CST);
		handle_port(port);
	}
	fifo_head[q] = next;
}

static void fifo_scan(void)
{
	uint32_t ready = __atomic_exchange_n(&cb->ready, 0, __ATOMIC_SEQ_CST);

	while (ready) {
		fifo_consume(__builtin_ctz(ready), &ready);
		ready |= __atomic_exchange_n(&cb->ready, 0, __ATOMIC_SEQ_CST);
	}
}

static void on_upcall(struct regs *r)
{
	(void)r;
	shinfo[0] = 0; /* vcpu_info[0].evtchn_upcall_pending */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (fifo)
		fifo_scan();
	else
		l2_scan();
}

static void mask(uint32_t port)
{
	if (fifo)
		__atomic_fetch_or(&ev_array[port], FIFO_MASKED, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_or(l2_word(L2_MASK, port / 64), 1ull << (port % 64), __ATOMIC_SEQ_CST);
}

/* FIFO: clear MASKED ourselves unless the hypervisor is linking (BUSY); the
 * hypercall raises a pending event. 2-level: always the hypercall (a set
 * mask bit is how it knows to raise the event, as for Linux on HVM). */
static void unmask(uint32_t port)
{
	bool call = !fifo;

	if (fifo) {
		uint32_t w = ev_array[port];

		for (;;) {
			if (w & FIFO_BUSY) {
				call = true;
				break;
			}
			if (__atomic_compare_exchange_n(&ev_array[port], &w, w & ~FIFO_MASKED, false, __ATOMIC_SEQ_CST,
							__ATOMIC_SEQ_CST))
				break;
		}
		call |= !!(ev_array[port] & FIFO_PENDING);
	}
	if (call && evtchn_op(EVTCHNOP_unmask, &port))
		fail("EVTCHNOP_unmask(%u)", port);
}

static bool is_pending(uint32_t port)
{
	if (fifo)
		return ev_array[port] & FIFO_PENDING;
	return *l2_word(L2_PENDING, port / 64) & (1ull << (port % 64));
}

static uint64_t deadline(uint64_t us)
{
	return rdtsc() + us_to_tsc(us);
}

/* A window for the upcall, then (unless spin=1) the pCPU for the peer. */
static void wait_step(void)
{
	asm volatile("sti; nop; cli" ::: "memory");
	if (!spin)
		xen_sched_yield();
}

/* Bounded wait until the handler has counted `target` events on port. */
static void wait_count(uint32_t port, unsigned target, const char *what)
{
	uint64_t until = deadline(WAIT_US);

	while (counts[port] < target) {
		if (rdtsc() > until)
			fail("timed out waiting for %s (port %u: %u of %u events)", what, port, counts[port], target);
		wait_step();
	}
}

/* Opens interrupt windows for a while: for checking that nothing arrives. */
static void quiet_windows(void)
{
	for (unsigned i = 0; i < 200; i++)
		asm volatile("sti; nop; nop; cli" ::: "memory");
}

/* ------------------------------------------------------------ set-up */

static void fifo_refusals_before(void)
{
	uint64_t gfn = (uintptr_t)ev_array >> 12;

	check(evtchn_op(EVTCHNOP_expand_array, &gfn) == -XEN_EOPNOTSUPP,
	      "expand_array before init_control: -EOPNOTSUPP");
	check(set_priority(1, 0) == -XEN_ENOSYS, "set_priority with the 2-level ABI: -ENOSYS");
}

static void fifo_init(bool refusals)
{
	struct init_control c = { .control_gfn = (uintptr_t)cb_page >> 12 };
	uint64_t gfn = (uintptr_t)ev_array >> 12;
	long rc;

	if (refusals) {
		fifo_refusals_before();
		c.vcpu = 5;
		check(evtchn_op(EVTCHNOP_init_control, &c) == -XEN_ENOENT, "init_control for vCPU 5: -ENOENT");
		c.vcpu = 0;
		c.offset = 4;
		check(evtchn_op(EVTCHNOP_init_control, &c) == -XEN_EINVAL, "init_control at offset 4: -EINVAL");
		c.offset = 4096 - 8;
		check(evtchn_op(EVTCHNOP_init_control, &c) == -XEN_EINVAL,
		      "init_control with the block past the page: -EINVAL");
		c.offset = 0;
	}
	rc = evtchn_op(EVTCHNOP_init_control, &c);
	if (rc)
		fail("EVTCHNOP_init_control: %ld", rc);
	check(c.link_bits == FIFO_LINK_BITS, "init_control: link_bits %u", c.link_bits);
	fifo = true;
	for (unsigned i = 0; i < FIFO_WORDS; i++)
		ev_array[i] = FIFO_MASKED; /* as Linux: every port starts masked */
	rc = evtchn_op(EVTCHNOP_expand_array, &gfn);
	if (rc)
		fail("EVTCHNOP_expand_array: %ld", rc);
	if (refusals) {
		check(evtchn_op(EVTCHNOP_init_control, &c) == -XEN_EINVAL, "init_control again: -EINVAL");
		gfn = 0x7f0000; /* far beyond RAM */
		check(evtchn_op(EVTCHNOP_expand_array, &gfn) == -XEN_EINVAL,
		      "expand_array with a frame that is not RAM: -EINVAL");
		check(set_priority(1, 16) == -XEN_EINVAL, "set_priority 16: -EINVAL");
		check(set_priority(100000, 0) == -XEN_EINVAL, "set_priority on a port beyond the table: -EINVAL");
	}
}

static void events_init(bool refusals)
{
	static struct add_to_physmap a;
	static struct hvm_param p;
	static struct upcall_vector uv;
	char abi[8] = "2l", via[12];
	bool vector;

	cmdline_str("abi", abi, sizeof(abi)); /* untouched when absent */
	if (strcmp(abi, "2l") && strcmp(abi, "fifo"))
		fail("abi=%s: 2l or fifo", abi);
	vector = !strcmp(abi, "fifo");
	if (cmdline_str("via", via, sizeof(via)))
		vector = !strcmp(via, "vector");
	a.domid = DOMID_SELF;
	a.gpfn = (uintptr_t)shinfo >> 12;
	if (hypercall2(12, 7, &a)) /* memory_op(add_to_physmap, shared_info) */
		fail("add_to_physmap(shared_info)");
	irq_set_handler(VECTOR, on_upcall);
	if (vector) {
		apic_setup(); /* the vector arrives through our local APIC */
		if (!(cpuid_count(env.xen_base + 4, 0).a & XEN_HVM_CPUID_UPCALL_VECTOR))
			fail("the per-vCPU upcall vector is not advertised");
		uv.vcpu = 0;
		uv.vector = VECTOR;
		if (hypercall2(__HYPERVISOR_hvm_op, 23, &uv))
			fail("HVMOP_set_evtchn_upcall_vector");
	} else {
		p.domid = DOMID_SELF;
		p.index = 0; /* HVM_PARAM_CALLBACK_IRQ */
		p.value = (2ull << 56) | VECTOR;
		if (hypercall2(__HYPERVISOR_hvm_op, 0, &p))
			fail("HVMOP_set_param(CALLBACK_IRQ)");
	}
	printf("ABI %s, upcalls on the %s vector %#x\n", abi, vector ? "per-vCPU upcall" : "callback", VECTOR);
	if (!strcmp(abi, "fifo"))
		fifo_init(refusals);
	else if (refusals)
		fifo_refusals_before();
}

/* ------------------------------------------------------------ one domain */

static uint32_t bind_ipi(void)
{
	struct bind_ipi b = { 0, 0 };
	long rc = evtchn_op(EVTCHNOP_bind_ipi, &b);

	if (rc || !b.port || b.port >= MAX_TRACK)
		fail("EVTCHNOP_bind_ipi: %ld, port %u", rc, b.port);
	return b.port;
}

/* Three IPI ports: p2 raised to priority 0 is delivered before p1 and p3,
 * queued in that order on the default queue and linked p1 -> p3. */
static void fifo_priorities(uint32_t p1, uint32_t p2, uint32_t p3)
{
	unsigned c1 = counts[p1];

	check(set_priority(p2, 0) == 0, "set_priority(%u, 0)", p2);
	nr_order = 0;
	/* interrupts are off: the three events queue up */
	check(send(p1) == 0 && send(p3) == 0 && send(p2) == 0, "send on %u, %u, %u", p1, p3, p2);
	check((ev_array[p1] & FIFO_LINKED) && (ev_array[p1] & FIFO_LINK_MASK) == p3,
	      "port %u is linked to %u (word %#x)", p1, p3, ev_array[p1]);
	check(cb->ready == ((1u << 0) | (1u << FIFO_PRIORITY_DEFAULT)), "ready: queues 0 and %u (%#x)",
	      FIFO_PRIORITY_DEFAULT, cb->ready);
	check(cb->head[0] == p2 && cb->head[FIFO_PRIORITY_DEFAULT] == p1, "heads: queue 0 %u, queue %u %u", cb->head[0],
	      FIFO_PRIORITY_DEFAULT, cb->head[FIFO_PRIORITY_DEFAULT]);
	wait_count(p3, 1, "the queued events");
	check(nr_order == 3 && order[0] == p2 && order[1] == p1 && order[2] == p3 && counts[p1] == c1 + 1,
	      "delivered by priority, then along the links: %u %u %u (%u events)", order[0], order[1], order[2],
	      nr_order);
}

static void role_solo(void)
{
	uint32_t p1 = bind_ipi(), p2 = bind_ipi(), p3 = bind_ipi();
	struct status s;
	unsigned c;
	long rc;

	rc = status(DOMID_SELF, p1, &s);
	check(rc == 0 && s.status == EVTCHNSTAT_ipi && s.vcpu == 0, "status of IPI port %u: ipi (%u), vCPU %u", p1,
	      s.status, s.vcpu);
	unmask(p1);
	unmask(p2);
	unmask(p3);
	check(send(p1) == 0, "send on IPI port %u", p1);
	wait_count(p1, 1, "the IPI event");
	quiet_windows();
	check(counts[p1] == 1 && counts[p2] == 0 && counts[p3] == 0, "exactly one event, on port %u", p1);
	if (fifo)
		fifo_priorities(p1, p2, p3);
	c = counts[p1];
	mask(p1);
	check(send(p1) == 0, "send on masked port %u", p1);
	quiet_windows();
	check(counts[p1] == c && is_pending(p1), "masked: pending, not delivered");
	if (fifo)
		check(!(ev_array[p1] & FIFO_LINKED), "masked: not linked on a queue");
	unmask(p1);
	wait_count(p1, c + 1, "the event of the unmasked port");
	check(!is_pending(p1), "unmasking delivered it");
	check(close_port(p3) == 0, "close %u", p3);
	rc = status(DOMID_SELF, p3, &s);
	check(rc == 0 && s.status == EVTCHNSTAT_closed, "status of closed %u: closed (%u)", p3, s.status);
	check(send(p3) == -XEN_EINVAL, "send on closed %u: -EINVAL", p3);
	checks_verdict();
}

/* ------------------------------------------------------------ timing */

#define MAX_SAMPLES 5000
static uint32_t samples[MAX_SAMPLES];

static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static void row(const char *name, unsigned n)
{
	/* shell sort, then the middle */
	for (unsigned gap = n / 2; gap; gap /= 2)
		for (unsigned i = gap; i < n; i++)
			for (unsigned j = i; j >= gap && samples[j - gap] > samples[j]; j -= gap) {
				uint32_t t = samples[j];

				samples[j] = samples[j - gap];
				samples[j - gap] = t;
			}
	printf("BENCH %s median=%u min=%u n=%u\n", name, samples[n / 2], samples[0], n);
}

static void bench_hypercall(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t t0 = tsc();

		hypercall5(__HYPERVISOR_xen_version, 0, 0, 0, 0, 0);
		samples[i] = (uint32_t)(tsc() - t0);
	}
	row("hypercall", n);
}

/* Sends on port, then waits (interrupts on) for the handler to count the
 * next event on reply: cycles from before the send to the handler. */
static uint32_t time_event(uint32_t port, uint32_t reply)
{
	unsigned c = counts[reply];
	uint64_t until = deadline(WAIT_US), t0 = tsc();

	asm volatile("sti" ::: "memory");
	if (send(port))
		fail("send on %u", port);
	while (counts[reply] == c) {
		if (rdtsc() > until)
			fail("timed out waiting for the event on %u", reply);
		if (!spin)
			xen_sched_yield();
		cpu_relax();
	}
	asm volatile("cli" ::: "memory");
	return (uint32_t)(handled_tsc - t0);
}

static void bench_self(unsigned n)
{
	uint32_t p = bind_ipi();

	unmask(p);
	bench_hypercall(n);
	for (unsigned i = 0; i < n; i++)
		samples[i] = time_event(p, p);
	row("evtchn_self", n);
	checks_verdict();
}

/* ------------------------------------------------------------ two domains */

static uint32_t alloc_unbound(uint16_t remote)
{
	struct alloc_unbound a = { DOMID_SELF, remote, 0 };
	long rc = evtchn_op(EVTCHNOP_alloc_unbound, &a);

	if (rc || !a.port || a.port >= MAX_TRACK)
		fail("EVTCHNOP_alloc_unbound for d%u: %ld, port %u", remote, rc, a.port);
	return a.port;
}

/* Bounded wait until our port is in state st (and, for unbound, offered to
 * the peer); returns the status. */
static void wait_state(uint32_t port, uint32_t st, struct status *s, const char *what)
{
	uint64_t until = deadline(WAIT_US);

	for (;;) {
		long rc = status(DOMID_SELF, port, s);

		if (rc)
			fail("EVTCHNOP_status(%u): %ld", port, rc);
		if (s->status == st)
			return;
		if (rdtsc() > until)
			fail("timed out waiting for %s (port %u has status %u)", what, port, s->status);
		wait_step();
	}
}

static void role_alloc(unsigned n, unsigned bench)
{
	uint32_t want = (uint32_t)cmdline_u64("port", 0), a, b, c;
	struct alloc_unbound au = { peer, DOMID_SELF, 0 };
	struct status s;
	long rc;

	check(evtchn_op(EVTCHNOP_alloc_unbound, &au) == -XEN_EPERM, "alloc_unbound in d%u's table: -EPERM", peer);
	b = alloc_unbound(DOMID_SELF);
	a = alloc_unbound(peer);
	c = alloc_unbound(peer);
	check(a == want && b == a - 1 && c == a + 1, "ports %u (ours), %u and %u (for d%u): port=%u expected", b, a, c,
	      peer, want);
	rc = status(DOMID_SELF, b, &s);
	check(rc == 0 && s.status == EVTCHNSTAT_unbound && s.u.unbound_dom == own_domid(),
	      "status of %u: unbound (%u) for d%u (us)", b, s.status, s.u.unbound_dom);
	/* the peer may have bound it already: it retries until offered */
	rc = status(DOMID_SELF, a, &s);
	check(rc == 0 && ((s.status == EVTCHNSTAT_unbound && s.u.unbound_dom == peer) ||
			  (s.status == EVTCHNSTAT_interdomain && s.u.interdomain.dom == peer)),
	      "status of %u: unbound for d%u or already bound by it (%u, d%u)", a, peer, s.status,
	      s.status == EVTCHNSTAT_unbound ? s.u.unbound_dom : s.u.interdomain.dom);
	unmask(a);
	unmask(c);
	wait_state(a, EVTCHNSTAT_interdomain, &s, "the peer to bind");
	check(s.u.interdomain.dom == peer && s.vcpu == 0, "status of %u: interdomain with d%u port %u, vCPU %u", a,
	      s.u.interdomain.dom, s.u.interdomain.port, s.vcpu);
	wait_state(c, EVTCHNSTAT_interdomain, &s, "the peer to bind the second port");
	if (bench) {
		bench_hypercall(bench);
		for (unsigned i = 0; i < bench; i++)
			samples[i] = time_event(a, a);
		row("evtchn_rtt", bench);
		checks_verdict(); /* the checks above, if any failed */
	}
	for (unsigned i = 0; i < n; i++) {
		wait_count(a, i + 1, "a ping");
		if (send(a))
			fail("send on %u", a);
	}
	printf("answered %u pings\n", n);
	wait_state(a, EVTCHNSTAT_unbound, &s, "the peer to close its end");
	check(s.u.unbound_dom == peer, "after the peer's close %u is unbound for d%u again", a, s.u.unbound_dom);
	check(send(a) == 0, "a send on the unbound port is dropped (0)");
	quiet_windows();
	check(counts[a] == n, "%u events on %u, one per ping", counts[a], a);
	check(send(c) == 0, "go-ahead on %u", c);
	wait_count(a, n + 1, "the event after the peer bound again");
	rc = status(DOMID_SELF, a, &s);
	check(rc == 0 && s.status == EVTCHNSTAT_interdomain, "%u is interdomain again", a);
	check(close_port(a) == 0, "close %u", a);
	rc = status(DOMID_SELF, a, &s);
	check(rc == 0 && s.status == EVTCHNSTAT_closed, "status of closed %u: closed (%u)", a, s.status);
	check(send(a) == -XEN_EINVAL, "send on closed %u: -EINVAL", a);
	checks_verdict();
}

/* Bounded retries: the peer allocates the port when it gets to it. */
static uint32_t bind_when_offered(uint32_t port)
{
	uint64_t until = deadline(WAIT_US);
	uint32_t local;
	long rc;

	while ((rc = bind_interdomain(peer, port, &local)) != 0) {
		if (rc != -XEN_EINVAL)
			fail("bind_interdomain(d%u, %u): %ld", peer, port, rc);
		if (rdtsc() > until)
			fail("timed out waiting for d%u to offer port %u", peer, port);
		wait_step();
	}
	if (local >= MAX_TRACK)
		fail("bound port %u", local);
	return local;
}

static void bind_refusals(uint32_t a)
{
	struct alloc_unbound au = { peer, DOMID_SELF, 0 };
	struct status s;

	check(bind_interdomain(peer, a, NULL) == -XEN_EINVAL, "bind to d%u port %u again (bound): -EINVAL", peer, a);
	check(bind_interdomain(peer, a - 1, NULL) == -XEN_EINVAL,
	      "bind to d%u port %u (unbound for d%u itself): -EINVAL", peer, a - 1, peer);
	check(bind_interdomain(peer, 1, NULL) == -XEN_EINVAL, "bind to d%u port 1 (the hypervisor's console): -EINVAL",
	      peer);
	check(bind_interdomain(peer, 100000, NULL) == -XEN_EINVAL, "bind to d%u port 100000: -EINVAL", peer);
	check(bind_interdomain(NO_SUCH_DOMAIN, a, NULL) == -XEN_ESRCH, "bind to d%u (no such domain): -ESRCH",
	      NO_SUCH_DOMAIN);
	check(status(peer, a, &s) == -XEN_EPERM, "status of d%u's port: -EPERM", peer);
	check(status(NO_SUCH_DOMAIN, 1, &s) == -XEN_ESRCH, "status in d%u: -ESRCH", NO_SUCH_DOMAIN);
	check(evtchn_op(EVTCHNOP_alloc_unbound, &au) == -XEN_EPERM, "alloc_unbound in d%u's table: -EPERM", peer);
	check(close_port(100000) == -XEN_EINVAL, "close port 100000: -EINVAL");
}

static void role_bind(unsigned n, unsigned bench)
{
	uint32_t a = (uint32_t)cmdline_u64("port", 0), l, lc;
	struct status s;
	long rc;

	l = bind_when_offered(a);
	lc = bind_when_offered(a + 1);
	unmask(l);
	unmask(lc);
	/* binding raises an event on the new port (sends before were dropped) */
	wait_count(l, 1, "the event of binding");
	wait_count(lc, 1, "the event of binding the second port");
	rc = status(DOMID_SELF, l, &s);
	check(rc == 0 && s.status == EVTCHNSTAT_interdomain && s.u.interdomain.dom == peer && s.u.interdomain.port == a,
	      "status of %u: interdomain (%u) with d%u port %u", l, s.status, s.u.interdomain.dom,
	      s.u.interdomain.port);
	bind_refusals(a);
	if (bench) {
		for (unsigned i = 0; i < bench; i++) {
			wait_count(l, i + 2, "a timed event");
			if (send(l))
				fail("send on %u", l);
		}
		checks_verdict(); /* the checks above, if any failed */
	}
	for (unsigned i = 0; i < n; i++) {
		if (send(l))
			fail("send on %u", l);
		wait_count(l, i + 2, "a pong");
	}
	quiet_windows();
	check(counts[l] == n + 1, "%u pings answered, %u events on %u", n, counts[l] - 1, l);
	check(close_port(l) == 0, "close %u", l);
	rc = status(DOMID_SELF, l, &s);
	check(rc == 0 && s.status == EVTCHNSTAT_closed, "status of closed %u: closed (%u)", l, s.status);
	check(send(l) == -XEN_EINVAL, "send on closed %u: -EINVAL", l);
	check(close_port(l) == -XEN_EINVAL, "close closed %u: -EINVAL", l);
	wait_count(lc, 2, "the peer's go-ahead");
	rc = bind_interdomain(peer, a, &l);
	if (rc || l >= MAX_TRACK) /* nothing below could work */
		fail("bind to d%u port %u again once it is unbound: %ld, port %u", peer, a, rc, l);
	printf("bound d%u port %u again once it was unbound: port %u\n", peer, a, l);
	unmask(l);
	check(send(l) == 0, "send on %u", l);
	wait_state(l, EVTCHNSTAT_unbound, &s, "the peer to close its end");
	check(s.u.unbound_dom == peer, "after the peer's close %u is unbound for d%u", l, s.u.unbound_dom);
	check(send(l) == 0, "a send on the unbound port is dropped (0)");
	checks_verdict();
}

void test_main(void)
{
	char role[8] = "solo";
	unsigned n = (unsigned)cmdline_u64("n", 20), bench = (unsigned)cmdline_u64("bench", 0);

	if (!env.xen)
		skip("needs Xen/Basalt");
	cmdline_str("role", role, sizeof(role));
	spin = cmdline_u64("spin", 0) != 0;
	peer = (uint16_t)cmdline_u64("peer", 0);
	if (bench > MAX_SAMPLES)
		bench = MAX_SAMPLES;
	if (!strcmp(role, "solo")) {
		events_init(!bench);
		if (bench)
			bench_self(bench);
		role_solo();
	}
	if (!peer || !cmdline_u64("port", 0))
		fail("role=%s needs peer= and port=", role);
	events_init(false);
	if (!strcmp(role, "alloc"))
		role_alloc(n, bench);
	else if (!strcmp(role, "bind"))
		role_bind(n, bench);
	fail("role=%s: solo, alloc or bind", role);
}
