/*
 * The ELF image validator (see hv/elf.h). Boot modules and guest kernels are
 * untrusted input: before anything loads an image, elf_check() proves that
 * every header, program header, PT_LOAD segment and note the loader will
 * touch lies inside the image, that no size or address computation wraps,
 * and that the layout makes sense; then it describes the image. Every offset
 * is checked with subtraction against what is left rather than by adding,
 * so no sum of attacker-chosen values can overflow. Structures are copied
 * out with memcpy, so a misaligned image is fine. The error text names the
 * field and the numbers, because "bad ELF" is no help to whoever built it.
 */
#include <hv/elf.h>
#include <hv/errno.h>
#include <hv/lib.h>

/* What the checks need from the ELF header, whatever the class. */
struct ehdr_info {
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff;
	uint16_t phentsize, phnum;
};

/* One program header, widened to 64 bits. */
struct phdr_info {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct image {
	const uint8_t *base;
	size_t size;
	bool is64;
	char *err;
	size_t errlen;
};

static int fail(struct image *im, int rc, const char *fmt, ...) __printf(3, 4);
static int fail(struct image *im, int rc, const char *fmt, ...)
{
	va_list ap;

	if (im->errlen) {
		va_start(ap, fmt);
		vsnprintf(im->err, im->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Do 'len' bytes at 'off' lie inside the image? Never adds off + len. */
static bool in_image(const struct image *im, uint64_t off, uint64_t len)
{
	return off <= im->size && len <= im->size - off;
}

/* e_ident: magic, then the class, byte order and version we can read. */
static int check_ident(struct image *im)
{
	const uint8_t *id = im->base;

	if (im->size < 4 || id[0] != ELF_MAG0 || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return fail(im, -XEN_ENOEXEC, "not an ELF image (no \\x7fELF magic in its first %zu bytes)",
			    MIN(im->size, (size_t)4));
	if (im->size < ELF_NIDENT)
		return fail(im, -XEN_EINVAL, "truncated: ELF identification needs 0x%x bytes, the image has 0x%zx",
			    ELF_NIDENT, im->size);
	if (id[ELF_EI_CLASS] != ELF_CLASS32 && id[ELF_EI_CLASS] != ELF_CLASS64)
		return fail(im, -XEN_ENOEXEC, "unsupported ELF class %u (expected 1 for ELF32 or 2 for ELF64)",
			    id[ELF_EI_CLASS]);
	if (id[ELF_EI_DATA] != ELF_DATA2LSB)
		return fail(im, -XEN_ENOEXEC, "unsupported ELF data encoding %u (only 1, little-endian, is supported)",
			    id[ELF_EI_DATA]);
	if (id[ELF_EI_VERSION] != ELF_EV_CURRENT)
		return fail(im, -XEN_EINVAL, "bad ELF identification version %u (expected 1)", id[ELF_EI_VERSION]);
	im->is64 = id[ELF_EI_CLASS] == ELF_CLASS64;
	return 0;
}

/* Both classes' headers carry the same fields, at different widths. */
#define WIDEN_EHDR(h)                                      \
	((struct ehdr_info){ .type = (h).e_type,           \
			     .machine = (h).e_machine,     \
			     .version = (h).e_version,     \
			     .entry = (h).e_entry,         \
			     .phoff = (h).e_phoff,         \
			     .phentsize = (h).e_phentsize, \
			     .phnum = (h).e_phnum })

static int read_ehdr(struct image *im, struct ehdr_info *eh)
{
	size_t need = im->is64 ? sizeof(struct elf64_ehdr) : sizeof(struct elf32_ehdr);
	struct elf64_ehdr h64;
	struct elf32_ehdr h32;

	if (im->size < need)
		return fail(im, -XEN_EINVAL, "truncated: the ELF%d header needs 0x%zx bytes, the image has 0x%zx",
			    im->is64 ? 64 : 32, need, im->size);
	if (im->is64) {
		memcpy(&h64, im->base, sizeof(h64));
		*eh = WIDEN_EHDR(h64);
	} else {
		memcpy(&h32, im->base, sizeof(h32));
		*eh = WIDEN_EHDR(h32);
	}
	return 0;
}

/* The header fields that decide whether this is something we can run. */
static int check_ehdr(struct image *im, const struct ehdr_info *eh)
{
	if (eh->version != ELF_EV_CURRENT)
		return fail(im, -XEN_EINVAL, "bad e_version %u (expected 1)", eh->version);
	if (eh->type != ELF_ET_EXEC && eh->type != ELF_ET_DYN)
		return fail(im, -XEN_ENOEXEC, "not an executable: e_type %u (expected 2, ET_EXEC, or 3, ET_DYN)",
			    eh->type);
	if (eh->machine != ELF_EM_386 && eh->machine != ELF_EM_X86_64)
		return fail(im, -XEN_ENOEXEC, "unsupported machine %u (expected 3, EM_386, or 62, EM_X86_64)",
			    eh->machine);
	return 0;
}

/* The program header table: present, entries big enough, inside the image. */
static int check_phdr_table(struct image *im, const struct ehdr_info *eh)
{
	size_t entsize = im->is64 ? sizeof(struct elf64_phdr) : sizeof(struct elf32_phdr);
	/* At most 0xffff * 0xffff: cannot overflow 64 bits. */
	uint64_t table = (uint64_t)eh->phnum * eh->phentsize;

	if (eh->phnum == 0)
		return fail(im, -XEN_EINVAL, "no program headers (e_phnum is 0)");
	if (eh->phnum == ELF_PN_XNUM)
		return fail(im, -XEN_ENOEXEC, "extended program header numbering (e_phnum 0xffff) is not supported");
	if (eh->phentsize < entsize)
		return fail(im, -XEN_EINVAL, "e_phentsize 0x%x is smaller than an ELF%d program header (0x%zx bytes)",
			    eh->phentsize, im->is64 ? 64 : 32, entsize);
	if (!in_image(im, eh->phoff, table))
		return fail(
			im, -XEN_EINVAL,
			"truncated: the program header table (offset 0x%llx, %u entries of 0x%x bytes) extends past "
			"the end of the image (0x%zx bytes)",
			(unsigned long long)eh->phoff, eh->phnum, eh->phentsize, im->size);
	return 0;
}

#define WIDEN_PHDR(h)                                \
	((struct phdr_info){ .type = (h).p_type,     \
			     .offset = (h).p_offset, \
			     .vaddr = (h).p_vaddr,   \
			     .paddr = (h).p_paddr,   \
			     .filesz = (h).p_filesz, \
			     .memsz = (h).p_memsz,   \
			     .align = (h).p_align })

/* Program header 'i'; check_phdr_table() has proved it is in bounds. */
static void read_phdr(const struct image *im, const struct ehdr_info *eh, unsigned int i, struct phdr_info *ph)
{
	const uint8_t *p = im->base + eh->phoff + (uint64_t)i * eh->phentsize;
	struct elf64_phdr h64;
	struct elf32_phdr h32;

	if (im->is64) {
		memcpy(&h64, p, sizeof(h64));
		*ph = WIDEN_PHDR(h64);
	} else {
		memcpy(&h32, p, sizeof(h32));
		*ph = WIDEN_PHDR(h32);
	}
}

/* Any segment that claims file bytes must have them, whatever its type. */
static int check_file_range(struct image *im, unsigned int i, const struct phdr_info *ph)
{
	if (ph->type == ELF_PT_NULL || ph->filesz == 0)
		return 0;
	if (ph->filesz > UINT64_MAX - ph->offset)
		return fail(im, -XEN_EINVAL, "program header %u: offset 0x%llx + file size 0x%llx overflows", i,
			    (unsigned long long)ph->offset, (unsigned long long)ph->filesz);
	if (!in_image(im, ph->offset, ph->filesz))
		return fail(im, -XEN_EINVAL,
			    "truncated: program header %u (offset 0x%llx, size 0x%llx) extends past the end of the "
			    "image (0x%zx bytes)",
			    i, (unsigned long long)ph->offset, (unsigned long long)ph->filesz, im->size);
	return 0;
}

/*
 * A PT_LOAD must fit its file data in memory, and its memory in the physical
 * address space: the exclusive end paddr + memsz must be representable (at
 * most 4 GiB for ELF32, whose loaders work with 32-bit addresses).
 */
static int check_load(struct image *im, unsigned int i, const struct phdr_info *ph)
{
	uint64_t limit = im->is64 ? UINT64_MAX : (uint64_t)UINT32_MAX + 1;

	if (ph->filesz > ph->memsz)
		return fail(im, -XEN_EINVAL, "program header %u: file size 0x%llx exceeds memory size 0x%llx", i,
			    (unsigned long long)ph->filesz, (unsigned long long)ph->memsz);
	if (ph->memsz > limit - ph->paddr)
		return fail(im, -XEN_EINVAL,
			    "program header %u: segment at paddr 0x%llx with memory size 0x%llx extends past the end "
			    "of the %s address space",
			    i, (unsigned long long)ph->paddr, (unsigned long long)ph->memsz,
			    im->is64 ? "64-bit" : "32-bit");
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Record a Xen PHYS32_ENTRY note; the first one found wins. */
static int xen_phys32_note(struct image *im, uint64_t off, const struct elf_note *n, const uint8_t *desc,
			   struct elf_image_info *info)
{
	uint64_t entry = 0;

	if (n->n_descsz != 4 && n->n_descsz != 8)
		return fail(im, -XEN_EINVAL,
			    "Xen note PHYS32_ENTRY at offset 0x%llx has a descriptor of %u bytes (expected 4 or 8)",
			    (unsigned long long)off, n->n_descsz);
	memcpy(&entry, desc, n->n_descsz); /* little-endian, zero-extended */
	if (entry > UINT32_MAX)
		return fail(im, -XEN_EINVAL, "Xen note PHYS32_ENTRY at offset 0x%llx: entry 0x%llx is above 4 GiB",
			    (unsigned long long)off, (unsigned long long)entry);
	if (!info->has_phys32_entry) {
		info->has_phys32_entry = true;
		info->phys32_entry = entry;
	}
	return 0;
}

/*
 * Walk the notes of PT_NOTE 'i' (whose file range is already checked). Each
 * note's name and descriptor must fit in the segment; the padding after the
 * last one may be missing. Offsets are relative to the segment, whose notes
 * are 4-byte aligned unless it asks for 8: then (as in the GNU property
 * notes of ELF64 images) each descriptor and next note starts 8-aligned.
 * The segment lies in the image, so no offset below exceeds its length by
 * more than a few bytes and nothing can wrap.
 */
static int check_notes(struct image *im, unsigned int i, const struct phdr_info *ph, struct elf_image_info *info)
{
	uint64_t a = ph->align == 8 ? 8 : 4, len = ph->filesz, rel = 0;
	const uint8_t *seg = im->base + ph->offset;
	struct elf_note n;
	int rc;

	while (rel < len) {
		uint64_t name = rel + sizeof(n), desc;

		if (len - rel < sizeof(n))
			return fail(
				im, -XEN_EINVAL,
				"truncated: note at offset 0x%llx in program header %u needs 0xc bytes, 0x%llx left",
				(unsigned long long)(ph->offset + rel), i, (unsigned long long)(len - rel));
		memcpy(&n, seg + rel, sizeof(n));
		desc = n.n_namesz <= len - name ? align_up(name + n.n_namesz, a) : UINT64_MAX;
		if (desc > len || n.n_descsz > len - desc)
			return fail(
				im, -XEN_EINVAL,
				"truncated: note at offset 0x%llx in program header %u (name 0x%x bytes, descriptor "
				"0x%x bytes) extends past the end of the segment",
				(unsigned long long)(ph->offset + rel), i, n.n_namesz, n.n_descsz);
		if (n.n_namesz == 4 && memcmp(seg + name, "Xen", 4) == 0 && n.n_type == XEN_ELFNOTE_PHYS32_ENTRY) {
			rc = xen_phys32_note(im, ph->offset + rel, &n, seg + desc, info);
			if (rc)
				return rc;
		}
		rel = align_up(desc + n.n_descsz, a);
	}
	return 0;
}

static void note_load(struct elf_image_info *info, const struct phdr_info *ph)
{
	info->nr_load++;
	if (ph->memsz == 0)
		return; /* occupies nothing, so it does not widen the range */
	/* load_max is 0 until the first non-empty segment: its end is > 0. */
	if (info->load_max == 0 || ph->paddr < info->load_min)
		info->load_min = ph->paddr;
	if (ph->paddr + ph->memsz > info->load_max)
		info->load_max = ph->paddr + ph->memsz;
}

static int check_phdr(struct image *im, unsigned int i, const struct phdr_info *ph, struct elf_image_info *info)
{
	int rc = check_file_range(im, i, ph);

	if (rc)
		return rc;
	if (ph->type == ELF_PT_LOAD) {
		rc = check_load(im, i, ph);
		if (rc == 0)
			note_load(info, ph);
	} else if (ph->type == ELF_PT_NOTE) {
		rc = check_notes(im, i, ph, info);
	}
	return rc;
}

/* The PVH entry must be code the loader actually copies from the file. */
static int check_phys32_entry(struct image *im, const struct ehdr_info *eh, const struct elf_image_info *info)
{
	struct phdr_info ph;

	if (!info->has_phys32_entry)
		return 0;
	for (unsigned int i = 0; i < eh->phnum; i++) {
		read_phdr(im, eh, i, &ph);
		if (ph.type == ELF_PT_LOAD && info->phys32_entry >= ph.paddr &&
		    info->phys32_entry - ph.paddr < ph.filesz)
			return 0;
	}
	return fail(im, -XEN_EINVAL, "Xen note PHYS32_ENTRY: entry 0x%llx is not inside the file data of any PT_LOAD",
		    (unsigned long long)info->phys32_entry);
}

static int check_image(struct image *im, struct elf_image_info *info)
{
	struct ehdr_info eh = { 0 };
	struct phdr_info ph;
	int rc;

	rc = check_ident(im);
	if (!rc)
		rc = read_ehdr(im, &eh);
	if (!rc)
		rc = check_ehdr(im, &eh);
	if (!rc)
		rc = check_phdr_table(im, &eh);
	if (rc)
		return rc;

	info->is64 = im->is64;
	info->machine = eh.machine;
	info->entry = eh.entry;
	for (unsigned int i = 0; i < eh.phnum; i++) {
		read_phdr(im, &eh, i, &ph);
		rc = check_phdr(im, i, &ph, info);
		if (rc)
			return rc;
	}
	if (info->nr_load == 0)
		return fail(im, -XEN_EINVAL, "no PT_LOAD program header");
	if (info->load_max == 0)
		return fail(im, -XEN_EINVAL, "every PT_LOAD segment is empty (memory size 0)");
	return check_phys32_entry(im, &eh, info);
}

int elf_check(const void *image, size_t size, struct elf_image_info *info, char *err, size_t errlen)
{
	struct image im = { .base = image, .size = image ? size : 0, .err = err, .errlen = err ? errlen : 0 };
	struct elf_image_info found = { 0 };
	int rc;

	rc = check_image(&im, &found);
	if (rc == 0 && im.errlen)
		err[0] = '\0';
	if (info)
		*info = rc == 0 ? found : (struct elf_image_info){ 0 };
	return rc;
}
