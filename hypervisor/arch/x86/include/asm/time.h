/* TSC-based time (arch/x86/time.c). */
#ifndef ASM_TIME_H
#define ASM_TIME_H

#include <hv/types.h>

/* Calibrate the TSC against the HPET (if 'hpet_base' is non-zero) or the PIT. */
void time_init(paddr_t hpet_base);
uint64_t ns_to_tsc(s_time_t ns);  /* absolute system time -> TSC value */
s_time_t tsc_to_ns(uint64_t tsc); /* TSC value -> system time */
uint64_t rtc_read_seconds(void);  /* CMOS clock: seconds since 1970, 0 if unreadable */

#endif
