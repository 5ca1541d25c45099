/*
 * Debug keys (common/keyhandler.c), as on Xen: a key typed on the hypervisor
 * console runs its handler; 'h' lists them. A handler is declared next to
 * the code it inspects:
 *
 *     static void dump_timers(unsigned char key) { ... }
 *     keyhandler('t', dump_timers, "dump timer queues");
 *
 * Handlers run from a timer (softirq context, interrupts enabled) unless
 * they need the interrupted registers, in which case they are irq handlers.
 */
#ifndef HV_KEYHANDLER_H
#define HV_KEYHANDLER_H

#include <hv/types.h>

struct keyhandler {
	unsigned char key;
	void (*fn)(unsigned char key);
	const char *desc;
};

#define __KH_CAT2(a, b) a##b
#define __KH_CAT(a, b) __KH_CAT2(a, b)
#define keyhandler(k, f, d)                                                                    \
	static const struct keyhandler __KH_CAT(__keyhandler_, __LINE__) __attribute__((used)) \
	__section(".data.keyhandler") __aligned(8) = { k, f, d }

/* A character typed on the console (from the serial driver). */
void console_input(char c);
void handle_keypress(unsigned char key);

#endif
