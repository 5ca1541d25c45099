# Page allocator and hypervisor heap (common/page_alloc.c, common/xmalloc.c).
# -fno-builtin: hv/lib.h declares isdigit() and friends as bool, which gcc
# rejects as a mismatch with its builtins unless builtins are off (as they
# are in the hypervisor build).
UNIT_TESTS += mm_page_alloc mm_xmalloc
mm_page_alloc_SRCS := tests/unit/mm/test_page_alloc.c hypervisor/common/page_alloc.c hypervisor/common/spinlock.c
mm_page_alloc_CFLAGS := -fno-builtin
mm_xmalloc_SRCS := tests/unit/mm/test_xmalloc.c hypervisor/common/xmalloc.c hypervisor/common/page_alloc.c \
	hypervisor/common/spinlock.c
mm_xmalloc_CFLAGS := -fno-builtin
