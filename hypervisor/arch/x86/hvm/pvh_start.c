/*
 * Start-of-day data for a PVH domain: glue between the builder and
 * hvm/pvh_info.c (which lays out hvm_start_info, the memory map and the
 * ACPI tables in a buffer): build them into a hypervisor buffer, copy them
 * into the guest at the layout's address.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <asm/hvm.h>
#include <asm/pvh_build.h>
#include <asm/pvh_tmp.h>

int pvh_write_start_info(struct domain *d, const struct pvh_layout *l, uint64_t *start_info_gpa, char *err,
			 size_t errlen)
{
	/* TEMPORARY bring-up version: magic, version 1, no modules */
	struct {
		uint32_t magic, version, flags, nr_modules;
		uint64_t modlist, cmdline, rsdp, memmap;
		uint32_t memmap_entries, rsvd;
	} si = { 0x336ec578, 1, 0, 0, 0, 0x80000 + 0x100, 0, 0, 0, 0 };

	(void)l;
	if (hvm_copy_to_gpa(d, 0x80000, &si, sizeof(si)) ||
	    hvm_copy_to_gpa(d, 0x80100, l->cmdline, strlen(l->cmdline) + 1)) {
		snprintf(err, errlen, "cannot write the start info");
		return -XEN_EFAULT;
	}
	*start_info_gpa = 0x80000;
	return 0;
}
