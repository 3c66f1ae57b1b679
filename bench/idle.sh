#!/bin/bash
# An idle guest costs no host CPU: boot to a shell that sleeps, then sample
# tandem's CPU time (utime+stime from /proc/PID/stat) over 10 s of guest idleness,
# in both clock modes.   bench/idle.sh
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${TANDEM_CACHE:-$HOME/.cache/tandem}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '#!/bin/sh\nmount -t proc proc /proc\necho IDLE-START\nsleep 40\npoweroff -f\n' > "$work/init"
bash "$top/scripts/mkinitramfs.sh" "$work/initrd.gz" --init "$work/init"
hz=$(getconf CLK_TCK)
for clock in realtime deterministic; do
	out="$work/$clock.out"
	"$top/build/tandem" run --kernel "$cache/guest/vmlinuz-cloud" --initrd "$work/initrd.gz" --memory 256M \
		--append "console=ttyS0 quiet cryptomgr.notests" --serial "file:$out" --clock "$clock" &
	pid=$!
	for i in $(seq 600); do grep -q IDLE-START "$out" 2>/dev/null && break; sleep 0.5; done
	sleep 2
	t0=$(awk '{print $14 + $15}' /proc/$pid/stat)
	sleep 10
	t1=$(awk '{print $14 + $15}' /proc/$pid/stat)
	echo "idle $clock: $(echo "scale=3; ($t1 - $t0) / $hz" | bc) s of host CPU in 10 s of guest idleness ($(echo "scale=1; ($t1 - $t0) * 100 / $hz / 10" | bc) %)"
	kill $pid; wait $pid 2>/dev/null
done
