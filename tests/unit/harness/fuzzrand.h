/*
 * A seeded PRNG for the randomized unit tests (xorshift64*), with the seed
 * and an iteration multiplier taken from <PREFIX>_SEED and <PREFIX>_ITERS in
 * the environment, so a failing run can be reproduced and a longer one asked
 * for. Include it in one test file; the state is that file's.
 */
#ifndef FUZZRAND_H
#define FUZZRAND_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng;
static unsigned int iter_scale = 1;

static inline uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static inline uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

/* e.g. fuzzrand_seed("ACPI_FUZZ", test_name, default_seed) */
static inline void fuzzrand_seed(const char *prefix, const char *test, uint64_t dflt)
{
	char name[64];
	const char *s, *it;
	uint64_t seed;

	snprintf(name, sizeof(name), "%s_SEED", prefix);
	s = getenv(name);
	snprintf(name, sizeof(name), "%s_ITERS", prefix);
	it = getenv(name);
	seed = s ? strtoull(s, NULL, 0) : dflt;
	rng = seed ? seed : 1;
	iter_scale = it ? (unsigned int)strtoul(it, NULL, 0) : 1;
	if (!iter_scale)
		iter_scale = 1;
	printf("%s: seed 0x%llx\n", test, (unsigned long long)seed);
}

#endif
