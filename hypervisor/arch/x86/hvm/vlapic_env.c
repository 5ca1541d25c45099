/*
 * What the virtual LAPIC needs from the rest of the hypervisor (struct
 * vlapic_env in asm/vlapic.h): time, the guest TSC, waking vCPUs, finding
 * the other vCPUs of the domain, and INIT/SIPI/NMI delivery.
 */
#include <hv/domain.h>
#include <hv/sched.h>
#include <hv/time.h>
#include <asm/hvm.h>
#include <asm/time.h>
#include <asm/vlapic.h>
#include <asm/x86.h>

static uint64_t env_guest_tsc(struct vcpu *v)
{
	return rdtsc() + hvm_get_tsc_offset(v);
}

static s_time_t env_tsc_to_time(struct vcpu *v, uint64_t guest_tsc)
{
	return tsc_to_ns(guest_tsc - hvm_get_tsc_offset(v));
}

static struct vlapic *env_lookup(struct vcpu *from, uint32_t apic_id)
{
	struct domain *d = from->domain;

	/* APIC id = vCPU id */
	return apic_id < d->max_vcpus ? &d->vcpu[apic_id]->arch.vlapic : NULL;
}

static void env_for_each(struct vcpu *from, void (*fn)(struct vlapic *target, void *arg), void *arg)
{
	struct domain *d = from->domain;

	for (unsigned int i = 0; i < d->max_vcpus; i++)
		fn(&d->vcpu[i]->arch.vlapic, arg);
}

/* INIT: the vCPU stops and waits for a SIPI. */
static void env_init_ipi(struct vcpu *t)
{
	if (t->domain->state != DOMSTATE_running)
		return;
	set_bit(VPF_down, &t->pause_flags);
	vcpu_sleep(t); /* the vLAPIC itself was reset by the caller */
}

/* SIPI: a vCPU waiting after INIT starts in real mode at vector << 12. */
static void env_sipi(struct vcpu *t, uint8_t vector)
{
	if (t->domain->state != DOMSTATE_running || !test_bit(VPF_down, &t->pause_flags))
		return;
	/* it may still be leaving its pCPU after the INIT */
	while (READ_ONCE(t->is_running))
		cpu_relax();
	hvm_vcpu_set_sipi_entry(t, vector);
	t->initialised = true;
	clear_bit(VPF_down, &t->pause_flags);
	vcpu_wake(t);
}

static unsigned int env_vcpu_cpu(struct vcpu *v)
{
	return v->processor;
}

static void env_nmi(struct vcpu *t)
{
	t->arch.nmi_pending = true;
	vcpu_kick(t);
}

const struct vlapic_env hvm_vlapic_env = {
	.now = NOW,
	.guest_tsc = env_guest_tsc,
	.tsc_to_time = env_tsc_to_time,
	.tsc_khz = cpu_khz_tsc,
	.kick = vcpu_kick,
	.lookup = env_lookup,
	.for_each = env_for_each,
	.init_ipi = env_init_ipi,
	.sipi = env_sipi,
	.nmi = env_nmi,
	.vcpu_cpu = env_vcpu_cpu,
};
