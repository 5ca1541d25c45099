# PVH start-of-day data (hypervisor/arch/x86/hvm/pvh_info.c): what is built
# is read back with the hypervisor's own ACPI parser (drivers/acpi/), so both
# are compiled in, with the hypervisor's string and printf functions renamed
# as in the lib/ tests.
PVH_UNIT_SRCS := hypervisor/arch/x86/hvm/pvh_info.c $(sort $(wildcard hypervisor/drivers/acpi/*.c)) \
	hypervisor/lib/vsprintf.c hypervisor/lib/string.c

UNIT_TESTS += pvh_info
pvh_info_SRCS := tests/unit/pvh/test_pvh_info.c $(PVH_UNIT_SRCS)
pvh_info_CFLAGS := -include tests/unit/lib/hv_rename.h -fno-builtin -Itests/unit/lib -Ihypervisor/arch/x86/include

build/unit/pvh_info: tests/unit/lib/hv_rename.h tests/unit/lib/hv_unrename.h \
	hypervisor/arch/x86/include/asm/pvh_info.h $(wildcard hypervisor/include/public/*.h hypervisor/drivers/acpi/*.h)
