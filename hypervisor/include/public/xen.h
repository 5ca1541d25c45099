/*
 * Xen guest ABI: the pieces of Xen's public xen.h that Basalt implements so
 * far: domain ids, virtual IRQ numbers, and the shared_info page with its
 * per-vCPU vcpu_info (x86-64 layout). Sizes and offsets are checked at build
 * time below; the numbers are Xen's.
 */
#ifndef PUBLIC_XEN_H
#define PUBLIC_XEN_H

#include <stdint.h>

typedef uint16_t domid_t;

/* Special domain ids (never real domains). */
#ifndef DOMID_SELF
#define DOMID_SELF 0x7ff0
#endif
#define DOMID_IO 0x7ff1
#define DOMID_XEN 0x7ff2
#define DOMID_COW 0x7ff3
#define DOMID_INVALID 0x7ff4
#define DOMID_IDLE 0x7fff
#define DOMID_FIRST_RESERVED 0x7ff0

/*
 * Virtual interrupts, bound to event channels with EVTCHNOP_bind_virq.
 * Per-vCPU ones (TIMER, DEBUG, XENOPROF, XENPMU) may be bound once on every
 * vCPU; the others are global: bound once, on vCPU 0, and moved with
 * EVTCHNOP_bind_vcpu.
 */
#define VIRQ_TIMER 0	   /* per-vCPU: the singleshot/periodic timer fired */
#define VIRQ_DEBUG 1	   /* per-vCPU: debug key pressed */
#define VIRQ_CONSOLE 2	   /* the hypervisor console has input (control domain) */
#define VIRQ_DOM_EXC 3	   /* a domain shut down or crashed (control domain) */
#define VIRQ_TBUF 4	   /* trace buffers */
#define VIRQ_XC_RESERVED 5 /* reserved */
#define VIRQ_DEBUGGER 6	   /* a domain hit a debug trap */
#define VIRQ_XENOPROF 7	   /* per-vCPU: profiling */
#define VIRQ_CON_RING 8	   /* the hypervisor log ring has new data */
#define VIRQ_PCPU_STATE 9  /* physical CPU hot-plug */
#define VIRQ_MEM_EVENT 10  /* a memory event is waiting */
#define VIRQ_ARGO 11	   /* Argo messages */
#define VIRQ_ENOMEM 12	   /* low on heap memory */
#define VIRQ_XENPMU 13	   /* per-vCPU: PMU interrupt */
#define VIRQ_ARCH_0 16	   /* 16..23: architecture specific (x86: 16 is MCA) */
#define VIRQ_ARCH_7 23
#define NR_VIRQS 24

#define XEN_LEGACY_MAX_VCPUS 32 /* vcpu_info slots inside shared_info */

/* Time as the guest computes it from TSC (x86). */
struct vcpu_time_info {
	uint32_t version; /* odd while being updated */
	uint32_t pad0;
	uint64_t tsc_timestamp;	    /* TSC at the last update */
	uint64_t system_time;	    /* ns since boot at tsc_timestamp */
	uint32_t tsc_to_system_mul; /* (tsc delta << tsc_shift) * mul >> 32 = ns */
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad1[2];
};

struct arch_vcpu_info {
	unsigned long cr2;
	unsigned long pad; /* sizeof(vcpu_info) == 64 */
};

/*
 * Per-vCPU event state. Event delivery (2-level ABI): a port becoming
 * pending sets its bit in shared_info.evtchn_pending[]; if it is not masked,
 * the bit (port / 64) in evtchn_pending_sel is set, and if that was newly
 * set, evtchn_upcall_pending is set and the vCPU receives its upcall.
 */
struct vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask; /* PV only: upcalls held off */
	unsigned long evtchn_pending_sel;
	struct arch_vcpu_info arch;
	struct vcpu_time_info time;
};

struct arch_shared_info {
	unsigned long max_pfn;
	unsigned long pfn_to_mfn_frame_list_list;
	unsigned long nmi_reason;
	unsigned long p2m_cr3;
	unsigned long p2m_vaddr;
	unsigned long p2m_generation;
};

/* The shared_info page (one per domain). */
struct shared_info {
	struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
	/* 2-level event channels: one bit per port, 64 x 64 = 4096 ports */
	unsigned long evtchn_pending[sizeof(unsigned long) * 8];
	unsigned long evtchn_mask[sizeof(unsigned long) * 8];
	/* wall clock at system time 0 */
	uint32_t wc_version;
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t wc_sec_hi;
	struct arch_shared_info arch;
};

_Static_assert(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info size");
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info size");
_Static_assert(__builtin_offsetof(struct vcpu_info, evtchn_pending_sel) == 8, "evtchn_pending_sel offset");
_Static_assert(__builtin_offsetof(struct vcpu_info, time) == 32, "vcpu_info time offset");
_Static_assert(__builtin_offsetof(struct shared_info, evtchn_pending) == 2048, "evtchn_pending offset");
_Static_assert(__builtin_offsetof(struct shared_info, evtchn_mask) == 2560, "evtchn_mask offset");
_Static_assert(__builtin_offsetof(struct shared_info, wc_version) == 3072, "wc_version offset");
_Static_assert(__builtin_offsetof(struct shared_info, arch) == 3088, "arch_shared_info offset");
_Static_assert(sizeof(struct shared_info) == 3136, "shared_info size");

#endif
