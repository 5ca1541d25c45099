/*
 * Hypercall dispatch (common/hypercall.c). Numbers and semantics are Xen's
 * (public/xen.h). Arguments arrive already extracted from the guest's
 * registers by the arch code; guest pointers are guest-virtual.
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include <hv/types.h>
#include <public/event_channel.h>
#include <public/xen.h>

struct vcpu;

#define __HYPERVISOR_memory_op 12
#define __HYPERVISOR_xen_version 17
#define __HYPERVISOR_grant_table_op 20
#define __HYPERVISOR_console_io 18
#define __HYPERVISOR_vcpu_op 24
#define __HYPERVISOR_sched_op 29
#define __HYPERVISOR_event_channel_op 32
#define __HYPERVISOR_hvm_op 34

#define HVMOP_set_param 0
#define HVMOP_get_param 1
#define HVM_PARAM_CONSOLE_PFN 17
#define HVM_PARAM_CONSOLE_EVTCHN 18
#define HVM_NR_PARAMS 39
#define HVM_PARAM_CALLBACK_IRQ 0
#define HVMOP_set_evtchn_upcall_vector 23

#define XENVER_version 0
#define XENVER_extraversion 1
#define XENVER_compile_info 2
#define XENVER_capabilities 3
#define XENVER_changeset 4
#define XENVER_platform_parameters 5
#define XENVER_get_features 6
#define XENVER_pagesize 7
#define XENVER_guest_handle 8
#define XENVER_commandline 9
#define XENVER_build_id 10
#define XENFEAT_auto_translated_physmap 2
#define XENFEAT_hvm_callback_vector 8
#define XENFEAT_hvm_safe_pvclock 9

#define CONSOLEIO_write 0
#define CONSOLEIO_read 1

#define SCHEDOP_yield 0
#define SCHEDOP_block 1
#define SCHEDOP_shutdown 2

long do_hypercall(struct vcpu *v, uint64_t nr, const uint64_t args[5]);

#endif
