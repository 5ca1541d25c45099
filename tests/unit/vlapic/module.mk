# The virtual local APIC (arch/x86/hvm/vlapic.c) in a fake four-vCPU domain;
# the host timer API is stubbed in fake_env.c.
UNIT_TESTS += vlapic_regs vlapic_ipi vlapic_timer
VLAPIC_UNIT_SRCS := tests/unit/vlapic/fake_env.c hypervisor/arch/x86/hvm/vlapic.c hypervisor/common/spinlock.c
vlapic_regs_SRCS := tests/unit/vlapic/test_vlapic_regs.c $(VLAPIC_UNIT_SRCS)
vlapic_ipi_SRCS := tests/unit/vlapic/test_vlapic_ipi.c $(VLAPIC_UNIT_SRCS)
vlapic_timer_SRCS := tests/unit/vlapic/test_vlapic_timer.c $(VLAPIC_UNIT_SRCS)
# asm/vlapic.h lives with the arch headers; the harness's asm/ comes first.
VLAPIC_UNIT_CFLAGS := -Ihypervisor/arch/x86/include -Itests/unit/vlapic
vlapic_regs_CFLAGS := $(VLAPIC_UNIT_CFLAGS)
vlapic_ipi_CFLAGS := $(VLAPIC_UNIT_CFLAGS)
vlapic_timer_CFLAGS := $(VLAPIC_UNIT_CFLAGS) -pthread
build/unit/vlapic_regs build/unit/vlapic_ipi build/unit/vlapic_timer: tests/unit/vlapic/fake_env.h \
	hypervisor/arch/x86/include/asm/vlapic.h
