#!/bin/bash
# Boot to /init: tandem emu (realtime and deterministic clocks) vs QEMU TCG,
# same kernel, initramfs and command line, in one run. The guest's /init
# prints a marker and powers off; wall time and CPU time are measured
# to the process exit (the marker must have appeared).
#   bench/boot.sh [RUNS]        needs: scripts/setup-deps.sh --bench
# Environment: BENCH_KERNELS (default "cloud generic"), BENCH_APPEND (extra cmdline).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
cache=${TANDEM_CACHE:-$HOME/.cache/tandem}
tandem="$top/build/tandem"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '#!/bin/sh\nmount -t proc proc /proc\necho TANDEM-BENCH-INIT\npoweroff -f\n' > "$work/init"
bash "$top/scripts/mkinitramfs.sh" "$work/initrd.gz" --init "$work/init"
append="console=ttyS0 ${BENCH_APPEND:-}"
echo "# $(date -u +%F) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
echo "# cmdline: $append"
for k in ${BENCH_KERNELS:-cloud generic}; do
	kernel="$cache/guest/vmlinuz-$k"
	[ -f "$kernel" ] || { echo "missing $kernel"; continue; }
	/usr/bin/python3 "$top/bench/measure.py" "$runs" TANDEM-BENCH-INIT \
		"tandem-emu-realtime $k" "$tandem run --kernel $kernel --initrd $work/initrd.gz --append '$append' --memory 512M --serial stdio" \
		"tandem-emu-deterministic $k" "$tandem run --kernel $kernel --initrd $work/initrd.gz --append '$append' --memory 512M --serial stdio --clock deterministic" \
		"qemu-tcg $k" "qemu-system-x86_64 -accel tcg -M pc -m 512 -nographic -no-reboot -kernel $kernel -initrd $work/initrd.gz -append '$append'"
done
