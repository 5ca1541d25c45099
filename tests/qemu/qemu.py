"""The QEMU command line Basalt's tests and benchmarks boot with.

One place for it, shared by tests/qemu/run.py and bench/boot.py
(scripts/qemu-cmd.sh is the same command for interactive use; keep the two
in step). Software emulation only: KVM on the build machines offers no
AMD-V/VT-x to its guests, and `-cpu max` under TCG provides both.
"""
import os
import subprocess
import threading
import time

QEMU = os.environ.get("QEMU", "qemu-system-x86_64")

# isa-debug-exit: a write of V to this port ends QEMU with status 2*V+1.
# Basalt's `test-exit=0xf4` option writes its verdict there.
TEST_EXIT_PORT = 0xF4

# Exit statuses of QEMU once Basalt wrote its verdict (2*code+1).
EXIT_PASS = 33    # power-off requested / self-test passed (code 0x10)
EXIT_FAIL = 35    # a self-test failed (code 0x11)
EXIT_FATAL = 37   # panic or fatal exception (code 0x12)
EXIT_REBOOT = 39  # reboot requested (code 0x13)

EXIT_MEANING = {
    EXIT_PASS: "power-off/pass",
    EXIT_FAIL: "self-test failed",
    EXIT_FATAL: "panic or fatal exception",
    EXIT_REBOOT: "reboot requested",
    0: "QEMU exited without a test-exit verdict",
    1: "QEMU failed (bad option or image?)",
}


def exit_meaning(status):
    if status is None:
        return "hang (killed at the timeout)"
    if status < 0:
        return "QEMU killed by signal %d" % -status
    return EXIT_MEANING.get(status, "unexpected status")


def qemu_argv(kernel=None, append=None, initrd=None, iso=None, smp=1, mem="2G", extra=()):
    """argv for one boot.

    kernel/append/initrd: QEMU's multiboot1 loader (-kernel). initrd is a
    list of (path, args) modules; each gets "path args" as its command line.
    iso: boot a CD image instead (GRUB, multiboot2).
    """
    argv = [QEMU, "-accel", "tcg", "-cpu", "max", "-M", "q35", "-m", mem,
            "-smp", str(smp), "-display", "none", "-serial", "stdio", "-no-reboot",
            "-device", "isa-debug-exit,iobase=%#x,iosize=4" % TEST_EXIT_PORT]
    if iso:
        argv += ["-cdrom", iso]
    if kernel:
        argv += ["-kernel", kernel]
        if append is not None:
            argv += ["-append", append]
        if initrd:
            mods = []
            for path, args in initrd:
                # QEMU splits -initrd on commas; ",," is a literal comma.
                mods.append(" ".join(x for x in (path, args) if x).replace(",", ",,"))
            argv += ["-initrd", ",".join(mods)]
    return argv + list(extra)


def run_typing(argv, out, keys, timeout, cumulative=False, on_line=None):
    """Run QEMU with its serial line on a pipe, copying it to out; type each
    key sequence of keys [(trigger text, bytes)], in order, once its trigger
    has appeared: in the output after the previous trigger, or (cumulative)
    anywhere so far. on_line(text, monotonic time) is called for each
    complete line as it arrives. Returns (status, or None when killed at the
    timeout; QEMU's stderr)."""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    pending, seen, partial, err = list(keys), b"", b"", []
    t = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
    t.start()
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        for chunk in iter(lambda: proc.stdout.read1(4096), b""):
            now = time.monotonic()
            out.write(chunk)
            seen += chunk
            if on_line:
                partial += chunk
                while b"\n" in partial:
                    line, partial = partial.split(b"\n", 1)
                    on_line(line.decode("utf-8", "replace").rstrip("\r"), now)
            while pending and pending[0][0].encode() in seen:
                if not cumulative:  # only later output can trigger the next sequence
                    seen = seen[seen.index(pending[0][0].encode()) + len(pending[0][0]):]
                try:
                    proc.stdin.write(pending.pop(0)[1])
                    proc.stdin.flush()
                except BrokenPipeError:
                    pending.clear()
        proc.wait()
    finally:
        timed_out = not timer.is_alive() and proc.returncode is not None and proc.returncode < 0
        timer.cancel()
    t.join()
    return (None if timed_out else proc.returncode), (err[0] if err else b"")
