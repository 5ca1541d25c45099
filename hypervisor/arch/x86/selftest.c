/*
 * The x86 part of the boot self-checks (see common/selftest.c): a TLB
 * shootdown really reaches every CPU. Each CPU reads a test mapping (so it
 * is in its TLB), the boot CPU points the mapping at another page, flushes
 * every CPU's TLB with flush_tlb_mask() and each CPU must now read the new
 * page. Without the shootdown the others keep reading the old one.
 */
#include <hv/console.h>
#include <hv/cpumask.h>
#include <hv/init.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/percpu.h>
#include <hv/smp.h>
#include <asm/mm.h>

#define TEST_VA (MAPPINGS_VIRT_START + 0x1000)

static uint8_t seen[NR_CPUS];

static void read_test_page(void *unused)
{
	seen[smp_processor_id()] = *(volatile uint8_t *)(uintptr_t)TEST_VA;
}

static bool all_saw(uint8_t v)
{
	unsigned int cpu;
	bool ok = true;

	for_each_online_cpu(cpu)
		if (seen[cpu] != v) {
			printk(LOG_ERR "selftest: CPU %u read %#x through the test mapping, expected %#x\n", cpu,
			       seen[cpu], v);
			ok = false;
		}
	return ok;
}

bool arch_selftest(void)
{
	void *a = alloc_xenheap_pages(0, 0), *b = alloc_xenheap_pages(0, 0);
	bool ok = false;

	if (!a || !b || map_page(TEST_VA, virt_to_mfn(a), false)) {
		printk(LOG_ERR "selftest: cannot set up the TLB shootdown test\n");
		goto out;
	}
	memset(a, 0xaa, PAGE_SIZE);
	memset(b, 0xbb, PAGE_SIZE);
	on_selected_cpus(&cpu_online_map, read_test_page, NULL, true);
	if (!all_saw(0xaa))
		goto out_unmap;
	map_page(TEST_VA, virt_to_mfn(b), false); /* flushes this CPU only */
	flush_tlb_mask(&cpu_online_map);
	on_selected_cpus(&cpu_online_map, read_test_page, NULL, true);
	ok = all_saw(0xbb);
	printk("selftest: TLB shootdown on %u CPUs: %s\n", num_online_cpus(), ok ? "ok" : "FAILED");
out_unmap:
	unmap_page(TEST_VA);
	flush_tlb_mask(&cpu_online_map);
out:
	if (a)
		free_xenheap_pages(a, 0);
	if (b)
		free_xenheap_pages(b, 0);
	return ok;
}
