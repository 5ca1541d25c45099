/*
 * libFuzzer target for decompress() and decompressed_size() (lib/inflate.c,
 * lib/unxz.c, lib/bzimage.c's front end). Built by tests/fuzz/run.sh with
 * clang -fsanitize=fuzzer,address,undefined and the lib/ unit tests' renaming.
 *
 * The output buffer is a heap block of exactly the size decompressed_size()
 * claims (when it claims one below 1 MiB) or of 1 MiB, so ASan catches a
 * write one byte past it; the workspace is filled with junk before every
 * call, so nothing may rely on it starting out zeroed. A failure must come
 * with a message; a success must stay within the buffer.
 */
#include <hv/decompress.h>
#include <hv/errno.h>
#include <hv/lib.h>

#include "hv_unrename.h"

#include <stdlib.h>
#include <string.h>

#define MAX_OUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *work;
	static size_t wsize;
	char err[256];
	uint64_t hint;
	size_t cap = MAX_OUT, len = 0;
	uint8_t *out;
	int rc;

	if (!work) {
		wsize = decompress_workspace_size();
		work = malloc(wsize);
	}
	if (decompressed_size(data, size, &hint) == 0 && hint < MAX_OUT)
		cap = (size_t)hint;
	out = malloc(cap ? cap : 1);
	memset(work, (int)(size * 131 + 7), wsize);
	err[0] = 'X';
	rc = decompress(data, size, cap ? out : NULL, cap, &len, work, err, sizeof(err));
	if (rc == 0 && (len > cap || err[0] != '\0'))
		abort();
	if (rc != 0 && (len != 0 || strlen(err) < 10))
		abort();
	if (rc != 0 && rc != -XEN_EINVAL && rc != -XEN_ENOSPC && rc != -XEN_EOPNOTSUPP && rc != -XEN_ENOEXEC)
		abort();
	free(out);
	return 0;
}
