# Page allocator and hypervisor heap (common/page_alloc.c, common/xmalloc.c).
UNIT_TESTS += mm_page_alloc mm_xmalloc
mm_page_alloc_SRCS := tests/unit/mm/test_page_alloc.c hypervisor/common/page_alloc.c hypervisor/common/spinlock.c
mm_xmalloc_SRCS := tests/unit/mm/test_xmalloc.c hypervisor/common/xmalloc.c hypervisor/common/page_alloc.c \
	hypervisor/common/spinlock.c
