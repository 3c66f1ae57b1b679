#!/bin/bash
# Debian's kernels boot in the emulator to a busybox /init that runs
# commands, prints results and powers off through ACPI S5: tandem exits 0.
# Cases: the cloud kernel with exactly "console=ttyS0" (the README's job),
# the generic kernel, 2 vCPUs (deterministic clock), and a user-space
# workload whose results must equal busybox's on the host.
. "$(dirname "$0")/lib.sh"
echo "1..13"

workload="$WORK/workload.sh"
cat > "$workload" <<'W'
seq 1 20000 | awk '{print ($1 * 7919) % 10007}' > /tmp/f
echo "wl-md5: $(md5sum < /tmp/f)"
echo "wl-sort: $(sort -n /tmp/f | md5sum)"
i=0; s=0; while [ $i -lt 5000 ]; do s=$((s + i * i)); i=$((i + 1)); done; echo "wl-loop: $s"
W
script="$WORK/cmds.sh"
{
	echo 'echo "cpus: $(grep -c ^processor /proc/cpuinfo)"'
	cat "$workload"
} > "$script"
initrd="$WORK/initrd.gz"
make_test_initramfs "$initrd" "$script"
# The same workload under the host's copy of the same static busybox.
expected="$WORK/expected"
(cd "$WORK" && mkdir -p bb && for a in sh seq awk md5sum sort; do ln -sf "$GUEST/busybox" "bb/$a"; done
 PATH="$WORK/bb" TMPDIR="$WORK" "$GUEST/busybox" sh -c "$(sed "s|/tmp/f|$WORK/f|g" "$workload")") > "$expected"

boot() { # name kernel-flavour cpus clock append
	local name=$1 k=$2 cpus=$3 clock=$4 append=$5
	local kernel="$GUEST/vmlinuz-$k" out="$WORK/$name.out"
	if [ ! -f "$kernel" ]; then
		skip "$name: $kernel missing (scripts/fetch-guest.sh)"; skip "$name"; skip "$name"
		return
	fi
	local start=$(date +%s)
	timeout 900 "$TANDEM" run --kernel "$kernel" --initrd "$initrd" --memory 512M --cpus "$cpus" \
		--clock "$clock" --append "$append" --serial "file:$out" --stats 2> "$WORK/$name.err"
	local st=$?
	echo "# $name: exit $st after $(( $(date +%s) - start )) s"
	grep 'tandem stats' "$WORK/$name.err" | diag
	check "$name: the guest powers off and tandem exits 0 (got $st)" test "$st" = 0
	check "$name: /init ran to the end" grep -q TANDEM-INIT-END "$out"
	check "$name: /proc/cpuinfo shows $cpus CPU(s)" grep -qx "cpus: $cpus" <(tr -d '\r' < "$out")
	if ! grep -q TANDEM-INIT-END "$out"; then
		tail -n 30 "$out" | diag
		tail -n 10 "$WORK/$name.err" | diag
	fi
}

boot cloud cloud 1 realtime "console=ttyS0"
boot generic generic 1 realtime "console=ttyS0 cryptomgr.notests"
boot cloud-smp cloud 2 deterministic "console=ttyS0 cryptomgr.notests"
for key in wl-md5 wl-sort wl-loop; do
	want=$(grep "^$key:" "$expected")
	check "user-space workload: guest '$key' equals the host's ($want)" grep -qxF "$want" <(tr -d '\r' < "$WORK/cloud.out")
done
check "the deterministic 2-CPU run computed the same workload" grep -qxF "$(grep '^wl-md5:' "$expected")" <(tr -d '\r' < "$WORK/cloud-smp.out")
