/*
 * Event channels (common/event_channel.c): the per-domain port table, the
 * EVTCHNOP_* operations with Xen's semantics and errors, and delivery
 * through the 2-level ABI (bitmaps in shared_info) or the FIFO ABI (event
 * array pages and per-vCPU control blocks in guest memory).
 *
 * The module is pure: everything it needs from the hypervisor (memory,
 * domain lookup, guest pages, waking a vCPU) comes through struct
 * evtchn_env, so it runs unchanged in the host unit tests. The hypervisor
 * embeds struct evtchn_domain in its domain and struct evtchn_vcpu in its
 * vCPU, and keeps the priv pointers to find its own structures again.
 *
 * Lock order: the event lock of the domain with the lower id -> the event
 * lock of the domain with the higher id. Operations on one domain take its
 * lock alone; those that touch both ends of an interdomain channel (bind,
 * send, close) take both locks in that order (a channel to itself takes one).
 * An event lock protects the domain's port table, its vCPUs' virq_to_port[]
 * and FIFO queues (tails, heads, control blocks) and its event array pages:
 * so every "set pending" runs under the lock of the domain that receives it.
 * The env callbacks kick, shared_info, vcpu_info, zalloc and free may be
 * called under event locks and must not take one; get_domain, put_domain,
 * map_gfn, unmap, paused and xen_event are called with no event lock held
 * (except map_gfn/unmap, which run under the caller's own domain lock).
 */
#ifndef HV_EVENT_H
#define HV_EVENT_H

#include <hv/spinlock.h>
#include <hv/types.h>
#include <public/event_channel.h>
#include <public/xen.h>

#define EVTCHN_DEFAULT_MAX_PORT 1023 /* xl's default max_event_channels - 1 */
#define EVTCHN_PORTS_PER_BUCKET 64   /* port state is allocated in groups */
#define EVTCHN_FIFO_WORDS_PER_PAGE 1024
#define EVTCHN_FIFO_MAX_PAGES (EVTCHN_FIFO_NR_CHANNELS / EVTCHN_FIFO_WORDS_PER_PAGE)

enum evtchn_state {
	ECS_FREE,	 /* available */
	ECS_RESERVED,	 /* port 0: never bound */
	ECS_UNBOUND,	 /* waiting for u.remote_domid to bind */
	ECS_INTERDOMAIN, /* connected to u.interdomain */
	ECS_VIRQ,	 /* a virtual IRQ (virq) */
	ECS_IPI,	 /* IPI within the domain */
};

struct evtchn_domain;
struct evtchn_vcpu;

struct evtchn {
	uint8_t state;	       /* enum evtchn_state */
	uint8_t priority;      /* FIFO: the queue future events go to */
	uint8_t last_priority; /* FIFO: the queue it was last linked on ... */
	bool pending;	       /* FIFO: became pending while it had no event word */
	bool xen_consumer;     /* an unbound port whose other end is the hypervisor */
	uint16_t virq;	       /* ECS_VIRQ */
	uint32_t notify_vcpu_id;
	uint32_t last_vcpu_id; /* ... of this vCPU */
	union {
		domid_t remote_domid; /* ECS_UNBOUND: who may bind */
		struct {
			struct evtchn_domain *dom;
			evtchn_port_t port;
		} interdomain; /* ECS_INTERDOMAIN */
	} u;
};

struct evtchn_fifo_queue {
	event_word_t *head; /* HEAD[priority] in the control block */
	evtchn_port_t tail; /* last port linked (0: none) */
};

struct evtchn_vcpu {
	unsigned int vcpu_id;
	struct evtchn_domain *domain;
	void *priv; /* the hypervisor's vCPU */
	evtchn_port_t virq_to_port[NR_VIRQS];
	/* FIFO: the mapped control block (NULL until EVTCHNOP_init_control) */
	struct evtchn_fifo_control_block *control_block;
	void *control_page; /* what env->map_gfn returned, for unmap */
	struct evtchn_fifo_queue queue[EVTCHN_FIFO_MAX_QUEUES];
};

struct evtchn_env {
	void *(*zalloc)(size_t bytes); /* zeroed memory, NULL when out */
	void (*free)(void *p);
	/* the domain with this id, referenced; NULL if there is none */
	struct evtchn_domain *(*get_domain)(domid_t id);
	void (*put_domain)(struct evtchn_domain *d);
	/* the domain's shared_info page and a vCPU's vcpu_info (never NULL for
	 * a domain/vCPU that exists: a dummy until the guest registers one) */
	struct shared_info *(*shared_info)(struct evtchn_domain *d);
	struct vcpu_info *(*vcpu_info)(struct evtchn_vcpu *v);
	/* map a writable guest page for FIFO use (takes a reference): its host
	 * address, or NULL (bad frame: the caller returns -EINVAL) */
	void *(*map_gfn)(struct evtchn_domain *d, uint64_t gfn);
	void (*unmap)(struct evtchn_domain *d, void *page);
	/* vcpu_info.evtchn_upcall_pending was just set: deliver the upcall
	 * (callback vector) and wake the vCPU */
	void (*kick)(struct evtchn_vcpu *v);
	/* paused by the control domain (EVTCHNOP_reset of another domain) */
	bool (*paused)(struct evtchn_domain *d);
	/* the guest sent on a port allocated by evtchn_alloc_xen_port */
	void (*xen_event)(struct evtchn_domain *d, evtchn_port_t port);
	/* optional (may be NULL): port of d was just set pending, masked or
	 * not (called under d's event lock; SCHEDOP_poll's wake-up) */
	void (*port_pending)(struct evtchn_domain *d, evtchn_port_t port);
};

struct evtchn_domain {
	domid_t domain_id;
	bool privileged; /* the control domain: may act on other domains */
	const struct evtchn_env *env;
	void *priv;	 /* the hypervisor's domain */
	spinlock_t lock; /* the event lock: see the lock order above */
	unsigned int nr_vcpus;
	struct evtchn_vcpu **vcpu; /* [nr_vcpus], filled by evtchn_vcpu_init */
	unsigned int max_port;	   /* the highest port the domain may have */
	unsigned int valid_ports;  /* ports [0, valid_ports) have state */
	struct evtchn **bucket;	   /* EVTCHN_PORTS_PER_BUCKET ports each */
	unsigned int nr_buckets;
	/* FIFO ABI (after the first EVTCHNOP_init_control) */
	bool fifo;
	unsigned int fifo_nr_words; /* event words mapped: pages * 1024 */
	event_word_t *fifo_array[EVTCHN_FIFO_MAX_PAGES];
};

/* Set up d's port table (port 0 reserved; ports up to max_port, clamped to
 * the FIFO ABI's limit) for nr_vcpus vCPUs. 0, or -XEN_ENOMEM. */
int evtchn_domain_init(struct evtchn_domain *d, domid_t id, bool privileged, unsigned int nr_vcpus,
		       unsigned int max_port, const struct evtchn_env *env, void *priv);
/* Register vCPU vcpu_id (< nr_vcpus) of d. */
void evtchn_vcpu_init(struct evtchn_domain *d, struct evtchn_vcpu *v, unsigned int vcpu_id, void *priv);
/* Close every port (interdomain peers go back to unbound), unmap the FIFO
 * pages and free the table. */
void evtchn_domain_destroy(struct evtchn_domain *d);

/* The hypercall: v is the calling vCPU of d; arg points to the already
 * copied-in structure for cmd (evtchn_op_arg_size bytes), whose OUT fields
 * are filled for the caller to copy back. 0 or -XEN_Exxx. */
long evtchn_op(struct evtchn_domain *d, struct evtchn_vcpu *v, unsigned int cmd, void *arg);
/* The size of cmd's argument structure, 0 for an unknown cmd. */
size_t evtchn_op_arg_size(unsigned int cmd);

/* Raise a VIRQ: a per-vCPU one on that vCPU, a global one wherever it is
 * bound (vcpu_id is ignored). Nothing happens if it is not bound. */
void evtchn_send_virq(struct evtchn_domain *d, unsigned int vcpu_id, unsigned int virq);
/* A port whose other end is the hypervisor (a PV console, say): guest sends
 * call env->xen_event; evtchn_notify_xen_port raises it in the guest. The
 * guest cannot close or move it; EVTCHNOP_status reports it unbound to
 * DOMID_XEN. 0, -XEN_ENOSPC, -XEN_ENOMEM or -XEN_ENOENT (no such vCPU). */
int evtchn_alloc_xen_port(struct evtchn_domain *d, unsigned int vcpu_id, evtchn_port_t *port);
void evtchn_notify_xen_port(struct evtchn_domain *d, evtchn_port_t port);
/* Is port pending (SCHEDOP_poll)? 1 or 0; -XEN_EINVAL beyond the domain's
 * port range. Takes d's event lock. */
int evtchn_port_is_pending(struct evtchn_domain *d, evtchn_port_t port);

#endif
