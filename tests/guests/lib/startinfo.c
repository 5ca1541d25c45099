/*
 * The hvm_start_info the loader passes in %ebx: copied at boot (command
 * line, memory map), because the page it lives in may be reused later.
 * Also the command line's key=value words and a little physical-memory
 * bookkeeping: which low pages are free for real-mode code.
 */
#include "guest.h"

static bool addr_ok(uint64_t pa, uint64_t len)
{
	return pa && pa < 0x100000000ull && len < 0x100000000ull - pa;
}

void startinfo_parse(uint32_t pa)
{
	const struct hvm_start_info *si = (const struct hvm_start_info *)(uintptr_t)pa;

	env.start_info_pa = pa;
	if (!addr_ok(pa, sizeof(*si)))
		return;
	memcpy(&env.si, si, __builtin_offsetof(struct hvm_start_info, memmap_paddr));
	if (env.si.magic != XEN_HVM_START_MAGIC_VALUE)
		return;
	env.si_valid = true;
	if (env.si.version >= 1) {
		env.si.memmap_paddr = si->memmap_paddr;
		env.si.memmap_entries = si->memmap_entries;
	}
	if (addr_ok(env.si.cmdline_paddr, CMDLINE_MAX)) {
		const char *s = (const char *)(uintptr_t)env.si.cmdline_paddr;
		size_t i;

		for (i = 0; i < CMDLINE_MAX - 1 && s[i]; i++)
			env.cmdline[i] = s[i];
		env.cmdline[i] = '\0';
	}
	if (env.si.memmap_entries &&
	    addr_ok(env.si.memmap_paddr, (uint64_t)env.si.memmap_entries * sizeof(struct hvm_memmap_table_entry))) {
		env.nr_memmap = env.si.memmap_entries < MAX_MEMMAP ? env.si.memmap_entries : MAX_MEMMAP;
		memcpy(env.memmap, (const void *)(uintptr_t)env.si.memmap_paddr,
		       env.nr_memmap * sizeof(struct hvm_memmap_table_entry));
	}
	env.rsdp = env.si.rsdp_paddr;
}

/* Finds "key=" at the start of a word; returns the value's start. */
static const char *cmdline_find(const char *key)
{
	size_t klen = strlen(key);
	const char *p = env.cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, klen) && (p[klen] == '=' || p[klen] == ' ' || p[klen] == '\0'))
			return p[klen] == '=' ? p + klen + 1 : p + klen;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

bool cmdline_has(const char *key)
{
	return cmdline_find(key) != NULL;
}

bool cmdline_str(const char *key, char *buf, size_t len)
{
	const char *v = cmdline_find(key);
	size_t i = 0;

	if (!v || !len)
		return false;
	while (v[i] && v[i] != ' ' && i + 1 < len) {
		buf[i] = v[i];
		i++;
	}
	buf[i] = '\0';
	return true;
}

uint64_t cmdline_u64(const char *key, uint64_t dflt)
{
	const char *v = cmdline_find(key);
	const char *end;
	uint64_t n;

	if (!v)
		return dflt;
	n = strtou64(v, &end);
	return end == v ? dflt : n;
}

bool phys_in_memmap(uint64_t pa, uint32_t *type)
{
	for (unsigned i = 0; i < env.nr_memmap; i++) {
		const struct hvm_memmap_table_entry *e = &env.memmap[i];

		if (pa >= e->addr && pa - e->addr < e->size) {
			if (type)
				*type = e->type;
			return true;
		}
	}
	return false;
}

uint64_t ram_end(void)
{
	uint64_t end = 0;

	for (unsigned i = 0; i < env.nr_memmap; i++)
		if (env.memmap[i].type == XEN_HVM_MEMMAP_TYPE_RAM && env.memmap[i].addr + env.memmap[i].size > end)
			end = env.memmap[i].addr + env.memmap[i].size;
	if (!end)
		end = (uintptr_t)__image_end; /* no map: all we know is there */
	return end;
}

/* Low pages handed out so far (a test needs only a couple). */
static uint32_t lowmem_used[8];
static unsigned lowmem_nr;

static bool overlaps(uint32_t page, uint64_t pa, uint64_t len)
{
	return pa && len && pa < page + 4096ull && pa + len > page;
}

static bool lowmem_page_free(uint32_t page)
{
	uint32_t type;

	if (env.nr_memmap) {
		/* Whole page inside a RAM range. */
		if (!phys_in_memmap(page, &type) || type != XEN_HVM_MEMMAP_TYPE_RAM)
			return false;
		if (!phys_in_memmap(page + 4095, &type) || type != XEN_HVM_MEMMAP_TYPE_RAM)
			return false;
	}
	if (overlaps(page, env.start_info_pa, sizeof(struct hvm_start_info)) ||
	    overlaps(page, env.si.cmdline_paddr, CMDLINE_MAX) ||
	    overlaps(page, env.si.memmap_paddr, env.si.memmap_entries * sizeof(struct hvm_memmap_table_entry)) ||
	    overlaps(page, env.si.modlist_paddr, env.si.nr_modules * sizeof(struct hvm_modlist_entry)) ||
	    overlaps(page, env.rsdp, 36))
		return false;
	for (unsigned i = 0; i < lowmem_nr; i++)
		if (lowmem_used[i] == page)
			return false;
	return true;
}

uint32_t lowmem_alloc_page(void)
{
	if (lowmem_nr == ARRAY_SIZE(lowmem_used))
		return 0;
	/* Skip the first 32 KiB (real-mode IVT, BIOS data, whatever a loader
	 * keeps there); stop below the EBDA/VGA area. */
	for (uint32_t page = 0x8000; page < 0x9f000; page += 0x1000) {
		if (lowmem_page_free(page)) {
			lowmem_used[lowmem_nr++] = page;
			return page;
		}
	}
	return 0;
}
