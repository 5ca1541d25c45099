#ifndef ASM_IRQFLAGS_H
#define ASM_IRQFLAGS_H

#define X86_EFLAGS_IF 0x200UL

static inline unsigned long local_save_flags(void)
{
	unsigned long f;
	__asm__ __volatile__("pushf; pop %0" : "=r"(f)::"memory");
	return f;
}
static inline void local_irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}
static inline void local_irq_enable(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}
static inline unsigned long local_irq_save(void)
{
	unsigned long f = local_save_flags();
	local_irq_disable();
	return f;
}
static inline void local_irq_restore(unsigned long f)
{
	if (f & X86_EFLAGS_IF)
		local_irq_enable();
}
static inline int local_irq_is_enabled(void)
{
	return !!(local_save_flags() & X86_EFLAGS_IF);
}

#endif
