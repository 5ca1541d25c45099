#!/usr/bin/env python3
"""Scheduler benchmarks: the credit policy in the host simulator, and the
cost of a context switch between two domains on one pCPU under Basalt.

1. build/bench/sched_sim (tests/unit/sched/bench_sched.c, the policy code
   unchanged in the discrete-event simulator) at 4, 64 and 256 pCPUs with 16
   CPU-bound vCPUs per pCPU: host ns per scheduling decision, us per
   accounting pass, and the fairness error (each vCPU's share of the
   machine against its weight's entitlement, median and max over vCPUs).
2. The bench guest (tests/guests/bench.c, yield=1) in a -smp 1 QEMU, alone
   and then two of them pinned to the one pCPU: each times null hypercalls
   (the baseline, same invocation) and SCHEDOP_yield round trips. Alone, a
   yield finds nobody to switch to (exit, decision, entry); two yielding
   guests hand the pCPU to each other, so a round trip is two of those plus
   two context switches: ctxsw = (yield_pair - 2 x yield_solo) / 2, in guest
   TSC cycles.
Rows follow docs/bench.md (format v1); run after bench/boot.py, which
prints the header.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROW = re.compile(r"\(d(\d+)\) BENCH (\S+) median=(\d+) min=(\d+) n=(\d+)")


def simulator(binary, seconds):
    p = subprocess.run([binary, str(seconds)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    out = p.stdout.decode("utf-8", "replace")
    rows = [ln for ln in out.splitlines() if ln.startswith("bench ")]
    if p.returncode != 0 or len(rows) != 9:
        print("# error: %s failed (status %d): %s" % (binary, p.returncode, out.strip()[-300:]))
        return False
    for ln in rows:
        print(ln)
    return True


def boot(elf, n, timeout, domains):
    """Boot -smp 1 with 'domains' bench guests pinned to pCPU 0; {(domid, row): (median, n)} or None."""
    cfg = tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False)
    for i in range(domains):
        if i:
            cfg.write("---\n")
        cfg.write('name = "yield%d"\nkernel = "%s"\nmemory = 64\ncpus = "0"\ncmdline = "n=%d yield=1"\n' %
                  (i, elf, n))
    cfg.close()
    argv = [os.path.join(ROOT, "scripts", "run-guest"), "--smp", "1", "--timeout", str(timeout),
            "--domains", cfg.name]
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout + 30)
    finally:
        os.unlink(cfg.name)
    got = {}
    for m in ROW.finditer(p.stdout.decode("utf-8", "replace")):
        got[(int(m.group(1)), m.group(2))] = (int(m.group(3)), int(m.group(5)))
    need = [(d, r) for d in range(1, domains + 1) for r in ("hypercall", "yield")]
    if p.returncode != 0 or any(k not in got for k in need):
        print("# error: sched: %d bench guest(s) did not report (run-guest status %d, rows %s)" % (
            domains, p.returncode, sorted(got)))
        return None
    return got


def context_switch(elf, n, timeout):
    """One guest alone (a yield that finds nobody to switch to) and two
    guests on one pCPU (every yield switches): a two-guest round trip is
    twice the lone one plus two context switches."""
    solo = boot(elf, n, timeout, 1)
    pair = boot(elf, n, timeout, 2)
    if not solo or not pair:
        return False
    hc = sum(pair[(d, "hypercall")][0] for d in (1, 2)) / 2.0
    y1 = solo[(1, "yield")][0]
    y2 = sum(pair[(d, "yield")][0] for d in (1, 2)) / 2.0
    cs = (y2 - 2 * y1) / 2.0
    runs = pair[(1, "yield")][1] + pair[(2, "yield")][1]
    print("bench sched.hypercall.basalt %.0f cycles runs=%d" % (hc, 2 * pair[(1, "hypercall")][1]))
    print("bench sched.yield_solo.basalt %.0f cycles runs=%d ratio=%.2f baseline=sched.hypercall.basalt" % (
        y1, solo[(1, "yield")][1], y1 / max(hc, 1)))
    print("bench sched.yield_pair.basalt %.0f cycles runs=%d ratio=%.2f baseline=sched.hypercall.basalt" % (
        y2, runs, y2 / max(hc, 1)))
    print("bench sched.ctxsw.basalt %.0f cycles runs=%d ratio=%.2f baseline=sched.hypercall.basalt" % (
        cs, runs, cs / max(hc, 1)))
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sim", default=os.path.join(ROOT, "build", "bench", "sched_sim"))
    ap.add_argument("--seconds", type=float, default=20.0, help="simulated seconds per size (default 20)")
    ap.add_argument("--elf", default=os.path.join(ROOT, "build", "guests", "bench.elf"))
    ap.add_argument("--n", type=int, default=20000, help="round trips per row in the guests (default 20000)")
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()
    ok = True
    if not os.path.exists(args.sim):
        print("# error: %s is missing (make build/bench/sched_sim)" % args.sim)
        ok = False
    else:
        ok &= simulator(args.sim, args.seconds)
    if not os.path.exists(args.elf):
        print("# error: %s is missing (make guests)" % args.elf)
        ok = False
    else:
        ok &= context_switch(args.elf, args.n, args.timeout)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
