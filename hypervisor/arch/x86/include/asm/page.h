/*
 * Host address space. The hypervisor image runs at its load address, which
 * the boot page tables map 1:1 (it lies below 4 GiB). Every byte of RAM (and
 * the first 4 GiB, for MMIO) is also mapped at DIRECTMAP_VIRT_START + pa:
 * the direct map, through which the hypervisor reaches any frame.
 */
#ifndef ASM_PAGE_H
#define ASM_PAGE_H

#include <hv/types.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

#define DIRECTMAP_VIRT_START 0xffff830000000000UL
#define DIRECTMAP_SIZE (1UL << 40) /* 1 TiB of machine address space */

static inline void *maddr_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + DIRECTMAP_VIRT_START);
}
static inline paddr_t virt_to_maddr(const void *va)
{
	uintptr_t v = (uintptr_t)va;
	/* the image (and its bss) is mapped 1:1 below 4 GiB */
	return v >= DIRECTMAP_VIRT_START ? v - DIRECTMAP_VIRT_START : v;
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
