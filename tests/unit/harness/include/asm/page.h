/* Host harness: "machine memory" is an arena the harness allocates. */
#ifndef ASM_PAGE_H
#define ASM_PAGE_H

#include <hv/types.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

extern char *harness_mem_base;	 /* machine address 0 */
extern size_t harness_mem_bytes; /* arena size */

static inline void *maddr_to_virt(paddr_t pa)
{
	return harness_mem_base + pa;
}
static inline paddr_t virt_to_maddr(const void *va)
{
	return (paddr_t)((const char *)va - harness_mem_base);
}
static inline void *mfn_to_virt(mfn_t mfn)
{
	return maddr_to_virt((paddr_t)mfn_x(mfn) << PAGE_SHIFT);
}
static inline mfn_t virt_to_mfn(const void *va)
{
	return _mfn(virt_to_maddr(va) >> PAGE_SHIFT);
}
#define __va(pa) maddr_to_virt(pa)
#define __pa(va) virt_to_maddr(va)

#endif
