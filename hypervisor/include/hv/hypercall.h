/*
 * Hypercall dispatch (common/hypercall.c). Numbers and semantics are Xen's
 * (public/xen.h). Arguments arrive already extracted from the guest's
 * registers by the arch code; guest pointers are guest-virtual.
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include <hv/types.h>
#include <public/event_channel.h>
#include <public/hvm_op.h>
#include <public/xen.h>

struct vcpu;

#define __HYPERVISOR_memory_op 12
#define __HYPERVISOR_multicall 13
#define __HYPERVISOR_xen_version 17
#define __HYPERVISOR_grant_table_op 20
#define __HYPERVISOR_console_io 18
#define __HYPERVISOR_grant_table_op 20
#define __HYPERVISOR_vm_assist 21
#define __HYPERVISOR_vcpu_op 24
#define __HYPERVISOR_sched_op 29
#define __HYPERVISOR_event_channel_op 32
#define __HYPERVISOR_hvm_op 34

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
#define SCHEDOP_poll 3
#define SCHEDOP_remote_shutdown 4
#define SCHEDOP_shutdown_code 5
#define SCHEDOP_watchdog 6

#define VMASST_CMD_enable 0
#define VMASST_CMD_disable 1
#define VMASST_TYPE_runstate_update_flag 5
#define MULTICALL_MAX_ENTRIES 512 /* per hypercall; more continue after a preemption check */

long do_hypercall(struct vcpu *v, uint64_t nr, const uint64_t args[5]);
/* A long hypercall stops at a preemption point: the guest re-executes it
 * with these arguments (which record the progress). Returns 0; the
 * handler returns that. */
long hypercall_create_continuation(struct vcpu *v, const uint64_t args[5]);
/* The continuation the last call asked for, if any (taken: cleared). */
bool hypercall_take_continuation(struct vcpu *v, uint64_t args[5]);
/* Should a long hypercall stop here (work waits on this pCPU)? Never
 * inside a multicall (an entry that continues anyway is handled there). */
bool hypercall_preempt_check(struct vcpu *v);

#endif
