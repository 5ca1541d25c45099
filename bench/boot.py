#!/usr/bin/env python3
"""Boot benchmark: how long Basalt takes to bring its CPUs online in QEMU.

    bench/boot.py [--kernel PATH] [--runs N] [--smp 1,2,4] [--timeout S] [-v]

Boots the hypervisor with `selftest test-exit=0xf4` RUNS times for each CPU
count, reads the serial line through a pipe as it arrives and timestamps each
line (time.monotonic(), from just before QEMU is started). Measured per run:

  firmware     QEMU start -> the first line Basalt prints: QEMU and firmware
               start-up plus loading the image, the baseline
  cpus_online  QEMU start -> "smp: N CPUs online"

Prints the rows described in docs/bench.md. No timing is judged here; the
exit status is non-zero only if a boot failed (wrong verdict, missing line,
hang).
"""
import argparse
import os
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import qemu  # noqa: E402

FORMAT = "# basalt bench v1"
PREFIX = b"(basalt) "


class BootRun:
    """One boot: (seconds since QEMU start, line) for each serial line."""

    def __init__(self, argv, timeout):
        self.lines = []
        self.status = None
        self.error = None
        start = time.monotonic()
        errf = tempfile.TemporaryFile()  # a file, not a pipe: it cannot fill up and stall QEMU
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errf)
        fd = proc.stdout.fileno()
        buf = b""
        try:
            while True:
                left = start + timeout - time.monotonic()
                if left <= 0:
                    self.error = "hang: no verdict within %g s" % timeout
                    break
                ready, _, _ = select.select([fd], [], [], left)
                if not ready:
                    continue
                chunk = os.read(fd, 65536)
                now = time.monotonic() - start
                if not chunk:
                    break
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    self.lines.append((now, line.rstrip(b"\r")))
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stdout.close()
            errf.seek(0)
            err = errf.read()
            errf.close()
        if buf:
            self.lines.append((time.monotonic() - start, buf))
        if self.error is None:
            self.status = proc.returncode
            if self.status != qemu.EXIT_PASS:
                self.error = "QEMU exit status %s (%s)%s" % (
                    self.status, qemu.exit_meaning(self.status),
                    ": " + err.decode("utf-8", "replace").strip() if err else "")

    def first(self, needle=b""):
        """Time of the first Basalt line containing needle, else None."""
        for t, line in self.lines:
            i = line.find(PREFIX)
            if i >= 0 and needle in line[i:]:
                return t
        return None


def fmt_row(name, samples, unit="s", baseline=None):
    n = len(samples)
    if not n:
        return "bench %s nan %s runs=0" % (name, unit)
    med = statistics.median(samples)
    row = "bench %s %.3f %s runs=%d" % (name, med, unit, n)
    if baseline is not None:
        bname, bsamples = baseline
        if bsamples and statistics.median(bsamples) > 0:
            row += " ratio=%.2f baseline=%s" % (med / statistics.median(bsamples), bname)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--kernel", help="default build/basalt.elf")
    ap.add_argument("--runs", type=int, default=5, help="boots per CPU count (default 5)")
    ap.add_argument("--smp", default="1,2,4", help="CPU counts (default 1,2,4)")
    ap.add_argument("--timeout", type=float, default=60, help="seconds per boot (default 60)")
    ap.add_argument("-v", "--verbose", action="store_true", help="also print every sample (as # comments)")
    args = ap.parse_args()
    args.kernel = os.path.relpath(os.path.abspath(args.kernel), ROOT) if args.kernel else "build/basalt.elf"
    os.chdir(ROOT)
    if not os.path.exists(args.kernel):
        print("bench: %s is missing; run make first" % args.kernel, file=sys.stderr)
        return 1
    smps = [int(x) for x in args.smp.split(",") if x]

    qemu_version = subprocess.run([qemu.QEMU, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    print(FORMAT)
    print("# kernel %s, %s, host %d CPUs, accel tcg" % (args.kernel, qemu_version, os.cpu_count() or 0))
    sys.stdout.flush()

    t0 = time.monotonic()
    firmware = []
    online = {n: [] for n in smps}
    errors = []
    # Interleave the CPU counts, so slow drift of the machine's load spreads
    # over every row instead of landing on one.
    for r in range(args.runs):
        for n in smps:
            run = BootRun(qemu.qemu_argv(kernel=args.kernel, append="selftest test-exit=0xf4", smp=n),
                          args.timeout)
            t_first = run.first()
            word = b"CPU" if n == 1 else b"CPUs"
            t_online = run.first(b"smp: %d %s online" % (n, word))
            if run.error is None and (t_first is None or t_online is None):
                run.error = "no %s line" % ("first" if t_first is None else "'smp: %d %s online'" % (n, word.decode()))
            if run.error:
                errors.append("smp%d run %d: %s" % (n, r + 1, run.error))
                continue
            firmware.append(t_first)
            online[n].append(t_online)
            if args.verbose:
                print("# sample smp%d run %d: firmware %.3f s, cpus_online %.3f s" % (n, r + 1, t_first, t_online))
                sys.stdout.flush()

    base = ("boot.firmware", firmware)
    print(fmt_row("boot.firmware", firmware))
    for n in smps:
        print(fmt_row("boot.cpus_online.smp%d" % n, online[n], baseline=base))
    for e in errors:
        print("# error: " + e)
    runs = args.runs * len(smps)
    print("# summary: %d rows, %d boots (%d failed) in %.1f s" % (
        1 + len(smps), runs, len(errors), time.monotonic() - t0))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
