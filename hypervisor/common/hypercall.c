/*
 * Hypercall dispatch and the hypercalls the PVH domain foundation needs:
 * console_io (write), sched_op (yield, block, shutdown), xen_version
 * (version), hvm_op get_param for the PV console's page and channel,
 * event_channel_op send on that channel. The rest of Xen's ABI is -ENOSYS,
 * logged once per domain and hypercall number.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hypercall.h>
#include <hv/lib.h>
#include <hv/sched.h>
#include <asm/hvm.h>

static long do_console_io(struct vcpu *v, uint64_t cmd, uint64_t count, uint64_t buf)
{
	char chunk[128];

	switch (cmd) {
	case CONSOLEIO_write:
		if (count > (1u << 20))
			return -XEN_EINVAL;
		for (uint64_t done = 0; done < count;) {
			size_t n = MIN(sizeof(chunk), count - done);

			if (hvm_copy_from_guest(v, chunk, buf + done, n))
				return -XEN_EFAULT;
			console_guest_write(v->domain, chunk, n);
			done += n;
		}
		return 0;
	case CONSOLEIO_read:
		return -XEN_EPERM; /* for the control domain, which does not exist yet */
	default:
		return -XEN_ENOSYS;
	}
}

/* xen_version: the version sub-op (what a "null hypercall" benchmark and
 * Linux's early Xen detection call); the rest of the sub-ops come with the
 * full guest ABI. */
static long do_xen_version(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	switch (cmd) {
	case XENVER_version:
		return (4 << 16) | 17; /* the Xen ABI version Basalt follows */
	default:
		return -XEN_ENOSYS;
	}
}

static long do_sched_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
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
		domain_shutdown(v->domain, reason);
		return 0;
	default:
		return -XEN_ENOSYS;
	}
}

/* struct xen_hvm_param (public/hvm/hvm_op.h) */
struct xen_hvm_param {
	uint16_t domid;
	uint16_t pad;
	uint32_t index;
	uint64_t value;
};
BUILD_BUG_ON(sizeof(struct xen_hvm_param) != 16);

/* hvm_op: the console parameters, which the PV console needs. The other
 * parameters read as 0 and cannot be set yet (the full hvm_op comes with
 * the rest of the guest ABI). */
static long do_hvm_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	struct xen_hvm_param p;
	struct domain *d = v->domain;

	if (cmd != HVMOP_get_param && cmd != HVMOP_set_param)
		return -XEN_ENOSYS;
	if (hvm_copy_from_guest(v, &p, arg, sizeof(p)))
		return -XEN_EFAULT;
	if (p.domid != DOMID_SELF && p.domid != d->domain_id)
		return -XEN_EPERM; /* only the control domain may name others */
	if (p.index >= HVM_NR_PARAMS)
		return -XEN_EINVAL;
	if (cmd == HVMOP_set_param)
		return -XEN_EPERM;
	switch (p.index) {
	case HVM_PARAM_CONSOLE_PFN:
		p.value = d->con_ring_gfn;
		break;
	case HVM_PARAM_CONSOLE_EVTCHN:
		p.value = d->con_port;
		break;
	default:
		p.value = 0;
	}
	return hvm_copy_to_guest(v, arg, &p, sizeof(p)) ? -XEN_EFAULT : 0;
}

/* event_channel_op: send on the console's channel (the rest of the event
 * channel ABI comes with the full guest ABI). */
static long do_event_channel_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	uint32_t port;

	if (cmd != EVTCHNOP_send)
		return -XEN_ENOSYS;
	if (hvm_copy_from_guest(v, &port, arg, sizeof(port)))
		return -XEN_EFAULT;
	if (!port || port != v->domain->con_port)
		return -XEN_EINVAL;
	console_ring_process(v->domain);
	return 0;
}

long do_hypercall(struct vcpu *v, uint64_t nr, const uint64_t args[5])
{
	switch (nr) {
	case __HYPERVISOR_xen_version:
		return do_xen_version(v, args[0], args[1]);
	case __HYPERVISOR_console_io:
		return do_console_io(v, args[0], args[1], args[2]);
	case __HYPERVISOR_sched_op:
		return do_sched_op(v, args[0], args[1]);
	case __HYPERVISOR_hvm_op:
		return do_hvm_op(v, args[0], args[1]);
	case __HYPERVISOR_event_channel_op:
		return do_event_channel_op(v, args[0], args[1]);
	default:
		if (nr < 64 && !test_and_set_bit((unsigned int)nr, v->domain->enosys_logged))
			printk(LOG_WARN "d%u: hypercall %llu is not implemented (-ENOSYS)\n", v->domain->domain_id,
			       (unsigned long long)nr);
		return -XEN_ENOSYS;
	}
}
