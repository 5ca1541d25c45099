/*
 * Xen guest ABI: event channels (hypercall event_channel_op, number 32).
 *
 * An event channel is a port in a domain's port table. A port is bound to
 * one source: another domain's port (interdomain), a virtual IRQ, or an IPI
 * from a vCPU of the same domain. Sending sets the port pending; delivery to
 * the guest uses either the 2-level ABI (bitmaps in shared_info, see
 * public/xen.h) or the FIFO ABI (an event array of 32-bit words in guest
 * pages plus a per-vCPU control block), chosen by the guest with
 * EVTCHNOP_init_control.
 *
 * The argument of every sub-op is a structure in guest memory; OUT fields
 * are written back. The numbers and layouts are Xen's (x86-64).
 */
#ifndef PUBLIC_EVENT_CHANNEL_H
#define PUBLIC_EVENT_CHANNEL_H

#include <stdint.h>

#include <public/xen.h>

typedef uint32_t evtchn_port_t;

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq 1
#define EVTCHNOP_bind_pirq 2
#define EVTCHNOP_close 3
#define EVTCHNOP_send 4
#define EVTCHNOP_status 5
#define EVTCHNOP_alloc_unbound 6
#define EVTCHNOP_bind_ipi 7
#define EVTCHNOP_bind_vcpu 8
#define EVTCHNOP_unmask 9
#define EVTCHNOP_reset 10
#define EVTCHNOP_init_control 11
#define EVTCHNOP_expand_array 12
#define EVTCHNOP_set_priority 13
#define EVTCHNOP_reset_cont 14

/* A new port in <dom>, unbound, that <remote_dom> may bind to. DOMID_SELF
 * is allowed for either. Only a privileged domain may name another dom. */
struct evtchn_alloc_unbound {
	domid_t dom, remote_dom; /* IN */
	evtchn_port_t port;	 /* OUT */
};

/* Connect a new local port to <remote_dom, remote_port>, which must be
 * unbound and allow this domain. */
struct evtchn_bind_interdomain {
	domid_t remote_dom;	   /* IN */
	evtchn_port_t remote_port; /* IN */
	evtchn_port_t local_port;  /* OUT */
};

/* A new port for VIRQ <virq> on vCPU <vcpu> (0 for global VIRQs). */
struct evtchn_bind_virq {
	uint32_t virq;	    /* IN */
	uint32_t vcpu;	    /* IN */
	evtchn_port_t port; /* OUT */
};

/* Physical IRQs: refused by Basalt (no passthrough). */
struct evtchn_bind_pirq {
	uint32_t pirq; /* IN */
#define BIND_PIRQ__WILL_SHARE 1
	uint32_t flags;	    /* IN */
	evtchn_port_t port; /* OUT */
};

/* A new port for IPIs to vCPU <vcpu> of this domain. */
struct evtchn_bind_ipi {
	uint32_t vcpu;	    /* IN */
	evtchn_port_t port; /* OUT */
};

/* Close a port; an interdomain peer goes back to unbound. */
struct evtchn_close {
	evtchn_port_t port; /* IN */
};

/* Send to the port's other end. */
struct evtchn_send {
	evtchn_port_t port; /* IN */
};

/* The state of <dom, port>. */
struct evtchn_status {
	domid_t dom;	    /* IN */
	evtchn_port_t port; /* IN */
#define EVTCHNSTAT_closed 0
#define EVTCHNSTAT_unbound 1
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_pirq 3
#define EVTCHNSTAT_virq 4
#define EVTCHNSTAT_ipi 5
	uint32_t status; /* OUT */
	uint32_t vcpu;	 /* OUT: the vCPU notified */
	union {
		struct {
			domid_t dom;
		} unbound; /* EVTCHNSTAT_unbound */
		struct {
			domid_t dom;
			evtchn_port_t port;
		} interdomain; /* EVTCHNSTAT_interdomain */
		uint32_t pirq; /* EVTCHNSTAT_pirq */
		uint32_t virq; /* EVTCHNSTAT_virq */
	} u;		       /* OUT */
};

/* Notify another vCPU for this port (unbound, interdomain, global VIRQ). */
struct evtchn_bind_vcpu {
	evtchn_port_t port; /* IN */
	uint32_t vcpu;	    /* IN */
};

/* Unmask a port, delivering it if it is pending. */
struct evtchn_unmask {
	evtchn_port_t port; /* IN */
};

/* Close every port of <dom> and return to the 2-level ABI. */
struct evtchn_reset {
	domid_t dom; /* IN */
};

/* FIFO ABI: register vCPU <vcpu>'s control block (in page <control_gfn> at
 * <offset>, 8-byte aligned, not crossing the page). The first call switches
 * the domain to the FIFO ABI. */
struct evtchn_init_control {
	uint64_t control_gfn; /* IN */
	uint32_t offset;      /* IN */
	uint32_t vcpu;	      /* IN */
	uint8_t link_bits;    /* OUT */
	uint8_t _pad[7];
};

/* FIFO ABI: add one page of event words. */
struct evtchn_expand_array {
	uint64_t array_gfn; /* IN */
};

/* FIFO ABI: the queue (0 highest .. 15 lowest) future events use. */
struct evtchn_set_priority {
	evtchn_port_t port; /* IN */
	uint32_t priority;  /* IN */
};

/* The 2-level ABI: 64 words of 64 bits. */
#define EVTCHN_2L_NR_CHANNELS (sizeof(unsigned long) * 8 * sizeof(unsigned long) * 8)

/* FIFO ABI. */
#define EVTCHN_FIFO_PRIORITY_MAX 0
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN 15
#define EVTCHN_FIFO_MAX_QUEUES (EVTCHN_FIFO_PRIORITY_MIN + 1)

typedef uint32_t event_word_t;

#define EVTCHN_FIFO_PENDING 31 /* bit numbers in an event word */
#define EVTCHN_FIFO_MASKED 30
#define EVTCHN_FIFO_LINKED 29
#define EVTCHN_FIFO_BUSY 28 /* the hypervisor is setting LINK: guest must not unmask */

#define EVTCHN_FIFO_LINK_BITS 17
#define EVTCHN_FIFO_LINK_MASK ((1U << EVTCHN_FIFO_LINK_BITS) - 1)

#define EVTCHN_FIFO_NR_CHANNELS (1U << EVTCHN_FIFO_LINK_BITS)

struct evtchn_fifo_control_block {
	uint32_t ready; /* bit p: queue p has events (set by Xen, cleared by guest) */
	uint32_t _rsvd;
	event_word_t head[EVTCHN_FIFO_MAX_QUEUES]; /* first port of each queue */
};

_Static_assert(sizeof(struct evtchn_alloc_unbound) == 8, "alloc_unbound");
_Static_assert(sizeof(struct evtchn_bind_interdomain) == 12, "bind_interdomain");
_Static_assert(sizeof(struct evtchn_bind_virq) == 12, "bind_virq");
_Static_assert(sizeof(struct evtchn_bind_pirq) == 12, "bind_pirq");
_Static_assert(sizeof(struct evtchn_bind_ipi) == 8, "bind_ipi");
_Static_assert(sizeof(struct evtchn_status) == 24, "status");
_Static_assert(__builtin_offsetof(struct evtchn_status, u) == 16, "status.u");
_Static_assert(sizeof(struct evtchn_bind_vcpu) == 8, "bind_vcpu");
_Static_assert(sizeof(struct evtchn_reset) == 2, "reset");
_Static_assert(sizeof(struct evtchn_init_control) == 24, "init_control");
_Static_assert(__builtin_offsetof(struct evtchn_init_control, link_bits) == 16, "link_bits");
_Static_assert(sizeof(struct evtchn_expand_array) == 8, "expand_array");
_Static_assert(sizeof(struct evtchn_set_priority) == 8, "set_priority");
_Static_assert(sizeof(struct evtchn_fifo_control_block) == 72, "control block");

#endif
