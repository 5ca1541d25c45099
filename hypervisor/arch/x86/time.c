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

/* ------------------------------------------------------------ wallclock */

static unsigned int cmos_read(unsigned int reg)
{
	outb((uint8_t)reg, 0x70);
	return inb(0x71);
}

static unsigned int bcd(unsigned int v, bool binary)
{
	return binary ? v : (v & 0xf) + (v >> 4) * 10;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t era;
	unsigned int yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/*
 * The CMOS real-time clock, read once at boot: seconds since 1970 (UTC, as
 * PCs conventionally keep it), or 0 if it reads as nonsense. Guests get the
 * wallclock at system time 0 from it (shared_info).
 */
uint64_t rtc_read_seconds(void)
{
	unsigned int sec, min, hour, day, mon, year, b;
	bool binary;

	for (unsigned int i = 0; i < 1000000 && (cmos_read(0x0a) & 0x80); i++)
		cpu_relax(); /* update in progress */
	sec = cmos_read(0x00), min = cmos_read(0x02), hour = cmos_read(0x04);
	day = cmos_read(0x07), mon = cmos_read(0x08), year = cmos_read(0x09);
	b = cmos_read(0x0b);
	binary = b & 0x04;
	sec = bcd(sec, binary), min = bcd(min, binary), day = bcd(day, binary), mon = bcd(mon, binary);
	year = bcd(year, binary) + 2000;
	if (!(b & 0x02)) { /* 12-hour clock: bit 7 is PM */
		bool pm = hour & 0x80;

		hour = bcd(hour & 0x7f, binary) % 12 + (pm ? 12 : 0);
	} else {
		hour = bcd(hour, binary);
	}
	if (sec > 59 || min > 59 || hour > 23 || !day || day > 31 || !mon || mon > 12)
		return 0;
	return (uint64_t)(days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec);
}
