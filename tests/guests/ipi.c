/*
 * ipi: inter-processor interrupts (needs >= 2 vCPUs, SKIP otherwise).
 *  - every other CPU in the MADT is started with INIT-SIPI-SIPI and checks
 *    in (its LAPIC ID must be the MADT's; under Xen the HVM CPUID leaf's
 *    vCPU id, if given, must match its position);
 *  - fixed IPIs boot CPU -> each AP and each AP -> boot CPU;
 *  - self-IPI on every CPU;
 *  - all-but-self broadcasts, from the boot CPU and from an AP: everyone
 *    else gets exactly one, the sender none;
 * first in xAPIC mode, then again with every CPU in x2APIC mode if CPUID
 * offers it. APs sleep in HLT between commands and are woken by an IPI.
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

enum {
	VEC_TO_AP = 0x50,
	VEC_TO_BSP,
	VEC_SELF,
	VEC_BROADCAST,
	VEC_KICK, /* wakes an AP to look at its mailbox */
};
#define NR_COUNTED 4

enum ap_cmd {
	CMD_SEND_TO_BSP,
	CMD_SELF_IPI,
	CMD_BROADCAST,
	CMD_X2APIC,
};

static const char *const cmd_names[] = { "send to cpu 0", "self-IPI", "all-but-self", "x2APIC on" };

struct mailbox {
	volatile unsigned seq, done;
	volatile int cmd;
	volatile uint32_t apic_id; /* what the AP's own LAPIC says */
	volatile int32_t vcpu_id;  /* from the Xen HVM leaf, -1 if absent */
};

static volatile unsigned counts[MAX_CPUS][NR_COUNTED];
static struct mailbox mbox[MAX_CPUS];

static void counted_irq(struct regs *r)
{
	__atomic_add_fetch(&counts[this_cpu()->idx][r->vector - VEC_TO_AP], 1, __ATOMIC_SEQ_CST);
}

static void kick_irq(struct regs *r)
{
}

static bool wait_for(volatile unsigned *p, unsigned want, uint64_t us)
{
	uint64_t end = rdtsc() + us_to_tsc(us);
	unsigned long flags = read_flags();

	sti();
	while (READ_ONCE(*p) < want && (int64_t)(rdtsc() - end) < 0)
		cpu_relax();
	if (!(flags & X86_FLAGS_IF))
		cli();
	return READ_ONCE(*p) >= want;
}

static void ap_run(struct cpu *c, int cmd)
{
	switch (cmd) {
	case CMD_SEND_TO_BSP:
		apic_send_ipi(env.cpu_apic_id[0], APIC_ICR_FIXED | VEC_TO_BSP);
		break;
	case CMD_SELF_IPI:
		apic_self_ipi(VEC_SELF);
		wait_for(&counts[c->idx][VEC_SELF - VEC_TO_AP], 1, 1000000);
		break;
	case CMD_BROADCAST:
		apic_send_ipi(0, APIC_DEST_ALL_BUT_SELF | APIC_ICR_FIXED | VEC_BROADCAST);
		break;
	case CMD_X2APIC:
		apic_enable_x2apic();
		break;
	}
}

static void ap_loop(struct cpu *c)
{
	struct mailbox *m = &mbox[c->idx];

	m->apic_id = apic_id();
	m->vcpu_id = -1;
	if (env.xen && env.xen_max_leaf >= env.xen_base + 4) {
		struct cpuid_regs r = cpuid(env.xen_base + 4);

		if (r.a & XEN_HVM_CPUID_VCPU_ID_PRESENT)
			m->vcpu_id = (int32_t)r.b;
	}
	printf("cpu %u: online, LAPIC ID %u\n", c->idx, m->apic_id);
	for (;;) {
		unsigned seq;

		cli();
		seq = m->seq;
		if (seq == m->done) {
			safe_halt(); /* a kick or any other IPI wakes us */
			continue;
		}
		sti();
		ap_run(c, m->cmd);
		m->done = seq;
	}
}

static bool ap_command(unsigned cpu, int cmd)
{
	struct mailbox *m = &mbox[cpu];
	unsigned seq = m->seq + 1;

	m->cmd = cmd;
	__atomic_store_n(&m->seq, seq, __ATOMIC_SEQ_CST);
	apic_send_ipi(env.cpu_apic_id[cpu], APIC_ICR_FIXED | VEC_KICK);
	return check(wait_for(&m->done, seq, 2000000), "cpu %u ran the command \"%s\"", cpu, cmd_names[cmd]);
}

static void reset_counts(void)
{
	udelay(100); /* nothing should be in flight; let stragglers land */
	memset((void *)counts, 0, sizeof(counts));
}

static void check_counts(const char *what, const unsigned *want, unsigned slot)
{
	for (unsigned i = 0; i < smp_online; i++)
		if (want[i])
			wait_for(&counts[i][slot], want[i], 1000000);
	udelay(200); /* and nothing extra arrives */
	for (unsigned i = 0; i < smp_online; i++)
		check(counts[i][slot] == want[i], "%s: cpu %u got %u (expected %u)", what, i, counts[i][slot], want[i]);
}

static void run_ipis(const char *mode)
{
	unsigned n = smp_online;
	unsigned want[MAX_CPUS] = { 0 };

	printf("%s: IPIs among %u CPUs\n", mode, n);

	/* boot CPU -> each AP */
	reset_counts();
	for (unsigned i = 1; i < n; i++) {
		apic_send_ipi(env.cpu_apic_id[i], APIC_ICR_FIXED | VEC_TO_AP);
		check(wait_for(&counts[i][0], 1, 1000000), "%s: fixed IPI cpu 0 -> cpu %u arrived", mode, i);
	}

	/* each AP -> boot CPU */
	reset_counts();
	for (unsigned i = 1; i < n; i++) {
		if (!ap_command(i, CMD_SEND_TO_BSP))
			continue;
		check(wait_for(&counts[0][1], i, 1000000), "%s: fixed IPI cpu %u -> cpu 0 arrived", mode, i);
	}

	/* self-IPIs */
	reset_counts();
	apic_self_ipi(VEC_SELF);
	for (unsigned i = 1; i < n; i++)
		ap_command(i, CMD_SELF_IPI);
	for (unsigned i = 0; i < n; i++)
		want[i] = 1;
	check_counts("self-IPI", want, VEC_SELF - VEC_TO_AP);

	/* all-but-self from the boot CPU */
	reset_counts();
	apic_send_ipi(0, APIC_DEST_ALL_BUT_SELF | APIC_ICR_FIXED | VEC_BROADCAST);
	for (unsigned i = 0; i < n; i++)
		want[i] = i != 0;
	check_counts("all-but-self from cpu 0", want, VEC_BROADCAST - VEC_TO_AP);

	/* all-but-self from the last AP */
	reset_counts();
	ap_command(n - 1, CMD_BROADCAST);
	for (unsigned i = 0; i < n; i++)
		want[i] = i != n - 1;
	check_counts("all-but-self from the last AP", want, VEC_BROADCAST - VEC_TO_AP);
}

void test_main(void)
{
	unsigned n;

	if (env.nr_cpus < 2)
		skip("needs at least 2 vCPUs, the MADT lists %u%s%s", env.nr_cpus, env.acpi_note ? "; ACPI: " : "",
		     env.acpi_note ? env.acpi_note : "");
	for (unsigned v = VEC_TO_AP; v < VEC_TO_AP + NR_COUNTED; v++)
		irq_set_handler(v, counted_irq);
	irq_set_handler(VEC_KICK, kick_irq);
	apic_setup();

	n = smp_start(ap_loop);
	check(n == env.nr_cpus, "all %u CPUs came up (%u online)", env.nr_cpus, n);
	if (n < 2)
		checks_verdict();
	udelay(1000); /* let the APs fill in their mailboxes */
	for (unsigned i = 1; i < n; i++) {
		check(mbox[i].apic_id == env.cpu_apic_id[i], "cpu %u: LAPIC ID %u is the MADT's %u", i, mbox[i].apic_id,
		      env.cpu_apic_id[i]);
		if (mbox[i].vcpu_id >= 0)
			check_xen(mbox[i].vcpu_id == (int32_t)i, "cpu %u: the HVM CPUID leaf says vCPU %d", i,
				  mbox[i].vcpu_id);
	}

	run_ipis(this_cpu()->x2apic ? "x2APIC" : "xAPIC");
	if (!this_cpu()->x2apic && x2apic_supported()) {
		for (unsigned i = 1; i < n; i++)
			ap_command(i, CMD_X2APIC);
		apic_enable_x2apic();
		run_ipis("x2APIC");
	} else if (!x2apic_supported()) {
		printf("x2APIC: not offered by CPUID, skipped\n");
	}
	checks_verdict();
}
