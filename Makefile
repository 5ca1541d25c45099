# Basalt: top-level build. See README.md; `make help` lists the targets.
.DEFAULT_GOAL := all
.SUFFIXES:

CC ?= gcc
ifeq ($(origin CC),default)
CC := gcc
endif
LD := ld
OBJCOPY := objcopy
NM := nm
PYTHON ?= python3

# TEST_BUILD=1 adds hypervisor/test/ (deliberate crashes for the tests);
# `make test-image` builds it into build/test/.
O := build
ifneq ($(CC),gcc)
O := build/$(notdir $(CC))
endif
ifeq ($(TEST_BUILD),1)
O := $(O)/test
endif

# ---------------------------------------------------------------- hypervisor
HV_CFLAGS := -std=gnu11 -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie \
	-m64 -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-avx -mgeneral-regs-only \
	-mcmodel=small -fno-stack-protector -fno-omit-frame-pointer -fno-optimize-sibling-calls \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -fno-common \
	-O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wstrict-prototypes -Wmissing-prototypes -Wvla \
	-Ihypervisor/include -Ihypervisor/arch/x86/include -MMD -MP
ifeq ($(notdir $(CC)),clang)
HV_CFLAGS += -Wno-gnu-variable-sized-type-not-at-end
endif
HV_ASFLAGS := -m64 -fno-pic -Ihypervisor/include -Ihypervisor/arch/x86/include -MMD -MP -D__ASSEMBLY__
HV_CFLAGS += $(EXTRA_CFLAGS)

HV_SRCS := $(sort $(wildcard hypervisor/lib/*.c hypervisor/common/*.c hypervisor/common/sched/*.c \
	hypervisor/drivers/*/*.c hypervisor/arch/x86/*.c hypervisor/arch/x86/boot/*.c \
	hypervisor/arch/x86/hvm/*.c hypervisor/arch/x86/hvm/svm/*.c))
ifeq ($(TEST_BUILD),1)
HV_SRCS += $(sort $(wildcard hypervisor/test/*.c))
endif
HV_ASMS := $(sort $(wildcard hypervisor/arch/x86/*.S hypervisor/arch/x86/boot/*.S hypervisor/arch/x86/hvm/svm/*.S))
HV_OBJS := $(patsubst %.c,$(O)/%.o,$(HV_SRCS)) $(patsubst %.S,$(O)/%.o,$(HV_ASMS))
LDS := hypervisor/arch/x86/basalt.lds
HV_LDFLAGS := -nostdlib -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments -T $(LDS)

$(O)/%.o: %.c Makefile
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) -c -o $@ $<

$(O)/%.o: %.S Makefile
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(CC) $(HV_ASFLAGS) -c -o $@ $<

# Two links: the symbol table (for stack traces) goes after all code and data
# except .bss, so its size cannot move any function. The first link has an
# empty table; the second carries the table generated from the first.
$(O)/syms0.o: scripts/mksyms.sh
	@mkdir -p $(@D)
	scripts/mksyms.sh $(NM) - > $(O)/syms0.S
	$(CC) $(HV_ASFLAGS) -c -o $@ $(O)/syms0.S

$(O)/basalt-pass1.elf: $(HV_OBJS) $(O)/syms0.o $(LDS)
	@echo "  LD      $@"
	@$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(O)/syms0.o

$(O)/syms.o: $(O)/basalt-pass1.elf scripts/mksyms.sh
	scripts/mksyms.sh $(NM) $< > $(O)/syms.S
	$(CC) $(HV_ASFLAGS) -c -o $@ $(O)/syms.S

# basalt-syms.elf: the 64-bit image with debug info (gdb, addr2line).
# basalt.elf: the same image as ELF32, which QEMU's -kernel (multiboot1) and
# GRUB (multiboot2) both load; every address in it is below 4 GiB.
$(O)/basalt-syms.elf: $(HV_OBJS) $(O)/syms.o $(LDS)
	@echo "  LD      $@"
	@$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(O)/syms.o
	scripts/check-image.sh $(NM) $(O)/basalt-pass1.elf $@

$(O)/basalt.elf: $(O)/basalt-syms.elf
	$(OBJCOPY) -O elf32-i386 --strip-debug $< $@

$(O)/basalt.gz: $(O)/basalt.elf
	gzip -9 -n -c $< > $@

-include $(HV_OBJS:.o=.d)

.PHONY: test-image
test-image:
	@$(MAKE) --no-print-directory TEST_BUILD=1 build/test/basalt.elf

.PHONY: all
all: $(O)/basalt.elf $(O)/basalt.gz

# ---------------------------------------------------------------- unit tests
UNIT_CC ?= gcc
UNIT_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-Itests/unit/harness/include -Ihypervisor/include -Itests/unit/harness
UNIT_TESTS :=
include $(sort $(wildcard tests/unit/*/module.mk))

build/unit/harness.o: tests/unit/harness/harness.c tests/unit/harness/harness.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(UNIT_CC) $(UNIT_CFLAGS) -c -o $@ $<

# Each module.mk adds NAME to UNIT_TESTS and sets NAME_SRCS (test and
# hypervisor sources) and optionally NAME_CFLAGS.
define unit_rule
build/unit/$(1): $$($(1)_SRCS) build/unit/harness.o $$(wildcard hypervisor/include/hv/*.h tests/unit/harness/include/asm/*.h)
	@mkdir -p $$(@D)
	@echo "  HOSTCC  $$@"
	@$$(UNIT_CC) $$(UNIT_CFLAGS) $$($(1)_CFLAGS) -o $$@ $$($(1)_SRCS) build/unit/harness.o -lcmocka
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

.PHONY: unit
unit: deps-test $(addprefix build/unit/,$(UNIT_TESTS))
	tests/unit/run.sh $(addprefix build/unit/,$(UNIT_TESTS))

# ---------------------------------------------------------------- QEMU, ISO, bench
ISO_CMDLINE := console=com1 com1=115200,8n1

.PHONY: run
run: all linux
	scripts/run.sh

build/basalt.iso: build/basalt.elf scripts/mkiso.sh
	scripts/mkiso.sh $@ build/basalt.elf $(ISO_CMDLINE)

build/test/selftest.iso: build/basalt.elf scripts/mkiso.sh
	scripts/mkiso.sh $@ build/basalt.elf selftest test-exit=0xf4

.PHONY: iso
iso: build/basalt.iso

.PHONY: qemu-test
qemu-test: deps-test all test-image build/test/selftest.iso guests
	@$(MAKE) --no-print-directory CC=clang all
	$(PYTHON) tests/qemu/run.py

.PHONY: test
test: deps-test
	@rc=0; \
	$(MAKE) --no-print-directory unit || rc=1; \
	$(MAKE) --no-print-directory qemu-test || rc=1; \
	$(MAKE) --no-print-directory guests-basalt || rc=1; \
	$(MAKE) --no-print-directory linux-test || rc=1; \
	if [ $$rc -ne 0 ]; then echo "make test: FAILED (see above)"; fi; \
	exit $$rc

.PHONY: check
check:
	scripts/check.sh

.PHONY: bench
bench: deps-test all guests build/bench/sched_sim linux
	$(PYTHON) bench/boot.py
	$(PYTHON) bench/exits.py
	$(PYTHON) bench/gnttab.py
	$(PYTHON) bench/sched.py
	$(PYTHON) bench/linux.py
	$(PYTHON) bench/evtchn.py

# ---------------------------------------------------------------- test guests
# tests/guests/: tiny PVH guests, one feature each (build/guests/*.elf).
# guests-qemu boots them directly under QEMU (what runs without Xen);
# guests-basalt boots them as Basalt domains through scripts/run-guest.
.PHONY: guests guests-qemu guests-basalt
guests:
	@$(MAKE) --no-print-directory -C tests/guests
guests-qemu: deps-test
	@$(MAKE) --no-print-directory -C tests/guests qemu
guests-basalt: deps-test all
	@$(MAKE) --no-print-directory -C tests/guests basalt

# ---------------------------------------------------------------- Linux
# Debian's stock kernel + a busybox initramfs (scripts/mklinux.sh, from
# Debian packages only) booted as PVH domains: tests/linux/run.py.
LINUX_IMAGES := build/linux/vmlinuz build/linux/initramfs.cpio.gz
.PHONY: linux linux-test
linux: $(LINUX_IMAGES)
$(LINUX_IMAGES) &: scripts/mklinux.sh tests/linux/init tests/linux/cpuloop.c
	@scripts/deps.sh linux
	scripts/mklinux.sh build/linux
linux-test: deps-test all linux
	$(PYTHON) tests/linux/run.py

# ---------------------------------------------------------------- the rest
.PHONY: deps deps-test
deps:
	scripts/deps.sh all
deps-test:
	@scripts/deps.sh test

.PHONY: clean
clean:
	rm -rf build

.PHONY: help
help:
	@echo "make            build build/basalt.elf (and basalt.gz); CC=clang for clang"
	@echo "make run        boot Basalt in QEMU with its console on this terminal"
	@echo "make test       every test: unit, QEMU boot tests, GRUB ISO"
	@echo "make unit       host unit tests only (cmocka, ASan, UBSan)"
	@echo "make qemu-test  QEMU boot tests only"
	@echo "make linux      build/linux/: Debian's kernel and a busybox initramfs"
	@echo "make linux-test Linux guests under Basalt (tests/linux/run.py)"
	@echo "make iso        build/basalt.iso, a GRUB rescue ISO (multiboot2)"
	@echo "make guests     build the test guests (build/guests/*.elf); guests-qemu / guests-basalt run them"
	@echo "make check      clang-format, cppcheck and the clang build"
	@echo "make bench      benchmarks (see docs/bench.md)"
