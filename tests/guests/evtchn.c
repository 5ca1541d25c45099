/*
 * evtchn: event channels end to end (2-level ABI), with the upcall
 * delivered through the callback vector (HVM_PARAM_CALLBACK_IRQ, type 2):
 *   - bind_ipi + send: the port becomes pending in shared_info and the
 *     callback vector arrives;
 *   - a masked port sends no upcall; EVTCHNOP_unmask of a pending port does;
 *   - alloc_unbound + bind_interdomain within the domain: a send on one end
 *     is pending on the other; close puts the other end back to unbound;
 *   - send on a port beyond the table is -EINVAL.
 * Xen/Basalt only (SKIP without).
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

#define VECTOR 0xf3
#define EINVAL 22

struct add_to_physmap {
	uint16_t domid, size;
	uint32_t space;
	uint64_t idx, gpfn;
};
struct hvm_param {
	uint16_t domid, pad;
	uint32_t index;
	uint64_t value;
};

static uint8_t shinfo[4096] __attribute__((aligned(4096)));
static volatile unsigned upcalls;
static volatile uint64_t seen[64]; /* ports seen pending by the handler */

static volatile uint8_t *upcall_pending(void)
{
	return (volatile uint8_t *)&shinfo[0]; /* vcpu_info[0].evtchn_upcall_pending */
}
static volatile uint64_t *pending_sel(void)
{
	return (volatile uint64_t *)&shinfo[8];
}
static volatile uint64_t *pending(unsigned i)
{
	return (volatile uint64_t *)&shinfo[2048 + 8 * i];
}
static volatile uint64_t *mask(unsigned i)
{
	return (volatile uint64_t *)&shinfo[2560 + 8 * i];
}

/* What Linux's upcall handler does for the 2-level ABI. */
static void on_upcall(struct regs *r)
{
	(void)r;
	upcalls++;
	*upcall_pending() = 0;
	uint64_t sel = __atomic_exchange_n(pending_sel(), 0, __ATOMIC_SEQ_CST);
	for (unsigned w = 0; w < 64; w++) {
		if (!(sel & (1ull << w)))
			continue;
		uint64_t bits = *pending(w) & ~*mask(w);
		__atomic_fetch_and(pending(w), ~bits, __ATOMIC_SEQ_CST);
		seen[w] |= bits;
	}
}

static bool wait_upcall(unsigned before)
{
	uint64_t end = __builtin_ia32_rdtsc() + us_to_tsc(2000000);

	while (upcalls == before && __builtin_ia32_rdtsc() < end) {
		asm volatile("sti; nop; cli" ::: "memory"); /* a window for the interrupt */
		cpu_relax();
	}
	return upcalls != before;
}

static long evtchn_op(unsigned cmd, void *arg)
{
	return hypercall2(32, cmd, arg);
}

static bool was_seen(uint32_t port)
{
	return seen[port / 64] & (1ull << (port % 64));
}

void test_main(void)
{
	static struct add_to_physmap a;
	static struct hvm_param p;
	static struct {
		uint32_t vcpu, port;
	} ipi;
	static uint32_t send_port;
	static struct {
		uint16_t dom, remote_dom;
		uint32_t port;
	} unb;
	static struct {
		uint16_t remote_dom, pad;
		uint32_t remote_port, local_port;
	} inter;
	static struct {
		uint16_t dom, pad;
		uint32_t port, status, vcpu;
		uint32_t u[2];
	} st;
	unsigned before;
	long rc;

	if (!env.xen)
		skip("needs Xen/Basalt");
	a.domid = 0x7ff0;
	a.gpfn = (uintptr_t)shinfo >> 12;
	if (hypercall2(12, 7, &a))
		fail("add_to_physmap(shared_info)");
	irq_set_handler(VECTOR, on_upcall);
	p.domid = 0x7ff0;
	p.index = 0; /* HVM_PARAM_CALLBACK_IRQ */
	p.value = (2ull << 56) | VECTOR;
	check(hypercall2(34, 0, &p) == 0, "HVMOP_set_param(CALLBACK_IRQ, vector %#x)", VECTOR);

	ipi.vcpu = 0;
	rc = evtchn_op(7, &ipi);
	check(rc == 0 && ipi.port > 0, "bind_ipi: port %u", ipi.port);
	before = upcalls;
	send_port = ipi.port;
	check(evtchn_op(4, &send_port) == 0, "send on the IPI port");
	rc = wait_upcall(before);
	check(rc, "the callback vector arrived (%u upcall%s)", upcalls, upcalls == 1 ? "" : "s");
	check(was_seen(ipi.port), "port %u was pending in shared_info", ipi.port);

	/* masked: no upcall; unmask delivers it */
	seen[ipi.port / 64] = 0;
	__atomic_fetch_or(mask(ipi.port / 64), 1ull << (ipi.port % 64), __ATOMIC_SEQ_CST);
	before = upcalls;
	evtchn_op(4, &send_port);
	check(!wait_upcall(before), "a masked port sends no upcall");
	check(*pending(ipi.port / 64) & (1ull << (ipi.port % 64)), "but it is pending");
	/* as Linux does for HVM: the mask stays set and the hypercall clears it */
	check(evtchn_op(9, &send_port) == 0, "unmask");
	check(!(*mask(ipi.port / 64) & (1ull << (ipi.port % 64))), "EVTCHNOP_unmask cleared the mask bit");
	check(wait_upcall(before) && was_seen(ipi.port), "unmasking the pending port delivered it");

	/* an interdomain channel within the domain */
	unb.dom = 0x7ff0;
	unb.remote_dom = 0x7ff0;
	rc = evtchn_op(6, &unb);
	check(rc == 0, "alloc_unbound: port %u", unb.port);
	inter.remote_dom = 0x7ff0;
	inter.remote_port = unb.port;
	rc = evtchn_op(0, &inter);
	check(rc == 0, "bind_interdomain to it: port %u", inter.local_port);
	memset((void *)seen, 0, sizeof(seen));
	before = upcalls;
	send_port = inter.local_port;
	check(evtchn_op(4, &send_port) == 0 && wait_upcall(before) && was_seen(unb.port),
	      "a send on %u is pending on %u", inter.local_port, unb.port);
	check(evtchn_op(3, &send_port) == 0, "close %u", inter.local_port);
	st.dom = 0x7ff0;
	st.port = unb.port;
	rc = evtchn_op(5, &st);
	check(rc == 0 && st.status == 1, "status of %u: %u (1 = unbound again)", unb.port, st.status);
	send_port = 100000;
	check(evtchn_op(4, &send_port) == -EINVAL, "send on a port beyond the table is -EINVAL");
	checks_verdict();
}
