/*
 * The virtual local APIC of a vCPU (arch/x86/hvm/vlapic.c): x2APIC (MSRs
 * 0x800-0x8ff) and xAPIC (MMIO page at the APIC base, 0xFEE00000 at reset)
 * modes; timer one-shot, periodic and TSC-deadline; IPIs through the ICR
 * (fixed; lowest priority, delivered to the lowest-numbered matching APIC
 * that is software-enabled; NMI, INIT, SIPI; shorthands self, all,
 * all-but-self; physical and logical destinations); EOI, TPR, PPR; the
 * IRR/ISR/TMR bit arrays.
 *
 * The virtual APIC timer counts at 1 GHz before its divider (one tick per
 * ns of system time). Only the base 0xFEE00000 is accepted in the APIC base
 * MSR (relocation is refused with -XEN_EINVAL, i.e. #GP).
 *
 * The register page is kept in the xAPIC layout (regs[offset / 4]), so both
 * modes share one state. The environment (time, other vCPUs, kicking a vCPU,
 * INIT/SIPI) is reached through struct vlapic_env, so the module runs
 * unchanged in the host unit tests.
 *
 * Lock order: vlapic lock -> the timer CPU's lock (set_timer/stop_timer run
 * under the vlapic lock; the timer handler takes the vlapic lock with no
 * timer lock held). Only one vlapic lock is ever held: IPI delivery takes the
 * target's lock only after releasing the sender's. The env callbacks kick,
 * lookup, for_each, init_ipi, sipi and nmi are called with no vlapic lock
 * held; now, tsc_to_time and vcpu_cpu may be called under it (they must not
 * take locks of their own that could be held around a vlapic call).
 */
#ifndef ASM_VLAPIC_H
#define ASM_VLAPIC_H

#include <hv/spinlock.h>
#include <hv/timer.h>
#include <hv/types.h>

#define VLAPIC_BASE_DEFAULT 0xfee00000UL
#define VLAPIC_VERSION 0x00050014 /* version 0x14, 6 LVT entries (max LVT 5) */

struct vcpu;
struct vlapic;

struct vlapic_env {
	s_time_t (*now)(void);
	uint64_t (*guest_tsc)(struct vcpu *v);			     /* the vCPU's TSC now */
	s_time_t (*tsc_to_time)(struct vcpu *v, uint64_t guest_tsc); /* system time of a guest TSC value */
	uint64_t (*tsc_khz)(void);
	/* an interrupt became pending for v: wake it / make it exit soon */
	void (*kick)(struct vcpu *v);
	/* the vLAPIC of the domain's vCPU with this APIC id, or NULL */
	struct vlapic *(*lookup)(struct vcpu *from, uint32_t apic_id);
	/* call fn for every vLAPIC in from's domain (broadcasts, logical mode);
	 * fn calls kick/nmi/init_ipi/sipi, so for_each must not hold a lock
	 * those take */
	void (*for_each)(struct vcpu *from, void (*fn)(struct vlapic *target, void *arg), void *arg);
	/* INIT: reset and hold the vCPU (its vLAPIC is already reset and waits
	 * for a SIPI); called once per INIT */
	void (*init_ipi)(struct vcpu *target);
	/* the first SIPI after an INIT (later ones are dropped here): start at
	 * vector << 12, real mode */
	void (*sipi)(struct vcpu *target, uint8_t vector);
	void (*nmi)(struct vcpu *target);
	/* the pCPU the vCPU was placed on (v->processor): the vLAPIC timer
	 * starts there and follows the vCPU when it moves (the arch's context
	 * switch migrates it) */
	unsigned int (*vcpu_cpu)(struct vcpu *v);
};

struct vlapic {
	struct vcpu *vcpu;
	const struct vlapic_env *env;
	spinlock_t lock;
	uint64_t apic_base_msr; /* MSR 0x1b: base, enable (bit 11), x2APIC (bit 10), BSP (bit 8) */
	uint32_t regs[1024];	/* the 4 KiB register page, xAPIC layout */
	struct timer timer;
	s_time_t timer_period;	/* periodic mode: ns per period */
	s_time_t timer_start;	/* when the current count started */
	uint64_t tsc_deadline;	/* TSC-deadline mode: guest TSC value, 0 = disarmed */
	bool sipi_pending_init; /* INIT received, waiting for SIPI */
	uint32_t apic_id;	/* fixed at vlapic_init (xAPIC mode shows the low 8 bits) */
	uint32_t esr_pending;	/* errors since the last ESR write (ESR shows them after the next) */
};

/* Set up at vCPU creation (vcpu_id gives the APIC id; APIC id 0 is the BSP);
 * the timer goes on env->vcpu_cpu(v). */
void vlapic_init(struct vlapic *vl, struct vcpu *v, unsigned int apic_id, const struct vlapic_env *env);
/* INIT: registers to their reset values; the base MSR (mode) and
 * sipi_pending_init are left alone. */
void vlapic_reset(struct vlapic *vl);
void vlapic_destroy(struct vlapic *vl); /* kill the timer */

/* MMIO access to the xAPIC page (offset within the page, 4-byte aligned,
 * 4 bytes). Returns 0, or -XEN_EINVAL for a bad access (the caller decides:
 * ignore or crash). In x2APIC mode MMIO accesses are refused. */
int vlapic_mmio_read(struct vlapic *vl, uint32_t offset, uint32_t *val);
int vlapic_mmio_write(struct vlapic *vl, uint32_t offset, uint32_t val);
/* x2APIC MSRs 0x800-0x8ff: 0, or -XEN_EINVAL meaning "inject #GP". */
int vlapic_msr_read(struct vlapic *vl, uint32_t msr, uint64_t *val);
int vlapic_msr_write(struct vlapic *vl, uint32_t msr, uint64_t val);
uint64_t vlapic_get_base(const struct vlapic *vl);
int vlapic_set_base(struct vlapic *vl, uint64_t val); /* -XEN_EINVAL: #GP */
/* TSC-deadline MSR (0x6e0). */
uint64_t vlapic_get_tsc_deadline(struct vlapic *vl);
void vlapic_set_tsc_deadline(struct vlapic *vl, uint64_t tsc);
bool vlapic_enabled(const struct vlapic *vl); /* globally: APIC base bit 11 */
bool vlapic_x2apic_mode(const struct vlapic *vl);

/* Interrupts: raise a vector (edge; level sets TMR), from IPIs, the timer,
 * event channel upcalls. Kicks the vCPU. */
void vlapic_set_irq(struct vlapic *vl, uint8_t vector, bool level);
/* Highest vector in IRR whose priority class beats the PPR, or -1. */
int vlapic_pending_irq(struct vlapic *vl);
/* The vector is being injected: IRR -> ISR. */
void vlapic_ack_irq(struct vlapic *vl, uint8_t vector);
/* Anything in IRR at all (for HLT wake-up), whatever the priority. */
bool vlapic_has_irr(struct vlapic *vl);
void vlapic_dump(struct vlapic *vl); /* IRR, ISR, PPR on the console (debug key 'v') */

/* The hypervisor's environment (hvm/vlapic_env.c). */
extern const struct vlapic_env hvm_vlapic_env;

#endif
