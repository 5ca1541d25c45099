/*
 * Start-of-day data for a PVH domain: glue between the builder and
 * hvm/pvh_info.c, which lays out hvm_start_info, the command line, the
 * module list, the memory map and the ACPI tables in a buffer. Built in a
 * hypervisor buffer, then copied into the guest at PVH_INFO_GPA.
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/xmalloc.h>
#include <asm/hvm.h>
#include <asm/pvh_build.h>
#include <asm/pvh_info.h>

int pvh_write_start_info(struct domain *d, struct pvh_layout *l, uint64_t *start_info_gpa, char *err, size_t errlen)
{
	size_t size;
	void *buf;
	int rc;

	l->info_gpa = PVH_INFO_GPA;
	size = pvh_info_size(l);
	if (!size) /* the builder says what is wrong with the layout */
		return pvh_build_info(l, NULL, 0, l->info_gpa, start_info_gpa, err, errlen) ?: -XEN_EINVAL;
	buf = xzalloc_bytes(size);
	if (!buf) {
		snprintf(err, errlen, "out of memory for the start info (%zu bytes)", size);
		return -XEN_ENOMEM;
	}
	rc = pvh_build_info(l, buf, size, l->info_gpa, start_info_gpa, err, errlen);
	if (!rc && hvm_copy_to_gpa(d, l->info_gpa, buf, size)) {
		snprintf(err, errlen, "cannot write the start info at %#llx", (unsigned long long)l->info_gpa);
		rc = -XEN_EFAULT;
	}
	xfree(buf);
	return rc;
}
