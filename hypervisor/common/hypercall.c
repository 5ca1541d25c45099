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
#include <asm/p2m.h>
#include <asm/page.h>

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

/* xen_version (public/version.h). Strings are fixed-size arrays copied out
 * whole, as Xen does. Features: what Basalt offers a PVH guest today (the
 * callback vector and pvclock ones come with event channels and time). */
static long copy_string_out(struct vcpu *v, uint64_t arg, const char *s, size_t size)
{
	char buf[1024];

	memset(buf, 0, size);
	strlcpy(buf, s, size);
	return hvm_copy_to_guest(v, arg, buf, size) ? -XEN_EFAULT : 0;
}

static long do_xen_version(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	switch (cmd) {
	case XENVER_version:
		return (4 << 16) | 17; /* the Xen ABI version Basalt follows */
	case XENVER_extraversion:
		return copy_string_out(v, arg, ".0-basalt", 16);
	case XENVER_compile_info: {
		struct {
			char compiler[64], compile_by[16], compile_domain[32], compile_date[32];
		} ci;

		memset(&ci, 0, sizeof(ci));
		strlcpy(ci.compiler, "gcc/clang", sizeof(ci.compiler));
		strlcpy(ci.compile_by, "basalt", sizeof(ci.compile_by));
		return hvm_copy_to_guest(v, arg, &ci, sizeof(ci)) ? -XEN_EFAULT : 0;
	}
	case XENVER_capabilities:
		return copy_string_out(v, arg, "hvm-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p", 1024);
	case XENVER_changeset:
		return copy_string_out(v, arg, "basalt", 64);
	case XENVER_platform_parameters: {
		uint64_t virt_start = 0; /* no hypervisor hole in an HVM address space */

		return hvm_copy_to_guest(v, arg, &virt_start, sizeof(virt_start)) ? -XEN_EFAULT : 0;
	}
	case XENVER_get_features: {
		struct {
			uint32_t submap_idx, submap;
		} fi;

		if (hvm_copy_from_guest(v, &fi, arg, sizeof(fi)))
			return -XEN_EFAULT;
		fi.submap = fi.submap_idx == 0
				    ? (1u << XENFEAT_auto_translated_physmap) | (1u << XENFEAT_hvm_callback_vector) |
					      (1u << XENFEAT_hvm_safe_pvclock)
				    : 0;
		return hvm_copy_to_guest(v, arg, &fi, sizeof(fi)) ? -XEN_EFAULT : 0;
	}
	case XENVER_pagesize:
		return 4096;
	case XENVER_guest_handle: {
		uint8_t handle[16] = { 0 };

		return hvm_copy_to_guest(v, arg, handle, sizeof(handle)) ? -XEN_EFAULT : 0;
	}
	case XENVER_commandline:
	case XENVER_build_id:
		return -XEN_EPERM; /* the control domain's to read */
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

/* HVMOP_set_evtchn_upcall_vector: a per-vCPU vector raised in that vCPU's
 * local APIC for its event channel upcalls (the guest EOIs it). */
static long set_upcall_vector(struct vcpu *v, uint64_t arg)
{
	struct {
		uint32_t vcpu;
		uint8_t vector;
	} a;

	if (hvm_copy_from_guest(v, &a, arg, sizeof(a)))
		return -XEN_EFAULT;
	if (a.vcpu >= v->domain->max_vcpus)
		return -XEN_ENOENT;
	if (a.vector < 0x10)
		return -XEN_EINVAL;
	v->domain->vcpu[a.vcpu]->arch.upcall_vector = a.vector;
	return 0;
}

/* hvm_op: the console parameters, which the PV console needs. The other
 * parameters read as 0 and cannot be set yet (the full hvm_op comes with
 * the rest of the guest ABI). */
static long do_hvm_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	struct xen_hvm_param p;
	struct domain *d = v->domain;

	if (cmd == HVMOP_set_evtchn_upcall_vector)
		return set_upcall_vector(v, arg);
	if (cmd != HVMOP_get_param && cmd != HVMOP_set_param)
		return -XEN_ENOSYS;
	if (hvm_copy_from_guest(v, &p, arg, sizeof(p)))
		return -XEN_EFAULT;
	if (!domid_is_self(d, p.domid))
		return -XEN_EPERM; /* only the control domain may name others */
	if (p.index >= HVM_NR_PARAMS)
		return -XEN_EINVAL;
	if (cmd == HVMOP_set_param) {
		if (p.index != HVM_PARAM_CALLBACK_IRQ)
			return -XEN_EPERM;
		/* only the vector type: a PVH domain has no GSIs or PCI INTx */
		if (p.value && ((p.value >> 56) != 2 || (p.value & 0xff) < 16))
			return -XEN_EINVAL;
		d->callback_irq = p.value;
		return 0;
	}
	switch (p.index) {
	case HVM_PARAM_CALLBACK_IRQ:
		p.value = d->callback_irq;
		break;
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

/* event_channel_op: the argument struct is copied in, handed to the event
 * channel core (common/event_channel.c) and copied back out. */
static long do_event_channel_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
	uint8_t buf[64];
	size_t size = evtchn_op_arg_size((unsigned int)cmd);
	long rc;

	if (!size || size > sizeof(buf) || cmd > 0xffff)
		return -XEN_ENOSYS;
	if (hvm_copy_from_guest(v, buf, arg, size))
		return -XEN_EFAULT;
	rc = evtchn_op(&v->domain->evtchn, &v->evtchn, (unsigned int)cmd, buf);
	if (hvm_copy_to_guest(v, arg, buf, size))
		return -XEN_EFAULT;
	return rc;
}

/* vcpu_op (public/vcpu.h): the sub-ops a PVH guest needs first. The timer
 * and runstate sub-ops come with the rest of the guest ABI. */
#define VCPUOP_is_up 3
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_set_periodic_timer 6
#define VCPUOP_stop_periodic_timer 7
#define VCPUOP_set_singleshot_timer 8
#define VCPUOP_stop_singleshot_timer 9
#define VCPUOP_register_vcpu_info 10
#define VCPU_INFO_SIZE 64

static long do_vcpu_op(struct vcpu *v, uint64_t cmd, uint64_t vcpuid, uint64_t arg)
{
	struct domain *d = v->domain;
	struct vcpu *t;

	if (vcpuid >= d->max_vcpus)
		return -XEN_ENOENT;
	t = d->vcpu[vcpuid];
	switch (cmd) {
	case VCPUOP_is_up:
		return !test_bit(VPF_down, &t->pause_flags);
	case VCPUOP_set_singleshot_timer: {
		struct {
			uint64_t timeout_abs_ns;
			uint32_t flags, pad;
		} a;

		if (t != v)
			return -XEN_EINVAL; /* a vCPU's own timer only, as on Xen */
		if (hvm_copy_from_guest(v, &a, arg, sizeof(a)))
			return -XEN_EFAULT;
		return vtime_set_singleshot(v, a.timeout_abs_ns, a.flags);
	}
	case VCPUOP_stop_singleshot_timer:
		if (t != v)
			return -XEN_EINVAL;
		vtime_stop(v, false);
		return 0;
	case VCPUOP_set_periodic_timer: {
		uint64_t period;

		if (t != v)
			return -XEN_EINVAL;
		if (hvm_copy_from_guest(v, &period, arg, sizeof(period)))
			return -XEN_EFAULT;
		return vtime_set_periodic(v, period);
	}
	case VCPUOP_stop_periodic_timer:
		if (t != v)
			return -XEN_EINVAL;
		vtime_stop(v, true);
		return 0;
	case VCPUOP_register_runstate_memory_area: {
		uint64_t gva;

		if (hvm_copy_from_guest(v, &gva, arg, sizeof(gva)))
			return -XEN_EFAULT;
		t->arch.runstate_gva = gva;
		runstate_publish(t);
		return 0;
	}
	case VCPUOP_register_vcpu_info: {
		struct {
			uint64_t mfn;
			uint32_t offset, rsvd;
		} r;
		uint8_t cur[VCPU_INFO_SIZE];
		uint64_t gpa;

		if (hvm_copy_from_guest(v, &r, arg, sizeof(r)))
			return -XEN_EFAULT;
		if (r.offset > PAGE_SIZE - VCPU_INFO_SIZE || (r.offset & 7) || r.rsvd)
			return -XEN_EINVAL;
		if (t->arch.vcpu_info)
			return -XEN_EINVAL; /* once only, as on Xen */
		gpa = (r.mfn << PAGE_SHIFT) + r.offset;
		/* kept mapped: the domain's own frame, not a grant mapping */
		if (!domain_owns_frame(d, p2m_lookup(d, _gfn(gpa >> PAGE_SHIFT), NULL)))
			return -XEN_EINVAL;
		/* start from what the shared_info slot holds (if it has one) */
		memset(cur, 0, sizeof(cur));
		if (vcpuid < 32)
			memcpy(cur, (uint8_t *)d->shared_info + vcpuid * VCPU_INFO_SIZE, sizeof(cur));
		if (hvm_copy_to_gpa(d, gpa, cur, sizeof(cur)))
			return -XEN_EINVAL;
		t->arch.vcpu_info = hvm_gpa_to_host(d, gpa); /* within one page: checked above */
		vtime_update_vcpu(t);
		return 0;
	}
	default:
		return -XEN_ENOSYS;
	}
}

/* The runstate area (VCPUOP_register_runstate_memory_area) is a guest
 * virtual address; it is rewritten at every runstate change. A pointer that
 * stops working is dropped. */
void runstate_publish(struct vcpu *v)
{
	struct {
		int32_t state;
		uint32_t pad;
		uint64_t state_entry_time;
		uint64_t time[4];
	} r;

	if (!v->arch.runstate_gva)
		return;
	r.state = v->runstate;
	r.pad = 0;
	r.state_entry_time = (uint64_t)v->runstate_entry;
	for (int i = 0; i < 4; i++)
		r.time[i] = (uint64_t)v->runstate_time[i];
	if (hvm_copy_to_guest(v, v->arch.runstate_gva, &r, sizeof(r)))
		v->arch.runstate_gva = 0;
}

long do_hypercall(struct vcpu *v, uint64_t nr, const uint64_t args[5])
{
	switch (nr) {
	case __HYPERVISOR_vcpu_op:
		return do_vcpu_op(v, args[0], args[1], args[2]);
	case __HYPERVISOR_memory_op:
		return do_memory_op(v, args[0], args[1]);
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
	case __HYPERVISOR_grant_table_op:
		return do_grant_table_op(v, args[0], args[1], args[2]); /* common/gnttab_glue.c */
	default:
		if (nr < 64 && !test_and_set_bit((unsigned int)nr, v->domain->enosys_logged))
			printk(LOG_WARN "d%u: hypercall %llu is not implemented (-ENOSYS)\n", v->domain->domain_id,
			       (unsigned long long)nr);
		return -XEN_ENOSYS;
	}
}
