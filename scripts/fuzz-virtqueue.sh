#!/bin/bash
# Builds and runs the virtqueue libFuzzer target (clang, outside automake).
# Usage: scripts/fuzz-virtqueue.sh [SECONDS]   (default 60)
# Prints the fuzzer's final stats; the corpus is kept in build/fuzz/corpus.
set -euo pipefail
secs=${1:-60}
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/fuzz"
mkdir -p "$out/corpus"
CC=${CC:-clang}
flags="-g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$top/src $(pkg-config --cflags glib-2.0)"
$CC $flags -o "$out/fuzz-virtqueue" \
	"$top/tests/fuzz/fuzz-virtqueue.c" \
	"$top/src/hw/virtio/virtqueue.c" \
	"$top/src/vmm/guest_mem.c" \
	$(pkg-config --libs glib-2.0)
cd "$out"
exec ./fuzz-virtqueue -max_total_time="$secs" -print_final_stats=1 -max_len=65536 corpus
