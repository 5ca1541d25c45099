/*
 * The virtual local APIC (interface and overview in asm/vlapic.h), written
 * from the Intel SDM vol. 3A chapter on the APIC and x2APIC.
 *
 * State: one register page in the xAPIC layout serves both modes; x2APIC
 * MSR 0x800 + n is the register at offset n << 4. What depends on time or on
 * other registers (PPR, the current count, the x2APIC ID and the version) is
 * computed when read, so it is never stale.
 *
 * Timer: the bus behind the divider runs at 1 GHz, so an initial count N
 * with divide-by-D expires N * D ns after the write and the current count
 * drops by one every D ns. Periodic mode re-arms from the previous deadline
 * (no drift); periods shorter than VLAPIC_MIN_PERIOD run at that period, and
 * periods missed while the host was busy merge into one interrupt (as they
 * would in the IRR). A handler can find the timer re-armed or stopped after
 * it was taken off the heap: it checks the state under the lock and leaves.
 *
 * Lock order: vl->lock -> the timer CPU's lock. One vlapic lock at a time:
 * an IPI is built under the sender's lock and delivered after releasing it,
 * taking each target's lock alone. The env callbacks that reach other vCPUs
 * (kick, lookup, for_each, nmi, init_ipi, sipi) run with no vlapic lock held.
 */
#include <hv/console.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <asm/vlapic.h>

/* Register offsets in the xAPIC page. */
#define R_ID 0x020
#define R_VER 0x030
#define R_TPR 0x080
#define R_APR 0x090
#define R_PPR 0x0a0
#define R_EOI 0x0b0
#define R_LDR 0x0d0
#define R_DFR 0x0e0
#define R_SVR 0x0f0
#define R_ISR 0x100 /* 8 registers, 0x10 apart */
#define R_TMR 0x180
#define R_IRR 0x200
#define R_ESR 0x280
#define R_ICR 0x300
#define R_ICR2 0x310 /* xAPIC only: destination in bits 24-31 */
#define R_LVTT 0x320
#define R_LVTTHM 0x330
#define R_LVTPC 0x340
#define R_LVT0 0x350
#define R_LVT1 0x360
#define R_LVTERR 0x370
#define R_TMICT 0x380
#define R_TMCCT 0x390
#define R_TDCR 0x3e0
#define R_SELF_IPI 0x3f0 /* x2APIC only */
#define REG(vl, off) ((vl)->regs[(off) / 4])

#define X2APIC_MSR_FIRST 0x800
#define X2APIC_MSR_LAST 0x8ff

/* IA32_APIC_BASE */
#define BASE_BSP (1ULL << 8)
#define BASE_EXTD (1ULL << 10)
#define BASE_EN (1ULL << 11)
#define BASE_ADDR (0xfffffffffULL << 12) /* bits 12-47; the rest is reserved */

#define SVR_ENABLE (1u << 8)
/* vector, software enable, focus checking; no EOI-broadcast suppression
 * (the version register does not offer it), so bit 12 is reserved */
#define SVR_WRITABLE 0x3ffu

#define LVT_MASKED (1u << 16)
#define LVT_TIMER_MODE(x) (((x) >> 17) & 3)
#define TIMER_ONESHOT 0
#define TIMER_PERIODIC 1
#define TIMER_TSC_DEADLINE 2
#define TIMER_RESERVED 3
/* Writable bits of the LVTs: vector 0-7, delivery mode 8-10, polarity 13,
 * trigger 15, mask 16, timer mode 17-18. Delivery status (12) and remote
 * IRR (14) are read-only and read 0. */
#define LVT_W_TIMER 0x000700ffu
#define LVT_W_THM_PMC 0x000107ffu
#define LVT_W_LINT 0x0001a7ffu
#define LVT_W_ERROR 0x000100ffu

#define LDR_W_XAPIC 0xff000000u
#define DFR_W 0xf0000000u
#define DFR_FLAT 0xf0000000u
#define TDCR_W 0x0000000bu
/* ICR low: vector, delivery mode, destination mode, level, trigger,
 * shorthand. Delivery status (12) always reads 0: delivery is immediate. */
#define ICR_W 0x000ccfffu
#define ICR2_W_XAPIC 0xff000000u

#define ICR_DM(x) (((x) >> 8) & 7)
#define ICR_LOGICAL (1u << 11)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_SHORTHAND(x) (((x) >> 18) & 3)
#define DM_FIXED 0
#define DM_LOWEST 1
#define DM_NMI 4
#define DM_INIT 5
#define DM_SIPI 6
#define SH_NONE 0
#define SH_SELF 1
#define SH_ALL 2
#define SH_ALL_BUT_SELF 3

#define ESR_SEND_ILLEGAL (1u << 5)
#define ESR_RECV_ILLEGAL (1u << 6)
#define ESR_ILLEGAL_REG (1u << 7)

#define VLAPIC_MIN_PERIOD MICROSECS(100)

/* Access to a register: readable, writable. */
#define ACC_R 1u
#define ACC_W 2u
#define ACC_RW (ACC_R | ACC_W)

/* An IPI decided under the sender's lock, delivered after releasing it. */
struct vl_ipi {
	struct vlapic *src;
	uint32_t dest;
	uint32_t broadcast; /* the destination that means "everyone" */
	uint8_t vector;
	uint8_t mode;
	uint8_t shorthand;
	bool logical;
	bool x2apic; /* sender's mode: destination format */
};

/* What a register write leaves to do once the lock is dropped. */
struct vl_after {
	bool kick; /* an interrupt became pending for this vCPU */
	bool send;
	struct vl_ipi ipi;
};

static bool hw_enabled(const struct vlapic *vl)
{
	return vl->apic_base_msr & BASE_EN;
}

static bool x2apic_mode(const struct vlapic *vl)
{
	return (vl->apic_base_msr & (BASE_EN | BASE_EXTD)) == (BASE_EN | BASE_EXTD);
}

static bool sw_enabled(const struct vlapic *vl)
{
	return REG(vl, R_SVR) & SVR_ENABLE;
}

static uint32_t x2apic_ldr(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

/* ---------------------------------------------------------------- bit arrays */

static uint32_t *vec_word(struct vlapic *vl, uint32_t base, unsigned int vec)
{
	return &vl->regs[base / 4 + (vec / 32) * 4];
}

static void vec_set(struct vlapic *vl, uint32_t base, unsigned int vec)
{
	*vec_word(vl, base, vec) |= 1u << (vec % 32);
}

static void vec_clear(struct vlapic *vl, uint32_t base, unsigned int vec)
{
	*vec_word(vl, base, vec) &= ~(1u << (vec % 32));
}

static bool vec_test(struct vlapic *vl, uint32_t base, unsigned int vec)
{
	return *vec_word(vl, base, vec) & (1u << (vec % 32));
}

/* Highest vector set in the array at 'base', or -1. */
static int vec_highest(const struct vlapic *vl, uint32_t base)
{
	for (int i = 7; i >= 0; i--) {
		uint32_t w = vl->regs[base / 4 + (unsigned int)i * 4];

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

/* PPR: the TPR if its class is at least that of the highest in-service
 * vector, else that vector's class. */
static uint32_t ppr_locked(const struct vlapic *vl)
{
	uint32_t tpr = REG(vl, R_TPR) & 0xff;
	int isrv = vec_highest(vl, R_ISR);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

	return (tpr & 0xf0) >= isr_class ? tpr : isr_class;
}

/* ---------------------------------------------------------------- acceptance */

static bool error_locked(struct vlapic *vl, uint32_t bits);
static void reset_locked(struct vlapic *vl);

/* Accept a vector into the IRR; true if the vCPU should be kicked. */
static bool accept_locked(struct vlapic *vl, unsigned int vector, bool level)
{
	if (!hw_enabled(vl) || !sw_enabled(vl))
		return false;
	if (vector < 16)
		return error_locked(vl, ESR_RECV_ILLEGAL);
	vec_set(vl, R_IRR, vector);
	if (level)
		vec_set(vl, R_TMR, vector);
	else
		vec_clear(vl, R_TMR, vector);
	return true;
}

/* Record an error for the next ESR write and signal it through the error
 * LVT. An error the ESR already holds is not signalled again, which also
 * ends the recursion of an error LVT with an illegal vector. */
static bool error_locked(struct vlapic *vl, uint32_t bits)
{
	uint32_t lvt = REG(vl, R_LVTERR);
	bool fresh = (vl->esr_pending & bits) != bits;

	vl->esr_pending |= bits;
	if (!fresh || (lvt & LVT_MASKED))
		return false;
	return accept_locked(vl, lvt & 0xff, false);
}

static void eoi_locked(struct vlapic *vl)
{
	int vec = vec_highest(vl, R_ISR);

	/* level-triggered (TMR set): there is no IO-APIC to tell */
	if (vec >= 0)
		vec_clear(vl, R_ISR, (unsigned int)vec);
}

/* ---------------------------------------------------------------- timer */

static unsigned int timer_mode(const struct vlapic *vl)
{
	return LVT_TIMER_MODE(REG(vl, R_LVTT));
}

static unsigned int timer_divisor(const struct vlapic *vl)
{
	uint32_t d = REG(vl, R_TDCR);
	uint32_t code = ((d >> 1) & 4) | (d & 3);

	return code == 7 ? 1 : 2u << code;
}

static void timer_disarm_locked(struct vlapic *vl)
{
	stop_timer(&vl->timer);
	vl->timer_period = 0;
	vl->tsc_deadline = 0;
}

/* (Re)start counting down from the initial count. */
static void timer_start_locked(struct vlapic *vl)
{
	uint32_t count = REG(vl, R_TMICT);
	unsigned int mode = timer_mode(vl);
	s_time_t period;

	stop_timer(&vl->timer);
	vl->timer_period = 0;
	if (!count || (mode != TIMER_ONESHOT && mode != TIMER_PERIODIC))
		return;
	period = (s_time_t)count * timer_divisor(vl);
	if (mode == TIMER_PERIODIC && period < VLAPIC_MIN_PERIOD)
		period = VLAPIC_MIN_PERIOD;
	vl->timer_start = vl->env->now();
	vl->timer_period = period;
	set_timer(&vl->timer, vl->timer_start + period);
}

static uint32_t current_count_locked(const struct vlapic *vl)
{
	uint32_t initial = REG(vl, R_TMICT);
	s_time_t elapsed;
	uint64_t ticks;

	if (!vl->timer_period)
		return 0;
	elapsed = vl->env->now() - vl->timer_start;
	if (elapsed < 0)
		elapsed = 0;
	if (timer_mode(vl) == TIMER_PERIODIC)
		elapsed %= vl->timer_period;
	ticks = (uint64_t)elapsed / timer_divisor(vl);
	return ticks >= initial ? 0 : initial - (uint32_t)ticks;
}

static void vlapic_timer_fn(void *data)
{
	struct vlapic *vl = data;
	unsigned long flags = spin_lock_irqsave(&vl->lock);
	bool kick = false;
	uint32_t lvt = REG(vl, R_LVTT);

	/* re-armed since this expiry was taken: the new arming calls again */
	if (timer_is_active(&vl->timer))
		goto out;
	switch (LVT_TIMER_MODE(lvt)) {
	case TIMER_TSC_DEADLINE:
		if (!vl->tsc_deadline)
			goto out;
		vl->tsc_deadline = 0;
		break;
	case TIMER_ONESHOT:
		if (!vl->timer_period)
			goto out;
		vl->timer_period = 0;
		break;
	case TIMER_PERIODIC: {
		s_time_t now = vl->env->now();

		if (!vl->timer_period)
			goto out;
		vl->timer_start += vl->timer_period;
		if (now - vl->timer_start >= vl->timer_period)
			vl->timer_start += (now - vl->timer_start) / vl->timer_period * vl->timer_period;
		set_timer(&vl->timer, vl->timer_start + vl->timer_period);
		break;
	}
	default:
		goto out;
	}
	if (!(lvt & LVT_MASKED))
		kick = accept_locked(vl, lvt & 0xff, false);
out:
	spin_unlock_irqrestore(&vl->lock, flags);
	if (kick)
		vl->env->kick(vl->vcpu);
}

/* ---------------------------------------------------------------- IPIs */

/* Whether target t (locked) is a destination of the IPI. */
static bool ipi_matches_locked(struct vlapic *t, const struct vl_ipi *ipi)
{
	uint32_t ldr = REG(t, R_LDR);

	if (!hw_enabled(t))
		return false;
	switch (ipi->shorthand) {
	case SH_SELF:
		return t == ipi->src;
	case SH_ALL:
		return true;
	case SH_ALL_BUT_SELF:
		return t != ipi->src;
	}
	if (ipi->dest == ipi->broadcast)
		return true;
	if (!ipi->logical)
		return ipi->dest == t->apic_id;
	if (ipi->x2apic) /* cluster: bits 31-16 the cluster, 15-0 a member mask */
		return (ipi->dest >> 16) == (ldr >> 16) && (ipi->dest & ldr & 0xffff);
	ldr >>= 24;
	if ((REG(t, R_DFR) & DFR_W) == DFR_FLAT)
		return ipi->dest & ldr;
	/* cluster: bits 7-4 the cluster, 3-0 a member mask */
	return (ipi->dest >> 4) == (ldr >> 4) && (ipi->dest & ldr & 0xf);
}

static bool ipi_matches(struct vlapic *t, const struct vl_ipi *ipi)
{
	unsigned long flags = spin_lock_irqsave(&t->lock);
	bool m = ipi_matches_locked(t, ipi);

	spin_unlock_irqrestore(&t->lock, flags);
	return m;
}

/* INIT: reset the registers and wait for a SIPI; the env holds the vCPU. */
static void deliver_init(struct vlapic *t)
{
	unsigned long flags = spin_lock_irqsave(&t->lock);

	reset_locked(t);
	t->sipi_pending_init = true;
	spin_unlock_irqrestore(&t->lock, flags);
	t->env->init_ipi(t->vcpu);
}

static void deliver_sipi(struct vlapic *t, uint8_t vector)
{
	unsigned long flags = spin_lock_irqsave(&t->lock);
	bool start = t->sipi_pending_init;

	t->sipi_pending_init = false;
	spin_unlock_irqrestore(&t->lock, flags);
	if (start)
		t->env->sipi(t->vcpu, vector);
}

static void deliver(struct vlapic *t, const struct vl_ipi *ipi)
{
	switch (ipi->mode) {
	case DM_FIXED:
	case DM_LOWEST:
		/* a level trigger in the ICR is sent as edge (SDM table 10-3) */
		vlapic_set_irq(t, ipi->vector, false);
		break;
	case DM_NMI:
		t->env->nmi(t->vcpu);
		break;
	case DM_INIT:
		deliver_init(t);
		break;
	case DM_SIPI:
		deliver_sipi(t, ipi->vector);
		break;
	}
}

static void deliver_if_match(struct vlapic *t, void *arg)
{
	const struct vl_ipi *ipi = arg;

	if (ipi_matches(t, ipi))
		deliver(t, ipi);
}

struct lowest_search {
	const struct vl_ipi *ipi;
	struct vlapic *best;
};

/* Lowest priority: the lowest-numbered target that accepts interrupts. */
static void find_lowest(struct vlapic *t, void *arg)
{
	struct lowest_search *s = arg;
	unsigned long flags;
	bool ok;

	if (s->best && t->apic_id > s->best->apic_id)
		return;
	flags = spin_lock_irqsave(&t->lock);
	ok = ipi_matches_locked(t, s->ipi) && sw_enabled(t);
	spin_unlock_irqrestore(&t->lock, flags);
	if (ok)
		s->best = t;
}

static void send_ipi(const struct vl_ipi *ipi)
{
	struct vlapic *src = ipi->src;
	const struct vlapic_env *env = src->env;

	if (ipi->shorthand == SH_SELF) {
		deliver(src, ipi);
	} else if (ipi->shorthand == SH_NONE && !ipi->logical && ipi->dest != ipi->broadcast) {
		struct vlapic *t = env->lookup(src->vcpu, ipi->dest);

		if (t && ipi_matches(t, ipi))
			deliver(t, ipi);
	} else if (ipi->mode == DM_LOWEST) {
		struct lowest_search s = { ipi, NULL };

		env->for_each(src->vcpu, find_lowest, &s);
		if (s.best)
			deliver(s.best, ipi);
	} else {
		env->for_each(src->vcpu, deliver_if_match, (void *)ipi);
	}
}

/* The ICR's low half was written: check the command, prepare the IPI. */
static void icr_send_locked(struct vlapic *vl, struct vl_after *after)
{
	uint32_t lo = REG(vl, R_ICR);
	struct vl_ipi *ipi = &after->ipi;

	ipi->src = vl;
	ipi->vector = lo & 0xff;
	ipi->mode = ICR_DM(lo);
	ipi->shorthand = ICR_SHORTHAND(lo);
	ipi->logical = lo & ICR_LOGICAL;
	ipi->x2apic = x2apic_mode(vl);
	ipi->dest = ipi->x2apic ? REG(vl, R_ICR2) : REG(vl, R_ICR2) >> 24;
	ipi->broadcast = ipi->x2apic ? 0xffffffffu : 0xffu;

	switch (ipi->mode) {
	case DM_FIXED:
	case DM_LOWEST:
		if (ipi->vector < 16)
			goto illegal;
		break;
	case DM_NMI:
	case DM_SIPI:
		break;
	case DM_INIT:
		if ((lo & ICR_LEVEL) && !(lo & ICR_ASSERT))
			return; /* INIT level de-assert: nothing to do */
		break;
	default: /* SMI, ExtINT, reserved */
		printk_ratelimited(LOG_WARN "vlapic: APIC %u: IPI delivery mode %u refused\n", vl->apic_id, ipi->mode);
		goto illegal;
	}
	/* self and all-including-self carry only fixed IPIs (SDM table 10-3) */
	if ((ipi->shorthand == SH_SELF || ipi->shorthand == SH_ALL) && ipi->mode != DM_FIXED) {
		printk_ratelimited(LOG_WARN "vlapic: APIC %u: IPI mode %u with shorthand %u refused\n", vl->apic_id,
				   ipi->mode, ipi->shorthand);
		goto illegal;
	}
	after->send = true;
	return;
illegal:
	after->kick |= error_locked(vl, ESR_SEND_ILLEGAL);
}

static void self_ipi_locked(struct vlapic *vl, uint32_t vector, struct vl_after *after)
{
	if (vector < 16) {
		after->kick |= error_locked(vl, ESR_SEND_ILLEGAL);
		return;
	}
	after->ipi = (struct vl_ipi){ .src = vl, .vector = (uint8_t)vector, .mode = DM_FIXED, .shorthand = SH_SELF };
	after->send = true;
}

static void finish(struct vlapic *vl, const struct vl_after *after)
{
	if (after->send)
		send_ipi(&after->ipi);
	if (after->kick)
		vl->env->kick(vl->vcpu);
}

/* ---------------------------------------------------------------- registers */

/* How the register at 'off' may be accessed in the given mode; 0: absent. */
static unsigned int reg_access(uint32_t off, bool x2)
{
	if (off >= R_ISR && off < R_ESR) /* ISR, TMR, IRR */
		return ACC_R;
	if (off >= R_LVTT && off <= R_LVTERR)
		return ACC_RW;
	switch (off) {
	case R_ID: /* xAPIC too: IPIs are routed by the id fixed at creation */
	case R_VER:
	case R_PPR:
	case R_TMCCT:
		return ACC_R;
	case R_TPR:
	case R_SVR:
	case R_ESR:
	case R_ICR:
	case R_TMICT:
	case R_TDCR:
		return ACC_RW;
	case R_EOI:
		return ACC_W;
	case R_LDR:
		return x2 ? ACC_R : ACC_RW;
	case R_APR:
		return x2 ? 0 : ACC_R;
	case R_DFR:
	case R_ICR2:
		return x2 ? 0 : ACC_RW;
	case R_SELF_IPI:
		return x2 ? ACC_W : 0;
	}
	return 0;
}

/* Bits a write may set; in x2APIC mode any other bit gives #GP. */
static uint32_t reg_writable(uint32_t off)
{
	switch (off) {
	case R_TPR:
	case R_SELF_IPI:
		return 0xff;
	case R_LDR:
		return LDR_W_XAPIC;
	case R_DFR:
		return DFR_W;
	case R_SVR:
		return SVR_WRITABLE;
	case R_ICR:
		return ICR_W;
	case R_ICR2:
		return ICR2_W_XAPIC;
	case R_LVTT:
		return LVT_W_TIMER;
	case R_LVTTHM:
	case R_LVTPC:
		return LVT_W_THM_PMC;
	case R_LVT0:
	case R_LVT1:
		return LVT_W_LINT;
	case R_LVTERR:
		return LVT_W_ERROR;
	case R_TMICT:
		return 0xffffffffu;
	case R_TDCR:
		return TDCR_W;
	default: /* EOI, ESR: x2APIC wants 0 */
		return 0;
	}
}

static uint32_t read_locked(struct vlapic *vl, uint32_t off)
{
	switch (off) {
	case R_ID:
		return x2apic_mode(vl) ? vl->apic_id : vl->apic_id << 24;
	case R_VER:
		return VLAPIC_VERSION;
	case R_APR:
	case R_EOI:
	case R_SELF_IPI:
		return 0;
	case R_PPR:
		return ppr_locked(vl);
	case R_TMCCT:
		return current_count_locked(vl);
	default:
		return REG(vl, off);
	}
}

static void lvt_write_locked(struct vlapic *vl, uint32_t off, uint32_t val)
{
	if (!sw_enabled(vl))
		val |= LVT_MASKED; /* software-disabled: the masks stay set */
	/* a write that changes the timer mode disarms the timer (SDM 10.5.4.1) */
	if (off == R_LVTT && LVT_TIMER_MODE(val) != timer_mode(vl))
		timer_disarm_locked(vl);
	REG(vl, off) = val;
}

static void svr_write_locked(struct vlapic *vl, uint32_t val)
{
	REG(vl, R_SVR) = val;
	if (!(val & SVR_ENABLE))
		for (uint32_t off = R_LVTT; off <= R_LVTERR; off += 0x10)
			REG(vl, off) |= LVT_MASKED;
}

/* A write to a writable register; val is already masked to its bits. */
static void write_locked(struct vlapic *vl, uint32_t off, uint32_t val, struct vl_after *after)
{
	if (off >= R_LVTT && off <= R_LVTERR) {
		lvt_write_locked(vl, off, val);
		return;
	}
	switch (off) {
	case R_TPR:
	case R_LDR:
	case R_ICR2:
		REG(vl, off) = val;
		break;
	case R_DFR:
		REG(vl, off) = val | ~DFR_W; /* bits 0-27 read as ones */
		break;
	case R_EOI:
		eoi_locked(vl);
		break;
	case R_SVR:
		svr_write_locked(vl, val);
		break;
	case R_ESR: /* show the errors collected since the last write */
		REG(vl, R_ESR) = vl->esr_pending;
		vl->esr_pending = 0;
		break;
	case R_ICR:
		REG(vl, R_ICR) = val;
		icr_send_locked(vl, after);
		break;
	case R_TMICT:
		if (timer_mode(vl) == TIMER_TSC_DEADLINE)
			break; /* ignored in TSC-deadline mode */
		REG(vl, R_TMICT) = val;
		timer_start_locked(vl);
		break;
	case R_TDCR:
		REG(vl, R_TDCR) = val; /* the running count keeps its rate until restarted */
		break;
	case R_SELF_IPI:
		self_ipi_locked(vl, val, after);
		break;
	}
}

static void reset_locked(struct vlapic *vl)
{
	stop_timer(&vl->timer);
	memset(vl->regs, 0, sizeof(vl->regs));
	REG(vl, R_DFR) = 0xffffffffu;
	REG(vl, R_SVR) = 0xff;
	for (uint32_t off = R_LVTT; off <= R_LVTERR; off += 0x10)
		REG(vl, off) = LVT_MASKED;
	if (x2apic_mode(vl))
		REG(vl, R_LDR) = x2apic_ldr(vl->apic_id);
	vl->timer_period = 0;
	vl->timer_start = 0;
	vl->tsc_deadline = 0;
	vl->esr_pending = 0;
}

/* ---------------------------------------------------------------- interface */

void vlapic_init(struct vlapic *vl, struct vcpu *v, unsigned int apic_id, const struct vlapic_env *env)
{
	memset(vl, 0, sizeof(*vl));
	vl->vcpu = v;
	vl->env = env;
	vl->apic_id = apic_id;
	spin_lock_init(&vl->lock);
	vl->apic_base_msr = VLAPIC_BASE_DEFAULT | BASE_EN | (apic_id == 0 ? BASE_BSP : 0);
	init_timer(&vl->timer, vlapic_timer_fn, vl, env->vcpu_cpu(v));
	reset_locked(vl);
}

void vlapic_reset(struct vlapic *vl)
{
	unsigned long flags = spin_lock_irqsave(&vl->lock);

	reset_locked(vl);
	spin_unlock_irqrestore(&vl->lock, flags);
}

void vlapic_destroy(struct vlapic *vl)
{
	/* not under vl->lock: kill_timer waits for a running handler, which takes it */
	kill_timer(&vl->timer);
}

int vlapic_mmio_read(struct vlapic *vl, uint32_t offset, uint32_t *val)
{
	struct vl_after after = { 0 };
	unsigned long flags;
	int rc = 0;

	if (offset >= 4096 || (offset & 3))
		return -XEN_EINVAL;
	flags = spin_lock_irqsave(&vl->lock);
	if (!hw_enabled(vl) || x2apic_mode(vl)) {
		rc = -XEN_EINVAL;
	} else if ((offset & 0xf) || !reg_access(offset, false)) {
		*val = 0;
		after.kick = error_locked(vl, ESR_ILLEGAL_REG);
	} else {
		*val = read_locked(vl, offset);
	}
	spin_unlock_irqrestore(&vl->lock, flags);
	finish(vl, &after);
	return rc;
}

int vlapic_mmio_write(struct vlapic *vl, uint32_t offset, uint32_t val)
{
	struct vl_after after = { 0 };
	unsigned long flags;
	unsigned int acc;
	int rc = 0;

	if (offset >= 4096 || (offset & 3))
		return -XEN_EINVAL;
	flags = spin_lock_irqsave(&vl->lock);
	acc = reg_access(offset, false);
	if (!hw_enabled(vl) || x2apic_mode(vl))
		rc = -XEN_EINVAL;
	else if ((offset & 0xf) || !acc)
		after.kick = error_locked(vl, ESR_ILLEGAL_REG);
	else if (acc & ACC_W)
		write_locked(vl, offset, val & reg_writable(offset), &after);
	/* else read-only: the write is ignored */
	spin_unlock_irqrestore(&vl->lock, flags);
	finish(vl, &after);
	return rc;
}

int vlapic_msr_read(struct vlapic *vl, uint32_t msr, uint64_t *val)
{
	uint32_t off = (msr - X2APIC_MSR_FIRST) << 4;
	unsigned long flags;
	int rc = 0;

	if (msr < X2APIC_MSR_FIRST || msr > X2APIC_MSR_LAST)
		return -XEN_EINVAL;
	flags = spin_lock_irqsave(&vl->lock);
	if (!x2apic_mode(vl) || !(reg_access(off, true) & ACC_R))
		rc = -XEN_EINVAL;
	else if (off == R_ICR)
		*val = ((uint64_t)REG(vl, R_ICR2) << 32) | REG(vl, R_ICR);
	else
		*val = read_locked(vl, off);
	spin_unlock_irqrestore(&vl->lock, flags);
	return rc;
}

int vlapic_msr_write(struct vlapic *vl, uint32_t msr, uint64_t val)
{
	uint32_t off = (msr - X2APIC_MSR_FIRST) << 4;
	struct vl_after after = { 0 };
	unsigned long flags;
	int rc = 0;

	if (msr < X2APIC_MSR_FIRST || msr > X2APIC_MSR_LAST)
		return -XEN_EINVAL;
	flags = spin_lock_irqsave(&vl->lock);
	if (!x2apic_mode(vl) || !(reg_access(off, true) & ACC_W)) {
		rc = -XEN_EINVAL;
	} else if ((off != R_ICR && (val >> 32)) || ((uint32_t)val & ~reg_writable(off))) {
		rc = -XEN_EINVAL; /* reserved bits */
	} else if (off == R_LVTT && LVT_TIMER_MODE(val) == TIMER_RESERVED) {
		rc = -XEN_EINVAL;
	} else {
		if (off == R_ICR)
			REG(vl, R_ICR2) = (uint32_t)(val >> 32);
		write_locked(vl, off, (uint32_t)val, &after);
	}
	spin_unlock_irqrestore(&vl->lock, flags);
	finish(vl, &after);
	return rc;
}

uint64_t vlapic_get_base(const struct vlapic *vl)
{
	return READ_ONCE(vl->apic_base_msr);
}

/*
 * IA32_APIC_BASE (SDM 10.12.5): disabled <-> xAPIC, xAPIC -> x2APIC,
 * x2APIC -> disabled. x2APIC -> xAPIC, disabled -> x2APIC and the state
 * EN=0 EXTD=1 are #GP, as are reserved bits. The BSP flag is ours and
 * writes to it are ignored. Disabling resets the registers, so enabling
 * again starts from the reset state in xAPIC mode.
 */
int vlapic_set_base(struct vlapic *vl, uint64_t val)
{
	const uint64_t valid = BASE_ADDR | BASE_EN | BASE_EXTD | BASE_BSP;
	bool en = val & BASE_EN, extd = val & BASE_EXTD;
	unsigned long flags;
	bool was_en, was_x2;
	int rc = 0;

	if ((val & ~valid) || (extd && !en))
		return -XEN_EINVAL;
	if ((val & BASE_ADDR) != VLAPIC_BASE_DEFAULT) {
		printk_ratelimited(LOG_WARN "vlapic: APIC %u: relocation to %#llx refused\n", vl->apic_id,
				   (unsigned long long)(val & BASE_ADDR));
		return -XEN_EINVAL;
	}
	flags = spin_lock_irqsave(&vl->lock);
	was_en = hw_enabled(vl);
	was_x2 = x2apic_mode(vl);
	if ((was_x2 && en && !extd) || (!was_en && extd)) {
		rc = -XEN_EINVAL;
		goto out;
	}
	vl->apic_base_msr = (val & ~BASE_BSP) | (vl->apic_base_msr & BASE_BSP);
	if (was_en && !en)
		reset_locked(vl);
	else if (!was_x2 && extd) /* the logical x2APIC ID is set by the switch */
		REG(vl, R_LDR) = x2apic_ldr(vl->apic_id);
out:
	spin_unlock_irqrestore(&vl->lock, flags);
	return rc;
}

uint64_t vlapic_get_tsc_deadline(struct vlapic *vl)
{
	unsigned long flags = spin_lock_irqsave(&vl->lock);
	uint64_t tsc = timer_mode(vl) == TIMER_TSC_DEADLINE ? vl->tsc_deadline : 0;

	spin_unlock_irqrestore(&vl->lock, flags);
	return tsc;
}

void vlapic_set_tsc_deadline(struct vlapic *vl, uint64_t tsc)
{
	unsigned long flags = spin_lock_irqsave(&vl->lock);

	/* other timer modes ignore the MSR (SDM 10.5.4.1) */
	if (hw_enabled(vl) && timer_mode(vl) == TIMER_TSC_DEADLINE) {
		vl->tsc_deadline = tsc;
		if (tsc)
			set_timer(&vl->timer, vl->env->tsc_to_time(vl->vcpu, tsc));
		else
			stop_timer(&vl->timer);
	}
	spin_unlock_irqrestore(&vl->lock, flags);
}

bool vlapic_enabled(const struct vlapic *vl)
{
	return READ_ONCE(vl->apic_base_msr) & BASE_EN;
}

bool vlapic_x2apic_mode(const struct vlapic *vl)
{
	return (READ_ONCE(vl->apic_base_msr) & (BASE_EN | BASE_EXTD)) == (BASE_EN | BASE_EXTD);
}

void vlapic_set_irq(struct vlapic *vl, uint8_t vector, bool level)
{
	unsigned long flags = spin_lock_irqsave(&vl->lock);
	bool kick = accept_locked(vl, vector, level);

	spin_unlock_irqrestore(&vl->lock, flags);
	if (kick)
		vl->env->kick(vl->vcpu);
}

int vlapic_pending_irq(struct vlapic *vl)
{
	unsigned long flags = spin_lock_irqsave(&vl->lock);
	int vec = vec_highest(vl, R_IRR);

	if (vec >= 0 && ((uint32_t)vec & 0xf0) <= (ppr_locked(vl) & 0xf0))
		vec = -1;
	spin_unlock_irqrestore(&vl->lock, flags);
	return vec;
}

void vlapic_ack_irq(struct vlapic *vl, uint8_t vector)
{
	unsigned long flags = spin_lock_irqsave(&vl->lock);

	if (vec_test(vl, R_IRR, vector)) {
		vec_clear(vl, R_IRR, vector);
		vec_set(vl, R_ISR, vector);
	}
	spin_unlock_irqrestore(&vl->lock, flags);
}

void vlapic_dump(struct vlapic *vl)
{
	unsigned long flags = spin_lock_irqsave(&vl->lock);
	int irr = vec_highest(vl, R_IRR), isr = vec_highest(vl, R_ISR);
	uint32_t ppr = ppr_locked(vl);

	spin_unlock_irqrestore(&vl->lock, flags);
	printk("  vLAPIC %u: highest IRR %d, highest ISR %d, PPR %#x\n", vl->apic_id, irr, isr, ppr);
}

bool vlapic_has_irr(struct vlapic *vl)
{
	unsigned long flags = spin_lock_irqsave(&vl->lock);
	bool any = vec_highest(vl, R_IRR) >= 0;

	spin_unlock_irqrestore(&vl->lock, flags);
	return any;
}
