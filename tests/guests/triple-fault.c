/*
 * triple-fault: loads an empty IDT and executes INT3. #BP cannot be
 * delivered (vector beyond the IDT limit: #GP), neither can #GP, so #DF,
 * which cannot be delivered either: shutdown. Under Basalt (as under Xen)
 * the domain shuts down with its triple-fault reason, reboot by default,
 * while the host carries on; under plain QEMU with -no-reboot, QEMU exits
 * with status 0. The guest announces the expected reboot first (its only
 * VERDICT line). Should it still run afterwards, it says so and powers off
 * (Xen) or exits with isa-debug-exit value 2 (QEMU status 5).
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

void test_main(void)
{
	static const struct {
		uint16_t limit;
		unsigned long base;
	} __attribute__((packed)) empty = { 0, 0 };

	printf("triple-fault: empty IDT, then INT3: #BP -> #GP -> #DF -> shutdown\n");
	verdict_expect("shutdown reason reboot");
	asm volatile("cli; lidt %0; int3" ::"m"(empty) : "memory");
	traps_init_cpu();
	printf("triple-fault: still running after the triple fault; the domain was not shut down\n");
	guest_exit(END_SURVIVED);
}
