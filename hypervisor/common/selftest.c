/*
 * Boot self-checks, for the QEMU tests:
 *
 *   selftest   after boot, check that every CPU we expected is online, that
 *              a software timer fires on each of them, that cross-CPU calls
 *              reach every CPU, that spinlocks and rwlocks exclude under
 *              contention from all CPUs, and the arch's checks (TLB
 *              shootdown); then power off with the verdict (reported through
 *              test-exit=<port>).
 */
#include <hv/console.h>
#include <hv/cpumask.h>
#include <hv/init.h>
#include <hv/param.h>
#include <hv/percpu.h>
#include <hv/shutdown.h>
#include <hv/smp.h>
#include <hv/spinlock.h>
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

static unsigned int call_count[NR_CPUS];

static void count_call(void *unused)
{
	call_count[smp_processor_id()]++;
}

static bool check_cross_cpu_calls(void)
{
	unsigned int cpu;
	bool ok = true;

	on_selected_cpus(&cpu_online_map, count_call, NULL, true);
	for_each_online_cpu(cpu)
		if (call_count[cpu] != 1) {
			printk(LOG_ERR "selftest: cross-CPU call ran %u times on CPU %u\n", call_count[cpu], cpu);
			ok = false;
		}
	printk("selftest: cross-CPU call on %u CPUs: %s\n", num_online_cpus(), ok ? "ok" : "FAILED");
	return ok;
}

#define LOCK_ROUNDS 2000
static DEFINE_SPINLOCK(test_lock);
static DEFINE_RWLOCK(test_rwlock);
static unsigned long locked_counter, rw_a, rw_b, rw_torn;

/* Runs on every CPU at once. Plain (non-atomic) increments: only the locks
 * keep them exact, and a reader sees rw_a != rw_b only if the rwlock let it
 * in during a write. */
static void lock_stress(void *unused)
{
	for (unsigned int i = 0; i < LOCK_ROUNDS; i++) {
		spin_lock(&test_lock);
		WRITE_ONCE(locked_counter, READ_ONCE(locked_counter) + 1);
		spin_unlock(&test_lock);
		if (i % 4 == 0) {
			write_lock(&test_rwlock);
			WRITE_ONCE(rw_a, READ_ONCE(rw_a) + 1);
			WRITE_ONCE(rw_b, READ_ONCE(rw_b) + 1);
			write_unlock(&test_rwlock);
		} else {
			read_lock(&test_rwlock);
			if (READ_ONCE(rw_a) != READ_ONCE(rw_b))
				__atomic_fetch_add(&rw_torn, 1, __ATOMIC_RELAXED);
			read_unlock(&test_rwlock);
		}
	}
}

static bool check_locks(void)
{
	unsigned long n = num_online_cpus();
	bool ok;

	on_selected_cpus(&cpu_online_map, lock_stress, NULL, true);
	ok = locked_counter == n * LOCK_ROUNDS && rw_a == n * LOCK_ROUNDS / 4 && rw_b == rw_a && !rw_torn;
	printk("selftest: locks on %lu CPUs: spinlock count %lu/%lu, rwlock writes %lu/%lu, torn reads %lu: %s\n", n,
	       locked_counter, n * LOCK_ROUNDS, rw_a, n * LOCK_ROUNDS / 4, rw_torn, ok ? "ok" : "FAILED");
	return ok;
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
	pass = check_cross_cpu_calls() && pass;
	pass = check_locks() && pass;
	pass = arch_selftest() && pass;
	printk("selftest: %s (%u CPU%s online, %u timer%s fired%s)\n", pass ? "PASS" : "FAIL", online,
	       online == 1 ? "" : "s", fired, fired == 1 ? "" : "s", wrong ? ", some on the wrong CPU" : "");
	machine_power_off(pass ? TEST_EXIT_PASS : TEST_EXIT_FAIL);
}
