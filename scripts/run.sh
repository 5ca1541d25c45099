#!/bin/sh
# `make run`: boot Basalt in QEMU (software emulation, 2 CPUs, 2 GiB) with
# two demo domains and the hypervisor console on this terminal.
#   d1 "echo"   a test guest that echoes every line typed into its console
#               (its PV console ring) until the line "quit"
#   d2 "hello"  a test guest that says hello and powers off
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
for g in console-ring hello; do
	[ -f "build/guests/$g.elf" ] || { echo "run.sh: build/guests/$g.elf is missing; run make guests" >&2; exit 1; }
done
mkdir -p build/demo
cat >build/demo/demo.cfg <<'CFG'
# make run's demo domains (docs/domains.md explains the format)
name = "echo"
kernel = "console-ring.elf"
cmdline = "echo=1 loop=1 wait=100000"
memory = 32
---
name = "hello"
kernel = "hello.elf"
memory = 32
CFG
echo "Booting Basalt in QEMU (software emulation). Quit: Ctrl-] then x."
echo "Ctrl-A three times switches console input (Basalt debug keys -> d1 -> d2). Type h for debug keys."
# shellcheck disable=SC2086
exec qemu-system-x86_64 -accel tcg -cpu max -M q35 -smp 2 -m 2G \
	-display none -serial mon:stdio -echr 0x1d -no-reboot \
	-kernel "$kernel" -append "console=com1 com1=115200,8n1 ${BASALT_ARGS:-}" \
	-initrd "build/demo/demo.cfg,build/guests/console-ring.elf,build/guests/hello.elf" ${QEMU_ARGS:-}
