/*
 * hello: the smoke test. Booting, the console and the ending work if the
 * one line below comes out and the guest powers off.
 */
#include "guest.h"

const char test_name[] = TEST_NAME;

void test_main(void)
{
	pass();
}
