# The timer heap (common/timer_heap.c).
UNIT_TESTS += timer_heap
timer_heap_SRCS := tests/unit/timer/test_timer_heap.c hypervisor/common/timer_heap.c
