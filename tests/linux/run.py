#!/usr/bin/env python3
"""Linux end to end: Debian's stock kernel as a PVH guest under Basalt.

    tests/linux/run.py [--only CASE] [--jobs N] [--timeout S] [--list]

The kernel and initramfs come from scripts/mklinux.sh (build/linux/). Each
case boots Basalt in QEMU with one or more Linux domains whose command line
carries basalt.test=<what> (tests/linux/init acts on it), optionally types on
the console, and judges the serial log:
  smp4        4 vCPUs: every CPU online, a task pinned to each runs there,
              poweroff ends the domain with reason poweroff
  time        1 vCPU: the guest clock advances within 1% of host time over
              10 s of guest sleep (host time from when the lines arrive)
  input       a command typed on hvc0 (after Ctrl-A x3 gives d1 the focus)
              runs and its output comes back
  reboot      reboot shuts down with reason reboot; on_reboot=restart boots
              the domain again (restart_limit = 1 ends the second one)
  three       three domains at once, weights 512/256/128: all reach
              userspace and power off
  steal       two domains on one pCPU, CPU-bound: both see steal time in
              /proc/stat
  two-panic   two domains of different weights: one panics (reason crash,
              only that domain); the other, still running, then runs a
              command typed on its console and powers off
Every domain's log must be free of WARN/BUG/Oops and of clocksource or timer
complaints. Logs go to build/linux/logs/. Ends with "N passed, N failed".
"""
import argparse
import concurrent.futures
import os
import re
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import qemu  # noqa: E402

LINUX = os.path.join(ROOT, "build", "linux")
MARK = "BASALT-LINUX: "

# What a healthy guest never prints (dmesg goes to hvc0 with the console).
BAD = [re.compile(p) for p in (
    r"WARNING:", r"\bBUG:", r"\bOops\b", r"Call Trace:", r"clocksource.*(unstable|watchdog)",
    r"[Tt]imer.*(went backwards|warp|broken)", r"Marking TSC unstable", r"calibrate_delay_direct\(\) failed",
    r"soft lockup", r"rcu_.*(stall|detected stalls)",
)]


def domain_cfg(name, test, vcpus=1, memory=256, extra=""):
    return ('name = "%s"\nkernel = "vmlinuz"\nramdisk = "initramfs.cpio.gz"\nmemory = %d\nvcpus = %d\n'
            'cmdline = "console=hvc0 basalt.test=%s"\n%s' % (name, memory, vcpus, test, extra))


class Case:
    def __init__(self, name, domains, checks, smp=2, keys=(), timeout=None):
        self.name, self.domains, self.checks = name, domains, checks
        self.smp, self.keys, self.timeout = smp, list(keys), timeout


def lines_of(log, domid):
    own = "(d%d) " % domid
    return [ln.split(own, 1)[1] for ln in log if own in ln]


def marks(log, domid):
    return [ln[len(MARK):] for ln in lines_of(log, domid) if ln.startswith(MARK)]


def ended(log, domid, how):
    pat = re.compile(r'\(basalt\) d%d "[^"]*": (shut down, reason (\w+)|crashed)' % domid)
    for ln in log:
        m = pat.search(ln)
        if m:
            return (m.group(2) or "crashed") == how
    return False


# Not a clock problem: Linux saying its clocksource watchdog timer ran over
# a second late, so it skipped that round's comparison. It happens when the
# emulated CPUs themselves are starved (two QEMUs on a loaded 2-core host
# under TCG); Basalt's timers are checked by the time case and the test
# guests. Reported, not failed.
STARVED = re.compile(r"clocksource: Long readout interval, skipping watchdog check")


def check_clean(log, domid):
    lines = lines_of(log, domid)
    for ln in lines:
        if STARVED.search(ln):
            print("      note: d%d: %s" % (domid, ln.strip()))
    bad = [ln for ln in lines if any(p.search(ln) for p in BAD) and not STARVED.search(ln)]
    return "d%d printed: %s" % (domid, bad[0]) if bad else None


def check_smp(log, stamps, n):
    m = marks(log, 1)
    if "userspace" not in m:
        return "d1 never reached userspace"
    if "cpus online 0-%d (%d)" % (n - 1, n) not in m:
        return "d1 CPUs online: %s" % [x for x in m if x.startswith("cpus online")]
    if "smp PASS" not in m:
        return "pinned tasks: %s" % [x for x in m if x.startswith("task pinned")]
    if not ended(log, 1, "poweroff"):
        return "d1 did not end with reason poweroff"
    return check_clean(log, 1)


def check_time(log, stamps, _):
    got = {}
    for ln, t in stamps:
        m = re.search(r"\(d1\) " + MARK + r"time (start|end) ([\d.]+)", ln)
        if m:
            got[m.group(1)] = (float(m.group(2)), t)
    if len(got) != 2:
        return "no time start/end lines"
    guest = got["end"][0] - got["start"][0]
    host = got["end"][1] - got["start"][1]
    print("      time: guest %.3f s, host %.3f s (%.2f%%)" % (guest, host, 100.0 * (guest - host) / host))
    if abs(guest - host) > 0.01 * host:
        return "guest clock advanced %.3f s over %.3f s of host time (more than 1%% apart)" % (guest, host)
    if not ended(log, 1, "poweroff"):
        return "d1 did not end with reason poweroff"
    return check_clean(log, 1)


def check_input(log, stamps, _):
    m = marks(log, 1)
    if "running: echo typed-$((6*7))" not in m:
        return "the typed line did not arrive: %s" % m
    if "typed-42" not in lines_of(log, 1):
        return "the command's output did not come back"
    if not ended(log, 1, "poweroff"):
        return "d1 did not end with reason poweroff"
    return check_clean(log, 1)


def check_reboot(log, stamps, _):
    if sum(1 for ln in log if "(basalt) " in ln and "shut down, reason reboot" in ln) != 2:
        return "expected two shutdowns with reason reboot"
    if not any("restart 1" in ln for ln in log):
        return "the domain was not restarted"
    if sum(1 for ln in log if re.search(r"\(d\d+\) " + MARK + "userspace", ln)) != 2:
        return "expected two boots to userspace"
    return check_clean(log, 1) or check_clean(log, 2)  # the restart is d2


def check_steal(log, stamps, _):
    for d in (1, 2):
        m = [x for x in marks(log, d) if x.startswith("stat cpu ")]
        if not m:
            return "d%d printed no /proc/stat line" % d
        steal = int(m[0].split()[-1])
        print("      steal: d%d %s" % (d, m[0]))
        if steal <= 0:
            return "d%d shows no steal time while sharing a pCPU: %s" % (d, m[0])
        if not ended(log, d, "poweroff"):
            return "d%d did not end with reason poweroff" % d
    return check_clean(log, 1) or check_clean(log, 2)


def check_three(log, stamps, _):
    for d in (1, 2, 3):
        if "userspace" not in marks(log, d):
            return "d%d never reached userspace" % d
        if not ended(log, d, "poweroff"):
            return "d%d did not end with reason poweroff" % d
        bad = check_clean(log, d)
        if bad:
            return bad
    return None


def check_two(log, stamps, _):
    for d in (1, 2):
        if "userspace" not in marks(log, d):
            return "d%d never reached userspace" % d
    if not ended(log, 1, "crash"):
        return "d1 (panic) did not end with reason crash"
    if "survived-42" not in lines_of(log, 2):
        return "d2 did not run a command after d1 crashed"
    if not ended(log, 2, "poweroff"):
        return "d2 did not power off after d1 crashed"
    if not any("Kernel panic" in ln for ln in lines_of(log, 1)):
        return "d1 did not panic"
    return check_clean(log, 2)


CASES = [
    Case("smp4", [domain_cfg("smp4", "smp", vcpus=4)], lambda log, st: check_smp(log, st, 4), smp=2),
    Case("time", [domain_cfg("time", "time")], lambda log, st: check_time(log, st, 1)),
    Case("input", [domain_cfg("input", "input")], lambda log, st: check_input(log, st, 1),
         keys=[(MARK + "type a command", b"\x01\x01\x01echo typed-$((6*7))\r")]),
    Case("reboot", [domain_cfg("reboot", "reboot", extra='on_reboot = "restart"\nrestart_limit = 1\n')],
         lambda log, st: check_reboot(log, st, 1)),
    Case("steal", [domain_cfg("steal-a", "steal", memory=192, extra='cpus = "0"\n'),
                   domain_cfg("steal-b", "steal", memory=192, extra='cpus = "0"\n')],
         lambda log, st: check_steal(log, st, 2)),
    Case("three", [domain_cfg("w512", "boot", memory=160, extra="weight = 512\n"),
                   domain_cfg("w256", "boot", memory=160, extra="weight = 256\n"),
                   domain_cfg("w128", "boot", memory=160, extra="weight = 128\n")],
         lambda log, st: check_three(log, st, 3)),
    Case("two-panic", [domain_cfg("panicker", "panic", memory=192, extra="weight = 512\n"),
                       domain_cfg("survivor", "input", memory=192, extra="weight = 128\n")],
         lambda log, st: check_two(log, st, 2),
         # once d2 waits for input and d1 has crashed, d2 gets a command
         keys=[("(d2) " + MARK + "type a command", b""),
               ('d1 "panicker": shut down, reason crash', b"\x01\x01\x01echo survived-$((6*7))\r")]),
]


def run_qemu(argv, keys, timeout, out):
    """Run QEMU, type keys on triggers, stamp each output line with host time."""
    stamps = []
    status, err = qemu.run_typing(argv, out, keys, timeout, cumulative=True,
                                  on_line=lambda text, now: stamps.append((text, now)))
    out.write(err)
    return status, stamps


def run_case(case, args):
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "domains.cfg")
        with open(cfg, "w") as f:
            f.write("---\n".join(case.domains))
        mods = [(cfg, ""), (os.path.join(LINUX, "vmlinuz"), ""), (os.path.join(LINUX, "initramfs.cpio.gz"), "")]
        argv = qemu.qemu_argv(kernel=args.kernel_image, append="test-exit=0xf4", initrd=mods, smp=case.smp,
                              mem="%dM" % (512 + 256 * len(case.domains)))
        log_path = os.path.join(LINUX, "logs", case.name + ".log")
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        with open(log_path, "wb") as out:
            status, stamps = run_qemu(argv, case.keys, case.timeout or args.timeout, out)
    log = [ln for ln, _ in stamps]
    took = time.monotonic() - start
    if status is None:
        return case.name, "timeout after %ds" % (case.timeout or args.timeout), took
    if status == qemu.EXIT_FATAL:
        return case.name, "hypervisor panic", took
    return case.name, case.checks(log, stamps), took


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel-image", default=os.path.join(ROOT, "build", "basalt.elf"))
    ap.add_argument("--only", action="append")
    # One at a time by default: each case already runs two to three Linux
    # vCPUs per host core under TCG, and two cases at once on a 2-core host
    # starve the emulated CPUs long enough (over a second) for Linux's
    # clocksource watchdog to complain about its own late timer.
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    cases = [c for c in CASES if not args.only or c.name in args.only]
    if args.list:
        for c in cases:
            print(c.name)
        return 0
    for f in ("vmlinuz", "initramfs.cpio.gz"):
        if not os.path.exists(os.path.join(LINUX, f)):
            print("tests/linux: %s missing: run scripts/mklinux.sh (make linux)" % os.path.join(LINUX, f))
            return 2
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for fut in [pool.submit(run_case, c, args) for c in cases]:
            name, problem, took = fut.result()
            if problem:
                failed += 1
                print("FAIL  %-10s %6.1fs  %s (log: build/linux/logs/%s.log)" % (name, took, problem, name))
            else:
                passed += 1
                print("ok    %-10s %6.1fs" % (name, took))
            sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
