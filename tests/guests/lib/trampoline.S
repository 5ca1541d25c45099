/*
 * Real-mode start of an application processor. smp_start() copies the
 * bytes between tramp_start and tramp_end to a free page below 1 MiB and
 * sends the AP a STARTUP IPI with that page's number as the vector, so the
 * AP begins here with CS = page >> 4, IP = 0. Everything below is relative
 * to CS, except the GDT base and the far jump target, which are absolute
 * addresses in the image (below 4 GiB).
 */
#include "layout.h"

	.section .rodata.trampoline, "a"
	.code16
	.globl tramp_start, tramp_end
tramp_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl (tramp_gdtr - tramp_start)
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $SEL_CODE32, $ap_entry32

	.balign 8
tramp_gdtr:
	.word GDT_ENTRIES * 8 - 1
	.long gdt
tramp_end:
