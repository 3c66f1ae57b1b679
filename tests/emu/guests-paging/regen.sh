#!/bin/bash
# Regenerates ../guests_paging.h from the paging guests beside it (run by
# hand after editing). With --qemu, also boots each guest under QEMU TCG
# (multiboot) as an oracle and prints its verdict; `make check` never needs
# QEMU.
set -euo pipefail
cd "$(dirname "$0")"
../embed-guests.sh ../guests_paging.h guest_ tests/emu/guests-paging/regen.sh paging-*.asm
if [ "${1:-}" = --qemu ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	for f in paging-*.asm; do
		n=${f%.asm}
		nasm -f bin -o "$tmp/$n.bin" "$f"
		printf '%s under QEMU: ' "$n"
		timeout 60 qemu-system-x86_64 -accel tcg -m 128 -display none -kernel "$tmp/$n.bin" \
			-device isa-debug-exit,iobase=0xf4,iosize=4 -debugcon stdio || true
	done
fi
