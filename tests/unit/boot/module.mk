UNIT_TESTS += boot_memmap
boot_memmap_SRCS := tests/unit/boot/test_memmap.c hypervisor/common/memmap.c hypervisor/lib/sort.c
