# The credit scheduler (common/sched/credit.c, unchanged) in a discrete-event
# simulator (sim.c) with simulated pCPUs, timers and CPU- and I/O-bound vCPUs.
UNIT_TESTS += sched_credit
SCHED_SIM_SRCS := tests/unit/sched/sim.c hypervisor/common/sched/credit.c hypervisor/lib/bitmap.c
sched_credit_SRCS := tests/unit/sched/test_sched_credit.c $(SCHED_SIM_SRCS)
sched_credit_CFLAGS := -Itests/unit/sched
build/unit/sched_credit: tests/unit/sched/sim.h

# The simulator benchmark (make bench; bench/sched.py): optimised, no sanitizers.
build/bench/sched_sim: tests/unit/sched/bench_sched.c $(SCHED_SIM_SRCS) tests/unit/sched/sim.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(UNIT_CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -Itests/unit/harness/include \
		-Ihypervisor/include -Itests/unit/sched -o $@ $(filter %.c,$^) -lm
