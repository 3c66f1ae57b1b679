#!/bin/bash
# The whole test suite from a fresh Debian 12 machine: installs the
# packages, fetches the guest kernels, builds, runs `make check`, and ends
# with one line "N passed, N failed, N skipped".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/setup-deps.sh || exit 1
bash scripts/fetch-guest.sh || exit 1
bash scripts/build.sh ${TANDEM_CONFIGURE_FLAGS:-} || exit 1
cd build
make -s -j"$(nproc)" check > check.out 2>&1
status=$?
grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP|XFAIL):' check.out | grep -v '^PASS:' || true
# A failed test's own log tells why; show the tail of each.
for log in $(grep -l -E '^(FAIL|ERROR|not ok)' $(find . -name 'test-*.log') 2>/dev/null); do
	echo "---- $log"; tail -n 30 "$log"
done
count() { awk -v k="# $1:" '$1" "$2 == k {n = $3} END {print n + 0}' check.out; }
pass=$(count PASS); fail=$(( $(count FAIL) + $(count ERROR) + $(count XPASS) )); skip=$(count SKIP)
if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then
	tail -n 40 check.out
	fail=1
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$status" -eq 0 ] && [ "$fail" -eq 0 ]
