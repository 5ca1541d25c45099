/*
 * Per-CPU software timers (common/timer.c). Each pCPU keeps its active timers
 * in a binary min-heap ordered by expiry; the hardware timer (LAPIC) is
 * programmed for the earliest. Handlers run from TIMER_SOFTIRQ on the timer's
 * CPU with interrupts enabled, never concurrently with themselves.
 *
 * Lock order: a CPU's timer lock is taken alone, except that migrate_timer
 * holds two (the lower CPU's first); handlers run unlocked.
 */
#ifndef HV_TIMER_H
#define HV_TIMER_H

#include <hv/types.h>

struct timer {
	s_time_t expires;
	void (*function)(void *data);
	void *data;
	uint16_t cpu;
	uint8_t status; /* TIMER_STATUS_* */
	uint8_t pad;
	unsigned int heap_offset; /* index in the CPU's heap while active */
};

#define TIMER_STATUS_invalid 0	/* not initialised, or killed */
#define TIMER_STATUS_inactive 1 /* initialised, not queued */
#define TIMER_STATUS_in_heap 2	/* queued */

void init_timer(struct timer *t, void (*fn)(void *), void *data, unsigned int cpu);
void set_timer(struct timer *t, s_time_t expires); /* (re)arm; in the past = soon */
void stop_timer(struct timer *t);
void migrate_timer(struct timer *t, unsigned int new_cpu);
void kill_timer(struct timer *t); /* stop for good; waits if running elsewhere */
bool timer_is_active(const struct timer *t);
void timer_init(void);		       /* boot CPU: register the softirq */
void timer_cpu_init(unsigned int cpu); /* per CPU, before it takes interrupts */
void timer_dump(void);

/* The timer heap itself: pure, unit-tested (common/timer_heap.c). The
 * entries are heap[1..size] (1-based, heap[0] unused), so the array has
 * limit + 1 slots; a timer's heap_offset is its index, 0 when not queued. */
struct timer_heap {
	struct timer **heap;
	unsigned int size;  /* entries in use */
	unsigned int limit; /* capacity in entries */
};
/* 0, or -XEN_ENOSPC if full (caller grows it). */
int timer_heap_add(struct timer_heap *h, struct timer *t);
void timer_heap_remove(struct timer_heap *h, struct timer *t);
struct timer *timer_heap_peek(const struct timer_heap *h);

/* Arch hook: program the hardware timer of this CPU to fire at 'deadline'
 * (0 = stop). Returns false if the deadline has already passed. */
bool reprogram_timer(s_time_t deadline);

#endif
