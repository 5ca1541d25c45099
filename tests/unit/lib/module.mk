# Unit tests for hypervisor/lib/: one binary per module. The hypervisor files
# are compiled with hv_rename.h forced in (their memcpy, snprintf, ... become
# hv_memcpy, hv_snprintf, ...) and without builtins, so the tests exercise our
# code and can compare it with the C library's.
LIB_UNIT_CFLAGS := -include tests/unit/lib/hv_rename.h -fno-builtin -Itests/unit/lib
LIB_UNIT_TESTS := lib_string lib_vsprintf lib_strtol lib_sort lib_bitmap lib_cmdline lib_elf
UNIT_TESTS += $(LIB_UNIT_TESTS)

lib_string_SRCS := tests/unit/lib/test_string.c hypervisor/lib/string.c
lib_vsprintf_SRCS := tests/unit/lib/test_vsprintf.c hypervisor/lib/vsprintf.c hypervisor/lib/string.c
lib_strtol_SRCS := tests/unit/lib/test_strtol.c hypervisor/lib/strtol.c
lib_sort_SRCS := tests/unit/lib/test_sort.c hypervisor/lib/sort.c
lib_bitmap_SRCS := tests/unit/lib/test_bitmap.c hypervisor/lib/bitmap.c hypervisor/lib/vsprintf.c \
	hypervisor/lib/string.c
lib_cmdline_SRCS := tests/unit/lib/test_cmdline.c hypervisor/lib/cmdline.c hypervisor/lib/strtol.c \
	hypervisor/lib/vsprintf.c hypervisor/lib/string.c
lib_elf_SRCS := tests/unit/lib/test_elf.c hypervisor/lib/elf.c hypervisor/lib/vsprintf.c hypervisor/lib/string.c

$(foreach t,$(LIB_UNIT_TESTS),$(eval $(t)_CFLAGS := $(LIB_UNIT_CFLAGS)))

# Headers the generic rule does not know about.
$(addprefix build/unit/,$(LIB_UNIT_TESTS)): tests/unit/lib/hv_rename.h tests/unit/lib/hv_unrename.h \
	hypervisor/lib/internal.h
