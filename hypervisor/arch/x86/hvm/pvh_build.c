/*
 * The PVH domain builder: memory, kernel (an ELF with the PVH entry note, or
 * a bzImage whose payload is such an ELF once unpacked), initrd, the start
 * info and ACPI tables, and vCPU 0 at the PVH entry point.
 *
 * Guest-physical layout (the memory map the guest is given says the same):
 *   [0, 0x9f000)                RAM
 *   PVH_CONSOLE_GPA             the PV console ring page (reserved in the map)
 *   PVH_INFO_GPA ...            start info, command line, module list,
 *                               memory map, ACPI tables (reserved in the map)
 *   kernel                      where its PT_LOAD segments' p_paddr say
 *   initrd                      page-aligned, above the kernel (2 MiB aligned)
 *   RAM continues to 'memory' (with the hole below 4 GiB, see domain.c)
 */
#include <hv/console.h>
#include <hv/domain.h>
#include <hv/elf.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <asm/hvm.h>
#include <asm/page.h>
#include <asm/pvh_build.h>
#include <asm/pvh_info.h>

/* Copy each PT_LOAD segment to its p_paddr (elf_check has validated the
 * headers against the image size). */
static int load_segments(struct domain *d, const uint8_t *img, const struct elf_image_info *ei, char *err,
			 size_t errlen)
{
	uint64_t phoff, ram = d->arch.guest_ram_bytes;
	unsigned int phnum, phentsize;

	if (ei->is64) {
		const struct elf64_ehdr *h = (const void *)img;

		phoff = h->e_phoff, phnum = h->e_phnum, phentsize = h->e_phentsize;
	} else {
		const struct elf32_ehdr *h = (const void *)img;

		phoff = h->e_phoff, phnum = h->e_phnum, phentsize = h->e_phentsize;
	}
	for (unsigned int i = 0; i < phnum; i++) {
		const uint8_t *ph = img + phoff + (uint64_t)i * phentsize;
		uint64_t type, off, paddr, filesz, memsz;

		if (ei->is64) {
			const struct elf64_phdr *p = (const void *)ph;

			type = p->p_type, off = p->p_offset, paddr = p->p_paddr, filesz = p->p_filesz,
			memsz = p->p_memsz;
		} else {
			const struct elf32_phdr *p = (const void *)ph;

			type = p->p_type, off = p->p_offset, paddr = p->p_paddr, filesz = p->p_filesz,
			memsz = p->p_memsz;
		}
		if (type != ELF_PT_LOAD || !memsz)
			continue;
		if (paddr < MB(1) || paddr + memsz > MIN(ram, (uint64_t)PVH_LOWMEM_END)) {
			snprintf(err, errlen,
				 "segment %u at [%#llx-%#llx) does not fit the domain's RAM below %#llx (memory = %llu "
				 "MiB)",
				 i, (unsigned long long)paddr, (unsigned long long)(paddr + memsz),
				 (unsigned long long)MIN(ram, (uint64_t)PVH_LOWMEM_END),
				 (unsigned long long)(ram >> 20));
			return -XEN_ENOMEM;
		}
		/* RAM is already zeroed: only the file bytes need copying */
		if (hvm_copy_to_gpa(d, paddr, img + off, filesz)) {
			snprintf(err, errlen, "segment %u: guest memory at %#llx not writable", i,
				 (unsigned long long)paddr);
			return -XEN_EFAULT;
		}
	}
	return 0;
}

int pvh_load_elf_image(struct domain *d, const void *img, size_t size, uint64_t *entry, uint64_t *end, char *err,
		       size_t errlen)
{
	struct elf_image_info ei;
	int rc = elf_check(img, size, &ei, err, errlen);

	if (rc)
		return rc;
	if (!ei.has_phys32_entry) {
		snprintf(err, errlen, "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): not a PVH kernel");
		return -XEN_ENOEXEC;
	}
	rc = load_segments(d, img, &ei, err, errlen);
	*entry = ei.phys32_entry;
	*end = ei.load_max;
	return rc;
}

static int load_kernel(struct domain *d, const struct boot_module *k, struct load_info *li, char *err, size_t errlen)
{
	const uint8_t *img = maddr_to_virt(k->start);

	if (k->size >= 0x210 && !memcmp(img + 0x202, "HdrS", 4))
		return pvh_load_bzimage(d, img, k->size, li, err, errlen);
	return pvh_load_elf_image(d, img, k->size, &li->entry, &li->kernel_end, err, errlen);
}

int pvh_build_domain(const struct domcfg *cfg, const struct boot_module *kernel, const struct boot_module *ramdisk,
		     unsigned int restarts, struct domain **out, char *err, size_t errlen)
{
	struct domain *d;
	struct load_info li = { 0, 0 };
	struct pvh_layout l;
	cpumask_t aff;
	uint64_t initrd_gpa = 0, start_info;
	int rc;

	cpumask_clear(&aff);
	for (unsigned int c = 0; c < DOMCFG_MAX_PCPUS && c < NR_CPUS; c++)
		if (test_bit(c, cfg->cpus[0]))
			cpumask_set_cpu(c, &aff);
	rc = domain_create(cfg->name, cfg->max_vcpus, &aff, &d);
	if (rc) {
		snprintf(err, errlen, "cannot create the domain (%d)%s", rc,
			 rc == -XEN_EINVAL ? ": no online CPU in its \"cpus\"" : "");
		return rc;
	}
	d->cfg = cfg;
	d->restarts = restarts;
	rc = domain_gnttab_init(d, cfg->max_grant_frames, cfg->max_maptrack_frames);
	if (rc) {
		snprintf(err, errlen, "cannot set up the grant table (%d)", rc);
		goto fail;
	}
	rc = domain_alloc_memory(d, (unsigned long)(cfg->memory_mib << 8));
	if (rc) {
		snprintf(err, errlen, "not enough free memory for %llu MiB (%lu MiB free)",
			 (unsigned long long)cfg->memory_mib, total_free_pages() >> 8);
		goto fail;
	}
	d->max_pages = (unsigned long)(cfg->maxmem_mib << 8); /* populate_physmap may go up to maxmem */
	rc = load_kernel(d, kernel, &li, err, errlen);
	if (rc)
		goto fail;
	if (ramdisk) {
		initrd_gpa = ROUNDUP(li.kernel_end, MB(2));
		if (initrd_gpa + ramdisk->size > MIN(d->arch.guest_ram_bytes, (uint64_t)PVH_LOWMEM_END)) {
			snprintf(err, errlen,
				 "the ramdisk (%llu KiB) does not fit in RAM above the kernel (memory = %llu MiB)",
				 (unsigned long long)(ramdisk->size >> 10), (unsigned long long)cfg->memory_mib);
			rc = -XEN_ENOMEM;
			goto fail;
		}
		rc = hvm_copy_to_gpa(d, initrd_gpa, maddr_to_virt(ramdisk->start), ramdisk->size);
		if (rc)
			goto fail;
	}
	l = (struct pvh_layout){
		.mem_bytes = d->arch.guest_ram_bytes,
		.vcpus = cfg->vcpus,
		.max_vcpus = cfg->max_vcpus,
		.cmdline = cfg->cmdline,
		.initrd_gpa = initrd_gpa,
		.initrd_size = ramdisk ? ramdisk->size : 0,
	};
	rc = pvh_write_start_info(d, &l, &start_info, err, errlen);
	if (rc)
		goto fail;
	/* the PV console: its ring page in the reserved legacy area, and an
	 * event channel whose other end is the hypervisor */
	d->con_ring_gfn = PVH_CONSOLE_GPA >> PAGE_SHIFT;
	rc = evtchn_alloc_xen_port(&d->evtchn, 0, &d->con_port);
	if (rc) {
		snprintf(err, errlen, "no event channel for the console (%d)", rc);
		goto fail;
	}
	d->hvm_params[HVM_PARAM_CONSOLE_PFN] = d->con_ring_gfn;
	d->hvm_params[HVM_PARAM_CONSOLE_EVTCHN] = d->con_port;
	hvm_vcpu_set_pvh_entry(d->vcpu[0], (uint32_t)li.entry, (uint32_t)start_info);
	*out = d;
	return 0;
fail:
	domain_destroy(d);
	return rc;
}
