#!/bin/bash
# A hostile freestanding guest (tests/guests/virtio-hostile.asm, ELF64)
# hands virtio-blk looping, out-of-range, wrong-direction and wild
# descriptors: every case must end with the device in NEEDS_RESET and the
# error reported on stderr, tandem keeps running, and after a reset the
# device still serves a valid read.
. "$(dirname "$0")/lib.sh"
echo "1..4"
command -v nasm >/dev/null || { for i in 1 2 3 4; do skip "nasm missing"; done; exit 0; }
"$TANDEM" --help 2>&1 | grep -q -- '--disk' || { for i in 1 2 3 4; do skip "tandem has no --disk"; done; exit 0; }
nasm -f elf64 "$top_srcdir/tests/guests/virtio-hostile.asm" -o "$WORK/h.o"
${GUEST_LD:-ld} -m elf_x86_64 -nostdlib -Ttext=0x200000 -e _start "$WORK/h.o" -o "$WORK/hostile.elf"
truncate -s 1M "$WORK/disk.raw"
timeout 120 "$TANDEM" run --kernel "$WORK/hostile.elf" --memory 64M --serial "file:$WORK/out" \
	--disk "$WORK/disk.raw,format=raw" 2> "$WORK/err"
st=$?
check "tandem survives and the guest exits with 9 passes (status 19, got $st)" test "$st" = 19
check "every hostile case put the device in NEEDS_RESET, a valid read works after reset" grep -q PPPPPPPPP "$WORK/out"
check "the device errors are reported" bash -c "grep -q 'loops' '$WORK/err' && grep -q 'not guest RAM' '$WORK/err' &&
	grep -q 'device-readable after a device-writable' '$WORK/err' && grep -q 'more than the queue size' '$WORK/err' &&
	grep -q 'names head 999' '$WORK/err' && grep -q 'status byte' '$WORK/err'"
check "each report names the device" bash -c "[ \$(grep -c 'virtio-blk0: .*needs reset' '$WORK/err') -ge 8 ]"
cat "$WORK/out" | diag
grep 'needs reset' "$WORK/err" | diag
