/*
 * System time from the TSC. The TSC rate is measured at boot against the
 * HPET (when ACPI lists one) or else PIT channel 2; NOW() scales the TSC
 * difference from boot with a 32.32 fixed-point multiplier, so no division
 * happens on the fast path. All CPUs share one scale and one origin: this
 * assumes a TSC that is synchronised across CPUs (invariant TSC, or QEMU);
 * the boot log says whether the CPU claims an invariant TSC.
 */
#include <hv/console.h>
#include <hv/lib.h>
#include <hv/time.h>
#include <asm/cpu.h>
#include <asm/page.h>
#include <asm/time.h>
#include <asm/x86.h>

static uint64_t tsc_hz, tsc_at_boot;
static uint64_t ns_to_tsc_mul; /* TSC ticks per ns, 40.24 fixed point */
static uint64_t tsc_to_ns_mul; /* ns per TSC tick, 32.32 fixed point */

#define CALIBRATE_MS 25

#define HPET_CAP 0x000
#define HPET_CFG 0x010
#define HPET_COUNTER 0x0f0

static uint64_t calibrate_hpet(paddr_t base)
{
	volatile uint8_t *h = __va(base);
	uint32_t period_fs = (uint32_t)(*(volatile uint64_t *)(h + HPET_CAP) >> 32);
	uint64_t hpet_ticks, c0, c1, t0, t1;

	if (!period_fs || period_fs > 100000000) { /* spec: at most 100 ns */
		printk(LOG_WARN "time: HPET period %u fs is invalid, using the PIT\n", period_fs);
		return 0;
	}
	*(volatile uint64_t *)(h + HPET_CFG) |= 1; /* enable the main counter */
	hpet_ticks = (uint64_t)CALIBRATE_MS * 1000000000000ULL / period_fs;
	c0 = *(volatile uint64_t *)(h + HPET_COUNTER);
	t0 = rdtsc_ordered();
	do {
		c1 = *(volatile uint64_t *)(h + HPET_COUNTER);
	} while (c1 - c0 < hpet_ticks);
	t1 = rdtsc_ordered();
	/* scale by the time actually elapsed (fs -> ns keeps it in 64 bits) */
	return (t1 - t0) * 1000000000ULL / ((c1 - c0) * period_fs / 1000000);
}

static uint64_t calibrate_pit(void)
{
	const uint32_t pit_hz = 1193182;
	uint32_t count = pit_hz * CALIBRATE_MS / 1000;
	uint64_t t0, t1;

	/* channel 2, gate on, speaker off; mode 0 (interrupt on terminal count) */
	outb((uint8_t)((inb(0x61) & ~0x02) | 0x01), 0x61);
	outb(0xb0, 0x43);
	outb((uint8_t)count, 0x42);
	outb((uint8_t)(count >> 8), 0x42);
	t0 = rdtsc_ordered();
	for (uint64_t spins = 0; !(inb(0x61) & 0x20); spins++)
		if (spins > 100000000ULL)
			panic("time: PIT channel 2 never counted down; no usable time source");
	t1 = rdtsc_ordered();
	return (t1 - t0) * 1000 / CALIBRATE_MS;
}

void time_init(paddr_t hpet_base)
{
	const char *src = "HPET";

	tsc_hz = hpet_base ? calibrate_hpet(hpet_base) : 0;
	if (!tsc_hz) {
		src = "PIT";
		tsc_hz = calibrate_pit();
	}
	if (tsc_hz < 1000000)
		panic("time: TSC runs at %llu Hz, too slow to keep time", (unsigned long long)tsc_hz);
	tsc_to_ns_mul = (1000000000ULL << 32) / tsc_hz;
	ns_to_tsc_mul = (tsc_hz << 24) / 1000000000ULL;
	tsc_at_boot = rdtsc();
	printk("time: TSC %llu.%03llu MHz (calibrated against the %s)%s\n", (unsigned long long)(tsc_hz / 1000000),
	       (unsigned long long)(tsc_hz / 1000 % 1000), src, cpu_has_invariant_tsc ? ", invariant" : "");
}

s_time_t NOW(void)
{
	uint64_t d = rdtsc() - tsc_at_boot;

	if (!tsc_hz)
		return 0; /* before calibration */
	return (s_time_t)(((unsigned __int128)d * tsc_to_ns_mul) >> 32);
}

uint64_t ns_to_tsc(s_time_t ns)
{
	return tsc_at_boot + (uint64_t)(((unsigned __int128)(uint64_t)ns * ns_to_tsc_mul) >> 24);
}

s_time_t tsc_to_ns(uint64_t tsc)
{
	return (s_time_t)(((unsigned __int128)(tsc - tsc_at_boot) * tsc_to_ns_mul) >> 32);
}

uint64_t cpu_khz_tsc(void)
{
	return tsc_hz / 1000;
}

void udelay(unsigned long us)
{
	uint64_t start = rdtsc(), ticks = (uint64_t)us * tsc_hz / 1000000;

	while (rdtsc() - start < ticks)
		cpu_relax();
}

void mdelay(unsigned long ms)
{
	while (ms--)
		udelay(1000);
}
