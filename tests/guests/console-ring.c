/*
 * console-ring: the PV console ring (Xen's public/io/console.h) through
 * HVMOP_get_param (HVM_PARAM_CONSOLE_PFN / _EVTCHN) and EVTCHNOP_send.
 * Writes a line through the ring (the runner checks it appears as a
 * "(dN) ring: ..." console line); with echo=1, waits (polling, up to
 * wait=S seconds, default 60) for a line typed into the domain's console and
 * writes it back through the ring as "ring: got '<line>'". With loop=1 (the
 * `make run` demo) it goes on echoing lines until one is "quit".
 * Xen/Basalt only (SKIP without).
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

struct cons_ring {
	char in[1024];
	char out[2048];
	volatile uint32_t in_cons, in_prod;
	volatile uint32_t out_cons, out_prod;
};

struct xen_hvm_param {
	uint16_t domid;
	uint16_t pad;
	uint32_t index;
	uint64_t value;
};

static struct cons_ring *ring;
static uint32_t port;

static long get_param(uint32_t index, uint64_t *value)
{
	static struct xen_hvm_param p;
	long rc;

	p.domid = 0x7ff0; /* DOMID_SELF */
	p.index = index;
	rc = hypercall5(34 /* hvm_op */, 1 /* HVMOP_get_param */, (unsigned long)&p, 0, 0, 0);
	*value = p.value;
	return rc;
}

static void ring_write(const char *s)
{
	static uint32_t evport;
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		while (ring->out_prod - ring->out_cons >= sizeof(ring->out))
			; /* full: the hypervisor empties it on every send */
		ring->out[ring->out_prod & (sizeof(ring->out) - 1)] = s[i];
		asm volatile("" ::: "memory");
		ring->out_prod++;
	}
	evport = port;
	hypercall5(32 /* event_channel_op */, 4 /* EVTCHNOP_send */, (unsigned long)&evport, 0, 0, 0);
}

void test_main(void)
{
	uint64_t pfn = 0, evtchn = 0;
	char line[128], msg[200];
	unsigned n = 0;

	if (!env.xen)
		skip("needs Xen/Basalt");
	if (get_param(17, &pfn) || get_param(18, &evtchn) || !pfn || !evtchn)
		fail("HVMOP_get_param: console pfn %#llx evtchn %llu", (unsigned long long)pfn,
		     (unsigned long long)evtchn);
	ring = (struct cons_ring *)(uintptr_t)(pfn << 12);
	port = (uint32_t)evtchn;
	printf("console ring at pfn %#llx, event channel %u\n", (unsigned long long)pfn, port);
	ring_write("ring: hello through the PV console\n");
	if (!cmdline_has("echo"))
		pass();
	ring_write("ring: waiting for input\n");
	uint64_t deadline = __builtin_ia32_rdtsc() + us_to_tsc(cmdline_u64("wait", 60) * 1000000);
	while (__builtin_ia32_rdtsc() < deadline) {
		while (ring->in_cons != ring->in_prod) {
			char c = ring->in[ring->in_cons & (sizeof(ring->in) - 1)];

			ring->in_cons++;
			if (c == '\r' || c == '\n') {
				line[n] = 0;
				snprintf(msg, sizeof(msg), "ring: got '%s'\n", line);
				ring_write(msg);
				if (!cmdline_has("loop") || !strcmp(line, "quit"))
					pass();
				n = 0;
				continue;
			}
			if (n < sizeof(line) - 1)
				line[n++] = c;
		}
		xen_sched_yield();
	}
	fail("no input line within the wait");
}
