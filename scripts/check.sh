#!/bin/sh
# `make check`: formatting (clang-format, config in .clang-format), static
# analysis (cppcheck) and the clang build. Fails on the first problem class
# it finds, after reporting all of that class.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh check build
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find hypervisor tests -name '*.[ch]')
status=0

echo "== clang-format"
bad=""
for f in $files; do
	if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		bad="$bad $f"
	fi
done
if [ -n "$bad" ]; then
	echo "not formatted (run: clang-format -i$bad)"
	status=1
fi

echo "== cppcheck"
if ! cppcheck --quiet --error-exitcode=1 --std=c11 --platform=unix64 \
	--enable=warning,portability --inline-suppr \
	--suppress=missingIncludeSystem --suppress=unusedFunction \
	--suppress=comparePointers --suppress=ctuuninitvar \
	-D__x86_64__ -Ihypervisor/include -Ihypervisor/arch/x86/include \
	hypervisor; then
	status=1
fi

echo "== clang build"
if ! make --no-print-directory CC=clang all >/dev/null; then
	make --no-print-directory CC=clang all
	status=1
fi
[ $status -eq 0 ] && echo "check: all clean"
exit $status
