#!/bin/bash
# CPU cost of the emu engine per guest instruction, robust on a busy machine:
# the deterministic clock fixes the guest's work, so host CPU time per
# retired guest instruction compares builds. Two guests (cloud kernel,
# busybox initramfs): "boot" powers off from /init, "loop" first runs a
# 20,000-iteration shell loop. Each binary runs RUNS times per guest,
# interleaved; the minimum user+sys time is reported (load only adds).
#   bench/emu-cpu.sh [RUNS] [TANDEM...]    default: RUNS=3, ./build/tandem
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
shift || true
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=("$top/build/tandem")
cache=${TANDEM_CACHE:-$HOME/.cache/tandem}
kernel="$cache/guest/vmlinuz-${BENCH_KERNEL:-cloud}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '#!/bin/sh\nmount -t proc proc /proc\necho BENCH-DONE\npoweroff -f\n' > "$work/init-boot"
printf '#!/bin/sh\nmount -t proc proc /proc\ni=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done\necho BENCH-DONE\npoweroff -f\n' \
	> "$work/init-loop"
for g in boot loop; do
	bash "$top/scripts/mkinitramfs.sh" "$work/$g.gz" --init "$work/init-$g" >/dev/null
done
echo "# $(date -u '+%F %H:%M') UTC, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1 /proc/loadavg)"
echo "# guest work per run is fixed (--clock deterministic); min of $runs runs"
for g in boot loop; do
	for r in $(seq "$runs"); do
		for b in "${bins[@]}"; do
			out=$( { /usr/bin/time -f 'TIME %U %S' "$b" run --kernel "$kernel" --initrd "$work/$g.gz" \
				--append 'console=ttyS0 quiet cryptomgr.notests' --memory 512M --serial stdio \
				--clock deterministic --stats < /dev/null; } 2>&1)
			grep -q BENCH-DONE <<< "$out" || { echo "$b $g: guest did not finish"; continue; }
			insns=$(sed -n 's/.*instructions retired \([0-9]*\).*/\1/p' <<< "$out")
			cpu=$(awk '/^TIME/ {print $2 + $3}' <<< "$out")
			echo "$g $b $insns $cpu"
		done
	done
done | tee "$work/res" | awk '{printf "  run: %s %s %s insns %.2f s\n", $1, $2, $3, $4}'
awk '{k = $1 " " $2; if (!(k in best) || $4 < best[k]) {best[k] = $4; ins[k] = $3}}
     END {for (k in best) printf "%s: %.2f s CPU, %.0f M guest instructions, %.1f ns/instruction (%.0f MIPS)\n",
          k, best[k], ins[k] / 1e6, best[k] * 1e9 / ins[k], ins[k] / best[k] / 1e6}' "$work/res" | sort
