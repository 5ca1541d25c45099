/*
 * Ticket spinlocks and writer-preferring reader/writer locks.
 *
 * Pure code on the compiler's atomics: it runs unchanged in the host harness.
 */
#include <hv/percpu.h>
#include <hv/spinlock.h>

static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

void spin_lock_init(spinlock_t *l)
{
	*l = (spinlock_t)SPIN_LOCK_UNLOCKED;
}

void spin_lock(spinlock_t *l)
{
	uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		cpu_relax();
	l->cpu = (int16_t)smp_processor_id();
}

bool spin_trylock(spinlock_t *l)
{
	uint16_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint16_t expect = owner;

	/* free means next == owner: take ticket 'owner' if nobody else did */
	if (!__atomic_compare_exchange_n(&l->next, &expect, (uint16_t)(owner + 1), false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return false;
	l->cpu = (int16_t)smp_processor_id();
	return true;
}

void spin_unlock(spinlock_t *l)
{
	l->cpu = -1;
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

bool spin_is_locked(const spinlock_t *l)
{
	return __atomic_load_n(&l->next, __ATOMIC_RELAXED) != __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
}

unsigned long spin_lock_irqsave(spinlock_t *l)
{
	unsigned long flags = local_irq_save();

	spin_lock(l);
	return flags;
}

void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	spin_unlock(l);
	local_irq_restore(flags);
}

#define RW_WRITER 0x80000000u
#define RW_WAITING 0x40000000u
#define RW_READERS 0x3fffffffu

void rwlock_init(rwlock_t *l)
{
	l->cnt = 0;
}

bool read_trylock(rwlock_t *l)
{
	uint32_t v = __atomic_load_n(&l->cnt, __ATOMIC_RELAXED);

	if (v & (RW_WRITER | RW_WAITING))
		return false;
	return __atomic_compare_exchange_n(&l->cnt, &v, v + 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void read_lock(rwlock_t *l)
{
	while (!read_trylock(l))
		cpu_relax();
}

void read_unlock(rwlock_t *l)
{
	__atomic_fetch_sub(&l->cnt, 1, __ATOMIC_RELEASE);
}

bool write_trylock(rwlock_t *l)
{
	uint32_t v = __atomic_load_n(&l->cnt, __ATOMIC_RELAXED);

	if (v & (RW_WRITER | RW_READERS))
		return false;
	return __atomic_compare_exchange_n(&l->cnt, &v, RW_WRITER, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void write_lock(rwlock_t *l)
{
	for (;;) {
		uint32_t v = __atomic_load_n(&l->cnt, __ATOMIC_RELAXED);

		if (!(v & (RW_WRITER | RW_READERS))) {
			/* free (maybe with our or another writer's WAITING bit) */
			if (__atomic_compare_exchange_n(&l->cnt, &v, RW_WRITER, false, __ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED))
				return;
			continue;
		}
		/* hold off new readers until we are in */
		if (!(v & RW_WAITING))
			__atomic_fetch_or(&l->cnt, RW_WAITING, __ATOMIC_RELAXED);
		cpu_relax();
	}
}

void write_unlock(rwlock_t *l)
{
	__atomic_fetch_and(&l->cnt, ~RW_WRITER, __ATOMIC_RELEASE);
}
