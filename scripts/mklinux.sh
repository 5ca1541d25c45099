#!/bin/sh
# Build the Linux test guest: Debian 12's stock kernel (linux-image-amd64,
# unmodified) and a busybox initramfs. Everything comes from Debian's archive
# through apt-get download; nothing is installed into the system and nothing
# is fetched from anywhere else.
#
# Usage: scripts/mklinux.sh [OUTDIR]     (default build/linux)
# Produces OUTDIR/vmlinuz, OUTDIR/initramfs.cpio.gz and OUTDIR/kernel-version.
# The initramfs's /init is tests/linux/init (see tests/linux/README.md).
set -eu

out=${1:-build/linux}
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out/deb"
out=$(cd "$out" && pwd)

# apt-get download writes as the _apt user when it can: give it the directory
chmod 0777 "$out/deb" 2>/dev/null || true

fetch() { # fetch PACKAGE: the .deb into $out/deb (once), its path on stdout
	f=$(ls "$out/deb/$1"_*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$f" ]; then
		(cd "$out/deb" && apt-get download "$1" >/dev/null 2>&1) ||
			(apt-get update -q >/dev/null && cd "$out/deb" && apt-get download "$1" >/dev/null) || {
			echo "mklinux.sh: cannot download Debian package $1" >&2
			exit 1
		}
		f=$(ls "$out/deb/$1"_*.deb | head -n 1)
	fi
	echo "$f"
}

# linux-image-amd64 is a metapackage: the kernel is the package it depends on
meta=$(fetch linux-image-amd64)
kpkg=$(dpkg-deb -f "$meta" Depends | sed 's/[ ,(].*//')
case "$kpkg" in
linux-image-*) ;;
*) echo "mklinux.sh: unexpected dependency '$kpkg' of linux-image-amd64" >&2; exit 1 ;;
esac
kdeb=$(fetch "$kpkg")
kver=${kpkg#linux-image-}

if [ ! -s "$out/vmlinuz" ] || [ "$(cat "$out/kernel-version" 2>/dev/null)" != "$kver" ]; then
	rm -rf "$out/kernel"
	mkdir -p "$out/kernel"
	dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$out/kernel" "./boot/vmlinuz-$kver"
	cp "$out/kernel/boot/vmlinuz-$kver" "$out/vmlinuz"
	rm -rf "$out/kernel"
	echo "$kver" >"$out/kernel-version"
fi

bdeb=$(fetch busybox-static)
root="$out/initramfs"
rm -rf "$root"
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/etc"
dpkg-deb --fsys-tarfile "$bdeb" | tar -x -O ./bin/busybox >"$root/bin/busybox"
chmod 0755 "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
install -m 0755 "$top/tests/linux/init" "$root/init"
# the CPU-bound benchmark program, static so it needs no libc in the image
gcc -O2 -static -o "$root/bin/cpuloop" "$top/tests/linux/cpuloop.c"
echo "basalt" >"$root/etc/hostname"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -9 >"$out/initramfs.cpio.gz"
rm -rf "$root"
echo "mklinux.sh: $out/vmlinuz ($kver), $out/initramfs.cpio.gz"
