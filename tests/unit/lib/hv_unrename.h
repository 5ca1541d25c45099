/*
 * Undo hv_rename.h in a test file once <hv/lib.h> has declared the hv_*
 * functions, so the C library's names mean the C library again. Include it
 * before any system header that declares those names (<string.h>,
 * <stdio.h>, harness.h, <cmocka.h>): those headers are guarded and would
 * otherwise have declared the renamed functions instead.
 */
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strstr
#undef strlcpy
#undef strlcat
#undef vsnprintf
#undef snprintf
#undef vscnprintf
#undef scnprintf
