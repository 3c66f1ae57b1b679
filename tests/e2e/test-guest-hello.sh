#!/bin/bash
# Freestanding test guests (ELF64 and multiboot) boot in the emulator, print
# on COM1 and leave through the isa-debug-exit port with the status they chose.
. "$(dirname "$0")/lib.sh"
echo "1..4"
guests="$top_builddir/tests/guests"

out="$WORK/hello64.out"
timeout 60 "$TANDEM" run --kernel "$guests/hello64.elf" --serial "file:$out" --memory 64M
st=$?
check "ELF64 guest exits through port 0xf4 with status 33 (got $st)" test "$st" = 33
check "ELF64 guest printed on COM1" grep -q "hello from a 64-bit guest" "$out"

out="$WORK/hello-mb.out"
timeout 60 "$TANDEM" run --kernel "$guests/hello-mb.elf" --serial "file:$out" --memory 64M
st=$?
check "multiboot guest got the loader magic and exits with 35 (got $st)" test "$st" = 35
check "multiboot guest printed on COM1" grep -q "hello from a multiboot guest" "$out"
