/*
 * ACPI static tables (drivers/acpi/): find the RSDP, walk the XSDT (or RSDT)
 * and pull out what the hypervisor needs at boot: CPUs and IO-APICs (MADT),
 * the HPET, the FADT's fixed hardware (PM1 control, PM timer, reset register,
 * SCI) and \_S5_ from the DSDT for poweroff.
 *
 * Firmware tables are not trusted: every table is length- and checksum-checked
 * before use, a bad one is reported by name and skipped, and no read goes
 * outside a validated length. Memory is read only through __va(), so the
 * parser runs unchanged in the host unit-test harness.
 *
 * The second half of this header is the tables' wire layout (ACPI 6.x), which
 * the PVH builder can share when it writes tables for guests.
 */
#ifndef HV_ACPI_H
#define HV_ACPI_H

#include <hv/types.h>

#define NR_CPUS_ACPI 256
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_TABLES 32

struct acpi_cpu {
	uint32_t apic_id;
	uint32_t acpi_uid;
	bool enabled;	     /* usable now */
	bool online_capable; /* not enabled, but may be brought online later */
	bool x2apic_entry;   /* from a local x2APIC (type 9) entry */
};

/* A Generic Address Structure, unpacked (ACPI_SPACE_* for space_id). */
struct acpi_generic_addr {
	uint8_t space_id, bit_width, bit_offset, access_size;
	uint64_t address;
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t addr;
	uint32_t gsi_base;
};

struct acpi_table_entry {
	char sig[5]; /* non-printable bytes shown as '?' */
	paddr_t addr;
	uint32_t len; /* as the header claims (0 if unreadable) */
	bool ok;      /* passed the checks (a duplicate that was not used too) */
};

struct acpi_info {
	paddr_t rsdp;	  /* 0 when parsed from a copy (acpi_parse_rsdp_copy) */
	uint8_t revision; /* the RSDP's: 0 = ACPI 1.0, 2 = ACPI 2.0+ */
	char oem_id[7];

	/* MADT */
	bool have_madt;
	paddr_t lapic_base;
	bool pcat_compat; /* dual 8259s present too */
	unsigned int nr_cpus;
	struct acpi_cpu cpus[NR_CPUS_ACPI]; /* in MADT order, duplicates removed */
	unsigned int nr_cpus_dropped;	    /* usable entries beyond NR_CPUS_ACPI */
	unsigned int nr_ioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];

	/* HPET */
	bool have_hpet;
	paddr_t hpet_base;
	uint8_t hpet_number;

	/*
	 * FADT. On a hardware-reduced platform the fixed hardware fields are
	 * left 0: the spec tells OSPM to ignore them there.
	 */
	bool have_fadt;
	bool hw_reduced;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint32_t pm1a_cnt, pm1b_cnt; /* I/O ports, 0 if absent (X_ fields preferred when valid) */
	uint32_t pm_tmr_blk;	     /* I/O port of the 24/32-bit PM timer, 0 if absent */
	bool pm_tmr_32bit;
	bool have_reset; /* only when the FADT flags say RESET_REG_SUP */
	struct acpi_generic_addr reset_reg;
	uint8_t reset_value;

	/* \_S5_ from the DSDT's AML: the SLP_TYP values for soft-off */
	bool have_s5;
	uint8_t slp_typa, slp_typb;

	paddr_t dsdt, facs; /* 0 if absent or invalid */

	/* Every table looked at, in order, good or bad (the first ACPI_MAX_TABLES). */
	unsigned int nr_tables;
	struct acpi_table_entry tables[ACPI_MAX_TABLES];
};

/*
 * Find and parse the tables. rsdp_hint: physical address of the RSDP, or 0 to
 * search the BIOS areas (the first KiB of the EBDA, whose segment is the word
 * at 0x40E, then 0xE0000-0xFFFFF on 16-byte boundaries). A hint that holds no
 * valid RSDP is reported and the BIOS areas are searched instead.
 * Returns 0 or -XEN_ENOENT (no RSDP), filling *out as far as it can: bad
 * tables are reported on the console and left out.
 */
int acpi_parse(paddr_t rsdp_hint, struct acpi_info *out);

/*
 * Same, with the RSDP given as a copy of 'len' bytes: multiboot2 hands over
 * the structure itself (tags 14 and 15), not its address. out->rsdp is 0.
 */
int acpi_parse_rsdp_copy(const void *rsdp, size_t len, struct acpi_info *out);

/* printk a summary: tables, CPUs, IO-APICs, HPET, FADT, \_S5_. */
void acpi_dump(const struct acpi_info *ai);

/*
 * Which physical ranges the parser may read. It asks before touching any byte
 * (with the whole length of a table before checksumming it); a refused range
 * is reported like any other bad table. NULL (the default) accepts anything
 * below ACPI_PADDR_LIMIT, the reach of the direct map. The boot path may
 * install a check against the firmware memory map; the unit tests install
 * one that keeps reads inside their memory arena. Returns the previous check.
 */
#define ACPI_PADDR_LIMIT (1ULL << 40)
typedef bool (*acpi_mem_check_t)(paddr_t pa, uint64_t len);
acpi_mem_check_t acpi_set_mem_check(acpi_mem_check_t ok);

/* ------------------------------------------------------------------------
 * Wire layout (ACPI 6.5, chapter 5.2). All little-endian and packed.
 */

#define ACPI_SPACE_MEM 0     /* Generic Address Structure: system memory */
#define ACPI_SPACE_IO 1	     /* system I/O */
#define ACPI_SPACE_PCI_CFG 2 /* PCI configuration space */

struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size; /* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
	uint64_t address;
} __packed;
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS size");
_Static_assert(offsetof(struct acpi_gas, address) == 4, "GAS address");

#define ACPI_RSDP_SIG "RSD PTR "
#define ACPI_RSDP_V1_LEN 20 /* what the first checksum covers */

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum; /* bytes 0-19 sum to 0 */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	/* revision >= 2 from here */
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t ext_checksum; /* bytes 0..length-1 sum to 0 */
	uint8_t reserved[3];
} __packed;
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP size");
_Static_assert(offsetof(struct acpi_rsdp, revision) == 15, "RSDP revision");
_Static_assert(offsetof(struct acpi_rsdp, rsdt_address) == 16, "RSDP rsdt");
_Static_assert(offsetof(struct acpi_rsdp, length) == ACPI_RSDP_V1_LEN, "RSDP length");
_Static_assert(offsetof(struct acpi_rsdp, xsdt_address) == 24, "RSDP xsdt");
_Static_assert(offsetof(struct acpi_rsdp, ext_checksum) == 32, "RSDP ext checksum");

/* The header every System Description Table starts with (not the FACS). */
struct acpi_table_header {
	char signature[4];
	uint32_t length; /* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum; /* the whole table sums to 0 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;
_Static_assert(sizeof(struct acpi_table_header) == 36, "SDT header size");
_Static_assert(offsetof(struct acpi_table_header, checksum) == 9, "SDT checksum");
_Static_assert(offsetof(struct acpi_table_header, oem_table_id) == 16, "SDT OEM table id");

/* RSDT: header then uint32_t entries; XSDT: header then uint64_t entries
 * (only 4-byte aligned, so read them bytewise). */

/* MADT ("APIC") */
struct acpi_madt {
	struct acpi_table_header header;
	uint32_t lapic_address;
	uint32_t flags;
} __packed;
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT size");
#define ACPI_MADT_PCAT_COMPAT (1u << 0)

struct acpi_madt_sub {
	uint8_t type;
	uint8_t length; /* of this subtable, these two bytes included */
} __packed;

#define ACPI_MADT_LAPIC 0
#define ACPI_MADT_IOAPIC 1
#define ACPI_MADT_INT_OVERRIDE 2
#define ACPI_MADT_LAPIC_NMI 4
#define ACPI_MADT_LAPIC_OVERRIDE 5
#define ACPI_MADT_X2APIC 9
#define ACPI_MADT_X2APIC_NMI 10

#define ACPI_MADT_ENABLED (1u << 0)
#define ACPI_MADT_ONLINE_CAPABLE (1u << 1) /* ACPI 6.3+, only meaningful when not enabled */

struct acpi_madt_lapic {
	struct acpi_madt_sub sub;
	uint8_t acpi_uid;
	uint8_t apic_id;
	uint32_t flags;
} __packed;
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT LAPIC size");
_Static_assert(offsetof(struct acpi_madt_lapic, flags) == 4, "MADT LAPIC flags");

struct acpi_madt_ioapic {
	struct acpi_madt_sub sub;
	uint8_t id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __packed;
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "MADT IOAPIC size");
_Static_assert(offsetof(struct acpi_madt_ioapic, gsi_base) == 8, "MADT IOAPIC gsi");

struct acpi_madt_int_override {
	struct acpi_madt_sub sub;
	uint8_t bus;	/* 0: ISA */
	uint8_t source; /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags; /* polarity, trigger mode */
} __packed;
_Static_assert(sizeof(struct acpi_madt_int_override) == 10, "MADT override size");

struct acpi_madt_lapic_override {
	struct acpi_madt_sub sub;
	uint16_t reserved;
	uint64_t address;
} __packed;
_Static_assert(sizeof(struct acpi_madt_lapic_override) == 12, "MADT LAPIC override size");
_Static_assert(offsetof(struct acpi_madt_lapic_override, address) == 4, "MADT LAPIC override addr");

struct acpi_madt_x2apic {
	struct acpi_madt_sub sub;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags;
	uint32_t acpi_uid;
} __packed;
_Static_assert(sizeof(struct acpi_madt_x2apic) == 16, "MADT x2APIC size");
_Static_assert(offsetof(struct acpi_madt_x2apic, x2apic_id) == 4, "MADT x2APIC id");
_Static_assert(offsetof(struct acpi_madt_x2apic, acpi_uid) == 12, "MADT x2APIC uid");

/* HPET */
struct acpi_hpet {
	struct acpi_table_header header;
	uint32_t event_timer_block_id;
	struct acpi_gas base;
	uint8_t hpet_number;
	uint16_t min_tick;
	uint8_t page_protection;
} __packed;
_Static_assert(sizeof(struct acpi_hpet) == 56, "HPET size");
_Static_assert(offsetof(struct acpi_hpet, base) == 40, "HPET base");
_Static_assert(offsetof(struct acpi_hpet, hpet_number) == 52, "HPET number");

/*
 * FADT ("FACP"). Its length grew with the spec (ACPI 1.0: 116 bytes, 2.0:
 * 244, 5.0: 268, 6.0: 276): a field past the table's length is absent,
 * whatever the revision says.
 */
struct acpi_fadt {
	struct acpi_table_header header;
	uint32_t firmware_ctrl; /* FACS */
	uint32_t dsdt;
	uint8_t reserved0; /* INT_MODEL in ACPI 1.0 */
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags; /* ACPI_FADT_* */
	/* end of the ACPI 1.0 FADT (116 bytes) */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	/* end of the ACPI 2.0 FADT (244 bytes) */
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	/* end of the ACPI 5.0 FADT (268 bytes) */
	uint64_t hypervisor_vendor_id;
} __packed;
_Static_assert(offsetof(struct acpi_fadt, firmware_ctrl) == 36, "FADT firmware_ctrl");
_Static_assert(offsetof(struct acpi_fadt, sci_int) == 46, "FADT sci_int");
_Static_assert(offsetof(struct acpi_fadt, smi_cmd) == 48, "FADT smi_cmd");
_Static_assert(offsetof(struct acpi_fadt, pm1a_cnt_blk) == 64, "FADT pm1a_cnt_blk");
_Static_assert(offsetof(struct acpi_fadt, pm_tmr_blk) == 76, "FADT pm_tmr_blk");
_Static_assert(offsetof(struct acpi_fadt, pm_tmr_len) == 91, "FADT pm_tmr_len");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "FADT iapc_boot_arch");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT flags");
_Static_assert(offsetof(struct acpi_fadt, reset_reg) == 116, "FADT reset_reg");
_Static_assert(offsetof(struct acpi_fadt, reset_value) == 128, "FADT reset_value");
_Static_assert(offsetof(struct acpi_fadt, x_firmware_ctrl) == 132, "FADT x_firmware_ctrl");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT x_dsdt");
_Static_assert(offsetof(struct acpi_fadt, x_pm1a_cnt_blk) == 172, "FADT x_pm1a_cnt_blk");
_Static_assert(offsetof(struct acpi_fadt, x_pm_tmr_blk) == 208, "FADT x_pm_tmr_blk");
_Static_assert(offsetof(struct acpi_fadt, sleep_control_reg) == 244, "FADT sleep_control_reg");
_Static_assert(offsetof(struct acpi_fadt, hypervisor_vendor_id) == 268, "FADT hypervisor id");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT size");

#define ACPI_FADT_V1_LEN 116
#define ACPI_FADT_TMR_VAL_EXT (1u << 8)	   /* PM timer is 32 bits wide, not 24 */
#define ACPI_FADT_RESET_REG_SUP (1u << 10) /* reset_reg/reset_value are valid */
#define ACPI_FADT_HW_REDUCED (1u << 20)	   /* no fixed ACPI hardware */

/* FACS: no SDT header and no checksum; signature and length lead. */
#define ACPI_FACS_MIN_LEN 64

#endif
