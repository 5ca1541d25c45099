#!/bin/sh
# `make run`: boot Basalt in QEMU (software emulation, 2 CPUs, 2 GiB) with
# two Linux domains and the hypervisor console on this terminal.
#   d1 "linux-a"  Debian's stock kernel, 2 vCPUs, weight 512, a busybox shell
#   d2 "linux-b"  the same kernel, 1 vCPU, weight 256, a busybox shell
#   (build/linux/: scripts/mklinux.sh; the shells are tests/linux/init)
#   Ctrl-A three times   move console input: Basalt -> d1 -> d2 -> Basalt
#   Ctrl-] x   quit QEMU          Ctrl-] c   QEMU monitor (and back)
# Ctrl-A is not QEMU's escape key: the hypervisor console uses it, as on Xen.
# Extra boot options: BASALT_ARGS="loglvl=debug" make run
# Extra QEMU options: QEMU_ARGS="-smp 4" make run
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh run
kernel=${KERNEL:-build/basalt.elf}
[ -f "$kernel" ] || { echo "run.sh: $kernel is missing; run make first" >&2; exit 1; }
for f in vmlinuz initramfs.cpio.gz; do
	[ -f "build/linux/$f" ] || { echo "run.sh: build/linux/$f is missing; run make linux" >&2; exit 1; }
done
cat >build/linux/demo.cfg <<'CFG'
# make run's demo domains (docs/domains.md explains the format)
name = "linux-a"
kernel = "vmlinuz"
ramdisk = "initramfs.cpio.gz"
cmdline = "console=hvc0 quiet"
memory = 256
vcpus = 2
weight = 512
on_reboot = "restart"
---
name = "linux-b"
kernel = "vmlinuz"
ramdisk = "initramfs.cpio.gz"
cmdline = "console=hvc0 quiet"
memory = 256
vcpus = 1
weight = 256
on_reboot = "restart"
CFG
echo "Booting Basalt in QEMU (software emulation) with two Linux domains. Quit: Ctrl-] then x."
echo "Ctrl-A three times switches console input (Basalt debug keys -> d1 -> d2). Type h for debug keys."
# shellcheck disable=SC2086
exec qemu-system-x86_64 -accel tcg -cpu max -M q35 -smp 2 -m 2G \
	-display none -serial mon:stdio -echr 0x1d -no-reboot \
	-kernel "$kernel" -append "console=com1 com1=115200,8n1 ${BASALT_ARGS:-}" \
	-initrd "build/linux/demo.cfg,build/linux/vmlinuz,build/linux/initramfs.cpio.gz" ${QEMU_ARGS:-}
