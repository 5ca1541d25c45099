/*
 * A fake hypervisor around common/event_channel.c for the unit tests:
 * domains with shared_info pages, guest pages by frame number, upcall
 * counters, and a simulated guest consuming FIFO queues the way Linux does.
 */
#ifndef EVTCHN_FAKE_ENV_H
#define EVTCHN_FAKE_ENV_H

#include "harness.h"

#include <hv/errno.h>
#include <hv/event.h>

#define FAKE_DOMS 4
#define FAKE_VCPUS 4
#define FAKE_GFNS 160 /* guest frames 0..159 exist */

struct fake_dom {
	struct evtchn_domain ed;
	struct evtchn_vcpu ev[FAKE_VCPUS];
	struct shared_info *si;
	int kicks[FAKE_VCPUS];
	bool exists, paused;
	int refs;
	int xen_events;
	evtchn_port_t last_xen_port;
	void *page[FAKE_GFNS];
	int mapped[FAKE_GFNS];
};

extern struct fake_dom fake_doms[FAKE_DOMS];
extern const struct evtchn_env fake_env;
extern long fake_live_allocs;

/* Domain slot i gets id 'id' (ids decide the lock order). */
struct fake_dom *fake_dom_create(unsigned int slot, domid_t id, bool privileged, unsigned int nr_vcpus,
				 unsigned int max_port);
void fake_dom_destroy(struct fake_dom *f); /* checks: no leaks, nothing mapped */
int fake_teardown(void **state);

/* Hypercall shorthands on behalf of (f, vcpu 0). */
long op(struct fake_dom *f, unsigned int cmd, void *arg);
int alloc_unbound(struct fake_dom *f, domid_t dom, domid_t remote); /* port or -errno */
int bind_interdomain(struct fake_dom *f, domid_t remote, evtchn_port_t rport);
int bind_virq(struct fake_dom *f, uint32_t virq, uint32_t vcpu);
int bind_ipi(struct fake_dom *f, uint32_t vcpu);
long send(struct fake_dom *f, evtchn_port_t port);
long close_port(struct fake_dom *f, evtchn_port_t port);
long unmask(struct fake_dom *f, evtchn_port_t port);
long bind_vcpu(struct fake_dom *f, evtchn_port_t port, uint32_t vcpu);
long status(struct fake_dom *f, domid_t dom, evtchn_port_t port, struct evtchn_status *out);

/* 2-level view */
bool l2_pending(struct fake_dom *f, evtchn_port_t port);
bool l2_masked(struct fake_dom *f, evtchn_port_t port);
void l2_set_mask(struct fake_dom *f, evtchn_port_t port, bool masked);
void l2_clear_pending(struct fake_dom *f, evtchn_port_t port);

/* FIFO: a guest vCPU's consumer state (Linux's algorithm). */
struct fifo_guest {
	struct fake_dom *f;
	unsigned int vcpu;
	struct evtchn_fifo_control_block *cb;
	uint32_t head[EVTCHN_FIFO_MAX_QUEUES];
};
/* init_control for vcpu with its control block in frame cb_gfn, and
 * nr_pages event array pages from frame array_gfn on (every word MASKED
 * as Linux initialises them, then unmasked if 'unmask'). */
void fifo_setup(struct fifo_guest *g, struct fake_dom *f, unsigned int vcpu, uint64_t cb_gfn);
void fifo_add_pages(struct fake_dom *f, uint64_t gfn, unsigned int nr, bool masked);
event_word_t *fifo_word(struct fake_dom *f, evtchn_port_t port);
/* Consume everything ready: handled ports (pending and unmasked, their
 * PENDING cleared) go to out[], in order. Returns how many. */
unsigned int fifo_consume(struct fifo_guest *g, evtchn_port_t *out, unsigned int max);

#endif
