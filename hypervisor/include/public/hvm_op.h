/*
 * Xen guest ABI: hvm_op sub-op numbers (Xen's public/hvm/hvm_op.h) and the
 * HVM parameter indices (public/hvm/params.h) Basalt knows. The structures
 * are in arch/x86/hvm/hvm_op.c, with their size checks.
 */
#ifndef PUBLIC_HVM_OP_H
#define PUBLIC_HVM_OP_H

#define HVMOP_set_param 0
#define HVMOP_get_param 1
#define HVMOP_flush_tlbs 5
#define HVMOP_pagetable_dying 9
#define HVMOP_get_time 10
#define HVMOP_set_evtchn_upcall_vector 23

#define HVM_PARAM_CALLBACK_IRQ 0
#define HVM_PARAM_STORE_PFN 1
#define HVM_PARAM_STORE_EVTCHN 2
#define HVM_PARAM_VM86_TSS 15
#define HVM_PARAM_CONSOLE_PFN 17
#define HVM_PARAM_CONSOLE_EVTCHN 18
#define HVM_PARAM_ACPI_IOPORTS_LOCATION 19
#define HVM_PARAM_VM_GENERATION_ID_ADDR 34
#define HVM_PARAM_ALTP2M 35
#define HVM_PARAM_X87_FIP_WIDTH 36
#define HVM_PARAM_VM86_TSS_SIZED 37
#define HVM_PARAM_TRIPLE_FAULT_REASON 31
#define HVM_NR_PARAMS 39

#endif
