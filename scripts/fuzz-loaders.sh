#!/bin/bash
# Builds the boot-loader fuzzer (tests/fuzz/fuzz-loaders.c) with clang's
# libFuzzer, ASan and UBSan, outside automake, and runs it for SECONDS
# (default 60) on one core.  Output, corpus and crashes go to
# $FUZZ_OUT (default build/fuzz-loaders).  Prints the execution count.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
out=${FUZZ_OUT:-$top/build/fuzz-loaders}
mkdir -p "$out/corpus" "$out/seeds" "$out/crashes"
cd "$top"
pkgs="glib-2.0 zlib liblzma liblz4 libzstd"
clang -std=gnu11 -g -O1 -D_GNU_SOURCE -Isrc \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	$(pkg-config --cflags $pkgs) \
	src/vmm/boot/*.c src/vmm/guest_mem.c tests/boot/images.c tests/fuzz/fuzz-loaders.c \
	$(pkg-config --libs $pkgs) -o "$out/fuzz-loaders"
log="$out/fuzz.log"
set +e
FUZZ_SEED_DIR="$out/seeds" "$out/fuzz-loaders" -max_total_time="$secs" -rss_limit_mb=2560 -max_len=131072 \
	-timeout=30 -print_final_stats=1 -artifact_prefix="$out/crashes/" "$out/corpus" "$out/seeds" >"$log" 2>&1
rc=$?
set -e
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
echo "fuzz-loaders: exit $rc, ${execs:-?} executions in ${secs}s (log: $log)"
if [ $rc -ne 0 ]; then
	grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -20
fi
exit $rc
