/*
 * vLAPIC IPIs (hvm/vlapic.c): every ICR delivery mode and shorthand, and
 * physical, logical flat, logical cluster, x2APIC physical and x2APIC
 * cluster destinations reaching exactly the right vCPUs; NMI, INIT and SIPI
 * through the environment; the refused combinations.
 */
#include "fake_env.h"

#define DM_LOWEST (1u << 8)
#define DM_SMI (2u << 8)
#define DM_NMI (4u << 8)
#define DM_INIT (5u << 8)
#define DM_SIPI (6u << 8)
#define DM_EXTINT (7u << 8)
#define LOGICAL (1u << 11)
#define ASSERT (1u << 14)
#define LEVEL (1u << 15)
#define SH_SELF (1u << 18)
#define SH_ALL (2u << 18)
#define SH_ALL_BUT_SELF (3u << 18)

/* Send from vCPU i in xAPIC mode: ICR2 (destination) then ICR. */
static void icr(int i, uint32_t lo, uint8_t dest)
{
	wr(i, A_ICR2, (uint32_t)dest << 24);
	wr(i, A_ICR, lo);
}

static void icr_x2(int i, uint32_t lo, uint32_t dest)
{
	mwr(i, 0x830, ((uint64_t)dest << 32) | lo);
}

static unsigned int kick_mask(void)
{
	unsigned int m = 0;

	for (int i = 0; i < NR_FAKE; i++) {
		assert_true(kicks[i] <= 1);
		if (kicks[i])
			m |= 1u << i;
	}
	return m;
}

static unsigned int count_mask(const unsigned int *c)
{
	unsigned int m = 0;

	for (int i = 0; i < NR_FAKE; i++)
		if (c[i])
			m |= 1u << i;
	return m;
}

/* Clear every IRR and the counters between sends. */
static void drain(void)
{
	for (int i = 0; i < NR_FAKE; i++)
		for (unsigned int r = 0; r < 8; r++)
			fake_vl[i].regs[A_IRR / 4 + r * 4] = 0;
	fake_clear_counters();
}

static int setup_enabled(void **state)
{
	fake_setup_default(state);
	sw_enable_all();
	return 0;
}

static const uint32_t x2_ids[NR_FAKE] = { 0, 1, 0x21, 0x25 };

static int setup_x2apic(void **state)
{
	fake_setup(x2_ids, 1000);
	for (int i = 0; i < NR_FAKE; i++) {
		to_x2apic(i);
		mwr(i, 0x80f, 0x1ff);
	}
	return 0;
}

/* ---------------------------------------------------------------- physical */

static void test_physical_fixed(void **state)
{
	icr(0, 0x40, 2);
	assert_int_equal(irr_mask(0x40), 0x4);
	assert_int_equal(kick_mask(), 0x4);
	assert_int_equal(rd(0, A_ICR) & (1u << 12), 0); /* delivery status: idle */
	assert_int_equal(rd(0, A_ICR2), 0x02000000);
	drain();
	icr(3, 0x41, 0);
	assert_int_equal(irr_mask(0x41), 0x1);
	icr(3, 0x42, 3); /* to itself by id */
	assert_int_equal(irr_mask(0x42), 0x8);
	icr(3, 0x43, 7); /* nobody has id 7 */
	assert_int_equal(irr_mask(0x43), 0);
	assert_int_equal(esr(3), 0);
}

static void test_physical_broadcast(void **state)
{
	icr(1, 0x44, 0xff);
	assert_int_equal(irr_mask(0x44), 0xf);
	assert_int_equal(kick_mask(), 0xf);
}

static void test_level_fixed_sent_as_edge(void **state)
{
	icr(0, 0x45 | LEVEL | ASSERT, 1);
	assert_true(irr(1, 0x45));
	assert_false(tmr(1, 0x45));
}

/* ---------------------------------------------------------------- shorthands */

static void test_shorthand_self(void **state)
{
	icr(1, 0x50 | SH_SELF, 2); /* the destination field is ignored */
	assert_int_equal(irr_mask(0x50), 0x2);
	assert_int_equal(kick_mask(), 0x2);
}

static void test_shorthand_all(void **state)
{
	icr(2, 0x51 | SH_ALL, 0);
	assert_int_equal(irr_mask(0x51), 0xf);
}

static void test_shorthand_all_but_self(void **state)
{
	icr(2, 0x52 | SH_ALL_BUT_SELF, 2);
	assert_int_equal(irr_mask(0x52), 0xb);
	assert_int_equal(kick_mask(), 0xb);
	drain();
	icr(0, 0x53 | SH_ALL_BUT_SELF | LOGICAL, 0); /* destination mode is ignored too */
	assert_int_equal(irr_mask(0x53), 0xe);
}

/* ---------------------------------------------------------------- logical */

static void test_logical_flat(void **state)
{
	for (int i = 0; i < NR_FAKE; i++)
		wr(i, A_LDR, (1u << i) << 24);
	icr(0, 0x60 | LOGICAL, 0x06);
	assert_int_equal(irr_mask(0x60), 0x6);
	assert_int_equal(kick_mask(), 0x6);
	icr(0, 0x61 | LOGICAL, 0x09);
	assert_int_equal(irr_mask(0x61), 0x9);
	icr(0, 0x62 | LOGICAL, 0x10);
	assert_int_equal(irr_mask(0x62), 0);
	icr(0, 0x63 | LOGICAL, 0xff);
	assert_int_equal(irr_mask(0x63), 0xf);
	/* two vCPUs may share a logical id */
	wr(3, A_LDR, 0x02000000);
	icr(0, 0x64 | LOGICAL, 0x02);
	assert_int_equal(irr_mask(0x64), 0xa);
}

static void test_logical_cluster(void **state)
{
	static const uint8_t ldr[NR_FAKE] = { 0x11, 0x12, 0x21, 0x22 };

	for (int i = 0; i < NR_FAKE; i++) {
		wr(i, A_DFR, 0x0fffffff);
		wr(i, A_LDR, (uint32_t)ldr[i] << 24);
	}
	icr(0, 0x70 | LOGICAL, 0x13);
	assert_int_equal(irr_mask(0x70), 0x3);
	icr(0, 0x71 | LOGICAL, 0x22);
	assert_int_equal(irr_mask(0x71), 0x8);
	icr(0, 0x72 | LOGICAL, 0x23);
	assert_int_equal(irr_mask(0x72), 0xc);
	icr(0, 0x73 | LOGICAL, 0x31); /* no such cluster */
	assert_int_equal(irr_mask(0x73), 0);
	icr(0, 0x74 | LOGICAL, 0x14); /* cluster 1, no such member */
	assert_int_equal(irr_mask(0x74), 0);
	icr(0, 0x75 | LOGICAL, 0xff);
	assert_int_equal(irr_mask(0x75), 0xf);
	/* a flat vCPU with logical id 0x13 does not read 0x13 as a cluster */
	wr(3, A_DFR, 0xffffffff);
	wr(3, A_LDR, 0x01000000);
	icr(0, 0x76 | LOGICAL, 0x13);
	assert_int_equal(irr_mask(0x76), 0xb);
}

/* ---------------------------------------------------------------- x2APIC */

static void test_x2apic_physical(void **state)
{
	icr_x2(0, 0x80, 0x25);
	assert_int_equal(irr_mask(0x80), 0x8);
	icr_x2(0, 0x81, 0x21);
	assert_int_equal(irr_mask(0x81), 0x4);
	icr_x2(0, 0x82, 0x2125); /* no such id: 32-bit compare, not 8 */
	assert_int_equal(irr_mask(0x82), 0);
	icr_x2(3, 0x83, 0xff); /* 0xff is an ordinary id in x2APIC mode */
	assert_int_equal(irr_mask(0x83), 0);
	icr_x2(3, 0x84, 0xffffffff);
	assert_int_equal(irr_mask(0x84), 0xf);
	icr_x2(3, 0x85 | SH_ALL_BUT_SELF, 0);
	assert_int_equal(irr_mask(0x85), 0x7);
	icr_x2(3, 0x86 | SH_SELF, 0);
	assert_int_equal(irr_mask(0x86), 0x8);
}

static void test_x2apic_cluster(void **state)
{
	/* LDRs: 0x10001, 0x10002 (cluster 0); 0x20002, 0x20020 (cluster 2) */
	assert_int_equal(mrd(3, 0x80d), 0x00020020);
	icr_x2(0, 0x90 | LOGICAL, 0x00020022);
	assert_int_equal(irr_mask(0x90), 0xc);
	icr_x2(0, 0x91 | LOGICAL, 0x00000003);
	assert_int_equal(irr_mask(0x91), 0x3);
	icr_x2(0, 0x92 | LOGICAL, 0x00020001); /* cluster 2 has no member 0 */
	assert_int_equal(irr_mask(0x92), 0);
	icr_x2(0, 0x93 | LOGICAL, 0x00010002); /* no cluster 1 */
	assert_int_equal(irr_mask(0x93), 0);
	icr_x2(0, 0x94 | LOGICAL, 0xffffffff);
	assert_int_equal(irr_mask(0x94), 0xf);
}

static void test_x2apic_self_ipi_msr(void **state)
{
	mwr(2, MSR_SELF_IPI, 0x55);
	assert_int_equal(irr_mask(0x55), 0x4);
	assert_int_equal(kick_mask(), 0x4);
	mwr(2, MSR_SELF_IPI, 0x05);
	assert_false(irr(2, 5));
	assert_int_equal(esr(2), 0x20);
}

/* ---------------------------------------------------------------- modes */

static void test_lowest_priority(void **state)
{
	for (int i = 0; i < NR_FAKE; i++)
		wr(i, A_LDR, (1u << i) << 24);
	icr(3, 0xa0 | DM_LOWEST | LOGICAL, 0x0c);
	assert_int_equal(irr_mask(0xa0), 0x4);
	assert_int_equal(kick_mask(), 0x4);
	icr(3, 0xa1 | DM_LOWEST | LOGICAL, 0x0f);
	assert_int_equal(irr_mask(0xa1), 0x1);
	icr(3, 0xa2 | DM_LOWEST, 0xff);
	assert_int_equal(irr_mask(0xa2), 0x1);
	icr(3, 0xa3 | DM_LOWEST, 2);
	assert_int_equal(irr_mask(0xa3), 0x4);
	icr(0, 0xa4 | DM_LOWEST | SH_ALL_BUT_SELF, 0);
	assert_int_equal(irr_mask(0xa4), 0x2);
	icr(0, 0xa5 | DM_LOWEST | LOGICAL, 0x10); /* nobody */
	assert_int_equal(irr_mask(0xa5), 0);
	/* a software-disabled target does not take part */
	wr(0, A_SVR, 0xff);
	icr(3, 0xa6 | DM_LOWEST | LOGICAL, 0x03);
	assert_int_equal(irr_mask(0xa6), 0x2);
}

static void test_nmi(void **state)
{
	icr(0, DM_NMI, 3);
	assert_int_equal(count_mask(nmis), 0x8);
	assert_int_equal(irr_mask(0), 0);
	drain();
	icr(0, DM_NMI | SH_ALL_BUT_SELF, 0);
	assert_int_equal(count_mask(nmis), 0xe);
	drain();
	wr(1, A_SVR, 0xff);					       /* software-disabled: NMIs still get through */
	assert_int_equal(vlapic_set_base(&fake_vl[2], 0xfee00000), 0); /* globally disabled: not */
	icr(0, DM_NMI, 0xff);
	assert_int_equal(count_mask(nmis), 0xb);
}

static void test_init_sipi(void **state)
{
	wr(1, A_TPR, 0x30);
	wr(1, A_LVTT, 0x20);
	/* Linux's sequence: INIT assert (level), INIT de-assert, SIPI, SIPI */
	icr(0, DM_INIT | LEVEL | ASSERT, 1);
	assert_int_equal(count_mask(inits), 0x2);
	assert_true(fake_vl[1].sipi_pending_init);
	assert_int_equal(rd(1, A_TPR), 0); /* reset by INIT */
	assert_int_equal(rd(1, A_SVR), 0xff);
	assert_int_equal(rd(1, A_LVTT), 0x10000);
	assert_int_equal(rd(1, A_ID), 1u << 24);
	icr(0, DM_INIT | LEVEL, 1); /* de-assert: ignored */
	assert_int_equal(inits[1], 1);
	icr(0, DM_SIPI | 0x9a, 1);
	assert_int_equal(count_mask(sipis), 0x2);
	assert_int_equal(sipi_vector[1], 0x9a);
	icr(0, DM_SIPI | 0x9b, 1); /* the second SIPI finds it running */
	assert_int_equal(sipis[1], 1);
	assert_int_equal(sipi_vector[1], 0x9a);
	icr(0, DM_SIPI | 0x9c, 2); /* no INIT before */
	assert_int_equal(sipis[2], 0);
	assert_int_equal(esr(0), 0);
	/* broadcast INIT and SIPI to the others; an edge INIT works as well */
	drain();
	icr(0, DM_INIT | SH_ALL_BUT_SELF, 0);
	assert_int_equal(count_mask(inits), 0xe);
	icr(0, DM_SIPI | 0x10 | SH_ALL_BUT_SELF, 0);
	assert_int_equal(count_mask(sipis), 0xe);
	assert_int_equal(sipi_vector[3], 0x10);
	assert_int_equal(count_mask(nmis) | kick_mask(), 0);
}

static void test_init_sipi_x2apic(void **state)
{
	icr_x2(0, DM_INIT | LEVEL | ASSERT, 0x25);
	assert_int_equal(count_mask(inits), 0x8);
	assert_true(vlapic_x2apic_mode(&fake_vl[3])); /* INIT keeps the mode */
	icr_x2(0, DM_SIPI | 0x08, 0x25);
	assert_int_equal(count_mask(sipis), 0x8);
	assert_int_equal(sipi_vector[3], 0x08);
}

static void test_refused_modes(void **state)
{
	static const uint32_t refused[] = {
		DM_SMI | 0x40,		   /* SMI */
		(3u << 8) | 0x40,	   /* reserved */
		DM_EXTINT | 0x40,	   /* ExtINT */
		0x0f,			   /* fixed, illegal vector */
		DM_LOWEST | 0x01,	   /* lowest priority, illegal vector */
		DM_NMI | SH_SELF,	   /* self carries fixed only */
		DM_INIT | SH_ALL | ASSERT, /* so does all-including-self */
		DM_LOWEST | 0x40 | SH_SELF,
		DM_SIPI | 0x10 | SH_ALL,
	};

	for (unsigned int k = 0; k < ARRAY_SIZE(refused); k++) {
		drain();
		icr(0, refused[k], 0xff);
		assert_int_equal(irr_mask(0x40), 0);
		assert_int_equal(count_mask(nmis) | count_mask(inits) | count_mask(sipis) | kick_mask(), 0);
		if (esr(0) != 0x20)
			fail_msg("ICR %#x: ESR should say send illegal", refused[k]);
	}
	/* the sender's error LVT reports it */
	wr(0, A_LVTERR, 0xef);
	icr(0, DM_SMI, 1);
	assert_int_equal(irr_mask(0xef), 0x1);
	assert_int_equal(kick_mask(), 0x1);
}

static void test_fixed_to_disabled_targets(void **state)
{
	wr(2, A_SVR, 0xff);
	assert_int_equal(vlapic_set_base(&fake_vl[3], 0xfee00000), 0);
	icr(0, 0xb0 | SH_ALL, 0);
	assert_int_equal(irr_mask(0xb0), 0x3);
	assert_int_equal(kick_mask(), 0x3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup_enabled, fake_teardown)
#define T2(f) cmocka_unit_test_setup_teardown(f, setup_x2apic, fake_teardown)
		T(test_physical_fixed),
		T(test_physical_broadcast),
		T(test_level_fixed_sent_as_edge),
		T(test_shorthand_self),
		T(test_shorthand_all),
		T(test_shorthand_all_but_self),
		T(test_logical_flat),
		T(test_logical_cluster),
		T2(test_x2apic_physical),
		T2(test_x2apic_cluster),
		T2(test_x2apic_self_ipi_msr),
		T(test_lowest_priority),
		T(test_nmi),
		T(test_init_sipi),
		T2(test_init_sipi_x2apic),
		T(test_refused_modes),
		T(test_fixed_to_disabled_targets),
#undef T
#undef T2
	};
	return cmocka_run_group_tests_name("vlapic_ipi", tests, NULL, NULL);
}
