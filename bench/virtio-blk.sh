#!/bin/bash
# Sequential write and read MB/s of a virtio disk from inside the guest
# (busybox dd with O_DIRECT, 1 MiB blocks), tandem emu vs QEMU TCG, same
# kernel, modules, initramfs and raw/qcow2 images in the same run.
#   bench/virtio-blk.sh [MIB]     (default 64 MiB; needs qemu-system-x86_64)
# Prints one line per engine and format, then the ratios.
# BENCH_SYSCALLS=1 also runs tandem under `strace -w -f -c` and prints how
# much of each phase tandem's vCPU thread spent inside the disk's own
# syscalls (pread/pwrite/fdatasync/fallocate): the most that moving
# virtio-blk's I/O off the vCPU thread could overlap with emulation.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mib=${1:-64}
cache=${TANDEM_CACHE:-$HOME/.cache/tandem}
tandem="$top/build/tandem"
k=${BENCH_KERNEL:-cloud}
kernel="$cache/guest/vmlinuz-$k"
mods=$(ls -d "$cache/guest/modules-$k"/*/kernel | head -n1)
work=$(mktemp -d); [ -n "${BENCH_KEEP:-}" ] && echo "work: $work"
trap '[ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT

cat > "$work/init" <<INIT
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev 2>/dev/null
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk; do insmod /lib/modules/\$m.ko; done
sleep 1
up() { cut -d' ' -f1 /proc/uptime; }
t0=\$(up); dd if=/dev/zero of=/dev/vda bs=1M count=$mib oflag=direct 2>/dev/null; t1=\$(up)
echo "W \$t0 \$t1"
t0=\$(up); dd if=/dev/vda of=/dev/null bs=1M count=$mib iflag=direct 2>/dev/null; t1=\$(up)
echo "R \$t0 \$t1"
echo TANDEM-BENCH-END
poweroff -f
INIT
adds=()
for m in virtio/virtio_ring virtio/virtio virtio/virtio_pci_legacy_dev virtio/virtio_pci_modern_dev virtio/virtio_pci; do
	adds+=(--add "$mods/drivers/$m.ko:/lib/modules/$(basename "$m").ko")
done
adds+=(--add "$mods/drivers/block/virtio_blk.ko:/lib/modules/virtio_blk.ko")
bash "$top/scripts/mkinitramfs.sh" "$work/initrd.gz" --init "$work/init" "${adds[@]}"
append="console=ttyS0 quiet cryptomgr.notests"

# "W 12.34 13.56" (guest /proc/uptime before and after) -> MiB/s
rate() { tr -d '\r' < "$2" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' | grep -ao "\b$1 [0-9.]\+ [0-9.]\+\$" | tail -n1 | awk -v m="$mib" '{d = $3 - $2; if (d > 0) printf "%.1f", m / d}'; }

declare -A W R
for fmt in raw qcow2; do
	for eng in tandem qemu; do
		img="$work/disk.$fmt"
		rm -f "$img"
		qemu-img create -q -f "$fmt" "$img" "$((mib + 16))M"
		out="$work/$eng-$fmt.out"
		if [ $eng = tandem ]; then
			trace=()
			[ -n "${BENCH_SYSCALLS:-}" ] && trace=(strace -w -f -c -o "$work/$fmt.strace"
				-e trace=pread64,pwrite64,preadv,pwritev,fdatasync,fallocate)
			timeout 1200 "${trace[@]}" "$tandem" run --kernel "$kernel" --initrd "$work/initrd.gz" --append "$append" \
				--memory 512M --serial "file:$out" --disk "$img,format=$fmt" 2>/dev/null
		else
			timeout 1200 qemu-system-x86_64 -accel tcg -M pc -m 512 -nographic -no-reboot -kernel "$kernel" \
				-initrd "$work/initrd.gz" -append "$append" \
				-drive "file=$img,format=$fmt,if=virtio,cache=none" > "$out" 2>&1 < /dev/null
		fi
		W[$eng-$fmt]=$(rate W "$out"); R[$eng-$fmt]=$(rate R "$out")
		if ! grep -q TANDEM-BENCH-END "$out"; then echo "$eng $fmt: FAILED"; tail -5 "$out"; fi
		printf '%-8s %-6s write %8s MiB/s   read %8s MiB/s\n' "$eng" "$fmt" "${W[$eng-$fmt]:-?}" "${R[$eng-$fmt]:-?}"
		if [ $eng = tandem ] && [ -f "$work/$fmt.strace" ]; then
			# seconds inside the write-side and read-side syscalls vs each phase's length
			awk -v m="$mib" -v w="${W[$eng-$fmt]:-0}" -v r="${R[$eng-$fmt]:-0}" '
				$NF ~ /^(pwrite64|pwritev|fdatasync|fallocate)$/ { ws += $2 }
				$NF ~ /^(pread64|preadv)$/ { rs += $2 }
				END { if (w > 0 && r > 0) printf "         host disk syscalls: %.0f%% of the write phase, %.0f%% of the read phase\n",
					100 * ws / (m / w), 100 * rs / (m / r) }' "$work/$fmt.strace"
		fi
	done
done
for fmt in raw qcow2; do
	awk -v f=$fmt -v tw="${W[tandem-$fmt]:-0}" -v qw="${W[qemu-$fmt]:-0}" -v tr="${R[tandem-$fmt]:-0}" \
		-v qr="${R[qemu-$fmt]:-0}" 'BEGIN { wr = qw > 0 ? tw / qw : 0; rr = qr > 0 ? tr / qr : 0;
		printf "ratio tandem/qemu %-6s write %.2f  read %.2f\n", f, wr, rr }'
done
