/*
 * Event channel operations (common/event_channel.c): port allocation and
 * limits, every binding rule and its error, close/reset semantics, status,
 * the hypervisor-side ports and VIRQs. Delivery is in test_evtchn_delivery.c.
 *
 * Domains: slot 0 is the privileged domain 0; slots 1 and 2 are guests with
 * ids 1 and 2 (4 vCPUs each unless a test says otherwise).
 */
#include "fake_env.h"

#include <string.h>

static struct fake_dom *d0, *d1, *d2;

static int setup(void **state)
{
	(void)state;
	d0 = fake_dom_create(0, 0, true, 2, EVTCHN_DEFAULT_MAX_PORT);
	d1 = fake_dom_create(1, 1, false, 4, EVTCHN_DEFAULT_MAX_PORT);
	d2 = fake_dom_create(2, 2, false, 4, EVTCHN_DEFAULT_MAX_PORT);
	return 0;
}

static void test_port0_reserved(void **state)
{
	struct evtchn_status s;

	assert_int_equal(status(d1, DOMID_SELF, 0, &s), 0);
	assert_int_equal(s.status, EVTCHNSTAT_closed);
	assert_int_equal(close_port(d1, 0), -XEN_EINVAL);
	assert_int_equal(send(d1, 0), -XEN_EINVAL);
	assert_int_equal(alloc_unbound(d1, DOMID_SELF, 2), 1); /* never 0 */
}

static void test_alloc_reuses_lowest(void **state)
{
	for (int i = 1; i <= 5; i++)
		assert_int_equal(alloc_unbound(d1, DOMID_SELF, 0), i);
	assert_int_equal(close_port(d1, 3), 0);
	assert_int_equal(close_port(d1, 2), 0);
	assert_int_equal(alloc_unbound(d1, DOMID_SELF, 0), 2);
	assert_int_equal(alloc_unbound(d1, DOMID_SELF, 0), 3);
	assert_int_equal(alloc_unbound(d1, DOMID_SELF, 0), 6);
	/* 70 spans a second bucket of port state */
	for (int i = 7; i <= 70; i++)
		assert_int_equal(alloc_unbound(d1, DOMID_SELF, 0), i);
}

static void test_limit_enospc(void **state)
{
	struct fake_dom *f = fake_dom_create(3, 3, false, 1, 10);
	struct evtchn_status s;

	for (int i = 1; i <= 10; i++)
		assert_int_equal(bind_ipi(f, 0), i);
	assert_int_equal(bind_ipi(f, 0), -XEN_ENOSPC);
	assert_int_equal(alloc_unbound(f, DOMID_SELF, 0), -XEN_ENOSPC);
	assert_int_equal(bind_virq(f, VIRQ_TIMER, 0), -XEN_ENOSPC);
	assert_int_equal(bind_interdomain(f, 1, 1), -XEN_ENOSPC);
	assert_int_equal(close_port(f, 5), 0);
	assert_int_equal(bind_ipi(f, 0), 5);
	/* ports beyond the limit but inside the allocated bucket: valid, free */
	assert_int_equal(status(f, DOMID_SELF, 11, &s), 0);
	assert_int_equal(s.status, EVTCHNSTAT_closed);
	assert_int_equal(close_port(f, 11), -XEN_EINVAL);
	assert_int_equal(status(f, DOMID_SELF, 64, &s), -XEN_EINVAL);
}

static void test_2level_abi_limit(void **state)
{
	struct fake_dom *f = fake_dom_create(3, 3, false, 1, 5000);

	for (int i = 1; i < 4096; i++)
		assert_int_equal(bind_ipi(f, 0), i);
	assert_int_equal(bind_ipi(f, 0), -XEN_ENOSPC); /* 64 x 64 ports */
}

static void test_alloc_unbound_rules(void **state)
{
	struct evtchn_status s;
	int p;

	/* a guest for another domain: not allowed; unknown: no such domain */
	assert_int_equal(alloc_unbound(d1, 2, 1), -XEN_EPERM);
	assert_int_equal(alloc_unbound(d1, 77, 1), -XEN_ESRCH);
	/* its own id works like DOMID_SELF; remote DOMID_SELF means the caller */
	p = alloc_unbound(d1, 1, DOMID_SELF);
	assert_int_equal(p, 1);
	assert_int_equal(status(d1, DOMID_SELF, p, &s), 0);
	assert_int_equal(s.status, EVTCHNSTAT_unbound);
	assert_int_equal(s.u.unbound.dom, 1);
	assert_int_equal(s.vcpu, 0);
	/* the control domain allocates in d1 for d2; remote SELF = dom0 */
	p = alloc_unbound(d0, 1, 2);
	assert_int_equal(p, 2);
	assert_int_equal(status(d1, DOMID_SELF, p, &s), 0);
	assert_int_equal(s.u.unbound.dom, 2);
	p = alloc_unbound(d0, 1, DOMID_SELF);
	assert_int_equal(status(d1, DOMID_SELF, p, &s), 0);
	assert_int_equal(s.u.unbound.dom, 0);
	/* remote domains need not exist yet */
	assert_true(alloc_unbound(d1, DOMID_SELF, 999) > 0);
	assert_int_equal(d1->refs + d2->refs + d0->refs, 0);
}

static void test_bind_interdomain(void **state)
{
	struct evtchn_status s;
	int rp, lp;

	rp = alloc_unbound(d2, DOMID_SELF, 1);
	lp = bind_interdomain(d1, 2, rp);
	assert_int_equal(lp, 1);
	assert_int_equal(status(d1, DOMID_SELF, lp, &s), 0);
	assert_int_equal(s.status, EVTCHNSTAT_interdomain);
	assert_int_equal(s.u.interdomain.dom, 2);
	assert_int_equal(s.u.interdomain.port, rp);
	assert_int_equal(status(d2, DOMID_SELF, rp, &s), 0);
	assert_int_equal(s.status, EVTCHNSTAT_interdomain);
	assert_int_equal(s.u.interdomain.dom, 1);
	assert_int_equal(s.u.interdomain.port, lp);
	/* binding marks the new local port pending (sends may have been lost) */
	assert_true(l2_pending(d1, lp));
	assert_false(l2_pending(d2, rp));

	/* already bound; free; beyond the table; not for us; no such domain */
	assert_int_equal(bind_interdomain(d1, 2, rp), -XEN_EINVAL);
	assert_int_equal(bind_interdomain(d1, 2, 30), -XEN_EINVAL);
	assert_int_equal(bind_interdomain(d1, 2, 5000), -XEN_EINVAL);
	rp = alloc_unbound(d2, DOMID_SELF, 0);
	assert_int_equal(bind_interdomain(d1, 2, rp), -XEN_EINVAL);
	assert_int_equal(bind_interdomain(d1, 55, rp), -XEN_ESRCH);
	/* failures leave no port behind */
	assert_int_equal(alloc_unbound(d1, DOMID_SELF, 0), 2);
	/* the domain that may bind is the control domain: it can */
	assert_true(bind_interdomain(d0, 2, rp) > 0);
	/* loopback within one domain */
	rp = alloc_unbound(d1, DOMID_SELF, DOMID_SELF);
	lp = bind_interdomain(d1, DOMID_SELF, rp);
	assert_true(lp > 0);
	assert_int_equal(status(d1, DOMID_SELF, rp, &s), 0);
	assert_int_equal(s.u.interdomain.dom, 1);
	assert_int_equal(s.u.interdomain.port, lp);
	assert_int_equal(d1->refs + d2->refs + d0->refs, 0);
}

static void test_bind_virq(void **state)
{
	struct evtchn_status s;
	int p, q;

	p = bind_virq(d1, VIRQ_TIMER, 1);
	assert_true(p > 0);
	assert_int_equal(bind_virq(d1, VIRQ_TIMER, 1), -XEN_EEXIST);
	q = bind_virq(d1, VIRQ_TIMER, 2); /* per-vCPU: once per vCPU */
	assert_true(q > 0 && q != p);
	assert_int_equal(bind_virq(d1, VIRQ_DOM_EXC, 1), -XEN_EINVAL); /* global: vCPU 0 only */
	assert_true(bind_virq(d1, VIRQ_DOM_EXC, 0) > 0);
	assert_int_equal(bind_virq(d1, VIRQ_DOM_EXC, 0), -XEN_EEXIST);
	assert_int_equal(bind_virq(d1, NR_VIRQS, 0), -XEN_EINVAL);
	assert_int_equal(bind_virq(d1, VIRQ_DEBUG, 9), -XEN_ENOENT);
	assert_int_equal(bind_virq(d1, VIRQ_DEBUG, 4), -XEN_ENOENT);
	assert_int_equal(status(d1, DOMID_SELF, p, &s), 0);
	assert_int_equal(s.status, EVTCHNSTAT_virq);
	assert_int_equal(s.u.virq, VIRQ_TIMER);
	assert_int_equal(s.vcpu, 1);
	/* closing unbinds the VIRQ */
	assert_int_equal(close_port(d1, p), 0);
	assert_int_equal(bind_virq(d1, VIRQ_TIMER, 1), p);
}

static void test_bind_ipi(void **state)
{
	struct evtchn_status s;
	int p = bind_ipi(d1, 3);

	assert_true(p > 0);
	assert_int_equal(bind_ipi(d1, 4), -XEN_ENOENT);
	assert_int_equal(status(d1, DOMID_SELF, p, &s), 0);
	assert_int_equal(s.status, EVTCHNSTAT_ipi);
	assert_int_equal(s.vcpu, 3);
	assert_int_equal(send(d1, p), 0);
	assert_true(l2_pending(d1, p));
	assert_int_equal(d1->kicks[3], 1);
	assert_int_equal(d1->kicks[0], 0);
	assert_int_equal(d1->si->vcpu_info[3].evtchn_upcall_pending, 1);
}

static void test_bind_vcpu(void **state)
{
	struct evtchn_status s;
	int unb = alloc_unbound(d1, DOMID_SELF, 2);
	int rp = alloc_unbound(d2, DOMID_SELF, 1);
	int inter = bind_interdomain(d1, 2, rp);
	int gvirq = bind_virq(d1, VIRQ_CONSOLE, 0);
	int pvirq = bind_virq(d1, VIRQ_TIMER, 0);
	int ipi = bind_ipi(d1, 0);

	assert_int_equal(bind_vcpu(d1, unb, 2), 0);
	assert_int_equal(bind_vcpu(d1, inter, 3), 0);
	assert_int_equal(bind_vcpu(d1, gvirq, 1), 0);
	assert_int_equal(bind_vcpu(d1, pvirq, 1), -XEN_EINVAL);
	assert_int_equal(bind_vcpu(d1, ipi, 1), -XEN_EINVAL);
	assert_int_equal(bind_vcpu(d1, 40, 1), -XEN_EINVAL); /* free */
	assert_int_equal(bind_vcpu(d1, 4000, 1), -XEN_EINVAL);
	assert_int_equal(bind_vcpu(d1, unb, 4), -XEN_ENOENT);
	assert_int_equal(status(d1, DOMID_SELF, inter, &s), 0);
	assert_int_equal(s.vcpu, 3);
	/* the remote's sends now notify vCPU 3 */
	memset(d1->kicks, 0, sizeof(d1->kicks));
	d1->si->vcpu_info[0].evtchn_upcall_pending = 0;
	l2_clear_pending(d1, inter);
	assert_int_equal(send(d2, rp), 0);
	assert_int_equal(d1->kicks[3], 1);
	assert_int_equal(d1->si->vcpu_info[3].evtchn_upcall_pending, 1);
	/* a moved global VIRQ goes to its new vCPU */
	evtchn_send_virq(&d1->ed, 0, VIRQ_CONSOLE);
	assert_true(l2_pending(d1, gvirq));
	assert_int_equal(d1->kicks[1], 1);
}

static void test_send_rules(void **state)
{
	int unb = alloc_unbound(d1, DOMID_SELF, 2);
	int virq = bind_virq(d1, VIRQ_DEBUG, 0);
	int rp = alloc_unbound(d2, DOMID_SELF, 1);
	int lp = bind_interdomain(d1, 2, rp);

	assert_int_equal(send(d1, 50), -XEN_EINVAL);   /* free */
	assert_int_equal(send(d1, 9999), -XEN_EINVAL); /* out of range */
	assert_int_equal(send(d1, unb), 0);	       /* nobody listens */
	assert_false(l2_pending(d1, unb));
	assert_int_equal(send(d1, virq), -XEN_EINVAL); /* VIRQs come from the hypervisor */
	assert_int_equal(send(d1, lp), 0);
	assert_true(l2_pending(d2, rp));
	assert_int_equal(d2->kicks[0], 1);
	/* and the other way, from the higher domain id */
	l2_clear_pending(d1, lp);
	d1->si->vcpu_info[0].evtchn_upcall_pending = 0;
	d1->si->vcpu_info[0].evtchn_pending_sel = 0;
	assert_int_equal(send(d2, rp), 0);
	assert_true(l2_pending(d1, lp));
	assert_int_equal(d1->refs + d2->refs, 0);
}

static void test_close_interdomain(void **state)
{
	struct evtchn_status s;
	int rp = alloc_unbound(d2, DOMID_SELF, 1);
	int lp = bind_interdomain(d1, 2, rp);

	/* closing one end puts the other back to unbound, for the closer */
	assert_int_equal(close_port(d1, lp), 0);
	assert_int_equal(status(d2, DOMID_SELF, rp, &s), 0);
	assert_int_equal(s.status, EVTCHNSTAT_unbound);
	assert_int_equal(s.u.unbound.dom, 1);
	assert_false(l2_pending(d1, lp)); /* a freed port is not pending */
	assert_int_equal(close_port(d1, lp), -XEN_EINVAL);
	assert_int_equal(send(d2, rp), 0); /* unbound: dropped */
	/* d1 can bind to it again */
	lp = bind_interdomain(d1, 2, rp);
	assert_true(lp > 0);
	/* close from the higher domain id's side */
	assert_int_equal(close_port(d2, rp), 0);
	assert_int_equal(status(d1, DOMID_SELF, lp, &s), 0);
	assert_int_equal(s.status, EVTCHNSTAT_unbound);
	assert_int_equal(s.u.unbound.dom, 2);
	assert_int_equal(close_port(d1, 5000), -XEN_EINVAL);
	assert_int_equal(d1->refs + d2->refs, 0);
}

static void test_status_rules(void **state)
{
	struct evtchn_status s;
	int p = bind_ipi(d2, 1);

	assert_int_equal(status(d1, 2, p, &s), -XEN_EPERM);
	assert_int_equal(status(d1, 66, p, &s), -XEN_ESRCH);
	assert_int_equal(status(d1, DOMID_SELF, 5000, &s), -XEN_EINVAL);
	assert_int_equal(status(d0, 2, p, &s), 0);
	assert_int_equal(s.status, EVTCHNSTAT_ipi);
	assert_int_equal(s.vcpu, 1);
	assert_int_equal(d1->refs + d2->refs, 0);
}

static void test_reset(void **state)
{
	struct evtchn_status s;
	struct evtchn_reset r = { .dom = DOMID_SELF };
	int rp = alloc_unbound(d2, DOMID_SELF, 1);
	int lp = bind_interdomain(d1, 2, rp);
	int v = bind_virq(d1, VIRQ_TIMER, 0);
	evtchn_port_t xp;

	assert_int_equal(evtchn_alloc_xen_port(&d1->ed, 0, &xp), 0);
	bind_ipi(d1, 1);
	assert_int_equal(op(d1, EVTCHNOP_reset, &r), 0);
	for (evtchn_port_t p = 1; p < 10; p++) {
		assert_int_equal(status(d1, DOMID_SELF, p, &s), 0);
		assert_int_equal(s.status, p == xp ? EVTCHNSTAT_unbound : EVTCHNSTAT_closed);
	}
	assert_int_equal(status(d2, DOMID_SELF, rp, &s), 0);
	assert_int_equal(s.status, EVTCHNSTAT_unbound);
	assert_true(bind_virq(d1, VIRQ_TIMER, 0) > 0); /* unbound by the reset */
	(void)lp;

	/* another domain: not a guest; the control domain only while paused */
	r.dom = 1;
	assert_int_equal(op(d2, EVTCHNOP_reset, &r), -XEN_EPERM);
	assert_int_equal(op(d0, EVTCHNOP_reset, &r), -XEN_EINVAL);
	d1->paused = true;
	assert_int_equal(op(d0, EVTCHNOP_reset_cont, &r), 0);
	assert_int_equal(status(d1, DOMID_SELF, v, &s), 0);
	assert_int_equal(s.status, EVTCHNSTAT_closed);
	r.dom = 42;
	assert_int_equal(op(d0, EVTCHNOP_reset, &r), -XEN_ESRCH);
	assert_int_equal(d0->refs + d1->refs + d2->refs, 0);
}

static void test_misc_ops(void **state)
{
	struct evtchn_bind_pirq bp = { .pirq = 1 };
	struct evtchn_set_priority sp = { .port = 1, .priority = 3 };
	char buf[32] = { 0 };

	assert_int_equal(op(d1, EVTCHNOP_bind_pirq, &bp), -XEN_EINVAL);
	assert_int_equal(op(d1, 15, buf), -XEN_ENOSYS);
	assert_int_equal(op(d1, 0x100, buf), -XEN_ENOSYS);
	bind_ipi(d1, 0);
	assert_int_equal(op(d1, EVTCHNOP_set_priority, &sp), -XEN_ENOSYS); /* 2-level */
	sp.port = 3000;
	assert_int_equal(op(d1, EVTCHNOP_set_priority, &sp), -XEN_EINVAL);
	assert_int_equal(evtchn_op_arg_size(EVTCHNOP_status), 24);
	assert_int_equal(evtchn_op_arg_size(EVTCHNOP_init_control), 24);
	assert_int_equal(evtchn_op_arg_size(EVTCHNOP_reset_cont), 2);
	assert_int_equal(evtchn_op_arg_size(EVTCHNOP_send), 4);
	assert_int_equal(evtchn_op_arg_size(99), 0);
}

static void test_xen_port(void **state)
{
	struct evtchn_status s;
	evtchn_port_t xp;

	assert_int_equal(evtchn_alloc_xen_port(&d1->ed, 7, &xp), -XEN_ENOENT);
	assert_int_equal(evtchn_alloc_xen_port(&d1->ed, 1, &xp), 0);
	assert_int_equal(send(d1, xp), 0);
	assert_int_equal(d1->xen_events, 1);
	assert_int_equal(d1->last_xen_port, xp);
	evtchn_notify_xen_port(&d1->ed, xp);
	assert_true(l2_pending(d1, xp));
	assert_int_equal(d1->kicks[1], 1);
	assert_int_equal(close_port(d1, xp), -XEN_EINVAL);
	assert_int_equal(bind_vcpu(d1, xp, 0), -XEN_EINVAL);
	assert_int_equal(bind_interdomain(d2, 1, xp), -XEN_EINVAL);
	assert_int_equal(status(d1, DOMID_SELF, xp, &s), 0);
	assert_int_equal(s.status, EVTCHNSTAT_unbound);
	assert_int_equal(s.u.unbound.dom, DOMID_XEN);
	/* notify on an ordinary port does nothing */
	int ipi = bind_ipi(d1, 2);
	evtchn_notify_xen_port(&d1->ed, ipi);
	assert_false(l2_pending(d1, ipi));
}

static void test_send_virq(void **state)
{
	int t1 = bind_virq(d1, VIRQ_TIMER, 1);
	int t2 = bind_virq(d1, VIRQ_TIMER, 2);

	evtchn_send_virq(&d1->ed, 2, VIRQ_TIMER);
	assert_true(l2_pending(d1, t2));
	assert_false(l2_pending(d1, t1));
	assert_int_equal(d1->kicks[2], 1);
	evtchn_send_virq(&d1->ed, 3, VIRQ_TIMER); /* not bound there */
	evtchn_send_virq(&d1->ed, 0, VIRQ_DOM_EXC);
	evtchn_send_virq(&d1->ed, 0, 200);
	assert_int_equal(d1->kicks[3] + d1->kicks[0], 0);
}

static void test_destroy_unbinds_peer(void **state)
{
	struct evtchn_status s;
	int rp = alloc_unbound(d1, DOMID_SELF, 2);
	int lp = bind_interdomain(d2, 1, rp);

	assert_true(lp > 0);
	fake_dom_destroy(d2);
	assert_int_equal(status(d1, DOMID_SELF, rp, &s), 0);
	assert_int_equal(s.status, EVTCHNSTAT_unbound);
	assert_int_equal(s.u.unbound.dom, 2);
	assert_int_equal(send(d1, rp), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, fake_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_port0_reserved),
		T(test_alloc_reuses_lowest),
		T(test_limit_enospc),
		T(test_2level_abi_limit),
		T(test_alloc_unbound_rules),
		T(test_bind_interdomain),
		T(test_bind_virq),
		T(test_bind_ipi),
		T(test_bind_vcpu),
		T(test_send_rules),
		T(test_close_interdomain),
		T(test_status_rules),
		T(test_reset),
		T(test_misc_ops),
		T(test_xen_port),
		T(test_send_virq),
		T(test_destroy_unbinds_peer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
