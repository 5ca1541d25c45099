/*
 * vLAPIC registers (hvm/vlapic.c): reset values, the xAPIC page, the x2APIC
 * MSR map and its #GP cases, TPR/PPR/ISR/EOI priority, IRR->ISR acking,
 * interrupt acceptance, the ESR, and the APIC base MSR's state machine.
 */
#include "fake_env.h"

/* ---------------------------------------------------------------- reset */

static void test_reset_values(void **state)
{
	for (int i = 0; i < NR_FAKE; i++) {
		struct vlapic *vl = &fake_vl[i];

		assert_int_equal(rd(i, A_ID), (uint32_t)i << 24);
		assert_int_equal(rd(i, A_VER), 0x00050014);
		assert_int_equal(rd(i, A_TPR), 0);
		assert_int_equal(rd(i, A_APR), 0);
		assert_int_equal(rd(i, A_PPR), 0);
		assert_int_equal(rd(i, A_LDR), 0);
		assert_int_equal(rd(i, A_DFR), 0xffffffff);
		assert_int_equal(rd(i, A_SVR), 0xff);
		for (uint32_t r = 0; r < 8; r++) {
			assert_int_equal(rd(i, A_ISR + r * 0x10), 0);
			assert_int_equal(rd(i, A_TMR + r * 0x10), 0);
			assert_int_equal(rd(i, A_IRR + r * 0x10), 0);
		}
		assert_int_equal(rd(i, A_ESR), 0);
		assert_int_equal(rd(i, A_ICR), 0);
		assert_int_equal(rd(i, A_ICR2), 0);
		for (uint32_t off = A_LVTT; off <= A_LVTERR; off += 0x10)
			assert_int_equal(rd(i, off), 0x00010000);
		assert_int_equal(rd(i, A_TMICT), 0);
		assert_int_equal(rd(i, A_TMCCT), 0);
		assert_int_equal(rd(i, A_TDCR), 0);
		assert_int_equal(vlapic_get_base(vl), BASE_XAPIC | (i == 0 ? BASE_BSP : 0));
		assert_true(vlapic_enabled(vl));
		assert_false(vlapic_x2apic_mode(vl));
		assert_int_equal(vl->timer.cpu, i + 4); /* env->vcpu_cpu */
		assert_int_equal(vl->timer.status, TIMER_STATUS_inactive);
		assert_false(vl->sipi_pending_init);
		assert_int_equal(vlapic_pending_irq(vl), -1);
		assert_false(vlapic_has_irr(vl));
		assert_int_equal(vlapic_get_tsc_deadline(vl), 0);
	}
}

static void test_reset_clears_state(void **state)
{
	sw_enable_all();
	wr(1, A_TPR, 0x20);
	wr(1, A_LDR, 0x04000000);
	wr(1, A_LVTT, 0x30);
	vlapic_set_irq(&fake_vl[1], 0x40, true);
	vlapic_ack_irq(&fake_vl[1], 0x40);
	vlapic_set_irq(&fake_vl[1], 0x50, false);
	vlapic_reset(&fake_vl[1]);
	assert_int_equal(rd(1, A_ID), 1u << 24);
	assert_int_equal(rd(1, A_TPR), 0);
	assert_int_equal(rd(1, A_LDR), 0);
	assert_int_equal(rd(1, A_SVR), 0xff);
	assert_int_equal(rd(1, A_LVTT), 0x10000);
	assert_false(isr(1, 0x40) || tmr(1, 0x40) || irr(1, 0x50));
	assert_int_equal(vlapic_get_base(&fake_vl[1]), BASE_XAPIC);
}

/* ---------------------------------------------------------------- xAPIC page */

static void test_mmio_bad_access(void **state)
{
	uint32_t v;

	assert_int_equal(vlapic_mmio_read(&fake_vl[0], 4096, &v), -XEN_EINVAL);
	assert_int_equal(vlapic_mmio_read(&fake_vl[0], 0x22, &v), -XEN_EINVAL);
	assert_int_equal(vlapic_mmio_write(&fake_vl[0], 0x81, 1), -XEN_EINVAL);
	assert_int_equal(vlapic_mmio_write(&fake_vl[0], 0x1000, 1), -XEN_EINVAL);
	/* inside a register's 16 bytes but not its first 4, or a hole: reads 0,
	 * ESR "illegal register address" */
	assert_int_equal(rd(0, 0x84), 0);
	assert_int_equal(esr(0), 0x80);
	assert_int_equal(rd(0, A_CMCI), 0); /* 6 LVT entries: no CMCI */
	assert_int_equal(rd(0, 0x3f0), 0);  /* SELF IPI: x2APIC only */
	assert_int_equal(rd(0, 0x800), 0);
	wr(0, 0x3a0, 0x12345678);
	assert_int_equal(esr(0), 0x80);
	assert_int_equal(esr(0), 0);
}

static void test_xapic_read_only_registers(void **state)
{
	vlapic_set_irq(&fake_vl[2], 0x33, false); /* dropped: software-disabled */
	wr(2, A_SVR, 0x1ff);
	vlapic_set_irq(&fake_vl[2], 0x33, false);
	wr(2, A_ID, 0x07000000); /* the id is fixed: IPIs are routed by it */
	wr(2, A_VER, 0);
	wr(2, A_APR, 0xff);
	wr(2, A_PPR, 0xff);
	wr(2, A_IRR + 0x10, 0);
	wr(2, A_ISR + 0x10, 0xffffffff);
	wr(2, A_TMCCT, 55);
	assert_int_equal(rd(2, A_ID), 2u << 24);
	assert_int_equal(rd(2, A_VER), 0x00050014);
	assert_int_equal(rd(2, A_APR), 0);
	assert_int_equal(rd(2, A_PPR), 0);
	assert_int_equal(rd(2, A_IRR + 0x10), 1u << (0x33 - 32));
	assert_int_equal(rd(2, A_ISR + 0x10), 0);
	assert_int_equal(rd(2, A_TMCCT), 0);
	assert_int_equal(rd(2, A_EOI), 0); /* write-only: reads 0 */
	assert_int_equal(esr(2), 0);
}

static void test_xapic_writable_bits(void **state)
{
	wr(0, A_SVR, 0xffffffff);
	assert_int_equal(rd(0, A_SVR), 0x3ff); /* no EOI-broadcast suppression */
	wr(0, A_TPR, 0xffffffff);
	assert_int_equal(rd(0, A_TPR), 0xff);
	wr(0, A_TPR, 0);
	wr(0, A_LDR, 0xffffffff);
	assert_int_equal(rd(0, A_LDR), 0xff000000);
	wr(0, A_DFR, 0);
	assert_int_equal(rd(0, A_DFR), 0x0fffffff);
	wr(0, A_DFR, 0xffffffff);
	assert_int_equal(rd(0, A_DFR), 0xffffffff);
	wr(0, A_TDCR, 0xffffffff);
	assert_int_equal(rd(0, A_TDCR), 0xb);
	wr(0, A_LVTT, 0xffffffff);
	assert_int_equal(rd(0, A_LVTT), 0x000700ff);
	wr(0, A_LVTTHM, 0xffffffff);
	assert_int_equal(rd(0, A_LVTTHM), 0x000107ff);
	wr(0, A_LVTPC, 0xffffffff);
	assert_int_equal(rd(0, A_LVTPC), 0x000107ff);
	wr(0, A_LVT0, 0xffffffff);
	assert_int_equal(rd(0, A_LVT0), 0x0001a7ff);
	wr(0, A_LVT1, 0xffffffff);
	assert_int_equal(rd(0, A_LVT1), 0x0001a7ff);
	wr(0, A_LVTERR, 0xffffffff);
	assert_int_equal(rd(0, A_LVTERR), 0x000100ff);
	wr(0, A_ICR2, 0xffffffff);
	assert_int_equal(rd(0, A_ICR2), 0xff000000);
	wr(0, A_ICR, 0xffffffff); /* ExtINT: refused, but stored */
	assert_int_equal(rd(0, A_ICR), 0x000ccfff);
	wr(0, A_LVTT, 0x000200ef);
	assert_int_equal(rd(0, A_LVTT), 0x000200ef);
}

static void test_svr_disable_masks_lvts(void **state)
{
	sw_enable_all();
	for (uint32_t off = A_LVTT; off <= A_LVTERR; off += 0x10)
		wr(0, off, 0x40);
	assert_int_equal(rd(0, A_LVTT), 0x40);
	wr(0, A_SVR, 0xff);
	for (uint32_t off = A_LVTT; off <= A_LVTERR; off += 0x10) {
		assert_int_equal(rd(0, off), 0x10040);
		wr(0, off, 0x41); /* cannot be unmasked while disabled */
		assert_int_equal(rd(0, off), 0x10041);
	}
	wr(0, A_SVR, 0x1ff);
	assert_int_equal(rd(0, A_LVT0), 0x10041); /* still masked until written */
	wr(0, A_LVT0, 0x41);
	assert_int_equal(rd(0, A_LVT0), 0x41);
}

/* ---------------------------------------------------------------- priority */

static void test_tpr_ppr(void **state)
{
	struct vlapic *vl = &fake_vl[0];

	sw_enable_all();
	wr(0, A_TPR, 0x35);
	assert_int_equal(rd(0, A_PPR), 0x35);
	vlapic_set_irq(vl, 0x51, false);
	assert_int_equal(vlapic_pending_irq(vl), 0x51);
	vlapic_ack_irq(vl, 0x51);
	assert_int_equal(rd(0, A_PPR), 0x50); /* ISR class beats TPR */
	wr(0, A_TPR, 0x55);
	assert_int_equal(rd(0, A_PPR), 0x55); /* same class: the TPR */
	wr(0, A_TPR, 0x70);
	assert_int_equal(rd(0, A_PPR), 0x70);
	wr(0, A_TPR, 0x00);
	assert_int_equal(rd(0, A_PPR), 0x50);
	wr(0, A_EOI, 0);
	assert_int_equal(rd(0, A_PPR), 0x00);
	assert_false(isr(0, 0x51));
}

static void test_pending_respects_ppr(void **state)
{
	struct vlapic *vl = &fake_vl[1];

	sw_enable_all();
	vlapic_set_irq(vl, 0x45, false);
	wr(1, A_TPR, 0x40);
	assert_int_equal(vlapic_pending_irq(vl), -1); /* class 4 does not beat 4 */
	assert_true(vlapic_has_irr(vl));	      /* but HLT wakes */
	wr(1, A_TPR, 0x3f);
	assert_int_equal(vlapic_pending_irq(vl), 0x45);
	wr(1, A_TPR, 0xff);
	assert_int_equal(vlapic_pending_irq(vl), -1);
	vlapic_set_irq(vl, 0xff, false);
	assert_int_equal(vlapic_pending_irq(vl), -1); /* class 15 never beats TPR 0xf0 */
	wr(1, A_TPR, 0);
	assert_int_equal(vlapic_pending_irq(vl), 0xff);
}

static void test_ack_and_eoi_order(void **state)
{
	struct vlapic *vl = &fake_vl[0];

	sw_enable_all();
	vlapic_set_irq(vl, 0x30, false);
	vlapic_set_irq(vl, 0x90, false);
	vlapic_set_irq(vl, 0x50, false);
	vlapic_set_irq(vl, 0x55, false);
	assert_int_equal(vlapic_pending_irq(vl), 0x90);
	vlapic_ack_irq(vl, 0x90);
	assert_true(isr(0, 0x90));
	assert_false(irr(0, 0x90));
	assert_int_equal(vlapic_pending_irq(vl), -1);
	vlapic_set_irq(vl, 0xa0, false); /* nests above 0x90 */
	assert_int_equal(vlapic_pending_irq(vl), 0xa0);
	vlapic_ack_irq(vl, 0xa0);
	assert_int_equal(rd(0, A_PPR), 0xa0);
	wr(0, A_EOI, 0); /* the highest in service goes */
	assert_false(isr(0, 0xa0));
	assert_true(isr(0, 0x90));
	assert_int_equal(vlapic_pending_irq(vl), -1);
	wr(0, A_EOI, 0);
	assert_int_equal(vlapic_pending_irq(vl), 0x55);
	vlapic_ack_irq(vl, 0x55);
	assert_int_equal(vlapic_pending_irq(vl), -1); /* 0x50: the same class */
	wr(0, A_EOI, 0);
	assert_int_equal(vlapic_pending_irq(vl), 0x50);
	vlapic_ack_irq(vl, 0x50);
	assert_int_equal(vlapic_pending_irq(vl), -1);
	wr(0, A_EOI, 0);
	assert_int_equal(vlapic_pending_irq(vl), 0x30);
	vlapic_ack_irq(vl, 0x30);
	wr(0, A_EOI, 0);
	assert_int_equal(vlapic_pending_irq(vl), -1);
	assert_false(vlapic_has_irr(vl));
	wr(0, A_EOI, 0); /* nothing in service: harmless */
	assert_int_equal(rd(0, A_ISR + 0x10), 0);
	/* acking a vector that is not requested changes nothing */
	vlapic_ack_irq(vl, 0x70);
	assert_false(isr(0, 0x70));
}

static void test_level_tmr_and_eoi(void **state)
{
	struct vlapic *vl = &fake_vl[3];

	sw_enable_all();
	vlapic_set_irq(vl, 0x60, true);
	assert_true(irr(3, 0x60));
	assert_true(tmr(3, 0x60));
	vlapic_ack_irq(vl, 0x60);
	wr(3, A_EOI, 0); /* level: nothing more than clearing the ISR */
	assert_false(isr(3, 0x60));
	assert_true(tmr(3, 0x60));
	vlapic_set_irq(vl, 0x60, false); /* edge acceptance clears the TMR bit */
	assert_false(tmr(3, 0x60));
}

/* ---------------------------------------------------------------- acceptance */

static void test_set_irq_kicks_and_drops(void **state)
{
	struct vlapic *vl = &fake_vl[2];

	vlapic_set_irq(vl, 0x40, false); /* software-disabled: dropped */
	assert_false(irr(2, 0x40));
	assert_int_equal(kicks[2], 0);
	wr(2, A_SVR, 0x1ff);
	vlapic_set_irq(vl, 0x40, false);
	assert_true(irr(2, 0x40));
	assert_int_equal(kicks[2], 1);
	vlapic_set_irq(vl, 5, false); /* illegal vector */
	assert_false(irr(2, 5));
	assert_int_equal(kicks[2], 1);
	assert_int_equal(esr(2), 0x40);
	for (unsigned int v = 0; v < 16; v++)
		vlapic_set_irq(vl, (uint8_t)v, false);
	assert_int_equal(rd(2, A_IRR), 0);
	assert_int_equal(vlapic_set_base(vl, 0xfee00000), 0); /* globally disabled */
	vlapic_set_irq(vl, 0x41, false);
	assert_false(irr(2, 0x41));
	assert_int_equal(kicks[2], 1);
	assert_int_equal(kicks[0] + kicks[1] + kicks[3], 0);
}

static void test_esr_write_then_read(void **state)
{
	sw_enable_all();
	vlapic_set_irq(&fake_vl[0], 3, false);
	assert_int_equal(rd(0, A_ESR), 0); /* not visible before a write */
	wr(0, A_ESR, 0);
	assert_int_equal(rd(0, A_ESR), 0x40);
	assert_int_equal(rd(0, A_ESR), 0x40); /* reading does not clear */
	wr(0, A_ICR, 0x00000005);	      /* fixed, vector 5: send illegal */
	assert_int_equal(rd(0, A_ESR), 0x40);
	wr(0, A_ESR, 0);
	assert_int_equal(rd(0, A_ESR), 0x20);
	wr(0, A_ESR, 0);
	assert_int_equal(rd(0, A_ESR), 0);
}

static void test_error_lvt(void **state)
{
	struct vlapic *vl = &fake_vl[1];

	sw_enable_all();
	wr(1, A_LVTERR, 0xfe);
	vlapic_set_irq(vl, 2, false);
	assert_true(irr(1, 0xfe));
	assert_int_equal(kicks[1], 1);
	vlapic_ack_irq(vl, 0xfe);
	vlapic_set_irq(vl, 2, false); /* the same error, not yet read: no new interrupt */
	assert_false(irr(1, 0xfe));
	assert_int_equal(esr(1), 0x40);
	vlapic_set_irq(vl, 2, false);
	assert_true(irr(1, 0xfe));
	/* an error LVT with an illegal vector records that too, and stops */
	esr(1);
	wr(1, A_LVTERR, 0x03);
	wr(1, A_ICR, 0x00040004); /* self, vector 4 */
	assert_int_equal(esr(1), 0x60);
	/* masked: recorded, not signalled */
	wr(1, A_LVTERR, 0x100fd);
	vlapic_set_irq(vl, 1, false);
	assert_false(irr(1, 0xfd));
	assert_int_equal(esr(1), 0x40);
}

/* ---------------------------------------------------------------- x2APIC */

static void test_x2apic_msrs_need_x2apic_mode(void **state)
{
	uint64_t v;

	assert_int_equal(vlapic_msr_read(&fake_vl[0], 0x802, &v), -XEN_EINVAL);
	assert_int_equal(vlapic_msr_write(&fake_vl[0], 0x808, 0), -XEN_EINVAL);
	to_x2apic(0);
	assert_int_equal(vlapic_msr_read(&fake_vl[0], 0x7ff, &v), -XEN_EINVAL);
	assert_int_equal(vlapic_msr_read(&fake_vl[0], 0x900, &v), -XEN_EINVAL);
	assert_int_equal(vlapic_msr_write(&fake_vl[0], 0x900, 0), -XEN_EINVAL);
	/* and the MMIO page is gone */
	uint32_t w;
	assert_int_equal(vlapic_mmio_read(&fake_vl[0], A_ID, &w), -XEN_EINVAL);
	assert_int_equal(vlapic_mmio_write(&fake_vl[0], A_TPR, 0), -XEN_EINVAL);
}

static void test_x2apic_id_and_ldr(void **state)
{
	static const uint32_t ids[NR_FAKE] = { 0, 0x1f, 0x21, 0x135 };

	fake_teardown(NULL);
	fake_setup(ids, 0);
	assert_int_equal(rd(3, A_ID), 0x35000000u); /* xAPIC shows the low 8 bits */
	for (int i = 0; i < NR_FAKE; i++)
		to_x2apic(i);
	assert_int_equal(mrd(0, 0x802), 0);
	assert_int_equal(mrd(1, 0x802), 0x1f);
	assert_int_equal(mrd(3, 0x802), 0x135);
	assert_int_equal(mrd(0, 0x80d), 0x00000001);
	assert_int_equal(mrd(1, 0x80d), 0x00018000);
	assert_int_equal(mrd(2, 0x80d), 0x00020002);
	assert_int_equal(mrd(3, 0x80d), 0x00130020);
	assert_int_equal(mrd(3, 0x803), 0x00050014);
	/* INIT keeps x2APIC mode and the derived LDR */
	vlapic_reset(&fake_vl[3]);
	assert_true(vlapic_x2apic_mode(&fake_vl[3]));
	assert_int_equal(mrd(3, 0x80d), 0x00130020);
	assert_int_equal(mrd(3, 0x80f), 0xff);
}

/* Which x2APIC MSRs exist, and how (SDM table "x2APIC register address
 * space"). */
static bool msr_readable(uint32_t msr)
{
	switch (msr) {
	case 0x802:
	case 0x803:
	case 0x808:
	case 0x80a:
	case 0x80d:
	case 0x80f:
	case 0x828:
	case 0x830:
	case 0x838:
	case 0x839:
	case 0x83e:
		return true;
	}
	return (msr >= 0x810 && msr <= 0x827) || (msr >= 0x832 && msr <= 0x837);
}

static bool msr_writable(uint32_t msr)
{
	switch (msr) {
	case 0x808:
	case 0x80b:
	case 0x80f:
	case 0x828:
	case 0x830:
	case 0x838:
	case 0x83e:
	case 0x83f:
		return true;
	}
	return msr >= 0x832 && msr <= 0x837;
}

static void test_x2apic_msr_map(void **state)
{
	struct vlapic *vl = &fake_vl[1];

	to_x2apic(1);
	for (uint32_t msr = 0x800; msr <= 0x8ff; msr++) {
		uint64_t v = 0;
		int want_r = msr_readable(msr) ? 0 : -XEN_EINVAL;
		int want_w = msr_writable(msr) ? 0 : -XEN_EINVAL;
		/* a value legal for the register: 0 everywhere, LVTs masked */
		uint64_t val = (msr >= 0x832 && msr <= 0x837) ? 0x10000 : 0;

		if (vlapic_msr_read(vl, msr, &v) != want_r)
			fail_msg("read of MSR %#x", msr);
		if (vlapic_msr_write(vl, msr, val) != want_w)
			fail_msg("write of MSR %#x", msr);
	}
	/* named absentees: APR, RRD, DFR, CMCI, ICR2 */
	uint64_t v;
	assert_int_equal(vlapic_msr_read(vl, 0x809, &v), -XEN_EINVAL);
	assert_int_equal(vlapic_msr_read(vl, 0x80e, &v), -XEN_EINVAL);
	assert_int_equal(vlapic_msr_write(vl, 0x80e, 0xffffffff), -XEN_EINVAL);
	assert_int_equal(vlapic_msr_read(vl, 0x82f, &v), -XEN_EINVAL);
	assert_int_equal(vlapic_msr_read(vl, 0x831, &v), -XEN_EINVAL);
	assert_int_equal(vlapic_msr_write(vl, 0x831, 0), -XEN_EINVAL);
	/* write-only ones read as #GP, read-only ones write as #GP */
	assert_int_equal(vlapic_msr_read(vl, 0x80b, &v), -XEN_EINVAL);
	assert_int_equal(vlapic_msr_read(vl, 0x83f, &v), -XEN_EINVAL);
	assert_int_equal(vlapic_msr_write(vl, 0x802, 1), -XEN_EINVAL);
	assert_int_equal(vlapic_msr_write(vl, 0x80d, 0), -XEN_EINVAL);
	assert_int_equal(vlapic_msr_write(vl, 0x839, 0), -XEN_EINVAL);
}

static void test_x2apic_reserved_bits(void **state)
{
	struct vlapic *vl = &fake_vl[0];

	to_x2apic(0);
	mwr(0, 0x80f, 0x1ff);
	assert_int_equal(vlapic_msr_write(vl, 0x808, 0x100), -XEN_EINVAL);	/* TPR */
	assert_int_equal(vlapic_msr_write(vl, 0x808, 1ULL << 32), -XEN_EINVAL); /* high half */
	assert_int_equal(vlapic_msr_write(vl, 0x80f, 0x11ff), -XEN_EINVAL);	/* EOI-bcast suppr. */
	assert_int_equal(vlapic_msr_write(vl, 0x80b, 1), -XEN_EINVAL);		/* EOI: only 0 */
	assert_int_equal(vlapic_msr_write(vl, 0x828, 1), -XEN_EINVAL);		/* ESR: only 0 */
	assert_int_equal(vlapic_msr_write(vl, 0x832, 0x1000), -XEN_EINVAL);	/* delivery status */
	assert_int_equal(vlapic_msr_write(vl, 0x832, 0x60000), -XEN_EINVAL);	/* timer mode 3 */
	assert_int_equal(vlapic_msr_write(vl, 0x835, 0x4000), -XEN_EINVAL);	/* remote IRR */
	assert_int_equal(vlapic_msr_write(vl, 0x837, 0x700), -XEN_EINVAL);	/* error: no mode */
	assert_int_equal(vlapic_msr_write(vl, 0x83e, 0x4), -XEN_EINVAL);	/* TDCR */
	assert_int_equal(vlapic_msr_write(vl, 0x83f, 0x140), -XEN_EINVAL);	/* SELF IPI */
	assert_int_equal(vlapic_msr_write(vl, 0x830, 0x1040), -XEN_EINVAL);	/* ICR bit 12 */
	assert_int_equal(vlapic_msr_write(vl, 0x830, 0x100040), -XEN_EINVAL);	/* ICR bit 20 */
	assert_int_equal(vlapic_msr_write(vl, 0x838, 1ULL << 32), -XEN_EINVAL);
	assert_int_equal(irr_mask(0x40), 0);
	assert_int_equal(mrd(0, 0x808), 0);
	/* the legal counterparts */
	mwr(0, 0x808, 0xff);
	assert_int_equal(mrd(0, 0x808), 0xff);
	assert_int_equal(mrd(0, 0x80a), 0xff);
	mwr(0, 0x80f, 0x3ff);
	assert_int_equal(mrd(0, 0x80f), 0x3ff);
	mwr(0, 0x832, 0x300ff);
	assert_int_equal(vlapic_msr_write(vl, 0x832, 0x700ff), -XEN_EINVAL);
	mwr(0, 0x835, 0x1a7ff);
	assert_int_equal(mrd(0, 0x835), 0x1a7ff);
	mwr(0, 0x83e, 0xb);
	assert_int_equal(mrd(0, 0x83e), 0xb);
	mwr(0, 0x838, 0xffffffff);
	assert_int_equal(mrd(0, 0x838), 0xffffffff);
}

static void test_x2apic_icr_is_64_bits(void **state)
{
	to_x2apic(0);
	mwr(0, 0x80f, 0x1ff);
	mwr(0, 0x830, (0x12345ULL << 32) | 0x000c4041); /* all-but-self, fixed */
	assert_int_equal(mrd(0, 0x830), (0x12345ULL << 32) | 0x000c4041);
}

/* ---------------------------------------------------------------- APIC base */

static void test_base_transitions(void **state)
{
	struct vlapic *vl = &fake_vl[1];

	/* xAPIC -> x2APIC -> (not xAPIC) -> disabled -> (not x2APIC) -> xAPIC */
	assert_int_equal(vlapic_set_base(vl, BASE_X2APIC), 0);
	assert_true(vlapic_x2apic_mode(vl));
	assert_int_equal(vlapic_set_base(vl, BASE_X2APIC), 0); /* no change */
	assert_int_equal(vlapic_set_base(vl, BASE_XAPIC), -XEN_EINVAL);
	assert_true(vlapic_x2apic_mode(vl));
	assert_int_equal(vlapic_set_base(vl, 0xfee00000 | BASE_EXTD), -XEN_EINVAL); /* EN=0 EXTD=1 */
	assert_int_equal(vlapic_set_base(vl, 0xfee00000), 0);
	assert_false(vlapic_enabled(vl));
	assert_false(vlapic_x2apic_mode(vl));
	assert_int_equal(vlapic_get_base(vl), 0xfee00000);
	assert_int_equal(vlapic_set_base(vl, BASE_X2APIC), -XEN_EINVAL);
	assert_false(vlapic_enabled(vl));
	assert_int_equal(vlapic_set_base(vl, BASE_XAPIC), 0);
	assert_true(vlapic_enabled(vl));
	assert_false(vlapic_x2apic_mode(vl));
	assert_int_equal(vlapic_get_base(vl), BASE_XAPIC);
}

static void test_base_reserved_and_relocation(void **state)
{
	struct vlapic *vl = &fake_vl[0];

	assert_int_equal(vlapic_set_base(vl, BASE_XAPIC | 1), -XEN_EINVAL);
	assert_int_equal(vlapic_set_base(vl, BASE_XAPIC | (1 << 9)), -XEN_EINVAL);
	assert_int_equal(vlapic_set_base(vl, BASE_XAPIC | (1ULL << 52)), -XEN_EINVAL);
	assert_int_equal(vlapic_set_base(vl, 0xfed00000 | BASE_EN), -XEN_EINVAL); /* relocation */
	assert_true(harness_log_has("relocation"));
	assert_int_equal(vlapic_get_base(vl), BASE_XAPIC | BASE_BSP);
	/* the BSP flag is not the guest's to change */
	assert_int_equal(vlapic_set_base(vl, BASE_XAPIC), 0);
	assert_int_equal(vlapic_get_base(vl), BASE_XAPIC | BASE_BSP);
	assert_int_equal(vlapic_set_base(&fake_vl[2], BASE_XAPIC | BASE_BSP), 0);
	assert_int_equal(vlapic_get_base(&fake_vl[2]), BASE_XAPIC);
}

static void test_disable_resets(void **state)
{
	struct vlapic *vl = &fake_vl[2];
	uint32_t v;

	wr(2, A_SVR, 0x1ff);
	wr(2, A_TPR, 0x40);
	wr(2, A_LDR, 0x08000000);
	wr(2, A_DFR, 0x0fffffff);
	vlapic_set_irq(vl, 0x80, false);
	to_x2apic(2);
	assert_int_equal(mrd(2, 0x80d), 0x00000004); /* derived on the switch */
	assert_int_equal(vlapic_set_base(vl, 0xfee00000), 0);
	assert_int_equal(vlapic_mmio_read(vl, A_TPR, &v), -XEN_EINVAL); /* no page while disabled */
	assert_int_equal(vlapic_mmio_write(vl, A_SVR, 0x1ff), -XEN_EINVAL);
	vlapic_set_irq(vl, 0x81, false);
	assert_int_equal(vlapic_set_base(vl, BASE_XAPIC), 0);
	assert_int_equal(rd(2, A_ID), 2u << 24);
	assert_int_equal(rd(2, A_TPR), 0);
	assert_int_equal(rd(2, A_LDR), 0);
	assert_int_equal(rd(2, A_DFR), 0xffffffff);
	assert_int_equal(rd(2, A_SVR), 0xff);
	assert_int_equal(rd(2, A_LVTERR), 0x10000);
	assert_false(irr(2, 0x80) || irr(2, 0x81));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fake_setup_default, fake_teardown)
		T(test_reset_values),
		T(test_reset_clears_state),
		T(test_mmio_bad_access),
		T(test_xapic_read_only_registers),
		T(test_xapic_writable_bits),
		T(test_svr_disable_masks_lvts),
		T(test_tpr_ppr),
		T(test_pending_respects_ppr),
		T(test_ack_and_eoi_order),
		T(test_level_tmr_and_eoi),
		T(test_set_irq_kicks_and_drops),
		T(test_esr_write_then_read),
		T(test_error_lvt),
		T(test_x2apic_msrs_need_x2apic_mode),
		T(test_x2apic_id_and_ldr),
		T(test_x2apic_msr_map),
		T(test_x2apic_reserved_bits),
		T(test_x2apic_icr_is_64_bits),
		T(test_base_transitions),
		T(test_base_reserved_and_relocation),
		T(test_disable_resets),
#undef T
	};
	return cmocka_run_group_tests_name("vlapic_regs", tests, NULL, NULL);
}
