/*
 * bench: the VM-exit round trips `make bench` reports, in guest TSC cycles,
 * median of N (cmdline n=, default 100000) each:
 *   cpuid    CPUID leaf 0: an exit handled by the hypervisor (or, booted
 *            directly by QEMU, the emulated instruction alone: the baseline)
 *   hypercall a null hypercall (xen_version XENVER_version) through the
 *            hypercall page, under Xen/Basalt only
 * With gnttab=M (Xen/Basalt only), M round trips each of, per 4 KiB page:
 *   memcpy4k     a 4 KiB copy inside the guest (rep movsq): the baseline
 *   gntcopy4k    GNTTABOP_copy of 4 KiB from a grant (to ourselves) into
 *                one of our frames, one op per hypercall
 *   gntcopy4k_b16  the same, 16 ops per hypercall (cycles per page)
 * and "BENCH-INFO tsc_khz=<kHz>" for converting cycles to time.
 *   yield    with yield=1 on the command line: SCHEDOP_yield round trips.
 *            Two such domains on one pCPU hand it to each other on every
 *            yield, so one round trip is two context switches and (about)
 *            two hypercalls: bench/sched.py derives the switch cost
 * One line per row: "BENCH <name> median=<cycles> min=<cycles> n=<count>".
 */
#include "guest.h"
#include "xen-gnttab.h"

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

#define GT_GPA 0x80000000ull
#define BATCH 16
static uint8_t src_page[4096] __attribute__((aligned(4096)));
static uint8_t dst_pages[BATCH][4096] __attribute__((aligned(4096)));
static struct gnttab_copy ops[BATCH];

static void copy_4k(void *d, const void *s)
{
	unsigned long n = 512;

	asm volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(n)::"memory");
}

static void gnttab_rows(unsigned m)
{
	struct grant_entry_v1 *gt = (struct grant_entry_v1 *)(uintptr_t)GT_GPA;
	uint16_t self = own_domid();

	if (map_grant_frame(0, GT_GPA))
		fail("add_to_physmap of grant frame 0");
	for (unsigned i = 0; i < sizeof(src_page); i++)
		src_page[i] = (uint8_t)i;
	grant_access(gt, 8, self, (uintptr_t)src_page, true);
	for (unsigned i = 0; i < BATCH; i++)
		ops[i] = (struct gnttab_copy){ .source = { 8, self, 0 },
					       .dest = { (uintptr_t)dst_pages[i] >> 12, 0x7ff0, 0 },
					       .len = 4096,
					       .flags = GNTCOPY_source_gref };
	for (unsigned i = 0; i < m; i++) {
		uint64_t t0 = tsc();

		copy_4k(dst_pages[i % BATCH], src_page);
		samples[i] = (uint32_t)(tsc() - t0);
	}
	row("memcpy4k", m);
	for (unsigned i = 0; i < m; i++) {
		uint64_t t0 = tsc();

		if (gnttab_op(GNTTABOP_copy, &ops[i % BATCH], 1) || ops[i % BATCH].status)
			fail("grant copy: status %d", ops[i % BATCH].status);
		samples[i] = (uint32_t)(tsc() - t0);
	}
	row("gntcopy4k", m);
	for (unsigned i = 0; i < m; i++) {
		uint64_t t0 = tsc();

		if (gnttab_op(GNTTABOP_copy, ops, BATCH))
			fail("grant copy batch");
		samples[i] = (uint32_t)((tsc() - t0) / BATCH);
	}
	for (unsigned i = 0; i < BATCH; i++)
		if (ops[i].status || memcmp(dst_pages[i], src_page, 4096))
			fail("grant copy batch: op %u status %d or wrong data", i, ops[i].status);
	row("gntcopy4k_b16", m);
	printf("BENCH-INFO tsc_khz=%llu\n", (unsigned long long)tsc_khz());
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
		if (cmdline_u64("gnttab", 0))
			gnttab_rows(cmdline_u64("gnttab", 0) < MAX_N ? (unsigned)cmdline_u64("gnttab", 0) : MAX_N);
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
