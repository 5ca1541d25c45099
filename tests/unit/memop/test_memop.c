/*
 * Unit tests for memory_op's reservation rules (common/memop_check.c): how
 * mem_flags reach the allocator, and which guest frames may hold RAM.
 */
#include "harness.h"

#include <hv/memop.h>
#include <hv/mm.h>
#include <public/memory.h>

#define HOST_MFNS (1UL << 20) /* a 4 GiB host: frames need 32 address bits */

static enum memop_flags_verdict decode(unsigned int op, uint32_t flags, unsigned int order, unsigned int *mf)
{
	return memop_decode_flags(op, flags, order, HOST_MFNS, mf);
}

static void test_plain_flags(void **state)
{
	unsigned int mf = 123;

	(void)state;
	assert_int_equal(decode(XENMEM_populate_physmap, 0, 0, &mf), MEMOP_FLAGS_OK);
	assert_int_equal(mf, 0);
	assert_int_equal(decode(XENMEM_decrease_reservation, 0, MEMOP_DOMU_MAX_ORDER, &mf), MEMOP_FLAGS_OK);
}

static void test_order_limit(void **state)
{
	unsigned int mf;

	(void)state;
	assert_int_equal(decode(XENMEM_populate_physmap, 0, MEMOP_DOMU_MAX_ORDER + 1, &mf), MEMOP_FLAGS_NOTHING);
	assert_int_equal(decode(XENMEM_increase_reservation, 0, 18, &mf), MEMOP_FLAGS_NOTHING);
	assert_int_equal(decode(XENMEM_decrease_reservation, 0, 31, &mf), MEMOP_FLAGS_NOTHING);
}

static void test_pod_only_for_populate(void **state)
{
	unsigned int mf;

	(void)state;
	assert_int_equal(decode(XENMEM_populate_physmap, XENMEMF_populate_on_demand, 0, &mf), MEMOP_FLAGS_POD);
	/* refused before the order is even looked at, as Basalt reports it */
	assert_int_equal(decode(XENMEM_populate_physmap, XENMEMF_populate_on_demand, 20, &mf), MEMOP_FLAGS_POD);
	assert_int_equal(decode(XENMEM_increase_reservation, XENMEMF_populate_on_demand, 0, &mf), MEMOP_FLAGS_OK);
	assert_int_equal(decode(XENMEM_decrease_reservation, XENMEMF_populate_on_demand, 0, &mf), MEMOP_FLAGS_OK);
}

static void test_address_bits(void **state)
{
	unsigned int mf;

	(void)state;
	/* below what the host needs: a real limit */
	assert_int_equal(decode(XENMEM_populate_physmap, 31, 0, &mf), MEMOP_FLAGS_OK);
	assert_int_equal(mf, MEMF_bits(31));
	assert_int_equal(decode(XENMEM_increase_reservation, 20, 0, &mf), MEMOP_FLAGS_OK);
	assert_int_equal(mf, MEMF_bits(20));
	/* at or above: no limit */
	assert_int_equal(decode(XENMEM_populate_physmap, 32, 0, &mf), MEMOP_FLAGS_OK);
	assert_int_equal(mf, 0);
	assert_int_equal(decode(XENMEM_populate_physmap, 255, 0, &mf), MEMOP_FLAGS_OK);
	assert_int_equal(mf, 0);
	/* a page or less: nothing fits */
	assert_int_equal(decode(XENMEM_populate_physmap, 12, 0, &mf), MEMOP_FLAGS_NOTHING);
	assert_int_equal(decode(XENMEM_populate_physmap, 1, 0, &mf), MEMOP_FLAGS_NOTHING);
	assert_int_equal(decode(XENMEM_populate_physmap, 13, 0, &mf), MEMOP_FLAGS_OK);
}

static void test_nodes(void **state)
{
	unsigned int mf;

	(void)state;
	/* node n is encoded as n + 1 in bits 8-15 */
	assert_int_equal(decode(XENMEM_populate_physmap, 1u << 8, 0, &mf), MEMOP_FLAGS_OK);
	assert_int_equal(decode(XENMEM_populate_physmap, (1u << 8) | XENMEMF_exact_node_request, 0, &mf),
			 MEMOP_FLAGS_OK);
	assert_int_equal(decode(XENMEM_populate_physmap, 5u << 8, 0, &mf), MEMOP_FLAGS_OK); /* a hint */
	assert_int_equal(decode(XENMEM_populate_physmap, (2u << 8) | XENMEMF_exact_node_request, 0, &mf),
			 MEMOP_FLAGS_NOTHING);
	assert_int_equal(decode(XENMEM_populate_physmap, XENMEMF_vnode | (1u << 8), 0, &mf), MEMOP_FLAGS_NOTHING);
}

static void test_gfns(void **state)
{
	(void)state;
	assert_true(memop_gfn_ok(0, 0));
	assert_true(memop_gfn_ok(0x9f, 0));
	assert_false(memop_gfn_ok(0xa0, 0));
	assert_false(memop_gfn_ok(0xdf, 0)); /* the console ring */
	assert_false(memop_gfn_ok(0xe0, 0)); /* the start info */
	assert_false(memop_gfn_ok(0xff, 0));
	assert_true(memop_gfn_ok(0x100, 0));
	assert_true(memop_gfn_ok(0x200, 9));
	assert_false(memop_gfn_ok(0x201, 9)); /* misaligned */
	assert_false(memop_gfn_ok(0, 9));     /* covers the legacy hole */
	assert_true(memop_gfn_ok(0xeffff, 0));
	assert_false(memop_gfn_ok(0xf0000, 0));
	assert_false(memop_gfn_ok(0xfee00, 0)); /* the local APIC */
	assert_false(memop_gfn_ok(0xffe00, 9));
	assert_true(memop_gfn_ok(0x100000, 0));
	assert_true(memop_gfn_ok(MEMOP_GFN_LIMIT - 1, 0));
	assert_false(memop_gfn_ok(MEMOP_GFN_LIMIT, 0));
	assert_false(memop_gfn_ok(MEMOP_GFN_LIMIT - 512, 10));
	assert_false(memop_gfn_ok(~0ULL, 0));
	assert_false(memop_gfn_ok(0, 64));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_flags),
		cmocka_unit_test(test_order_limit),
		cmocka_unit_test(test_pod_only_for_populate),
		cmocka_unit_test(test_address_bits),
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_gfns),
	};

	return cmocka_run_group_tests_name("memop_check", tests, NULL, NULL);
}
