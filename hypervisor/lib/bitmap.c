/*
 * Whole-map bitmap operations (CPU masks, allocation maps): the non-inline
 * half of hv/bitmap.h. A map of 'bits' bits occupies whole unsigned longs;
 * the bits past 'bits' in the last word are don't-care. Writers may set them
 * (and, or and copy work on whole words) and every reader here masks them
 * off, so callers never have to keep them clear.
 */
#include <hv/bitmap.h>
#include <hv/lib.h>

/* Written out rather than BITS_TO_LONGS so bits near UINT_MAX cannot wrap. */
static unsigned int nr_words(unsigned int bits)
{
	return bits / BITS_PER_LONG + (bits % BITS_PER_LONG != 0);
}

/* The bits of the last word that belong to the map. */
static unsigned long last_word_mask(unsigned int bits)
{
	unsigned int r = bits % BITS_PER_LONG;

	return r ? (1UL << r) - 1 : ~0UL;
}

/* Number of full words, i.e. those that need no mask. */
static unsigned int nr_full_words(unsigned int bits)
{
	return bits / BITS_PER_LONG;
}

/* Plain C so the freestanding build never needs libgcc's __popcountdi2. */
static unsigned int popcount(unsigned long w)
{
	w = w - ((w >> 1) & 0x5555555555555555UL);
	w = (w & 0x3333333333333333UL) + ((w >> 2) & 0x3333333333333333UL);
	w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0fUL;
	return (unsigned int)((w * 0x0101010101010101UL) >> 56);
}

void bitmap_zero(unsigned long *map, unsigned int bits)
{
	for (unsigned int i = 0; i < nr_words(bits); i++)
		map[i] = 0;
}

void bitmap_fill(unsigned long *map, unsigned int bits)
{
	unsigned int n = nr_words(bits);

	for (unsigned int i = 0; i < n; i++)
		map[i] = ~0UL;
	if (n)
		map[n - 1] = last_word_mask(bits);
}

void bitmap_copy(unsigned long *dst, const unsigned long *src, unsigned int bits)
{
	for (unsigned int i = 0; i < nr_words(bits); i++)
		dst[i] = src[i];
}

void bitmap_and(unsigned long *dst, const unsigned long *a, const unsigned long *b, unsigned int bits)
{
	for (unsigned int i = 0; i < nr_words(bits); i++)
		dst[i] = a[i] & b[i];
}

void bitmap_or(unsigned long *dst, const unsigned long *a, const unsigned long *b, unsigned int bits)
{
	for (unsigned int i = 0; i < nr_words(bits); i++)
		dst[i] = a[i] | b[i];
}

void bitmap_andnot(unsigned long *dst, const unsigned long *a, const unsigned long *b, unsigned int bits)
{
	for (unsigned int i = 0; i < nr_words(bits); i++)
		dst[i] = a[i] & ~b[i];
}

bool bitmap_empty(const unsigned long *map, unsigned int bits)
{
	unsigned int full = nr_full_words(bits);

	for (unsigned int i = 0; i < full; i++)
		if (map[i])
			return false;
	return full == nr_words(bits) || !(map[full] & last_word_mask(bits));
}

bool bitmap_full(const unsigned long *map, unsigned int bits)
{
	unsigned int full = nr_full_words(bits);
	unsigned long mask = last_word_mask(bits);

	for (unsigned int i = 0; i < full; i++)
		if (map[i] != ~0UL)
			return false;
	return full == nr_words(bits) || (map[full] & mask) == mask;
}

bool bitmap_equal(const unsigned long *a, const unsigned long *b, unsigned int bits)
{
	unsigned int full = nr_full_words(bits);

	for (unsigned int i = 0; i < full; i++)
		if (a[i] != b[i])
			return false;
	return full == nr_words(bits) || !((a[full] ^ b[full]) & last_word_mask(bits));
}

unsigned int bitmap_weight(const unsigned long *map, unsigned int bits)
{
	unsigned int full = nr_full_words(bits), w = 0;

	for (unsigned int i = 0; i < full; i++)
		w += popcount(map[i]);
	if (full != nr_words(bits))
		w += popcount(map[full] & last_word_mask(bits));
	return w;
}

/*
 * Shared by both searches: 'invert' flips every word so a search for a zero
 * bit becomes a search for a set bit. A hit in the last word's don't-care
 * tail is clamped to 'bits', which is also the "none found" answer.
 */
static unsigned int find_next(const unsigned long *map, unsigned int bits, unsigned int start, unsigned long invert)
{
	unsigned int i, n = nr_words(bits);
	unsigned long w;

	if (start >= bits)
		return bits;
	i = start / BITS_PER_LONG;
	w = (map[i] ^ invert) & (~0UL << (start % BITS_PER_LONG));
	while (!w) {
		if (++i >= n)
			return bits;
		w = map[i] ^ invert;
	}
	return MIN(i * BITS_PER_LONG + (unsigned int)__builtin_ctzl(w), bits);
}

unsigned int find_next_bit(const unsigned long *map, unsigned int bits, unsigned int start)
{
	return find_next(map, bits, start, 0);
}

unsigned int find_next_zero_bit(const unsigned long *map, unsigned int bits, unsigned int start)
{
	return find_next(map, bits, start, ~0UL);
}

/* Ranges of set bits as "a-b" (or "a" for a single bit), comma separated;
 * truncated like scnprintf when the buffer is too small. */
int bitmap_scnlistprintf(char *buf, size_t len, const unsigned long *map, unsigned int bits)
{
	const char *sep = "";
	unsigned int first, last;
	size_t n = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (first = find_first_bit(map, bits); first < bits; first = find_next_bit(map, bits, last + 1)) {
		last = find_next_zero_bit(map, bits, first) - 1;
		n += (size_t)scnprintf(buf + n, len - n, "%s%u", sep, first);
		if (last != first)
			n += (size_t)scnprintf(buf + n, len - n, "-%u", last);
		sep = ",";
	}
	return (int)n;
}
