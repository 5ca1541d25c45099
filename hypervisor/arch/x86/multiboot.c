/*
 * Multiboot1 and multiboot2 information parsing. Everything the loader gives
 * us is untrusted in the sense that a buggy loader or a hand-made QEMU
 * command line can produce nonsense: each field is checked before use and
 * every problem is reported in words. The result is copied into boot_info,
 * so the loader's memory can be reused afterwards.
 */
#include <hv/bootinfo.h>
#include <hv/console.h>
#include <hv/errno.h>
#include <hv/lib.h>
#include <asm/page.h>

struct boot_info boot_info;

#define MB1_BOOTLOADER_MAGIC 0x2BADB002
#define MB2_BOOTLOADER_MAGIC 0x36d76289

/* multiboot1 information structure (the fields we use) */
struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
} __packed;
#define MB1_INFO_MEMORY (1u << 0)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS (1u << 3)
#define MB1_INFO_MMAP (1u << 6)
#define MB1_INFO_LOADER_NAME (1u << 9)

struct mb1_module {
	uint32_t mod_start, mod_end, string, reserved;
} __packed;

struct mb1_mmap {
	uint32_t size; /* of the rest of this entry */
	uint64_t addr, len;
	uint32_t type;
} __packed;

/* multiboot2 */
struct mb2_tag {
	uint32_t type, size;
} __packed;
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

/* Loader strings are referenced by physical address below 4 GiB, which the
 * boot page tables map 1:1; copy with a bound so a missing NUL cannot run
 * away. */
static void copy_loader_string(char *dst, size_t size, paddr_t pa, const char *what)
{
	const char *s = (const char *)(uintptr_t)pa;
	size_t n;

	if (!pa || pa >= GB(4)) {
		printk(LOG_WARN "multiboot: %s pointer %#llx is invalid, ignored\n", what, (unsigned long long)pa);
		dst[0] = '\0';
		return;
	}
	n = strnlen(s, size);
	if (n == size)
		printk(LOG_WARN "multiboot: %s longer than %zu bytes, truncated\n", what, size - 1);
	strlcpy(dst, s, size);
}

/* Multiboot1 loaders other than GRUB 2 (QEMU's -kernel, GRUB legacy,
 * SYSLINUX's mboot) put the image's path first on its command line; GRUB 2
 * passes only the options, with multiboot1 and multiboot2 alike. */
static void drop_image_name(char *cmdline)
{
	char *p = cmdline;

	while (*p == ' ')
		p++;
	while (*p && *p != ' ')
		p++;
	while (*p == ' ')
		p++;
	memmove(cmdline, p, strlen(p) + 1);
}

static void add_region(struct boot_info *bi, uint64_t addr, uint64_t len, uint32_t type)
{
	if (bi->nr_mem == BOOT_MAX_MEMMAP) {
		printk(LOG_WARN "multiboot: more than %d memory map entries, %#llx+%#llx ignored\n", BOOT_MAX_MEMMAP,
		       (unsigned long long)addr, (unsigned long long)len);
		return;
	}
	if (type < E820_RAM || type > E820_UNUSABLE)
		type = E820_RESERVED;
	bi->mem[bi->nr_mem++] = (struct boot_mem_region){ addr, len, type };
}

static void add_module(struct boot_info *bi, paddr_t start, paddr_t end, paddr_t str)
{
	struct boot_module *m;

	if (bi->nr_modules == BOOT_MAX_MODULES) {
		printk(LOG_ERR "multiboot: more than %d modules, module at %#llx ignored\n", BOOT_MAX_MODULES,
		       (unsigned long long)start);
		return;
	}
	if (end < start) {
		printk(LOG_ERR "multiboot: module %u ends (%#llx) before it starts (%#llx), ignored\n",
		       bi->nr_modules + 1, (unsigned long long)end, (unsigned long long)start);
		return;
	}
	m = &bi->modules[bi->nr_modules++];
	m->number = bi->nr_modules;
	m->start = start;
	m->size = end - start;
	if (str)
		copy_loader_string(m->cmdline, sizeof(m->cmdline), str, "module command line");
	else
		m->cmdline[0] = '\0';
}

static int mb1_parse(paddr_t pa, struct boot_info *bi)
{
	const struct mb1_info *mbi = (const void *)(uintptr_t)pa;

	bi->loader = "multiboot1";
	if (mbi->flags & MB1_INFO_LOADER_NAME)
		copy_loader_string(bi->loader_name, sizeof(bi->loader_name), mbi->boot_loader_name, "loader name");
	if (mbi->flags & MB1_INFO_CMDLINE) {
		copy_loader_string(bi->cmdline, sizeof(bi->cmdline), mbi->cmdline, "command line");
		if (strncmp(bi->loader_name, "GRUB 2", 6) != 0)
			drop_image_name(bi->cmdline);
	}

	if (mbi->flags & MB1_INFO_MMAP) {
		paddr_t p = mbi->mmap_addr, end = (paddr_t)mbi->mmap_addr + mbi->mmap_length;
		while (p + sizeof(struct mb1_mmap) <= end) {
			const struct mb1_mmap *e = (const void *)(uintptr_t)p;

			if (e->size < 20) {
				printk(LOG_ERR
				       "multiboot: memory map entry at %#llx has size %u (< 20), map truncated\n",
				       (unsigned long long)p, e->size);
				break;
			}
			add_region(bi, e->addr, e->len, e->type);
			p += e->size + 4;
		}
	} else if (mbi->flags & MB1_INFO_MEMORY) {
		printk(LOG_WARN "multiboot: no memory map, using mem_lower/mem_upper\n");
		add_region(bi, 0, (uint64_t)mbi->mem_lower << 10, E820_RAM);
		add_region(bi, MB(1), (uint64_t)mbi->mem_upper << 10, E820_RAM);
	} else {
		printk(LOG_ERR "multiboot: the loader gave neither a memory map nor memory sizes\n");
		return -XEN_EINVAL;
	}

	if (mbi->flags & MB1_INFO_MODS) {
		const struct mb1_module *mods = (const void *)(uintptr_t)mbi->mods_addr;

		if (mbi->mods_count > 1024) {
			printk(LOG_ERR "multiboot: module count %u is implausible, modules ignored\n", mbi->mods_count);
			return 0;
		}
		for (uint32_t i = 0; i < mbi->mods_count; i++)
			add_module(bi, mods[i].mod_start, mods[i].mod_end, mods[i].string);
	}
	return 0;
}

static void mb2_mmap(const struct mb2_tag *tag, struct boot_info *bi)
{
	const uint8_t *p = (const uint8_t *)tag;
	uint32_t entry_size = *(const uint32_t *)(p + 8);
	uint32_t off;

	if (entry_size < 24 || tag->size < 16) {
		printk(LOG_ERR "multiboot2: memory map tag with entry size %u / tag size %u, ignored\n", entry_size,
		       tag->size);
		return;
	}
	for (off = 16; off + entry_size <= tag->size; off += entry_size) {
		const uint64_t *e = (const uint64_t *)(p + off);

		add_region(bi, e[0], e[1], *(const uint32_t *)(p + off + 16));
	}
}

static int mb2_parse(paddr_t pa, struct boot_info *bi)
{
	uint32_t total = *(const uint32_t *)(uintptr_t)pa;
	paddr_t p, end = pa + total;

	bi->loader = "multiboot2";
	if (total < 16 || total > MB(16)) {
		printk(LOG_ERR "multiboot2: information size %u is implausible\n", total);
		return -XEN_EINVAL;
	}
	for (p = pa + 8; p + sizeof(struct mb2_tag) <= end;
	     p += ROUNDUP((paddr_t)((struct mb2_tag *)(uintptr_t)p)->size, 8)) {
		const struct mb2_tag *tag = (const void *)(uintptr_t)p;
		const char *data = (const char *)(tag + 1);

		if (tag->type == MB2_TAG_END)
			break;
		if (tag->size < 8 || p + tag->size > end) {
			printk(LOG_ERR "multiboot2: tag type %u at %#llx has size %u beyond the information's end, "
				       "ignoring the rest\n",
			       tag->type, (unsigned long long)p, tag->size);
			break;
		}
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
			strlcpy(bi->cmdline, data, MIN(sizeof(bi->cmdline), (size_t)tag->size - 8 + 1));
			break;
		case MB2_TAG_LOADER_NAME:
			strlcpy(bi->loader_name, data, MIN(sizeof(bi->loader_name), (size_t)tag->size - 8 + 1));
			break;
		case MB2_TAG_MODULE:
			if (tag->size < 16) {
				printk(LOG_ERR "multiboot2: module tag too short (%u bytes), ignored\n", tag->size);
				break;
			}
			add_module(bi, ((const uint32_t *)data)[0], ((const uint32_t *)data)[1],
				   tag->size > 16 ? (paddr_t)(uintptr_t)(data + 8) : 0);
			break;
		case MB2_TAG_MMAP:
			mb2_mmap(tag, bi);
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			/* prefer the new (ACPI 2.0+) RSDP when both are present */
			if (tag->type == MB2_TAG_ACPI_NEW || !bi->rsdp_len) {
				bi->rsdp_len = MIN(sizeof(bi->rsdp), (size_t)tag->size - 8);
				memcpy(bi->rsdp, data, bi->rsdp_len);
			}
			break;
		default:
			break;
		}
	}
	if (!bi->nr_mem) {
		printk(LOG_ERR "multiboot2: the loader gave no memory map\n");
		return -XEN_EINVAL;
	}
	return 0;
}

int multiboot_parse(uint32_t magic, paddr_t info, struct boot_info *bi)
{
	int rc;

	if (magic != MB1_BOOTLOADER_MAGIC && magic != MB2_BOOTLOADER_MAGIC) {
		printk(LOG_ERR "boot: loader magic %#x is neither multiboot1 nor multiboot2\n", magic);
		return -XEN_EINVAL;
	}
	if (!info || info >= GB(4) || (info & 3)) {
		printk(LOG_ERR "boot: %s information pointer %#llx is invalid\n",
		       magic == MB1_BOOTLOADER_MAGIC ? "multiboot1" : "multiboot2", (unsigned long long)info);
		return -XEN_EINVAL;
	}
	rc = magic == MB1_BOOTLOADER_MAGIC ? mb1_parse(info, bi) : mb2_parse(info, bi);
	if (rc)
		return rc;
	memmap_sanitize(bi);
	return 0;
}
