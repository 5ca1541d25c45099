/*
 * hvm_op (public/hvm/hvm_op.h) and the HVM parameters (public/hvm/params.h),
 * with Xen's rules:
 *   - a domain names itself (DOMID_SELF or its id); other domains are the
 *     control domain's business: -EPERM here, as no domain is privileged yet;
 *   - a guest may read only CALLBACK_IRQ, the store and console pages and
 *     channels, and a few legacy parameters; it may set only CALLBACK_IRQ
 *     and the store and console channels (hvm_allow_get/set_param in Xen);
 *     the rest is the toolstack's: -EPERM;
 *   - an index at or beyond HVM_NR_PARAMS is -EINVAL.
 * CALLBACK_IRQ takes only the vector type (2): a PVH domain has no GSIs or
 * PCI INTx lines to be called through (-EINVAL for those types).
 * The triple-fault reason is a parameter too (default SHUTDOWN_reboot, as
 * Xen's): a triple fault shuts the domain down with it.
 *
 * Lock order: parameters are read and written with single 64-bit accesses,
 * no lock.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hypercall.h>
#include <hv/lib.h>
#include <hv/time.h>
#include <asm/hvm.h>

struct xen_hvm_param {
	uint16_t domid;
	uint16_t pad;
	uint32_t index;
	uint64_t value;
};
BUILD_BUG_ON(sizeof(struct xen_hvm_param) != 16);
BUILD_BUG_ON(offsetof(struct xen_hvm_param, value) != 8);

struct xen_hvm_evtchn_upcall_vector {
	uint32_t vcpu;
	uint8_t vector;
};
BUILD_BUG_ON(sizeof(struct xen_hvm_evtchn_upcall_vector) != 8);

struct xen_hvm_pagetable_dying {
	uint16_t domid;
	uint16_t pad[3];
	uint64_t gpa;
};
BUILD_BUG_ON(sizeof(struct xen_hvm_pagetable_dying) != 16);

#define HVM_PARAM_CALLBACK_TYPE_VECTOR 2

/* what the guest itself may read / write (Xen's hvm_allow_get/set_param) */
static bool guest_may_get(uint32_t index)
{
	switch (index) {
	case HVM_PARAM_CALLBACK_IRQ:
	case HVM_PARAM_STORE_PFN:
	case HVM_PARAM_STORE_EVTCHN:
	case HVM_PARAM_CONSOLE_PFN:
	case HVM_PARAM_CONSOLE_EVTCHN:
	case HVM_PARAM_VM86_TSS:
	case HVM_PARAM_ACPI_IOPORTS_LOCATION:
	case HVM_PARAM_VM_GENERATION_ID_ADDR:
	case HVM_PARAM_ALTP2M:
	case HVM_PARAM_X87_FIP_WIDTH:
	case HVM_PARAM_VM86_TSS_SIZED:
		return true;
	default:
		return false;
	}
}

static bool guest_may_set(uint32_t index)
{
	switch (index) {
	case HVM_PARAM_CALLBACK_IRQ:
	case HVM_PARAM_STORE_EVTCHN:
	case HVM_PARAM_CONSOLE_EVTCHN:
	case HVM_PARAM_VM86_TSS:
	case HVM_PARAM_ACPI_IOPORTS_LOCATION:
	case HVM_PARAM_VM_GENERATION_ID_ADDR:
	case HVM_PARAM_X87_FIP_WIDTH:
	case HVM_PARAM_VM86_TSS_SIZED:
		return true;
	default:
		return false;
	}
}

void hvm_params_init(struct domain *d)
{
	d->hvm_params[HVM_PARAM_TRIPLE_FAULT_REASON] = SHUTDOWN_reboot;
}

static long set_param(struct domain *d, uint32_t index, uint64_t value)
{
	switch (index) {
	case HVM_PARAM_CALLBACK_IRQ:
		if (value && ((value >> 56) != HVM_PARAM_CALLBACK_TYPE_VECTOR || (value & 0xff) < 16))
			return -XEN_EINVAL;
		break;
	case HVM_PARAM_X87_FIP_WIDTH:
		if (value != 0 && value != 4 && value != 8)
			return -XEN_EINVAL;
		break;
	default:
		break;
	}
	WRITE_ONCE(d->hvm_params[index], value);
	return 0;
}

static long param_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	struct domain *d = v->domain;
	struct xen_hvm_param p;

	if (hvm_copy_from_guest(v, &p, arg, sizeof(p)))
		return -XEN_EFAULT;
	if (!domid_is_self(d, p.domid))
		return -XEN_EPERM; /* the control domain's, and none exists yet */
	if (p.index >= HVM_NR_PARAMS)
		return -XEN_EINVAL;
	if (cmd == HVMOP_set_param) {
		if (!guest_may_set(p.index))
			return -XEN_EPERM;
		return set_param(d, p.index, p.value);
	}
	if (!guest_may_get(p.index))
		return -XEN_EPERM;
	p.value = READ_ONCE(d->hvm_params[p.index]);
	return hvm_copy_to_guest(v, arg, &p, sizeof(p)) ? -XEN_EFAULT : 0;
}

/* HVMOP_set_evtchn_upcall_vector: a per-vCPU vector raised in that vCPU's
 * local APIC for its event channel upcalls (the guest EOIs it). */
static long set_upcall_vector(struct vcpu *v, uint64_t arg)
{
	struct xen_hvm_evtchn_upcall_vector a;

	if (hvm_copy_from_guest(v, &a, arg, sizeof(a)))
		return -XEN_EFAULT;
	if (a.vcpu >= v->domain->max_vcpus)
		return -XEN_ENOENT;
	if (a.vector < 0x10)
		return -XEN_EINVAL;
	v->domain->vcpu[a.vcpu]->arch.upcall_vector = a.vector;
	return 0;
}

long do_hvm_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	switch (cmd) {
	case HVMOP_set_param:
	case HVMOP_get_param:
		return param_op(v, cmd, arg);
	case HVMOP_set_evtchn_upcall_vector:
		return set_upcall_vector(v, arg);
	case HVMOP_flush_tlbs:
		if (arg)
			return -XEN_EINVAL; /* the argument must be NULL */
		hvm_flush_guest_tlbs(v->domain);
		return 0;
	case HVMOP_pagetable_dying: {
		struct xen_hvm_pagetable_dying a;

		/* a hint for shadow paging; with nested paging nothing to do */
		if (hvm_copy_from_guest(v, &a, arg, sizeof(a)))
			return -XEN_EFAULT;
		return domid_is_self(v->domain, a.domid) ? 0 : -XEN_EPERM;
	}
	case HVMOP_get_time: {
		uint64_t now = (uint64_t)NOW();

		return hvm_copy_to_guest(v, arg, &now, sizeof(now)) ? -XEN_EFAULT : 0;
	}
	default:
		return -XEN_ENOSYS;
	}
}

void hvm_triple_fault(struct vcpu *v)
{
	struct domain *d = v->domain;
	uint64_t reason = READ_ONCE(d->hvm_params[HVM_PARAM_TRIPLE_FAULT_REASON]);

	printk("d%u v%u: triple fault at rip %#llx: shutting down with reason %llu (the triple-fault reason)\n",
	       d->domain_id, v->vcpu_id, (unsigned long long)hvm_get_rip(v), (unsigned long long)reason);
	domain_shutdown(d, reason > SHUTDOWN_watchdog ? SHUTDOWN_crash : (unsigned int)reason);
}
