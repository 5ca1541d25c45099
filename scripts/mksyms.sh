#!/bin/sh
# Generate the hypervisor's symbol table (for stack traces) as assembly.
# Usage: mksyms.sh NM ELF   (ELF "-" gives an empty table)
# Only text symbols are listed: they are all that stack traces need, and
# their addresses do not move between the two links (see basalt.lds).
set -eu
nm_cmd=$1
elf=$2
echo '	.section .basalt_syms, "a"'
echo '	.balign 8'
if [ "$elf" = "-" ]; then
	syms=""
else
	syms=$("$nm_cmd" -n --defined-only "$elf" | awk '$2 ~ /^[tT]$/ && $3 !~ /^\./ { print $1, $3 }')
fi
count=$(printf '%s' "$syms" | grep -c . || true)
echo '	.globl symbols_count'
echo "symbols_count: .quad $count"
echo '	.globl symbols_addrs'
echo 'symbols_addrs:'
printf '%s\n' "$syms" | awk 'NF == 2 { print "	.quad 0x" $1 }'
echo '	.globl symbols_name_offs'
echo 'symbols_name_offs:'
printf '%s\n' "$syms" | awk 'NF == 2 { print "	.long " off; off += length($2) + 1 }' off=0
echo '	.globl symbols_names'
echo 'symbols_names:'
printf '%s\n' "$syms" | awk 'NF == 2 { print "	.asciz \"" $2 "\"" }'
echo '	.byte 0'
