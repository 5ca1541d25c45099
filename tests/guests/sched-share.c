/*
 * sched-share: a CPU-bound guest that measures the share of its pCPU the
 * scheduler gives it, from its own runstate area
 * (VCPUOP_register_runstate_memory_area), and judges it:
 *
 *   share = running / (running + runnable)
 *
 * over a window between two moments the vCPU was put on its pCPU (so both
 * ends are exact state_entry_time values; no guest clock is involved).
 * Command line:
 *   share=P     the expected share in percent (required unless judge=0)
 *   judge=0     report the share without judging it (a load generator
 *               beside another test; the window must still see a switch)
 *   tol=T       tolerance in percentage points (default 5)
 *   ms=N        the window, ms of system time (default 2000)
 *   warmup=N    ms of spinning before the window opens (default 300)
 *   tail=N      ms of spinning after it (default 1000), so that a domain
 *               started a little later still measures under contention
 * A window without a single descheduling (nothing competes, no cap) fails:
 * there is nothing to measure. Xen/Basalt only (SKIP without).
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

#define VCPU_OP 24
#define VCPUOP_register_runstate_memory_area 5

struct runstate {
	int32_t state;
	uint32_t pad;
	uint64_t state_entry_time;
	uint64_t time[4]; /* running, runnable, blocked, offline */
};

static volatile struct runstate rs;

/* The hypervisor rewrites the area while the vCPU is off its pCPU; read
 * until two copies agree. */
static struct runstate snap(void)
{
	struct runstate a, b;

	do {
		memcpy(&a, (const void *)&rs, sizeof(a));
		barrier();
		memcpy(&b, (const void *)&rs, sizeof(b));
	} while (memcmp(&a, &b, sizeof(a)));
	return a;
}

static void spin_ms(uint64_t ms)
{
	uint64_t end = rdtsc() + us_to_tsc(ms * 1000);

	while (rdtsc() < end)
		cpu_relax();
}

void test_main(void)
{
	uint64_t want = cmdline_u64("share", 0), tol = cmdline_u64("tol", 5);
	uint64_t window = cmdline_u64("ms", 2000) * 1000000ull;
	uint64_t guard, run, wait, other, permille;
	struct runstate a, b;
	uint64_t addr = (uint64_t)(uintptr_t)&rs;
	long rc;

	if (!env.xen)
		skip("needs Xen's runstate area");
	bool judge = cmdline_u64("judge", 1) != 0;

	if (judge && (!want || want > 100))
		fail("share=<percent> missing on the command line");
	rc = hypercall3(VCPU_OP, VCPUOP_register_runstate_memory_area, 0, &addr);
	if (rc)
		fail("register_runstate_memory_area: %ld", rc);
	spin_ms(cmdline_u64("warmup", 300));
	a = snap();
	/* a wall-clock guard: four windows' worth */
	guard = rdtsc() + us_to_tsc(4 * window / 1000);
	do {
		cpu_relax();
		b = snap();
		if (rdtsc() > guard)
			fail("no runstate change for %llu ms: nothing to measure (running alone, uncapped?); TSC %llu "
			     "kHz "
			     "(%s)",
			     (unsigned long long)(4 * window / 1000000), (unsigned long long)tsc_khz(), tsc_source());
	} while (b.state_entry_time - a.state_entry_time < window);
	run = b.time[0] - a.time[0];
	wait = b.time[1] - a.time[1];
	other = b.time[2] - a.time[2] + b.time[3] - a.time[3];
	permille = run + wait ? run * 1000 / (run + wait) : 0;
	printf("share: running %llu ms, runnable %llu ms, blocked/offline %llu ms over %llu ms: %llu.%llu%% ",
	       (unsigned long long)(run / 1000000), (unsigned long long)(wait / 1000000),
	       (unsigned long long)(other / 1000000),
	       (unsigned long long)((b.state_entry_time - a.state_entry_time) / 1000000),
	       (unsigned long long)(permille / 10), (unsigned long long)(permille % 10));
	if (judge)
		printf("(expected %llu%% +- %llu)\n", (unsigned long long)want, (unsigned long long)tol);
	else
		printf("(not judged)\n");
	spin_ms(cmdline_u64("tail", 1000));
	check(!judge || (permille + tol * 10 >= want * 10 && permille <= want * 10 + tol * 10),
	      "share %llu.%llu%% within %llu +- %llu", (unsigned long long)(permille / 10),
	      (unsigned long long)(permille % 10), (unsigned long long)want, (unsigned long long)tol);
	check(other < window / 100, "not blocked or offline in the window (%llu ms)",
	      (unsigned long long)(other / 1000000));
	checks_verdict();
}
