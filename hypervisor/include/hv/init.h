/* Boot-time entry points of common code, called from the arch's start-up. */
#ifndef HV_INIT_H
#define HV_INIT_H

#include <hv/bootinfo.h>

void cmdline_parse_boot(const char *cmdline);
/* Check each boot module's contents and say what it is. */
void modules_report(const struct boot_info *bi);
bool selftest_enabled(void);
/* Run the boot self-checks; powers off with the verdict (test-exit). */
__noreturn void selftest_run(unsigned int expected_cpus);
extern const char basalt_version[];
/* The arch's part of the self-checks; true if they passed. */
bool arch_selftest(void);

#endif
