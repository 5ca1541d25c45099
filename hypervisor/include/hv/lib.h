/*
 * lib/: pure code (no hardware, no globals of the hypervisor's) that also
 * builds on the host for the unit tests.
 */
#ifndef HV_LIB_H
#define HV_LIB_H

#include <hv/types.h>

/* lib/string.c */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);
size_t strlcat(char *dst, const char *src, size_t size);

/* lib/vsprintf.c: %d %i %u %x %X %o %c %s %p %% with flags "-+ #0", width,
 * precision (also '*'), length modifiers hh h l ll z t j. Returns the length
 * the full output would have had (like C99), always terminates if size > 0. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args) __printf(3, 0);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
/* Like vsnprintf but returns the number of characters actually written. */
int vscnprintf(char *buf, size_t size, const char *fmt, va_list args) __printf(3, 0);
int scnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* lib/strtol.c: base 0 means auto (0x hex, 0 octal, else decimal).
 * *end (if non-NULL) points after the last digit consumed. */
unsigned long long simple_strtoull(const char *s, const char **end, unsigned int base);
long long simple_strtoll(const char *s, const char **end, unsigned int base);
/* "512M", "2G", "4k", "100" (bytes), suffixes K/M/G/T (either case).
 * Returns 0 and sets *out, or -XEN_EINVAL (bad syntax) / -XEN_ERANGE (overflow).
 * *end as above; trailing garbage is the caller's to judge. */
int parse_size(const char *s, const char **end, uint64_t *out);

/* lib/sort.c: in-place heap sort (O(n log n), no recursion, no allocation). */
void sort(void *base, size_t num, size_t size, int (*cmp)(const void *, const void *),
	  void (*swap)(void *, void *, size_t size));

/* lib/ctype */
static inline int isdigit(int c)
{
	return c >= '0' && c <= '9';
}
static inline int isxdigit(int c)
{
	return isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static inline int isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
static inline int isprint(int c)
{
	return c >= 0x20 && c < 0x7f;
}
static inline int tolower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

#endif
