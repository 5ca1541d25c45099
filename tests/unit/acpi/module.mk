# ACPI table parser (hypervisor/drivers/acpi/): functional tests and a
# randomized one; both reach the parser's internal.h.
ACPI_UNIT_SRCS := $(sort $(wildcard hypervisor/drivers/acpi/*.c)) tests/unit/acpi/builder.c
ACPI_UNIT_DEPS := $(wildcard hypervisor/drivers/acpi/*.h tests/unit/acpi/*.h)

UNIT_TESTS += acpi acpi_fuzz
acpi_SRCS := tests/unit/acpi/test_acpi.c $(ACPI_UNIT_SRCS)
acpi_CFLAGS := -Ihypervisor/drivers/acpi
acpi_fuzz_SRCS := tests/unit/acpi/test_acpi_fuzz.c $(ACPI_UNIT_SRCS)
acpi_fuzz_CFLAGS := -Ihypervisor/drivers/acpi

build/unit/acpi build/unit/acpi_fuzz: $(ACPI_UNIT_DEPS)
