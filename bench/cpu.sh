#!/bin/bash
# CPU-bound guest work, tandem emu vs QEMU TCG in one run: md5sum of 32 MiB
# read from /dev/zero, and a 100,000-iteration busybox shell loop. Each is
# timed inside the guest with /proc/uptime (both run in real time).
#   bench/cpu.sh [RUNS]         needs: scripts/setup-deps.sh --bench
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
cache=${TANDEM_CACHE:-$HOME/.cache/tandem}
kernel="$cache/guest/vmlinuz-${BENCH_KERNEL:-cloud}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev
up() { cut -d' ' -f1 /proc/uptime; }
a=$(up); dd if=/dev/zero bs=1M count=32 2>/dev/null | md5sum >/dev/null; b=$(up)
i=0; while [ $i -lt 100000 ]; do i=$((i + 1)); done; c=$(up)
echo "BENCH md5 $a $b loop $b $c"
poweroff -f
INIT
bash "$top/scripts/mkinitramfs.sh" "$work/initrd.gz" --init "$work/init"
append="console=ttyS0 quiet cryptomgr.notests"
run() { # label cmd...
	local label=$1; shift
	for i in $(seq "$runs"); do
		"$@" < /dev/null 2>&1 | tr -d '\r' | awk -v l="$label" '/BENCH md5/ {split(substr($0, index($0, "BENCH")), f, " "); printf "%s md5 %.2f loop %.2f\n", l, f[4] - f[3], f[7] - f[6]}'
	done
}
echo "# $(date -u +%F) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1 /proc/loadavg)"
{
	run tandem "$top/build/tandem" run --kernel "$kernel" --initrd "$work/initrd.gz" --append "$append" --memory 512M --serial stdio
	run qemu qemu-system-x86_64 -accel tcg -M pc -m 512 -nographic -no-reboot -kernel "$kernel" -initrd "$work/initrd.gz" -append "$append"
} | tee "$work/res"
awk '{md5[$1] += $3; loop[$1] += $5; n[$1]++}
     END {printf "means: tandem md5 %.2f s loop %.2f s; qemu md5 %.2f s loop %.2f s; ratio md5 %.2fx loop %.2fx\n",
          md5["tandem"]/n["tandem"], loop["tandem"]/n["tandem"], md5["qemu"]/n["qemu"], loop["qemu"]/n["qemu"],
          (md5["tandem"]/n["tandem"]) / (md5["qemu"]/n["qemu"]), (loop["tandem"]/n["tandem"]) / (loop["qemu"]/n["qemu"])}' "$work/res"
