/* The local APIC (arch/x86/apic.c): xAPIC (MMIO) or x2APIC (MSRs). */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <hv/types.h>

struct cpu_user_regs;
typedef void (*irq_handler_t)(struct cpu_user_regs *regs);
void set_irq_handler(unsigned int vector, irq_handler_t h);
void do_nmi(struct cpu_user_regs *regs);

/* Vectors the hypervisor uses (0xf0 and up: highest priority class). */
#define LOCAL_TIMER_VECTOR 0xf9
#define EVENT_CHECK_VECTOR 0xfa
#define CALL_FUNCTION_VECTOR 0xfb
#define ERROR_APIC_VECTOR 0xfe
#define SPURIOUS_APIC_VECTOR 0xff

#define APIC_ID 0x20
#define APIC_LVR 0x30
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_LDR 0xd0
#define APIC_DFR 0xe0
#define APIC_SVR 0xf0
#define APIC_ESR 0x280
#define APIC_ICR 0x300
#define APIC_ICR2 0x310
#define APIC_LVTT 0x320
#define APIC_LVTTHMR 0x330
#define APIC_LVTPC 0x340
#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_LVTERR 0x370
#define APIC_TMICT 0x380
#define APIC_TMCCT 0x390
#define APIC_TDCR 0x3e0

#define APIC_LVT_MASKED (1u << 16)
#define APIC_TIMER_ONESHOT (0u << 17)
#define APIC_TIMER_PERIODIC (1u << 17)
#define APIC_TIMER_TSC_DEADLINE (2u << 17)

#define APIC_DM_FIXED 0x000
#define APIC_DM_NMI 0x400
#define APIC_DM_INIT 0x500
#define APIC_DM_STARTUP 0x600
#define APIC_ICR_BUSY 0x1000
#define APIC_INT_ASSERT 0x4000
#define APIC_INT_LEVELTRIG 0x8000
#define APIC_DEST_SELF 0x40000
#define APIC_DEST_ALLBUT 0xc0000

extern paddr_t lapic_phys_base;
extern bool x2apic_enabled;

uint32_t apic_read(uint32_t reg);
void apic_write(uint32_t reg, uint32_t v);
void ack_APIC_irq(void);
uint32_t get_apic_id(void);
void apic_init_bsp(void);
void apic_init_ap(void);
/* Send to one APIC id: fixed vector, or mode APIC_DM_INIT/STARTUP/NMI. */
void apic_send_ipi(uint32_t apic_id, uint32_t mode_vector);
void apic_send_nmi_allbutself(void);
void apic_timer_calibrate(void); /* after the TSC is calibrated */

#endif
