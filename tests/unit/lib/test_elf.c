/*
 * Unit tests for lib/elf.c. A small ELF64 and ELF32 image are built by hand
 * (two PT_LOADs and a PT_NOTE with a GNU note and a Xen PHYS32_ENTRY note),
 * checked for the description elf_check gives, and then broken one field at
 * a time; every rejection is checked for its error code and exact message.
 * Each check runs on a heap copy of exactly the image's size, so ASan
 * reports any read past the end. The test binary itself serves as a real
 * toolchain-made image, and a mutation test throws random corruptions at the
 * checker and re-verifies what it accepts.
 */
#include <hv/elf.h>
#include <hv/errno.h>
#include <hv/lib.h>

#include "hv_unrename.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define IMG_SIZE 0x3000
#define NOTE_OFF 0x2800
#define PHOFF 0x40

static uint8_t img[IMG_SIZE] __attribute__((aligned(8)));
static char errbuf[512];
static struct elf_image_info info;

/*
 * Write a note at 'off' (an 'align'-aligned image offset, as every note in
 * these images starts); the descriptor and the next note start 'align'-aligned.
 * Returns the offset of the next note.
 */
static size_t put_note(size_t off, const char *name, uint32_t type, const void *desc, uint32_t descsz, uint32_t align)
{
	struct elf_note n = { (uint32_t)strlen(name) + 1, descsz, type };

	memcpy(img + off, &n, sizeof(n));
	off += sizeof(n);
	memcpy(img + off, name, n.n_namesz);
	off = (off + n.n_namesz + align - 1) & ~(size_t)(align - 1);
	memcpy(img + off, desc, descsz);
	return (off + descsz + align - 1) & ~(size_t)(align - 1);
}

/* The default notes: a GNU build-id-like note, then Xen's PVH entry (8 bytes, like Linux). */
static size_t put_default_notes(void)
{
	static const uint8_t build_id[20] = { 1, 2, 3 };
	uint64_t entry = 0x100010;
	size_t end = put_note(NOTE_OFF, "GNU", 3, build_id, sizeof(build_id), 4);

	return put_note(end, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry, sizeof(entry), 4) - NOTE_OFF;
}

static struct elf64_ehdr *eh64 = (struct elf64_ehdr *)img;
static struct elf64_phdr *ph64 = (struct elf64_phdr *)(img + PHOFF);
static struct elf32_ehdr *eh32 = (struct elf32_ehdr *)img;
static struct elf32_phdr *ph32 = (struct elf32_phdr *)(img + PHOFF);

static void ident(uint8_t class)
{
	memcpy(img,
	       "\x7f"
	       "ELF",
	       4);
	img[ELF_EI_CLASS] = class;
	img[ELF_EI_DATA] = ELF_DATA2LSB;
	img[ELF_EI_VERSION] = ELF_EV_CURRENT;
}

/*
 * ELF64 layout: headers at 0, text at 0x1000 (paddr 0x100000, 0x1000 bytes),
 * data at 0x2000 (paddr 0x200000, 0x800 in the file, 0x3000 in memory),
 * notes at 0x2800.
 */
static void build64(void)
{
	size_t notes;

	memset(img, 0, sizeof(img));
	notes = put_default_notes();
	ident(ELF_CLASS64);
	eh64->e_type = ELF_ET_EXEC;
	eh64->e_machine = ELF_EM_X86_64;
	eh64->e_version = 1;
	eh64->e_entry = 0xffffffff81000000ULL;
	eh64->e_phoff = PHOFF;
	eh64->e_ehsize = sizeof(struct elf64_ehdr);
	eh64->e_phentsize = sizeof(struct elf64_phdr);
	eh64->e_phnum = 3;
	ph64[0] =
		(struct elf64_phdr){ ELF_PT_LOAD, 5, 0x1000, 0xffffffff81000000ULL, 0x100000, 0x1000, 0x1000, 0x1000 };
	ph64[1] = (struct elf64_phdr){ ELF_PT_LOAD, 6, 0x2000, 0xffffffff81100000ULL, 0x200000, 0x800, 0x3000, 0x1000 };
	ph64[2] = (struct elf64_phdr){ ELF_PT_NOTE, 4, NOTE_OFF, 0, 0, notes, notes, 4 };
}

/* The same layout as ELF32 for EM_386. */
static void build32(void)
{
	size_t notes;

	memset(img, 0, sizeof(img));
	notes = put_default_notes();
	ident(ELF_CLASS32);
	eh32->e_type = ELF_ET_EXEC;
	eh32->e_machine = ELF_EM_386;
	eh32->e_version = 1;
	eh32->e_entry = 0x100000;
	eh32->e_phoff = PHOFF;
	eh32->e_ehsize = sizeof(struct elf32_ehdr);
	eh32->e_phentsize = sizeof(struct elf32_phdr);
	eh32->e_phnum = 3;
	ph32[0] = (struct elf32_phdr){ ELF_PT_LOAD, 0x1000, 0xc0100000, 0x100000, 0x1000, 0x1000, 5, 0x1000 };
	ph32[1] = (struct elf32_phdr){ ELF_PT_LOAD, 0x2000, 0xc0200000, 0x200000, 0x800, 0x3000, 6, 0x1000 };
	ph32[2] = (struct elf32_phdr){ ELF_PT_NOTE, NOTE_OFF, 0, 0, (uint32_t)notes, (uint32_t)notes, 4, 4 };
}

/* elf_check on an exact-size heap copy of the first 'size' bytes of img. */
static int check_size(size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, img, size);
	memset(&info, 0x5a, sizeof(info));
	memset(errbuf, 'E', sizeof(errbuf));
	rc = elf_check(copy, size, &info, errbuf, sizeof(errbuf));
	free(copy);
	return rc;
}

static void expect_error_size(size_t size, int rc, const char *msg)
{
	int got = check_size(size);

	if (got != rc || strcmp(errbuf, msg) != 0)
		fail_msg("got %d \"%s\"\nwant %d \"%s\"", got, errbuf, rc, msg);
	/* a rejected image leaves no half-filled description behind */
	assert_false(info.has_phys32_entry);
	assert_int_equal(info.nr_load, 0);
}

static void expect_error(int rc, const char *msg)
{
	expect_error_size(IMG_SIZE, rc, msg);
}

static void expect_ok(void)
{
	int rc = check_size(IMG_SIZE);

	if (rc)
		fail_msg("rejected (%d): %s", rc, errbuf);
	assert_string_equal(errbuf, "");
}

/* ------------------------------------------------------------ good images */

static void test_valid_elf64(void **state)
{
	(void)state;
	build64();
	expect_ok();
	assert_true(info.is64);
	assert_int_equal(info.machine, ELF_EM_X86_64);
	assert_true(info.entry == 0xffffffff81000000ULL);
	assert_int_equal(info.nr_load, 2);
	assert_int_equal(info.load_min, 0x100000);
	assert_int_equal(info.load_max, 0x203000);
	assert_true(info.has_phys32_entry);
	assert_int_equal(info.phys32_entry, 0x100010);
}

static void test_valid_elf32(void **state)
{
	(void)state;
	build32();
	expect_ok();
	assert_false(info.is64);
	assert_int_equal(info.machine, ELF_EM_386);
	assert_int_equal(info.entry, 0x100000);
	assert_int_equal(info.nr_load, 2);
	assert_int_equal(info.load_min, 0x100000);
	assert_int_equal(info.load_max, 0x203000);
	assert_true(info.has_phys32_entry);
	assert_int_equal(info.phys32_entry, 0x100010);

	/* Either machine with either class (ELF32 EM_X86_64 is the x32 ABI). */
	eh32->e_machine = ELF_EM_X86_64;
	expect_ok();
	assert_int_equal(info.machine, ELF_EM_X86_64);
}

static void test_variants_accepted(void **state)
{
	uint32_t entry32 = 0x200100;

	(void)state;
	/* A 4-byte PHYS32_ENTRY descriptor, pointing into the second segment. */
	build64();
	ph64[2].p_filesz = put_note(NOTE_OFF, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry32, 4, 4) - NOTE_OFF;
	expect_ok();
	assert_int_equal(info.phys32_entry, 0x200100);

	/* No Xen note at all; other Xen notes are ignored. */
	build64();
	ph64[2].p_filesz = put_note(NOTE_OFF, "Xen", 1, &entry32, 4, 4) - NOTE_OFF;
	expect_ok();
	assert_false(info.has_phys32_entry);

	/* Notes aligned to 8 when the segment says so: after a 4-byte
	 * descriptor ending at 0x14, the next note starts at 0x18, not 0x14. */
	build64();
	ph64[2].p_align = 8;
	{
		size_t next = put_note(NOTE_OFF, "GNU", 5, &entry32, 4, 8);

		assert_int_equal(next - NOTE_OFF, 0x18);
		ph64[2].p_filesz = put_note(next, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry32, 4, 8) - NOTE_OFF;
	}
	expect_ok();
	assert_int_equal(info.phys32_entry, 0x200100);
	ph64[2].p_align = 4; /* read 4-aligned, the same bytes are garbage */
	assert_int_equal(check_size(IMG_SIZE), -XEN_EINVAL);

	/* Two PHYS32_ENTRY notes: the first one counts. */
	build64();
	{
		uint64_t e1 = 0x100020, e2 = 0x100030;
		size_t end = put_note(NOTE_OFF, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &e1, 8, 4);

		ph64[2].p_filesz = put_note(end, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &e2, 8, 4) - NOTE_OFF;
	}
	expect_ok();
	assert_int_equal(info.phys32_entry, 0x100020);

	/* ET_DYN, an empty PT_LOAD (counted, no effect on the range), PT_GNU_STACK. */
	build64();
	eh64->e_type = ELF_ET_DYN;
	eh64->e_phnum = 5;
	ph64[3] = (struct elf64_phdr){ ELF_PT_LOAD, 6, 0xdeadbeef, 0, 0x50000000, 0, 0, 0 };
	ph64[4] = (struct elf64_phdr){ 0x6474e551, 6, 0, 0, 0, 0, 0, 0x10 };
	expect_ok();
	assert_int_equal(info.nr_load, 3);
	assert_int_equal(info.load_max, 0x203000);

	/* A bigger e_phentsize is a valid stride. */
	build64();
	memset(img + PHOFF, 0, 3 * 0x40);
	{
		struct elf64_phdr p[3] = {
			{ ELF_PT_LOAD, 5, 0x1000, 0, 0x100000, 0x1000, 0x1000, 0x1000 },
			{ ELF_PT_LOAD, 6, 0x2000, 0, 0x200000, 0x800, 0x3000, 0x1000 },
			{ ELF_PT_NOTE, 4, NOTE_OFF, 0, 0, put_default_notes(), 0, 4 },
		};
		for (int i = 0; i < 3; i++)
			memcpy(img + PHOFF + i * 0x40, &p[i], sizeof(p[i]));
	}
	eh64->e_phentsize = 0x40;
	expect_ok();
	assert_int_equal(info.nr_load, 2);
	assert_true(info.has_phys32_entry);
}

static void test_elf32_top_of_4g(void **state)
{
	(void)state;
	/* A segment may end exactly at 4 GiB... */
	build32();
	ph32[1].p_paddr = 0xfffff000;
	ph32[1].p_memsz = 0x1000;
	expect_ok();
	assert_true(info.load_max == 0x100000000ULL);
	/* ...but not a byte further. */
	ph32[1].p_memsz = 0x1001;
	expect_error(-XEN_EINVAL, "program header 1: segment at paddr 0xfffff000 with memory size 0x1001 extends past "
				  "the end of the 32-bit address space");
}

static void test_misaligned_and_optional_args(void **state)
{
	uint8_t *buf = malloc(IMG_SIZE + 1);
	char small[16];

	(void)state;
	build64();
	memcpy(buf + 1, img, IMG_SIZE);
	assert_int_equal(elf_check(buf + 1, IMG_SIZE, &info, errbuf, sizeof(errbuf)), 0);
	assert_int_equal(elf_check(buf + 1, IMG_SIZE, NULL, NULL, 0), 0);
	buf[1] = 0;
	assert_int_equal(elf_check(buf + 1, IMG_SIZE, NULL, NULL, 100), -XEN_ENOEXEC); /* err NULL */
	memset(small, 'x', sizeof(small));
	assert_int_equal(elf_check(buf + 1, IMG_SIZE, NULL, small, 10), -XEN_ENOEXEC);
	assert_string_equal(small, "not an EL"); /* cut to fit, terminated */
	assert_int_equal(small[10], 'x');
	assert_int_equal(elf_check(buf + 1, IMG_SIZE, NULL, small, 0), -XEN_ENOEXEC);
	assert_int_equal(elf_check(NULL, 100, NULL, small, sizeof(small)), -XEN_ENOEXEC);
	free(buf);
}

/* Where the file data of the last segment ends (ELF64, as the host builds). */
static size_t file_data_end(const uint8_t *buf)
{
	const struct elf64_ehdr *eh = (const struct elf64_ehdr *)buf;
	size_t end = 0;

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		struct elf64_phdr ph;

		memcpy(&ph, buf + eh->e_phoff + (size_t)i * eh->e_phentsize, sizeof(ph));
		if (ph.p_type != ELF_PT_NULL && ph.p_filesz && ph.p_offset + ph.p_filesz > end)
			end = ph.p_offset + ph.p_filesz;
	}
	return end;
}

/* The test binary: a real PIE built by the toolchain. */
static void test_own_executable(void **state)
{
	FILE *f = fopen("/proc/self/exe", "rb");
	uint8_t *buf;
	long size;

	(void)state;
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	if (elf_check(buf, (size_t)size, &info, errbuf, sizeof(errbuf)))
		fail_msg("own executable rejected: %s", errbuf);
	assert_true(info.is64);
	assert_int_equal(info.machine, ELF_EM_X86_64);
	assert_true(info.nr_load >= 2);
	assert_true(info.load_max > info.load_min);
	assert_false(info.has_phys32_entry);
	/* Cut one byte short of its last segment's file data, it is refused. */
	assert_int_equal(elf_check(buf, file_data_end(buf) - 1, &info, errbuf, sizeof(errbuf)), -XEN_EINVAL);
	assert_non_null(strstr(errbuf, "extends past the end of the image"));
	free(buf);
}

/* ------------------------------------------------------------ bad identification and headers */

static void test_not_elf(void **state)
{
	(void)state;
	build64();
	expect_error_size(0, -XEN_ENOEXEC, "not an ELF image (no \\x7fELF magic in its first 0 bytes)");
	expect_error_size(3, -XEN_ENOEXEC, "not an ELF image (no \\x7fELF magic in its first 3 bytes)");
	img[1] = 'e';
	expect_error(-XEN_ENOEXEC, "not an ELF image (no \\x7fELF magic in its first 4 bytes)");
	build64();
	expect_error_size(10, -XEN_EINVAL, "truncated: ELF identification needs 0x10 bytes, the image has 0xa");
	img[ELF_EI_CLASS] = 3;
	expect_error(-XEN_ENOEXEC, "unsupported ELF class 3 (expected 1 for ELF32 or 2 for ELF64)");
	img[ELF_EI_CLASS] = 0;
	expect_error(-XEN_ENOEXEC, "unsupported ELF class 0 (expected 1 for ELF32 or 2 for ELF64)");
	build64();
	img[ELF_EI_DATA] = 2;
	expect_error(-XEN_ENOEXEC, "unsupported ELF data encoding 2 (only 1, little-endian, is supported)");
	build64();
	img[ELF_EI_VERSION] = 0;
	expect_error(-XEN_EINVAL, "bad ELF identification version 0 (expected 1)");
}

static void test_bad_headers(void **state)
{
	(void)state;
	build64();
	expect_error_size(0x30, -XEN_EINVAL, "truncated: the ELF64 header needs 0x40 bytes, the image has 0x30");
	build32();
	expect_error_size(0x30, -XEN_EINVAL, "truncated: the ELF32 header needs 0x34 bytes, the image has 0x30");
	build64();
	eh64->e_version = 2;
	expect_error(-XEN_EINVAL, "bad e_version 2 (expected 1)");
	build64();
	eh64->e_type = 1;
	expect_error(-XEN_ENOEXEC, "not an executable: e_type 1 (expected 2, ET_EXEC, or 3, ET_DYN)");
	build64();
	eh64->e_machine = 183;
	expect_error(-XEN_ENOEXEC, "unsupported machine 183 (expected 3, EM_386, or 62, EM_X86_64)");
	build32();
	eh32->e_machine = 40;
	expect_error(-XEN_ENOEXEC, "unsupported machine 40 (expected 3, EM_386, or 62, EM_X86_64)");
}

static void test_bad_phdr_table(void **state)
{
	(void)state;
	build64();
	eh64->e_phnum = 0;
	expect_error(-XEN_EINVAL, "no program headers (e_phnum is 0)");
	eh64->e_phnum = 0xffff;
	expect_error(-XEN_ENOEXEC, "extended program header numbering (e_phnum 0xffff) is not supported");
	build64();
	eh64->e_phentsize = 0x20;
	expect_error(-XEN_EINVAL, "e_phentsize 0x20 is smaller than an ELF64 program header (0x38 bytes)");
	build32();
	eh32->e_phentsize = 0x1f;
	expect_error(-XEN_EINVAL, "e_phentsize 0x1f is smaller than an ELF32 program header (0x20 bytes)");
	build64();
	eh64->e_phoff = IMG_SIZE - 0x38 * 2;
	expect_error(-XEN_EINVAL, "truncated: the program header table (offset 0x2f90, 3 entries of 0x38 bytes) "
				  "extends past the end of the image (0x3000 bytes)");
	eh64->e_phoff = 0xffffffffffffffc0ULL; /* offset + size would wrap */
	expect_error(-XEN_EINVAL, "truncated: the program header table (offset 0xffffffffffffffc0, 3 entries of 0x38 "
				  "bytes) extends past the end of the image (0x3000 bytes)");
	build64();
	eh64->e_phnum = 0xfffe;
	eh64->e_phentsize = 0xffff;
	expect_error(-XEN_EINVAL, "truncated: the program header table (offset 0x40, 65534 entries of 0xffff bytes) "
				  "extends past the end of the image (0x3000 bytes)");
	/* The table itself may end exactly at the end of the image. */
	build64();
	expect_ok();
	assert_int_equal(check_size(PHOFF + 3 * 0x38), -XEN_EINVAL); /* segments are cut off, though */
}

/* ------------------------------------------------------------ bad segments */

static void test_truncated_segment(void **state)
{
	(void)state;
	build64();
	ph64[2] = (struct elf64_phdr){ ELF_PT_LOAD, 6, 0x1000, 0, 0x300000, 0x5000, 0x5000, 0x1000 };
	expect_error(-XEN_EINVAL, "truncated: program header 2 (offset 0x1000, size 0x5000) extends past the end of "
				  "the image (0x3000 bytes)");
	build64();
	ph64[1].p_offset = 0x3001;
	ph64[1].p_filesz = 0;
	expect_ok(); /* no file bytes claimed: the offset does not matter */
	ph64[1].p_filesz = 1;
	expect_error(-XEN_EINVAL, "truncated: program header 1 (offset 0x3001, size 0x1) extends past the end of the "
				  "image (0x3000 bytes)");
	/* Exactly up to the end is fine; one byte less of image is not. */
	build64();
	ph64[1].p_filesz = IMG_SIZE - 0x2000;
	expect_ok();
	expect_error_size(IMG_SIZE - 1, -XEN_EINVAL,
			  "truncated: program header 1 (offset 0x2000, size 0x1000) extends past the end of the image "
			  "(0x2fff bytes)");
	/* Segments of other types must not point outside the image either. */
	build64();
	eh64->e_phnum = 4;
	ph64[3] = (struct elf64_phdr){ 2 /* PT_DYNAMIC */, 6, 0x2f00, 0, 0, 0x200, 0x200, 8 };
	expect_error(-XEN_EINVAL, "truncated: program header 3 (offset 0x2f00, size 0x200) extends past the end of the "
				  "image (0x3000 bytes)");
}

static void test_offset_overflow(void **state)
{
	(void)state;
	build64();
	ph64[0].p_offset = 0xfffffffffffff000ULL;
	ph64[0].p_filesz = 0x2000;
	expect_error(-XEN_EINVAL, "program header 0: offset 0xfffffffffffff000 + file size 0x2000 overflows");
	ph64[0].p_filesz = 0x1000; /* exactly 2^64 wraps too */
	expect_error(-XEN_EINVAL, "program header 0: offset 0xfffffffffffff000 + file size 0x1000 overflows");
	ph64[0].p_filesz = 0xfff;
	expect_error(-XEN_EINVAL, "truncated: program header 0 (offset 0xfffffffffffff000, size 0xfff) extends past "
				  "the end of the image (0x3000 bytes)");
	build32();
	ph32[0].p_offset = 0xfffff000;
	ph32[0].p_filesz = 0x2000;
	expect_error(-XEN_EINVAL,
		     "truncated: program header 0 (offset 0xfffff000, size 0x2000) extends past the end of "
		     "the image (0x3000 bytes)");
}

static void test_bad_load(void **state)
{
	(void)state;
	build64();
	ph64[1].p_memsz = 0x7ff;
	expect_error(-XEN_EINVAL, "program header 1: file size 0x800 exceeds memory size 0x7ff");
	build64();
	ph64[1].p_paddr = 0xfffffffffffff000ULL;
	ph64[1].p_memsz = 0x2000;
	expect_error(-XEN_EINVAL, "program header 1: segment at paddr 0xfffffffffffff000 with memory size 0x2000 "
				  "extends past the end of the 64-bit address space");
	ph64[1].p_memsz = 0x1000; /* the end would be 2^64 itself */
	expect_error(-XEN_EINVAL, "program header 1: segment at paddr 0xfffffffffffff000 with memory size 0x1000 "
				  "extends past the end of the 64-bit address space");
	ph64[1].p_paddr = 0xffffffffffffe000ULL;
	expect_ok();
	assert_true(info.load_max == 0xfffffffffffff000ULL);
	build64();
	ph64[0].p_type = ELF_PT_NULL;
	ph64[1].p_type = 0x6474e551;
	expect_error(-XEN_EINVAL, "no PT_LOAD program header");
	build64();
	ph64[0].p_filesz = ph64[0].p_memsz = 0;
	ph64[1].p_filesz = ph64[1].p_memsz = 0;
	expect_error(-XEN_EINVAL, "every PT_LOAD segment is empty (memory size 0)");
}

/* ------------------------------------------------------------ bad notes */

static void test_bad_notes(void **state)
{
	uint64_t entry = 0x100010;
	uint16_t short_desc = 1;

	(void)state;
	build64();
	ph64[2].p_filesz = 8;
	expect_error(-XEN_EINVAL, "truncated: note at offset 0x2800 in program header 2 needs 0xc bytes, 0x8 left");
	/* name or descriptor sizes reaching past the segment, without wrapping */
	build64();
	((struct elf_note *)(img + NOTE_OFF))->n_namesz = 0xffffffff;
	expect_error(-XEN_EINVAL, "truncated: note at offset 0x2800 in program header 2 (name 0xffffffff bytes, "
				  "descriptor 0x14 bytes) extends past the end of the segment");
	build64();
	((struct elf_note *)(img + NOTE_OFF))->n_descsz = 0xfffffffc;
	expect_error(-XEN_EINVAL, "truncated: note at offset 0x2800 in program header 2 (name 0x4 bytes, descriptor "
				  "0xfffffffc bytes) extends past the end of the segment");
	/* the Xen note's descriptor one byte short of the segment */
	build64();
	ph64[2].p_filesz -= 1;
	expect_error(-XEN_EINVAL, "truncated: note at offset 0x2824 in program header 2 (name 0x4 bytes, descriptor "
				  "0x8 bytes) extends past the end of the segment");
	/* a descriptor the wrong size for an address */
	build64();
	ph64[2].p_filesz = put_note(NOTE_OFF, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &short_desc, 2, 4) - NOTE_OFF;
	expect_error(-XEN_EINVAL,
		     "Xen note PHYS32_ENTRY at offset 0x2800 has a descriptor of 2 bytes (expected 4 or 8)");
	/* a "32-bit" entry above 4 GiB */
	build64();
	entry = 0x100000000ULL;
	ph64[2].p_filesz = put_note(NOTE_OFF, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry, 8, 4) - NOTE_OFF;
	expect_error(-XEN_EINVAL, "Xen note PHYS32_ENTRY at offset 0x2800: entry 0x100000000 is above 4 GiB");
	/* an entry outside every segment, or in a segment's zero-filled tail */
	build64();
	entry = 0x500000;
	ph64[2].p_filesz = put_note(NOTE_OFF, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry, 8, 4) - NOTE_OFF;
	expect_error(-XEN_EINVAL, "Xen note PHYS32_ENTRY: entry 0x500000 is not inside the file data of any PT_LOAD");
	entry = 0x200800;
	put_note(NOTE_OFF, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry, 8, 4);
	expect_error(-XEN_EINVAL, "Xen note PHYS32_ENTRY: entry 0x200800 is not inside the file data of any PT_LOAD");
	entry = 0x2007ff;
	put_note(NOTE_OFF, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry, 8, 4);
	expect_ok();
}

/* ------------------------------------------------------------ mutation */

/* Independent re-check of what an accepted image promises a loader. */
static void verify_accepted(const uint8_t *buf, size_t size)
{
	bool is64 = buf[ELF_EI_CLASS] == ELF_CLASS64;
	uint64_t phoff = is64 ? ((const struct elf64_ehdr *)buf)->e_phoff : ((const struct elf32_ehdr *)buf)->e_phoff;
	unsigned int phnum =
		is64 ? ((const struct elf64_ehdr *)buf)->e_phnum : ((const struct elf32_ehdr *)buf)->e_phnum;
	unsigned int entsz =
		is64 ? ((const struct elf64_ehdr *)buf)->e_phentsize : ((const struct elf32_ehdr *)buf)->e_phentsize;
	unsigned int loads = 0;

	assert_true(phoff + (uint64_t)phnum * entsz <= size);
	for (unsigned int i = 0; i < phnum; i++) {
		const uint8_t *p = buf + phoff + (uint64_t)i * entsz;
		uint64_t off, filesz, memsz, paddr;
		uint32_t type;

		if (is64) {
			struct elf64_phdr h;

			memcpy(&h, p, sizeof(h));
			type = h.p_type, off = h.p_offset, filesz = h.p_filesz, memsz = h.p_memsz, paddr = h.p_paddr;
		} else {
			struct elf32_phdr h;

			memcpy(&h, p, sizeof(h));
			type = h.p_type, off = h.p_offset, filesz = h.p_filesz, memsz = h.p_memsz, paddr = h.p_paddr;
		}
		if (type != ELF_PT_LOAD)
			continue;
		loads++;
		assert_true(filesz <= memsz);
		assert_true(filesz == 0 || (off <= size && filesz <= size - off));
		if (memsz) {
			assert_true(paddr >= info.load_min);
			assert_true(paddr + memsz <= info.load_max && paddr + memsz > paddr);
		}
	}
	assert_int_equal(loads, info.nr_load);
	assert_true(info.load_min < info.load_max);
}

static void mutate(size_t *size)
{
	static const uint64_t specials[] = { 0,
					     1,
					     0x7f,
					     0xff,
					     0xffff,
					     0x3000,
					     0x2fff,
					     0x80000000,
					     0xffffffff,
					     0x100000000ULL,
					     0xfffffffffffff000ULL,
					     ~0ULL };
	int n = 1 + rand() % 3;

	for (int k = 0; k < n; k++) {
		/* mostly the headers, sometimes the notes */
		size_t off = rand() % 4 ? (size_t)rand() % (PHOFF + 5 * 0x38) : NOTE_OFF + (size_t)rand() % 0x40;
		int width = 1 << (rand() % 4);
		uint64_t v = rand() % 2 ? specials[(size_t)rand() % ARRAY_SIZE(specials)]
					: ((uint64_t)rand() << 32 | (uint64_t)rand());

		if (off + (size_t)width <= IMG_SIZE)
			memcpy(img + off, &v, (size_t)width);
	}
	if (rand() % 8 == 0)
		*size = (size_t)rand() % IMG_SIZE;
}

static void test_mutations(void **state)
{
	unsigned long accepted = 0, rejected = 0;

	(void)state;
	srand(2024);
	for (int iter = 0; iter < 60000; iter++) {
		size_t size = IMG_SIZE;
		uint8_t *copy;
		int rc;

		if (iter % 2)
			build64();
		else
			build32();
		mutate(&size);
		copy = malloc(size ? size : 1);
		memcpy(copy, img, size);
		errbuf[0] = 'X';
		rc = elf_check(copy, size, &info, errbuf, sizeof(errbuf));
		if (rc == 0) {
			accepted++;
			assert_string_equal(errbuf, "");
			verify_accepted(copy, size);
		} else {
			rejected++;
			assert_true(rc == -XEN_EINVAL || rc == -XEN_ENOEXEC);
			assert_true(strlen(errbuf) > 10);
		}
		free(copy);
	}
	/* Both outcomes must be well represented for the test to mean anything. */
	assert_true(accepted > 1000);
	assert_true(rejected > 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_elf64),
		cmocka_unit_test(test_valid_elf32),
		cmocka_unit_test(test_variants_accepted),
		cmocka_unit_test(test_elf32_top_of_4g),
		cmocka_unit_test(test_misaligned_and_optional_args),
		cmocka_unit_test(test_own_executable),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_bad_phdr_table),
		cmocka_unit_test(test_truncated_segment),
		cmocka_unit_test(test_offset_overflow),
		cmocka_unit_test(test_bad_load),
		cmocka_unit_test(test_bad_notes),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests_name("lib/elf", tests, NULL, NULL);
}
