/*
 * TSC frequency, found on first use, in this order:
 *  1. Xen's time leaf (base+3, sub-leaf 0, ecx = guest TSC kHz);
 *  2. CPUID 0x15 (crystal ratio) or 0x16 (base MHz);
 *  3. without Xen: the PIT's channel 2 gate (legacy PC hardware, as QEMU has);
 *  4. under Xen with no time leaf: the LAPIC timer, whose clock Xen's (and
 *     Basalt's) virtual LAPIC runs at 1 GHz.
 * Delays spin on the TSC.
 */
#include "guest.h"

static uint64_t khz;
static const char *source = "not calibrated";

static uint64_t pit_once(void)
{
	const unsigned ms = 5;
	const uint16_t count = (uint16_t)(1193182u * ms / 1000);
	uint8_t gate = inb(0x61);
	uint64_t t0, t1;
	unsigned spins = 0;

	outb(0x61, (gate & ~0x02) | 0x01); /* speaker off, gate on */
	outb(0x43, 0xb0);		   /* channel 2, lobyte/hibyte, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20)) { /* OUT2 goes high at terminal count */
		if (++spins > 50000000)
			return 0;
	}
	t1 = rdtsc();
	outb(0x61, gate);
	return (t1 - t0) / ms;
}

/* Under emulation the guest can be descheduled mid-measurement, which only
 * ever makes a run too long: keep the shortest of a few. */
static uint64_t calibrate_pit(void)
{
	uint64_t best = 0;

	for (unsigned i = 0; i < 5; i++) {
		uint64_t k = pit_once();

		if (k && (!best || k < best))
			best = k;
	}
	return best;
}

/* TSC ticks per ms against the LAPIC timer at 1 GHz (Xen's virtual LAPIC
 * clock); the shortest of a few 1 ms windows, as for the PIT. */
static uint64_t calibrate_apic(void)
{
	const uint32_t start = 0xffffffff, span = 1000000; /* 1 ms at 1 GHz */
	uint32_t lvt = apic_read(APIC_LVT_TIMER);
	uint64_t best = 0;

	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | 0xef);
	apic_write(APIC_TDCR, APIC_TDCR_DIV1);
	for (unsigned i = 0; i < 5; i++) {
		uint32_t c0;
		uint64_t t0, t1;

		apic_write(APIC_TMICT, start);
		/* TSC first: a descheduling between the two reads then only
		 * makes this window longer (the other order would make it
		 * look almost empty and the TSC far too slow) */
		t0 = rdtsc();
		c0 = apic_read(APIC_TMCCT);
		while (apic_read(APIC_TMCCT) > c0 - span)
			;
		t1 = rdtsc();
		if (!best || t1 - t0 < best)
			best = t1 - t0;
	}
	apic_write(APIC_TMICT, 0);
	apic_write(APIC_LVT_TIMER, lvt);
	return best;
}

uint64_t tsc_khz(void)
{
	struct cpuid_regs r;

	if (khz)
		return khz;
	if (env.xen && env.xen_max_leaf >= env.xen_base + 3) {
		r = cpuid_count(env.xen_base + 3, 0);
		if (r.c) {
			khz = r.c;
			source = "Xen time leaf";
			return khz;
		}
	}
	if (cpuid_max_basic() >= 0x15) {
		r = cpuid(0x15);
		if (r.a && r.b && r.c) {
			khz = (uint64_t)r.c * r.b / r.a / 1000;
			source = "CPUID 0x15";
			return khz;
		}
	}
	if (cpuid_max_basic() >= 0x16 && (cpuid(0x16).a & 0xffff)) {
		khz = (uint64_t)(cpuid(0x16).a & 0xffff) * 1000;
		source = "CPUID 0x16";
		return khz;
	}
	if (!env.xen) {
		khz = calibrate_pit();
		source = "PIT channel 2";
	}
	if (!khz) {
		apic_setup();
		khz = calibrate_apic();
		source = "LAPIC timer at an assumed 1 GHz";
	}
	if (!khz) {
		khz = 1000000;
		source = "a guess of 1 GHz";
	}
	return khz;
}

const char *tsc_source(void)
{
	return source;
}

uint64_t us_to_tsc(uint64_t us)
{
	return us * tsc_khz() / 1000;
}

uint64_t tsc_to_us(uint64_t ticks)
{
	return ticks * 1000 / tsc_khz();
}

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + us_to_tsc(us);

	while ((int64_t)(rdtsc() - end) < 0)
		cpu_relax();
}
