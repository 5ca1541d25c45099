#!/bin/sh
# Build and run the libFuzzer targets for the decompressors and the bzImage
# parser, each for SECONDS (default 60):
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]      TARGET: decompress bzimage
#
# Needs clang (with its libFuzzer runtime), gzip, xz and python3 for the
# seeds. Everything goes to build/fuzz/: the binaries, the seeds (made
# afresh each run with the gzip and xz tools) and the corpus, which is kept
# between runs. A crash leaves its input in build/fuzz/crash-* and makes
# this script fail; replay it with build/fuzz/fuzz_TARGET FILE.
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-decompress bzimage}
cc=${FUZZ_CC:-clang}
out=build/fuzz
mkdir -p "$out"

cflags="-std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-fno-omit-frame-pointer -include tests/unit/lib/hv_rename.h -fno-builtin -Itests/unit/lib
	-Ihypervisor/include -Wall -Wextra -Werror -Wno-unused-parameter"
srcs="hypervisor/lib/inflate.c hypervisor/lib/unxz.c hypervisor/lib/bzimage.c hypervisor/lib/vsprintf.c
	hypervisor/lib/string.c"

# Seeds: small samples of text and code through the compressors the way
# Linux and users run them.
seeds() {
	dir=$out/seeds
	rm -rf "$dir"
	mkdir -p "$dir/raw" "$dir/decompress" "$dir/bzimage"
	head -c 3000 hypervisor/lib/unxz.c >"$dir/raw/text"
	head -c 2000 /bin/sh | tail -c 1500 >"$dir/raw/code"
	printf '' >"$dir/raw/empty"
	head -c 600 /dev/urandom >"$dir/raw/random"
	n=0
	for f in "$dir"/raw/*; do
		for c in "gzip -1 -n" "gzip -9 -n" "xz -T1 --check=crc32 --x86 --lzma2=preset=6" \
			"xz -T1 --check=crc64 --block-size=500" "xz -T1 --check=none -0" \
			"xz -T1 --lzma2=preset=1,lc=0,lp=4,pb=4"; do
			$c -c <"$f" >"$dir/decompress/seed$n"
			n=$((n + 1))
		done
	done
	# Two stream concatenations and a Linux payload (xz + 4-byte size).
	cat "$dir/decompress/seed2" "$dir/decompress/seed3" >"$dir/decompress/concat-xz"
	cat "$dir/decompress/seed0" "$dir/decompress/seed1" >"$dir/decompress/concat-gz"
	python3 - "$dir" <<'PY'
import os, struct, subprocess, sys
d = sys.argv[1]
raw = open(os.path.join(d, "raw", "code"), "rb").read()
xz = subprocess.run(["xz", "-T1", "--check=crc32", "--x86", "--lzma2=preset=6,dict=1MiB"], input=raw,
                    capture_output=True, check=True).stdout + struct.pack("<I", len(raw))
gz = subprocess.run(["gzip", "-9", "-n"], input=raw, capture_output=True, check=True).stdout
for name, payload in (("xz", xz), ("gz", gz)):
    setup = bytearray(4 * 512)          # setup_sects 3: boot sector + 3 sectors
    setup[0x1f1] = 3
    struct.pack_into("<H", setup, 0x1fe, 0xaa55)
    setup[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", setup, 0x206, 0x020f)
    struct.pack_into("<I", setup, 0x230, 0x200000)
    setup[0x234] = 1
    struct.pack_into("<H", setup, 0x236, 0x7f)
    struct.pack_into("<II", setup, 0x248, 0x40, len(payload))
    struct.pack_into("<Q", setup, 0x258, 0x1000000)
    struct.pack_into("<I", setup, 0x260, 0x3f98000)
    img = bytes(setup) + bytes(0x40) + payload
    open(os.path.join(d, "bzimage", "linux-" + name), "wb").write(img)
open(os.path.join(d, "decompress", "linux-payload"), "wb").write(xz)
PY
}

seeds
status=0
for t in $targets; do
	echo "== fuzz_$t: building"
	# shellcheck disable=SC2086
	$cc $cflags -o "$out/fuzz_$t" "tests/fuzz/fuzz_$t.c" $srcs
	mkdir -p "$out/corpus_$t"
	echo "== fuzz_$t: running for ${secs}s"
	if ! "$out/fuzz_$t" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
		-artifact_prefix="$out/" -print_final_stats=1 "$out/corpus_$t" "$out/seeds/$t" \
		>"$out/fuzz_$t.log" 2>&1; then
		echo "fuzz_$t: FAILED (see $out/fuzz_$t.log)"
		tail -n 40 "$out/fuzz_$t.log"
		status=1
	else
		grep -E "^#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb" "$out/fuzz_$t.log" || true
		echo "fuzz_$t: no crash; corpus $(find "$out/corpus_$t" -type f | wc -l) inputs"
	fi
done
exit $status
