/*
 * Host memory set-up: from the boot memory map to a running page allocator
 * and the hypervisor's own page tables.
 *
 * 1. Everything that must not be handed out is listed as reserved: page 0
 *    (real-mode IVT/BDA), the image, the modules. (The loader's information
 *    was copied into boot_info by then.)
 * 2. A boot region below 4 GiB (still mapped 1:1 by head.S's tables) is
 *    carved out for the frame table and the page-table pages.
 * 3. The real page tables map the first 4 GiB 1:1 (the image lives there,
 *    and application processors start on the same CR3, which they load in
 *    32-bit mode) and all of RAM plus the first 4 GiB at the direct map.
 *    1 GiB pages where the CPU has them, else 2 MiB.
 * 4. RAM minus the reserved ranges goes to the page allocator.
 *
 * Device memory (LAPIC, HPET, ...) is reached through the direct map too; its
 * memory type comes from the firmware's MTRRs (uncached for the 3-4 GiB hole),
 * as WB in the page tables combines with UC in the MTRRs to UC.
 */
#include <hv/console.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <asm/mm.h>
#include <asm/page.h>
#include <asm/x86.h>

paddr_t max_ram_addr;
unsigned long idle_pg_table_maddr;

#define MAX_RESERVED (BOOT_MAX_MODULES + 8)
static struct {
	paddr_t start, end;
} reserved[MAX_RESERVED];
static unsigned int nr_reserved;

static paddr_t boot_next, boot_end; /* the boot region's unused part */

static void reserve(paddr_t start, paddr_t end)
{
	if (start >= end)
		return;
	if (nr_reserved == MAX_RESERVED)
		panic("mm: too many reserved ranges");
	reserved[nr_reserved].start = ROUNDDOWN(start, PAGE_SIZE);
	reserved[nr_reserved].end = ROUNDUP(end, PAGE_SIZE);
	nr_reserved++;
}

/* Lowest free, page-aligned range of 'size' bytes in RAM in [MB(1), limit). */
static paddr_t find_free(const struct boot_info *bi, uint64_t size, paddr_t limit)
{
	for (unsigned int i = 0; i < bi->nr_mem; i++) {
		const struct boot_mem_region *r = &bi->mem[i];
		paddr_t s = ROUNDUP(MAX(r->addr, MB(1)), PAGE_SIZE);
		paddr_t e = ROUNDDOWN(MIN(r->addr + r->size, limit), PAGE_SIZE);

		if (r->type != E820_RAM)
			continue;
		while (s + size <= e) {
			paddr_t next = 0;

			for (unsigned int j = 0; j < nr_reserved; j++)
				if (s < reserved[j].end && reserved[j].start < s + size)
					next = MAX(next, reserved[j].end);
			if (!next)
				return s;
			s = next;
		}
	}
	return 0;
}

static void *boot_alloc_pages(unsigned long nr)
{
	paddr_t pa = boot_next;

	if (boot_next + nr * PAGE_SIZE > boot_end)
		panic("mm: boot region exhausted (needed %lu more pages)", nr);
	boot_next += nr * PAGE_SIZE;
	memset((void *)(uintptr_t)pa, 0, nr * PAGE_SIZE); /* 1:1 mapped below 4 GiB */
	return (void *)(uintptr_t)pa;
}

static uint64_t *next_table(uint64_t *table, unsigned int idx)
{
	if (!(table[idx] & _PAGE_PRESENT))
		table[idx] = (uint64_t)(uintptr_t)boot_alloc_pages(1) | _PAGE_PRESENT | _PAGE_RW;
	return (uint64_t *)(uintptr_t)(table[idx] & 0x000ffffffffff000UL);
}

/* Map [va, va + size) to [pa, ...) with large pages; all three aligned to 2 MiB. */
static void map_large(uint64_t *pml4, uint64_t va, paddr_t pa, uint64_t size, bool gb_pages)
{
	while (size) {
		uint64_t *pdpt = next_table(pml4, (va >> 39) & 511);

		if (gb_pages && IS_ALIGNED(va | pa, GB(1)) && size >= GB(1)) {
			pdpt[(va >> 30) & 511] = pa | _PAGE_PRESENT | _PAGE_RW | _PAGE_PSE | _PAGE_GLOBAL;
			va += GB(1), pa += GB(1), size -= GB(1);
		} else {
			uint64_t *pd = next_table(pdpt, (va >> 30) & 511);

			pd[(va >> 21) & 511] = pa | _PAGE_PRESENT | _PAGE_RW | _PAGE_PSE | _PAGE_GLOBAL;
			va += MB(2), pa += MB(2), size -= MB(2);
		}
	}
}

static void give_ram_to_allocator(paddr_t start, paddr_t end)
{
	start = ROUNDUP(start, PAGE_SIZE);
	end = ROUNDDOWN(end, PAGE_SIZE);
	while (start < end) {
		paddr_t cut = end;

		/* stop at the first reserved range inside [start, end) */
		for (unsigned int i = 0; i < nr_reserved; i++) {
			if (reserved[i].start <= start && start < reserved[i].end) {
				start = reserved[i].end;
				cut = 0;
				break;
			}
			if (start < reserved[i].start && reserved[i].start < cut)
				cut = reserved[i].start;
		}
		if (!cut)
			continue;
		page_alloc_add_range(_mfn(start >> PAGE_SHIFT), (cut - start) >> PAGE_SHIFT);
		start = cut;
	}
}

void flush_tlb_local(void)
{
	unsigned long cr4 = read_cr4();

	/* Toggling PGE flushes everything, global entries included. Without
	 * PGE set there is nothing to toggle (writing an unchanged CR4 flushes
	 * nothing), and a CR3 reload does the job. */
	if (cr4 & X86_CR4_PGE) {
		write_cr4(cr4 & ~X86_CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
}

void mm_init(struct boot_info *bi)
{
	bool gb_pages = cpuid_edx(0x80000001) & (1u << 26);
	unsigned long max_mfn, ft_pages, pt_pages;
	uint64_t *pml4;
	paddr_t region, map_end;
	unsigned int boot_reservation;

	reserve(0, PAGE_SIZE);
	reserve((paddr_t)(uintptr_t)__image_start, (paddr_t)(uintptr_t)__image_end);
	for (unsigned int i = 0; i < bi->nr_modules; i++)
		reserve(bi->modules[i].start, bi->modules[i].start + bi->modules[i].size);

	for (unsigned int i = 0; i < bi->nr_mem; i++)
		if (bi->mem[i].type == E820_RAM)
			max_ram_addr = MAX(max_ram_addr, bi->mem[i].addr + bi->mem[i].size);
	max_ram_addr = MIN(max_ram_addr, (paddr_t)DIRECTMAP_SIZE);
	if (max_ram_addr < MB(16))
		panic("mm: only %llu KiB of RAM in the memory map; Basalt needs at least 16 MiB",
		      (unsigned long long)(max_ram_addr >> 10));
	max_mfn = max_ram_addr >> PAGE_SHIFT;
	map_end = MAX(max_ram_addr, GB(4));

	ft_pages = DIV_ROUND_UP(max_mfn * sizeof(struct page_info), PAGE_SIZE);
	/* PML4 + PDPTs + (without 1 GiB pages) one PD per GiB mapped, twice */
	pt_pages = 4 + 2 * (map_end >> 30) + 2;
	region = find_free(bi, (ft_pages + pt_pages) * PAGE_SIZE, GB(4));
	if (!region)
		panic("mm: no %lu KiB of free RAM below 4 GiB for the frame table", (ft_pages + pt_pages) * 4);
	boot_next = region;
	boot_end = region + (ft_pages + pt_pages) * PAGE_SIZE;
	boot_reservation = nr_reserved;
	reserve(boot_next, boot_end);

	page_alloc_init(boot_alloc_pages(ft_pages), max_mfn);

	pml4 = boot_alloc_pages(1);
	map_large(pml4, 0, 0, GB(4), gb_pages);
	map_large(pml4, DIRECTMAP_VIRT_START, 0, ROUNDUP(map_end, GB(1)), gb_pages);
	idle_pg_table_maddr = (unsigned long)(uintptr_t)pml4;
	write_cr3(idle_pg_table_maddr);
	write_cr4(read_cr4() | X86_CR4_PGE);
	/* what the boot region did not use goes to the allocator too */
	reserved[boot_reservation].end = ROUNDUP(boot_next, PAGE_SIZE);

	for (unsigned int i = 0; i < bi->nr_mem; i++)
		if (bi->mem[i].type == E820_RAM)
			give_ram_to_allocator(bi->mem[i].addr, MIN(bi->mem[i].addr + bi->mem[i].size, max_ram_addr));

	printk("mm: %llu MiB RAM, %lu MiB free, %s pages for the direct map, frame table %lu KiB\n",
	       (unsigned long long)(total_pages() >> 8), total_free_pages() >> 8, gb_pages ? "1 GiB" : "2 MiB",
	       ft_pages * 4);
}

/*
 * 4 KiB mappings in the hypervisor's own address space, outside the 1:1 map
 * and the direct map (for example MAPPINGS_VIRT_START). Page-table pages come
 * from the hypervisor heap. The caller flushes other CPUs' TLBs
 * (flush_tlb_mask) when it changes a mapping they may have used.
 */
static uint64_t *walk_create(uint64_t va)
{
	uint64_t *t = __va(read_cr3() & PAGE_MASK);

	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &t[(va >> shift) & 511];

		if (!(*e & _PAGE_PRESENT)) {
			void *n = alloc_xenheap_pages(0, MEMF_zero);

			if (!n)
				return NULL;
			*e = virt_to_maddr(n) | _PAGE_PRESENT | _PAGE_RW;
		}
		if (*e & _PAGE_PSE)
			return NULL; /* inside a large mapping: not ours to split */
		t = __va(*e & 0x000ffffffffff000UL);
	}
	return &t[(va >> 12) & 511];
}

int map_page(uint64_t va, mfn_t mfn, bool writable)
{
	uint64_t *pte;

	if (va >= DIRECTMAP_VIRT_START && va < DIRECTMAP_VIRT_START + DIRECTMAP_SIZE)
		return -XEN_EINVAL;
	if (va < GB(4) || !IS_ALIGNED(va, PAGE_SIZE))
		return -XEN_EINVAL;
	pte = walk_create(va);
	if (!pte)
		return -XEN_ENOMEM;
	*pte = ((uint64_t)mfn_x(mfn) << PAGE_SHIFT) | _PAGE_PRESENT | (writable ? _PAGE_RW : 0);
	invlpg((void *)(uintptr_t)va);
	return 0;
}

void unmap_page(uint64_t va)
{
	uint64_t *pte = walk_create(va);

	if (pte) {
		*pte = 0;
		invlpg((void *)(uintptr_t)va);
	}
}
