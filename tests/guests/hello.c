/*
 * hello: the smoke test. Booting, the console and the ending work if the
 * one line below comes out and the guest powers off.
 * flood=N first prints N lines of 100 characters as fast as it can (the
 * hypervisor's per-domain console rate limit drops most of them).
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

void test_main(void)
{
	uint64_t flood = cmdline_u64("flood", 0);

	for (uint64_t i = 0; i < flood; i++)
		printf("flood %8llu: .........................................................................\n",
		       (unsigned long long)i);
	pass();
}
