/*
 * vLAPIC timer (hvm/vlapic.c): one-shot, periodic and TSC-deadline arming
 * with the right deadlines (1 GHz before the divider), the current count
 * falling with time, firing raising the LVT vector, masking, mode changes
 * disarming, stale expiries ignored; and vlapic_set_irq from several threads
 * at once.
 */
#include "fake_env.h"

#include <pthread.h>
#include <sched.h>

#define T0 1000000 /* the tests start at 1 ms */
#define ONESHOT 0x00000
#define PERIODIC 0x20000
#define TSC_DEADLINE 0x40000
#define MASKED 0x10000

static int setup(void **state)
{
	fake_setup(NULL, T0);
	sw_enable_all();
	return 0;
}

static struct timer *tmr_of(int i)
{
	return &fake_vl[i].timer;
}

static void test_oneshot(void **state)
{
	wr(0, A_LVTT, ONESHOT | 0x30);
	wr(0, A_TDCR, 0x3); /* divide by 16 */
	wr(0, A_TMICT, 1000);
	assert_true(timer_is_active(tmr_of(0)));
	assert_int_equal(tmr_of(0)->expires, T0 + 16000);
	assert_int_equal(rd(0, A_TMCCT), 1000);
	harness_now = T0 + 1600;
	assert_int_equal(rd(0, A_TMCCT), 900);
	harness_now = T0 + 15999;
	assert_int_equal(rd(0, A_TMCCT), 1);
	harness_now = T0 + 16000; /* expired, the handler has not run yet */
	assert_int_equal(rd(0, A_TMCCT), 0);
	assert_int_equal(rd(0, A_TMICT), 1000);
	fire_timer(0, 0);
	assert_true(irr(0, 0x30));
	assert_int_equal(kicks[0], 1);
	assert_int_equal(vlapic_pending_irq(&fake_vl[0]), 0x30);
	assert_false(timer_is_active(tmr_of(0))); /* not re-armed */
	assert_int_equal(rd(0, A_TMCCT), 0);
	assert_int_equal(rd(0, A_TMICT), 1000);
	assert_int_equal(set_timer_calls, 1);
}

static void test_divisors(void **state)
{
	static const struct {
		uint32_t tdcr, div;
	} t[] = { { 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 }, { 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 } };

	wr(1, A_LVTT, 0x31);
	for (unsigned int k = 0; k < ARRAY_SIZE(t); k++) {
		harness_now = T0 + k * 10;
		wr(1, A_TDCR, t[k].tdcr);
		wr(1, A_TMICT, 12345);
		assert_int_equal(tmr_of(1)->expires, harness_now + 12345LL * t[k].div);
		harness_now += t[k].div * 45LL;
		assert_int_equal(rd(1, A_TMCCT), 12300);
	}
	/* the largest count with the largest divider */
	harness_now = T0;
	wr(1, A_TDCR, 0xa);
	wr(1, A_TMICT, 0xffffffff);
	assert_int_equal(tmr_of(1)->expires, T0 + 0xffffffffLL * 128);
}

static void test_periodic_no_drift(void **state)
{
	wr(2, A_LVTT, PERIODIC | 0x31);
	wr(2, A_TDCR, 0xb);
	harness_now = 0;
	wr(2, A_TMICT, 1000000); /* 1 ms */
	assert_int_equal(tmr_of(2)->expires, 1000000);
	fire_timer(2, 30000); /* handled 30 us late */
	assert_true(irr(2, 0x31));
	assert_int_equal(tmr_of(2)->expires, 2000000); /* from the deadline, not from now */
	harness_now = 1750000;
	assert_int_equal(rd(2, A_TMCCT), 250000);
	vlapic_ack_irq(&fake_vl[2], 0x31);
	wr(2, A_EOI, 0);
	fire_timer(2, 0);
	assert_true(irr(2, 0x31));
	assert_int_equal(tmr_of(2)->expires, 3000000);
	/* 3.5 periods late: the missed ticks merge, the phase stays */
	fire_timer(2, 3500000);
	assert_int_equal(tmr_of(2)->expires, 7000000);
	assert_int_equal(kicks[2], 3);
	harness_now = 6500000;
	assert_int_equal(rd(2, A_TMCCT), 500000);
}

static void test_periodic_minimum(void **state)
{
	wr(0, A_LVTT, PERIODIC | 0x40);
	wr(0, A_TDCR, 0xb);
	wr(0, A_TMICT, 10); /* 10 ns: the host is not interrupted that often */
	assert_int_equal(tmr_of(0)->expires, T0 + 100000);
	fire_timer(0, 0);
	assert_int_equal(tmr_of(0)->expires, T0 + 200000);
	/* a one-shot is not stretched */
	wr(0, A_LVTT, ONESHOT | 0x40);
	wr(0, A_TMICT, 10);
	assert_int_equal(tmr_of(0)->expires, harness_now + 10);
}

static void test_tmict_zero_stops_and_rewrite_restarts(void **state)
{
	wr(3, A_LVTT, PERIODIC | 0x50);
	wr(3, A_TDCR, 0xb);
	wr(3, A_TMICT, 500000);
	harness_now = T0 + 100000;
	wr(3, A_TMICT, 500000); /* counting restarts from the write */
	assert_int_equal(tmr_of(3)->expires, T0 + 600000);
	assert_int_equal(rd(3, A_TMCCT), 500000);
	wr(3, A_TMICT, 0);
	assert_false(timer_is_active(tmr_of(3)));
	assert_int_equal(rd(3, A_TMCCT), 0);
}

static void test_masked_does_not_raise(void **state)
{
	wr(1, A_LVTT, PERIODIC | MASKED | 0x60);
	wr(1, A_TDCR, 0xb);
	wr(1, A_TMICT, 1000000);
	fire_timer(1, 0);
	assert_false(irr(1, 0x60));
	assert_int_equal(kicks[1], 0);
	assert_true(timer_is_active(tmr_of(1))); /* still counting */
	wr(1, A_LVTT, PERIODIC | 0x60);		 /* unmasking does not stop it */
	assert_true(timer_is_active(tmr_of(1)));
	fire_timer(1, 0);
	assert_true(irr(1, 0x60));
	/* software disable masks it */
	vlapic_ack_irq(&fake_vl[1], 0x60);
	wr(1, A_SVR, 0xff);
	fire_timer(1, 0);
	assert_false(irr(1, 0x60));
	/* an illegal vector in the LVT: receive illegal */
	wr(1, A_SVR, 0x1ff);
	wr(1, A_LVTT, PERIODIC | 0x05);
	wr(1, A_TMICT, 1000000);
	fire_timer(1, 0);
	assert_int_equal(rd(1, A_IRR), 0);
	assert_int_equal(esr(1), 0x40);
}

static void test_tsc_deadline(void **state)
{
	struct vlapic *vl = &fake_vl[0];

	vlapic_set_tsc_deadline(vl, 5000000); /* one-shot mode: ignored */
	assert_int_equal(vlapic_get_tsc_deadline(vl), 0);
	assert_false(timer_is_active(tmr_of(0)));
	wr(0, A_LVTT, TSC_DEADLINE | 0xd1);
	wr(0, A_TMICT, 1000); /* ignored in TSC-deadline mode */
	assert_false(timer_is_active(tmr_of(0)));
	assert_int_equal(rd(0, A_TMICT), 0);
	assert_int_equal(rd(0, A_TMCCT), 0);
	vlapic_set_tsc_deadline(vl, 5000000);
	assert_true(timer_is_active(tmr_of(0)));
	assert_int_equal(tmr_of(0)->expires, 2500000); /* tsc_to_time: 2 GHz */
	assert_int_equal(vlapic_get_tsc_deadline(vl), 5000000);
	vlapic_set_tsc_deadline(vl, 6000000); /* re-arm later */
	assert_int_equal(tmr_of(0)->expires, 3000000);
	fire_timer(0, 0);
	assert_true(irr(0, 0xd1));
	assert_int_equal(kicks[0], 1);
	assert_int_equal(vlapic_get_tsc_deadline(vl), 0); /* fires once */
	assert_false(timer_is_active(tmr_of(0)));
	vlapic_set_tsc_deadline(vl, 8000000);
	assert_true(timer_is_active(tmr_of(0)));
	vlapic_set_tsc_deadline(vl, 0); /* disarm */
	assert_false(timer_is_active(tmr_of(0)));
	assert_int_equal(vlapic_get_tsc_deadline(vl), 0);
	/* a deadline already past still fires (set_timer runs it soon) */
	vlapic_set_tsc_deadline(vl, 2);
	assert_true(timer_is_active(tmr_of(0)));
	assert_int_equal(tmr_of(0)->expires, 1);
}

static void test_tsc_deadline_masked(void **state)
{
	struct vlapic *vl = &fake_vl[1];

	wr(1, A_LVTT, TSC_DEADLINE | MASKED | 0xd2);
	vlapic_set_tsc_deadline(vl, 4000000);
	fire_timer(1, 0);
	assert_false(irr(1, 0xd2));
	assert_int_equal(vlapic_get_tsc_deadline(vl), 0);
}

static void test_mode_change_disarms(void **state)
{
	struct vlapic *vl = &fake_vl[2];

	wr(2, A_LVTT, ONESHOT | 0x70);
	wr(2, A_TDCR, 0xb);
	wr(2, A_TMICT, 1000000);
	wr(2, A_LVTT, ONESHOT | MASKED | 0x71); /* same mode: keeps counting */
	assert_true(timer_is_active(tmr_of(2)));
	wr(2, A_LVTT, PERIODIC | 0x71);
	assert_false(timer_is_active(tmr_of(2)));
	assert_int_equal(rd(2, A_TMCCT), 0);
	wr(2, A_LVTT, TSC_DEADLINE | 0x72);
	vlapic_set_tsc_deadline(vl, 9000000);
	assert_true(timer_is_active(tmr_of(2)));
	wr(2, A_LVTT, ONESHOT | 0x72);
	assert_false(timer_is_active(tmr_of(2)));
	wr(2, A_LVTT, TSC_DEADLINE | 0x72);
	assert_int_equal(vlapic_get_tsc_deadline(vl), 0); /* the armed value went too */
	assert_false(timer_is_active(tmr_of(2)));
}

static void test_stale_expiry_ignored(void **state)
{
	struct timer *t = tmr_of(3);

	wr(3, A_LVTT, ONESHOT | 0x80);
	wr(3, A_TDCR, 0xb);
	wr(3, A_TMICT, 1000);
	/* taken off the heap, then the guest re-arms before the handler runs */
	harness_now = t->expires;
	t->status = TIMER_STATUS_inactive;
	wr(3, A_TMICT, 5000);
	t->function(t->data);
	assert_false(irr(3, 0x80));
	assert_true(timer_is_active(t));
	assert_int_equal(t->expires, harness_now + 5000);
	/* taken off the heap, then the guest stops it */
	t->status = TIMER_STATUS_inactive;
	wr(3, A_TMICT, 0);
	t->function(t->data);
	assert_false(irr(3, 0x80));
	/* same for TSC-deadline */
	wr(3, A_LVTT, TSC_DEADLINE | 0x80);
	vlapic_set_tsc_deadline(&fake_vl[3], 100000000);
	t->status = TIMER_STATUS_inactive;
	vlapic_set_tsc_deadline(&fake_vl[3], 0);
	t->function(t->data);
	assert_false(irr(3, 0x80));
	assert_int_equal(kicks[3], 0);
}

static void test_reset_and_destroy_stop_timer(void **state)
{
	wr(0, A_LVTT, PERIODIC | 0x90);
	wr(0, A_TMICT, 100000);
	vlapic_reset(&fake_vl[0]);
	assert_false(timer_is_active(tmr_of(0)));
	assert_int_equal(rd(0, A_TMICT), 0);
	wr(0, A_SVR, 0x1ff);
	wr(0, A_LVTT, PERIODIC | 0x90);
	wr(0, A_TMICT, 100000);
	assert_int_equal(vlapic_set_base(&fake_vl[0], 0xfee00000), 0); /* disable */
	assert_false(timer_is_active(tmr_of(0)));
	vlapic_destroy(&fake_vl[1]);
	assert_int_equal(tmr_of(1)->status, TIMER_STATUS_invalid);
	/* fake_teardown destroys again: harmless */
}

static void test_x2apic_timer_msrs(void **state)
{
	to_x2apic(1);
	mwr(1, 0x80f, 0x1ff);
	mwr(1, 0x832, ONESHOT | 0xa0);
	mwr(1, 0x83e, 0x1); /* divide by 4 */
	mwr(1, 0x838, 250);
	assert_int_equal(tmr_of(1)->expires, T0 + 1000);
	harness_now = T0 + 400;
	assert_int_equal(mrd(1, 0x839), 150);
	fire_timer(1, 0);
	assert_true(irr(1, 0xa0));
	assert_int_equal(mrd(1, 0x839), 0);
}

/* ---------------------------------------------------------------- threads */

/* Small: the ticket lock spins, and this machine may have fewer CPUs than
 * threads (a waiter whose turn it is may be off the CPU for a time slice). */
#define THREADS 2
#define ROUNDS 1000

static int threads_done;

static void *raiser(void *arg)
{
	uint8_t vec = (uint8_t)(uintptr_t)arg;

	for (int r = 0; r < ROUNDS; r++) {
		vlapic_set_irq(&fake_vl[0], vec, false);
		sched_yield();
	}
	__atomic_fetch_add(&threads_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Two "pCPUs" raise vectors at vCPU 0 while it takes them: no request is
 * lost (each vector is seen after its last raise) and the locking holds. */
static void test_concurrent_set_irq(void **state)
{
	struct vlapic *vl = &fake_vl[0];
	pthread_t th[THREADS];
	unsigned int seen[THREADS] = { 0 };

	threads_done = 0;
	for (int k = 0; k < THREADS; k++)
		assert_int_equal(pthread_create(&th[k], NULL, raiser, (void *)(uintptr_t)(0x40 + 0x20 * k)), 0);
	for (;;) {
		bool all_done = __atomic_load_n(&threads_done, __ATOMIC_SEQ_CST) == THREADS;
		int vec = vlapic_pending_irq(vl);

		if (vec >= 0) {
			vlapic_ack_irq(vl, (uint8_t)vec);
			seen[(vec - 0x40) / 0x20]++;
			assert_int_equal(vlapic_mmio_write(vl, A_EOI, 0), 0);
		} else if (all_done) {
			break; /* everything raised before all_done was read has been taken */
		} else {
			sched_yield();
		}
	}
	for (int k = 0; k < THREADS; k++) {
		pthread_join(th[k], NULL);
		assert_true(seen[k] >= 1);
	}
	assert_false(vlapic_has_irr(vl));
	assert_int_equal(rd(0, A_ISR + 0x20), 0);
	assert_int_equal(rd(0, A_ISR + 0x30), 0);
	assert_int_equal(__atomic_load_n(&kicks[0], __ATOMIC_SEQ_CST), THREADS * ROUNDS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fake_teardown)
		T(test_oneshot),
		T(test_divisors),
		T(test_periodic_no_drift),
		T(test_periodic_minimum),
		T(test_tmict_zero_stops_and_rewrite_restarts),
		T(test_masked_does_not_raise),
		T(test_tsc_deadline),
		T(test_tsc_deadline_masked),
		T(test_mode_change_disarms),
		T(test_stale_expiry_ignored),
		T(test_reset_and_destroy_stop_timer),
		T(test_x2apic_timer_msrs),
		T(test_concurrent_set_irq),
#undef T
	};
	return cmocka_run_group_tests_name("vlapic_timer", tests, NULL, NULL);
}
