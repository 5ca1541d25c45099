# Event channels (common/event_channel.c) in a fake hypervisor (fake_env.c)
# with simulated guests for the 2-level and FIFO ABIs.
UNIT_TESTS += evtchn_ops evtchn_delivery
EVTCHN_UNIT_SRCS := tests/unit/evtchn/fake_env.c hypervisor/common/event_channel.c hypervisor/common/spinlock.c
evtchn_ops_SRCS := tests/unit/evtchn/test_evtchn_ops.c $(EVTCHN_UNIT_SRCS)
evtchn_delivery_SRCS := tests/unit/evtchn/test_evtchn_delivery.c $(EVTCHN_UNIT_SRCS)
evtchn_ops_CFLAGS := -Itests/unit/evtchn
evtchn_delivery_CFLAGS := -Itests/unit/evtchn -pthread
build/unit/evtchn_ops build/unit/evtchn_delivery: tests/unit/evtchn/fake_env.h \
	hypervisor/include/public/event_channel.h hypervisor/include/public/xen.h
