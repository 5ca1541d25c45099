/*
 * hostile: a deliberately badly behaved guest. Whatever it does, the HOST
 * must survive; the hypervisor may well crash this domain on the way
 * (expected ending under Basalt: crash or poweroff, both fine).
 *
 * For a bounded time (seconds=N, split evenly over the phases) it runs,
 * in this order:
 *  h  random hypercalls: random numbers (a few that would only end or
 *     stall this guest are left out, and console_io/sched_op get only bad
 *     pointers or invalid sub-ops, unless hc_all=1) with random arguments:
 *     small values, -1, random 64-bit values, pointers to random bytes,
 *     pointers to unbacked addresses (Xen/Basalt only);
 *  i  self-IPI storms: bursts of fixed self-IPIs on random vectors
 *     (mostly 32..254, sometimes the illegal 0..15), through the ICR with
 *     the self shorthand, the ICR with our own ID and, in x2APIC mode, the
 *     SELF_IPI MSR; delivered with interrupts enabled, counted;
 *  x  random instructions: random bytes (biased towards the 0f and 0f 01
 *     opcode maps) executed in ring 3 with random register values and a
 *     LAPIC watchdog timer; every exception is caught and counted
 *     (ring0=1 runs them in ring 0 instead, which can take the guest down);
 *  m  wild memory accesses: reads and writes of random sizes at random
 *     guest-physical addresses beyond RAM, in the 3-4 GiB hole and in free
 *     RAM (never our own image; writes never into the LAPIC/IOAPIC/HPET
 *     range or into non-RAM ranges the memory map lists).
 * Then it prints the counts and powers off with PASS.
 * Options: seed=N (default 1), seconds=N (default 2), phases=LETTERS
 * (default hixm), hc_all=1, ring0=1.
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

#define WATCHDOG_VECTOR 0xe0
#define SANDBOX_BYTES 24
#define NR_WINDOWS 6
#define GIB (1ull << 30)

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));

void sandbox_enter(uint64_t rip, uint64_t rsp, uint64_t rflags, const uint64_t *gprs, void *rsp0_slot, uint64_t cs,
		   uint64_t ss);

static struct tss64 tss __attribute__((aligned(16)));
static uint8_t sandbox_code[4096] __attribute__((aligned(4096)));
static uint8_t sandbox_stack[4096] __attribute__((aligned(4096)));
static uint8_t scratch[4096] __attribute__((aligned(4096)));
static uint64_t rng;
static unsigned long exc_count[32];
static volatile unsigned long storm_received, watchdog_fired;
static uint64_t windows[NR_WINDOWS];

static uint64_t rnd(void)
{
	return prng_next(&rng);
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void count_exception(int v)
{
	if (v >= 0 && v < 32)
		exc_count[v]++;
}

static void print_exceptions(const char *phase)
{
	char buf[256];
	int n = 0;

	for (unsigned v = 0; v < 32 && n < (int)sizeof(buf) - 24; v++) {
		if (exc_count[v])
			n += snprintf(buf + n, sizeof(buf) - n, " %s:%lu", exc_name(v), exc_count[v]);
		exc_count[v] = 0;
	}
	printf("hostile: %s: exceptions:%s\n", phase, n ? buf : " none");
}

static bool time_left(uint64_t deadline)
{
	return (int64_t)(rdtsc() - deadline) < 0;
}

/* ------------------------------------------------------------------ h: hypercalls */
static bool hc_excluded(unsigned nr)
{
	/* sched_op_compat, platform_op, multicall, vcpu_op, sysctl, domctl,
	 * kexec_op: they can stop, stall or power off this guest (or, in a
	 * privileged domain, the machine), which ends the test early rather
	 * than exercising anything. console_io and sched_op go through
	 * shape_call() instead. */
	static const unsigned list[] = { 6, 7, 13, 24, 35, 36, 37 };

	for (unsigned i = 0; i < ARRAY_SIZE(list); i++)
		if (nr == list[i])
			return true;
	return false;
}

static unsigned long random_arg(void)
{
	switch (rnd_below(8)) {
	case 0:
		return 0;
	case 1:
	case 2:
		return rnd_below(64); /* sub-op numbers */
	case 3:
		return (unsigned long)-1;
	case 4:
		return (unsigned long)rnd();
	case 5:
	case 6:
		return (uintptr_t)scratch + rnd_below(sizeof(scratch) - 64);
	default:
		return (unsigned long)(0x7f0000000ull + rnd_below(1ull << 30)); /* unbacked */
	}
}

struct hc_call {
	unsigned nr;
	unsigned long a[5];
	long ret;
};

static unsigned long bad_pointer(void)
{
	switch (rnd_below(env.nr_memmap ? 3 : 2)) {
	case 0:
		return (unsigned long)(0x7f0000000ull + rnd_below(1ull << 30)); /* unbacked */
	case 1:
		return (unsigned long)(0x8000000000000000ull | rnd()); /* non-canonical */
	default:
		return (unsigned long)(ram_end() - 1 - rnd_below(3)); /* straddles the end of RAM */
	}
}

/* console_io and sched_op are exercised only in ways that neither flood
 * the log with random bytes nor end, block or reboot the guest: their
 * pointers are bad ones (the hypervisor must refuse them) or their
 * sub-ops invalid. */
static void shape_call(struct hc_call *c)
{
	if (c->nr == __HYPERVISOR_console_io) {
		if (c->a[0] == CONSOLEIO_write || rnd_below(2))
			c->a[2] = bad_pointer();
	} else if (c->nr == __HYPERVISOR_sched_op) {
		switch (rnd_below(3)) {
		case 0:
			c->a[0] = SCHEDOP_yield;
			break;
		case 1:
			c->a[0] = SCHEDOP_shutdown;
			c->a[1] = bad_pointer();
			break;
		default:
			c->a[0] = 8 + rnd_below(1000); /* no such sub-op */
			break;
		}
	}
}

static void hc_one(void *p)
{
	struct hc_call *c = p;

	c->ret = hypercall5(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4]);
}

static void phase_hypercalls(uint64_t deadline)
{
	bool all = cmdline_u64("hc_all", 0);
	unsigned long calls = 0, ok = 0, enosys = 0, efault = 0, other = 0;

	if (!env.xen) {
		printf("hostile: hypercalls: skipped, no Xen/Basalt\n");
		return;
	}
	while (time_left(deadline)) {
		struct hc_call c;
		uint64_t pick = rnd_below(100);
		int v;

		c.nr = pick < 80 ? (unsigned)rnd_below(64) : pick < 95 ? (unsigned)rnd_below(1024) : (unsigned)rnd();
		if (!all && hc_excluded(c.nr))
			continue;
		for (unsigned i = 0; i < 5; i++)
			c.a[i] = random_arg();
		if (!all)
			shape_call(&c);
		if (calls % 64 == 0)
			for (unsigned i = 0; i < sizeof(scratch); i += 8) {
				uint64_t r = rnd();

				memcpy(scratch + i, &r, 8);
			}
		v = catch_run(hc_one, &c);
		calls++;
		if (v >= 0)
			count_exception(v);
		else if (c.ret == 0)
			ok++;
		else if (c.ret == -XEN_ENOSYS)
			enosys++;
		else if (c.ret == -XEN_EFAULT)
			efault++;
		else
			other++;
	}
	printf("hostile: hypercalls: %lu calls: %lu returned 0, %lu -ENOSYS, %lu -EFAULT, %lu other\n", calls, ok,
	       enosys, efault, other);
	print_exceptions("hypercalls");
}

/* ------------------------------------------------------------------ i: IPI storms */
static void storm_irq(struct regs *r)
{
	storm_received++;
}

static void storm_window(void *unused)
{
	sti();
	udelay(2);
	cli();
}

static void phase_ipi_storm(uint64_t deadline)
{
	unsigned long sent = 0, bursts = 0, illegal_delivered = 0;
	uint32_t esr_seen = 0;
	bool switched = false;

	apic_setup();
	irq_tolerate_unexpected(true);
	for (unsigned v = 32; v < 255; v++)
		irq_set_handler(v, storm_irq);
	storm_received = 0;
	while (time_left(deadline)) {
		unsigned burst = 1 + (unsigned)rnd_below(64);

		if (!switched && x2apic_supported() && rnd_below(1000) == 0)
			switched = apic_enable_x2apic(); /* later bursts use the MSRs */
		cli();
		for (unsigned b = 0; b < burst; b++) {
			unsigned vec = rnd_below(10) ? 32 + (unsigned)rnd_below(255 - 32) : (unsigned)rnd_below(16);

			switch (rnd_below(3)) {
			case 0:
				apic_self_ipi(vec);
				break;
			case 1:
				apic_send_ipi(0, APIC_DEST_SELF | vec);
				break;
			default:
				apic_send_ipi(this_cpu()->apic_id, vec);
				break;
			}
			sent++;
		}
		/* Any exception vector seen here is an IPI the LAPIC should have
		 * refused (vectors 0-15) but delivered; unwinding also copes with
		 * the frame of a vector that normally carries an error code. */
		if (catch_run(storm_window, NULL) >= 0) {
			illegal_delivered++;
			apic_eoi();
		}
		apic_write(APIC_ESR, 0);
		esr_seen |= apic_read(APIC_ESR);
		bursts++;
	}
	/* Let whatever is still pending land before the next phase. */
	for (unsigned i = 0; i < 64 && catch_run(storm_window, NULL) >= 0; i++) {
		illegal_delivered++;
		apic_eoi();
	}
	printf("hostile: IPI storm: %lu self-IPIs in %lu bursts, %lu interrupts taken, ESR bits seen %#x%s\n", sent,
	       bursts, storm_received, esr_seen, switched ? ", part in x2APIC mode" : "");
	if (illegal_delivered)
		printf("hostile: IPI storm: note: %lu IPI(s) on illegal vectors 0-15 were delivered (a LAPIC must "
		       "refuse "
		       "them)\n",
		       illegal_delivered);
	for (unsigned v = 32; v < 255; v++)
		irq_set_handler(v, NULL);
}

/* ------------------------------------------------------------------ x: random instructions */
/* The 1 ms LAPIC timer armed for each sandbox run: if it fires while the
 * run is still going (the catch is armed), abandon the run. The EOI must
 * be sent here because unwinding skips the framework's. */
static void watchdog_irq(struct regs *r)
{
	struct cpu *c = this_cpu();
	struct catch_buf *b = c->catch;

	if (!b)
		return; /* the run had already ended */
	watchdog_fired++;
	apic_eoi();
	c->catch = NULL;
	c->fault.vector = -2;
	catch_resume(b);
}

static void tss_install(void)
{
	uint64_t base = (uintptr_t)&tss, limit = sizeof(tss) - 1;

	tss.iomap_base = sizeof(tss); /* no I/O bitmap: ring 3 port I/O is #GP */
	gdt[SEL_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 | ((limit >> 16) & 0xf) << 48 |
			   ((base >> 24) & 0xff) << 56;
	gdt[SEL_TSS / 8 + 1] = base >> 32;
	asm volatile("ltr %w0" ::"r"(SEL_TSS));
}

static uint64_t random_reg(void)
{
	switch (rnd_below(6)) {
	case 0:
		return rnd_below(256);
	case 1:
		return (uintptr_t)sandbox_stack + rnd_below(sizeof(sandbox_stack));
	case 2:
		return (uintptr_t)sandbox_code + rnd_below(sizeof(sandbox_code));
	case 3:
		return (uintptr_t)__image_start + rnd_below(0x10000); /* supervisor: #PF from ring 3 */
	case 4:
		return 0x8000000000000000ull | rnd(); /* mostly non-canonical */
	default:
		return rnd();
	}
}

struct sandbox_run {
	uint64_t gprs[15];
	uint64_t rflags, cs, ss;
};

static void sandbox_one(void *p)
{
	struct sandbox_run *s = p;

	apic_write(APIC_TMICT, (uint32_t)(apic_timer_hz() / 1000)); /* 1 ms watchdog */
	/* Exceptions land just below the IRETQ frame sandbox_enter builds here:
	 * through RSP0 from ring 3, through IST1 in ring 0 (where the random
	 * code may have wrecked %rsp). */
	sandbox_enter((uintptr_t)sandbox_code, (uintptr_t)sandbox_stack + sizeof(sandbox_stack) - 64, s->rflags,
		      s->gprs,
		      (uint8_t *)&tss + (s->cs == SEL_CODE64 ? __builtin_offsetof(struct tss64, ist)
							     : __builtin_offsetof(struct tss64, rsp)),
		      s->cs, s->ss);
}

static void fill_sandbox(void)
{
	unsigned i = 0;
	uint64_t kind = rnd_below(10);

	if (kind < 3) {
		sandbox_code[i++] = 0x0f;
	} else if (kind < 4) {
		sandbox_code[i++] = 0x0f;
		sandbox_code[i++] = 0x01;
	}
	for (; i < SANDBOX_BYTES; i++)
		sandbox_code[i] = (uint8_t)rnd();
}

static void phase_instructions(uint64_t deadline)
{
	bool ring0 = cmdline_u64("ring0", 0);
	unsigned long runs = 0, fell_through = 0;
	struct sandbox_run s;

	apic_setup();
	apic_timer_hz();
	tss_install();
	if (!vm_map_4k((uintptr_t)sandbox_code, (uintptr_t)sandbox_code, PTE_P | PTE_W | PTE_U) ||
	    !vm_map_4k((uintptr_t)sandbox_stack, (uintptr_t)sandbox_stack, PTE_P | PTE_W | PTE_U)) {
		printf("hostile: instructions: cannot map the sandbox, skipped\n");
		return;
	}
	irq_set_handler(WATCHDOG_VECTOR, watchdog_irq);
	irq_tolerate_unexpected(true);
	apic_write(APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(APIC_LVT_TIMER, WATCHDOG_VECTOR);
	watchdog_fired = 0;
	/* After the random bytes: UD2s, so running off the end is a #UD there. */
	for (unsigned i = SANDBOX_BYTES; i + 1 < sizeof(sandbox_code); i += 2) {
		sandbox_code[i] = 0x0f;
		sandbox_code[i + 1] = 0x0b;
	}
	if (ring0)
		idt_set_ist(1);
	s.cs = ring0 ? SEL_CODE64 : SEL_UCODE64 | 3;
	s.ss = ring0 ? SEL_DATA : SEL_UDATA | 3;
	while (time_left(deadline)) {
		int v;

		fill_sandbox();
		for (unsigned i = 0; i < 15; i++)
			s.gprs[i] = random_reg();
		/* IF on (the watchdog), the arithmetic flags and DF random */
		s.rflags = 0x202 | (rnd() & 0xcd5);
		cli();
		v = catch_run(sandbox_one, &s);
		apic_write(APIC_TMICT, 0);
		runs++;
		if (v >= 0) {
			count_exception(v);
			if (v == X86_EXC_UD && this_cpu()->fault.ip >= (uintptr_t)sandbox_code + SANDBOX_BYTES)
				fell_through++;
		}
	}
	apic_timer_stop();
	idt_set_ist(0);
	printf("hostile: instructions (ring %d): %lu runs, %lu ran off the end, %lu stopped by the watchdog\n",
	       ring0 ? 0 : 3, runs, fell_through, watchdog_fired);
	print_exceptions("instructions");
	irq_set_handler(WATCHDOG_VECTOR, NULL);
}

/* ------------------------------------------------------------------ m: wild memory */
static bool is_platform_mmio(uint64_t pa)
{
	return pa >= 0xfec00000ull && pa < 0xff000000ull; /* IOAPIC, HPET, LAPIC */
}

static bool in_image(uint64_t pa, unsigned size)
{
	return pa + size > (uintptr_t)__image_start && pa < (uintptr_t)__image_end;
}

static uint64_t pick_address(bool write)
{
	uint64_t end = ram_end();

	for (;;) {
		uint64_t pick = rnd_below(100), pa;
		uint32_t type;

		if (pick < 40)
			pa = windows[rnd_below(NR_WINDOWS)] + rnd_below(2ull << 20);
		else if (pick < 70)
			pa = 0xc0000000ull + rnd_below(GIB);
		else
			pa = (uintptr_t)__image_end +
			     rnd_below(end > (uintptr_t)__image_end ? end - (uintptr_t)__image_end : 1);
		pa &= ~7ull;
		if (in_image(pa, 8) || pa < 0x100000)
			continue;
		if (write && is_platform_mmio(pa))
			continue;
		if (write && phys_in_memmap(pa, &type) && type != XEN_HVM_MEMMAP_TYPE_RAM)
			continue;
		return pa;
	}
}

static void phase_memory(uint64_t deadline)
{
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	unsigned long reads = 0, writes = 0, faults = 0;
	uint64_t base = (ram_end() + GIB - 1) & ~(GIB - 1);

	if (base < 4 * GIB)
		base = 4 * GIB;
	for (unsigned i = 0; i < NR_WINDOWS; i++) {
		windows[i] = base + rnd_below(60) * GIB + rnd_below(512) * (2ull << 20);
		vm_map_2m(windows[i], PTE_P | PTE_W | PTE_PCD | PTE_PWT);
	}
	while (time_left(deadline)) {
		bool write = rnd() & 1;
		uint64_t pa = pick_address(write), v = 0;
		unsigned size = sizes[rnd_below(4)];
		bool ok;

		if (pa >= 4 * GIB && !vm_map_2m(pa, PTE_P | PTE_W | PTE_PCD | PTE_PWT))
			continue;
		if (write) {
			ok = write_safe((volatile void *)(uintptr_t)pa, size, rnd());
			writes++;
		} else {
			ok = read_safe((const volatile void *)(uintptr_t)pa, size, &v);
			reads++;
		}
		if (!ok) {
			faults++;
			count_exception(fault_vector());
		}
	}
	printf("hostile: memory: %lu reads, %lu writes, %lu faulted\n", reads, writes, faults);
	print_exceptions("memory");
}

void test_main(void)
{
	uint64_t seed = cmdline_u64("seed", 1), seconds = cmdline_u64("seconds", 2);
	char phases[16] = "hixm";
	unsigned n;

	cmdline_str("phases", phases, sizeof(phases));
	n = (unsigned)strlen(phases);
	rng = seed;
	tsc_khz();
	printf("hostile: seed %llu, %llu s over phases \"%s\"; TSC %llu kHz (%s)\n", (unsigned long long)seed,
	       (unsigned long long)seconds, phases, (unsigned long long)tsc_khz(), tsc_source());
	for (unsigned i = 0; i < n; i++) {
		uint64_t deadline = rdtsc() + us_to_tsc(seconds * 1000000 / n);

		switch (phases[i]) {
		case 'h':
			phase_hypercalls(deadline);
			break;
		case 'i':
			phase_ipi_storm(deadline);
			break;
		case 'x':
			phase_instructions(deadline);
			break;
		case 'm':
			phase_memory(deadline);
			break;
		default:
			printf("hostile: unknown phase '%c' ignored\n", phases[i]);
			break;
		}
	}
	printf("hostile: %lu unexpected interrupts in all\n", irq_unexpected);
	pass();
}
