# memory_op's reservation rules (common/memop_check.c): mem_flags, guest frames.
UNIT_TESTS += memop_check
memop_check_SRCS := tests/unit/memop/test_memop.c hypervisor/common/memop_check.c
build/unit/memop_check: hypervisor/include/public/memory.h
