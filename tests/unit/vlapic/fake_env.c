/* The fake environment of the vLAPIC tests: see fake_env.h. */
#include "fake_env.h"

#include <string.h>

struct vcpu fake_vcpu[NR_FAKE];
struct vlapic fake_vl[NR_FAKE];
unsigned int kicks[NR_FAKE], nmis[NR_FAKE], inits[NR_FAKE], sipis[NR_FAKE];
uint8_t sipi_vector[NR_FAKE];
unsigned int set_timer_calls;

/* ---------------------------------------------------------------- timer stubs */

void init_timer(struct timer *t, void (*fn)(void *), void *data, unsigned int cpu)
{
	memset(t, 0, sizeof(*t));
	t->function = fn;
	t->data = data;
	t->cpu = (uint16_t)cpu;
	t->status = TIMER_STATUS_inactive;
}

void set_timer(struct timer *t, s_time_t expires)
{
	assert_int_not_equal(t->status, TIMER_STATUS_invalid);
	t->expires = expires;
	t->status = TIMER_STATUS_in_heap;
	set_timer_calls++;
}

void stop_timer(struct timer *t)
{
	if (t->status == TIMER_STATUS_in_heap)
		t->status = TIMER_STATUS_inactive;
}

void kill_timer(struct timer *t)
{
	t->status = TIMER_STATUS_invalid;
}

bool timer_is_active(const struct timer *t)
{
	return t->status == TIMER_STATUS_in_heap;
}

void fire_timer(int i, int64_t late)
{
	struct timer *t = &fake_vl[i].timer;

	assert_int_equal(t->status, TIMER_STATUS_in_heap);
	harness_now = t->expires + late;
	t->status = TIMER_STATUS_inactive; /* taken off the heap */
	t->function(t->data);
}

/* ---------------------------------------------------------------- environment */

static s_time_t env_now(void)
{
	return harness_now;
}

static uint64_t env_guest_tsc(struct vcpu *v)
{
	return (uint64_t)harness_now * 2;
}

static s_time_t env_tsc_to_time(struct vcpu *v, uint64_t tsc)
{
	return (s_time_t)(tsc / 2); /* a 2 GHz TSC */
}

static uint64_t env_tsc_khz(void)
{
	return 2000000;
}

static void env_kick(struct vcpu *v)
{
	__atomic_fetch_add(&kicks[v->idx], 1, __ATOMIC_SEQ_CST); /* also called from threads */
}

static struct vlapic *env_lookup(struct vcpu *from, uint32_t apic_id)
{
	for (int i = 0; i < NR_FAKE; i++)
		if (fake_vl[i].apic_id == apic_id)
			return &fake_vl[i];
	return NULL;
}

static void env_for_each(struct vcpu *from, void (*fn)(struct vlapic *, void *), void *arg)
{
	for (int i = 0; i < NR_FAKE; i++)
		fn(&fake_vl[i], arg);
}

static void env_init_ipi(struct vcpu *v)
{
	inits[v->idx]++;
}

static void env_sipi(struct vcpu *v, uint8_t vector)
{
	sipis[v->idx]++;
	sipi_vector[v->idx] = vector;
}

static void env_nmi(struct vcpu *v)
{
	nmis[v->idx]++;
}

static unsigned int env_vcpu_cpu(struct vcpu *v)
{
	return v->idx + 4;
}

const struct vlapic_env fake_env = {
	.now = env_now,
	.guest_tsc = env_guest_tsc,
	.tsc_to_time = env_tsc_to_time,
	.tsc_khz = env_tsc_khz,
	.kick = env_kick,
	.lookup = env_lookup,
	.for_each = env_for_each,
	.init_ipi = env_init_ipi,
	.sipi = env_sipi,
	.nmi = env_nmi,
	.vcpu_cpu = env_vcpu_cpu,
};

void fake_clear_counters(void)
{
	memset(kicks, 0, sizeof(kicks));
	memset(nmis, 0, sizeof(nmis));
	memset(inits, 0, sizeof(inits));
	memset(sipis, 0, sizeof(sipis));
	memset(sipi_vector, 0, sizeof(sipi_vector));
	set_timer_calls = 0;
}

void fake_setup(const uint32_t *ids, int64_t now)
{
	harness_now = now;
	harness_log_clear();
	memset(fake_vl, 0xa5, sizeof(fake_vl)); /* vlapic_init must not rely on zeroed memory */
	for (int i = 0; i < NR_FAKE; i++) {
		fake_vcpu[i].idx = (unsigned int)i;
		vlapic_init(&fake_vl[i], &fake_vcpu[i], ids ? ids[i] : (uint32_t)i, &fake_env);
	}
	fake_clear_counters();
}

int fake_setup_default(void **state)
{
	(void)state;
	fake_setup(NULL, 1000);
	return 0;
}

int fake_teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NR_FAKE; i++)
		vlapic_destroy(&fake_vl[i]);
	return 0;
}

/* ---------------------------------------------------------------- helpers */

uint32_t rd(int i, uint32_t off)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(vlapic_mmio_read(&fake_vl[i], off, &v), 0);
	return v;
}

void wr(int i, uint32_t off, uint32_t val)
{
	assert_int_equal(vlapic_mmio_write(&fake_vl[i], off, val), 0);
}

uint64_t mrd(int i, uint32_t msr)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(vlapic_msr_read(&fake_vl[i], msr, &v), 0);
	return v;
}

void mwr(int i, uint32_t msr, uint64_t val)
{
	assert_int_equal(vlapic_msr_write(&fake_vl[i], msr, val), 0);
}

static bool bit_in(int i, uint32_t base, unsigned int vec)
{
	return fake_vl[i].regs[base / 4 + (vec / 32) * 4] & (1u << (vec % 32));
}

bool irr(int i, unsigned int vec)
{
	return bit_in(i, A_IRR, vec);
}

bool isr(int i, unsigned int vec)
{
	return bit_in(i, A_ISR, vec);
}

bool tmr(int i, unsigned int vec)
{
	return bit_in(i, A_TMR, vec);
}

unsigned int irr_mask(unsigned int vec)
{
	unsigned int m = 0;

	for (int i = 0; i < NR_FAKE; i++)
		if (irr(i, vec))
			m |= 1u << i;
	return m;
}

uint32_t esr(int i)
{
	if (vlapic_x2apic_mode(&fake_vl[i])) {
		mwr(i, MSR(A_ESR), 0);
		return (uint32_t)mrd(i, MSR(A_ESR));
	}
	wr(i, A_ESR, 0);
	return rd(i, A_ESR);
}

void sw_enable_all(void)
{
	for (int i = 0; i < NR_FAKE; i++)
		wr(i, A_SVR, 0x1ff);
}

void to_x2apic(int i)
{
	assert_int_equal(vlapic_set_base(&fake_vl[i], vlapic_get_base(&fake_vl[i]) | BASE_EXTD), 0);
	assert_true(vlapic_x2apic_mode(&fake_vl[i]));
}
