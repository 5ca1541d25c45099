/*
 * Starting the other CPUs the MADT lists, the way firmware and kernels do
 * on real hardware: INIT (assert, and de-assert in xAPIC mode), then two
 * STARTUP IPIs whose vector is the page number of the real-mode trampoline
 * (lib/trampoline.S) copied below 1 MiB. The AP goes real -> protected
 * (-> long) mode on its own stack and checks in through smp_online. One AP
 * at a time, because they share ap_boot_sp.
 */
#include "guest.h"

volatile unsigned smp_online = 1;
static ap_fn_t ap_fn;
static volatile unsigned ap_restarts;
extern const char tramp_start[], tramp_end[];

void ap_main(void)
{
	struct cpu *c = this_cpu();

	traps_init_cpu();
	fpu_init();
	apic_setup();
	if (c->online) /* a second STARTUP must be ignored by a running CPU */
		__atomic_add_fetch(&ap_restarts, 1, __ATOMIC_SEQ_CST);
	c->online = true;
	cpus[c->idx] = c;
	__atomic_add_fetch(&smp_online, 1, __ATOMIC_SEQ_CST);
	if (ap_fn)
		ap_fn(c);
	for (;;)
		safe_halt();
}

static bool wait_online(unsigned want, uint64_t us)
{
	uint64_t end = rdtsc() + us_to_tsc(us);

	while (READ_ONCE(smp_online) < want)
		if ((int64_t)(rdtsc() - end) > 0)
			return false;
	return true;
}

unsigned smp_start(ap_fn_t fn)
{
	uint32_t page;

	if (env.nr_cpus < 2)
		return 1;
	page = lowmem_alloc_page();
	if (!page) {
		printf("smp: no free page below 1 MiB for the trampoline\n");
		return 1;
	}
	memcpy((void *)(uintptr_t)page, tramp_start, (size_t)(tramp_end - tramp_start));
	apic_setup();
	ap_fn = fn;

	for (unsigned i = 1; i < env.nr_cpus; i++) {
		struct cpu *c = (struct cpu *)cpu_stacks[i];
		uint32_t id = env.cpu_apic_id[i];
		unsigned want = smp_online + 1;

		memset(c, 0, sizeof(*c));
		c->idx = i;
		c->apic_id = id;
		c->fault.vector = -1;
		ap_boot_sp = (uint32_t)(uintptr_t)(cpu_stacks[i] + STACK_SIZE);
		barrier();

		apic_send_ipi(id, APIC_ICR_INIT | APIC_ICR_LEVEL | APIC_ICR_ASSERT);
		if (!this_cpu()->x2apic) /* x2APIC has no INIT de-assert */
			apic_send_ipi(id, APIC_ICR_INIT | APIC_ICR_LEVEL);
		udelay(10000);
		apic_send_ipi(id, APIC_ICR_STARTUP | (page >> 12));
		udelay(200);
		apic_send_ipi(id, APIC_ICR_STARTUP | (page >> 12));
		if (!wait_online(want, 2000000))
			printf("smp: CPU %u (APIC ID %u) did not come up\n", i, id);
	}
	udelay(1000);
	if (ap_restarts)
		printf("smp: %u AP(s) started twice (a STARTUP IPI restarted a running CPU)\n", ap_restarts);
	return smp_online;
}
