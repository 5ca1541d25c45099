#!/usr/bin/env python3
"""VM-exit benchmark: CPUID and a null hypercall, in guest TSC cycles.

Boots the bench guest (tests/guests/bench.c) twice in the same invocation:
directly under QEMU (PVH boot, no hypervisor: CPUID is just an emulated
instruction, the baseline) and as a Basalt domain through scripts/run-guest
(CPUID exits to Basalt and back; the hypercall is xen_version through the
hypercall page). Each side reports the median of N round trips. Rows follow
docs/bench.md (format v1); run after bench/boot.py, which prints the header.
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import qemu  # noqa: E402

ROW = re.compile(r"BENCH (\S+) median=(\d+) min=(\d+) n=(\d+)")


def parse(out):
    return {m.group(1): (int(m.group(2)), int(m.group(4))) for m in ROW.finditer(out)}


def native(elf, n, timeout):
    argv = [qemu.QEMU, "-accel", "tcg", "-cpu", "max", "-M", "q35", "-m", "256M", "-display", "none",
            "-serial", "stdio", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
            "-kernel", elf, "-append", "n=%d" % n]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    return parse(p.stdout.decode("utf-8", "replace"))


def basalt(elf, n, timeout):
    argv = [os.path.join(ROOT, "scripts", "run-guest"), "--timeout", str(timeout), elf, "--", "n=%d" % n]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout + 30)
    return parse(p.stdout.decode("utf-8", "replace")), p.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100000, help="round trips per row (default 100000)")
    ap.add_argument("--elf", default=os.path.join(ROOT, "build", "guests", "bench.elf"))
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()
    if not os.path.exists(args.elf):
        print("# error: %s is missing (make guests)" % args.elf)
        return 1
    base = native(args.elf, args.n, args.timeout)
    hv, rc = basalt(args.elf, args.n, args.timeout)
    if "cpuid" not in base or "cpuid" not in hv or "hypercall" not in hv or rc != 0:
        print("# error: the bench guest did not report (native %s, basalt %s, run-guest status %d)" % (
            sorted(base), sorted(hv), rc))
        return 1
    b = base["cpuid"][0]
    print("bench exit.cpuid.native %d cycles runs=%d" % (b, base["cpuid"][1]))
    for name in ("cpuid", "hypercall"):
        med, count = hv[name]
        print("bench exit.%s.basalt %d cycles runs=%d ratio=%.1f baseline=exit.cpuid.native" % (
            name, med, count, med / max(b, 1)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
