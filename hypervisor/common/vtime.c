/*
 * Guest time, Xen's way (public/xen.h): the wallclock in shared_info and a
 * pvclock (struct vcpu_time_info) per vCPU, from which the guest computes
 * system time from its TSC; and the vCPU timers of vcpu_op (singleshot and
 * periodic), which raise VIRQ_TIMER on the vCPU's event channel.
 *
 * System time is the hypervisor's NOW(): ns since Basalt booted, from a TSC
 * that runs at one rate on every CPU, so the pvclock is written with the
 * TSC-stable flag and only needs refreshing when the vCPU (re)registers its
 * vcpu_info or is scheduled in. Updates follow the version protocol: odd
 * while being written.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/event.h>
#include <hv/lib.h>
#include <hv/time.h>
#include <hv/timer.h>
#include <asm/hvm.h>
#include <asm/time.h>
#include <asm/x86.h>

#define PVCLOCK_TSC_STABLE 1

static uint64_t boot_wallclock; /* seconds since 1970 at system time 0 */

void vtime_set_boot_wallclock(uint64_t secs)
{
	boot_wallclock = secs;
}

/* The TSC rate is fixed once Basalt has calibrated it, so the scale is
 * computed once (not on every context switch). */
void vtime_tsc_scale(uint32_t *mul, int8_t *shift)
{
	static uint32_t cached_mul;
	static int8_t cached_shift;
	uint64_t hz = cpu_khz_tsc() * 1000, m;
	int s = 0;

	if (cached_mul) {
		*mul = cached_mul, *shift = cached_shift;
		return;
	}
	if (!hz) {
		*mul = 0, *shift = 0;
		return;
	}
	/* ns = ((delta << shift) * mul) >> 32; keep mul below 2^32 */
	m = (1000000000ULL << 32) / hz;
	while (m >= (1ULL << 32)) {
		m >>= 1;
		s++;
	}
	while (m < (1ULL << 31) && s > -8) {
		m <<= 1;
		s--;
	}
	*mul = cached_mul = (uint32_t)m;
	*shift = cached_shift = (int8_t)s;
}

/* The copy a guest registered for its vDSO (guest-virtual), by the same
 * version protocol: odd version, the body, then the even version. */
static void publish_time_area(struct vcpu *v, const struct vcpu_time_info *t)
{
	struct vcpu_time_info c = *t;
	uint32_t even = c.version;

	c.version = even - 1;
	if (hvm_copy_to_guest(v, v->arch.time_area_gva, &c.version, sizeof(c.version)) ||
	    hvm_copy_to_guest(v, v->arch.time_area_gva, &c, sizeof(c)) ||
	    hvm_copy_to_guest(v, v->arch.time_area_gva, &even, sizeof(even)))
		v->arch.time_area_gva = 0; /* a pointer that stopped working is dropped */
}

void vtime_update_vcpu(struct vcpu *v)
{
	struct vcpu_time_info *t = &hvm_vcpu_info(v)->time;
	uint32_t mul;
	int8_t shift;

	vtime_tsc_scale(&mul, &shift);
	WRITE_ONCE(t->version, t->version | 1);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->tsc_timestamp = rdtsc() + hvm_get_tsc_offset(v);
	t->system_time = (uint64_t)NOW();
	t->tsc_to_system_mul = mul;
	t->tsc_shift = shift;
	t->flags = PVCLOCK_TSC_STABLE;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	WRITE_ONCE(t->version, (t->version | 1) + 1);
	if (v->arch.time_area_gva)
		publish_time_area(v, t);
}

void vtime_update_wallclock(struct domain *d)
{
	struct shared_info *s = d->shared_info;

	WRITE_ONCE(s->wc_version, s->wc_version | 1);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s->wc_sec = (uint32_t)boot_wallclock;
	s->wc_sec_hi = (uint32_t)(boot_wallclock >> 32);
	s->wc_nsec = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	WRITE_ONCE(s->wc_version, (s->wc_version | 1) + 1);
}

/* ------------------------------------------------------------ vCPU timers */

static void timer_fired(void *data)
{
	struct vcpu *v = data;

	if (v->arch.periodic_ns) {
		v->arch.timer_deadline += v->arch.periodic_ns;
		if (v->arch.timer_deadline < NOW()) /* missed periods merge */
			v->arch.timer_deadline = NOW() + v->arch.periodic_ns;
		set_timer(&v->arch.vtimer, v->arch.timer_deadline);
	}
	evtchn_send_virq(&v->domain->evtchn, v->vcpu_id, VIRQ_TIMER);
}

void vtime_vcpu_init(struct vcpu *v)
{
	init_timer(&v->arch.vtimer, timer_fired, v, v->processor);
}

void vtime_vcpu_destroy(struct vcpu *v)
{
	kill_timer(&v->arch.vtimer);
}

#define VCPU_SSHOTTMR_future 1
#define MIN_PERIOD MICROSECS(100)

int vtime_set_singleshot(struct vcpu *v, uint64_t abs_ns, uint32_t flags)
{
	if ((flags & VCPU_SSHOTTMR_future) && (s_time_t)abs_ns < NOW())
		return -XEN_ETIME;
	if (flags & ~VCPU_SSHOTTMR_future)
		return -XEN_EINVAL;
	v->arch.periodic_ns = 0;
	v->arch.timer_deadline = (s_time_t)abs_ns;
	set_timer(&v->arch.vtimer, (s_time_t)abs_ns);
	return 0;
}

int vtime_set_periodic(struct vcpu *v, uint64_t period_ns)
{
	if (period_ns < (uint64_t)MIN_PERIOD || period_ns > (uint64_t)SECONDS(3600))
		return -XEN_EINVAL;
	v->arch.periodic_ns = (s_time_t)period_ns;
	v->arch.timer_deadline = NOW() + (s_time_t)period_ns;
	set_timer(&v->arch.vtimer, v->arch.timer_deadline);
	return 0;
}

void vtime_stop(struct vcpu *v, bool periodic)
{
	if (periodic != (v->arch.periodic_ns != 0))
		return; /* stopping the other kind: nothing to do */
	v->arch.periodic_ns = 0;
	stop_timer(&v->arch.vtimer);
}
