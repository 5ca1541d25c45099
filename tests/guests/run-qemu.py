#!/usr/bin/env python3
"""Run the test guests directly under QEMU, without any hypervisor.

    tests/guests/run-qemu.py [--dir build/guests] [--only NAME] [--jobs N] [--timeout S] [--list]

QEMU boots each guest ELF through its PVH entry note (-kernel). Without
Xen's CPUID leaves the guests print to COM1 and end through isa-debug-exit
(port 0xf4): value 0 -> QEMU exit status 1 (PASS/SKIP), 1 -> 3 (FAIL),
2 -> 5 ("expected a crash, still running"). A triple fault with -no-reboot
ends QEMU with status 0. Each case states the exit status and the single
VERDICT line it expects. Logs go to <dir>/qemu-logs/<case>.log. Prints one
line per case and ends with "N passed, N failed"; exits 1 if any failed.

This checks the guests themselves (and the framework under them) on plain
QEMU; the Xen-only parts of each test SKIP or go unenforced here. Under
Basalt the runner in tests/qemu/ judges them by manifest.txt instead.
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

QEMU = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-M", "q35", "-m", "256M",
        "-display", "none", "-serial", "stdio", "-no-reboot", "-monitor", "none",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]

EXPECT_CRASH = "expecting the hypervisor to crash this domain"

# (case, elf, cmdline, cpus, QEMU exit status, verdict regex)
CASES = [
    ("hello", "hello", "", 1, 1, r"PASS$"),
    ("hello-32", "hello-32", "", 1, 1, r"PASS$"),
    ("hello-vmmcall", "hello", "hypercall=vmmcall", 1, 1, r"PASS$"),
    ("modes", "modes", "", 1, 1, r"PASS$"),
    ("cpuid", "cpuid", "", 1, 1, r"SKIP no Xen CPUID leaves"),
    ("cpuid-smp4", "cpuid", "", 4, 1, r"SKIP no Xen CPUID leaves"),
    ("cpuid-32", "cpuid-32", "", 2, 1, r"SKIP no Xen CPUID leaves"),
    ("msr", "msr", "", 1, 1, r"PASS$"),
    ("msr-32", "msr-32", "", 1, 1, r"PASS$"),
    ("lapic-timer", "lapic-timer", "", 1, 1, r"PASS$"),
    ("lapic-timer-32", "lapic-timer-32", "period_us=300", 1, 1, r"PASS$"),
    ("ipi-1cpu", "ipi", "", 1, 1, r"SKIP needs at least 2 vCPUs"),
    ("ipi-smp2", "ipi", "", 2, 1, r"PASS$"),
    ("ipi-smp4", "ipi", "", 4, 1, r"PASS$"),
    ("ipi-32-smp3", "ipi-32", "", 3, 1, r"PASS$"),
    ("hlt", "hlt", "", 1, 1, r"PASS$"),
    ("hlt-32", "hlt-32", "rounds=2", 1, 1, r"PASS$"),
    ("npf-crash", "npf-crash", "", 1, 5, EXPECT_CRASH + "$"),
    ("npf-crash-hole", "npf-crash", "target=hole", 1, 5, EXPECT_CRASH + "$"),
    ("triple-fault", "triple-fault", "", 1, 0, "expecting shutdown reason reboot$"),
    ("fpu-seed5", "fpu", "seed=5", 1, 1, r"PASS$"),
    ("fpu-seed6", "fpu", "seed=6 iterations=200 hlt_every=0", 1, 1, r"PASS$"),
    ("fpu-clobber", "fpu", "seed=7 iterations=40 clobber=1", 1, 3, r"FAIL .*XMM7 does not hold"),
    ("hostile", "hostile", "seed=1 seconds=2", 1, 1, r"PASS$"),
    ("hostile-seed9", "hostile", "seed=9 seconds=1 phases=xi", 1, 1, r"PASS$"),
    ("evtchn-peer", "evtchn-peer", "abi=fifo", 1, 1, r"SKIP needs Xen/Basalt"),
    ("gnttab", "gnttab", "", 1, 1, r"SKIP needs Xen/Basalt"),
    ("gnttab-peer", "gnttab-peer", "role=map peer=1", 1, 1, r"SKIP needs Xen/Basalt"),
]

# Lines that must appear in a case's log besides the verdict.
MUST_HAVE = {
    "modes": ["step: real mode first", "step: long mode:", "step: real mode after long mode"],
    "ipi-smp4": ["cpu 3: online"],
    "npf-crash": ["still running: 0x7f0000000 read"],
    "npf-crash-hole": ["(3-4 GiB hole)"],
    "hostile": ["hostile: instructions (ring 3):", "hostile: memory:", "hostile: IPI storm:"],
}


def run_case(case, outdir, timeout):
    name, elf, cmdline, cpus, want_rc, want_verdict = case
    path = os.path.join(outdir, elf + ".elf")
    log = os.path.join(outdir, "qemu-logs", name + ".log")
    if not os.path.exists(path):
        return name, ["missing %s (build with make -C tests/guests)" % path], 0.0
    cmd = QEMU + ["-smp", str(cpus), "-kernel", path, "-append", cmdline]
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        out, rc = p.stdout.decode("utf-8", "replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode("utf-8", "replace"), None
    took = time.monotonic() - start
    os.makedirs(os.path.dirname(log), exist_ok=True)  # build/ is shared: it may have been cleaned meanwhile
    with open(log, "w") as f:
        f.write("$ %s\n%s" % (" ".join(cmd), out))

    lines = [ln.rstrip("\r") for ln in out.splitlines()]
    problems = []
    if rc is None:
        problems.append("timed out after %ds" % timeout)
    elif rc != want_rc:
        problems.append("QEMU exit status %d, expected %d" % (rc, want_rc))
    verdicts = [ln for ln in lines if ln.startswith("VERDICT ")]
    if len(verdicts) != 1:
        problems.append("%d VERDICT lines, expected exactly 1" % len(verdicts))
    for v in verdicts[:1]:
        m = re.match(r"VERDICT ([^:]+): (.*)$", v)
        if not m or m.group(1) != elf:
            problems.append("verdict names %r, expected %r" % (m.group(1) if m else v, elf))
        elif not re.match(want_verdict, m.group(2)):
            problems.append("verdict %r does not match %r" % (m.group(2), want_verdict))
    for want in MUST_HAVE.get(name, []):
        if not any(want in ln for ln in lines):
            problems.append("missing line %r" % want)
    return name, problems, took


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=os.path.join(ROOT, "build", "guests"))
    ap.add_argument("--only", action="append", help="run only this case (repeatable)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()

    cases = [c for c in CASES if not args.only or c[0] in args.only]
    if args.list:
        for c in cases:
            print("%-20s %-20s cpus=%d exit=%d %s" % (c[0], c[1] + ".elf", c[3], c[4], c[2]))
        return 0
    os.makedirs(os.path.join(args.dir, "qemu-logs"), exist_ok=True)
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_case, c, args.dir, args.timeout) for c in cases]
        for fut in futures:
            name, problems, took = fut.result()
            if problems:
                failed += 1
                print("FAIL  %-20s %5.1fs  %s" % (name, took, "; ".join(problems)))
            else:
                passed += 1
                print("ok    %-20s %5.1fs" % (name, took))
            sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
