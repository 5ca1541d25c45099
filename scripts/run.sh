#!/bin/sh
# `make run`: boot Basalt in QEMU (software emulation, 2 CPUs, 2 GiB) with
# the hypervisor console on this terminal.
#   Ctrl-] x   quit QEMU          Ctrl-] c   QEMU monitor (and back)
# Ctrl-A is left alone: the hypervisor console uses it (three times) to move
# input between the hypervisor and its domains, as on Xen.
# Extra boot options: BASALT_ARGS="loglvl=debug" make run
# Extra QEMU options: QEMU_ARGS="-smp 4" make run
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh run
kernel=${KERNEL:-build/basalt.elf}
[ -f "$kernel" ] || { echo "run.sh: $kernel is missing; run make first" >&2; exit 1; }
echo "Booting Basalt in QEMU (software emulation). Quit: Ctrl-] then x. Debug keys: type h."
# shellcheck disable=SC2086
exec qemu-system-x86_64 -accel tcg -cpu max -M q35 -smp 2 -m 2G \
	-display none -serial mon:stdio -echr 0x1d -no-reboot \
	-kernel "$kernel" -append "console=com1 com1=115200,8n1 ${BASALT_ARGS:-}" ${QEMU_ARGS:-}
