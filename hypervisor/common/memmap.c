/*
 * Boot memory map and module list checks. Pure code (unit-tested on the host):
 * it only rearranges struct boot_info and reports what it had to fix.
 */
#include <hv/bootinfo.h>
#include <hv/console.h>
#include <hv/lib.h>

static const char *e820_name(uint32_t type)
{
	static const char *const names[] = { "?", "RAM", "reserved", "ACPI", "ACPI NVS", "unusable" };

	return type < ARRAY_SIZE(names) ? names[type] : "?";
}

/* Where regions overlap, the more restrictive type wins: anything beats RAM,
 * and among the rest the higher number (reserved=2 is special-cased highest). */
static unsigned int type_priority(uint32_t type)
{
	if (type == E820_RAM)
		return 0;
	if (type == E820_RESERVED)
		return 10;
	return type;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void report_overlaps(const struct boot_info *bi)
{
	for (unsigned int i = 0; i < bi->nr_mem; i++)
		for (unsigned int j = i + 1; j < bi->nr_mem; j++) {
			const struct boot_mem_region *a = &bi->mem[i], *b = &bi->mem[j];

			if (a->addr < b->addr + b->size && b->addr < a->addr + a->size)
				printk(LOG_WARN "memory map: %s [%#llx-%#llx) overlaps %s [%#llx-%#llx); "
						"the overlap is treated as %s\n",
				       e820_name(a->type), (unsigned long long)a->addr,
				       (unsigned long long)(a->addr + a->size), e820_name(b->type),
				       (unsigned long long)b->addr, (unsigned long long)(b->addr + b->size),
				       e820_name(type_priority(a->type) >= type_priority(b->type) ? a->type : b->type));
		}
}

/* Drop empty and wrapping entries, in place. */
static void drop_bad_regions(struct boot_info *bi)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < bi->nr_mem; i++) {
		const struct boot_mem_region *r = &bi->mem[i];

		if (!r->size) {
			printk(LOG_WARN "memory map: zero-length %s entry at %#llx ignored\n", e820_name(r->type),
			       (unsigned long long)r->addr);
			continue;
		}
		if (r->addr + r->size < r->addr) {
			printk(LOG_WARN "memory map: %s entry %#llx+%#llx wraps around, ignored\n", e820_name(r->type),
			       (unsigned long long)r->addr, (unsigned long long)r->size);
			continue;
		}
		bi->mem[n++] = *r;
	}
	bi->nr_mem = n;
}

void memmap_sanitize(struct boot_info *bi)
{
	static uint64_t bounds[2 * BOOT_MAX_MEMMAP];
	static struct boot_mem_region out[2 * BOOT_MAX_MEMMAP];
	unsigned int nb = 0, no = 0;

	drop_bad_regions(bi);
	report_overlaps(bi);

	/* Sweep the elementary intervals between all region boundaries; each
	 * takes the highest-priority type covering it; neighbours of one type
	 * merge. O(n^2) on at most 128 entries. */
	for (unsigned int i = 0; i < bi->nr_mem; i++) {
		bounds[nb++] = bi->mem[i].addr;
		bounds[nb++] = bi->mem[i].addr + bi->mem[i].size;
	}
	sort(bounds, nb, sizeof(bounds[0]), cmp_u64, NULL);
	for (unsigned int k = 0; k + 1 < nb; k++) {
		uint64_t s = bounds[k], e = bounds[k + 1];
		uint32_t type = 0;

		if (s == e)
			continue;
		for (unsigned int i = 0; i < bi->nr_mem; i++) {
			const struct boot_mem_region *r = &bi->mem[i];

			if (r->addr <= s && e <= r->addr + r->size &&
			    (!type || type_priority(r->type) > type_priority(type)))
				type = r->type;
		}
		if (!type)
			continue; /* a hole */
		if (no && out[no - 1].type == type && out[no - 1].addr + out[no - 1].size == s)
			out[no - 1].size += e - s;
		else
			out[no++] = (struct boot_mem_region){ s, e - s, type };
	}
	if (no > BOOT_MAX_MEMMAP) {
		printk(LOG_WARN "memory map: %u regions after resolving overlaps, keeping %d\n", no, BOOT_MAX_MEMMAP);
		no = BOOT_MAX_MEMMAP;
	}
	memcpy(bi->mem, out, no * sizeof(out[0]));
	bi->nr_mem = no;
}

static bool ranges_overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 < e2 && s2 < e1;
}

static bool module_in_ram(const struct boot_info *bi, const struct boot_module *m)
{
	for (unsigned int i = 0; i < bi->nr_mem; i++) {
		const struct boot_mem_region *r = &bi->mem[i];

		if (r->type == E820_RAM && r->addr <= m->start && m->start + m->size <= r->addr + r->size)
			return true;
	}
	return false;
}

void modules_check(struct boot_info *bi, paddr_t image_start, paddr_t image_end)
{
	bool bad[BOOT_MAX_MODULES] = { false };
	unsigned int n = 0;

	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->modules[i];

		if (!m->size) {
			printk(LOG_ERR "module %u (\"%s\") is empty (zero length), ignored\n", m->number, m->cmdline);
			bad[i] = true;
		} else if (ranges_overlap(m->start, m->start + m->size, image_start, image_end)) {
			printk(LOG_ERR "module %u (\"%s\") at [%#llx-%#llx) overlaps the hypervisor image, ignored\n",
			       m->number, m->cmdline, (unsigned long long)m->start,
			       (unsigned long long)(m->start + m->size));
			bad[i] = true;
		} else if (!module_in_ram(bi, m)) {
			printk(LOG_ERR "module %u (\"%s\") at [%#llx-%#llx) is not in RAM, ignored\n", m->number,
			       m->cmdline, (unsigned long long)m->start, (unsigned long long)(m->start + m->size));
			bad[i] = true;
		}
		for (unsigned int j = 0; j < i; j++) {
			const struct boot_module *o = &bi->modules[j];

			if (m->size && o->size &&
			    ranges_overlap(m->start, m->start + m->size, o->start, o->start + o->size)) {
				printk(LOG_ERR
				       "modules %u and %u overlap ([%#llx-%#llx) and [%#llx-%#llx)), both ignored\n",
				       o->number, m->number, (unsigned long long)o->start,
				       (unsigned long long)(o->start + o->size), (unsigned long long)m->start,
				       (unsigned long long)(m->start + m->size));
				bad[i] = bad[j] = true;
			}
		}
	}
	for (unsigned int i = 0; i < bi->nr_modules; i++)
		if (!bad[i])
			bi->modules[n++] = bi->modules[i];
	bi->nr_modules = n;
}
