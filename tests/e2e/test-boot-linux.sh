#!/bin/bash
# Debian's kernels boot in the emulator to a busybox /init that runs
# commands, prints results and powers off (ACPI S5): tandem exits 0.
#   test-boot-linux.sh                 cloud and generic kernels, 1 CPU
# Environment: TANDEM_BOOT_KERNELS (default "cloud generic").
. "$(dirname "$0")/lib.sh"
kernels=${TANDEM_BOOT_KERNELS:-cloud generic}
set -- $kernels
echo "1..$(( $# * 3 ))"

script="$WORK/cmds.sh"
cat > "$script" <<'CMDS'
echo "uname: $(uname -r)"
echo "cpus: $(grep -c ^processor /proc/cpuinfo)"
echo "sum: $(echo tandem | md5sum)"
CMDS
initrd="$WORK/initrd.gz"
make_test_initramfs "$initrd" "$script"
want_sum=$(echo tandem | md5sum)

for k in $kernels; do
	kernel="$GUEST/vmlinuz-$k"
	if [ ! -f "$kernel" ]; then
		skip "$k kernel: $kernel missing (scripts/fetch-guest.sh)"; skip "$k"; skip "$k"
		continue
	fi
	out="$WORK/$k.out"
	start=$(date +%s)
	timeout 900 "$TANDEM" run --kernel "$kernel" --initrd "$initrd" --memory 512M \
		--append "console=ttyS0 cryptomgr.notests" --serial "file:$out" --stats 2> "$WORK/$k.err"
	st=$?
	echo "# $k: exit $st after $(( $(date +%s) - start )) s"
	grep 'tandem stats' "$WORK/$k.err" | diag
	check "$k kernel powers off and tandem exits 0 (got $st)" test "$st" = 0
	check "$k kernel ran /init" grep -q TANDEM-INIT-END "$out"
	check "$k guest md5sum matches the host's" grep -qF "sum: $want_sum" "$out"
	if ! grep -q TANDEM-INIT-END "$out"; then
		tail -n 30 "$out" | diag
		tail -n 10 "$WORK/$k.err" | diag
	fi
done
