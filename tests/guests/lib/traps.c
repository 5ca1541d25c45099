/*
 * Exceptions and interrupts: the IDT, the dispatcher behind every vector,
 * and the three ways a test can live through an exception it expects:
 *  - an exception-table fixup (the *_safe() helpers below): the faulting
 *    instruction is skipped and the fault recorded in this_cpu()->fault;
 *  - catch_run(fn, arg): any exception inside fn unwinds back to catch_run;
 *  - exc_set_handler(vector, fn): the test's own handler.
 * Anything else prints the vector, error code, RIP, CR2 and registers and
 * ends the test as FAIL.
 */
#include "guest.h"

#ifdef __x86_64__
struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
};
struct idt_desc {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));
#define EXTABLE_ENTRY(from, to) ".pushsection .ex_table, \"a\"\n.balign 8\n.quad " from ", " to "\n.popsection\n"
#else
struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
};
struct idt_desc {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));
#define EXTABLE_ENTRY(from, to) ".pushsection .ex_table, \"a\"\n.balign 4\n.long " from ", " to "\n.popsection\n"
#endif

struct extable_entry {
	unsigned long from, to;
};

extern const char idt_stubs[];
extern const struct extable_entry __start_ex_table[], __stop_ex_table[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static bool idt_built;
static irq_handler_t irq_handlers[256];
static exc_handler_t exc_handlers[32];
static bool irq_tolerant;
volatile unsigned long irq_unexpected;

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23", "#24", "#25",  "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

const char *exc_name(unsigned vector)
{
	return vector < 32 ? exc_names[vector] : "IRQ";
}

static void idt_build(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uintptr_t a = (uintptr_t)idt_stubs + 16 * v;
		struct idt_gate *g = &idt[v];

		memset(g, 0, sizeof(*g));
		g->off_lo = (uint16_t)a;
		g->sel = SEL_KCODE;
		g->type = 0x8e; /* present, DPL 0, interrupt gate */
#ifdef __x86_64__
		g->off_mid = (uint16_t)(a >> 16);
		g->off_hi = (uint32_t)(a >> 32);
#else
		g->off_hi = (uint16_t)(a >> 16);
#endif
	}
	idt_built = true;
}

void traps_init_cpu(void)
{
	struct idt_desc d;

	if (!idt_built)
		idt_build();
	d.limit = sizeof(idt) - 1;
	d.base = (uintptr_t)idt;
	asm volatile("lidt %0" ::"m"(d));
}

#ifdef __x86_64__
void idt_set_ist(unsigned ist)
{
	if (!idt_built)
		idt_build();
	for (unsigned v = 0; v < 256; v++)
		idt[v].ist = (uint8_t)(ist & 7);
}
#endif

void irq_set_handler(unsigned vector, irq_handler_t fn)
{
	if (vector >= 32 && vector < 256)
		irq_handlers[vector] = fn;
}

void irq_tolerate_unexpected(bool on)
{
	irq_tolerant = on;
}

void exc_set_handler(unsigned vector, exc_handler_t fn)
{
	if (vector < 32)
		exc_handlers[vector] = fn;
}

static unsigned long extable_find(unsigned long ip)
{
	for (const struct extable_entry *e = __start_ex_table; e < __stop_ex_table; e++)
		if (e->from == ip)
			return e->to;
	return 0;
}

static void dump_regs(const struct regs *r, unsigned long cr2)
{
	struct cpu *c = this_cpu();

	printf("EXCEPTION %s (vector %lu) error=%#lx on cpu %u\n", exc_name(r->vector), r->vector, r->error, c->idx);
#ifdef __x86_64__
	printf("  rip=%#lx cs=%#lx rflags=%#lx rsp=%#lx ss=%#lx cr2=%#lx\n", r->ip, r->cs, r->flags, r->sp, r->ss, cr2);
	printf("  rax=%#lx rbx=%#lx rcx=%#lx rdx=%#lx\n", r->ax, r->bx, r->cx, r->dx);
	printf("  rsi=%#lx rdi=%#lx rbp=%#lx r8=%#lx\n", r->si, r->di, r->bp, r->r8);
	printf("  r9=%#lx r10=%#lx r11=%#lx r12=%#lx\n", r->r9, r->r10, r->r11, r->r12);
	printf("  r13=%#lx r14=%#lx r15=%#lx cr0=%#lx cr3=%#lx cr4=%#lx\n", r->r13, r->r14, r->r15, read_cr0(),
	       read_cr3(), read_cr4());
#else
	printf("  eip=%#lx cs=%#lx eflags=%#lx cr2=%#lx\n", r->ip, r->cs, r->flags, cr2);
	printf("  eax=%#lx ebx=%#lx ecx=%#lx edx=%#lx esi=%#lx edi=%#lx ebp=%#lx\n", r->ax, r->bx, r->cx, r->dx, r->si,
	       r->di, r->bp);
	printf("  cr0=%#lx cr3=%#lx cr4=%#lx\n", read_cr0(), read_cr3(), read_cr4());
#endif
}

static void interrupt(struct regs *r)
{
	struct cpu *c = this_cpu();
	unsigned v = r->vector;
	irq_handler_t h = irq_handlers[v];

	c->irqs++;
	if (h) {
		h(r);
	} else if (v == APIC_SPURIOUS_VECTOR) {
		return; /* no EOI for the spurious vector */
	} else if (irq_tolerant) {
		irq_unexpected++;
	} else {
		printf("unexpected interrupt: vector %u on cpu %u at ip %#lx\n", v, c->idx, r->ip);
		fail("unexpected interrupt vector %u", v);
	}
	apic_eoi();
}

void trap_dispatch(struct regs *r)
{
	struct cpu *c = this_cpu();
	unsigned v = r->vector;
	unsigned long cr2 = v == X86_EXC_PF ? read_cr2() : 0;
	unsigned long fixup;

	if (v >= 32) {
		interrupt(r);
		return;
	}

	c->fault.vector = (int)v;
	c->fault.error = r->error;
	c->fault.ip = r->ip;
	c->fault.cr2 = cr2;

	fixup = extable_find(r->ip);
	if (fixup) {
		r->ip = fixup;
		return;
	}
	if (c->catch) {
		struct catch_buf *b = c->catch;

		c->catch = NULL;
		catch_resume(b);
	}
	if (exc_handlers[v] && exc_handlers[v](r))
		return;

	/* Unexpected. A fault while reporting a fault would recurse: stop. */
	if (c->trap_depth++ > 0) {
		if (c->trap_depth == 2)
			printf("EXCEPTION %s (vector %u) at %#lx while handling an exception\n", exc_name(v), v, r->ip);
		guest_exit(END_CRASH);
	}
	dump_regs(r, cr2);
	fail("unexpected exception %s at ip %#lx", exc_name(v), r->ip);
}

int catch_run(void (*fn)(void *), void *arg)
{
	struct cpu *c = this_cpu();
	struct catch_buf b;
	struct catch_buf *outer = c->catch;
	int faulted;

	c->fault.vector = -1;
	c->catch = &b;
	faulted = catch_call(&b, fn, arg);
	c->catch = outer;
	return faulted ? c->fault.vector : -1;
}

bool rdmsr_safe(uint32_t msr, uint64_t *val)
{
	struct cpu *c = this_cpu();
	uint32_t lo = 0, hi = 0;

	c->fault.vector = -1;
	asm volatile("1: rdmsr\n2:\n" EXTABLE_ENTRY("1b", "2b") : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	if (c->fault.vector >= 0)
		return false;
	*val = (uint64_t)hi << 32 | lo;
	return true;
}

bool wrmsr_safe(uint32_t msr, uint64_t val)
{
	struct cpu *c = this_cpu();

	c->fault.vector = -1;
	asm volatile("1: wrmsr\n2:\n" EXTABLE_ENTRY("1b", "2b")::"c"(msr), "a"((uint32_t)val),
		     "d"((uint32_t)(val >> 32))
		     : "memory");
	return c->fault.vector < 0;
}

bool xsetbv_safe(uint32_t idx, uint64_t val)
{
	struct cpu *c = this_cpu();

	c->fault.vector = -1;
	asm volatile("1: xsetbv\n2:\n" EXTABLE_ENTRY("1b", "2b")::"c"(idx), "a"((uint32_t)val),
		     "d"((uint32_t)(val >> 32))
		     : "memory");
	return c->fault.vector < 0;
}

bool read_safe(const volatile void *p, unsigned size, uint64_t *val)
{
	struct cpu *c = this_cpu();
	unsigned long v = 0;

	c->fault.vector = -1;
	switch (size) {
	case 1:
		asm volatile("1: movzbl (%1), %k0\n2:\n" EXTABLE_ENTRY("1b", "2b") : "+r"(v) : "r"(p) : "memory");
		break;
	case 2:
		asm volatile("1: movzwl (%1), %k0\n2:\n" EXTABLE_ENTRY("1b", "2b") : "+r"(v) : "r"(p) : "memory");
		break;
	case 4:
		asm volatile("1: movl (%1), %k0\n2:\n" EXTABLE_ENTRY("1b", "2b") : "+r"(v) : "r"(p) : "memory");
		break;
	case 8:
#ifdef __x86_64__
		asm volatile("1: movq (%1), %0\n2:\n" EXTABLE_ENTRY("1b", "2b") : "+r"(v) : "r"(p) : "memory");
		break;
#else
	{
		uint64_t lo, hi;

		if (!read_safe(p, 4, &lo) || !read_safe((const volatile char *)p + 4, 4, &hi))
			return false;
		*val = hi << 32 | lo;
		return true;
	}
#endif
	default:
		return false;
	}
	if (c->fault.vector >= 0)
		return false;
	*val = v;
	return true;
}

bool write_safe(volatile void *p, unsigned size, uint64_t val)
{
	struct cpu *c = this_cpu();
	unsigned long v = (unsigned long)val;

	c->fault.vector = -1;
	switch (size) {
	case 1:
		asm volatile("1: movb %b0, (%1)\n2:\n" EXTABLE_ENTRY("1b", "2b")::"q"(v), "r"(p) : "memory");
		break;
	case 2:
		asm volatile("1: movw %w0, (%1)\n2:\n" EXTABLE_ENTRY("1b", "2b")::"r"(v), "r"(p) : "memory");
		break;
	case 4:
		asm volatile("1: movl %k0, (%1)\n2:\n" EXTABLE_ENTRY("1b", "2b")::"r"(v), "r"(p) : "memory");
		break;
	case 8:
#ifdef __x86_64__
		asm volatile("1: movq %0, (%1)\n2:\n" EXTABLE_ENTRY("1b", "2b")::"r"(v), "r"(p) : "memory");
		break;
#else
		return write_safe(p, 4, (uint32_t)val) && write_safe((volatile char *)p + 4, 4, val >> 32);
#endif
	default:
		return false;
	}
	return c->fault.vector < 0;
}
