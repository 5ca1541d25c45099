/*
 * abi-basics: the first pieces of Xen's guest ABI beyond the console, with
 * Xen's semantics and errno values:
 *   xen_version: version, extraversion, capabilities, get_features
 *     (auto_translated_physmap), pagesize, an unknown sub-op (-ENOSYS)
 *   memory_op: add_to_physmap of shared_info (then visible at that frame),
 *     current/maximum reservation, maximum_gpfn, memory_map (as the start
 *     info's), bad pointers (-EFAULT), another domain (-EPERM)
 *   vcpu_op: is_up, register_vcpu_info (once; a bad offset -EINVAL), a bad
 *     vCPU id (-ENOENT)
 * Xen/Basalt only (SKIP without).
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

#define ENOSYS 38
#define EFAULT 14
#define EPERM 1
#define EINVAL 22
#define ENOENT 2

static uint8_t shinfo_page[4096] __attribute__((aligned(4096)));
static uint8_t vcpu_info_page[4096] __attribute__((aligned(4096)));

struct add_to_physmap {
	uint16_t domid, size;
	uint32_t space;
	unsigned long idx, gpfn; /* xen_ulong_t, xen_pfn_t: 32 bits in a 32-bit guest */
};

struct memory_map {
	uint32_t nr_entries;
	unsigned long buffer; /* guest handle */
};

struct e820 {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

/* Xen's x86-64 layouts, or its compat (i386) ones in a 32-bit guest */
_Static_assert(sizeof(struct add_to_physmap) == (GUEST_BITS == 64 ? 24 : 16), "add_to_physmap");
_Static_assert(sizeof(struct memory_map) == (GUEST_BITS == 64 ? 16 : 8), "memory_map");

static void xen_version_checks(void)
{
	static char s[1024];
	static struct {
		uint32_t idx, map;
	} f;
	static struct {
		unsigned long virt_start; /* xen_ulong_t */
		uint32_t canary;
	} pp;
	long v = hypercall2(17, 0, 0);

	check(v == ((4 << 16) | 17), "xen_version: version %ld.%ld", v >> 16, v & 0xffff);
	v = hypercall2(17, 1, s);
	check(v == 0 && s[0] == '.', "xen_version: extraversion \"%s\"", s);
	v = hypercall2(17, 3, s);
	check(v == 0 && strncmp(s, "hvm-3.0-x86_64", 14) == 0, "xen_version: capabilities \"%s\"", s);
	f.idx = 0;
	v = hypercall2(17, 6, &f); /* before reading f in the check's arguments */
	check(v == 0 && (f.map & (1u << 2)), "xen_version: features %#x has auto_translated_physmap", f.map);
	check(hypercall2(17, 7, 0) == 4096, "xen_version: pagesize 4096");
	pp.virt_start = 1;
	pp.canary = 0xc0ffee;
	v = hypercall2(17, 5, &pp);
	check(v == 0 && pp.virt_start == 0 && pp.canary == 0xc0ffee,
	      "xen_version: platform_parameters virt_start 0, an xen_ulong_t wide (%u bytes)",
	      (unsigned)sizeof(pp.virt_start));
	check(hypercall2(17, 99, 0) == -ENOSYS, "xen_version: unknown sub-op is -ENOSYS");
	check(hypercall2(17, 1, BAD_GUEST_PTR) == -EFAULT, "xen_version: bad pointer is -EFAULT");
}

static void memory_op_checks(void)
{
	static struct add_to_physmap a;
	static struct memory_map m;
	static struct e820 e[16];
	static uint16_t domid;
	volatile uint32_t *wc_version = (volatile uint32_t *)(shinfo_page + 3072);
	long cur, max;

	a.domid = 0x7ff0;
	a.space = 0; /* shared_info */
	a.idx = 0;
	a.gpfn = (uintptr_t)shinfo_page >> 12;
	memset(shinfo_page, 0xa5, sizeof(shinfo_page));
	check(hypercall2(12, 7, &a) == 0, "memory_op: add_to_physmap(shared_info) at pfn %#llx",
	      (unsigned long long)a.gpfn);
	check(*wc_version != 0xa5a5a5a5u, "memory_op: the frame now shows shared_info, not the old RAM");
	a.domid = 1234;
	check(hypercall2(12, 7, &a) == -EPERM, "memory_op: another domain's physmap is -EPERM");
	domid = 0x7ff0;
	cur = hypercall2(12, 3, &domid);
	max = hypercall2(12, 4, &domid);
	check(cur > 0 && max >= cur, "memory_op: reservation %ld pages, maximum %ld", cur, max);
	max = hypercall2(12, 14, &domid);
	check(max >= cur - 1, "memory_op: maximum_gpfn %ld", max);
	max = hypercall2(12, 4, &domid);
	m.nr_entries = 16;
	m.buffer = (uintptr_t)e;
	cur = hypercall2(12, 9, &m);
	check(cur == 0 && m.nr_entries == env.nr_memmap, "memory_op: memory_map has %u entries (start info: %u)",
	      m.nr_entries, env.nr_memmap);
	for (unsigned i = 0; i < m.nr_entries && i < env.nr_memmap; i++)
		check(e[i].addr == env.memmap[i].addr && e[i].size == env.memmap[i].size &&
			      e[i].type == env.memmap[i].type,
		      "memory_op: entry %u [%#llx+%#llx type %u] as in the start info", i,
		      (unsigned long long)e[i].addr, (unsigned long long)e[i].size, e[i].type);
	check(hypercall2(12, 9, BAD_GUEST_PTR) == -EFAULT, "memory_op: bad pointer is -EFAULT");
	check(hypercall2(12, 999, &m) == -ENOSYS, "memory_op: unknown sub-op is -ENOSYS");
}

static void vcpu_op_checks(void)
{
	static struct {
		uint64_t mfn;
		uint32_t offset, rsvd;
	} r;

	check(hypercall3(24, 3, 0, 0) == 1, "vcpu_op: vCPU 0 is up");
	check(hypercall3(24, 3, 4096, 0) == -ENOENT, "vcpu_op: vCPU 4096 is -ENOENT");
	r.mfn = (uintptr_t)vcpu_info_page >> 12;
	r.offset = 4090;
	check(hypercall3(24, 10, 0, &r) == -EINVAL, "vcpu_op: register_vcpu_info past the page end is -EINVAL");
	r.offset = 128;
	check(hypercall3(24, 10, 0, &r) == 0, "vcpu_op: register_vcpu_info at offset 128");
	check(hypercall3(24, 10, 0, &r) == -EINVAL, "vcpu_op: registering again is -EINVAL");
}

void test_main(void)
{
	if (!env.xen)
		skip("needs Xen/Basalt");
	xen_version_checks();
	memory_op_checks();
	vcpu_op_checks();
	checks_verdict();
}
