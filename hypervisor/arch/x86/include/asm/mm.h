/* Host memory set-up (arch/x86/mm.c). */
#ifndef ASM_MM_H
#define ASM_MM_H

#include <hv/bootinfo.h>
#include <hv/types.h>

#define _PAGE_PRESENT 0x001UL
#define _PAGE_RW 0x002UL
#define _PAGE_PWT 0x008UL
#define _PAGE_PCD 0x010UL
#define _PAGE_PSE 0x080UL
#define _PAGE_GLOBAL 0x100UL
#define _PAGE_NX (1UL << 63)

extern char __image_start[], __image_end[], __bss_start[], __bss_end[];
extern char __text_start[], __text_end[];

extern paddr_t max_ram_addr;		  /* end of the highest RAM region */
extern unsigned long idle_pg_table_maddr; /* CR3 of every CPU (below 4 GiB) */

/* Build the frame table and the real page tables, start the page allocator. */
void mm_init(struct boot_info *bi);
void flush_tlb_local(void);

/* Where map_page() mappings go: a 512 GiB slot below the direct map. */
#define MAPPINGS_VIRT_START 0xffff820000000000UL
/* Map one 4 KiB page at va (outside the 1:1 and direct maps); 0 or -XEN_Exxx.
 * Only this CPU's TLB is flushed. */
int map_page(uint64_t va, mfn_t mfn, bool writable);
void unmap_page(uint64_t va);

#endif
