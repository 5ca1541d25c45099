/*
 * PVH entry of every test guest, and the 32-bit half of AP start-up.
 *
 * The loader (Xen/Basalt's PVH builder, or QEMU's PVH option ROM) jumps to
 * pvh_start in 32-bit flat protected mode with paging off and %ebx holding
 * the guest-physical address of struct hvm_start_info
 * (docs/misc/pvh.pandoc). We load our own GDT, zero .bss and either call
 * guest_main() right there (32-bit build) or build identity page tables for
 * the first 4 GiB and switch to long mode first (64-bit build).
 */
#include "layout.h"
#include "xen-abi.h"

/* The PVH note: name "Xen", type XEN_ELFNOTE_PHYS32_ENTRY, desc = entry.
 * Notes use 4-byte alignment; a 64-bit image carries an 8-byte desc (as
 * Linux does), which is what QEMU's loader reads for an ELF64. */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4
	.long 2f - 1f
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
1:
#ifdef __x86_64__
	.quad pvh_start
#else
	.long pvh_start
#endif
2:
	.balign 4

/* Enter long mode from 32-bit protected mode with paging off. */
.macro ENABLE_LONG_MODE
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_PE), %eax
	mov %eax, %cr0
.endm

.macro LOAD_DATA_SEGMENTS
	mov $SEL_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
.endm

	.section .text.entry, "ax"
	.code32
	.globl pvh_start
pvh_start:
	cli
	cld
	mov %ebx, %ebp /* start info */
	mov %cr0, %esi /* CR0 as the loader left it (the modes test reports it) */
	lgdt gdt_desc
	ljmp $SEL_CODE32, $1f
1:	LOAD_DATA_SEGMENTS
	mov $(cpu_stacks + STACK_SIZE), %esp

	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb
	mov %esi, boot_cr0
	mov %ebp, boot_start_info

#ifdef __x86_64__
	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories; each PD entry
	 * maps 2 MiB of the first 4 GiB 1:1, uncached from 3 GiB up (MMIO).
	 * Non-leaf entries allow user access; leaves do not (see vm_map_4k). */
	mov $boot_pdpt, %eax
	or $(PTE_P | PTE_W | PTE_U), %eax
	mov %eax, boot_pml4

	mov $boot_pd, %eax
	or $(PTE_P | PTE_W | PTE_U), %eax
	mov $boot_pdpt, %edi
	mov $4, %ecx
2:	mov %eax, (%edi)
	add $0x1000, %eax
	add $8, %edi
	loop 2b

	mov $boot_pd, %edi
	xor %ecx, %ecx
3:	mov %ecx, %eax
	shl $21, %eax
	or $(PTE_P | PTE_W | PTE_PS), %eax
	mov %ecx, %edx
	shr $11, %edx
	cmp $1536, %ecx
	jb 4f
	or $(PTE_PCD | PTE_PWT), %eax
4:	mov %eax, (%edi, %ecx, 8)
	mov %edx, 4(%edi, %ecx, 8)
	inc %ecx
	cmp $2048, %ecx
	jb 3b

	ENABLE_LONG_MODE
	ljmp $SEL_CODE64, $5f

	.code64
5:	LOAD_DATA_SEGMENTS
	mov $(cpu_stacks + STACK_SIZE), %rsp
	mov %ebp, %edi
	call guest_main
#else
	push %ebp
	call guest_main
#endif
6:	cli
	hlt
	jmp 6b

/* Application processors arrive here from the real-mode trampoline
 * (lib/trampoline.S) in 32-bit protected mode, on our GDT, paging off.
 * The boot CPU has put this AP's stack top in ap_boot_sp. */
	.code32
	.globl ap_entry32
ap_entry32:
	LOAD_DATA_SEGMENTS
	mov ap_boot_sp, %esp
#ifdef __x86_64__
	ENABLE_LONG_MODE
	ljmp $SEL_CODE64, $1f
	.code64
1:	LOAD_DATA_SEGMENTS
	mov %esp, %esp /* zero-extend into %rsp */
	call ap_main
#else
	call ap_main
#endif
2:	cli
	hlt
	jmp 2b

	.data
	.balign 16
	.globl gdt
gdt:
	.quad 0                  /* null */
	.quad 0x00af9a000000ffff /* 0x08 code, 64-bit */
	.quad 0x00cf92000000ffff /* 0x10 data, flat */
	.quad 0x00cf9a000000ffff /* 0x18 code, 32-bit flat */
	.quad 0x00009a000000ffff /* 0x20 code, 16-bit, 64 KiB */
	.quad 0x000092000000ffff /* 0x28 data, 16-bit, 64 KiB */
	.quad 0x00cffa000000ffff /* 0x30 user code, 32-bit */
	.quad 0x00cff2000000ffff /* 0x38 user data */
	.quad 0x00affa000000ffff /* 0x40 user code, 64-bit */
	.quad 0, 0               /* 0x48 TSS (64-bit, filled when needed) */
gdt_end:
	.balign 8
	.globl gdt_desc
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.globl boot_cr0, boot_start_info, ap_boot_sp
boot_cr0:
	.long 0
boot_start_info:
	.long 0
ap_boot_sp:
	.long 0

	.bss
	.balign 4096
	.globl boot_pml4, boot_pdpt, boot_pd
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.balign STACK_SIZE
	.globl cpu_stacks
cpu_stacks:
	.skip MAX_CPUS * STACK_SIZE
