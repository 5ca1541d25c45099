/*
 * What the boot loader told us, in one loader-independent form
 * (arch/x86/multiboot.c fills it from multiboot1 or multiboot2). Everything
 * is copied here, so the loader's own structures need not be kept: only the
 * modules' memory stays reserved.
 */
#ifndef HV_BOOTINFO_H
#define HV_BOOTINFO_H

#include <hv/types.h>

#define BOOT_MAX_MEMMAP 128
#define BOOT_MAX_MODULES 32
#define BOOT_CMDLINE_MAX 1024

#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
#define E820_NVS 4
#define E820_UNUSABLE 5

struct boot_mem_region {
	uint64_t addr, size;
	uint32_t type;
};

struct boot_module {
	unsigned int number; /* 1-based, in the loader's order (kept when others are dropped) */
	paddr_t start;
	uint64_t size;
	char cmdline[256];
};

struct boot_info {
	const char *loader;   /* "multiboot1", "multiboot2" */
	char loader_name[64]; /* as the loader gives it, may be empty */
	char cmdline[BOOT_CMDLINE_MAX];
	unsigned int nr_mem;
	struct boot_mem_region mem[BOOT_MAX_MEMMAP]; /* sorted, overlaps resolved */
	unsigned int nr_modules;
	struct boot_module modules[BOOT_MAX_MODULES];
	/* ACPI RSDP as handed over by multiboot2 (a copy), else rsdp_len = 0 */
	uint8_t rsdp[36];
	size_t rsdp_len;
};

extern struct boot_info boot_info;

/* 0, or -XEN_EINVAL when the information is unusable (the message says why). */
int multiboot_parse(uint32_t magic, paddr_t info, struct boot_info *bi);
/* Sort the memory map, resolve overlaps (the more restrictive type wins),
 * report what was wrong. Pure, unit-tested. */
void memmap_sanitize(struct boot_info *bi);
/* Check modules: zero-length, overlapping each other or the image. */
void modules_check(struct boot_info *bi, paddr_t image_start, paddr_t image_end);

#endif
