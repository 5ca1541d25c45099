/*
 * Softirqs: per-CPU deferred work run with interrupts enabled, at the end of
 * an interrupt that raised it or in the idle loop. A softirq raised on
 * another CPU kicks that CPU with an IPI.
 */
#ifndef HV_SOFTIRQ_H
#define HV_SOFTIRQ_H

enum { TIMER_SOFTIRQ = 0, CALL_FUNCTION_SOFTIRQ, SCHEDULE_SOFTIRQ, CONSOLE_SOFTIRQ, NR_SOFTIRQS };

typedef void (*softirq_handler)(void);
void open_softirq(unsigned int nr, softirq_handler h);
void raise_softirq(unsigned int nr);			   /* this CPU */
void cpu_raise_softirq(unsigned int cpu, unsigned int nr); /* any CPU */
void process_pending_softirqs(void);
bool softirq_pending(unsigned int cpu);

#endif
