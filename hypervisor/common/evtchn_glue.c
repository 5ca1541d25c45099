/*
 * Event channels in the hypervisor: the environment the pure event channel
 * core (common/event_channel.c) runs in, and upcall delivery.
 *
 * Delivery: when the core sets a vCPU's evtchn_upcall_pending it calls
 * kick(). With a per-vCPU upcall vector (HVMOP_set_evtchn_upcall_vector)
 * the vector is raised in the vCPU's local APIC, which the guest EOIs. With
 * the domain-wide callback vector (HVM_PARAM_CALLBACK_IRQ, type 2) the vector
 * is injected while evtchn_upcall_pending stays set, outside the local APIC
 * (no EOI), as Xen does: hvm_callback_vector_pending() tells the injection
 * logic.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/event.h>
#include <hv/lib.h>
#include <hv/sched.h>
#include <hv/xmalloc.h>
#include <asm/hvm.h>
#include <asm/p2m.h>
#include <asm/page.h>
#include <asm/vlapic.h>

#define DOM(ed) ((struct domain *)(ed)->priv)
#define VCPU(ev) ((struct vcpu *)(ev)->priv)

static void *env_zalloc(size_t bytes)
{
	return _xzalloc(bytes, 8);
}

static void env_free(void *p)
{
	xfree(p);
}

static struct evtchn_domain *env_get_domain(domid_t id)
{
	struct domain *d = get_domain_by_id(id);

	return d ? &d->evtchn : NULL;
}

static void env_put_domain(struct evtchn_domain *ed)
{
	put_domain(DOM(ed));
}

static struct shared_info *env_shared_info(struct evtchn_domain *ed)
{
	return DOM(ed)->shared_info;
}

void *hvm_gpa_to_host(struct domain *d, uint64_t gpa)
{
	mfn_t mfn = p2m_lookup(d, _gfn(gpa >> PAGE_SHIFT), NULL);

	return mfn_eq(mfn, INVALID_MFN) ? NULL : (uint8_t *)mfn_to_virt(mfn) + (gpa & ~PAGE_MASK);
}

/* Called on every VM entry (the callback check): no page walk here. The
 * registered area was translated once, at registration; the frame stays the
 * domain's until it dies. */
struct vcpu_info *hvm_vcpu_info(struct vcpu *v)
{
	if (v->arch.vcpu_info)
		return v->arch.vcpu_info;
	if (v->vcpu_id < XEN_LEGACY_MAX_VCPUS)
		return &((struct shared_info *)v->domain->shared_info)->vcpu_info[v->vcpu_id];
	return (struct vcpu_info *)v->arch.dummy_vcpu_info;
}

static struct vcpu_info *env_vcpu_info(struct evtchn_vcpu *ev)
{
	return hvm_vcpu_info(VCPU(ev));
}

static void *env_map_gfn(struct evtchn_domain *ed, uint64_t gfn)
{
	unsigned int access;
	mfn_t mfn = p2m_lookup(DOM(ed), _gfn(gfn), &access);

	/* the domain's own RAM (a frame of another domain mapped by a grant
	 * goes away with the unmap), held until env_unmap so that it cannot
	 * be ballooned out while the event channels use it */
	if (mfn_eq(mfn, INVALID_MFN) || !(access & P2M_W) || !domain_hold_frame(DOM(ed), _gfn(gfn), mfn))
		return NULL;
	return mfn_to_virt(mfn);
}

static void env_unmap(struct evtchn_domain *ed, void *page)
{
	domain_release_frame(virt_to_mfn(page));
}

static void env_kick(struct evtchn_vcpu *ev)
{
	struct vcpu *v = VCPU(ev);

	if (v->arch.upcall_vector)
		vlapic_set_irq(&v->arch.vlapic, v->arch.upcall_vector, false); /* kicks */
	else
		vcpu_kick(v); /* the callback vector is injected while upcall_pending is set */
}

static bool env_paused(struct evtchn_domain *ed)
{
	return DOM(ed)->state == DOMSTATE_paused;
}

static void env_xen_event(struct evtchn_domain *ed, evtchn_port_t port)
{
	struct domain *d = DOM(ed);

	if (port == d->con_port)
		console_ring_process(d);
}

static void env_port_pending(struct evtchn_domain *ed, evtchn_port_t port)
{
	struct domain *d = DOM(ed);

	if (!READ_ONCE(d->nr_polling))
		return; /* the common case: nobody polls, no vCPU to look at */
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		sched_poll_wake(d->vcpu[i], port);
}

static const struct evtchn_env evtchn_env = {
	.zalloc = env_zalloc,
	.free = env_free,
	.get_domain = env_get_domain,
	.put_domain = env_put_domain,
	.shared_info = env_shared_info,
	.vcpu_info = env_vcpu_info,
	.map_gfn = env_map_gfn,
	.unmap = env_unmap,
	.kick = env_kick,
	.paused = env_paused,
	.xen_event = env_xen_event,
	.port_pending = env_port_pending,
};

int domain_evtchn_init(struct domain *d)
{
	int rc = evtchn_domain_init(&d->evtchn, d->domain_id, false, d->max_vcpus, EVTCHN_DEFAULT_MAX_PORT, &evtchn_env,
				    d);

	if (rc)
		return rc;
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		evtchn_vcpu_init(&d->evtchn, &d->vcpu[i]->evtchn, i, d->vcpu[i]);
	d->evtchn_ready = true;
	return 0;
}

void domain_evtchn_destroy(struct domain *d)
{
	if (d->evtchn_ready)
		evtchn_domain_destroy(&d->evtchn);
	d->evtchn_ready = false;
}

/* The domain-wide callback vector to inject now, or -1. As on Xen, it
 * takes precedence over the local APIC even for a vCPU that also has a
 * per-vCPU upcall vector: Linux sets both to the same vector and starts
 * taking upcalls before its APIC driver is up, when its EOIs go nowhere; an
 * upcall through the callback path needs no EOI. The per-vCPU vector then
 * sits in the vLAPIC's IRR/ISR until Linux sets its APIC up, where it
 * acknowledges whatever is in service. */
int hvm_callback_vector_pending(struct vcpu *v)
{
	uint64_t via = READ_ONCE(v->domain->hvm_params[HVM_PARAM_CALLBACK_IRQ]);

	if ((via >> 56) != 2)
		return -1;
	return READ_ONCE(hvm_vcpu_info(v)->evtchn_upcall_pending) ? (int)(via & 0xff) : -1;
}
