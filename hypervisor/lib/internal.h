/*
 * Helpers shared between lib/ files but not part of the hypervisor-wide
 * interface in hv/lib.h.
 */
#ifndef HV_LIB_INTERNAL_H
#define HV_LIB_INTERNAL_H

#include <hv/types.h>

/*
 * lib/strtol.c: the checked parser under simple_strtoull. Same syntax (no
 * sign, no leading white space; base 0 picks 0x hex / 0 octal / decimal).
 * Returns 0, -XEN_EINVAL when there is no digit (or the base is not 0 or
 * 2..36; *out = 0, *end = s) or -XEN_ERANGE when the value does not fit in
 * 64 bits (*out = UINT64_MAX, *end past every digit). 'end' may be NULL.
 */
int strtou64(const char *s, const char **end, unsigned int base, uint64_t *out);

#endif
