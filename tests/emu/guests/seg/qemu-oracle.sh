#!/bin/bash
# Runs a segmentation guest under QEMU TCG as an oracle (by hand, never from
# make check): qemu-oracle.sh limits  ->  prints the guest's summary line
# ("passed failed") and one line per failure (id vector error eip), the
# same records test-emu-segments checks.
set -euo pipefail
cd "$(dirname "$0")"
name=${1:?guest name, e.g. limits}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nasm -f bin -o "$work/boot.bin" qemu-boot.s
nasm -f bin -o "$work/guest.bin" "$name.asm"
cat "$work/boot.bin" "$work/guest.bin" > "$work/disk.img"
truncate -s 1M "$work/disk.img"
timeout 60 qemu-system-x86_64 -accel tcg -M pc -m 64 -display none -no-reboot \
	-drive file="$work/disk.img",format=raw,if=ide \
	-debugcon file:"$work/out.txt" -global isa-debugcon.iobase=0xe9 \
	-device isa-debug-exit,iobase=0xf4,iosize=1 || true
cat "$work/out.txt"
