#!/usr/bin/env python3
"""Linux under Basalt against the same kernel booted directly by QEMU.

    bench/linux.py [--runs N] [--cpuloop MILLIONS] [--timeout S]

The guest is build/linux/ (scripts/mklinux.sh): Debian's stock kernel and
the busybox initramfs, 1 vCPU, 256 MiB, basalt.test=cpuloop. Each run is
timed on the host from QEMU's start, line by line as the serial output
arrives:
  userspace  QEMU start -> "BASALT-LINUX: userspace" (boot to /init)
  cpuloop    "cpuloop start" -> "cpuloop end": the CPU-bound program
             (tests/linux/cpuloop.c) inside the guest
Baseline, same invocation: QEMU's own PVH direct boot of the same kernel
(the ELF vmlinux unpacked from the bzImage here, since QEMU boots PVH only
from an ELF) with the same initramfs, CPU model (-cpu max, TCG) and guest
memory, console on ttyS0. Under Basalt the boot also includes Basalt's own
boot and its unpacking of the bzImage's XZ payload (a `#` line reports
that part). Rows are medians of RUNS (default 3); the ratio is Basalt over
direct. No timing is judged; the exit status says only whether every run
got through.
"""
import argparse
import lzma
import os
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import qemu  # noqa: E402

LINUX = os.path.join(ROOT, "build", "linux")
MARK = b"BASALT-LINUX: "


def vmlinux_from_bzimage(bz, out):
    """The bzImage's payload (XZ), unpacked: the ELF vmlinux with its PVH note."""
    with open(bz, "rb") as f:
        img = f.read()
    if img[0x202:0x206] != b"HdrS":
        raise SystemExit("bench/linux: %s is not a bzImage" % bz)
    setup_sects = img[0x1F1] or 4
    offset, length = struct.unpack_from("<II", img, 0x248)
    start = (setup_sects + 1) * 512 + offset
    # the stream's own end marker ends it (trailing bytes: the kernel's size)
    data = lzma.LZMADecompressor().decompress(img[start:])
    if length <= 0:
        raise SystemExit("bench/linux: %s has no payload" % bz)
    if data[:4] != b"\x7fELF":
        raise SystemExit("bench/linux: the payload of %s is not an ELF" % bz)
    with open(out, "wb") as f:
        f.write(data)


def timed_run(argv, timeout, events):
    """Run QEMU until events (list of marker bytes) have all been seen, in
    order; returns {marker: seconds since start} and the log."""
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    fd = proc.stdout.fileno()
    seen, buf, log = {}, b"", b""
    try:
        while len(seen) < len(events):
            left = start + timeout - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            now = time.monotonic() - start
            buf += chunk
            log += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                for ev in events:
                    if ev not in seen and ev in line:
                        seen[ev] = now
    finally:
        proc.kill()
        proc.wait()
    return seen, log.decode("utf-8", "replace")


def row(name, samples, unit, baseline=None, base_name=None):
    med = statistics.median(samples)
    s = "bench %s %.3f %s runs=%d" % (name, med, unit, len(samples))
    if baseline:
        s += " ratio=%.2f baseline=%s" % (med / statistics.median(baseline), base_name)
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cpuloop", type=int, default=1000, help="millions of iterations (default 1000)")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--kernel-image", default=os.path.join(ROOT, "build", "basalt.elf"))
    args = ap.parse_args()
    bz, initrd = os.path.join(LINUX, "vmlinuz"), os.path.join(LINUX, "initramfs.cpio.gz")
    for f in (bz, initrd, args.kernel_image):
        if not os.path.exists(f):
            print("bench/linux: %s is missing (make all linux)" % f, file=sys.stderr)
            return 2
    cmdline = "basalt.test=cpuloop basalt.cpuloop=%d" % args.cpuloop
    events = [MARK + b"userspace", MARK + b"cpuloop start", MARK + b"cpuloop end"]
    results = {"direct": {"userspace": [], "cpuloop": []}, "basalt": {"userspace": [], "cpuloop": []}}
    unpack_ms = []
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        vmlinux = os.path.join(tmp, "vmlinux")
        vmlinux_from_bzimage(bz, vmlinux)
        cfg = os.path.join(tmp, "linux.cfg")
        with open(cfg, "w") as f:
            f.write('name = "bench"\nkernel = "vmlinuz"\nramdisk = "initramfs.cpio.gz"\nmemory = 256\nvcpus = 1\n'
                    'cmdline = "console=hvc0 %s"\n' % cmdline)
        direct = [qemu.QEMU, "-accel", "tcg", "-cpu", "max", "-M", "q35", "-m", "256M", "-smp", "1",
                  "-display", "none", "-serial", "stdio", "-no-reboot", "-kernel", vmlinux, "-initrd", initrd,
                  "-append", "console=ttyS0 " + cmdline]
        basalt = qemu.qemu_argv(kernel=args.kernel_image, append="test-exit=0xf4", smp=1, mem="1G",
                                initrd=[(cfg, ""), (bz, ""), (initrd, "")])
        for _ in range(args.runs):
            for kind, argv in (("direct", direct), ("basalt", basalt)):
                seen, log = timed_run(argv, args.timeout, events)
                if len(seen) != len(events):
                    failed += 1
                    print("# %s run incomplete: saw %s" % (kind, [e.decode() for e in seen]))
                    continue
                results[kind]["userspace"].append(seen[events[0]])
                results[kind]["cpuloop"].append(seen[events[2]] - seen[events[1]])
                if kind == "basalt":
                    for ln in log.splitlines():
                        if "unpacked the bzImage payload" in ln and " in " in ln:
                            unpack_ms.append(float(ln.rsplit(" in ", 1)[1].split()[0]))
    print("# basalt bench v1")
    for what in ("userspace", "cpuloop"):
        d, b = results["direct"][what], results["basalt"][what]
        if d:
            print(row("linux.%s.direct" % what, d, "s"))
        if b:
            print(row("linux.%s.basalt" % what, b, "s", d or None, "linux.%s.direct" % what))
    if unpack_ms:
        print("# of the Basalt boot, unpacking the bzImage's XZ payload took %.0f ms (median)" %
              statistics.median(unpack_ms))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
