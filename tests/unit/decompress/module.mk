# Unit tests for the decompressors (hypervisor/lib/inflate.c, unxz.c) and the
# bzImage parser (bzimage.c). Compiled like tests/unit/lib/: hv_rename.h
# forced in, no builtins. The tests run the gzip and xz tools for test
# vectors (written to build/unit/decompress-vectors/) and skip those tests
# when a tool is missing; the bzImage test unpacks /boot/vmlinuz-* when
# Debian's linux-image-amd64 is installed and skips otherwise.
DECOMPRESS_UNIT_CFLAGS := -include tests/unit/lib/hv_rename.h -fno-builtin -Itests/unit/lib -Itests/unit/decompress
DECOMPRESS_LIB_SRCS := hypervisor/lib/inflate.c hypervisor/lib/unxz.c hypervisor/lib/bzimage.c \
	hypervisor/lib/vsprintf.c hypervisor/lib/string.c tests/unit/decompress/helpers.c
DECOMPRESS_UNIT_TESTS := decompress_xz decompress_gzip decompress_bzimage
UNIT_TESTS += $(DECOMPRESS_UNIT_TESTS)

decompress_xz_SRCS := tests/unit/decompress/test_unxz.c $(DECOMPRESS_LIB_SRCS)
decompress_gzip_SRCS := tests/unit/decompress/test_inflate.c $(DECOMPRESS_LIB_SRCS)
decompress_bzimage_SRCS := tests/unit/decompress/test_bzimage.c $(DECOMPRESS_LIB_SRCS) hypervisor/lib/elf.c

$(foreach t,$(DECOMPRESS_UNIT_TESTS),$(eval $(t)_CFLAGS := $(DECOMPRESS_UNIT_CFLAGS)))

$(addprefix build/unit/,$(DECOMPRESS_UNIT_TESTS)): tests/unit/decompress/helpers.h tests/unit/lib/hv_rename.h \
	tests/unit/lib/hv_unrename.h

# Not a test: the host benchmark, optimised and without sanitizers.
#   build/unit/decompress_bench /boot/vmlinuz-*   (or any .gz/.xz file)
build/unit/decompress_bench: tests/unit/decompress/bench.c hypervisor/lib/inflate.c hypervisor/lib/unxz.c \
	hypervisor/lib/bzimage.c hypervisor/lib/vsprintf.c hypervisor/lib/string.c $(wildcard hypervisor/include/hv/*.h)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(UNIT_CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -fno-omit-frame-pointer \
		-Ihypervisor/include $(DECOMPRESS_UNIT_CFLAGS) -o $@ $(filter %.c,$^)
