/*
 * ELF images: the on-disk structures (written from the System V ABI and its
 * x86 supplements) and lib/elf.c's validator for untrusted images such as
 * boot modules and guest kernels. Only little-endian x86 images are of
 * interest, so the structures are read as they lie in memory; the validator
 * copies each one out of the image first, so the image needs no alignment.
 */
#ifndef HV_ELF_H
#define HV_ELF_H

#include <hv/types.h>

/* e_ident[] */
#define ELF_NIDENT 16
#define ELF_MAG0 0x7f /* followed by 'E' 'L' 'F' */
#define ELF_EI_CLASS 4
#define ELF_EI_DATA 5
#define ELF_EI_VERSION 6
#define ELF_CLASS32 1
#define ELF_CLASS64 2
#define ELF_DATA2LSB 1
#define ELF_EV_CURRENT 1

/* e_type */
#define ELF_ET_EXEC 2
#define ELF_ET_DYN 3

/* e_machine */
#define ELF_EM_386 3
#define ELF_EM_X86_64 62

/* e_phnum value meaning "the real count is in section header 0" */
#define ELF_PN_XNUM 0xffff

/* p_type */
#define ELF_PT_NULL 0
#define ELF_PT_LOAD 1
#define ELF_PT_NOTE 4

/* Xen's ELF notes (name "Xen"): the 32-bit physical entry point for PVH. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

struct elf32_ehdr {
	uint8_t e_ident[ELF_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint32_t e_entry;
	uint32_t e_phoff;
	uint32_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_ehdr {
	uint8_t e_ident[ELF_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf32_phdr {
	uint32_t p_type;
	uint32_t p_offset;
	uint32_t p_vaddr;
	uint32_t p_paddr;
	uint32_t p_filesz;
	uint32_t p_memsz;
	uint32_t p_flags;
	uint32_t p_align;
};

/* Note the different field order from ELF32: p_flags comes second. */
struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

/* Same in both classes; name and descriptor follow, each padded. */
struct elf_note {
	uint32_t n_namesz;
	uint32_t n_descsz;
	uint32_t n_type;
};

BUILD_BUG_ON(sizeof(struct elf32_ehdr) != 52);
BUILD_BUG_ON(sizeof(struct elf64_ehdr) != 64);
BUILD_BUG_ON(sizeof(struct elf32_phdr) != 32);
BUILD_BUG_ON(sizeof(struct elf64_phdr) != 56);
BUILD_BUG_ON(sizeof(struct elf_note) != 12);

struct elf_image_info {
	bool is64;
	uint16_t machine;
	uint64_t entry; /* e_entry */
	unsigned int nr_load;
	/* [load_min, load_max) covers every PT_LOAD's p_paddr .. p_paddr + p_memsz */
	uint64_t load_min, load_max;
	/* from a PT_NOTE with name "Xen", type 18 (XEN_ELFNOTE_PHYS32_ENTRY);
	 * when present it lies inside a PT_LOAD segment's file data */
	uint64_t phys32_entry;
	bool has_phys32_entry;
};

/*
 * Check that 'image' (size bytes) is an ELF32 or ELF64 little-endian x86
 * executable whose program headers, PT_LOAD segments and notes all lie in
 * bounds and make sense, and describe it in *info (may be NULL). Returns 0,
 * -XEN_ENOEXEC (not ELF, or not a kind we run) or -XEN_EINVAL (malformed or
 * truncated); on failure 'err' (errlen bytes, may be 0) says exactly why.
 * After success a loader may copy p_filesz bytes from p_offset for each
 * PT_LOAD without further bounds checks on the image.
 */
int elf_check(const void *image, size_t size, struct elf_image_info *info, char *err, size_t errlen);

#endif
