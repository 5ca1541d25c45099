/*
 * vcpu_op (public/vcpu.h): bringing vCPUs up and down, their timers, and
 * the areas a guest registers for a vCPU (vcpu_info, runstate, time info).
 *
 * Xen's rules: vcpuid beyond the domain's vCPUs is -ENOENT; timers and the
 * time area act on the calling vCPU only (-EINVAL otherwise); VCPUOP_up
 * needs a vCPU that has had a context (vCPU 0, or an AP after INIT-SIPI:
 * -EINVAL before); VCPUOP_down of the last vCPU up powers the domain off;
 * get_physid is for the hardware domain's pinned vCPUs (-EINVAL here);
 * VCPUOP_initialise is PV-only (an HVM vCPU starts through INIT-SIPI):
 * -EINVAL... as Xen's x86 answers for HVM.
 *
 * Registered areas are guest-virtual for the runstate and time info, and
 * written through the guest's page tables each time; vcpu_info is given as
 * a frame and translated once (it is read on every VM entry).
 *
 * Lock order: none of its own; vcpu_sleep/vcpu_wake take the scheduler's.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hypercall.h>
#include <hv/lib.h>
#include <hv/sched.h>
#include <hv/time.h>
#include <asm/hvm.h>
#include <asm/p2m.h>
#include <asm/page.h>

#define VCPUOP_initialise 0
#define VCPUOP_up 1
#define VCPUOP_down 2
#define VCPUOP_is_up 3
#define VCPUOP_get_runstate_info 4
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_set_periodic_timer 6
#define VCPUOP_stop_periodic_timer 7
#define VCPUOP_set_singleshot_timer 8
#define VCPUOP_stop_singleshot_timer 9
#define VCPUOP_register_vcpu_info 10
#define VCPUOP_send_nmi 11
#define VCPUOP_get_physid 12
#define VCPUOP_register_vcpu_time_memory_area 13
#define VCPU_INFO_SIZE 64

#define XEN_RUNSTATE_UPDATE (1ULL << 63) /* state_entry_time: being updated */

/* struct vcpu_runstate_info, x86-64 layout (and the i386 one, packed) */
struct runstate64 {
	int32_t state;
	uint32_t pad;
	uint64_t state_entry_time;
	uint64_t time[4];
};
BUILD_BUG_ON(sizeof(struct runstate64) != 48);
struct runstate32 {
	int32_t state;
	uint64_t state_entry_time;
	uint64_t time[4];
} __attribute__((packed));
BUILD_BUG_ON(sizeof(struct runstate32) != 44);

/* A guest handle argument: pointer-sized in the guest's current mode. */
static int copy_handle(struct vcpu *v, uint64_t arg, uint64_t *out)
{
	*out = 0;
	return hvm_copy_from_guest(v, out, arg, hvm_long_mode_64bit(v) ? 8 : 4);
}

static void runstate_fill(const struct vcpu *v, struct runstate64 *r)
{
	r->state = v->runstate;
	r->pad = 0;
	r->state_entry_time = (uint64_t)v->runstate_entry;
	for (int i = 0; i < 4; i++)
		r->time[i] = (uint64_t)v->runstate_time[i];
}

static int runstate_copy_out(struct vcpu *v, uint64_t gva, const struct runstate64 *r, bool compat)
{
	struct runstate32 c;

	if (!compat)
		return hvm_copy_to_guest(v, gva, r, sizeof(*r));
	c.state = r->state;
	c.state_entry_time = r->state_entry_time;
	memcpy(c.time, r->time, sizeof(c.time));
	return hvm_copy_to_guest(v, gva, &c, sizeof(c));
}

/* The runstate area is rewritten at every runstate change; one that stops
 * working is dropped. With VMASST_TYPE_runstate_update_flag the guest sees
 * XEN_RUNSTATE_UPDATE in state_entry_time while the area is inconsistent. */
void runstate_publish(struct vcpu *v)
{
	struct runstate64 r;
	uint64_t gva = v->arch.runstate_gva, flagged;
	bool compat = v->arch.runstate_compat;
	bool flag = v->domain->vm_assist & (1u << VMASST_TYPE_runstate_update_flag);
	unsigned int off = compat ? 4 : 8; /* of state_entry_time */

	if (!gva)
		return;
	runstate_fill(v, &r);
	if (flag) {
		flagged = r.state_entry_time | XEN_RUNSTATE_UPDATE;
		if (hvm_copy_to_guest(v, gva + off, &flagged, sizeof(flagged)))
			goto bad;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		r.state_entry_time = flagged;
	}
	if (runstate_copy_out(v, gva, &r, compat))
		goto bad;
	if (flag) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		r.state_entry_time &= ~XEN_RUNSTATE_UPDATE;
		if (hvm_copy_to_guest(v, gva + off, &r.state_entry_time, sizeof(r.state_entry_time)))
			goto bad;
	}
	return;
bad:
	v->arch.runstate_gva = 0;
}

static long register_vcpu_info(struct vcpu *v, struct vcpu *t, uint64_t arg)
{
	struct domain *d = v->domain;
	struct {
		uint64_t mfn;
		uint32_t offset, rsvd;
	} r;
	uint8_t cur[VCPU_INFO_SIZE];
	uint64_t gpa;
	gfn_t gfn;
	mfn_t mfn;

	if (hvm_copy_from_guest(v, &r, arg, sizeof(r)))
		return -XEN_EFAULT;
	if (r.offset > PAGE_SIZE - VCPU_INFO_SIZE || (r.offset & 7) || r.rsvd)
		return -XEN_EINVAL;
	if (t->arch.vcpu_info)
		return -XEN_EINVAL; /* once only, as on Xen */
	gpa = (r.mfn << PAGE_SHIFT) + r.offset;
	/* kept mapped: the domain's own frame, not a grant mapping; held (for
	 * good: Xen keeps its reference too) so it cannot be ballooned out */
	gfn = _gfn(gpa >> PAGE_SHIFT);
	mfn = p2m_lookup(d, gfn, NULL);
	if (mfn_eq(mfn, INVALID_MFN) || !domain_hold_frame(d, gfn, mfn))
		return -XEN_EINVAL;
	/* start from what the shared_info slot holds (if it has one) */
	memset(cur, 0, sizeof(cur));
	if (t->vcpu_id < 32)
		memcpy(cur, (uint8_t *)d->shared_info + t->vcpu_id * VCPU_INFO_SIZE, sizeof(cur));
	if (hvm_copy_to_gpa(d, gpa, cur, sizeof(cur))) {
		domain_release_frame(mfn);
		return -XEN_EINVAL;
	}
	t->arch.vcpu_info = hvm_gpa_to_host(d, gpa); /* within one page: checked above */
	vtime_update_vcpu(t);
	return 0;
}

static long vcpu_up(struct vcpu *t)
{
	if (!t->initialised)
		return -XEN_EINVAL;
	if (test_and_clear_bit(VPF_down, &t->pause_flags))
		vcpu_wake(t);
	return 0;
}

static long vcpu_down(struct vcpu *t)
{
	struct domain *d = t->domain;

	for (unsigned int i = 0; i < d->max_vcpus; i++)
		if (d->vcpu[i] != t && !test_bit(VPF_down, &d->vcpu[i]->pause_flags)) {
			set_bit(VPF_down, &t->pause_flags);
			vcpu_sleep(t);
			return 0;
		}
	domain_shutdown(d, SHUTDOWN_poweroff); /* the last one: as Xen */
	return 0;
}

long do_vcpu_op(struct vcpu *v, uint64_t cmd, uint64_t vcpuid, uint64_t arg)
{
	struct domain *d = v->domain;
	struct vcpu *t;
	uint64_t gva;

	if (vcpuid >= d->max_vcpus)
		return -XEN_ENOENT;
	t = d->vcpu[vcpuid];
	switch (cmd) {
	case VCPUOP_initialise:
		return -XEN_EINVAL; /* PV only: an HVM vCPU starts with INIT-SIPI */
	case VCPUOP_up:
		return vcpu_up(t);
	case VCPUOP_down:
		return vcpu_down(t);
	case VCPUOP_is_up:
		return !test_bit(VPF_down, &t->pause_flags);
	case VCPUOP_get_runstate_info: {
		struct runstate64 r;
		s_time_t delta;

		/* as Xen's vcpu_runstate_get: up to now, the current state too */
		runstate_fill(t, &r);
		delta = NOW() - (s_time_t)r.state_entry_time;
		if (delta > 0 && r.state >= 0 && r.state < 4)
			r.time[r.state] += (uint64_t)delta;
		return runstate_copy_out(v, arg, &r, !hvm_long_mode_64bit(v)) ? -XEN_EFAULT : 0;
	}
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
	case VCPUOP_register_runstate_memory_area:
		if (copy_handle(v, arg, &gva))
			return -XEN_EFAULT;
		t->arch.runstate_gva = gva;
		t->arch.runstate_compat = !hvm_long_mode_64bit(v);
		runstate_publish(t);
		return 0;
	case VCPUOP_register_vcpu_info:
		return register_vcpu_info(v, t, arg);
	case VCPUOP_get_physid:
		return -XEN_EINVAL; /* the hardware domain's pinned vCPUs only */
	case VCPUOP_register_vcpu_time_memory_area:
		if (t != v)
			return -XEN_EINVAL;
		if (copy_handle(v, arg, &gva))
			return -XEN_EFAULT;
		v->arch.time_area_gva = gva;
		vtime_update_vcpu(v);
		return 0;
	default:
		return -XEN_ENOSYS;
	}
}
