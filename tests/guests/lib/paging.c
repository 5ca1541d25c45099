/*
 * 64-bit builds: additions to the boot page tables (lib/entry.S maps the
 * first 4 GiB 1:1 with 2 MiB pages, supervisor-only). Tables come from a
 * small static pool; nothing is ever unmapped.
 */
#include "guest.h"

#define ADDR_MASK 0x000ffffffffff000ull
#define LARGE_MASK 0x000fffffffe00000ull
#define POOL_PAGES 16

extern uint64_t boot_pml4[512];
static uint64_t pool[POOL_PAGES][512] __attribute__((aligned(4096)));
static unsigned pool_used;

static uint64_t *alloc_table(void)
{
	if (pool_used == POOL_PAGES)
		return NULL;
	return pool[pool_used++]; /* .bss: already zero */
}

/* The table an entry points to, creating it if asked. */
static uint64_t *next_level(uint64_t *entry)
{
	uint64_t *t;

	if (*entry & PTE_P)
		return (uint64_t *)(uintptr_t)(*entry & ADDR_MASK);
	t = alloc_table();
	if (t)
		*entry = (uintptr_t)t | PTE_P | PTE_W | PTE_U;
	return t;
}

static uint64_t *pd_for(uint64_t va)
{
	uint64_t *pdpt = next_level(&boot_pml4[(va >> 39) & 511]);

	return pdpt ? next_level(&pdpt[(va >> 30) & 511]) : NULL;
}

bool vm_map_2m(uint64_t pa, uint64_t flags)
{
	uint64_t *pd = pd_for(pa);
	uint64_t *pde;

	if (!pd)
		return false;
	pde = &pd[(pa >> 21) & 511];
	if (!(*pde & PTE_P)) {
		*pde = (pa & LARGE_MASK) | flags | PTE_P | PTE_PS;
		asm volatile("invlpg (%0)" ::"r"(pa) : "memory");
	}
	return true;
}

bool vm_map_4k(uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t *pd = pd_for(va);
	uint64_t *pde, *pt;

	if (!pd)
		return false;
	pde = &pd[(va >> 21) & 511];
	if ((*pde & (PTE_P | PTE_PS)) == (PTE_P | PTE_PS)) {
		/* Split the 2 MiB page into 512 small ones with the same rights. */
		uint64_t base = *pde & LARGE_MASK, keep = *pde & (PTE_P | PTE_W | PTE_U | PTE_PWT | PTE_PCD);

		pt = alloc_table();
		if (!pt)
			return false;
		for (unsigned i = 0; i < 512; i++)
			pt[i] = (base + i * 4096ull) | keep;
		*pde = (uintptr_t)pt | PTE_P | PTE_W | PTE_U;
		write_cr3(read_cr3());
	} else {
		pt = next_level(pde);
		if (!pt)
			return false;
	}
	pt[(va >> 12) & 511] = (pa & ADDR_MASK) | flags | PTE_P;
	asm volatile("invlpg (%0)" ::"r"(va) : "memory");
	return true;
}
