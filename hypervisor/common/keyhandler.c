/*
 * Debug keys, as on Xen. Each key's handler is declared with keyhandler()
 * next to the code it inspects; this file holds the general ones:
 *   h  list the keys          d  registers and stack of every CPU
 *   m  memory (page allocator and heap)        R  reboot
 * A key with no handler is answered with a hint to press 'h'.
 */
#include <hv/console.h>
#include <hv/cpumask.h>
#include <hv/keyhandler.h>
#include <hv/mm.h>
#include <hv/percpu.h>
#include <hv/shutdown.h>
#include <hv/smp.h>
#include <hv/xmalloc.h>
#include <asm/regs.h>

extern const struct keyhandler __keyhandler_start[], __keyhandler_end[];

void handle_keypress(unsigned char key)
{
	for (const struct keyhandler *k = __keyhandler_start; k < __keyhandler_end; k++)
		if (k->key == key) {
			printk("'%c' pressed -> %s\n", key, k->desc);
			k->fn(key);
			return;
		}
	if (key >= 0x20 && key < 0x7f)
		printk("no debug key '%c' ('h' lists them)\n", key);
}

static void show_help(unsigned char key)
{
	for (const struct keyhandler *k = __keyhandler_start; k < __keyhandler_end; k++)
		printk(" key '%c': %s\n", k->key, k->desc);
}
keyhandler('h', show_help, "show this help");

static void dump_this_cpu(void *unused)
{
	const struct cpu_user_regs *regs = get_irq_regs();

	printk("*** CPU %u state ***\n", smp_processor_id());
	if (regs) {
		show_registers(regs);
		show_stack_trace(regs->rip, regs->rbp);
	} else {
		arch_show_stack_here();
	}
}

static void dump_registers(unsigned char key)
{
	unsigned int cpu;

	/* one CPU at a time, so their reports do not interleave */
	for_each_online_cpu(cpu) {
		cpumask_t one;

		cpumask_clear(&one);
		cpumask_set_cpu(cpu, &one);
		on_selected_cpus(&one, dump_this_cpu, NULL, true);
	}
}
keyhandler('d', dump_registers, "dump registers and stack of every CPU");

static void dump_memory(unsigned char key)
{
	page_alloc_dump();
	xmalloc_dump();
}
keyhandler('m', dump_memory, "dump memory: free pages by zone and order, heap by size class");

static void reboot_key(unsigned char key)
{
	machine_restart();
}
keyhandler('R', reboot_key, "reboot the machine");
