UNIT_TESTS += boot_memmap
boot_memmap_SRCS := tests/unit/boot/test_memmap.c hypervisor/common/memmap.c hypervisor/lib/sort.c
UNIT_TESTS += boot_multiboot
boot_multiboot_SRCS := tests/unit/boot/test_multiboot.c hypervisor/arch/x86/multiboot.c hypervisor/common/memmap.c \
	hypervisor/lib/sort.c
