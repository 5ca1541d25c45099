/*
 * PVH start-of-day data (arch/x86/hvm/pvh_info.c): what a PVH guest finds in
 * its memory when vCPU 0 starts at the kernel's XEN_ELFNOTE_PHYS32_ENTRY
 * with %ebx = the start info's address. Pure code: it writes into a buffer
 * that stands for a range of guest memory, so the unit tests run it on the
 * host and read the result back with the hypervisor's own ACPI parser.
 *
 * Guest-physical layout of a PVH domain with mem_bytes of memory ("RAM top";
 * the legacy hole is not RAM, so the guest has mem_bytes - 384 KiB of RAM):
 *
 *   [0, 0xa0000)                 RAM: low memory (Linux starts its APs from here)
 *   [0xa0000, info_gpa)          reserved: legacy video/ROM hole, not backed
 *   [info_gpa, info_gpa + size)  ACPI: the start-of-day area, backed by the builder
 *   [info_end, 0x100000)         reserved: rest of the hole, not backed
 *   [0x100000, low_top)          RAM, low_top = min(mem_bytes, PVH_LOWMEM_LIMIT)
 *   [PVH_LOWMEM_LIMIT, 4 GiB)    not listed: MMIO (local APIC at 0xfee00000)
 *   [4 GiB, 4 GiB + rest)        RAM: what does not fit below PVH_LOWMEM_LIMIT
 *
 * The start-of-day area (size: pvh_info_size()) holds, in this order and
 * each 16-byte aligned: struct hvm_start_info (version 1), the module list
 * (one entry: the initrd, if any), the memory map above, the ACPI RSDP
 * (revision 2), XSDT, FADT, DSDT, MADT, then the command line. At the
 * default place (PVH_INFO_GPA, 0xe0000) the RSDP is also where a legacy
 * guest's scan of 0xe0000-0xfffff finds it.
 *
 * ACPI: hardware-reduced (FADT revision 6.3 with HW_REDUCED_ACPI, no PM
 * blocks, no FACS, no SCI; "no VGA", "no CMOS RTC"); an empty DSDT (no
 * \_S5_: a PVH guest powers off with SCHEDOP_shutdown); a MADT (revision 5)
 * with the local APIC at 0xfee00000, no IO-APIC and no 8259s, and one entry
 * per vCPU up to max_vcpus: vCPU v has ACPI processor UID v and APIC ID
 * pvh_vcpu_apic_id(v); the first 'vcpus' are enabled, the rest "online
 * capable" (ACPI 6.3), so the guest counts them as possible CPUs to bring
 * up later. IDs from 255 up use x2APIC entries. (Xen's libacpi lists the
 * offline vCPUs with flags 0 in a revision 2 MADT instead; with a revision
 * 5 table that would mean "never usable".) Linux takes a vCPU's Xen vCPU id
 * from its ACPI UID, hence UID = vCPU index.
 */
#ifndef ASM_PVH_INFO_H
#define ASM_PVH_INFO_H

#include <hv/types.h>
#include <public/hvm_start_info.h>

#define PVH_LOW_RAM_END 0xa0000ULL	 /* end of the low RAM */
#define PVH_LEGACY_END 0x100000ULL	 /* end of the legacy hole */
#define PVH_INFO_GPA 0xe0000ULL		 /* where the builder should put the area */
#define PVH_LOWMEM_LIMIT 0xf0000000ULL	 /* RAM below 4 GiB ends here at the latest */
#define PVH_HIGHMEM_START 0x100000000ULL /* RAM beyond that continues here */
#define PVH_LAPIC_BASE 0xfee00000u	 /* in every vCPU's MADT entry set */
#define PVH_MIN_MEM_BYTES (4ULL << 20)	 /* 4 MiB */
#define PVH_MAX_MEM_BYTES (1ULL << 40)	 /* 1 TiB */
#define PVH_MAX_VCPUS 512		 /* MADT entries written */
#define PVH_CMDLINE_MAX 2048		 /* command line bytes, its NUL included (Linux x86) */
#define PVH_MAX_MEMMAP 8		 /* memory map entries at most (6 today) */

/* The APIC ID of vCPU v. The vLAPIC's ID register and CPUID (leaves 1, 0xb,
 * 0x1f) must report the same: this is the one place that decides it. */
static inline uint32_t pvh_vcpu_apic_id(unsigned int vcpu)
{
	return vcpu;
}

/* What the domain builder decided (see the layout above). */
struct pvh_layout {
	uint64_t mem_bytes;	/* RAM top, a multiple of 4 KiB, PVH_MIN_MEM_BYTES..PVH_MAX_MEM_BYTES */
	unsigned int vcpus;	/* online at boot, 1..max_vcpus */
	unsigned int max_vcpus; /* 1..PVH_MAX_VCPUS */
	const char *cmdline;	/* kernel command line, NULL for ""; under PVH_CMDLINE_MAX bytes */
	uint64_t initrd_gpa;	/* where the builder put the initrd (inside RAM) */
	uint64_t initrd_size;	/* 0: no initrd, no module */
	uint64_t info_gpa;	/* the start-of-day area: page-aligned, inside [0xa0000, 0x100000) */
	uint32_t start_flags;	/* hvm_start_info.flags: SIF_* (public/xen.h), 0 for a plain guest */
};

/*
 * Bytes of the start-of-day area for this layout, a multiple of 4 KiB, or 0
 * if the layout's counts are out of range (pvh_build_info says which).
 */
size_t pvh_info_size(const struct pvh_layout *l);

/*
 * Write the start-of-day area for layout l. [buf, buf + buf_len) stands for
 * guest memory [buf_gpa, buf_gpa + buf_len) and must cover the whole area
 * [l->info_gpa, l->info_gpa + pvh_info_size(l)); nothing else in it is
 * touched (the area itself is zeroed first). buf needs no alignment.
 *
 * Returns 0 with *start_info_gpa set (the guest's %ebx), or -XEN_EINVAL (the
 * layout is inconsistent) / -XEN_ENOSPC (the buffer does not cover the area)
 * with a one-line reason in err (always terminated when errlen > 0).
 */
int pvh_build_info(const struct pvh_layout *l, void *buf, size_t buf_len, uint64_t buf_gpa, uint64_t *start_info_gpa,
		   char *err, size_t errlen);

/*
 * The guest's memory map for layout l, sorted by address, without overlaps:
 * the same entries pvh_build_info() writes (for XENMEM_memory_map later).
 * Writes at most 'max' entries; returns how many the map has (so a caller
 * with max too small can tell), 0 if the layout is invalid.
 */
unsigned int pvh_memmap(const struct pvh_layout *l, struct hvm_memmap_table_entry *out, unsigned int max);

#endif
