/*
 * Forced in front of every file of the lib/ unit tests (-include): gives the
 * hypervisor's string and printf functions hv_* names on the host, so they
 * neither replace the C library's (which ASan intercepts and the harness
 * uses) nor get replaced by them. Test files undo it with hv_unrename.h
 * after including <hv/lib.h>, then call the C library as the reference.
 */
#ifndef HV_RENAME_H
#define HV_RENAME_H

#define memcpy hv_memcpy
#define memmove hv_memmove
#define memset hv_memset
#define memcmp hv_memcmp
#define memchr hv_memchr
#define strlen hv_strlen
#define strnlen hv_strnlen
#define strcmp hv_strcmp
#define strncmp hv_strncmp
#define strchr hv_strchr
#define strrchr hv_strrchr
#define strstr hv_strstr
#define strlcpy hv_strlcpy
#define strlcat hv_strlcat
#define vsnprintf hv_vsnprintf
#define snprintf hv_snprintf
#define vscnprintf hv_vscnprintf
#define scnprintf hv_scnprintf

#endif
