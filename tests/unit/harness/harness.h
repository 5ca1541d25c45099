/*
 * The host harness: what hypervisor code needs from its surroundings,
 * provided on the host so pure modules compile unchanged and run under
 * cmocka with ASan/UBSan. Tests steer it through these globals.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

extern unsigned int harness_cpu;	 /* what smp_processor_id() returns */
extern int64_t harness_now;		 /* what NOW() returns (ns) */
extern int64_t harness_timer_deadline[]; /* last reprogram_timer() per CPU */
extern unsigned long harness_softirqs[]; /* bits raised per CPU */

/* Every printk lands here (and on stdout when HARNESS_VERBOSE is set). */
extern char harness_log[65536];
void harness_log_clear(void);
/* True if the log contains 'needle'. */
int harness_log_has(const char *needle);

/* Machine memory arena: 'bytes' of page-aligned memory at machine address 0. */
void harness_mem_init(size_t bytes);
void harness_mem_fini(void);

#endif
