/*
 * The slice of Xen's public guest ABI the test guests use: numbers and
 * layouts only, written from xen/include/public/ (xen.h, sched.h,
 * arch-x86/cpuid.h, arch-x86/hvm/start_info.h) and docs/misc/pvh.pandoc.
 * Kept separate from hypervisor/include/public/ on purpose: a test that
 * reads the ABI through the hypervisor's own header could not catch a
 * mistake in that header.
 */
#ifndef GUEST_XEN_ABI_H
#define GUEST_XEN_ABI_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

/* ELF note that marks a PVH kernel: name "Xen", desc = 32-bit entry point. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

/* CPUID: Xen's leaves sit at the first free 0x100-aligned base from 0x40000000. */
#define XEN_CPUID_FIRST_LEAF 0x40000000u
#define XEN_CPUID_LAST_BASE 0x40010000u
#define XEN_CPUID_SIGNATURE_EBX 0x566e6558u /* "XenV" */
#define XEN_CPUID_SIGNATURE_ECX 0x65584d4du /* "MMXe" */
#define XEN_CPUID_SIGNATURE_EDX 0x4d4d566eu /* "nVMM" */
/* base+1: eax = major << 16 | minor.  base+2: eax = hypercall pages, ebx = MSR.
 * base+3: time (subleaf 0 ecx = guest TSC kHz).  base+4: HVM features. */
#define XEN_HVM_CPUID_APIC_ACCESS_VIRT (1u << 0)
#define XEN_HVM_CPUID_X2APIC_VIRT (1u << 1)
#define XEN_HVM_CPUID_IOMMU_MAPPINGS (1u << 2)
#define XEN_HVM_CPUID_VCPU_ID_PRESENT (1u << 3) /* ebx = vcpu id */
#define XEN_HVM_CPUID_DOMID_PRESENT (1u << 4)	/* ecx = domain id */
#define XEN_HVM_CPUID_EXT_DEST_ID (1u << 5)
#define XEN_HVM_CPUID_UPCALL_VECTOR (1u << 6)

/* Hypercall numbers (xen.h). */
#define __HYPERVISOR_set_timer_op 15
#define __HYPERVISOR_xen_version 17
#define __HYPERVISOR_console_io 18
#define __HYPERVISOR_vcpu_op 24
#define __HYPERVISOR_sched_op 29
#define __HYPERVISOR_event_channel_op 32
#define __HYPERVISOR_hvm_op 34
/* Each hypercall has a 32-byte stub in the hypercall page. */
#define XEN_HYPERCALL_STUB_SIZE 32

/* console_io commands */
#define CONSOLEIO_write 0
#define CONSOLEIO_read 1

/* sched_op commands and shutdown reasons (sched.h) */
#define SCHEDOP_yield 0
#define SCHEDOP_block 1
#define SCHEDOP_shutdown 2
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot 1
#define SHUTDOWN_suspend 2
#define SHUTDOWN_crash 3
#define SHUTDOWN_watchdog 4

#ifndef __ASSEMBLY__
struct sched_shutdown {
	unsigned int reason;
};

#endif

/* Xen's errno values (errno.h) the tests look at. */
#define XEN_EPERM 1
#define XEN_EFAULT 14
#define XEN_EINVAL 22
#define XEN_ENOSYS 38

/* hvm_start_info, passed in %ebx at the PVH entry (start_info.h). */
#define XEN_HVM_START_MAGIC_VALUE 0x336ec578u

#ifndef __ASSEMBLY__
struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	/* version >= 1 */
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

#endif

#define XEN_HVM_MEMMAP_TYPE_RAM 1
#define XEN_HVM_MEMMAP_TYPE_RESERVED 2
#define XEN_HVM_MEMMAP_TYPE_ACPI 3
#define XEN_HVM_MEMMAP_TYPE_NVS 4

#ifndef __ASSEMBLY__
_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info layout");
_Static_assert(__builtin_offsetof(struct hvm_start_info, cmdline_paddr) == 24, "cmdline_paddr offset");
_Static_assert(__builtin_offsetof(struct hvm_start_info, rsdp_paddr) == 32, "rsdp_paddr offset");
_Static_assert(__builtin_offsetof(struct hvm_start_info, memmap_entries) == 48, "memmap_entries offset");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry layout");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "hvm_memmap_table_entry layout");
#endif

#endif
