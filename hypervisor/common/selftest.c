/*
 * Boot self-checks, for the QEMU tests:
 *
 *   selftest   after boot, check that every CPU we expected is online and
 *              that a software timer fires on each of them, then power off
 *              with the verdict (reported through test-exit=<port>).
 */
#include <hv/console.h>
#include <hv/cpumask.h>
#include <hv/init.h>
#include <hv/param.h>
#include <hv/percpu.h>
#include <hv/shutdown.h>
#include <hv/softirq.h>
#include <hv/time.h>
#include <hv/timer.h>

static bool opt_selftest;
boolean_param("selftest", opt_selftest);

static struct timer probes[NR_CPUS];
static s_time_t armed_at[NR_CPUS], fired_at[NR_CPUS];
static unsigned int fired_on[NR_CPUS];

#define PROBE_DELAY MILLISECS(10)

bool selftest_enabled(void)
{
	return opt_selftest;
}

static void probe_fn(void *data)
{
	unsigned int cpu = (unsigned int)(uintptr_t)data;

	fired_on[cpu] = smp_processor_id() + 1;
	WRITE_ONCE(fired_at[cpu], NOW());
}

__noreturn void selftest_run(unsigned int expected_cpus)
{
	unsigned int cpu, online = num_online_cpus(), fired = 0, wrong = 0;
	bool pass = true;
	s_time_t deadline;

	printk("selftest: %u of %u CPUs online\n", online, expected_cpus);
	if (online != expected_cpus)
		pass = false;
	for_each_online_cpu(cpu) {
		init_timer(&probes[cpu], probe_fn, (void *)(uintptr_t)cpu, cpu);
		armed_at[cpu] = NOW();
		set_timer(&probes[cpu], armed_at[cpu] + PROBE_DELAY);
	}
	deadline = NOW() + SECONDS(10);
	for (;;) {
		fired = 0;
		for_each_online_cpu(cpu)
			fired += READ_ONCE(fired_at[cpu]) != 0;
		if (fired == online || NOW() > deadline)
			break;
		process_pending_softirqs();
		__builtin_ia32_pause();
	}
	for_each_online_cpu(cpu) {
		if (!fired_at[cpu]) {
			printk(LOG_ERR "selftest: CPU %u: timer did not fire within 10 s\n", cpu);
			pass = false;
		} else if (fired_on[cpu] != cpu + 1) {
			printk(LOG_ERR "selftest: CPU %u: timer ran on CPU %u\n", cpu, fired_on[cpu] - 1);
			wrong++;
			pass = false;
		} else if (fired_at[cpu] < armed_at[cpu] + PROBE_DELAY - MICROSECS(50)) {
			printk(LOG_ERR "selftest: CPU %u: timer fired %lld us early\n", cpu,
			       (long long)((armed_at[cpu] + PROBE_DELAY - fired_at[cpu]) / 1000));
			pass = false;
		} else {
			printk("selftest: CPU %u: timer fired after %lld us\n", cpu,
			       (long long)((fired_at[cpu] - armed_at[cpu]) / 1000));
		}
	}
	printk("selftest: %s (%u CPUs online, %u timers fired%s)\n", pass ? "PASS" : "FAIL", online, fired,
	       wrong ? ", some on the wrong CPU" : "");
	machine_power_off(pass ? TEST_EXIT_PASS : TEST_EXIT_FAIL);
}
