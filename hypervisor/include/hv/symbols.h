/* The hypervisor's own symbol table, for stack traces (common/symbols.c). */
#ifndef HV_SYMBOLS_H
#define HV_SYMBOLS_H

#include <hv/types.h>

/* Name of the function containing 'addr' (NULL if none); *offset is addr's
 * distance from its start, *size the distance to the next symbol. */
const char *symbol_lookup(uint64_t addr, uint64_t *offset, uint64_t *size);
/* Print "[<addr>] name+off/size" on one line at the given level prefix. */
void print_symbol(const char *prefix, uint64_t addr);

#endif
