#!/usr/bin/env python3
"""Event channel benchmarks: send-to-upcall latency inside one domain and
between two domains, in guest TSC cycles, against the null hypercall.

The guest is tests/guests/evtchn-peer.c with bench=N:
1. alone (-smp 1): N null hypercalls (xen_version), then N sends on an IPI
   port to itself, each timed from before EVTCHNOP_send to the upcall
   handler finding the port pending; once with the 2-level ABI (callback
   vector) and once with the FIFO ABI (per-vCPU upcall vector);
2. two domains (-smp 2, pinned to pCPUs 0 and 1, waiting by spinning): d1
   times N round trips send -> d2's handler -> d2's send -> d1's handler,
   reported as round trip / 2; with either ABI, and with the 2-level ABI
   once more on one shared pCPU (waiting by SCHEDOP_yield, so each leg
   includes a context switch).
The baseline is the median of the null hypercall medians of all these
boots (same invocation). Rows follow docs/bench.md (format v1); run after
bench/boot.py, which prints the header.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROW = re.compile(r"\(d(\d+)\) BENCH (\S+) median=(\d+) min=(\d+) n=(\d+)")
PAIR = "role=%s peer=%d port=3 bench=%%(n)d"

# row name, cmdlines of the domains, pCPUs, pin each domain to its own pCPU,
# the timed row, the divisor (a round trip is two one-way events)
RUNS = [
    ("evtchn.self_2l.basalt", ["role=solo abi=2l bench=%(n)d"], 1, False, "evtchn_self", 1),
    ("evtchn.self_fifo.basalt", ["role=solo abi=fifo bench=%(n)d"], 1, False, "evtchn_self", 1),
    ("evtchn.pingpong_2l.basalt",
     [PAIR % ("alloc", 2) + " abi=2l spin=1", PAIR % ("bind", 1) + " abi=2l spin=1"], 2, True,
     "evtchn_rtt", 2),
    ("evtchn.pingpong_fifo.basalt",
     [PAIR % ("alloc", 2) + " abi=fifo spin=1", PAIR % ("bind", 1) + " abi=fifo spin=1"], 2, True,
     "evtchn_rtt", 2),
    ("evtchn.pingpong_2l_1pcpu.basalt", [PAIR % ("alloc", 2) + " abi=2l", PAIR % ("bind", 1) + " abi=2l"], 1,
     False, "evtchn_rtt", 2),
]


def boot(elf, cmdlines, smp, pin, timeout):
    """Boot the domains; {(domid, row): (median, n, min)} or None (the error printed)."""
    cfg = tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False)
    for i, cmdline in enumerate(cmdlines):
        if i:
            cfg.write("---\n")
        cfg.write('name = "ev%d"\nkernel = "%s"\nmemory = 64\ncmdline = "%s"\n' % (i, elf, cmdline))
        if pin:
            cfg.write('cpus = "%d"\n' % i)
    cfg.close()
    argv = [os.path.join(ROOT, "scripts", "run-guest"), "--smp", str(smp), "--timeout", str(timeout),
            "--domains", cfg.name]
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout + 30)
    finally:
        os.unlink(cfg.name)
    out = p.stdout.decode("utf-8", "replace")
    got = {}
    for m in ROW.finditer(out):
        got[(int(m.group(1)), m.group(2))] = (int(m.group(3)), int(m.group(5)), int(m.group(4)))
    if p.returncode != 0:
        last = [ln for ln in out.splitlines() if "VERDICT" in ln or "error" in ln.lower()][-3:]
        print("# error: run-guest status %d for %s: %s" % (p.returncode, cmdlines, " | ".join(last)))
        return None
    return got


def median(values):
    s = sorted(values)
    return s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--elf", default=os.path.join(ROOT, "build", "guests", "evtchn-peer.elf"))
    ap.add_argument("--n", type=int, default=2000, help="timed events per row (default 2000, at most 5000)")
    ap.add_argument("--timeout", type=int, default=120)
    args = ap.parse_args()
    if not os.path.exists(args.elf):
        print("# error: %s is missing (make guests)" % args.elf)
        return 1
    hypercalls, hc_runs, rows, ok = [], 0, [], True
    for name, cmdlines, smp, pin, timed, div in RUNS:
        cmdlines = [c % {"n": args.n} for c in cmdlines]
        got = boot(args.elf, cmdlines, smp, pin, args.timeout)
        if not got or (1, timed) not in got or (1, "hypercall") not in got:
            if got is not None:
                print("# error: %s: no BENCH %s row from d1 (rows %s)" % (name, timed, sorted(got)))
            rows.append((name, None, 0))
            ok = False
            continue
        hypercalls.append(got[(1, "hypercall")][0])
        print("# %s: %s median %d cycles (min %d), null hypercall %d cycles in the same boot" % (
            name, timed, got[(1, timed)][0], got[(1, timed)][2], got[(1, "hypercall")][0]))
        hc_runs += got[(1, "hypercall")][1]
        rows.append((name, got[(1, timed)][0] / float(div), got[(1, timed)][1]))
    if not hypercalls:
        print("bench evtchn.hypercall.basalt nan cycles runs=0")
        for name, _, _ in rows:
            print("bench %s nan cycles runs=0" % name)
        return 1
    hc = median(hypercalls)
    print("bench evtchn.hypercall.basalt %.0f cycles runs=%d" % (hc, hc_runs))
    for name, value, runs in rows:
        if value is None:
            print("bench %s nan cycles runs=0" % name)
        else:
            print("bench %s %.0f cycles runs=%d ratio=%.2f baseline=evtchn.hypercall.basalt" % (
                name, value, runs, value / max(hc, 1)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
