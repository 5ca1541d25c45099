/*
 * fpu: FPU/SIMD register state survives everything the hypervisor does
 * between two instructions of ours.
 *
 * Loads a pattern derived from the command line's seed= into the x87
 * stack (8 registers, control word), MXCSR, XMM0-15 and, if XSAVE and AVX
 * are offered and XCR0 takes them, the upper halves of YMM0-15; takes a
 * snapshot (XSAVE or FXSAVE); then loops, yielding the vCPU
 * (SCHEDOP_yield under Xen, a pause otherwise) and now and then sleeping
 * in HLT on a LAPIC timer; and finally checks that a second snapshot still
 * matches the first and the pattern. Run two of these with different
 * seeds on one pCPU and any leak of one domain's state into the other's
 * shows up as a mismatch. Nothing between the two snapshots touches the
 * FPU: the framework is built with -mgeneral-regs-only.
 * Options: seed=N (default 1), iterations=N (default 500), hlt_every=N
 * (default 100, 0 = never), clobber=1 (self-check of the test: changes
 * XMM7 half-way through the loop, which must then FAIL).
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

#define TIMER_VECTOR 0x42
#define FX_FCW 0
#define FX_FSW 2
#define FX_FTW 4
#define FX_MXCSR 24
#define FX_ST0 32
#define FX_XMM0 160

struct x87_reg {
	uint64_t mantissa;
	uint16_t sign_exp;
} __attribute__((packed));

static uint8_t xmm_pat[16][16] __attribute__((aligned(32)));
static uint8_t ymm_pat[16][32] __attribute__((aligned(32))); /* low half = xmm_pat */
static struct x87_reg st_pat[8];
static uint16_t fcw_pat;
static uint32_t mxcsr_pat;
static uint8_t before[4096] __attribute__((aligned(64)));
static uint8_t after[4096] __attribute__((aligned(64)));
static bool use_xsave, use_avx;
static unsigned ymm_offset; /* of the YMM_Hi128 component in the XSAVE area */
static volatile unsigned timer_fired;

static void timer_irq(struct regs *r)
{
	timer_fired++;
}

static void make_pattern(uint64_t seed)
{
	uint64_t s = seed * 0x100000001b3ull + 0xfade;

	for (unsigned i = 0; i < 16; i++) {
		for (unsigned j = 0; j < 16; j += 8) {
			uint64_t a = prng_next(&s), b = prng_next(&s);

			memcpy(&xmm_pat[i][j], &a, 8);
			memcpy(&ymm_pat[i][16 + j], &b, 8);
		}
		memcpy(&ymm_pat[i][0], xmm_pat[i], 16);
	}
	for (unsigned i = 0; i < 8; i++) {
		uint64_t r = prng_next(&s);

		st_pat[i].mantissa = r | 1ull << 63; /* normal numbers */
		st_pat[i].sign_exp = (uint16_t)((0x3fff - 32 + (r & 63)) | ((r >> 6) & 1) << 15);
	}
	fcw_pat = (uint16_t)(0x037f | (seed & 3) << 10); /* all exceptions masked, RC from the seed */
	mxcsr_pat = 0x1f80 | (uint32_t)(seed & 3) << 13;
}

static bool enable_avx(void)
{
	struct cpuid_regs l1 = cpuid(1);
	uint64_t xcr0;

	if (!(l1.c & CPUID1_ECX_XSAVE))
		return false;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	use_xsave = true;
	if (!(l1.c & CPUID1_ECX_AVX) || (cpuid_count(0xd, 0).a & 7) != 7)
		return false;
	if (!xsetbv_safe(0, 7)) {
		printf("XSETBV XCR0=7 raised %s: AVX not used\n", exc_name((unsigned)fault_vector()));
		return false;
	}
	xcr0 = xgetbv(0);
	ymm_offset = cpuid_count(0xd, 2).b;
	return (xcr0 & 7) == 7 && ymm_offset && ymm_offset + 256 <= sizeof(before);
}

static void load_state(void)
{
	asm volatile("fninit; fldcw %0" ::"m"(fcw_pat));
	for (unsigned i = 0; i < 8; i++)
		asm volatile("fldt %0" ::"m"(st_pat[i]));
	asm volatile("ldmxcsr %0" ::"m"(mxcsr_pat));
	if (use_avx) {
		asm volatile("vmovdqu 0x000(%0), %%ymm0\n\tvmovdqu 0x020(%0), %%ymm1\n\t"
			     "vmovdqu 0x040(%0), %%ymm2\n\tvmovdqu 0x060(%0), %%ymm3\n\t"
			     "vmovdqu 0x080(%0), %%ymm4\n\tvmovdqu 0x0a0(%0), %%ymm5\n\t"
			     "vmovdqu 0x0c0(%0), %%ymm6\n\tvmovdqu 0x0e0(%0), %%ymm7\n\t"
			     "vmovdqu 0x100(%0), %%ymm8\n\tvmovdqu 0x120(%0), %%ymm9\n\t"
			     "vmovdqu 0x140(%0), %%ymm10\n\tvmovdqu 0x160(%0), %%ymm11\n\t"
			     "vmovdqu 0x180(%0), %%ymm12\n\tvmovdqu 0x1a0(%0), %%ymm13\n\t"
			     "vmovdqu 0x1c0(%0), %%ymm14\n\tvmovdqu 0x1e0(%0), %%ymm15" ::"r"(ymm_pat)
			     : "memory");
	} else {
		asm volatile("movdqu 0x00(%0), %%xmm0\n\tmovdqu 0x10(%0), %%xmm1\n\t"
			     "movdqu 0x20(%0), %%xmm2\n\tmovdqu 0x30(%0), %%xmm3\n\t"
			     "movdqu 0x40(%0), %%xmm4\n\tmovdqu 0x50(%0), %%xmm5\n\t"
			     "movdqu 0x60(%0), %%xmm6\n\tmovdqu 0x70(%0), %%xmm7\n\t"
			     "movdqu 0x80(%0), %%xmm8\n\tmovdqu 0x90(%0), %%xmm9\n\t"
			     "movdqu 0xa0(%0), %%xmm10\n\tmovdqu 0xb0(%0), %%xmm11\n\t"
			     "movdqu 0xc0(%0), %%xmm12\n\tmovdqu 0xd0(%0), %%xmm13\n\t"
			     "movdqu 0xe0(%0), %%xmm14\n\tmovdqu 0xf0(%0), %%xmm15" ::"r"(xmm_pat)
			     : "memory");
	}
}

static void snapshot(uint8_t *buf)
{
	memset(buf, 0, sizeof(before));
	if (use_xsave)
		asm volatile("xsave (%0)" ::"r"(buf), "a"(use_avx ? 7u : 3u), "d"(0u) : "memory");
	else
		asm volatile("fxsave (%0)" ::"r"(buf) : "memory");
}

/* The i-th x87 register in the image is ST(i); ST(0) is the last loaded. */
static bool compare(const uint8_t *img, const char *what)
{
	char name[16];

	for (unsigned i = 0; i < 16; i++) {
		if (memcmp(img + FX_XMM0 + 16 * i, xmm_pat[i], 16)) {
			snprintf(name, sizeof(name), "XMM%u", i);
			goto bad;
		}
		if (use_avx && memcmp(img + ymm_offset + 16 * i, &ymm_pat[i][16], 16)) {
			snprintf(name, sizeof(name), "YMM%u[255:128]", i);
			goto bad;
		}
	}
	for (unsigned i = 0; i < 8; i++) {
		if (memcmp(img + FX_ST0 + 16 * i, &st_pat[7 - i], 10)) {
			snprintf(name, sizeof(name), "ST(%u)", i);
			goto bad;
		}
	}
	if (*(const uint16_t *)(img + FX_FCW) != fcw_pat) {
		snprintf(name, sizeof(name), "FCW");
		goto bad;
	}
	if (*(const uint32_t *)(img + FX_MXCSR) != mxcsr_pat) {
		snprintf(name, sizeof(name), "MXCSR");
		goto bad;
	}
	return check(true, "%s: x87, MXCSR, XMM%s hold the seed's pattern", what, use_avx ? ", YMM" : "");
bad:
	return check(false, "%s: %s does not hold the seed's pattern", what, name);
}

static void sleep_on_timer(uint64_t hz)
{
	unsigned want = timer_fired + 1;

	apic_write(APIC_LVT_TIMER, TIMER_VECTOR);
	apic_write(APIC_TMICT, (uint32_t)(hz / 5000) + 1); /* 200 us */
	while (timer_fired < want) {
		safe_halt();
		cli();
	}
}

void test_main(void)
{
	uint64_t seed = cmdline_u64("seed", 1);
	unsigned iterations = (unsigned)cmdline_u64("iterations", 500);
	unsigned hlt_every = (unsigned)cmdline_u64("hlt_every", 100);
	uint64_t hz = 0;
	unsigned sleeps = 0;
	bool clobber = cmdline_u64("clobber", 0);

	make_pattern(seed);
	use_avx = enable_avx();
	if (hlt_every) {
		irq_set_handler(TIMER_VECTOR, timer_irq);
		apic_setup();
		hz = apic_timer_hz();
		apic_write(APIC_TDCR, APIC_TDCR_DIV1);
	}
	printf("seed %llu: x87 + MXCSR + XMM0-15%s via %s; XMM0 starts %02x%02x%02x%02x; %u iterations, %s\n",
	       (unsigned long long)seed, use_avx ? " + YMM0-15 upper halves" : "", use_xsave ? "XSAVE" : "FXSAVE",
	       xmm_pat[0][0], xmm_pat[0][1], xmm_pat[0][2], xmm_pat[0][3], iterations,
	       env.xen ? "yielding with SCHEDOP_yield" : "no hypervisor to yield to");

	load_state();
	snapshot(before);
	for (unsigned i = 1; i <= iterations; i++) {
		if (env.xen)
			xen_sched_yield();
		else
			udelay(20);
		if (hlt_every && hz && i % hlt_every == 0) {
			sleep_on_timer(hz);
			sleeps++;
		}
		if (clobber && i == iterations / 2)
			asm volatile("pcmpeqd %xmm7, %xmm7");
	}
	snapshot(after);

	printf("%u yields, %u HLT sleeps done\n", env.xen ? iterations : 0, sleeps);
	compare(before, "right after loading");
	compare(after, "after the loop");
	check(!memcmp(before + FX_FSW, after + FX_FSW, 3), "x87 status and tag words unchanged");
	checks_verdict();
}
