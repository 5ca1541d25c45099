/*
 * bench: the VM-exit round trips `make bench` reports, in guest TSC cycles,
 * median of N (cmdline n=, default 100000) each:
 *   cpuid    CPUID leaf 0: an exit handled by the hypervisor (or, booted
 *            directly by QEMU, the emulated instruction alone: the baseline)
 *   hypercall a null hypercall (xen_version XENVER_version) through the
 *            hypercall page, under Xen/Basalt only
 *   yield    with yield=1 on the command line: SCHEDOP_yield round trips.
 *            Two such domains on one pCPU hand it to each other on every
 *            yield, so one round trip is two context switches and (about)
 *            two hypercalls: bench/sched.py derives the switch cost
 * One line per row: "BENCH <name> median=<cycles> min=<cycles> n=<count>".
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

#define MAX_N 200000
static uint32_t samples[MAX_N];

static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

/* median by counting sort over a bounded range, then a fallback scan */
static uint32_t median(uint32_t *s, unsigned n, uint32_t *min)
{
	/* a histogram of 0..HMAX-1 cycles; larger ones count as HMAX-1 (an exit
	 * under nested software emulation takes tens of thousands) */
	enum { HMAX = 1 << 20 };
	static uint32_t hist[HMAX];
	unsigned half = n / 2, acc = 0;

	memset(hist, 0, sizeof(hist));
	*min = ~0u;
	for (unsigned i = 0; i < n; i++) {
		uint32_t v = s[i] > HMAX - 1 ? HMAX - 1 : s[i];

		hist[v]++;
		if (s[i] < *min)
			*min = s[i];
	}
	for (unsigned v = 0; v < HMAX; v++) {
		acc += hist[v];
		if (acc > half)
			return v;
	}
	return HMAX - 1;
}

static void row(const char *name, unsigned n)
{
	uint32_t min, med = median(samples, n, &min);

	printf("BENCH %s median=%u min=%u n=%u\n", name, med, min, n);
}

void test_main(void)
{
	unsigned n = (unsigned)cmdline_u64("n", 100000);

	if (n > MAX_N)
		n = MAX_N;
	for (unsigned i = 0; i < n; i++) {
		uint32_t a = 0, b, c = 0, d;
		uint64_t t0 = tsc();

		asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
		samples[i] = (uint32_t)(tsc() - t0);
	}
	row("cpuid", n);
	if (env.xen) {
		for (unsigned i = 0; i < n; i++) {
			uint64_t t0 = tsc();

			hypercall5(17 /* xen_version */, 0 /* XENVER_version */, 0, 0, 0, 0);
			samples[i] = (uint32_t)(tsc() - t0);
		}
		row("hypercall", n);
	}
	if (env.xen && cmdline_u64("yield", 0)) {
		for (unsigned i = 0; i < n; i++) {
			uint64_t t0 = tsc();

			xen_sched_yield();
			samples[i] = (uint32_t)(tsc() - t0);
		}
		row("yield", n);
	}
	pass();
}
