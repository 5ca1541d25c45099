/*
 * vCPU FPU/SSE/AVX state switching; see asm/xstate.h.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <asm/x86.h>
#include <asm/xstate.h>

static bool have_xsave;
static uint64_t host_xcr0_mask = 1; /* what guests may enable */
static uint32_t xsave_size = 512;

static inline void xsetbv(uint64_t v)
{
	__asm__ __volatile__("xsetbv" ::"c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void xstate_cpu_init(void)
{
	uint32_t a, b, c, d;

	if (!(cpuid_ecx(1) & (1u << 26))) {
		have_xsave = false;
		return;
	}
	write_cr4(read_cr4() | X86_CR4_OSXSAVE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
	cpuid_count(0xd, 0, &a, &b, &c, &d);
	/* x87, SSE, AVX and the AVX-512 trio; nothing needing supervisor state */
	host_xcr0_mask = (((uint64_t)d << 32) | a) & 0xe7;
	xsetbv(host_xcr0_mask);
	cpuid_count(0xd, 0, &a, &b, &c, &d);
	xsave_size = b; /* for everything now enabled in XCR0 */
	xsetbv(1);
	have_xsave = true;
}

uint64_t xstate_host_xcr0_mask(void)
{
	return host_xcr0_mask;
}

int xstate_alloc(struct vcpu *v)
{
	uint8_t *area = alloc_xenheap_pages(xsave_size > PAGE_SIZE ? 1 : 0, MEMF_zero);

	if (!area)
		return -XEN_ENOMEM;
	/* the legacy area's reset values: FCW 0x37f, MXCSR 0x1f80 */
	*(uint16_t *)area = 0x37f;
	*(uint32_t *)(area + 24) = 0x1f80;
	v->arch.xsave_area = area;
	v->arch.xcr0 = 1;
	return 0;
}

void xstate_free(struct vcpu *v)
{
	if (v->arch.xsave_area)
		free_xenheap_pages(v->arch.xsave_area, xsave_size > PAGE_SIZE ? 1 : 0);
	v->arch.xsave_area = NULL;
}

static inline uint64_t xgetbv(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

void xstate_save(struct vcpu *v)
{
	/* Take XCR0 from the CPU, not from our copy: where XSETBV is not
	 * intercepted (QEMU's emulated SVM does not implement that
	 * intercept) the guest sets it directly, and the CPU has checked it. */
	if (have_xsave)
		v->arch.xcr0 = xgetbv();
	if (have_xsave)
		__asm__ __volatile__("xsave64 (%0)" ::"r"(v->arch.xsave_area), "a"(~0u), "d"(~0u) : "memory");
	else
		__asm__ __volatile__("fxsave64 (%0)" ::"r"(v->arch.xsave_area) : "memory");
}

void xstate_restore(struct vcpu *v)
{
	if (have_xsave) {
		xsetbv(v->arch.xcr0);
		/* a never-saved area has XSTATE_BV 0: every component to init state,
		 * except the legacy area's FCW/MXCSR which xrstor then ignores */
		__asm__ __volatile__("xrstor64 (%0)" ::"r"(v->arch.xsave_area), "a"(~0u), "d"(~0u) : "memory");
	} else {
		__asm__ __volatile__("fxrstor64 (%0)" ::"r"(v->arch.xsave_area) : "memory");
	}
}

int xstate_set_xcr0(struct vcpu *v, uint64_t val)
{
	if (!have_xsave || !(val & 1) || (val & ~host_xcr0_mask))
		return -XEN_EINVAL;
	if ((val & 4) && !(val & 2)) /* AVX needs SSE */
		return -XEN_EINVAL;
	if ((val & 0xe0) && (val & 0xe0) != 0xe0) /* AVX-512: all three or none */
		return -XEN_EINVAL;
	if ((val & 0xe0) && !(val & 4))
		return -XEN_EINVAL;
	v->arch.xcr0 = val;
	xsetbv(val); /* v is the running vCPU */
	return 0;
}
