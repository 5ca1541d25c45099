/*
 * Spinlocks (ticket locks: FIFO fair) and reader/writer locks. Built on the
 * compiler's __atomic builtins so the same code runs in the host harness.
 * The _irqsave variants also disable interrupts (local_irq_save()).
 */
#ifndef HV_SPINLOCK_H
#define HV_SPINLOCK_H

#include <hv/types.h>
#include <asm/irqflags.h>

typedef struct {
	uint16_t next;	/* ticket handed to the next arrival */
	uint16_t owner; /* ticket currently holding the lock */
	int16_t cpu;	/* holder, for debugging; -1 when free */
} spinlock_t;

#define SPIN_LOCK_UNLOCKED \
	{                  \
		0, 0, -1   \
	}
#define DEFINE_SPINLOCK(l) spinlock_t l = SPIN_LOCK_UNLOCKED

void spin_lock_init(spinlock_t *l);
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
bool spin_trylock(spinlock_t *l);
bool spin_is_locked(const spinlock_t *l);
unsigned long spin_lock_irqsave(spinlock_t *l);
void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags);

/* Writer-preferring reader/writer lock. */
typedef struct {
	uint32_t cnt; /* bit 31: writer holds; bit 30: writer waiting; low bits: readers */
} rwlock_t;
#define RW_LOCK_UNLOCKED \
	{                \
		0        \
	}
#define DEFINE_RWLOCK(l) rwlock_t l = RW_LOCK_UNLOCKED
void rwlock_init(rwlock_t *l);
void read_lock(rwlock_t *l);
void read_unlock(rwlock_t *l);
void write_lock(rwlock_t *l);
void write_unlock(rwlock_t *l);
bool read_trylock(rwlock_t *l);
bool write_trylock(rwlock_t *l);

#endif
