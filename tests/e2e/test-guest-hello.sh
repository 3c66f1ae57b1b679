#!/bin/bash
# Freestanding test guests (ELF64 and multiboot) boot in the emulator, print
# on COM1 and leave through the isa-debug-exit port with the status they chose.
. "$(dirname "$0")/lib.sh"
echo "1..7"
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

# The same guest from a libvirt domain XML file (tandem run --domain),
# the command-line flags overriding the domain's serial device.
cat > "$WORK/hello.xml" <<XML
<domain type='qemu'>
  <name>hello</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type><kernel>$guests/hello64.elf</kernel></os>
  <devices><serial type='pty'><target port='0'/></serial></devices>
</domain>
XML
out="$WORK/hello-domain.out"
timeout 60 "$TANDEM" run --domain "$WORK/hello.xml" --serial "file:$out"
st=$?
check "--domain: the ELF64 guest from domain XML exits with 33 (got $st)" test "$st" = 33
check "--domain: the guest printed on COM1" grep -q "hello from a 64-bit guest" "$out"
echo '<domain type="qemu"><name>x</name><devices><rng model="virtio"/></devices>' > "$WORK/bad.xml"
msg=$("$TANDEM" run --domain "$WORK/bad.xml" 2>&1)
st=$?
check "--domain: malformed XML is refused with status 1 and names the file (got $st: $msg)" \
	test "$st" = 1 -a -n "$(echo "$msg" | grep -F "$WORK/bad.xml")"
