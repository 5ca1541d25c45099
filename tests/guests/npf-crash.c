/*
 * npf-crash: reads guest-physical addresses where the guest has nothing:
 * far beyond its RAM (0x7f0000000 unless RAM reaches that far) and in the
 * 3-4 GiB hole away from the LAPIC/IOAPIC and from anything the memory
 * map lists. Under Basalt the nested page fault must crash the domain:
 * the guest announces that expectation first (its only VERDICT line) and
 * never passes. If it is still running after a read, it says so and powers
 * off (Xen) or exits with isa-debug-exit value 2 (QEMU status 5), which
 * a runner expecting a crash counts as a failure.
 * Options: target=high|hole|both (default both, high first), high=ADDR,
 * hole=ADDR.
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

#define GIB (1ull << 30)

static uint64_t pick_high(void)
{
	uint64_t a = cmdline_u64("high", 0x7f0000000ull);

	if (a < ram_end() || phys_in_memmap(a, NULL))
		a = ((ram_end() + GIB - 1) & ~(GIB - 1)) + GIB;
	return a;
}

static uint64_t pick_hole(void)
{
	uint64_t a = cmdline_u64("hole", 0);

	if (a)
		return a;
	/* From 0xe0000000 down, then up to the IOAPIC: the first 16 MiB-aligned
	 * address that no memory-map entry covers. */
	for (a = 0xe0000000; a >= 0xc0000000; a -= 0x1000000)
		if (!phys_in_memmap(a, NULL) && a >= ram_end())
			return a;
	for (a = 0xe1000000; a < 0xfec00000; a += 0x1000000)
		if (!phys_in_memmap(a, NULL) && a >= ram_end())
			return a;
	return 0;
}

static void probe(const char *what, uint64_t pa)
{
	uint64_t v = 0;

	printf("npf-crash: reading %#llx (%s)\n", (unsigned long long)pa, what);
	if (!vm_map_2m(pa, PTE_P | PTE_W | PTE_PCD | PTE_PWT)) {
		printf("npf-crash: cannot map %#llx, not read\n", (unsigned long long)pa);
		return;
	}
	if (read_safe((const volatile void *)(uintptr_t)pa, 4, &v))
		printf("npf-crash: still running: %#llx read %#llx; the domain was not crashed\n",
		       (unsigned long long)pa, (unsigned long long)v);
	else
		printf("npf-crash: still running: reading %#llx raised %s in the guest; the domain was not crashed\n",
		       (unsigned long long)pa, exc_name((unsigned)fault_vector()));
}

void test_main(void)
{
	char target[8] = "both";
	uint64_t high = pick_high(), hole = pick_hole();

	cmdline_str("target", target, sizeof(target));
	printf("npf-crash: RAM ends at %#llx; beyond RAM: %#llx; in the hole: %#llx\n", (unsigned long long)ram_end(),
	       (unsigned long long)high, (unsigned long long)hole);
	verdict_expect_crash();
	if (strcmp(target, "hole"))
		probe("beyond RAM", high);
	if (strcmp(target, "high") && hole)
		probe("3-4 GiB hole", hole);
	guest_exit(END_SURVIVED);
}
