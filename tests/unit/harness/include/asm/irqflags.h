/* Host harness: there are no interrupts; the flag is only tracked. */
#ifndef ASM_IRQFLAGS_H
#define ASM_IRQFLAGS_H

extern int harness_irq_enabled;
static inline unsigned long local_irq_save(void)
{
	unsigned long f = (unsigned long)harness_irq_enabled;
	harness_irq_enabled = 0;
	return f;
}
static inline void local_irq_restore(unsigned long f)
{
	harness_irq_enabled = (int)f;
}
static inline void local_irq_disable(void)
{
	harness_irq_enabled = 0;
}
static inline void local_irq_enable(void)
{
	harness_irq_enabled = 1;
}
static inline int local_irq_is_enabled(void)
{
	return harness_irq_enabled;
}

#endif
