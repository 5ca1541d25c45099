#!/usr/bin/env python3
"""Boot the test guests under Basalt (in QEMU) as manifest.txt lists them.

    tests/guests/run-basalt.py [--dir build/guests] [--kernel-image build/basalt.elf]
                               [--only CASE] [--jobs N] [--timeout S] [--list]

Each case (or group of cases that run together) goes through
scripts/run-guest, which boots Basalt with the domain(s) and exits 0 when
every domain powered off, 1 when one crashed or ended otherwise, 2 on a
timeout or a hypervisor panic. A case is judged by that, by its VERDICT
line (exactly one, from its own domain) and by the domain's end line:
  pass   PASS, powered off
  crash  the expectation line, then crashed by the hypervisor
  reboot, watchdog
         "expecting shutdown reason <it>", then a shutdown with that reason
  any    crashed or powered off, no panic, no timeout
Logs go to <dir>/basalt-logs/. Ends with "N passed, N failed".
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXPECT_CRASH = "expecting the hypervisor to crash this domain"
EXPECT_REASON = "expecting shutdown reason "


def load_manifest(path):
    cases = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 5)
            if len(parts) < 5:
                raise SystemExit("manifest: bad line %r" % line)
            case, elf, vcpus, ending, group = parts[:5]
            cmdline = parts[5] if len(parts) > 5 else "-"
            words = [] if cmdline == "-" else cmdline.split()
            # "@key=value" words are domain configuration keys (weight, cap, ...)
            cfg = [w[1:].split("=", 1) for w in words if w.startswith("@")]
            if any(len(kv) != 2 or not kv[0] for kv in cfg):
                raise SystemExit("manifest: bad @key=value in %r" % line)
            cases.append({"case": case, "elf": elf, "vcpus": int(vcpus), "ending": ending,
                          "group": None if group == "-" else group,
                          "cmdline": " ".join(w for w in words if not w.startswith("@")),
                          "cfg": cfg})
    return cases


def judge(c, domid, lines, rc):
    """Problems with one domain's ending (empty list: it ended as it must)."""
    own = "(d%d) " % domid
    verdicts = [ln.split(own, 1)[1] for ln in lines if own + "VERDICT " in ln]
    end = [ln for ln in lines if re.search(r'\(basalt\) d%d "[^"]*": (shut down|crashed)' % domid, ln)]
    ended = end[0] if end else ""
    problems = []
    if rc == 2:
        problems.append("timeout or hypervisor panic")
    if c["ending"] != "any" and len(verdicts) != 1:
        problems.append("%d VERDICT lines, expected 1" % len(verdicts))
    if c["ending"] == "pass":
        if not verdicts or not verdicts[0].endswith(": PASS"):
            problems.append("verdict %r, expected PASS" % (verdicts[0] if verdicts else None))
        if "reason poweroff" not in ended:
            problems.append("ended %r, expected a poweroff" % ended)
    elif c["ending"] == "crash":
        if not verdicts or EXPECT_CRASH not in verdicts[0]:
            problems.append("verdict %r, expected the crash expectation" % (verdicts[0] if verdicts else None))
        if "crashed" not in ended:
            problems.append("ended %r, expected crashed by the hypervisor" % ended)
    elif c["ending"] in ("reboot", "watchdog"):
        expect = EXPECT_REASON + c["ending"]
        if not verdicts or expect not in verdicts[0]:
            problems.append("verdict %r, expected %r" % (verdicts[0] if verdicts else None, expect))
        if "reason " + c["ending"] not in ended:
            problems.append("ended %r, expected a shutdown with reason %s" % (ended, c["ending"]))
    elif not ended:
        problems.append("no end line for the domain")
    return problems


def run_unit(unit, args):
    """One run-guest invocation for a case or a group; returns [(case, problems, took)]."""
    log_name = unit[0]["group"] or unit[0]["case"]
    log = os.path.join(args.dir, "basalt-logs", log_name + ".log")
    cmd = [os.path.join(ROOT, "scripts", "run-guest"), "--timeout", str(args.timeout),
           "--kernel-image", args.kernel_image]
    tmp = None
    if len(unit) == 1 and not unit[0]["cfg"]:
        c = unit[0]
        cmd += ["--vcpus", str(c["vcpus"]), os.path.join(args.dir, c["elf"] + ".elf")]
        if c["cmdline"]:
            cmd += ["--", c["cmdline"]]
    else:
        tmp = tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False)
        for i, c in enumerate(unit):
            if i:
                tmp.write("---\n")
            tmp.write('name = "%s"\nkernel = "%s"\nmemory = 64\nvcpus = %d\ncmdline = "%s"\n' %
                      (c["case"], os.path.join(args.dir, c["elf"] + ".elf"), c["vcpus"], c["cmdline"]))
            tmp.write('on_reboot = "destroy"\n')
            if "pcpu0" in (c["group"] or ""):
                tmp.write('cpus = "0"\n')
            for key, value in c["cfg"]:
                tmp.write("%s = %s\n" % (key, value))
        tmp.close()
        if len(unit) > 1 or "pcpu0" in (unit[0]["group"] or ""):
            cmd += ["--smp", "1"]
        cmd += ["--domains", tmp.name]
    start = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    took = time.monotonic() - start
    out = p.stdout.decode("utf-8", "replace")
    if tmp:
        os.unlink(tmp.name)
    os.makedirs(os.path.dirname(log), exist_ok=True)  # build/ is shared: it may have been cleaned meanwhile
    with open(log, "w") as f:
        f.write("$ %s\n%s" % (" ".join(cmd), out))
    lines = [ln.rstrip("\r") for ln in out.splitlines()]
    return [(c["case"], judge(c, i + 1, lines, p.returncode), took) for i, c in enumerate(unit)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=os.path.join(ROOT, "build", "guests"))
    ap.add_argument("--kernel-image", default=os.path.join(ROOT, "build", "basalt.elf"))
    ap.add_argument("--manifest", default=os.path.join(HERE, "manifest.txt"))
    ap.add_argument("--only", action="append", help="run only this case or group (repeatable)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=180)
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()

    cases = load_manifest(args.manifest)
    units, groups = [], {}
    for c in cases:
        if args.only and c["case"] not in args.only and c["group"] not in args.only:
            continue
        if c["group"]:
            if c["group"] not in groups:
                groups[c["group"]] = []
                units.append(groups[c["group"]])
            groups[c["group"]].append(c)
        else:
            units.append([c])
    if args.list:
        for u in units:
            for c in u:
                print("%-16s %-20s vcpus=%d %-5s %s %s %s" % (
                    c["case"], c["elf"] + ".elf", c["vcpus"], c["ending"], "group=" + c["group"] if c["group"] else "",
                    " ".join("%s=%s" % (k, v) for k, v in c["cfg"]), c["cmdline"]))
        return 0
    os.makedirs(os.path.join(args.dir, "basalt-logs"), exist_ok=True)
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for fut in [pool.submit(run_unit, u, args) for u in units]:
            for case, problems, took in fut.result():
                if problems:
                    failed += 1
                    print("FAIL  %-16s %6.1fs  %s" % (case, took, "; ".join(problems)))
                else:
                    passed += 1
                    print("ok    %-16s %6.1fs" % (case, took))
                sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
