/*
 * A CPU-bound loop for the Linux guest (benchmark and steal-time test):
 * "cpuloop N" runs N million iterations of an integer hash and prints the
 * result and the CPU time it took (from clock_gettime(CLOCK_MONOTONIC)).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long millions = argc > 1 ? atol(argv[1]) : 100;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	double t0 = now();

	if (millions <= 0) {
		fprintf(stderr, "usage: cpuloop MILLIONS\n");
		return 2;
	}
	for (long i = 0; i < millions * 1000000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	printf("cpuloop %ld M iterations: %.3f s (result %llx)\n", millions, now() - t0, (unsigned long long)x);
	return 0;
}
