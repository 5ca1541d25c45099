/*
 * sched_op (public/sched.h): yield, block, shutdown, poll, shutdown_code,
 * remote_shutdown and watchdog, with Xen's semantics and errors.
 *
 * SCHEDOP_poll blocks the calling vCPU until one of a set of its domain's
 * ports is pending — masked or not, so a guest can wait for an event it has
 * masked — or until an absolute system-time deadline. Like Xen, the set is
 * not kept: a single port is remembered and only that port wakes the vCPU;
 * with several ports any port of the domain does, and the guest looks again.
 * Any other wake-up (an interrupt, an unmasked event) ends the poll too,
 * and, as Xen's local_events_need_delivery(), an interrupt the vCPU could
 * take right now makes it return at once.
 *
 * Watchdogs: two per domain, as Xen (NR_DOMAIN_WATCHDOG_TIMERS). When one
 * expires, the domain shuts down with reason watchdog and its on_watchdog
 * action is carried out.
 *
 * Lock order: poll state is written by the vCPU itself and read under the
 * domain's event lock (sched_poll_wake is called there); the scheduler locks
 * come after it (vcpu_kick). Watchdog slots are claimed atomically.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/event.h>
#include <hv/hypercall.h>
#include <hv/lib.h>
#include <hv/sched.h>
#include <hv/softirq.h>
#include <hv/time.h>
#include <asm/hvm.h>
#include <asm/vlapic.h>

#define SCHED_POLL_MAX_PORTS 128 /* Xen's limit on nr_ports */

/* struct sched_poll: a guest handle (pointer-sized), the count, the timeout */
struct sched_poll64 {
	uint64_t ports;
	uint32_t nr_ports, pad;
	uint64_t timeout;
};
BUILD_BUG_ON(sizeof(struct sched_poll64) != 24);
struct sched_poll32 {
	uint32_t ports;
	uint32_t nr_ports;
	uint64_t timeout; /* 4-byte aligned on i386: offset 8 either way */
} __attribute__((packed));
BUILD_BUG_ON(sizeof(struct sched_poll32) != 16);

struct sched_remote_shutdown {
	domid_t domain_id;
	uint16_t pad;
	uint32_t reason;
};
BUILD_BUG_ON(sizeof(struct sched_remote_shutdown) != 8);

struct sched_watchdog {
	uint32_t id;	  /* 0: allocate a new one */
	uint32_t timeout; /* seconds; 0 with an id: destroy it */
};
BUILD_BUG_ON(sizeof(struct sched_watchdog) != 8);

/* ------------------------------------------------------------ poll */

/* v->polling changes only through these two, which keep the domain's count
 * of polling vCPUs (the event path looks at no vCPU while it is 0). They
 * return whether the flag changed. */
static bool poll_start(struct vcpu *v)
{
	if (__atomic_exchange_n(&v->polling, true, __ATOMIC_SEQ_CST))
		return false;
	__atomic_fetch_add(&v->domain->nr_polling, 1, __ATOMIC_SEQ_CST);
	return true;
}

static bool poll_end(struct vcpu *v)
{
	if (!__atomic_exchange_n(&v->polling, false, __ATOMIC_SEQ_CST))
		return false;
	__atomic_fetch_sub(&v->domain->nr_polling, 1, __ATOMIC_SEQ_CST);
	return true;
}

/* Port of v's domain became pending (event lock held). */
void sched_poll_wake(struct vcpu *v, evtchn_port_t port)
{
	if (!READ_ONCE(v->polling))
		return;
	if (v->poll_port && v->poll_port != port)
		return;
	if (poll_end(v))
		vcpu_kick(v); /* clears VPF_blocked and wakes it */
}

static void poll_timeout(void *data)
{
	struct vcpu *v = data;

	if (poll_end(v))
		vcpu_kick(v);
}

static long do_poll(struct vcpu *v, uint64_t arg)
{
	struct domain *d = v->domain;
	uint64_t ports, timeout;
	unsigned int nr;
	evtchn_port_t port = 0;
	long rc = 0;

	if (hvm_long_mode_64bit(v)) {
		struct sched_poll64 p;

		if (hvm_copy_from_guest(v, &p, arg, sizeof(p)))
			return -XEN_EFAULT;
		ports = p.ports, nr = p.nr_ports, timeout = p.timeout;
	} else {
		struct sched_poll32 p;

		if (hvm_copy_from_guest(v, &p, arg, sizeof(p)))
			return -XEN_EFAULT;
		ports = p.ports, nr = p.nr_ports, timeout = p.timeout;
	}
	if (nr > SCHED_POLL_MAX_PORTS)
		return -XEN_EINVAL;

	/* Announce the poll first, then look: an event set in between finds
	 * the vCPU polling and wakes it (clearing VPF_blocked). */
	v->poll_port = 0;
	poll_start(v);
	set_bit(VPF_blocked, &v->pause_flags);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < nr; i++) {
		int pending;

		if (hvm_copy_from_guest(v, &port, ports + (uint64_t)i * sizeof(port), sizeof(port))) {
			rc = -XEN_EFAULT;
			goto out;
		}
		pending = evtchn_port_is_pending(&d->evtchn, port);
		if (pending) {
			rc = pending < 0 ? pending : 0;
			goto out;
		}
	}
	if (!READ_ONCE(v->polling) || !test_bit(VPF_blocked, &v->pause_flags))
		goto out; /* woken already */
	if (hvm_interrupts_enabled(v) &&
	    (vlapic_has_irr(&v->arch.vlapic) || v->arch.nmi_pending || hvm_callback_vector_pending(v) >= 0))
		goto out; /* an interrupt it can take is waiting: no kick would come */
	if (nr == 1)
		v->poll_port = port;
	if (timeout)
		set_timer(&v->poll_timer, (s_time_t)timeout);
	else
		stop_timer(&v->poll_timer);
	raise_softirq(SCHEDULE_SOFTIRQ);
	return 0;
out:
	poll_end(v);
	clear_bit(VPF_blocked, &v->pause_flags);
	return rc;
}

void sched_op_vcpu_init(struct vcpu *v)
{
	init_timer(&v->poll_timer, poll_timeout, v, v->processor);
}

void sched_op_vcpu_destroy(struct vcpu *v)
{
	kill_timer(&v->poll_timer);
}

/* ------------------------------------------------------------ watchdog */

static void watchdog_fired(struct domain *d, unsigned int id)
{
	printk(LOG_WARN "d%u \"%s\": watchdog %u fired\n", d->domain_id, d->name, id + 1);
	domain_shutdown(d, SHUTDOWN_watchdog);
}

static void watchdog0_fired(void *data)
{
	watchdog_fired(data, 0);
}

static void watchdog1_fired(void *data)
{
	watchdog_fired(data, 1);
}

void sched_op_domain_init(struct domain *d)
{
	d->watchdog_inuse = 0;
	init_timer(&d->watchdog[0], watchdog0_fired, d, 0);
	init_timer(&d->watchdog[1], watchdog1_fired, d, 0);
	d->pending_shutdown_code = SHUTDOWN_CODE_NONE;
}

void sched_op_domain_destroy(struct domain *d)
{
	kill_timer(&d->watchdog[0]);
	kill_timer(&d->watchdog[1]);
}

static long do_watchdog(struct domain *d, uint32_t id, uint32_t timeout)
{
	if (id == 0) {
		for (id = 0; id < DOMAIN_WATCHDOGS; id++) {
			if (__atomic_fetch_or(&d->watchdog_inuse, 1u << id, __ATOMIC_SEQ_CST) & (1u << id))
				continue;
			set_timer(&d->watchdog[id], NOW() + SECONDS((s_time_t)timeout));
			return id + 1;
		}
		return -XEN_ENOSPC;
	}
	id--;
	if (id >= DOMAIN_WATCHDOGS || !(READ_ONCE(d->watchdog_inuse) & (1u << id)))
		return -XEN_EINVAL;
	if (timeout == 0) {
		stop_timer(&d->watchdog[id]);
		__atomic_fetch_and(&d->watchdog_inuse, ~(1u << id), __ATOMIC_SEQ_CST);
		return 0;
	}
	set_timer(&d->watchdog[id], NOW() + SECONDS((s_time_t)timeout));
	return 0;
}

/* ------------------------------------------------------------ the hypercall */

static long do_remote_shutdown(struct vcpu *v, uint64_t arg)
{
	struct sched_remote_shutdown a;
	struct domain *t;
	long rc = 0;

	if (hvm_copy_from_guest(v, &a, arg, sizeof(a)))
		return -XEN_EFAULT;
	t = get_domain_by_id(a.domain_id);
	if (!t)
		return -XEN_ESRCH;
	if (!v->domain->is_privileged)
		rc = -XEN_EPERM; /* the control domain's (even for itself, as on Xen) */
	else if (a.reason > SHUTDOWN_watchdog)
		rc = -XEN_EINVAL;
	else
		domain_shutdown(t, a.reason);
	put_domain(t);
	return rc;
}

long do_sched_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	struct domain *d = v->domain;
	uint32_t reason;

	switch (cmd) {
	case SCHEDOP_yield:
		vcpu_yield();
		return 0;
	case SCHEDOP_block:
		vcpu_block();
		return 0;
	case SCHEDOP_shutdown:
		if (hvm_copy_from_guest(v, &reason, arg, sizeof(reason)))
			return -XEN_EFAULT;
		if (reason > SHUTDOWN_watchdog)
			return -XEN_EINVAL;
		domain_shutdown(d, reason);
		return 0;
	case SCHEDOP_shutdown_code:
		/* the reason a later shutdown reports (the first one set wins) */
		if (hvm_copy_from_guest(v, &reason, arg, sizeof(reason)))
			return -XEN_EFAULT;
		if (reason > SHUTDOWN_watchdog)
			return -XEN_EINVAL;
		__atomic_compare_exchange_n(&d->pending_shutdown_code, &(unsigned int){ SHUTDOWN_CODE_NONE }, reason,
					    false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		return 0;
	case SCHEDOP_poll:
		return do_poll(v, arg);
	case SCHEDOP_remote_shutdown:
		return do_remote_shutdown(v, arg);
	case SCHEDOP_watchdog: {
		struct sched_watchdog w;

		if (hvm_copy_from_guest(v, &w, arg, sizeof(w)))
			return -XEN_EFAULT;
		return do_watchdog(d, w.id, w.timeout);
	}
	default:
		return -XEN_ENOSYS;
	}
}
