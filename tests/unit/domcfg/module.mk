# Domain configuration parser (hypervisor/common/domcfg.c): functional tests
# and a randomized one. Like the lib/ tests, the hypervisor's string and
# printf functions are renamed (hv_rename.h) so the tests can use the C
# library's next to them.
DOMCFG_UNIT_SRCS := hypervisor/common/domcfg.c hypervisor/lib/vsprintf.c hypervisor/lib/string.c \
	hypervisor/lib/bitmap.c
DOMCFG_UNIT_CFLAGS := -include tests/unit/lib/hv_rename.h -fno-builtin -Itests/unit/lib

UNIT_TESTS += domcfg domcfg_fuzz
domcfg_SRCS := tests/unit/domcfg/test_domcfg.c $(DOMCFG_UNIT_SRCS)
domcfg_CFLAGS := $(DOMCFG_UNIT_CFLAGS)
domcfg_fuzz_SRCS := tests/unit/domcfg/test_domcfg_fuzz.c $(DOMCFG_UNIT_SRCS)
domcfg_fuzz_CFLAGS := $(DOMCFG_UNIT_CFLAGS)

build/unit/domcfg build/unit/domcfg_fuzz: tests/unit/lib/hv_rename.h tests/unit/lib/hv_unrename.h \
	tests/unit/domcfg/domcfg_test.h
