#!/usr/bin/env python3
"""Grant copy benchmark: GNTTABOP_copy throughput for 4 KiB pages.

Boots the bench guest (tests/guests/bench.c) once as a Basalt domain
through scripts/run-guest with gnttab=M: in that one domain it times M
copies of 4 KiB each way: with rep movsq inside the guest (the baseline),
with one GNTTABOP_copy per hypercall (grant -> own frame; the grant is the
domain's own, which takes the same path as another domain's), and with 16
copy ops per hypercall. Medians of guest TSC cycles per page, converted
to pages/s with the guest's TSC frequency. Rows follow docs/bench.md
(format v1); run after bench/boot.py, which prints the header.
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROW = re.compile(r"BENCH (\S+) median=(\d+) min=(\d+) n=(\d+)")
KHZ = re.compile(r"BENCH-INFO tsc_khz=(\d+)")
ROWS = [("memcpy4k", "gnttab.memcpy_4k.basalt"), ("gntcopy4k", "gnttab.copy_4k.basalt"),
        ("gntcopy4k_b16", "gnttab.copy_4k_batch16.basalt")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--m", type=int, default=5000, help="copies per row (default 5000)")
    ap.add_argument("--elf", default=os.path.join(ROOT, "build", "guests", "bench.elf"))
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()
    if not os.path.exists(args.elf):
        print("# error: %s is missing (make guests)" % args.elf)
        return 1
    argv = [os.path.join(ROOT, "scripts", "run-guest"), "--timeout", str(args.timeout), args.elf, "--",
            "n=10 gnttab=%d" % args.m]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=args.timeout + 30)
    out = p.stdout.decode("utf-8", "replace")
    rows = {m.group(1): (int(m.group(2)), int(m.group(4))) for m in ROW.finditer(out)}
    khz = KHZ.search(out)
    if p.returncode != 0 or not khz or any(r not in rows for r, _ in ROWS):
        print("# error: the bench guest did not report (rows %s, run-guest status %d)" % (sorted(rows), p.returncode))
        return 1
    hz = int(khz.group(1)) * 1000
    base = None
    for key, name in ROWS:
        cycles, count = rows[key]
        rate = hz / max(cycles, 1)
        if base is None:
            base = rate
            print("bench %s %.0f pages/s runs=%d" % (name, rate, count))
        else:
            print("bench %s %.0f pages/s runs=%d ratio=%.3f baseline=%s" % (name, rate, count, rate / base,
                                                                             ROWS[0][1]))
        print("# %s: %d cycles per 4 KiB page (median), %.2f GB/s at %d kHz" % (name, cycles, rate * 4096 / 1e9,
                                                                                hz // 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
