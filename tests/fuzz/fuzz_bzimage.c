/*
 * libFuzzer target for bzimage_parse() (lib/bzimage.c), followed, when it
 * accepts the image, by what a domain builder does next: size and unpack
 * the payload it found. Built by tests/fuzz/run.sh.
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
	struct bzimage_info bi;
	char err[256];
	uint64_t hint;
	size_t cap = MAX_OUT, len;
	uint8_t *out;
	int rc;

	if (!work)
		work = malloc(decompress_workspace_size());
	err[0] = 'X';
	rc = bzimage_parse(data, size, &bi, err, sizeof(err));
	if (rc != 0) {
		if (strlen(err) < 10 || (rc != -XEN_EINVAL && rc != -XEN_ENOEXEC && rc != -XEN_EOPNOTSUPP))
			abort();
		return 0;
	}
	if (err[0] != '\0' || bi.payload_offset > size || bi.payload_length > size - bi.payload_offset ||
	    bi.payload_length == 0 || bi.version < 0x0208 || bi.setup_size > size)
		abort();
	if (decompressed_size(data + bi.payload_offset, bi.payload_length, &hint) == 0 && hint < MAX_OUT)
		cap = (size_t)hint;
	out = malloc(cap ? cap : 1);
	(void)decompress(data + bi.payload_offset, bi.payload_length, cap ? out : NULL, cap, &len, work, err,
			 sizeof(err));
	free(out);
	return 0;
}
