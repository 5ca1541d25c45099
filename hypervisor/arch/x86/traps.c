/*
 * Exceptions and interrupt dispatch. Any exception taken in the hypervisor
 * is fatal: the report names the exception, decodes the error code, prints
 * every register and a symbolised stack trace, then stops all CPUs.
 * Interrupts are dispatched by vector to the handlers the APIC code set up.
 */
#include <hv/console.h>
#include <hv/lib.h>
#include <hv/percpu.h>
#include <hv/shutdown.h>
#include <hv/symbols.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/regs.h>
#include <asm/x86.h>

static const char *const exception_names[32] = {
	"divide error (#DE)",
	"debug (#DB)",
	"NMI",
	"breakpoint (#BP)",
	"overflow (#OF)",
	"bound range (#BR)",
	"invalid opcode (#UD)",
	"device not available (#NM)",
	"double fault (#DF)",
	"coprocessor segment overrun",
	"invalid TSS (#TS)",
	"segment not present (#NP)",
	"stack fault (#SS)",
	"general protection (#GP)",
	"page fault (#PF)",
	"reserved 15",
	"x87 FPU error (#MF)",
	"alignment check (#AC)",
	"machine check (#MC)",
	"SIMD exception (#XM)",
	"virtualization (#VE)",
	"control protection (#CP)",
	"reserved 22",
	"reserved 23",
	"reserved 24",
	"reserved 25",
	"reserved 26",
	"reserved 27",
	"hypervisor injection (#HV)",
	"VMM communication (#VC)",
	"security (#SX)",
	"reserved 31",
};

static irq_handler_t irq_handlers[256];

void set_irq_handler(unsigned int vector, irq_handler_t h)
{
	irq_handlers[vector] = h;
}

static bool frame_ok(uint64_t fp, uint64_t lo, uint64_t hi)
{
	return fp >= lo && fp + 16 <= hi && IS_ALIGNED(fp, 8);
}

/* Walk the frame-pointer chain (the hypervisor is built with frame
 * pointers) while it stays on this CPU's stack. */
static void show_stack_frames(uint64_t rbp);

void show_stack_trace(uint64_t rip, uint64_t rbp)
{
	printk(LOG_ERR "Stack trace (innermost first):\n");
	print_symbol("   ", rip);
	show_stack_frames(rbp);
}

static void show_stack_frames(uint64_t rbp)
{
	const struct cpu_data *cd = &this_cpu(cpu_data);
	uint64_t lo = cd->stack_base, hi = cd->stack_base + STACK_SIZE;

	for (unsigned int depth = 0; depth < 32 && frame_ok(rbp, lo, hi); depth++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;

		if (!frame[1])
			break;
		print_symbol("   ", frame[1]);
		if (frame[0] <= rbp)
			break; /* the chain must go up the stack */
		rbp = frame[0];
	}
}

/* From the caller's point of view: our own frame is not part of the story. */
void arch_show_stack_here(void)
{
	const uint64_t *frame = __builtin_frame_address(0);

	show_stack_trace((uint64_t)(uintptr_t)__builtin_return_address(0), frame[0]);
}

static bool is_text_address(uint64_t a)
{
	extern const char __text_start[], __text_end[];

	return a >= (uint64_t)(uintptr_t)__text_start && a < (uint64_t)(uintptr_t)__text_end;
}

/*
 * A fault in a leaf function that set up no frame (gcc omits it there even
 * with -fno-omit-frame-pointer) leaves its caller's return address on top of
 * the stack, where the frame-pointer walk does not look. Show it, marked '?'
 * as possibly stale, unless the walk will show it anyway.
 */
static void show_trap_stack(const struct cpu_user_regs *r)
{
	const struct cpu_data *cd = &this_cpu(cpu_data);
	uint64_t top = r->rsp;

	if (frame_ok(top, cd->stack_base, cd->stack_base + STACK_SIZE) && top < r->rbp) {
		uint64_t ret = *(const uint64_t *)(uintptr_t)top;
		const uint64_t *frame = (const uint64_t *)(uintptr_t)r->rbp;

		if (is_text_address(ret) &&
		    !(frame_ok(r->rbp, cd->stack_base, cd->stack_base + STACK_SIZE) && frame[1] == ret)) {
			printk(LOG_ERR "Stack trace (innermost first; '?' = return address found on the stack top):\n");
			print_symbol("   ", r->rip);
			print_symbol(" ? ", ret);
			show_stack_frames(r->rbp);
			return;
		}
	}
	show_stack_trace(r->rip, r->rbp);
}

void show_registers(const struct cpu_user_regs *r)
{
	printk(LOG_ERR "CPU %u  RIP %04llx:[<%016llx>]  RFLAGS %016llx\n", smp_processor_id(),
	       (unsigned long long)r->cs, (unsigned long long)r->rip, (unsigned long long)r->rflags);
	print_symbol("  RIP is ", r->rip);
	printk(LOG_ERR "  rax %016llx  rbx %016llx  rcx %016llx\n", (unsigned long long)r->rax,
	       (unsigned long long)r->rbx, (unsigned long long)r->rcx);
	printk(LOG_ERR "  rdx %016llx  rsi %016llx  rdi %016llx\n", (unsigned long long)r->rdx,
	       (unsigned long long)r->rsi, (unsigned long long)r->rdi);
	printk(LOG_ERR "  rbp %016llx  rsp %016llx  r8  %016llx\n", (unsigned long long)r->rbp,
	       (unsigned long long)r->rsp, (unsigned long long)r->r8);
	printk(LOG_ERR "  r9  %016llx  r10 %016llx  r11 %016llx\n", (unsigned long long)r->r9,
	       (unsigned long long)r->r10, (unsigned long long)r->r11);
	printk(LOG_ERR "  r12 %016llx  r13 %016llx  r14 %016llx\n", (unsigned long long)r->r12,
	       (unsigned long long)r->r13, (unsigned long long)r->r14);
	printk(LOG_ERR "  r15 %016llx  ss  %04llx\n", (unsigned long long)r->r15, (unsigned long long)r->ss);
	printk(LOG_ERR "  cr0 %016lx  cr2 %016lx  cr3 %016lx  cr4 %016lx\n", read_cr0(), read_cr2(), read_cr3(),
	       read_cr4());
}

static void describe_error_code(const struct cpu_user_regs *r)
{
	unsigned int v = r->entry_vector, ec = r->error_code;

	if (v == 14) {
		printk(LOG_ERR "Faulting address %016lx: %s %s access, %s, %s mode%s\n", read_cr2(),
		       ec & 1 ? "protection violation on" : "no page for",
		       ec & 16	? "instruction fetch"
		       : ec & 2 ? "write"
				: "read",
		       ec & 8 ? "reserved bit set" : "no reserved bit", ec & 4 ? "user" : "supervisor", "");
	} else if (v == 10 || v == 11 || v == 12 || v == 13) {
		if (ec)
			printk(LOG_ERR "Error code %#x: %s index %u%s\n", ec,
			       ec & 2	? "IDT"
			       : ec & 4 ? "LDT"
					: "GDT",
			       (ec >> 3) & 0x1fff, ec & 1 ? " (external event)" : "");
		else
			printk(LOG_ERR "Error code 0\n");
	} else {
		printk(LOG_ERR "Error code %#x\n", ec);
	}
}

static __noreturn void fatal_trap(const struct cpu_user_regs *r)
{
	console_start_sync();
	printk(LOG_ERR "\n****************************************\n");
	printk(LOG_ERR "FATAL TRAP on CPU %u: vector %u, %s\n", smp_processor_id(), r->entry_vector,
	       exception_names[r->entry_vector]);
	describe_error_code(r);
	show_registers(r);
	show_trap_stack(r);
	printk(LOG_ERR "****************************************\n");
	machine_crash_halt();
}

void do_interrupt(struct cpu_user_regs *regs)
{
	unsigned int v = regs->entry_vector;

	if (v == 2) {
		do_nmi(regs);
		return;
	}
	if (v < 32)
		fatal_trap(regs);
	if (irq_handlers[v]) {
		irq_handlers[v](regs);
	} else if (v != SPURIOUS_APIC_VECTOR) {
		printk_ratelimited(LOG_WARN "CPU %u: interrupt on unused vector %#x\n", smp_processor_id(), v);
		ack_APIC_irq();
	}
}
