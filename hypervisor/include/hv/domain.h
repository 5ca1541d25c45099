/*
 * Domains and virtual CPUs (common/domain.c).
 *
 * A domain owns its memory (through its p2m), its vCPUs and its console.
 * Its life: building -> running <-> paused -> shut down (with a reason) or
 * crashed -> dying -> freed. The domain's on_* action for the reason decides
 * what happens after a shutdown: destroy, restart (rebuild from the same
 * configuration), or preserve (keep it, stopped, for inspection).
 *
 * References: the domain list holds one; anyone else who keeps a domain
 * pointer beyond its own lock takes one (get_domain/put_domain). The last put
 * frees every page the domain had.
 *
 * Lock order: domlist_lock -> d->lock -> (scheduler locks) -> p2m lock.
 */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H

#include <hv/cpumask.h>
#include <hv/event.h>
#include <hv/grant_table.h>
#include <hv/sched_policy.h>
#include <hv/spinlock.h>
#include <hv/timer.h>
#include <hv/types.h>
#include <public/hvm_op.h>
#include <asm/domain.h>

typedef uint16_t domid_t;
#define DOMID_MAX 0x7fefU

enum domain_state {
	DOMSTATE_building,
	DOMSTATE_running,
	DOMSTATE_paused,
	DOMSTATE_shutdown, /* shut down by the guest, with d->shutdown_code */
	DOMSTATE_crashed,  /* the hypervisor stopped it for bad behaviour */
	DOMSTATE_dying,
};

/* Xen's shutdown reasons (public/sched.h SHUTDOWN_*) */
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot 1
#define SHUTDOWN_suspend 2
#define SHUTDOWN_crash 3
#define SHUTDOWN_watchdog 4
#define SHUTDOWN_CODE_NONE (~0u) /* no SCHEDOP_shutdown_code given */
#define DOMAIN_WATCHDOGS 2

enum domain_action { ACTION_destroy, ACTION_restart, ACTION_preserve };

/* Runstates, as Xen's public/vcpu.h RUNSTATE_* */
#define RUNSTATE_running 0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked 2
#define RUNSTATE_offline 3

/* vCPU pause flags (bits in v->pause_flags): any set keeps it off a CPU */
#define VPF_blocked 0 /* halted, waiting for an interrupt or event */
#define VPF_down 1    /* not started (an AP before INIT-SIPI) or stopped */
#define VPF_dead 2    /* the domain is shut down, crashed or dying */

struct domcfg;

struct vcpu {
	unsigned int vcpu_id;
	struct domain *domain;
	unsigned int processor; /* the pCPU it runs or last ran on (changes: hv/sched.h) */
	unsigned long pause_flags;
	struct sched_unit sched; /* scheduler state (common/sched/), under its lock */
	bool is_running;	 /* loaded on a pCPU right now */
	bool initialised;	 /* has a context to run (vCPU 0, or an AP after SIPI) */
	bool in_multicall;	 /* running the entries of a multicall */
	/* SCHEDOP_poll (common/sched_op.c) */
	bool polling;
	evtchn_port_t poll_port; /* the one port that ends the poll, 0: any */
	struct timer poll_timer;
	/* runstate accounting */
	struct evtchn_vcpu evtchn;
	int runstate;
	s_time_t runstate_entry;
	s_time_t runstate_time[4];
	s_time_t longest_wait; /* the longest time runnable without a pCPU */
	struct arch_vcpu arch;
};

struct domain {
	domid_t domain_id;
	char name[64];
	spinlock_t lock;
	int refcnt;
	enum domain_state state;
	unsigned int shutdown_code; /* SHUTDOWN_* when state is shutdown */
	/* SCHEDOP_shutdown_code: the reason the next shutdown reports */
	unsigned int pending_shutdown_code;
	bool is_privileged;	/* the control domain (none exists yet) */
	unsigned int vm_assist; /* VMASST_TYPE_* bits enabled (hypercall vm_assist) */
	/* SCHEDOP_watchdog (common/sched_op.c) */
	struct timer watchdog[2];
	unsigned int watchdog_inuse;
	unsigned int nr_polling; /* vCPUs with ->polling set (SCHEDOP_poll) */
	unsigned int restarts;
	bool reaped; /* its end has been handled */
	unsigned int max_vcpus;
	struct vcpu **vcpu;
	cpumask_t hard_affinity; /* the default for its vCPUs (vcpu_set_affinity changes one) */
	struct sched_dom sched;	 /* weight, cap (common/sched/) */
	/* memory (common/domain_mem.c): every page the domain owns is in one
	 * of the builder's chunks or on the page list; under d->lock */
	unsigned long tot_pages, max_pages;
	struct dom_chunk *chunks;
	struct page_info *page_list; /* pages given after the build */
	bool pod_warned;	     /* populate-on-demand refusal logged */
	/* console: output assembled into lines, input queued for the guest;
	 * con_lock covers con_line/con_len and the rate-limit fields (several
	 * vCPUs may write at once): d->lock -> con_lock -> the console's lock */
	spinlock_t con_lock;
	char con_line[256];
	unsigned int con_len;
	uint64_t con_ring_gfn; /* the PV console ring page (0: none) */
	unsigned int con_port; /* its event channel */
	bool con_in_warned;
	/* output rate limit (common/console.c): bytes it may still print now,
	 * refilled with time; lines dropped since the last one printed */
	uint64_t con_budget;
	s_time_t con_budget_at;
	unsigned long con_dropped;
	const struct domcfg *cfg;	/* what it was built from (restart uses it) */
	unsigned long enosys_logged[1]; /* hypercall numbers reported once */
	void *shared_info;		/* Xen's shared_info page (public/xen.h) */
	struct evtchn_domain evtchn;	/* event channels (common/event_channel.c) */
	bool evtchn_ready;
	uint64_t hvm_params[HVM_NR_PARAMS]; /* arch/x86/hvm/hvm_op.c */
	struct gnttab_domain gnttab;	    /* grant table (common/grant_table.c) */
	bool gnttab_ready;
	struct domain *next_in_list;
	struct arch_domain arch;
};

struct dom_chunk {
	struct dom_chunk *next;
	mfn_t mfn;
	unsigned int order;
	unsigned long given_back; /* pages of it the domain gave back */
};

extern struct domain *domain_list;
extern spinlock_t domlist_lock;

/* Create an empty domain with max_vcpus vCPUs (all down); the builder fills
 * it and then calls domain_unpause_by_builder(). */
int domain_create(const char *name, unsigned int max_vcpus, const cpumask_t *affinity, struct domain **out);
/* Memory (common/domain_mem.c): allocate 'pages' pages in the largest
 * chunks possible. */
int domain_alloc_memory(struct domain *d, unsigned long pages);
/* mfn is d's own (RAM or shared_info), not a foreign frame mapped by a
 * grant: only such frames may be kept mapped by the hypervisor for d
 * (vcpu_info, FIFO event pages) or granted by d. */
bool domain_owns_frame(const struct domain *d, mfn_t mfn);
/* Give d the allocated frames [mfn, mfn + 2^order): -XEN_ENOMEM past
 * max_pages (the caller frees them then). d->lock held. */
int domain_assign_pages_locked(struct domain *d, mfn_t mfn, unsigned int order);
/* Undo domain_assign_pages_locked (the caller frees them). d->lock held. */
void domain_unassign_pages_locked(struct domain *d, mfn_t mfn, unsigned int order);
/* Unmap the 2^order frames at gfn and free them: -XEN_EINVAL (nothing
 * mapped), -XEN_ENXIO (not d's RAM), -XEN_EBUSY (held). d->lock held. */
int domain_give_back_locked(struct domain *d, gfn_t gfn, unsigned int order);
/* Keep d's own frame mfn, mapped at gfn, from leaving d while the
 * hypervisor or a grant user uses it in place: false if it is not (or no
 * longer) d's own frame at gfn. */
bool domain_hold_frame(struct domain *d, gfn_t gfn, mfn_t mfn);
/* The same for whatever frame d maps at gfn (its own or a grant's): held
 * while the hypervisor copies to or from it. */
bool domain_hold_mapped(struct domain *d, gfn_t gfn, mfn_t mfn);
void domain_release_frame(mfn_t mfn);
/* The entry at gfn is RAM: d's own page, mapped as RAM (*mfn: what is there). */
bool domain_ram_at(struct domain *d, gfn_t gfn, mfn_t *mfn);
/* At death: free every page d owns, once. */
void domain_free_memory(struct domain *d);
void domain_start(struct domain *d); /* vCPU 0 up, state running */
/* v halted with interrupts off: down; the last vCPU down powers off */
void vcpu_down_halted(struct vcpu *v);
void domain_shutdown(struct domain *d, unsigned int reason);
/* Crash the domain for bad behaviour; the message says why. */
void domain_crash(struct domain *d, const char *fmt, ...) __printf(2, 3);
void domain_destroy(struct domain *d);
struct domain *get_domain_by_id(domid_t id); /* takes a reference */
void get_domain(struct domain *d);
void put_domain(struct domain *d);
unsigned int nr_domains(void);
struct vcpu *current_vcpu(void); /* NULL in the idle loop */
/* Hook for test mode: called when the last domain is gone. */
void domains_all_gone(void);
const char *domain_state_name(const struct domain *d);
/* What the configuration says to do after this shutdown reason. */
enum domain_action domain_cfg_action(const struct domain *d, unsigned int reason);
/* Build a domain again from its configuration (common/dom0less.c). */
void domain_rebuild(const struct domcfg *cfg, unsigned int restarts);
/* Boot modules -> domains (common/dom0less.c). */
struct boot_info;
void dom0less_build(const struct boot_info *bi);
/* The live domain with the next id above 'after' (referenced), or NULL. */
struct domain *domain_next(domid_t after);
long do_memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg); /* common/memory.c */
/* increase/decrease_reservation, populate_physmap from extent start (common/reservation.c) */
long memop_reservation(struct vcpu *v, unsigned int op, unsigned long start, uint64_t arg);
long do_hvm_op(struct vcpu *v, uint64_t cmd, uint64_t arg);		      /* arch/x86/hvm/hvm_op.c */
long do_vcpu_op(struct vcpu *v, uint64_t cmd, uint64_t vcpuid, uint64_t arg); /* common/vcpu_op.c */
void hvm_params_init(struct domain *d);
void hvm_triple_fault(struct vcpu *v); /* shut down with the triple-fault reason */
/* Event channels (common/evtchn_glue.c) */
int domain_evtchn_init(struct domain *d);
void domain_evtchn_destroy(struct domain *d);
struct vcpu_info *hvm_vcpu_info(struct vcpu *v);
/* Host address of a guest-physical byte (NULL: no memory there). */
void *hvm_gpa_to_host(struct domain *d, uint64_t gpa);
/* DOMID_SELF or the domain's own id */
static inline bool domid_is_self(const struct domain *d, domid_t id)
{
	return id == DOMID_SELF || id == d->domain_id;
}
int hvm_callback_vector_pending(struct vcpu *v); /* the callback vector to inject, or -1 */
/* sched_op (common/sched_op.c) */
long do_sched_op(struct vcpu *v, uint64_t cmd, uint64_t arg);
void sched_op_vcpu_init(struct vcpu *v);
void sched_op_vcpu_destroy(struct vcpu *v);
void sched_op_domain_init(struct domain *d);
void sched_op_domain_destroy(struct domain *d);
void sched_poll_wake(struct vcpu *v, evtchn_port_t port); /* under d's event lock */
/* Grant tables (common/gnttab_glue.c) */
int domain_gnttab_init(struct domain *d, unsigned int max_frames, unsigned int max_maptrack_frames);
void domain_gnttab_release(struct domain *d); /* at destruction: undo its mappings */
void domain_gnttab_destroy(struct domain *d); /* when freed */
long do_grant_table_op(struct vcpu *v, uint64_t cmd, uint64_t uop, uint64_t count);
long gnttab_add_to_physmap(struct domain *d, unsigned int space, uint64_t idx, gfn_t gpfn);
/* Guest time (common/vtime.c) */
void vtime_set_boot_wallclock(uint64_t secs);
void vtime_update_vcpu(struct vcpu *v);
void vtime_tsc_scale(uint32_t *mul, int8_t *shift); /* the pvclock's TSC-to-ns scale */
void vtime_update_wallclock(struct domain *d);
void vtime_vcpu_init(struct vcpu *v);
void vtime_vcpu_destroy(struct vcpu *v);
int vtime_set_singleshot(struct vcpu *v, uint64_t abs_ns, uint32_t flags);
int vtime_set_periodic(struct vcpu *v, uint64_t period_ns);
void vtime_stop(struct vcpu *v, bool periodic);
void runstate_publish(struct vcpu *v); /* to the guest's runstate area, if registered */
/* A character typed while the domain has the console's input focus. */
void domain_console_input(struct domain *d, char c);
/* The PV console ring (common/console_ring.c). */
void console_ring_process(struct domain *d);
bool console_ring_input(struct domain *d, char c); /* false: no ring or full */

#endif
