/*
 * Host benchmark and tool for lib/inflate.c and lib/unxz.c, built without
 * sanitizers at -O2 (`make build/unit/decompress_bench`):
 *
 *   decompress_bench FILE [OUT]
 *
 * FILE is gzip or xz data, or a bzImage whose payload is unpacked. Prints
 * the sizes and the best of several runs in MB/s of output; writes the
 * output to OUT if given.
 */
#include <hv/decompress.h>
#include <hv/errno.h>
#include <hv/lib.h>

#include "hv_unrename.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static char err[256];
	struct bzimage_info bi;
	const uint8_t *in;
	uint8_t *file, *out;
	void *work;
	size_t size, in_len, out_len = 0;
	uint64_t usize;
	double best = 1e9;
	FILE *f;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE [OUT]\n", argv[0]);
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	size = (size_t)ftell(f);
	rewind(f);
	file = malloc(size);
	if (fread(file, 1, size, f) != size) {
		perror("read");
		return 1;
	}
	fclose(f);

	in = file;
	in_len = size;
	if (bzimage_parse(file, size, &bi, err, sizeof(err)) == 0) {
		printf("bzImage: protocol %u.%02u, payload at 0x%llx, 0x%llx bytes, init_size 0x%x\n", bi.version >> 8,
		       bi.version & 0xff, (unsigned long long)bi.payload_offset, (unsigned long long)bi.payload_length,
		       bi.init_size);
		in = file + bi.payload_offset;
		in_len = bi.payload_length;
	}
	rc = decompressed_size(in, in_len, &usize);
	if (rc) {
		fprintf(stderr, "decompressed_size: %d\n", rc);
		usize = 256 << 20;
	}
	printf("input %zu bytes, decompressed size %llu\n", in_len, (unsigned long long)usize);
	out = malloc(usize ? usize : 1);
	work = malloc(decompress_workspace_size());
	for (int i = 0; i < 5; i++) {
		double t0 = now(), t;

		rc = decompress(in, in_len, out, usize, &out_len, work, err, sizeof(err));
		t = now() - t0;
		if (rc) {
			fprintf(stderr, "decompress: %d: %s\n", rc, err);
			return 1;
		}
		if (t < best)
			best = t;
	}
	printf("%zu bytes out in %.3f s: %.1f MB/s of output (%.1f MB/s of input)\n", out_len, best,
	       out_len / best / 1e6, in_len / best / 1e6);
	if (argc > 2) {
		f = fopen(argv[2], "wb");
		if (!f || fwrite(out, 1, out_len, f) != out_len) {
			perror(argv[2]);
			return 1;
		}
		fclose(f);
	}
	return 0;
}
