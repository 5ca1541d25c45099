#!/usr/bin/env python3
"""Boot tests: boot Basalt in QEMU once per test case and judge the serial log.

    tests/qemu/run.py [--only NAME] [--jobs N] [--timeout S]
                      [--kernel PATH] [--test-kernel PATH] [--clang-kernel PATH] [--iso PATH]

Each case boots QEMU (software emulation, see qemu.py), writes the serial log
to build/qemu-tests/<name>.log and is judged by QEMU's exit status (Basalt's
test-exit verdict) and by lines that must, or must not, be in the log. A run
that does not end within the timeout is a hang, and fails. Prints one line per
case and ends with "N passed, N failed"; exits 1 if anything failed.

A "known issue" is a check that documents a hypervisor bug not yet fixed: it
is printed under the case but does not fail it. When it starts to hold, the
runner says so, and the check should become an ordinary one.

See docs/testing.md.
"""
import argparse
import concurrent.futures
import os
import re
import shlex
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import qemu  # noqa: E402

OUT = "build/qemu-tests"
SELFTEST = "selftest test-exit=0xf4"
TAIL_LINES = 30


# ----------------------------------------------------------------- checks
# A pattern is a plain string (found anywhere in a line) or a compiled regex
# (re.search on each line). Lines are compared without "\r" and with
# anything before "(basalt) " (GRUB's screen control) removed.

def _match(pat, line):
    if isinstance(pat, str):
        return pat in line
    return pat.search(line) is not None


def _show(pat):
    return repr(pat if isinstance(pat, str) else pat.pattern)


class Has:
    def __init__(self, pat):
        self.pat = pat

    def __call__(self, lines):
        if not any(_match(self.pat, ln) for ln in lines):
            return "missing line %s" % _show(self.pat)


class Lacks:
    def __init__(self, pat):
        self.pat = pat

    def __call__(self, lines):
        for ln in lines:
            if _match(self.pat, ln):
                return "forbidden line %s: %r" % (_show(self.pat), ln)


class Count:
    def __init__(self, pat, n):
        self.pat, self.n = pat, n

    def __call__(self, lines):
        got = sum(1 for ln in lines if _match(self.pat, ln))
        if got != self.n:
            return "%d lines match %s, expected %d" % (got, _show(self.pat), self.n)


class SameFreePages:
    """Free memory after every domain is gone equals free memory before the
    first was built: destroy/restart returns every page."""

    def __call__(self, lines):
        before = after = None
        for ln in lines:
            m = re.search(r"Building \d+ domains?; (\d+) pages free", ln)
            if m:
                before = int(m.group(1))
            m = re.search(r"All domains have ended: .*; (\d+) pages free", ln)
            if m:
                after = int(m.group(1))
        if before is None or after is None:
            return "no free-page counts before and after the domains"
        if before != after:
            return "%d pages free before the domains, %d after: %d lost" % (before, after, before - after)


class InOrder:
    """Each pattern on a line after the previous one's."""

    def __init__(self, *pats):
        self.pats = pats

    def __call__(self, lines):
        i = 0
        for pat in self.pats:
            while i < len(lines) and not _match(pat, lines[i]):
                i += 1
            if i == len(lines):
                return "missing line %s (in order: %s)" % (_show(pat), ", ".join(_show(p) for p in self.pats))
            i += 1


class Printable:
    """Every Basalt line is printable text (no control bytes, no invalid
    UTF-8), whatever the boot loader handed over."""

    def __call__(self, lines):
        for ln in lines:
            if ln.startswith("(basalt) ") and any(
                    (ord(ch) < 0x20 and ch != "\t") or ch in "\x7f\ufffd" for ch in ln):
                return "unprintable bytes in %r" % ln


class Known:
    """A known hypervisor bug: reported, never fails the case."""

    def __init__(self, what, check):
        self.what, self.check = what, check


NO_CRASH = [Lacks("FATAL TRAP"), Lacks("Panic on CPU"), Lacks("System halted"), Lacks("selftest: FAIL")]
# No problem reported with the command line (multiboot1 loaders other than
# GRUB 2, QEMU's -kernel among them, put the image's path first on it;
# Basalt must drop it, not report it as an unknown option).
CLEAN_CMDLINE = Lacks("(basalt) cmdline: ")


def selftest_pass(cpus):
    word = "CPU" if cpus == 1 else "CPUs"
    return [
        Has("smp: %d %s online" % (cpus, word)),
        Has("selftest: %d of %d CPUs online" % (cpus, cpus)),
        Count(re.compile(r"selftest: CPU \d+: timer fired after \d+ us"), cpus),
    ] + [Count(re.compile(r"selftest: CPU %d: timer fired after" % c), 1) for c in range(cpus)] + [
        InOrder("Basalt ", "smp: ", "Boot complete in ", "selftest: PASS", "Powering off"),
    ]


# ----------------------------------------------------------------- cases

class Case:
    """One boot. image: "main" (--kernel), "test" (--test-kernel), "clang"
    (--clang-kernel, the same hypervisor built with clang) or "iso".
    modules: [(file name, module args, maker)] for -initrd, maker(args)
    giving the file's bytes. status: the QEMU exit status expected."""

    def __init__(self, name, image="main", smp=1, append=SELFTEST, modules=(),
                 status=qemu.EXIT_PASS, checks=(), known=(), clean_cmdline=True, keys=(), extra=()):
        self.name, self.image, self.smp, self.append = name, image, smp, append
        self.modules, self.status = list(modules), status
        self.checks, self.known, self.clean_cmdline = list(checks), list(known), clean_cmdline
        # keys: [(text, bytes)]: once a console line contains text, type bytes
        # on the serial line (in order; each waits for its own trigger)
        self.keys, self.extra = list(keys), list(extra)


def load_end(elf):
    """The end of the last loadable segment's bytes in the file."""
    if elf[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    if elf[4] == 1:  # ELF32
        phoff, = struct.unpack_from("<I", elf, 0x1C)
        phentsize, phnum = struct.unpack_from("<HH", elf, 0x2A)
        ents = [struct.unpack_from("<IIIIII", elf, phoff + i * phentsize) for i in range(phnum)]
        segs = [(e[1], e[4]) for e in ents if e[0] == 1]
    else:
        phoff, = struct.unpack_from("<Q", elf, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
        ents = [struct.unpack_from("<IIQQQQ", elf, phoff + i * phentsize) for i in range(phnum)]
        segs = [(e[2], e[5]) for e in ents if e[0] == 1]
    if not segs:
        raise ValueError("no PT_LOAD segment")
    return max(off + size for off, size in segs)


# Module makers: args -> the module's bytes. Each case writes its own copies
# into build/qemu-tests/<case>/, so parallel cases never share a file.

def guest_elf(name):
    def make(args):
        path = os.path.join(args.guests, name)
        with open(path, "rb") as f:
            return f.read()
    return make


ECHO_CFG = b"""name = "echo"
kernel = "console-ring.elf"
cmdline = "echo=1 wait=60"
"""

# scheduler keys applied at build time, shown by the 'r' debug key
SCHED_CFG = b"""name = "pinned"
kernel = "console-ring.elf"
cmdline = "echo=1 wait=60"
vcpus = 2
cpus = ["1", "0"]
cpus_soft = "1"
cpu_weight = 777
cap = 150
"""

FLOOD_CFG = b"""# a domain printing 400 KiB as fast as it can beside a quiet one
name = "flooder"
kernel = "hello.elf"
memory = 32
cmdline = "flood=4000"
---
name = "quiet"
kernel = "hello.elf"
memory = 32
"""

RESTART_CFG = b"""# rebuilt after every poweroff, 50 times, then destroyed
name = "looper"
kernel = "hello.elf"
memory = 32
on_poweroff = "restart"
restart_limit = 50
"""

BALLOON_CFG = b"""# balloons out and in (and moves, removes, grants its pages), rebuilt 5 times
name = "balloon"
kernel = "balloon.elf"
memory = 32
on_poweroff = "restart"
restart_limit = 5
"""

BALLOON_UP_CFG = b"""# starts with 32 MiB and balloons up to maxmem, then does the rest
name = "up"
kernel = "balloon.elf"
memory = 32
maxmem = 34
"""

BALLOON_RACE_CFG = b"""# vCPU 0 balloons a page out and in while vCPU 1 has the hypervisor write to it
name = "race"
kernel = "balloon.elf"
memory = 32
vcpus = 2
cmdline = "role=race"
"""

GNTTAB_LIMITS_CFG = b"""# the grant-table limits of xl.cfg reach the domain
name = "limits"
kernel = "gnttab.elf"
memory = 32
max_grant_frames = 8
max_maptrack_frames = 0
cmdline = "max_frames=8 no_maptrack=1"
"""


def empty_module(args):
    return b""


def good_elf(args):
    with open(args.kernel, "rb") as f:
        return f.read()


def truncated_elf(args):
    # Half-way into the loadable bytes: the headers are intact, a segment is
    # not. (Half of basalt-syms.elf would only lose debug info: still valid.)
    elf = good_elf(args)
    return elf[:load_end(elf) // 2]


def garbage_module(args, n=4000, seed=0x5EED):
    """Deterministic noise that starts with no known signature."""
    out, x = bytearray(), seed
    while len(out) < n:
        x = (x * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
        out += (x >> 32).to_bytes(4, "little")
    out[0:4] = b"\x00\x01\x02\x03"
    return bytes(out[:n])


def truncated_bzimage(args):
    # A Linux boot-protocol header whose syssize (16-byte units) asks for
    # 1 MiB of kernel while the file has 4 KiB.
    b = bytearray(4096)
    b[0x1F1] = 4                                   # setup_sects
    struct.pack_into("<I", b, 0x1F4, 0x10000)      # syssize: 1 MiB
    b[0x1FE:0x200] = b"\x55\xaa"                   # boot_flag
    b[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", b, 0x206, 0x020F)       # protocol 2.15
    return bytes(b)


def garbage_cmdline():
    """A command line full of mistakes, and what Basalt must say about each
    (exactly once). Bytes outside ASCII go through argv as surrogates."""
    noise = bytes([0x01, 0xFF, 0xC3, 0x28, 0x7D, 0x7E, 0x5C, 0x7A, 0x39, 0x1B, 0x80])
    noise_shown = r"\x01\xff\xc3(}~\\z9\x1b\x80"
    line = (b"selftest test-exit=0xf4 frobnicate=7 =x no- loglvl=banana maxcpus=lots "
            b"no-test-exit Frobnicate=9 frobnicate=8 " + noise + b' "unterminated quote to the end')
    expect = [
        'cmdline: unknown option "frobnicate=7"',
        'cmdline: unknown option "=x"',
        'cmdline: unknown option "no-"',
        'cmdline: option "loglvl": bad value "banana"',
        'cmdline: option "maxcpus": bad value "lots"',
        'cmdline: option "no-test-exit": only boolean options can be negated',
        'cmdline: unknown option "Frobnicate=9"',  # names are case-sensitive
        'cmdline: unknown option "%s"' % noise_shown,
        'cmdline: unterminated quote in "\\"unterminated quote to the end"',
    ]
    checks = [Count(e, 1) for e in expect]
    checks += [Count(re.compile(r"cmdline: .*frobnicate"), 1),  # a repeated name is reported once
               Count("cmdline: %d problems; those options keep their defaults" % len(expect), 1)]
    checks.append(Has("Command line: selftest test-exit=0xf4 frobnicate=7 "))
    return line.decode("utf-8", "surrogateescape"), checks


def cases(args):
    garbage, garbage_checks = garbage_cmdline()

    # The leaf crash functions have no frame of their own (gcc 12 drops the
    # frame pointer in leaf functions even with -fno-omit-frame-pointer); the
    # trap's stack trace then shows the return address on the stack top,
    # marked '?', so the caller is still named.

    # selftest too: should the crash not happen, the boot ends (exit 33,
    # a failure) instead of idling until the timeout.
    def trap(name, vector, func, extra=()):
        return Case("crash-" + name, image="test", smp=2, append=SELFTEST + " crashtest=" + name,
                    status=qemu.EXIT_FATAL, checks=[
                        Has("crashtest: " + name),
                        Lacks("selftest: PASS"),
                        InOrder("FATAL TRAP on CPU 0: " + vector,
                                re.compile(r"RIP is \[<[0-9a-f]{16}>\] %s\+" % func),
                                re.compile(r"^\(basalt\)\s+rax [0-9a-f]{16}"),
                                re.compile(r"^\(basalt\)\s+cr0 [0-9a-f]{16}"),
                                re.compile(r"Stack trace \(innermost first"),
                                re.compile(r"\[<[0-9a-f]{16}>\] %s\+(0x)?[0-9a-f]+/0x[0-9a-f]+" % func),
                                re.compile(r"\[<[0-9a-f]{16}>\] crashtest\+"),
                                re.compile(r"\[<[0-9a-f]{16}>\] start_basalt\+"),
                                "System halted after a fatal error"),
                    ] + list(extra))

    return [
        Case("smp1", smp=1, checks=selftest_pass(1) + [
            Has(re.compile(r"Basalt \S+ hypervisor, booted by multiboot1 / qemu")),
            Has(re.compile(r"Command line: selftest test-exit=0xf4\s*$"))]),
        Case("smp2", smp=2, checks=selftest_pass(2)),
        Case("smp4", smp=4, checks=selftest_pass(4)),
        Case("clang-smp4", image="clang", smp=4, checks=selftest_pass(4)),
        Case("maxcpus", smp=4, append=SELFTEST + " maxcpus=2", checks=selftest_pass(2)),
        Case("cmdline-garbage", smp=1, append=garbage, clean_cmdline=False,
             # the command line is echoed with unprintable bytes escaped
             checks=selftest_pass(1) + garbage_checks + [Printable()]),
        Case("module-empty", modules=[("empty.bin", "empty module", empty_module)],
             checks=selftest_pass(1) + [
                 Count(re.compile(r'module 1 \("[^"]*empty\.bin empty module"\) is empty \(zero length\), ignored'), 1)]),
        Case("module-elf-ok", modules=[("good.elf", "dom0 args", good_elf)],
             checks=selftest_pass(1) + [
                 Has(re.compile(r'module 1: \[0x[0-9a-f]+-0x[0-9a-f]+\) "[^"]*good\.elf dom0 args"')),
                 Has(re.compile(r"module 1: ELF(32|64) x86 image, \d+ loadable segments?, entry 0x")),
                 Lacks("bad ELF image")]),
        Case("module-elf-truncated", modules=[("truncated.elf", "dom0 args", truncated_elf)],
             checks=selftest_pass(1) + [
                 Count(re.compile(r'module 1 \("[^"]*truncated\.elf dom0 args"\): bad ELF image: truncated: '
                                  r"program header \d+ .* extends past the end of the image"), 1)]),
        Case("module-garbage", modules=[("garbage.bin", "noise", garbage_module)],
             checks=selftest_pass(1) + [Count("module 1: 4000 bytes of data", 1)]),
        Case("module-bzimage-truncated", modules=[("truncated.bzimage", "console=hvc0", truncated_bzimage)],
             checks=selftest_pass(1) + [
                 Count(re.compile(r'module 1 \("[^"]*truncated\.bzimage console=hvc0"\): truncated bzImage: '
                                  r"its header says 1051136 bytes, the module has 4096"), 1)]),
        Case("module-mixed", modules=[("empty.bin", "first", empty_module), ("good.elf", "second", good_elf),
                                      ("garbage.bin", "third", garbage_module)],
             # each module keeps the number it has on the loader's list
             checks=selftest_pass(1) + [
                 Count(re.compile(r'module 1 \("[^"]*empty\.bin first"\) is empty'), 1),
                 Count(re.compile(r"module 1: "), 0),
                 Has(re.compile(r'module 2: \[0x[0-9a-f]+-0x[0-9a-f]+\) "[^"]*good\.elf second"')),
                 Has(re.compile(r"module 2: ELF(32|64) x86 image")),
                 Has(re.compile(r'module 3: \[0x[0-9a-f]+-0x[0-9a-f]+\) "[^"]*garbage\.bin third"')),
                 Has("module 3: 4000 bytes of data")]),
        # a domain rebuilt 50 times; every page comes back
        Case("restart-50", smp=2, append="test-exit=0xf4",
             modules=[("looper.cfg", "", lambda args: RESTART_CFG), ("hello.elf", "", guest_elf("hello.elf"))],
             checks=[Count("(d1) VERDICT hello: PASS", 1), Count(re.compile(r"\(d\d+\) VERDICT hello: PASS"), 51),
                     Count(re.compile(r'domain "looper": restart \d+'), 50),
                     Has('restart limit (50) reached, destroying'),
                     Has("All domains have ended: 51 powered off, 0 crashed"), SameFreePages()]),
        # the same with ballooning: pages given back, populated again, moved
        # and removed from the physmap; death frees exactly what is owned
        Case("balloon-restart", smp=2, append="test-exit=0xf4",
             modules=[("balloon.cfg", "", lambda args: BALLOON_CFG), ("balloon.elf", "", guest_elf("balloon.elf"))],
             checks=[Count(re.compile(r"\(d\d+\) VERDICT balloon: PASS"), 6),
                     Count(re.compile(r'domain "balloon": restart \d+'), 5),
                     Has("All domains have ended: 6 powered off, 0 crashed"), SameFreePages()]),
        # maxmem above memory: the guest populates the difference
        Case("balloon-up", smp=2, append="test-exit=0xf4",
             modules=[("up.cfg", "", lambda args: BALLOON_UP_CFG), ("balloon.elf", "", guest_elf("balloon.elf"))],
             checks=[Has("(d1)   ok:  ballooned up by 512 pages to maxmem: 512 done"),
                     Has("(d1)   ok:  current_reservation 8704 = maximum 8704"),
                     Count("(d1) VERDICT balloon: PASS", 1), Has("All domains have ended: 1 powered off, 0 crashed"),
                     SameFreePages()]),
        # a page given back and populated again while the other vCPU has the
        # hypervisor copy into it: no write lands in a freed page, and the
        # pages add up at the end
        Case("balloon-race", smp=2, append="test-exit=0xf4",
             modules=[("race.cfg", "", lambda args: BALLOON_RACE_CFG), ("balloon.elf", "", guest_elf("balloon.elf"))],
             checks=[Count("(d1) VERDICT balloon: PASS", 1), Has("All domains have ended: 1 powered off, 0 crashed"),
                     Lacks("page_alloc:"), SameFreePages()]),
        # max_grant_frames / max_maptrack_frames from the configuration
        Case("gnttab-limits", smp=2, append="test-exit=0xf4",
             modules=[("limits.cfg", "", lambda args: GNTTAB_LIMITS_CFG), ("gnttab.elf", "", guest_elf("gnttab.elf"))],
             checks=[Has("(d1)   ok:  query_size: status 0, 1 frames of at most 8"),
                     Has("(d1)   ok:  max_maptrack_frames = 0: map is GNTST_no_device_space"),
                     Has("(d1) VERDICT gnttab: PASS"), Has("All domains have ended: 1 powered off, 0 crashed"),
                     SameFreePages()]),
        # a guest flooding its console is rate-limited (lines dropped and
        # counted), finishes, and the other domain's output still comes out
        Case("console-flood", smp=2, append="test-exit=0xf4",
             modules=[("flood.cfg", "", lambda args: FLOOD_CFG), ("hello.elf", "", guest_elf("hello.elf"))],
             checks=[Has("(d1) flood        0:"), Has(re.compile(r"\(d1\) \[\d+ lines dropped: console rate limit\]")),
                     Has("(d2) VERDICT hello: PASS"),
                     Has("All domains have ended: 2 powered off, 0 crashed")]),
        # console input: Ctrl-A three times gives d1 the focus; the line typed
        # reaches the guest through its PV console ring and comes back
        Case("console-input", smp=2, append="test-exit=0xf4",
             modules=[("echo.cfg", "", lambda args: ECHO_CFG),
                      ("console-ring.elf", "", guest_elf("console-ring.elf"))],
             keys=[("ring: waiting for input", b"\x01\x01\x01typed text\r")],
             checks=[InOrder("(d1) ring: hello through the PV console", "(d1) ring: waiting for input",
                             re.compile(r'\*\*\* Switching input to d1 "echo"'),
                             "(d1) ring: got 'typed text'", "(d1) VERDICT console-ring: PASS")]),
        # the scheduler's boot options, and values it refuses
        Case("sched-options", smp=2, append=SELFTEST + " sched_credit_tslice_ms=10 sched_ratelimit_us=20000",
             checks=selftest_pass(2) + [
                 Has("sched_ratelimit_us=20000 is longer than the time slice; using 10000"),
                 Has("sched: credit scheduler, time slice 10 ms, rate limit 10000 us")]),
        Case("sched-options-bad", smp=2, append=SELFTEST + " sched_credit_tslice_ms=5000 sched_ratelimit_us=500",
             checks=selftest_pass(2) + [
                 Has("sched_credit_tslice_ms=5000 is outside 1-1000; using 30"),
                 Has("sched: credit scheduler, time slice 30 ms, rate limit 500 us")]),
        # weight, cap and per-vCPU cpus from the domain config reach the
        # scheduler (the 'r' dump), then the domain ends normally
        Case("sched-config", smp=2, append="test-exit=0xf4",
             modules=[("sched.cfg", "", lambda args: SCHED_CFG),
                      ("console-ring.elf", "", guest_elf("console-ring.elf"))],
             keys=[("ring: waiting for input", b"r\x01\x01\x01done\r")],
             checks=[InOrder("'r' pressed", re.compile(
                 r"d1: weight 777, cap 150%: v1 idle cpu0 \d+ms \d+mig( inactive)? v0 \w+ cpu1 \d+ms \d+mig( inactive)?$"),
                 "(d1) ring: got 'done'", "(d1) VERDICT console-ring: PASS")]),
        # time calibrated against the PIT when there is no HPET
        Case("pit", smp=2, extra=["-machine", "hpet=off"], checks=selftest_pass(2) + [
            Has("calibrated against the PIT")]),
        # debug keys typed on the console once boot is complete; 'R' reboots,
        # which test-exit reports as 39
        Case("debug-keys", smp=2, append="test-exit=0xf4", status=qemu.EXIT_REBOOT,
             # typed at once: the console handles one key completely before
             # it reads the next. First a terminal's cursor-position report
             # and an arrow key: swallowed whole (that 'R' must not reboot
             # before the keys after it are handled)
             keys=[("Boot complete", b"\x1b[24;80R\x1bOAhmtdrxR")],
             checks=[Has("key 'h': show this help"), Has("key 'd': dump registers"),
                     Has("key 'm': dump memory"), Has("key 't': dump timer queues"),
                     Has("key 'r': dump run queues, credits and priorities"),
                     Has("key 'R': reboot the machine"),
                     InOrder("'h' pressed -> show this help",
                             "'m' pressed",
                             "'t' pressed", "Timers at", re.compile(r"CPU0: \d+ active"),
                             "'d' pressed", "*** CPU 0 state ***", "*** CPU 1 state ***",
                             re.compile(r"RIP is \[<[0-9a-f]{16}>\] "),
                             "'r' pressed", "Scheduler: credit; tslice 30 ms, tick 10 ms, ratelimit 1000 us; 2 pCPUs",
                             re.compile(r"CPU1: \d+ decisions, \d+ steals; running idle; queue \(0\):"),
                             "no debug key 'x' ('h' lists them)",
                             "'R' pressed -> reboot the machine", "Rebooting")] + NO_CRASH),
        trap("pagefault", "vector 14, page fault (#PF)", "crash_pagefault",
             [Has("Faulting address 0000700000000000: no page for write access")]),
        trap("divide", "vector 0, divide error (#DE)", "crash_divide"),
        trap("ud", "vector 6, invalid opcode (#UD)", "crash_ud"),
        trap("gp", "vector 13, general protection (#GP)", "crash_gp"),
        Case("crash-panic", image="test", smp=2, append=SELFTEST + " crashtest=panic", status=qemu.EXIT_FATAL,
             checks=[Lacks("selftest: PASS"), Lacks("FATAL TRAP"),
                     InOrder("crashtest: panic", "Panic on CPU 0:", "crashtest: deliberate panic",
                             "Stack trace (innermost first):",
                             re.compile(r"\[<[0-9a-f]{16}>\] crashtest\+0x[0-9a-f]+/0x[0-9a-f]+"),
                             re.compile(r"\[<[0-9a-f]{16}>\] start_basalt\+"),
                             "System halted after a fatal error")]),
        Case("grub-iso", image="iso", smp=2, checks=selftest_pass(2) + [
            Has(re.compile(r"Basalt \S+ hypervisor, booted by multiboot2 / GRUB")),
            Has(re.compile(r"Command line: %s\s*$" % SELFTEST))]),
    ]


# ----------------------------------------------------------------- running

def read_lines(raw):
    lines = []
    for ln in raw.decode("utf-8", "replace").split("\n"):
        ln = ln.replace("\r", "")
        i = ln.find("(basalt) ")
        lines.append(ln[i:] if i > 0 else ln)
    return lines


def run_case(case, args):
    """Returns (ok, seconds, reason or None, notes, log path, lines)."""
    log = os.path.join(OUT, case.name + ".log")
    notes = []
    mods = []
    for fname, margs, maker in case.modules:
        path = os.path.join(OUT, case.name, fname)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(maker(args))
        mods.append((path, margs))
    if case.image == "iso":
        image = args.iso
        if not os.path.exists(image):
            return False, 0.0, "ISO %s missing (make qemu-test builds it with scripts/mkiso.sh)" % image, notes, log, []
        if os.path.exists(args.kernel) and os.path.getmtime(image) < os.path.getmtime(args.kernel):
            notes.append("%s is older than %s (make %s rebuilds it)" % (image, args.kernel, image))
        argv = qemu.qemu_argv(iso=image, smp=case.smp)
    else:
        image = {"main": args.kernel, "test": args.test_kernel, "clang": args.clang_kernel}[case.image]
        if not os.path.exists(image):
            return False, 0.0, "kernel %s missing (run make / make test-image)" % image, notes, log, []
        argv = qemu.qemu_argv(kernel=image, append=case.append, smp=case.smp,
                              initrd=mods, extra=case.extra)

    start = time.monotonic()
    with open(log, "wb") as out:
        if case.keys:
            status, err = qemu.run_typing(argv, out, case.keys, args.timeout)
        else:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE)
            try:
                _, err = proc.communicate(timeout=args.timeout)
                status = proc.returncode
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
                status = None
        if err:
            out.write(b"\n--- qemu stderr ---\n" + err)
        out.write(("\n--- qemu: %s\n--- exit status: %s (%s)\n" % (
            shlex.join(argv), status, qemu.exit_meaning(status))).encode("utf-8", "surrogateescape"))
    secs = time.monotonic() - start
    with open(log, "rb") as f:
        lines = read_lines(f.read())

    reasons = []
    if status is None:
        reasons.append("hang: no verdict within %g s (killed)" % args.timeout)
    elif status != case.status:
        reasons.append("exit status %s (%s), expected %d (%s)" % (
            status, qemu.exit_meaning(status), case.status, qemu.exit_meaning(case.status)))
    checks = list(case.checks)
    if case.status == qemu.EXIT_PASS:
        checks += NO_CRASH
    if case.clean_cmdline:
        checks.append(CLEAN_CMDLINE)
    for check in checks:
        r = check(lines)
        if r:
            reasons.append(r)
    for k in case.known:
        if k.check(lines):
            notes.append("known issue: " + k.what)
        else:
            notes.append("known issue no longer seen, make it a real check in tests/qemu/run.py: " + k.what)
    return not reasons, secs, "; ".join(reasons) or None, notes, log, lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="run only cases whose name contains NAME (repeatable)")
    ap.add_argument("--kernel", help="default build/basalt.elf")
    ap.add_argument("--test-kernel", help="the make test-image build, default build/test/basalt.elf")
    ap.add_argument("--clang-kernel", help="the make CC=clang build, default build/clang/basalt.elf")
    ap.add_argument("--guests", help="the test guests (make guests), default build/guests")
    ap.add_argument("--iso", help="GRUB ISO whose command line is '%s', default build/test/selftest.iso" % SELFTEST)
    ap.add_argument("--jobs", "-j", type=int, default=2, help="QEMUs at once (default 2)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per case (default 120)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    args = ap.parse_args()
    # paths given are taken from where the runner was started; defaults are
    # in the tree; it works from the top of the tree
    for k, default in (("kernel", "build/basalt.elf"), ("test_kernel", "build/test/basalt.elf"),
                         ("clang_kernel", "build/clang/basalt.elf"), ("guests", "build/guests"),
                       ("iso", "build/test/selftest.iso")):
        v = getattr(args, k)
        setattr(args, k, os.path.relpath(os.path.abspath(v), ROOT) if v else default)
    os.chdir(ROOT)
    os.makedirs(OUT, exist_ok=True)

    all_cases = cases(args)
    selected = [c for c in all_cases if not args.only or any(o in c.name for o in args.only)]
    if args.list:
        for c in all_cases:
            print(c.name)
        return 0
    if not selected:
        print("no case matches %s; cases: %s" % (args.only, " ".join(c.name for c in all_cases)))
        return 2

    t0 = time.monotonic()
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futs = {pool.submit(run_case, c, args): c for c in selected}
        for fut in concurrent.futures.as_completed(futs):
            case = futs[fut]
            try:
                ok, secs, reason, notes, log, lines = fut.result()
            except Exception as e:  # a bug in a case's preparation
                ok, secs, reason, notes, log, lines = False, 0.0, "runner error: %r" % e, [], "-", []
            if ok:
                passed += 1
                print("PASS %s (%.1f s)" % (case.name, secs))
            else:
                failed += 1
                print("FAIL %s: %s" % (case.name, reason))
                if lines:
                    print("  --- last %d lines of %s ---" % (TAIL_LINES, log))
                    for ln in [ln for ln in lines if ln.strip()][-TAIL_LINES:]:
                        print("  | " + ln)
            for n in notes:
                print("  note: " + n)
            sys.stdout.flush()
    print("qemu tests: %d cases in %.1f s, logs in %s/" % (len(selected), time.monotonic() - t0, OUT))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
