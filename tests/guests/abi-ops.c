/*
 * abi-ops: the guest ABI beyond the basics, with Xen's semantics and errno
 * values (run with 2 vCPUs, of which only vCPU 0 is started):
 *   hvm_op: get/set_param with Xen's guest rules (readable and settable
 *     parameters, -EPERM for the rest and for other domains, -EINVAL past
 *     HVM_NR_PARAMS and for a GSI callback), get_time, flush_tlbs (NULL
 *     argument only), pagetable_dying; the CPUID upcall-vector flag
 *   vm_assist: runstate_update_flag only
 *   vcpu_op: get_runstate_info, a runstate area with the update flag,
 *     register_vcpu_time_memory_area (own vCPU only), get_physid and
 *     initialise (-EINVAL), up of a never-started vCPU (-EINVAL), down
 *   multicall: results per entry, a nested multicall -EINVAL, bad list;
 *     memory_op entries that continue (300 extents) finish where they stop
 *   sched_op: poll (timeout; a pending port returns at once; -EINVAL for
 *     too many ports or a port out of range; -EFAULT), watchdog slots,
 *     remote_shutdown (-EPERM, -ESRCH)
 * mode=shutdown_code: SCHEDOP_shutdown_code(reboot), then power off: the
 *   domain must end with reason reboot (the code given first wins).
 * mode=watchdog: a 1-second watchdog, never re-armed: the domain must end
 *   with reason watchdog.
 * Xen/Basalt only (SKIP without).
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EFAULT 14
#define EINVAL 22
#define ENOSPC 28
#define ENOSYS 38

#define HC_MULTICALL 13
#define HC_XEN_VERSION 17
#define HC_VM_ASSIST 21
#define HC_VCPU_OP 24
#define HC_SCHED_OP 29
#define HC_EVTCHN_OP 32
#define HC_HVM_OP 34

struct hvm_param {
	uint16_t domid, pad;
	uint32_t index;
	uint64_t value;
};
/* Xen's layouts for the guest's mode: the compiler's rules for -m32
 * (64-bit fields 4-byte aligned, unsigned long 32 bits) are i386's, which
 * the compat layouts are */
struct runstate {
	int32_t state;
	uint64_t state_entry_time;
	uint64_t time[4];
};
struct time_info {
	uint32_t version, pad0;
	uint64_t tsc_timestamp, system_time;
	uint32_t mul;
	int8_t shift;
	uint8_t flags, pad1[2];
};
struct mc_entry {
	unsigned long op, result, args[6]; /* xen_ulong_t */
};
struct sched_poll {
	unsigned long ports; /* guest handle */
	uint32_t nr_ports;
	uint64_t timeout;
};
_Static_assert(sizeof(struct runstate) == (GUEST_BITS == 64 ? 48 : 44), "runstate");
_Static_assert(sizeof(struct mc_entry) == (GUEST_BITS == 64 ? 64 : 32), "multicall_entry");
_Static_assert(sizeof(struct sched_poll) == (GUEST_BITS == 64 ? 24 : 16), "sched_poll");

static struct runstate rs_area __attribute__((aligned(64)));
static struct time_info time_area __attribute__((aligned(64)));

static long hvm_param(unsigned op, uint16_t domid, uint32_t index, uint64_t *value)
{
	static struct hvm_param p;
	long rc;

	p.domid = domid;
	p.index = index;
	p.value = value ? *value : 0;
	rc = hypercall2(HC_HVM_OP, op, &p);
	if (value)
		*value = p.value;
	return rc;
}

static uint64_t get_time(void)
{
	static uint64_t now;

	check(hypercall2(HC_HVM_OP, 10, &now) == 0, "hvm_op: get_time");
	return now;
}

static uint16_t own_domid(void)
{
	return (uint16_t)cpuid(env.xen_base + 4).c;
}

static void hvm_op_checks(void)
{
	uint64_t v = 0, t0, t1;
	uint32_t a = cpuid(env.xen_base + 4).a;

	check(a & (1u << 6), "CPUID %#x eax %#x: the upcall-vector flag (bit 6)", env.xen_base + 4, a);
	check(hvm_param(1, 0x7ff0, 0, &v) == 0, "hvm_op: get CALLBACK_IRQ");
	check(hvm_param(1, 0x7ff0, 17, &v) == 0 && v != 0, "hvm_op: get CONSOLE_PFN (%#llx)", (unsigned long long)v);
	check(hvm_param(1, 0x7ff0, 5, &v) == -EPERM, "hvm_op: get PAE_ENABLED (toolstack's) is -EPERM");
	check(hvm_param(1, 0x7ff0, 31, &v) == -EPERM, "hvm_op: get TRIPLE_FAULT_REASON is -EPERM");
	v = 0x1000;
	check(hvm_param(0, 0x7ff0, 1, &v) == -EPERM, "hvm_op: set STORE_PFN is -EPERM");
	check(hvm_param(1, 0x7ff0, 39, &v) == -EINVAL, "hvm_op: index 39 (HVM_NR_PARAMS) is -EINVAL");
	check(hvm_param(1, 0x7ff0, 1000, &v) == -EINVAL, "hvm_op: index 1000 is -EINVAL");
	check(hvm_param(1, (uint16_t)(own_domid() + 1), 0, &v) == -EPERM, "hvm_op: another domain's is -EPERM");
	v = 5; /* type 0: GSI 5 */
	check(hvm_param(0, 0x7ff0, 0, &v) == -EINVAL, "hvm_op: a GSI callback is -EINVAL (no GSIs in PVH)");
	v = (2ull << 56) | 0xf0;
	check(hvm_param(0, 0x7ff0, 0, &v) == 0, "hvm_op: set CALLBACK_IRQ to vector 0xf0");
	v = 0;
	check(hvm_param(1, 0x7ff0, 0, &v) == 0 && v == ((2ull << 56) | 0xf0), "hvm_op: CALLBACK_IRQ reads back %#llx",
	      (unsigned long long)v);
	v = 0;
	check(hvm_param(0, 0x7ff0, 0, &v) == 0, "hvm_op: CALLBACK_IRQ off again");
	v = 7;
	check(hvm_param(0, 0x7ff0, 2, &v) == 0, "hvm_op: set STORE_EVTCHN (the guest may)");
	v = 0;
	check(hvm_param(1, 0x7ff0, 2, &v) == 0 && v == 7, "hvm_op: STORE_EVTCHN reads back 7");
	t0 = get_time();
	t1 = get_time();
	check(t0 > 0 && t1 >= t0, "hvm_op: get_time %llu then %llu ns", (unsigned long long)t0, (unsigned long long)t1);
	check(hypercall2(HC_HVM_OP, 10, BAD_GUEST_PTR) == -EFAULT, "hvm_op: get_time to a bad pointer");
	check(hypercall2(HC_HVM_OP, 5, 0) == 0, "hvm_op: flush_tlbs(NULL)");
	check(hypercall2(HC_HVM_OP, 5, &v) == -EINVAL, "hvm_op: flush_tlbs with an argument is -EINVAL");
	static struct {
		uint16_t domid, pad[3];
		uint64_t gpa;
	} dying = { 0x7ff0, { 0 }, 0x100000 };
	check(hypercall2(HC_HVM_OP, 9, &dying) == 0, "hvm_op: pagetable_dying accepted");
	check(hypercall2(HC_HVM_OP, 77, &dying) == -ENOSYS, "hvm_op: unknown sub-op is -ENOSYS");
}

static void vm_assist_checks(void)
{
	check(hypercall2(HC_VM_ASSIST, 0, 5) == 0, "vm_assist: enable runstate_update_flag");
	check(hypercall2(HC_VM_ASSIST, 0, 0) == -EINVAL, "vm_assist: type 0 (PV only) is -EINVAL");
	check(hypercall2(HC_VM_ASSIST, 0, 64) == -EINVAL, "vm_assist: type 64 is -EINVAL");
	check(hypercall2(HC_VM_ASSIST, 7, 5) == -ENOSYS, "vm_assist: command 7 is -ENOSYS");
}

static void vcpu_op_checks(void)
{
	static struct runstate r;
	static uint64_t handle;

	check(hypercall3(HC_VCPU_OP, 4, 0, &r) == 0 && r.state == 0 && r.time[0] > 0,
	      "vcpu_op: get_runstate_info: state %d, running %llu ns", r.state, (unsigned long long)r.time[0]);
	check(hypercall3(HC_VCPU_OP, 4, 1, &r) == 0 && r.state == 3, "vcpu_op: vCPU 1 (never started) is offline (%d)",
	      r.state);
	check(hypercall3(HC_VCPU_OP, 4, 5000, &r) == -ENOENT, "vcpu_op: get_runstate_info of vCPU 5000 is -ENOENT");
	handle = (uintptr_t)&rs_area;
	check(hypercall3(HC_VCPU_OP, 5, 0, &handle) == 0, "vcpu_op: register_runstate_memory_area");
	check(rs_area.state == 0 && rs_area.state_entry_time > 0 && !(rs_area.state_entry_time >> 63),
	      "vcpu_op: the area shows running, the update flag clear (entry %#llx)",
	      (unsigned long long)rs_area.state_entry_time);
	handle = (uintptr_t)&time_area;
	check(hypercall3(HC_VCPU_OP, 13, 1, &handle) == -EINVAL, "vcpu_op: another vCPU's time area is -EINVAL");
	check(hypercall3(HC_VCPU_OP, 13, 0, &handle) == 0, "vcpu_op: register_vcpu_time_memory_area");
	check(time_area.version && !(time_area.version & 1) && (time_area.flags & 1) && time_area.mul,
	      "vcpu_op: the time area: version %u, flags %#x (TSC stable), mul %u", time_area.version, time_area.flags,
	      time_area.mul);
	check(hypercall3(HC_VCPU_OP, 12, 0, &handle) == -EINVAL,
	      "vcpu_op: get_physid is -EINVAL (not the hardware domain)");
	check(hypercall3(HC_VCPU_OP, 0, 1, &handle) == -EINVAL, "vcpu_op: initialise is -EINVAL (HVM)");
	check(hypercall3(HC_VCPU_OP, 1, 1, 0) == -EINVAL, "vcpu_op: up of a never-started vCPU is -EINVAL");
	check(hypercall3(HC_VCPU_OP, 2, 1, 0) == 0, "vcpu_op: down of vCPU 1");
	check(hypercall3(HC_VCPU_OP, 3, 1, 0) == 0, "vcpu_op: vCPU 1 is not up");
	check(hypercall3(HC_VCPU_OP, 99, 0, 0) == -ENOSYS, "vcpu_op: unknown sub-op is -ENOSYS");
}

static void multicall_checks(void)
{
	static struct mc_entry mc[4], nested[1];

	memset(mc, 0, sizeof(mc));
	mc[0].op = HC_XEN_VERSION; /* XENVER_version */
	mc[1].op = HC_XEN_VERSION;
	mc[1].args[0] = 99;
	mc[2].op = HC_MULTICALL;
	mc[2].args[0] = (uintptr_t)nested;
	mc[2].args[1] = 1;
	mc[3].op = HC_VM_ASSIST;
	mc[3].args[0] = 1; /* disable */
	mc[3].args[1] = 5;
	nested[0].op = HC_XEN_VERSION;
	nested[0].result = 12345;
	check(hypercall2(HC_MULTICALL, mc, 4) == 0, "multicall: four entries");
	check(mc[0].result == ((4 << 16) | 17), "multicall: xen_version result %#llx",
	      (unsigned long long)mc[0].result);
	check((long)mc[1].result == -ENOSYS, "multicall: unknown sub-op result %lld", (long long)mc[1].result);
	check((long)mc[2].result == -EINVAL && nested[0].result == 12345, "multicall: nested multicall result %lld",
	      (long long)mc[2].result);
	check(mc[3].result == 0, "multicall: vm_assist result %lld", (long long)mc[3].result);
	check(hypercall2(HC_MULTICALL, BAD_GUEST_PTR, 2) == -EFAULT, "multicall: a bad list is -EFAULT");
	check(hypercall2(HC_MULTICALL, mc, 0) == 0, "multicall: zero entries");
}

/* A multicall whose memory_op entries continue (more than 256 extents):
 * each entry is re-run from where it stopped, then the next entry runs. */
#define MC_PAGES 300
static uint8_t mc_buf[MC_PAGES][4096] __attribute__((aligned(4096)));
static unsigned long mc_gfns[MC_PAGES]; /* xen_pfn_t */

static void multicall_continuation_checks(void)
{
	static struct {
		unsigned long extent_start, nr_extents;
		uint32_t extent_order, mem_flags;
		uint16_t domid;
	} dec, pop;
	static struct mc_entry mc[2];
	static uint16_t self = 0x7ff0;
	long before = hypercall2(12, 3, &self), after;
	unsigned nonzero = 0;

	for (unsigned i = 0; i < MC_PAGES; i++) {
		mc_buf[i][0] = 0xa5;
		mc_gfns[i] = ((uintptr_t)mc_buf[i]) >> 12;
	}
	dec.extent_start = pop.extent_start = (uintptr_t)mc_gfns;
	dec.nr_extents = pop.nr_extents = MC_PAGES;
	dec.domid = pop.domid = 0x7ff0;
	memset(mc, 0, sizeof(mc));
	mc[0].op = 12;	   /* memory_op */
	mc[0].args[0] = 1; /* decrease_reservation */
	mc[0].args[1] = (uintptr_t)&dec;
	mc[1].op = 12;
	mc[1].args[0] = 6; /* populate_physmap */
	mc[1].args[1] = (uintptr_t)&pop;
	check(hypercall2(HC_MULTICALL, mc, 2) == 0, "multicall: decrease + populate of %u pages", MC_PAGES);
	check(mc[0].result == MC_PAGES && mc[1].result == MC_PAGES,
	      "multicall: both entries did all %u extents across continuations (%lld, %lld)", MC_PAGES,
	      (long long)mc[0].result, (long long)mc[1].result);
	after = hypercall2(12, 3, &self);
	check(after == before, "multicall: the reservation is back to %ld pages (%ld)", before, after);
	for (unsigned i = 0; i < MC_PAGES; i++)
		nonzero += mc_buf[i][0] != 0;
	check(nonzero == 0, "multicall: the repopulated pages read as zero (%u do not)", nonzero);
}

static void poll_checks(void)
{
	static struct {
		uint32_t vcpu, port;
	} ipi;
	static uint32_t ports[2];
	static struct sched_poll p;
	uint64_t t0, t1;

	ipi.vcpu = 0;
	check(hypercall2(HC_EVTCHN_OP, 7, &ipi) == 0 && ipi.port > 0, "evtchn: bind_ipi -> port %u", ipi.port);
	ports[0] = ipi.port;
	p.ports = (uintptr_t)ports;
	p.nr_ports = 1;
	t0 = get_time();
	p.timeout = t0 + 30000000; /* 30 ms */
	check(hypercall2(HC_SCHED_OP, 3, &p) == 0, "sched_op: poll with a timeout");
	t1 = get_time();
	check(t1 - t0 >= 30000000 && t1 - t0 < 2000000000ull, "sched_op: poll returned after %llu us (timeout 30 ms)",
	      (unsigned long long)(t1 - t0) / 1000);
	check(hypercall2(HC_EVTCHN_OP, 4, &ports[0]) == 0, "evtchn: send on the IPI port");
	t0 = get_time();
	p.timeout = t0 + 5000000000ull;
	check(hypercall2(HC_SCHED_OP, 3, &p) == 0, "sched_op: poll on a pending port");
	t1 = get_time();
	check(t1 - t0 < 1000000000ull, "sched_op: ... returned at once (%llu us)",
	      (unsigned long long)(t1 - t0) / 1000);
	ports[1] = 5000;
	p.nr_ports = 2;
	ports[0] = 5000;
	check(hypercall2(HC_SCHED_OP, 3, &p) == -EINVAL, "sched_op: poll on port 5000 is -EINVAL");
	p.nr_ports = 129;
	check(hypercall2(HC_SCHED_OP, 3, &p) == -EINVAL, "sched_op: poll on 129 ports is -EINVAL");
	p.nr_ports = 1;
	p.ports = (unsigned long)BAD_GUEST_PTR;
	check(hypercall2(HC_SCHED_OP, 3, &p) == -EFAULT, "sched_op: poll with a bad port list is -EFAULT");
	check(hypercall2(HC_SCHED_OP, 3, BAD_GUEST_PTR) == -EFAULT, "sched_op: poll with a bad argument");
}

static long watchdog(uint32_t id, uint32_t timeout)
{
	static struct {
		uint32_t id, timeout;
	} w;

	w.id = id;
	w.timeout = timeout;
	return hypercall2(HC_SCHED_OP, 6, &w);
}

static void sched_op_checks(void)
{
	static struct {
		uint16_t domid, pad;
		uint32_t reason;
	} rs;

	poll_checks();
	check(watchdog(0, 100) == 1, "sched_op: watchdog 1");
	check(watchdog(0, 100) == 2, "sched_op: watchdog 2");
	check(watchdog(0, 100) == -ENOSPC, "sched_op: a third watchdog is -ENOSPC");
	check(watchdog(1, 200) == 0, "sched_op: re-arm watchdog 1");
	check(watchdog(1, 0) == 0, "sched_op: destroy watchdog 1");
	check(watchdog(1, 0) == -EINVAL, "sched_op: destroy it again is -EINVAL");
	check(watchdog(7, 5) == -EINVAL, "sched_op: watchdog 7 is -EINVAL");
	check(watchdog(2, 0) == 0, "sched_op: destroy watchdog 2");
	rs.domid = own_domid();
	rs.reason = 0;
	check(hypercall2(HC_SCHED_OP, 4, &rs) == -EPERM, "sched_op: remote_shutdown (even of itself) is -EPERM");
	rs.domid = 0x7000;
	check(hypercall2(HC_SCHED_OP, 4, &rs) == -ESRCH, "sched_op: remote_shutdown of no domain is -ESRCH");
	check(hypercall2(HC_SCHED_OP, 99, &rs) == -ENOSYS, "sched_op: unknown sub-op is -ENOSYS");
}

void test_main(void)
{
	char mode[32] = "";

	if (!env.xen)
		skip("needs Xen/Basalt");
	cmdline_str("mode", mode, sizeof(mode));
	if (strcmp(mode, "shutdown_code") == 0) {
		static uint32_t reason = 1; /* reboot */

		check(hypercall2(HC_SCHED_OP, 5, &reason) == 0, "sched_op: shutdown_code(reboot)");
		if (checks_failures())
			checks_verdict();
		verdict_expect("shutdown reason reboot");
		guest_exit(END_POWEROFF); /* reported as reboot: the code given first */
	}
	if (strcmp(mode, "watchdog") == 0) {
		check(watchdog(0, 1) == 1, "sched_op: a 1 s watchdog");
		if (checks_failures())
			checks_verdict();
		verdict_expect("shutdown reason watchdog");
		for (;;)
			asm volatile("sti; hlt; cli");
	}
	hvm_op_checks();
	vm_assist_checks();
	vcpu_op_checks();
	multicall_checks();
	multicall_continuation_checks();
	sched_op_checks();
	checks_verdict();
}
