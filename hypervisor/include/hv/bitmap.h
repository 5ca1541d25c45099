/* lib/bitmap.c: bitmaps of unsigned long words. The single-bit operations are
 * atomic (GCC __atomic builtins); the whole-map operations are not. */
#ifndef HV_BITMAP_H
#define HV_BITMAP_H

#include <hv/types.h>

#define BITS_PER_LONG 64
#define BITS_TO_LONGS(n) DIV_ROUND_UP(n, BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]

static inline void set_bit(unsigned int nr, unsigned long *map)
{
	__atomic_fetch_or(&map[nr / BITS_PER_LONG], 1UL << (nr % BITS_PER_LONG), __ATOMIC_SEQ_CST);
}
static inline void clear_bit(unsigned int nr, unsigned long *map)
{
	__atomic_fetch_and(&map[nr / BITS_PER_LONG], ~(1UL << (nr % BITS_PER_LONG)), __ATOMIC_SEQ_CST);
}
static inline bool test_bit(unsigned int nr, const unsigned long *map)
{
	return (__atomic_load_n(&map[nr / BITS_PER_LONG], __ATOMIC_RELAXED) >> (nr % BITS_PER_LONG)) & 1;
}
static inline bool test_and_set_bit(unsigned int nr, unsigned long *map)
{
	unsigned long m = 1UL << (nr % BITS_PER_LONG);
	return __atomic_fetch_or(&map[nr / BITS_PER_LONG], m, __ATOMIC_SEQ_CST) & m;
}
static inline bool test_and_clear_bit(unsigned int nr, unsigned long *map)
{
	unsigned long m = 1UL << (nr % BITS_PER_LONG);
	return __atomic_fetch_and(&map[nr / BITS_PER_LONG], ~m, __ATOMIC_SEQ_CST) & m;
}

void bitmap_zero(unsigned long *map, unsigned int bits);
void bitmap_fill(unsigned long *map, unsigned int bits);
void bitmap_copy(unsigned long *dst, const unsigned long *src, unsigned int bits);
void bitmap_and(unsigned long *dst, const unsigned long *a, const unsigned long *b, unsigned int bits);
void bitmap_or(unsigned long *dst, const unsigned long *a, const unsigned long *b, unsigned int bits);
void bitmap_andnot(unsigned long *dst, const unsigned long *a, const unsigned long *b, unsigned int bits);
bool bitmap_empty(const unsigned long *map, unsigned int bits);
bool bitmap_full(const unsigned long *map, unsigned int bits);
bool bitmap_equal(const unsigned long *a, const unsigned long *b, unsigned int bits);
unsigned int bitmap_weight(const unsigned long *map, unsigned int bits);
/* Return the index of the first set (or clear) bit at or after 'start', or
 * 'bits' when there is none. */
unsigned int find_next_bit(const unsigned long *map, unsigned int bits, unsigned int start);
unsigned int find_next_zero_bit(const unsigned long *map, unsigned int bits, unsigned int start);
#define find_first_bit(map, bits) find_next_bit(map, bits, 0)
#define find_first_zero_bit(map, bits) find_next_zero_bit(map, bits, 0)
#define for_each_set_bit(i, map, bits) \
	for ((i) = find_first_bit(map, bits); (i) < (bits); (i) = find_next_bit(map, bits, (i) + 1))
/* Print as a list of ranges, e.g. "0-3,6"; returns characters written. */
int bitmap_scnlistprintf(char *buf, size_t len, const unsigned long *map, unsigned int bits);

#endif
