/*
 * Boot modules: say what each one is, and refuse clearly what is damaged.
 * Until domains are built from them, this is the check a user sees: a
 * truncated kernel image is reported with the offset it needs and the size
 * it has, not discovered later as a mysterious guest crash.
 */
#include <hv/console.h>
#include <hv/elf.h>
#include <hv/init.h>
#include <hv/lib.h>
#include <asm/page.h>

/* bzImage: the setup header at 0x1f1 (Linux boot protocol) */
static void report_bzimage(unsigned int n, const struct boot_module *m, const uint8_t *p)
{
	unsigned int setup_sects = p[0x1f1] ? p[0x1f1] : 4;
	uint32_t syssize = *(const uint32_t *)(p + 0x1f4); /* 16-byte units */
	uint16_t version = *(const uint16_t *)(p + 0x206);
	uint64_t need = (uint64_t)(setup_sects + 1) * 512 + (uint64_t)syssize * 16;

	if (need > m->size)
		printk(LOG_ERR
		       "module %u (\"%s\"): truncated bzImage: its header says %llu bytes, the module has %llu\n",
		       n, m->cmdline, (unsigned long long)need, (unsigned long long)m->size);
	else
		printk("module %u: bzImage, boot protocol %u.%02u, %llu KiB\n", n, version >> 8, version & 0xff,
		       (unsigned long long)(m->size >> 10));
}

static void report_one(unsigned int n, const struct boot_module *m)
{
	const uint8_t *p = maddr_to_virt(m->start);
	struct elf_image_info info;
	char err[160];

	printk("module %u: [%#llx-%#llx) \"%s\"\n", n, (unsigned long long)m->start,
	       (unsigned long long)(m->start + m->size), m->cmdline);
	if (m->size >= 4 && !memcmp(p, "\177ELF", 4)) {
		if (elf_check(p, m->size, &info, err, sizeof(err)))
			printk(LOG_ERR "module %u (\"%s\"): bad ELF image: %s\n", n, m->cmdline, err);
		else
			printk("module %u: ELF%s x86 image, %u loadable segment%s, entry %#llx%s\n", n,
			       info.is64 ? "64" : "32", info.nr_load, info.nr_load == 1 ? "" : "s",
			       (unsigned long long)info.entry, info.has_phys32_entry ? ", PVH entry note" : "");
	} else if (m->size >= 0x210 && !memcmp(p + 0x202, "HdrS", 4)) {
		report_bzimage(n, m, p);
	} else if (m->size >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
		printk("module %u: gzip data\n", n);
	} else if (m->size >= 6 && !memcmp(p, "\3757zXZ", 6)) {
		printk("module %u: xz data\n", n);
	} else if (m->size >= 6 && !memcmp(p, "070701", 6)) {
		printk("module %u: cpio archive (initramfs)\n", n);
	} else {
		printk("module %u: %llu bytes of data\n", n, (unsigned long long)m->size);
	}
}

void modules_report(const struct boot_info *bi)
{
	for (unsigned int i = 0; i < bi->nr_modules; i++)
		report_one(bi->modules[i].number, &bi->modules[i]);
}
