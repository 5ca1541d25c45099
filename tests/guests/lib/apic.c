/*
 * Local APIC access in both modes: xAPIC through the MMIO page (normally
 * 0xfee00000, uncached in the boot page tables) and x2APIC through MSRs
 * 0x800 + register / 16. The mode is per CPU (struct cpu.x2apic).
 */
#include "guest.h"

static uintptr_t mmio_base = 0xfee00000;
static uint64_t timer_hz;

uintptr_t apic_mmio_base(void)
{
	return mmio_base;
}

bool x2apic_supported(void)
{
	return cpuid(1).c & CPUID1_ECX_X2APIC;
}

uint32_t apic_read(unsigned reg)
{
	if (this_cpu()->x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_FIRST + reg / 16);
	return *(volatile uint32_t *)(mmio_base + reg);
}

void apic_write(unsigned reg, uint32_t val)
{
	if (this_cpu()->x2apic)
		wrmsr(MSR_X2APIC_FIRST + reg / 16, val);
	else
		*(volatile uint32_t *)(mmio_base + reg) = val;
}

uint32_t apic_id(void)
{
	uint32_t id = apic_read(APIC_ID);

	return this_cpu()->x2apic ? id : id >> 24;
}

void apic_setup(void)
{
	struct cpu *c = this_cpu();
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_EN)) {
		base |= APIC_BASE_EN;
		wrmsr(MSR_APIC_BASE, base);
	}
	c->x2apic = base & APIC_BASE_EXTD;
	mmio_base = (uintptr_t)(base & 0xffffff000ull);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	c->apic_id = apic_id();
}

bool apic_enable_x2apic(void)
{
	uint64_t base;

	if (!x2apic_supported())
		return false;
	base = rdmsr(MSR_APIC_BASE) | APIC_BASE_EN | APIC_BASE_EXTD;
	wrmsr(MSR_APIC_BASE, base);
	this_cpu()->x2apic = true;
	apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	this_cpu()->apic_id = apic_id();
	return true;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

static void xapic_wait_idle(void)
{
	for (unsigned i = 0; i < 1000000 && (apic_read(APIC_ICR) & APIC_ICR_BUSY); i++)
		cpu_relax();
}

void apic_send_ipi(uint32_t dest, uint32_t lo)
{
	unsigned long flags = read_flags();

	if (this_cpu()->x2apic) {
		wrmsr(MSR_X2APIC_FIRST + APIC_ICR / 16, (uint64_t)dest << 32 | lo);
		return;
	}
	/* Two writes that must not be split by an interrupt handler's IPI. */
	cli();
	xapic_wait_idle();
	apic_write(APIC_ICR2, dest << 24);
	apic_write(APIC_ICR, lo);
	xapic_wait_idle();
	if (flags & X86_FLAGS_IF)
		sti();
}

void apic_self_ipi(unsigned vector)
{
	if (this_cpu()->x2apic)
		wrmsr(MSR_X2APIC_FIRST + APIC_SELF_IPI / 16, vector & 0xff);
	else
		apic_send_ipi(0, APIC_DEST_SELF | APIC_ICR_FIXED | (vector & 0xff));
}

void apic_timer_stop(void)
{
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_SPURIOUS_VECTOR);
	apic_write(APIC_TMICT, 0);
	if (cpuid(1).c & CPUID1_ECX_TSC_DEADLINE)
		wrmsr(MSR_TSC_DEADLINE, 0);
}

/* One TMCCT read bracketed by TSC reads: the count, and the TSC at the
 * middle of the read; *spread is how long the read took (an MMIO exit, and
 * a vCPU may be descheduled in the middle of it). */
static uint32_t count_at(uint64_t *tsc, uint64_t *spread)
{
	uint64_t a = rdtsc();
	uint32_t c = apic_read(APIC_TMCCT);
	uint64_t b = rdtsc();

	*tsc = a + (b - a) / 2;
	*spread = b - a;
	return c;
}

uint64_t apic_timer_hz(void)
{
	uint64_t best_spread = ~0ull;

	if (timer_hz)
		return timer_hz;
	tsc_khz(); /* may itself use the LAPIC timer: do it first */
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_SPURIOUS_VECTOR);
	apic_write(APIC_TDCR, APIC_TDCR_DIV1);
	/* A few tries; the one whose two reads were quickest wins: a read
	 * during which the vCPU lost its pCPU says little about when the
	 * count was sampled. */
	for (int i = 0; i < 5; i++) {
		uint64_t t0, t1, s0, s1;
		uint32_t c0, c1;

		apic_write(APIC_TMICT, 0xffffffff);
		c0 = count_at(&t0, &s0);
		udelay(2000);
		c1 = count_at(&t1, &s1);
		apic_write(APIC_TMICT, 0);
		if (c0 > c1 && t1 > t0 && s0 + s1 < best_spread) {
			best_spread = s0 + s1;
			timer_hz = (uint64_t)(c0 - c1) * tsc_khz() * 1000 / (t1 - t0);
		}
	}
	return timer_hz;
}
