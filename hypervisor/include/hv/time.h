/* System time: NOW() is monotonic ns since boot, from the calibrated TSC. */
#ifndef HV_TIME_H
#define HV_TIME_H

#include <hv/types.h>

s_time_t NOW(void);
uint64_t cpu_khz_tsc(void); /* TSC frequency in kHz */
void udelay(unsigned long us);
void mdelay(unsigned long ms);

#endif
