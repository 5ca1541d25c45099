/*
 * bzImage kernels: the payload (gzip or XZ) is unpacked into a temporary
 * hypervisor buffer, which is then an ELF image with the PVH note (Linux
 * built with CONFIG_PVH) and is loaded like any other.
 */
#include <hv/console.h>
#include <hv/decompress.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/time.h>
#include <hv/xmalloc.h>
#include <asm/page.h>
#include <asm/pvh_build.h>

static unsigned int order_for(uint64_t bytes)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

int pvh_load_bzimage(struct domain *d, const void *img, size_t size, struct load_info *li, char *err, size_t errlen)
{
	struct bzimage_info bi;
	const uint8_t *payload;
	uint64_t usize;
	size_t out_len = 0;
	unsigned int out_order, work_order;
	void *out = NULL, *work = NULL;
	s_time_t t0 = NOW();
	int rc;

	rc = bzimage_parse(img, size, &bi, err, errlen);
	if (rc)
		return rc;
	payload = (const uint8_t *)img + bi.payload_offset;
	if (decompressed_size(payload, bi.payload_length, &usize) || !usize || usize > GB(1)) {
		snprintf(err, errlen, "bzImage payload: cannot tell its unpacked size (not gzip or xz?)");
		return -XEN_EINVAL;
	}
	out_order = order_for(usize);
	work_order = order_for(decompress_workspace_size());
	out = alloc_xenheap_pages(out_order, 0);
	work = alloc_xenheap_pages(work_order, 0);
	if (!out || !work) {
		snprintf(err, errlen, "no %llu MiB of contiguous memory to unpack the bzImage payload",
			 (unsigned long long)(usize >> 20));
		rc = -XEN_ENOMEM;
		goto out;
	}
	rc = decompress(payload, bi.payload_length, out, PAGE_SIZE << out_order, &out_len, work, err, errlen);
	if (rc)
		goto out;
	printk("d%u: unpacked the bzImage payload: %llu KiB -> %zu KiB in %lld ms\n", d->domain_id,
	       (unsigned long long)(bi.payload_length >> 10), out_len >> 10, (long long)((NOW() - t0) / 1000000));
	rc = pvh_load_elf_image(d, out, out_len, &li->entry, &li->kernel_end, err, errlen);
out:
	if (out)
		free_xenheap_pages(out, out_order);
	if (work)
		free_xenheap_pages(work, work_order);
	return rc;
}
