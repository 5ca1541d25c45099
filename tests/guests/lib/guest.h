/*
 * The test-guest framework: everything a test in tests/guests/ may call.
 *
 * A test is one C file that defines test_name (from the Makefile's
 * TEST_NAME) and test_main(). The framework boots it as a PVH guest (see
 * lib/entry.S), in 64-bit long mode or, for the "-32" variants, in 32-bit
 * protected mode without paging, and calls test_main() on the boot CPU.
 * The test ends by calling pass(), fail() or skip(): exactly one VERDICT
 * line is printed, then the guest shuts down (Xen: SCHEDOP_shutdown;
 * no Xen: QEMU's isa-debug-exit port).
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "layout.h"
#include "x86.h"
#include "xen-abi.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN _Noreturn

#ifdef __x86_64__
#define GUEST_BITS 64
#else
#define GUEST_BITS 32
#endif

/* A pointer the hypervisor cannot follow (-EFAULT): non-canonical-adjacent
 * user space in 64-bit guests, the top of the 4 GiB space (no RAM, no
 * mapping) in 32-bit ones. */
#ifdef __x86_64__
#define BAD_GUEST_PTR ((void *)0x7f0000000000ul)
#else
#define BAD_GUEST_PTR ((void *)0xffff0000ul)
#endif

/* ------------------------------------------------------------------ tests */
extern const char test_name[]; /* each test: const char test_name[] = TEST_NAME; */
void test_main(void);

/* ------------------------------------------------------------------ verdicts */
/* How the guest ends. Xen: poweroff, crash, poweroff. QEMU's isa-debug-exit
 * gets 0, 1, 2 (so QEMU exits with status 1, 3, 5). */
enum ending {
	END_POWEROFF,
	END_CRASH,
	END_SURVIVED, /* an expected-crash test that was not crashed */
};

NORETURN void pass(void);
NORETURN PRINTF_LIKE(1, 2) void fail(const char *fmt, ...);
NORETURN PRINTF_LIKE(1, 2) void skip(const char *fmt, ...);
/* The verdict line of a test that expects the hypervisor to crash it:
 * "VERDICT <name>: expecting the hypervisor to crash this domain". */
void verdict_expect_crash(void);
/* The expectation line for another ending: "VERDICT <name>: expecting <what>" */
void verdict_expect(const char *what);
NORETURN void guest_exit(enum ending how);

/* Checks: one line each ("  ok:  ..." or "  BAD: ..."); the first failure
 * becomes the FAIL reason of checks_verdict(). check_xen() is enforced
 * only under Xen/Basalt (plain QEMU differs from Xen on purpose there). */
PRINTF_LIKE(2, 3) bool check(bool ok, const char *fmt, ...);
PRINTF_LIKE(2, 3) bool check_xen(bool ok, const char *fmt, ...);
/* Reported, never enforced: what real hardware does but an emulated CPU
 * underneath (QEMU's TCG, also below a nested hypervisor) may not. */
PRINTF_LIKE(2, 3) bool check_advisory(bool ok, const char *fmt, ...);
unsigned checks_failures(void);
NORETURN void checks_verdict(void); /* PASS if nothing failed */
/* Loads an empty IDT and raises #BP: shutdown (triple fault). */
NORETURN void triple_fault(void);

/* ------------------------------------------------------------------ output */
PRINTF_LIKE(1, 2) int printf(const char *fmt, ...);
int vprintf(const char *fmt, va_list ap);
PRINTF_LIKE(3, 4) int snprintf(char *buf, size_t size, const char *fmt, ...);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
void console_write(const char *s, size_t n);

/* ------------------------------------------------------------------ strings */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* Parses decimal or 0x-prefixed hex; *end (if given) points past the digits. */
uint64_t strtou64(const char *s, const char **end);

/* ------------------------------------------------------------------ environment */
enum hc_mode {
	HC_PAGE,    /* call into the hypercall page (Xen's way) */
	HC_VMMCALL, /* VMMCALL directly (AMD) */
	HC_VMCALL,  /* VMCALL directly (Intel) */
};

#define MAX_MEMMAP 32
#define CMDLINE_MAX 1024

struct guest_env {
	/* Xen (or Basalt) found through its CPUID leaves */
	bool xen;
	uint32_t xen_base; /* 0x40000000 + n * 0x100 */
	uint32_t xen_max_leaf;
	enum hc_mode hc_mode;
	const char *hc_note; /* why the hypercall mode differs from the one asked for */

	/* the start info, copied at boot (the original may be overwritten later) */
	uint32_t start_info_pa;
	bool si_valid;
	struct hvm_start_info si;
	char cmdline[CMDLINE_MAX];
	unsigned nr_memmap;
	struct hvm_memmap_table_entry memmap[MAX_MEMMAP];
	uint32_t boot_cr0; /* CR0 at the PVH entry */

	/* ACPI */
	uint64_t rsdp;
	bool madt_found;
	uint32_t madt_lapic_addr;
	unsigned nr_cpus;		/* enabled CPUs in the MADT (1 without one) */
	uint32_t cpu_apic_id[MAX_CPUS]; /* index 0 is the boot CPU */
	unsigned madt_cpus_total;	/* every CPU entry, enabled or not */
	const char *acpi_note;		/* first problem found in the tables */
};
extern struct guest_env env;

/* key=value words from the start info's command line. */
bool cmdline_str(const char *key, char *buf, size_t len);
uint64_t cmdline_u64(const char *key, uint64_t dflt);
bool cmdline_has(const char *key);

/* ------------------------------------------------------------------ hypercalls */
long hypercall5(unsigned nr, unsigned long a1, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
#define hypercall0(nr) hypercall5(nr, 0, 0, 0, 0, 0)
#define hypercall1(nr, a) hypercall5(nr, (unsigned long)(a), 0, 0, 0, 0)
#define hypercall2(nr, a, b) hypercall5(nr, (unsigned long)(a), (unsigned long)(b), 0, 0, 0)
#define hypercall3(nr, a, b, c) hypercall5(nr, (unsigned long)(a), (unsigned long)(b), (unsigned long)(c), 0, 0)
long xen_console_write(const char *s, size_t n);
long xen_sched_yield(void);
long xen_shutdown(unsigned reason);
const char *hc_mode_name(enum hc_mode m);
extern uint8_t hypercall_page[4096];

/* ------------------------------------------------------------------ CPUs, traps */
struct fault {
	int vector; /* -1: none */
	unsigned long error, ip, cr2;
};

struct catch_buf {
	unsigned long saved[8];
};

struct cpu {
	unsigned idx; /* 0 is the boot CPU, then MADT order */
	uint32_t apic_id;
	bool x2apic; /* this CPU's LAPIC is in x2APIC mode */
	bool online;
	volatile struct fault fault; /* the last exception a fixup or catch absorbed */
	struct catch_buf *catch;     /* armed by catch_run() */
	unsigned trap_depth;
	volatile unsigned long irqs; /* interrupts taken (all vectors) */
	void *test;		     /* for the test's own per-CPU data */
};

extern struct cpu *cpus[MAX_CPUS];
extern uint8_t cpu_stacks[MAX_CPUS][STACK_SIZE];

static inline struct cpu *this_cpu(void)
{
	return (struct cpu *)((uintptr_t)__builtin_frame_address(0) & ~(uintptr_t)(STACK_SIZE - 1));
}

/* The registers saved on an exception or interrupt (lib/trap_*.S). */
#ifdef __x86_64__
struct regs {
	unsigned long r15, r14, r13, r12, r11, r10, r9, r8;
	unsigned long bp, di, si, dx, cx, bx, ax;
	unsigned long vector, error;
	unsigned long ip, cs, flags, sp, ss; /* the hardware frame */
};
#else
struct regs {
	unsigned long di, si, bp, bx, dx, cx, ax;
	unsigned long vector, error;
	unsigned long ip, cs, flags; /* the hardware frame */
	unsigned long sp, ss;	     /* only when coming from ring 3 */
};
#endif

typedef void (*irq_handler_t)(struct regs *r);
/* Interrupt vectors 32..255. The framework sends the LAPIC EOI after the
 * handler returns (except for the spurious vector 0xff). */
void irq_set_handler(unsigned vector, irq_handler_t fn);
/* Unregistered interrupt vectors fail the test unless tolerated (counted). */
void irq_tolerate_unexpected(bool on);
extern volatile unsigned long irq_unexpected;
/* Exception hook: return true if handled (the handler may change *r). */
typedef bool (*exc_handler_t)(struct regs *r);
void exc_set_handler(unsigned vector, exc_handler_t fn);
const char *exc_name(unsigned vector);
void traps_init_cpu(void);
#ifdef __x86_64__
/* Every IDT gate switches to this TSS IST stack (1-7), or none (0). */
void idt_set_ist(unsigned ist);
#endif

/* Runs fn(arg); an exception inside it (at any depth) unwinds back here.
 * Returns -1 if none happened, else the vector (details in this_cpu()->fault). */
int catch_run(void (*fn)(void *), void *arg);

/* Exception-safe instructions: false if the instruction faulted (the
 * vector and error code are in this_cpu()->fault). */
bool rdmsr_safe(uint32_t msr, uint64_t *val);
bool wrmsr_safe(uint32_t msr, uint64_t val);
bool xsetbv_safe(uint32_t idx, uint64_t val);
bool read_safe(const volatile void *p, unsigned size, uint64_t *val);
bool write_safe(volatile void *p, unsigned size, uint64_t val);
static inline int fault_vector(void)
{
	return this_cpu()->fault.vector;
}

/* ------------------------------------------------------------------ time */
uint64_t tsc_khz(void); /* calibrates on first use */
const char *tsc_source(void);
uint64_t us_to_tsc(uint64_t us);
uint64_t tsc_to_us(uint64_t ticks);
void udelay(uint64_t us);

/* ------------------------------------------------------------------ local APIC */
#define APIC_ID 0x20
#define APIC_VERSION 0x30
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_LDR 0xd0
#define APIC_SVR 0xf0
#define APIC_ISR 0x100
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_ICR 0x300
#define APIC_ICR2 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TMICT 0x380
#define APIC_TMCCT 0x390
#define APIC_TDCR 0x3e0
#define APIC_SELF_IPI 0x3f0 /* x2APIC only */

#define APIC_SVR_ENABLE (1u << 8)
#define APIC_SPURIOUS_VECTOR 0xff
#define APIC_LVT_MASKED (1u << 16)
#define APIC_LVT_PERIODIC (1u << 17)
#define APIC_LVT_TSC_DEADLINE (2u << 17)
#define APIC_TDCR_DIV1 0xb
#define APIC_ICR_FIXED (0u << 8)
#define APIC_ICR_NMI (4u << 8)
#define APIC_ICR_INIT (5u << 8)
#define APIC_ICR_STARTUP (6u << 8)
#define APIC_ICR_BUSY (1u << 12)
#define APIC_ICR_ASSERT (1u << 14)
#define APIC_ICR_LEVEL (1u << 15)
#define APIC_DEST_SELF (1u << 18)
#define APIC_DEST_ALL (2u << 18)
#define APIC_DEST_ALL_BUT_SELF (3u << 18)

void apic_setup(void); /* enable this CPU's LAPIC (current mode), SVR, TPR 0 */
bool x2apic_supported(void);
bool apic_enable_x2apic(void); /* this CPU; false if not supported */
uint32_t apic_read(unsigned reg);
void apic_write(unsigned reg, uint32_t val);
uint32_t apic_id(void);
void apic_eoi(void);
/* Sends an IPI: dest is the (x2)APIC ID; lo carries vector, mode, shorthand. */
void apic_send_ipi(uint32_t dest, uint32_t lo);
void apic_self_ipi(unsigned vector); /* SELF_IPI MSR in x2APIC mode, else shorthand */
void apic_timer_stop(void);
uint64_t apic_timer_hz(void); /* calibrated against the TSC at divide-by-1 */
uintptr_t apic_mmio_base(void);

/* ------------------------------------------------------------------ SMP */
typedef void (*ap_fn_t)(struct cpu *c);
/* Starts every other CPU in the MADT with INIT-SIPI-SIPI; each runs fn
 * and then halts with interrupts on. Returns the number of CPUs online. */
unsigned smp_start(ap_fn_t fn);
extern volatile unsigned smp_online;

/* ------------------------------------------------------------------ memory */
extern char __image_start[], __image_end[];
uint32_t lowmem_alloc_page(void); /* a free 4 KiB page below 1 MiB; 0 if none */
bool phys_in_memmap(uint64_t pa, uint32_t *type);
uint64_t ram_end(void); /* end of the highest RAM range (memmap or a guess) */
#ifdef __x86_64__
/* Identity map the 2 MiB page around pa (above the boot map's 4 GiB). */
bool vm_map_2m(uint64_t pa, uint64_t flags);
/* Map one 4 KiB page, splitting a 2 MiB mapping if needed. */
bool vm_map_4k(uint64_t va, uint64_t pa, uint64_t flags);
#endif

/* ------------------------------------------------------------------ small things */
typedef struct {
	volatile int locked;
} spinlock_t;

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (READ_ONCE(l->locked))
			cpu_relax();
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* splitmix64: a small, good PRNG; the state is any 64-bit value. */
static inline uint64_t prng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Framework internals (lib/) shared between files. */
void console_init(void);
void xen_detect(void);
void hypercall_init(void);
void startinfo_parse(uint32_t pa);
void acpi_init(void);
void fpu_init(void);
NORETURN void catch_resume(struct catch_buf *b);
int catch_call(struct catch_buf *b, void (*fn)(void *), void *arg);
void trap_dispatch(struct regs *r);
void ap_main(void);
extern uint32_t boot_cr0, boot_start_info;
extern uint32_t ap_boot_sp;
extern uint64_t gdt[GDT_ENTRIES];

#endif
