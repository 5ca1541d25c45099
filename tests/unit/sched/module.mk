# The credit scheduler (common/sched/credit.c, unchanged) in a discrete-event
# simulator (sim.c) with simulated pCPUs, timers and CPU- and I/O-bound vCPUs.
UNIT_TESTS += sched_credit
SCHED_SIM_SRCS := tests/unit/sched/sim.c hypervisor/common/sched/credit.c hypervisor/lib/bitmap.c
sched_credit_SRCS := tests/unit/sched/test_sched_credit.c $(SCHED_SIM_SRCS)
sched_credit_CFLAGS := -Itests/unit/sched
build/unit/sched_credit: tests/unit/sched/sim.h
