/* The PVH domain builder (hvm/pvh_build.c, hvm/pvh_bzimage.c). */
#ifndef ASM_PVH_BUILD_H
#define ASM_PVH_BUILD_H

#include <hv/bootinfo.h>
#include <hv/domain.h>
#include <hv/domcfg.h>

/* Guest RAM below 4 GiB ends here (domain.c's hole; pvh_info.h agrees). */
#define PVH_LOWMEM_END 0xf0000000ULL
/* The PV console ring page: in [0xa0000, 0xe0000), which the memory map
 * marks reserved (pvh_info.c) and the domain's RAM backs. */
#define PVH_CONSOLE_GPA 0xdf000ULL

/* Build and leave ready to start (the caller calls domain_start). On failure
 * nothing is left behind and err says why. */
int pvh_build_domain(const struct domcfg *cfg, const struct boot_module *kernel, const struct boot_module *ramdisk,
		     unsigned int restarts, struct domain **out, char *err, size_t errlen);
/* Load an ELF image (already in hypervisor memory) into the domain. */
int pvh_load_elf_image(struct domain *d, const void *img, size_t size, uint64_t *entry, uint64_t *end, char *err,
		       size_t errlen);
struct pvh_layout;
/* Write the start info, memory map and ACPI tables (hvm/pvh_start.c). */
int pvh_write_start_info(struct domain *d, struct pvh_layout *l, uint64_t *start_info_gpa, char *err, size_t errlen);
/* Where a kernel was loaded: its PVH entry and the end of its image. */
struct load_info {
	uint64_t entry;
	uint64_t kernel_end;
};
int pvh_load_bzimage(struct domain *d, const void *img, size_t size, struct load_info *li, char *err, size_t errlen);

#endif
