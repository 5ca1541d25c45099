#!/bin/sh
# Install the Debian packages Basalt needs, idempotently.
# Usage: scripts/deps.sh [build|test|iso|run|all]...
# As root, missing packages are installed with apt-get; otherwise the exact
# apt-get line is printed and the script fails.
set -eu

pkgs_for() {
	case "$1" in
	build) echo "make gcc clang lld binutils" ;;
	test) echo "make gcc clang lld binutils libcmocka-dev qemu-system-x86 grub-pc-bin grub-common xorriso mtools xz-utils gzip python3 cpio libc6-dev" ;;
	iso) echo "grub-pc-bin grub-common xorriso mtools" ;;
	run) echo "qemu-system-x86" ;;
	check) echo "clang-format cppcheck clang" ;;
	linux) echo "cpio gzip gcc libc6-dev" ;;
	all) echo "make gcc clang lld binutils libcmocka-dev qemu-system-x86 grub-pc-bin grub-common xorriso mtools xz-utils gzip clang-format cppcheck python3 cpio libc6-dev" ;;
	*) echo "deps.sh: unknown set '$1'" >&2; exit 2 ;;
	esac
}

[ $# -gt 0 ] || set -- all
want=""
for set_name in "$@"; do
	want="$want $(pkgs_for "$set_name")"
done

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "Basalt needs these Debian packages; as root run:" >&2
	echo "  apt-get install -y$missing" >&2
	exit 1
fi

echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Update the package lists only when an install would otherwise fail.
if ! apt-get install -y --no-install-recommends $missing >/dev/null 2>&1; then
	apt-get update -q >/dev/null
	apt-get install -y --no-install-recommends $missing
fi
