/*
 * Symbol lookup for stack traces. The table is generated at build time by
 * scripts/mksyms.sh from the first link and placed in .basalt_syms: sorted
 * addresses, offsets into a string block, and the strings.
 */
#include <hv/console.h>
#include <hv/symbols.h>

extern const uint64_t symbols_count;
extern const uint64_t symbols_addrs[];
extern const uint32_t symbols_name_offs[];
extern const char symbols_names[];
extern const char __text_start[], __text_end[];

const char *symbol_lookup(uint64_t addr, uint64_t *offset, uint64_t *size)
{
	uint64_t lo = 0, hi = symbols_count;

	if (!symbols_count || addr < symbols_addrs[0] || addr >= (uint64_t)(uintptr_t)__text_end)
		return NULL;
	/* last symbol with address <= addr */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (symbols_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - symbols_addrs[lo];
	*size = (lo + 1 < symbols_count ? symbols_addrs[lo + 1] : (uint64_t)(uintptr_t)__text_end) - symbols_addrs[lo];
	return symbols_names + symbols_name_offs[lo];
}

void print_symbol(const char *prefix, uint64_t addr)
{
	uint64_t off, size;
	const char *name = symbol_lookup(addr, &off, &size);

	if (name)
		printk("%s[<%016llx>] %s+%#llx/%#llx\n", prefix, (unsigned long long)addr, name,
		       (unsigned long long)off, (unsigned long long)size);
	else
		printk("%s[<%016llx>] ?\n", prefix, (unsigned long long)addr);
}
