# Grant tables (common/grant_table.c) in a fake hypervisor (fake_env.c):
# domains with RAM frames, a p2m for grant mappings, guest pointers.
UNIT_TESTS += gnttab_ops
gnttab_ops_SRCS := tests/unit/gnttab/test_gnttab.c tests/unit/gnttab/fake_env.c hypervisor/common/grant_table.c \
	hypervisor/common/spinlock.c
gnttab_ops_CFLAGS := -Itests/unit/gnttab -pthread
build/unit/gnttab_ops: tests/unit/gnttab/fake_env.h hypervisor/include/public/grant_table.h
