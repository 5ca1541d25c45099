/* TEMPORARY until hvm/pvh_info.c lands: the layout the builder passes. */
#ifndef ASM_PVH_TMP_H
#define ASM_PVH_TMP_H
#include <hv/types.h>
struct pvh_layout {
	uint64_t mem_bytes;
	unsigned int vcpus, max_vcpus;
	const char *cmdline;
	uint64_t initrd_gpa, initrd_size;
};
struct domain;
int pvh_write_start_info(struct domain *d, const struct pvh_layout *l, uint64_t *start_info_gpa, char *err,
			 size_t errlen);
#endif
