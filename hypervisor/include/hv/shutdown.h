/*
 * Ending the machine: reboot, power-off, and the crash stop. With the boot
 * option test-exit=<port> every one of them first writes a status to that
 * I/O port (QEMU's isa-debug-exit), so a test run's exit status says how
 * Basalt ended; see docs/testing.md.
 */
#ifndef HV_SHUTDOWN_H
#define HV_SHUTDOWN_H

#include <hv/types.h>

/* Status codes written to the test-exit port; QEMU exits with 2*code+1. */
#define TEST_EXIT_PASS 0x10   /* power-off after success: QEMU exits 33 */
#define TEST_EXIT_FAIL 0x11   /* a self-test or guest failed: 35 */
#define TEST_EXIT_PANIC 0x12  /* panic or fatal exception: 37 */
#define TEST_EXIT_REBOOT 0x13 /* reboot requested: 39 */

__noreturn void machine_restart(void);
/* Power off; with test-exit, 'status' is what the run reports. */
__noreturn void machine_power_off(unsigned int status);
/* After a fatal error: stop every CPU, report, halt (or reboot if asked). */
__noreturn void machine_crash_halt(void);
void arch_show_stack_here(void);
/* Write 'status' to the test-exit port, if one is configured. */
void test_exit(unsigned int status);
bool test_exit_enabled(void);

#endif
