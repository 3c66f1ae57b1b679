#!/bin/bash
# Boot to /init, wall time: tandem emu (realtime and deterministic clocks) vs
# QEMU TCG, same kernel, initramfs and command line, in one run.
#   bench/boot.sh [RUNS]      (needs: scripts/setup-deps.sh --bench)
# Prints one line per engine and kernel, and the ratios.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
cache=${TANDEM_CACHE:-$HOME/.cache/tandem}
tandem="$top/build/tandem"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/init.sh" <<'S'
echo TANDEM-BENCH-INIT
S
init="$work/init"
printf '#!/bin/sh\nmount -t proc proc /proc\necho TANDEM-BENCH-INIT\npoweroff -f\n' > "$init"
bash "$top/scripts/mkinitramfs.sh" "$work/initrd.gz" --init "$init"
append="console=ttyS0 ${BENCH_APPEND:-}"

# Median wall time (s) of a command over $runs runs; the guest must print the marker.
measure() { # label command...
	local label=$1; shift
	local times=()
	for i in $(seq "$runs"); do
		local t0 t1
		t0=$(date +%s.%N)
		"$@" > "$work/out" 2>&1 < /dev/null
		t1=$(date +%s.%N)
		if ! grep -q TANDEM-BENCH-INIT "$work/out"; then
			echo "$label: FAILED (no /init marker)"; tail -5 "$work/out"; return 1
		fi
		times+=("$(echo "$t1 - $t0" | bc)")
	done
	printf '%s\n' "${times[@]}" | sort -n | awk -v l="$label" '{a[NR]=$1} END {printf "%-40s median %.2f s (min %.2f, max %.2f, %d runs)\n", l, a[int((NR+1)/2)], a[1], a[NR], NR}'
}

for k in ${BENCH_KERNELS:-cloud generic}; do
	kernel="$cache/guest/vmlinuz-$k"
	[ -f "$kernel" ] || { echo "missing $kernel"; continue; }
	measure "tandem emu realtime $k" timeout 900 "$tandem" run --kernel "$kernel" --initrd "$work/initrd.gz" \
		--append "$append" --memory 512M --serial stdio
	measure "tandem emu deterministic $k" timeout 900 "$tandem" run --kernel "$kernel" --initrd "$work/initrd.gz" \
		--append "$append" --memory 512M --serial stdio --clock deterministic
	measure "qemu tcg $k" timeout 900 qemu-system-x86_64 -accel tcg -M pc -m 512 -nographic -no-reboot \
		-kernel "$kernel" -initrd "$work/initrd.gz" -append "$append"
done
