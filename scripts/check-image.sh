#!/bin/sh
# Sanity checks on the linked hypervisor.
# Usage: check-image.sh NM PASS1_ELF FINAL_ELF
# - text symbols must not move between the two links (else stack traces lie);
# - the image must lie below 4 GiB (it is converted to ELF32 for loaders).
set -eu
nm_cmd=$1
text_syms() { "$nm_cmd" -n --defined-only "$1" | awk '$2 ~ /^[tT]$/ { print $1, $3 }'; }
a=$(text_syms "$2" | md5sum)
b=$(text_syms "$3" | md5sum)
if [ "$a" != "$b" ]; then
	echo "check-image: text symbols moved between the links of $2 and $3" >&2
	exit 1
fi
end=$("$nm_cmd" "$3" | awk '$3 == "__image_end" { print $1 }')
case "$end" in
	00000000????????) ;;
	*) echo "check-image: image end $end is not below 4 GiB" >&2; exit 1 ;;
esac
