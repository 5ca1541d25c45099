/*
 * Xen guest ABI: the start-of-day structure of the x86 "direct boot" (PVH)
 * entry. The domain builder puts it in guest memory and enters the kernel at
 * its XEN_ELFNOTE_PHYS32_ENTRY address in 32-bit flat protected mode, with
 * paging off and %ebx holding the structure's guest-physical address.
 *
 * Reference: Xen's public/arch-x86/hvm/start_info.h (the layout and numbers)
 * and docs/misc/pvh.pandoc (the entry state). Everything is little-endian,
 * addresses and sizes are 64-bit guest-physical, and an address of 0 means
 * "not present": nothing is ever placed at guest-physical address 0.
 *
 * Version history of struct hvm_start_info:
 *   0: magic .. rsdp_paddr (40 bytes).
 *   1: adds memmap_paddr, memmap_entries and a reserved word (56 bytes). A
 *      guest that knows version 1 must still check memmap_entries != 0.
 * Basalt always writes version 1. Newer versions only ever append fields.
 */
#ifndef PUBLIC_HVM_START_INFO_H
#define PUBLIC_HVM_START_INFO_H

#include <stddef.h>
#include <stdint.h>

/* "xEn3" with the top bit of the 'E' set, read as a little-endian word. */
#define XEN_HVM_START_MAGIC_VALUE 0x336ec578u

/* Memory map entry types: the ACPI address range types (ACPI 6.x, 15.1). */
#define XEN_HVM_MEMMAP_TYPE_RAM 1
#define XEN_HVM_MEMMAP_TYPE_RESERVED 2
#define XEN_HVM_MEMMAP_TYPE_ACPI 3 /* ACPI tables, reclaimable once read */
#define XEN_HVM_MEMMAP_TYPE_NVS 4
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE 5
#define XEN_HVM_MEMMAP_TYPE_DISABLED 6
#define XEN_HVM_MEMMAP_TYPE_PMEM 7

struct hvm_start_info {
	uint32_t magic;		/* XEN_HVM_START_MAGIC_VALUE */
	uint32_t version;	/* of this structure: 0 or 1 (see above) */
	uint32_t flags;		/* SIF_* (public/xen.h): privileged, initial domain */
	uint32_t nr_modules;	/* entries at modlist_paddr */
	uint64_t modlist_paddr; /* array of struct hvm_modlist_entry */
	uint64_t cmdline_paddr; /* the kernel command line, NUL-terminated ASCII */
	uint64_t rsdp_paddr;	/* the ACPI RSDP */
	/* version 1 and later */
	uint64_t memmap_paddr;	 /* array of struct hvm_memmap_table_entry */
	uint32_t memmap_entries; /* 0: no memory map is provided */
	uint32_t reserved;	 /* 0 */
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info size");
_Static_assert(offsetof(struct hvm_start_info, magic) == 0, "hvm_start_info magic");
_Static_assert(offsetof(struct hvm_start_info, version) == 4, "hvm_start_info version");
_Static_assert(offsetof(struct hvm_start_info, flags) == 8, "hvm_start_info flags");
_Static_assert(offsetof(struct hvm_start_info, nr_modules) == 12, "hvm_start_info nr_modules");
_Static_assert(offsetof(struct hvm_start_info, modlist_paddr) == 16, "hvm_start_info modlist_paddr");
_Static_assert(offsetof(struct hvm_start_info, cmdline_paddr) == 24, "hvm_start_info cmdline_paddr");
_Static_assert(offsetof(struct hvm_start_info, rsdp_paddr) == 32, "hvm_start_info rsdp_paddr");
_Static_assert(offsetof(struct hvm_start_info, memmap_paddr) == 40, "hvm_start_info memmap_paddr");
_Static_assert(offsetof(struct hvm_start_info, memmap_entries) == 48, "hvm_start_info memmap_entries");
_Static_assert(offsetof(struct hvm_start_info, reserved) == 52, "hvm_start_info reserved");

/* The size of a version 0 structure: what a version 0 reader looks at. */
#define HVM_START_INFO_V0_SIZE 40

/* One module (Linux takes the first as its initrd). */
struct hvm_modlist_entry {
	uint64_t paddr;		/* where the module starts */
	uint64_t size;		/* its length in bytes */
	uint64_t cmdline_paddr; /* the module's own command line, 0 if none */
	uint64_t reserved;	/* 0 */
};

_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry size");
_Static_assert(offsetof(struct hvm_modlist_entry, paddr) == 0, "hvm_modlist_entry paddr");
_Static_assert(offsetof(struct hvm_modlist_entry, size) == 8, "hvm_modlist_entry size field");
_Static_assert(offsetof(struct hvm_modlist_entry, cmdline_paddr) == 16, "hvm_modlist_entry cmdline_paddr");
_Static_assert(offsetof(struct hvm_modlist_entry, reserved) == 24, "hvm_modlist_entry reserved");

/* One range of the guest-physical memory map (an E820 entry, widened). */
struct hvm_memmap_table_entry {
	uint64_t addr;	   /* first byte */
	uint64_t size;	   /* length in bytes */
	uint32_t type;	   /* XEN_HVM_MEMMAP_TYPE_* */
	uint32_t reserved; /* 0 */
};

_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "hvm_memmap_table_entry size");
_Static_assert(offsetof(struct hvm_memmap_table_entry, addr) == 0, "hvm_memmap_table_entry addr");
_Static_assert(offsetof(struct hvm_memmap_table_entry, size) == 8, "hvm_memmap_table_entry size field");
_Static_assert(offsetof(struct hvm_memmap_table_entry, type) == 16, "hvm_memmap_table_entry type");
_Static_assert(offsetof(struct hvm_memmap_table_entry, reserved) == 20, "hvm_memmap_table_entry reserved");

#endif
