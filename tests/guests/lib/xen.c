/*
 * Finding Xen (or Basalt, which presents itself as Xen) and calling it.
 *
 * Hypercalls go either through the hypercall page (Xen's documented way:
 * CPUID leaf base+2 names the MSR to write the page's guest-physical
 * address to; the page then holds one 32-byte stub per hypercall number)
 * or straight through VMMCALL/VMCALL. The build picks the default
 * (HYPERCALL_DEFAULT, "page" unless the Makefile says otherwise) and the
 * command line can override it: hypercall=page|vmmcall|vmcall.
 *
 * Registers: 64-bit rax = number, rdi rsi rdx r10 r8 = arguments; 32-bit
 * eax = number, ebx ecx edx esi edi. Xen may clobber the argument
 * registers (debug builds do so on purpose), so they are all outputs.
 */
#include "guest.h"

#ifndef HYPERCALL_DEFAULT
#define HYPERCALL_DEFAULT "page"
#endif

uint8_t hypercall_page[4096] __attribute__((aligned(4096)));
static enum hc_mode direct_mode; /* VMMCALL on AMD/Hygon, VMCALL elsewhere */

const char *hc_mode_name(enum hc_mode m)
{
	switch (m) {
	case HC_PAGE:
		return "the hypercall page";
	case HC_VMMCALL:
		return "VMMCALL";
	case HC_VMCALL:
		return "VMCALL";
	}
	return "?";
}

void xen_detect(void)
{
	for (uint32_t base = XEN_CPUID_FIRST_LEAF; base < XEN_CPUID_LAST_BASE; base += 0x100) {
		struct cpuid_regs r = cpuid(base);

		if (r.b == XEN_CPUID_SIGNATURE_EBX && r.c == XEN_CPUID_SIGNATURE_ECX &&
		    r.d == XEN_CPUID_SIGNATURE_EDX && r.a >= base + 2 && r.a < base + 0x100) {
			env.xen = true;
			env.xen_base = base;
			env.xen_max_leaf = r.a;
			return;
		}
	}
}

static enum hc_mode mode_from_name(const char *s, enum hc_mode dflt)
{
	if (!strcmp(s, "page"))
		return HC_PAGE;
	if (!strcmp(s, "vmmcall"))
		return HC_VMMCALL;
	if (!strcmp(s, "vmcall"))
		return HC_VMCALL;
	return dflt;
}

void hypercall_init(void)
{
	struct cpuid_regs v = cpuid(0);
	char want[16];
	struct cpuid_regs r;

	/* "AuthenticAMD" and "HygonGenuine" use VMMCALL. */
	direct_mode = (v.b == 0x68747541 || v.b == 0x6f677948) ? HC_VMMCALL : HC_VMCALL;
	env.hc_mode = mode_from_name(HYPERCALL_DEFAULT, HC_PAGE);
	if (cmdline_str("hypercall", want, sizeof(want)))
		env.hc_mode = mode_from_name(want, env.hc_mode);
	if (!env.xen || env.hc_mode != HC_PAGE)
		return;

	r = cpuid(env.xen_base + 2);
	if (!wrmsr_safe(r.b, (uintptr_t)hypercall_page)) {
		env.hc_note = "writing the hypercall page MSR faulted: calling the hypervisor directly";
		env.hc_mode = direct_mode;
		return;
	}
	for (unsigned i = 0; i < XEN_HYPERCALL_STUB_SIZE; i++)
		if (hypercall_page[__HYPERVISOR_console_io * XEN_HYPERCALL_STUB_SIZE + i])
			return;
	env.hc_note = "the hypercall page stayed empty: calling the hypervisor directly";
	env.hc_mode = direct_mode;
}

long hypercall5(unsigned nr, unsigned long a1, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	enum hc_mode mode = env.hc_mode;
	unsigned long ret = nr;
	const void *stub = hypercall_page + (nr % 128) * XEN_HYPERCALL_STUB_SIZE;

	if (mode == HC_PAGE && nr >= 4096 / XEN_HYPERCALL_STUB_SIZE)
		mode = direct_mode; /* no stub for it */
#ifdef __x86_64__
	register unsigned long r10 asm("r10") = a4;
	register unsigned long r8 asm("r8") = a5;

	switch (mode) {
	case HC_PAGE:
		asm volatile("call *%[stub]"
			     : "+a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
			     : [stub] "r"(stub)
			     : "memory", "rcx", "r9", "r11");
		break;
	case HC_VMMCALL:
		asm volatile("vmmcall"
			     : "+a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
			     :
			     : "memory", "rcx", "r9", "r11");
		break;
	case HC_VMCALL:
		asm volatile("vmcall"
			     : "+a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
			     :
			     : "memory", "rcx", "r9", "r11");
		break;
	}
#else
	switch (mode) {
	case HC_PAGE:
		asm volatile("call *%[stub]"
			     : "+a"(ret), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5)
			     : [stub] "m"(stub)
			     : "memory");
		break;
	case HC_VMMCALL:
		asm volatile("vmmcall" : "+a"(ret), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5) : : "memory");
		break;
	case HC_VMCALL:
		asm volatile("vmcall" : "+a"(ret), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5) : : "memory");
		break;
	}
#endif
	return (long)ret;
}

long xen_console_write(const char *s, size_t n)
{
	return hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, n, s);
}

long xen_sched_yield(void)
{
	return hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
}

long xen_shutdown(unsigned reason)
{
	struct sched_shutdown s = { reason };

	return hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, &s);
}
