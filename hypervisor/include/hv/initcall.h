/*
 * Late boot hooks: a function declared with late_initcall(fn) runs on the
 * boot CPU once boot is complete (all CPUs up, timers running), in link
 * order. Files that only some builds contain (the test build's
 * hypervisor/test/) hook in this way, with no #ifdef anywhere.
 */
#ifndef HV_INITCALL_H
#define HV_INITCALL_H

#include <hv/types.h>

typedef void (*initcall_t)(void);
#define __IC_CAT2(a, b) a##b
#define __IC_CAT(a, b) __IC_CAT2(a, b)
#define late_initcall(fn)                                                                                         \
	static const initcall_t __IC_CAT(__initcall_, __LINE__) __attribute__((used)) __section(".data.initcall") \
		__aligned(8) = fn

void do_late_initcalls(void);

#endif
