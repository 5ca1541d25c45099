/*
 * hlt: HLT with interrupts enabled sleeps until an interrupt and no longer.
 *  - for timers of 200 us, 1 ms and 5 ms (LAPIC one-shot): "sti; hlt"
 *    returns once, because of the timer interrupt, and not before the
 *    timer was due (measured with the TSC);
 *  - an interrupt that is already pending when "sti; hlt" runs (the timer
 *    expired while interrupts were off) wakes HLT at once: the STI shadow
 *    delays it until HLT has started, and HLT must then not sleep on.
 * A broken hypervisor can make this test hang (HLT never wakes): the line
 * printed before each HLT says which case it was.
 * Options: rounds=N (default 1) repeats the timed cases.
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

#define TIMER_VECTOR 0x41

static volatile unsigned fired;
static volatile uint64_t fired_tsc;

static void timer_irq(struct regs *r)
{
	fired_tsc = rdtsc();
	fired++;
}

static void timed_hlt(uint64_t hz, uint64_t us)
{
	uint32_t count = (uint32_t)(hz * us / 1000000);
	unsigned wakeups = 0;
	uint64_t t0, late;

	printf("HLT for a %llu us timer\n", (unsigned long long)us);
	fired = 0;
	apic_write(APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(APIC_LVT_TIMER, TIMER_VECTOR);
	t0 = rdtsc();
	apic_write(APIC_TMICT, count ? count : 1);
	while (!fired && wakeups < 100) {
		safe_halt();
		cli();
		wakeups++;
	}
	late = tsc_to_us(fired_tsc - t0);
	check(fired == 1 && wakeups == 1, "%llu us: HLT returned once, woken by the timer (%u wake-ups, %u interrupts)",
	      (unsigned long long)us, wakeups, fired);
	check(late * 10 >= us * 9, "%llu us: the wake-up was not early (timer fired after %llu us)",
	      (unsigned long long)us, (unsigned long long)late);
}

static void pending_hlt(void)
{
	uint64_t t0, took;
	unsigned wakeups = 0;

	printf("HLT with the timer interrupt already pending\n");
	fired = 0;
	apic_write(APIC_LVT_TIMER, TIMER_VECTOR);
	apic_write(APIC_TMICT, 1);
	while (apic_read(APIC_TMCCT))
		cpu_relax();
	udelay(10);
	check(fired == 0, "pending: nothing delivered while interrupts were off");
	t0 = rdtsc();
	while (!fired && wakeups < 100) {
		safe_halt();
		cli();
		wakeups++;
	}
	took = tsc_to_us(rdtsc() - t0);
	check(fired == 1 && wakeups == 1, "pending: sti;hlt took the interrupt and returned (%u wake-ups, %llu us)",
	      wakeups, (unsigned long long)took);
}

void test_main(void)
{
	static const uint64_t durations[] = { 200, 1000, 5000 };
	unsigned rounds = (unsigned)cmdline_u64("rounds", 1);
	uint64_t hz;

	if (!(cpuid(1).d & CPUID1_EDX_APIC))
		skip("no local APIC");
	irq_set_handler(TIMER_VECTOR, timer_irq);
	apic_setup();
	hz = apic_timer_hz();
	if (!hz)
		fail("the LAPIC timer does not count");
	printf("TSC %llu kHz (%s), LAPIC timer %llu Hz\n", (unsigned long long)tsc_khz(), tsc_source(),
	       (unsigned long long)hz);
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned i = 0; i < ARRAY_SIZE(durations); i++)
			timed_hlt(hz, durations[i]);
	pending_hlt();
	apic_timer_stop();
	checks_verdict();
}
