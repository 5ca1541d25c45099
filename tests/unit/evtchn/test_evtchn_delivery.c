/*
 * Event delivery (common/event_channel.c): the 2-level bitmaps and upcall
 * rule, and the FIFO ABI (control blocks, event array pages, queue linking
 * and priorities) against a simulated guest consuming like Linux does, also
 * concurrently from another thread.
 */
#include "fake_env.h"

#include <pthread.h>
#include <string.h>

static struct fake_dom *d1, *d2;

static int setup(void **state)
{
	(void)state;
	d1 = fake_dom_create(1, 1, false, 4, EVTCHN_DEFAULT_MAX_PORT);
	d2 = fake_dom_create(2, 2, false, 4, EVTCHN_DEFAULT_MAX_PORT);
	return 0;
}

static struct vcpu_info *vi(struct fake_dom *f, unsigned int v)
{
	return &f->si->vcpu_info[v];
}

/* ------------------------------------------------------------ 2-level */

static void test_2l_upcall_once(void **state)
{
	int a = bind_ipi(d1, 0), b = bind_ipi(d1, 0);

	assert_int_equal(send(d1, a), 0);
	assert_true(l2_pending(d1, a));
	assert_int_equal(vi(d1, 0)->evtchn_pending_sel, 1UL << 0);
	assert_int_equal(vi(d1, 0)->evtchn_upcall_pending, 1);
	assert_int_equal(d1->kicks[0], 1);
	/* already pending: nothing new */
	assert_int_equal(send(d1, a), 0);
	/* another port in the same word: selector already set, no upcall */
	assert_int_equal(send(d1, b), 0);
	assert_true(l2_pending(d1, b));
	assert_int_equal(d1->kicks[0], 1);
}

static void test_2l_selector_rule(void **state)
{
	int a = bind_ipi(d1, 0);
	int far;

	for (int i = 0; i < 64; i++)
		far = bind_ipi(d1, 0); /* ends in the second word */
	assert_true(far >= 64);
	assert_int_equal(send(d1, a), 0);
	/* the guest took the upcall but has not scanned the selector yet */
	vi(d1, 0)->evtchn_upcall_pending = 0;
	l2_clear_pending(d1, a);
	assert_int_equal(send(d1, a), 0); /* selector bit 0 still set: no upcall */
	assert_int_equal(vi(d1, 0)->evtchn_upcall_pending, 0);
	assert_int_equal(d1->kicks[0], 1);
	assert_int_equal(send(d1, far), 0); /* word 1: newly selected */
	assert_int_equal(vi(d1, 0)->evtchn_pending_sel, 3UL);
	assert_int_equal(vi(d1, 0)->evtchn_upcall_pending, 1);
	assert_int_equal(d1->kicks[0], 2);
}

static void test_2l_mask_unmask(void **state)
{
	int p = bind_ipi(d1, 2), q = bind_ipi(d1, 2);

	l2_set_mask(d1, p, true);
	assert_int_equal(send(d1, p), 0);
	assert_true(l2_pending(d1, p));
	assert_int_equal(vi(d1, 2)->evtchn_pending_sel, 0);
	assert_int_equal(vi(d1, 2)->evtchn_upcall_pending, 0);
	assert_int_equal(d1->kicks[2], 0);
	/* unmask of a pending port raises the upcall on its vCPU */
	assert_int_equal(unmask(d1, p), 0);
	assert_false(l2_masked(d1, p));
	assert_int_equal(vi(d1, 2)->evtchn_pending_sel, 1);
	assert_int_equal(d1->kicks[2], 1);
	/* unmask of one that is not pending: nothing */
	l2_set_mask(d1, q, true);
	assert_int_equal(unmask(d1, q), 0);
	assert_int_equal(d1->kicks[2], 1);
	/* unmask of an unmasked pending port: no second delivery */
	assert_int_equal(unmask(d1, p), 0);
	assert_int_equal(d1->kicks[2], 1);
	/* invalid port; a free port in the table is valid (Xen) */
	assert_int_equal(unmask(d1, 4096), -XEN_EINVAL);
	assert_int_equal(unmask(d1, 50), 0);
}

static void test_2l_interdomain_vcpu(void **state)
{
	int rp = alloc_unbound(d2, DOMID_SELF, 1);
	int lp = bind_interdomain(d1, 2, rp);

	assert_int_equal(bind_vcpu(d2, rp, 3), 0);
	assert_int_equal(send(d1, lp), 0);
	assert_true(l2_pending(d2, rp));
	assert_int_equal(d2->kicks[3], 1);
	assert_int_equal(vi(d2, 3)->evtchn_upcall_pending, 1);
	assert_int_equal(vi(d2, 0)->evtchn_upcall_pending, 0);
}

/* ------------------------------------------------------------ FIFO */

static void test_fifo_control_errors(void **state)
{
	struct evtchn_init_control c = { .control_gfn = 1, .offset = 0, .vcpu = 4 };
	struct evtchn_expand_array e = { .array_gfn = 10 };
	struct fifo_guest g;

	assert_int_equal(op(d1, EVTCHNOP_expand_array, &e), -XEN_EOPNOTSUPP);
	assert_int_equal(op(d1, EVTCHNOP_init_control, &c), -XEN_ENOENT);
	assert_int_equal(c.link_bits, EVTCHN_FIFO_LINK_BITS);
	c.vcpu = 0;
	c.offset = 4;
	assert_int_equal(op(d1, EVTCHNOP_init_control, &c), -XEN_EINVAL);
	c.offset = 4096 - 64;
	assert_int_equal(op(d1, EVTCHNOP_init_control, &c), -XEN_EINVAL);
	c.offset = 4096 - 72;
	c.control_gfn = FAKE_GFNS; /* no such frame */
	assert_int_equal(op(d1, EVTCHNOP_init_control, &c), -XEN_EINVAL);
	assert_false(d1->ed.fifo);
	fifo_setup(&g, d1, 0, 1);
	c.control_gfn = 2;
	assert_int_equal(op(d1, EVTCHNOP_init_control, &c), -XEN_EINVAL); /* vCPU 0 has one */
	c.vcpu = 1;
	assert_int_equal(op(d1, EVTCHNOP_init_control, &c), 0);
	e.array_gfn = FAKE_GFNS;
	assert_int_equal(op(d1, EVTCHNOP_expand_array, &e), -XEN_EINVAL);
	fifo_add_pages(d1, 10, EVTCHN_FIFO_MAX_PAGES, false);
	e.array_gfn = 3;
	assert_int_equal(op(d1, EVTCHNOP_expand_array, &e), -XEN_ENOSPC);
}

static void test_fifo_set_priority(void **state)
{
	struct evtchn_set_priority sp = { .port = 1, .priority = 16 };
	struct fifo_guest g;

	bind_ipi(d1, 0);
	fifo_setup(&g, d1, 0, 1);
	assert_int_equal(op(d1, EVTCHNOP_set_priority, &sp), -XEN_EINVAL);
	sp.priority = 15;
	assert_int_equal(op(d1, EVTCHNOP_set_priority, &sp), 0);
	sp.port = 5000;
	assert_int_equal(op(d1, EVTCHNOP_set_priority, &sp), -XEN_EINVAL);
}

static void test_fifo_link_order(void **state)
{
	struct fifo_guest g;
	evtchn_port_t got[8];
	int p[3];

	fifo_setup(&g, d1, 0, 1);
	fifo_add_pages(d1, 10, 1, false);
	for (int i = 0; i < 3; i++)
		p[i] = bind_ipi(d1, 0);
	assert_int_equal(send(d1, p[1]), 0);
	assert_int_equal(g.cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], p[1]);
	assert_int_equal(g.cb->ready, 1U << EVTCHN_FIFO_PRIORITY_DEFAULT);
	assert_int_equal(vi(d1, 0)->evtchn_upcall_pending, 1);
	assert_int_equal(d1->kicks[0], 1);
	assert_int_equal(send(d1, p[0]), 0);
	assert_int_equal(send(d1, p[2]), 0);
	assert_int_equal(send(d1, p[0]), 0); /* already linked: once */
	assert_int_equal(*fifo_word(d1, p[1]) & EVTCHN_FIFO_LINK_MASK, p[0]);
	assert_int_equal(d1->kicks[0], 1); /* queue was not empty */
	assert_int_equal(fifo_consume(&g, got, 8), 3);
	assert_int_equal(got[0], p[1]);
	assert_int_equal(got[1], p[0]);
	assert_int_equal(got[2], p[2]);
	/* the last one consumed was the tail: a new event starts a new queue
	 * (and is not linked to itself) */
	assert_int_equal(send(d1, p[2]), 0);
	assert_int_equal(*fifo_word(d1, p[2]) & EVTCHN_FIFO_LINK_MASK, 0);
	assert_int_equal(send(d1, p[1]), 0);
	assert_int_equal(fifo_consume(&g, got, 8), 2);
	assert_int_equal(got[0], p[2]);
	assert_int_equal(got[1], p[1]);
	assert_int_equal(fifo_consume(&g, got, 8), 0);
}

static void test_fifo_priorities(void **state)
{
	struct evtchn_set_priority sp;
	struct fifo_guest g;
	evtchn_port_t got[8];
	const unsigned int prio[4] = { 9, 2, 7, 0 };
	int p[4];

	fifo_setup(&g, d1, 0, 1);
	fifo_add_pages(d1, 10, 1, false);
	for (int i = 0; i < 4; i++) {
		p[i] = bind_ipi(d1, 0);
		sp = (struct evtchn_set_priority){ .port = p[i], .priority = prio[i] };
		assert_int_equal(op(d1, EVTCHNOP_set_priority, &sp), 0);
		assert_int_equal(send(d1, p[i]), 0);
	}
	assert_int_equal(g.cb->ready, (1U << 9) | (1U << 2) | (1U << 7) | 1U);
	assert_int_equal(fifo_consume(&g, got, 8), 4);
	assert_int_equal(got[0], p[3]);
	assert_int_equal(got[1], p[1]);
	assert_int_equal(got[2], p[2]);
	assert_int_equal(got[3], p[0]);
}

static void test_fifo_mask_unmask(void **state)
{
	struct fifo_guest g;
	evtchn_port_t got[4];
	int p;

	fifo_setup(&g, d1, 0, 1);
	fifo_add_pages(d1, 10, 1, true); /* Linux hands pages over all masked */
	p = bind_ipi(d1, 0);
	assert_int_equal(send(d1, p), 0);
	assert_int_equal(*fifo_word(d1, p), (1U << EVTCHN_FIFO_PENDING) | (1U << EVTCHN_FIFO_MASKED));
	assert_int_equal(g.cb->ready, 0);
	assert_int_equal(d1->kicks[0], 0);
	assert_int_equal(unmask(d1, p), 0);
	assert_int_equal(*fifo_word(d1, p), (1U << EVTCHN_FIFO_PENDING) | (1U << EVTCHN_FIFO_LINKED));
	assert_int_equal(d1->kicks[0], 1);
	assert_int_equal(fifo_consume(&g, got, 4), 1);
	assert_int_equal(got[0], p);
	/* closing clears PENDING; a port still LINKED is not reused */
	assert_int_equal(send(d1, p), 0);
	assert_int_equal(close_port(d1, p), 0);
	assert_int_equal(*fifo_word(d1, p) & (1U << EVTCHN_FIFO_PENDING), 0);
	assert_int_not_equal(bind_ipi(d1, 0), p);
	assert_int_equal(fifo_consume(&g, got, 4), 0); /* unlinked, skipped */
	assert_int_equal(bind_ipi(d1, 0), p);
}

static void test_fifo_pending_carried_over(void **state)
{
	struct fifo_guest g;
	evtchn_port_t got[4];
	int a = bind_ipi(d1, 0), b;

	assert_int_equal(send(d1, a), 0); /* 2-level pending */
	fifo_setup(&g, d1, 0, 1);
	b = bind_ipi(d1, 0);
	assert_int_equal(send(d1, b), 0); /* no event word yet: remembered */
	assert_int_equal(g.cb->ready, 0);
	fifo_add_pages(d1, 10, 1, false);
	assert_int_equal(fifo_consume(&g, got, 4), 2);
	assert_int_equal(got[0], a);
	assert_int_equal(got[1], b);
}

static void test_fifo_no_control_block(void **state)
{
	struct fifo_guest g;
	int p = bind_ipi(d1, 1);

	fifo_setup(&g, d1, 0, 1);
	fifo_add_pages(d1, 10, 1, false);
	assert_int_equal(send(d1, p), 0); /* vCPU 1 has no control block: dropped */
	assert_int_equal(*fifo_word(d1, p), 0);
	assert_int_equal(d1->kicks[1], 0);
}

static void test_fifo_queue_move_and_stale_tail(void **state)
{
	struct fifo_guest g0, g1;
	evtchn_port_t got[4];
	int a = bind_ipi(d1, 0);
	int rp = alloc_unbound(d2, DOMID_SELF, 1);
	int lp = bind_interdomain(d1, 2, rp);

	fifo_setup(&g0, d1, 0, 1);
	fifo_setup(&g1, d1, 1, 2);
	fifo_add_pages(d1, 10, 1, false);
	/* lp was 2-level pending from the bind: raised on vCPU 0 */
	assert_int_equal(fifo_consume(&g0, got, 4), 1);
	assert_int_equal(got[0], lp);
	/* move lp to vCPU 1: its next event goes to vCPU 1's queue, and vCPU
	 * 0's stale tail (lp) must not be linked to */
	assert_int_equal(bind_vcpu(d1, lp, 1), 0);
	assert_int_equal(send(d2, rp), 0);
	assert_int_equal(g1.cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], lp);
	assert_int_equal(send(d1, a), 0);
	assert_int_equal(g0.cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], a);
	assert_int_equal(*fifo_word(d1, lp) & EVTCHN_FIFO_LINK_MASK, 0);
	assert_int_equal(fifo_consume(&g1, got, 4), 1);
	assert_int_equal(got[0], lp);
	assert_int_equal(fifo_consume(&g0, got, 4), 1);
	assert_int_equal(got[0], a);
}

static void test_fifo_reset_back_to_2l(void **state)
{
	struct evtchn_reset r = { .dom = DOMID_SELF };
	struct evtchn_set_priority sp = { .port = 1, .priority = 1 };
	struct fifo_guest g;

	fifo_setup(&g, d1, 0, 1);
	fifo_add_pages(d1, 10, 2, false);
	bind_ipi(d1, 0);
	assert_int_equal(op(d1, EVTCHNOP_reset, &r), 0);
	assert_false(d1->ed.fifo);
	assert_int_equal(d1->mapped[1] + d1->mapped[10] + d1->mapped[11], 0);
	bind_ipi(d1, 0);
	assert_int_equal(op(d1, EVTCHNOP_set_priority, &sp), -XEN_ENOSYS);
	assert_int_equal(send(d1, 1), 0);
	assert_true(l2_pending(d1, 1));
	fifo_setup(&g, d1, 0, 1); /* and FIFO again */
}

/* ------------------------------------------------------------ concurrency */

#define NPORTS 16
#define ROUNDS 200000

static struct fifo_guest cg;
static int cports[NPORTS];
static unsigned long sent[NPORTS], seen[NPORTS];
static int producer_done;

static int idx_of(evtchn_port_t p)
{
	for (int i = 0; i < NPORTS; i++)
		if ((evtchn_port_t)cports[i] == p)
			return i;
	return -1;
}

static void consume_record(void)
{
	evtchn_port_t got[64];
	unsigned int n;

	/* handled ports have PENDING cleared: record how many sends that covers */
	while ((n = fifo_consume(&cg, got, 64)) > 0)
		for (unsigned int i = 0; i < n && i < 64; i++) {
			int k = idx_of(got[i]);

			assert_true(k >= 0);
			seen[k] = __atomic_load_n(&sent[k], __ATOMIC_SEQ_CST);
		}
}

static void *consumer(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&producer_done, __ATOMIC_SEQ_CST))
		consume_record();
	return NULL;
}

static void *producer(void *arg)
{
	int *lports = arg;

	for (unsigned int r = 0; r < ROUNDS; r++) {
		unsigned int k = (r * 7) % NPORTS;

		__atomic_fetch_add(&sent[k], 1, __ATOMIC_SEQ_CST);
		assert_int_equal(send(d1, lports[k]), 0);
	}
	__atomic_store_n(&producer_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* d1 sends on 16 channels while d2's guest consumes concurrently: no event
 * is lost (every port's last send is seen) and the queue stays well formed. */
static void test_fifo_concurrent_consumer(void **state)
{
	static int lports[NPORTS];
	pthread_t pt, ct;

	fifo_setup(&cg, d2, 0, 1);
	fifo_add_pages(d2, 10, 1, false);
	for (int i = 0; i < NPORTS; i++) {
		cports[i] = alloc_unbound(d2, DOMID_SELF, 1);
		lports[i] = bind_interdomain(d1, 2, cports[i]);
		if (i % 3 == 0) {
			struct evtchn_set_priority sp = { .port = cports[i], .priority = 3 };

			assert_int_equal(op(d2, EVTCHNOP_set_priority, &sp), 0);
		}
	}
	memset(sent, 0, sizeof(sent));
	memset(seen, 0, sizeof(seen));
	producer_done = 0;
	pthread_create(&ct, NULL, consumer, NULL);
	pthread_create(&pt, NULL, producer, lports);
	pthread_join(pt, NULL);
	pthread_join(ct, NULL);
	consume_record();
	for (int i = 0; i < NPORTS; i++) {
		assert_int_equal(seen[i], sent[i]);
		assert_int_equal(*fifo_word(d2, cports[i]) & ((1U << EVTCHN_FIFO_LINKED) | (1U << EVTCHN_FIFO_PENDING)),
				 0);
	}
}

static void *churn(void *arg)
{
	struct fake_dom **pair = arg; /* pair[0] allocates, pair[1] binds */

	for (int i = 0; i < 3000; i++) {
		int rp = alloc_unbound(pair[0], DOMID_SELF, pair[1]->ed.domain_id);
		int lp = bind_interdomain(pair[1], pair[0]->ed.domain_id, rp);

		assert_true(rp > 0 && lp > 0);
		assert_int_equal(send(pair[0], rp), 0);
		assert_int_equal(send(pair[1], lp), 0);
		assert_int_equal(close_port(i & 1 ? pair[0] : pair[1], i & 1 ? rp : lp), 0);
		assert_int_equal(close_port(i & 1 ? pair[1] : pair[0], i & 1 ? lp : rp), 0);
	}
	return NULL;
}

/* Interdomain operations from both sides at once: the lock order holds
 * (the test finishing is the check) and nothing leaks. */
static void test_lock_order_churn(void **state)
{
	struct fake_dom *ab[2] = { d1, d2 }, *ba[2] = { d2, d1 };
	pthread_t t1, t2;

	pthread_create(&t1, NULL, churn, ab);
	pthread_create(&t2, NULL, churn, ba);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	assert_int_equal(d1->refs + d2->refs, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, fake_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_2l_upcall_once),	       T(test_2l_selector_rule),
		T(test_2l_mask_unmask),	       T(test_2l_interdomain_vcpu),
		T(test_fifo_control_errors),   T(test_fifo_set_priority),
		T(test_fifo_link_order),       T(test_fifo_priorities),
		T(test_fifo_mask_unmask),      T(test_fifo_pending_carried_over),
		T(test_fifo_no_control_block), T(test_fifo_queue_move_and_stale_tail),
		T(test_fifo_reset_back_to_2l), T(test_fifo_concurrent_consumer),
		T(test_lock_order_churn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
