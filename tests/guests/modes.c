/*
 * modes: the processor modes a PVH guest may walk through (32-bit build).
 *   1. the PVH entry: 32-bit protected mode, paging off, %ebx = start info;
 *   2. down to real mode (16-bit code below 1 MiB, a real-mode software
 *      interrupt through an IVT, segment arithmetic) and back;
 *   3. up to long mode (64-bit code, EFER.LMA) and back out through
 *      compatibility mode;
 *   4. real mode once more, after the long-mode trip.
 * Each step prints what it saw; PASS if every step ran and left its marks.
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

#define RM_IVT_OFFSET 0x400

extern const char rm_blob_start[], rm_blob_end[], rm_marker[], rm_msw[], rm_int_count[], rm_seg_probe[], rm_idtr[],
	rm_int20[];
extern uint64_t lm_result;
extern uint32_t lm_efer;
void modes_real_and_back(uint32_t blob);
void modes_long_and_back(uint32_t pml4);

static uint64_t lm_pml4[512] __attribute__((aligned(4096)));
static uint64_t lm_pdpt[512] __attribute__((aligned(4096)));
static uint64_t lm_pd[512] __attribute__((aligned(4096)));

#define BLOB_FIELD(base, sym, type) (*(volatile type *)((base) + (uint32_t)((sym)-rm_blob_start)))

static void real_mode_trip(uint32_t blob, const char *when)
{
	uint32_t seg = blob >> 4;
	uint16_t *ivt = (uint16_t *)(uintptr_t)(blob + RM_IVT_OFFSET);

	memset((void *)(uintptr_t)blob, 0, 4096);
	memcpy((void *)(uintptr_t)blob, rm_blob_start, (size_t)(rm_blob_end - rm_blob_start));
	ivt[0x20 * 2] = (uint16_t)(rm_int20 - rm_blob_start);
	ivt[0x20 * 2 + 1] = (uint16_t)seg;
	BLOB_FIELD(blob, rm_idtr + 2, uint32_t) = blob + RM_IVT_OFFSET;

	modes_real_and_back(blob);

	uint32_t marker = BLOB_FIELD(blob, rm_marker, uint32_t);
	uint16_t msw = BLOB_FIELD(blob, rm_msw, uint16_t);
	uint16_t ints = BLOB_FIELD(blob, rm_int_count, uint16_t);
	uint16_t probe = BLOB_FIELD(blob, rm_seg_probe, uint16_t);

	printf("step: real mode %s at %04x:0000: marker %#x, MSW %#x, int 0x20 taken %u time(s), probe %#x\n", when,
	       seg, marker, msw, ints, probe);
	check(marker == 0x4c414552, "real mode (%s): the 16-bit code ran and wrote its marker", when);
	check(!(msw & CR0_PE), "real mode (%s): CR0.PE was clear", when);
	check(ints == 1, "real mode (%s): INT 0x20 went through the IVT once", when);
	check(probe == 0x1234, "real mode (%s): segment:offset arithmetic (seg+1:off-16) hit the same byte", when);
	check(read_cr0() & CR0_PE, "back in protected mode (%s)", when);
}

static void long_mode_trip(void)
{
	lm_pml4[0] = (uintptr_t)lm_pdpt | PTE_P | PTE_W;
	lm_pdpt[0] = (uintptr_t)lm_pd | PTE_P | PTE_W;
	for (unsigned i = 0; i < 512; i++)
		lm_pd[i] = (uint64_t)i << 21 | PTE_P | PTE_W | PTE_PS;

	modes_long_and_back((uintptr_t)lm_pml4);

	printf("step: long mode: 64-bit result %#llx, EFER there %#x; back: CR0 %#lx, EFER %#llx\n",
	       (unsigned long long)lm_result, lm_efer, read_cr0(), (unsigned long long)rdmsr(MSR_EFER));
	check(lm_result == 0x12345678900000ull, "long mode: 64-bit code ran (result %#llx)",
	      (unsigned long long)lm_result);
	check(lm_efer & EFER_LMA, "long mode: EFER.LMA was set there");
	check(!(rdmsr(MSR_EFER) & (EFER_LMA | EFER_LME)), "left long mode: EFER.LME and LMA are clear again");
	check(!(read_cr0() & CR0_PG) && !(read_cr4() & CR4_PAE), "left long mode: paging and PAE are off again");
}

void test_main(void)
{
	uint32_t blob;

	printf("step: PVH entry: CR0 %#x, start info at %#x (%s)\n", env.boot_cr0, env.start_info_pa,
	       env.si_valid ? "valid" : "invalid");
	check(env.boot_cr0 & CR0_PE, "entered in protected mode");
	check(!(env.boot_cr0 & CR0_PG), "entered with paging off");
	check(env.si_valid, "%%ebx pointed at an hvm_start_info with the right magic");

	blob = lowmem_alloc_page();
	if (!blob)
		fail("no free page below 1 MiB for the real-mode code");
	real_mode_trip(blob, "first");
	long_mode_trip();
	real_mode_trip(blob, "after long mode");
	checks_verdict();
}
