/*
 * lapic-timer: the local APIC timer, through the xAPIC MMIO page and then,
 * if CPUID offers x2APIC, through the x2APIC MSRs:
 *  - one-shot: exactly one interrupt, not early, current count 0 after;
 *  - masked: no interrupt, but the counter still runs down;
 *  - periodic: at least PERIODIC_TICKS interrupts at about the period, the
 *    counter reloads, and it stops when the initial count is cleared;
 *  - divide by 16: count/16 at divide-by-16 takes about as long as count at
 *    divide-by-1;
 *  - TSC-deadline mode (if CPUID offers it): fires at or after the
 *    deadline, the MSR reads 0 afterwards, and writing 0 disarms it.
 * Timings are measured with the TSC; the timer's rate is calibrated
 * against it first.
 * Options: period_us=N (default 500).
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

#define TIMER_VECTOR 0x40
#define PERIODIC_TICKS 5
#define APIC_TDCR_DIV16 0x3

static volatile unsigned ticks;
static volatile uint64_t last_tick_tsc;
static uint64_t period_us;

static void timer_irq(struct regs *r)
{
	last_tick_tsc = rdtsc();
	ticks++;
}

/* Interrupts on until `want` ticks arrived or the time is up. */
static bool wait_ticks(unsigned want, uint64_t us)
{
	uint64_t end = rdtsc() + us_to_tsc(us);

	sti();
	while (READ_ONCE(ticks) < want && (int64_t)(rdtsc() - end) < 0)
		cpu_relax();
	cli();
	return READ_ONCE(ticks) >= want;
}

static void idle_us(uint64_t us)
{
	sti();
	udelay(us);
	cli();
}

static void check_esr(const char *mode)
{
	uint32_t esr;

	apic_write(APIC_ESR, 0);
	esr = apic_read(APIC_ESR);
	check(esr == 0, "%s: no APIC errors (ESR %#x)", mode, esr);
}

static void one_shot(const char *mode, uint32_t count)
{
	uint64_t t0, took;

	ticks = 0;
	apic_write(APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(APIC_LVT_TIMER, TIMER_VECTOR);
	t0 = rdtsc();
	apic_write(APIC_TMICT, count);
	if (!check(wait_ticks(1, 1000000), "%s one-shot: the interrupt arrived", mode))
		return;
	took = tsc_to_us(last_tick_tsc - t0);
	check(took * 10 >= period_us * 8, "%s one-shot: not early (%llu us for a %llu us timer)", mode,
	      (unsigned long long)took, (unsigned long long)period_us);
	idle_us(3 * period_us);
	check(ticks == 1, "%s one-shot: fired once (%u)", mode, ticks);
	check(apic_read(APIC_TMCCT) == 0, "%s one-shot: current count is 0 after it fired", mode);
}

static void masked(const char *mode, uint32_t count)
{
	uint32_t now;

	/* Ten periods: long enough to still be counting at the next read even
	 * when a register access is slow (nested emulation). The host running
	 * the emulator may still stall the guest for longer than that, so a
	 * counter found already at 0 is measured again, up to three times. */
	ticks = 0;
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VECTOR);
	for (int attempt = 0; attempt < 3; attempt++) {
		apic_write(APIC_TMICT, 10 * count);
		now = apic_read(APIC_TMCCT);
		if (now != 0)
			break;
	}
	check(now != 0 && now <= 10 * count, "%s masked: the counter runs (%u of %u left)", mode, now, 10 * count);
	idle_us(12 * period_us);
	check(ticks == 0, "%s masked: no interrupt (%u)", mode, ticks);
	check(apic_read(APIC_TMCCT) == 0, "%s masked: the counter ran down to 0", mode);
	apic_write(APIC_TMICT, 0);
}

static void periodic(const char *mode, uint32_t count)
{
	uint64_t t0, took;
	unsigned seen;

	ticks = 0;
	apic_write(APIC_LVT_TIMER, APIC_LVT_PERIODIC | TIMER_VECTOR);
	t0 = rdtsc();
	apic_write(APIC_TMICT, count);
	bool arrived = wait_ticks(PERIODIC_TICKS, 2000000);

	if (!check(arrived, "%s periodic: %u interrupts arrived (%u)", mode, PERIODIC_TICKS, ticks)) {
		apic_write(APIC_TMICT, 0);
		return;
	}
	took = tsc_to_us(last_tick_tsc - t0);
	check(took * 10 >= PERIODIC_TICKS * period_us * 8, "%s periodic: not early (%llu us for %u periods of %llu us)",
	      mode, (unsigned long long)took, PERIODIC_TICKS, (unsigned long long)period_us);
	check(apic_read(APIC_TMCCT) != 0, "%s periodic: the counter reloads", mode);
	apic_write(APIC_TMICT, 0);
	idle_us(period_us / 4); /* one may have been in flight */
	seen = ticks;
	idle_us(3 * period_us);
	check(ticks == seen, "%s periodic: stops when the initial count is cleared (%u more)", mode, ticks - seen);
}

/* TSC ticks for `count` timer counts at the given divider: the shortest of
 * three runs (under emulation a run can only be stretched, by the guest
 * being descheduled or by slow register reads). */
static uint64_t countdown_ticks(uint32_t tdcr, uint32_t count)
{
	uint64_t best = ~0ull;

	apic_write(APIC_TDCR, tdcr);
	for (unsigned i = 0; i < 3; i++) {
		uint64_t t0 = rdtsc(), t;

		apic_write(APIC_TMICT, count);
		while (apic_read(APIC_TMCCT))
			cpu_relax();
		t = rdtsc() - t0;
		if (t < best)
			best = t;
	}
	apic_write(APIC_TDCR, APIC_TDCR_DIV1);
	return best;
}

static void divide(const char *mode, uint32_t count)
{
	uint64_t fast, slow;

	/* The same time both ways: count at divide-by-1, count/16 at 16. */
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VECTOR);
	fast = countdown_ticks(APIC_TDCR_DIV1, count);
	slow = countdown_ticks(APIC_TDCR_DIV16, count / 16);
	check(slow * 2 >= fast && slow <= fast * 2,
	      "%s divide by 16: %u counts at /16 took %llu TSC ticks, %u at /1 took %llu (expect about the same)", mode,
	      count / 16, (unsigned long long)slow, count, (unsigned long long)fast);
}

static void tsc_deadline(const char *mode)
{
	uint64_t deadline, left;

	if (!(cpuid(1).c & CPUID1_ECX_TSC_DEADLINE)) {
		printf("%s TSC-deadline: not offered by CPUID, skipped\n", mode);
		return;
	}
	ticks = 0;
	apic_write(APIC_LVT_TIMER, APIC_LVT_TSC_DEADLINE | TIMER_VECTOR);
	deadline = rdtsc() + us_to_tsc(period_us);
	wrmsr(MSR_TSC_DEADLINE, deadline);
	if (check(wait_ticks(1, 1000000), "%s TSC-deadline: the interrupt arrived", mode))
		check(last_tick_tsc >= deadline, "%s TSC-deadline: not before the deadline (%lld ticks after)", mode,
		      (long long)(last_tick_tsc - deadline));
	left = rdmsr(MSR_TSC_DEADLINE);
	check(left == 0, "%s TSC-deadline: the MSR reads 0 once it fired (%#llx)", mode, (unsigned long long)left);

	/* Far enough ahead that the disarming write surely comes first, even
	 * with the guest descheduled in between; then wait past it. */
	ticks = 0;
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + us_to_tsc(10 * period_us));
	wrmsr(MSR_TSC_DEADLINE, 0);
	idle_us(12 * period_us);
	check(ticks == 0, "%s TSC-deadline: writing 0 disarms it (%u interrupts)", mode, ticks);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VECTOR);
}

static void run(const char *mode, uint64_t hz)
{
	uint32_t count = (uint32_t)(hz * period_us / 1000000);

	printf("%s: LAPIC ID %u, version %#x, timer %llu Hz, %llu us = %u counts\n", mode, apic_id(),
	       apic_read(APIC_VERSION), (unsigned long long)hz, (unsigned long long)period_us, count);
	one_shot(mode, count);
	masked(mode, count);
	periodic(mode, count);
	divide(mode, count);
	tsc_deadline(mode);
	check_esr(mode);
	apic_timer_stop();
}

void test_main(void)
{
	uint64_t hz;

	if (!(cpuid(1).d & CPUID1_EDX_APIC))
		skip("no local APIC");
	period_us = cmdline_u64("period_us", 500);
	if (period_us < 50)
		period_us = 50;
	irq_set_handler(TIMER_VECTOR, timer_irq);
	apic_setup();
	tsc_khz();
	printf("TSC %llu kHz (from %s)\n", (unsigned long long)tsc_khz(), tsc_source());
	hz = apic_timer_hz();
	if (!hz)
		fail("the LAPIC timer does not count (calibration saw no change)");

	run(this_cpu()->x2apic ? "x2APIC" : "xAPIC", hz);
	if (!this_cpu()->x2apic) {
		uint32_t xapic_id = apic_id();

		if (apic_enable_x2apic()) {
			check(apic_id() == xapic_id, "x2APIC: the ID register reads the xAPIC ID (%u, %u)", apic_id(),
			      xapic_id);
			run("x2APIC", hz);
		} else {
			printf("x2APIC: not offered by CPUID, skipped\n");
		}
	}
	checks_verdict();
}
