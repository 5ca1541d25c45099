/* Hypervisor functions return 0 or -XEN_Exxx: the guest ABI's numbers. */
#ifndef HV_ERRNO_H
#define HV_ERRNO_H
#include <public/errno.h>
#endif
