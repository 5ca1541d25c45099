/*
 * String and memory primitives for the freestanding hypervisor: the mem* and
 * str* functions declared in hv/lib.h, plus the BSD strlcpy/strlcat that the
 * rest of the code uses instead of strcpy/strncpy. Everything here is plain C
 * with no hardware dependence, so the same file is unit-tested on the host
 * (renamed to hv_* there so it does not collide with the C library).
 */
#include <hv/lib.h>

/*
 * Bulk copies and fills move a machine word at a time once the pointers are
 * aligned; may_alias lets the word accesses alias any object type without
 * relying on -fno-strict-aliasing (the host unit-test build does not use it).
 */
typedef unsigned long __attribute__((__may_alias__)) word_t;
#define WORD_SIZE sizeof(word_t)
#define WORD_MASK (WORD_SIZE - 1)

static inline bool word_aligned(const void *p)
{
	return ((uintptr_t)p & WORD_MASK) == 0;
}

/* Front-to-back copy; also correct for overlapping buffers with dst < src. */
static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	/* Words only help when both pointers can become aligned together. */
	if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
		for (; n && !word_aligned(d); n--)
			*d++ = *s++;
		for (; n >= WORD_SIZE; n -= WORD_SIZE, d += WORD_SIZE, s += WORD_SIZE)
			*(word_t *)d = *(const word_t *)s;
	}
	for (; n; n--)
		*d++ = *s++;
}

/* Back-to-front copy, for overlapping buffers with dst > src. */
static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
		for (; n && !word_aligned(d); n--)
			*--d = *--s;
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			d -= WORD_SIZE;
			s -= WORD_SIZE;
			*(word_t *)d = *(const word_t *)s;
		}
	}
	for (; n; n--)
		*--d = *--s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Only a destination that starts inside the source must go backwards. */
	if (d > s && (size_t)(d - s) < n)
		copy_backward(d, s, n);
	else if (d != s)
		copy_forward(d, s, n);
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char byte = (unsigned char)c;
	word_t pattern = (word_t)byte * (~(word_t)0 / 0xff); /* byte repeated */

	for (; n && !word_aligned(d); n--)
		*d++ = byte;
	for (; n >= WORD_SIZE; n -= WORD_SIZE, d += WORD_SIZE)
		*(word_t *)d = pattern;
	for (; n; n--)
		*d++ = byte;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

/* Never reads s[max] or beyond: callers use it on unterminated buffers. */
size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/* Bytes compare as unsigned char, as the C library does. */
int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return *x - *y;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
		if (!*x)
			break;
	}
	return 0;
}

/* As in C, the terminator itself can be searched for. */
char *strchr(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	char ch = (char)c;
	const char *last = NULL;

	for (;; s++) {
		if (*s == ch)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

/* Quadratic in the worst case; the strings searched here are short. */
char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0)
		return (char *)haystack;
	for (; *haystack; haystack++)
		if (*haystack == *needle && strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	return NULL;
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/*
 * Returns the length of the string it tried to create. If dst has no
 * terminator within 'size' bytes it is left alone (there is nothing safe to
 * append to) and the result is size + strlen(src), which signals truncation.
 */
size_t strlcat(char *dst, const char *src, size_t size)
{
	size_t dlen = strnlen(dst, size);

	if (dlen == size)
		return size + strlen(src);
	return dlen + strlcpy(dst + dlen, src, size - dlen);
}
