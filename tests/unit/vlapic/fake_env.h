/*
 * A fake domain of four vCPUs for the vLAPIC tests (hvm/vlapic.c): the
 * vlapic_env callbacks record what they were asked to do, and the host timer
 * API (init_timer/set_timer/stop_timer/kill_timer) is stubbed so a test can
 * see a timer's deadline and fire it by hand.
 */
#ifndef VLAPIC_FAKE_ENV_H
#define VLAPIC_FAKE_ENV_H

#include "harness.h"

#include <asm/vlapic.h>
#include <hv/errno.h>

#define NR_FAKE 4

/* Register offsets and MSRs, written out again here so the tests check the
 * numbers rather than share them with the code under test. */
#define A_ID 0x020
#define A_VER 0x030
#define A_TPR 0x080
#define A_APR 0x090
#define A_PPR 0x0a0
#define A_EOI 0x0b0
#define A_LDR 0x0d0
#define A_DFR 0x0e0
#define A_SVR 0x0f0
#define A_ISR 0x100
#define A_TMR 0x180
#define A_IRR 0x200
#define A_ESR 0x280
#define A_CMCI 0x2f0
#define A_ICR 0x300
#define A_ICR2 0x310
#define A_LVTT 0x320
#define A_LVTTHM 0x330
#define A_LVTPC 0x340
#define A_LVT0 0x350
#define A_LVT1 0x360
#define A_LVTERR 0x370
#define A_TMICT 0x380
#define A_TMCCT 0x390
#define A_TDCR 0x3e0
#define MSR(off) (0x800u + ((off) >> 4))
#define MSR_SELF_IPI 0x83fu

#define BASE_BSP (1ULL << 8)
#define BASE_EXTD (1ULL << 10)
#define BASE_EN (1ULL << 11)
#define BASE_XAPIC (0xfee00000ULL | BASE_EN)
#define BASE_X2APIC (BASE_XAPIC | BASE_EXTD)

struct vcpu {
	unsigned int idx;
};

extern struct vcpu fake_vcpu[NR_FAKE];
extern struct vlapic fake_vl[NR_FAKE];
extern const struct vlapic_env fake_env;

/* What the environment was asked to do, per vCPU. */
extern unsigned int kicks[NR_FAKE], nmis[NR_FAKE], inits[NR_FAKE], sipis[NR_FAKE];
extern uint8_t sipi_vector[NR_FAKE];
extern unsigned int set_timer_calls;

/* Create the four vLAPICs with these APIC ids (NULL: 0, 1, 2, 3) at time
 * 'now'; teardown destroys them. */
void fake_setup(const uint32_t *ids, int64_t now);
int fake_teardown(void **state);
int fake_setup_default(void **state);
void fake_clear_counters(void);

/* Register access that must succeed. */
uint32_t rd(int i, uint32_t off);
void wr(int i, uint32_t off, uint32_t val);
uint64_t mrd(int i, uint32_t msr);
void mwr(int i, uint32_t msr, uint64_t val);

bool irr(int i, unsigned int vec);
bool isr(int i, unsigned int vec);
bool tmr(int i, unsigned int vec);
/* vCPUs (bit i) whose IRR holds vec */
unsigned int irr_mask(unsigned int vec);
/* Latch and read the ESR (a write, then a read). */
uint32_t esr(int i);
void sw_enable_all(void);
void to_x2apic(int i);
/* Run the timer's handler as the timer softirq would at its deadline
 * (the timer must be armed); 'late' ns after the deadline. */
void fire_timer(int i, int64_t late);

#endif
