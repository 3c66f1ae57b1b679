#!/bin/bash
# A Debian kernel in the emulator uses the virtio devices (issue 5): the
# virtio modules from the same linux-image package are loaded by the test
# initramfs; the guest makes ext2 file systems on a raw and on a qcow2
# disk, writes files, downloads a file from an HTTP server on the host's
# loopback through user-mode networking (10.0.2.2), writes to hvc0 and
# reads virtio-rng, syncs and powers off. The host then checks the images
# (qemu-img check, debugfs) and a second boot reads the qcow2 files back.
#   test-virtio-guest.sh       (slow: two guest boots; not in `make check`)
# Environment: TANDEM_VIRTIO_KERNEL (default cloud).
. "$(dirname "$0")/lib.sh"
echo "1..12"
k=${TANDEM_VIRTIO_KERNEL:-cloud}
kernel="$GUEST/vmlinuz-$k"
mods=$(ls -d "$GUEST/modules-$k"/*/kernel 2>/dev/null | head -n1)
need() { for i in $(seq 1 12); do skip "$1"; done; exit 0; }
[ -f "$kernel" ] || need "$kernel missing (scripts/fetch-guest.sh)"
[ -n "$mods" ] || need "modules-$k missing"
"$TANDEM" --help 2>&1 | grep -q -- '--disk' || need "tandem has no --disk"
command -v qemu-img >/dev/null || need "qemu-img missing"
command -v debugfs >/dev/null || need "debugfs missing"

raw="$WORK/disk.raw"; qcow="$WORK/disk.qcow2"
truncate -s 32M "$raw"
qemu-img create -q -f qcow2 "$qcow" 32M
mkdir -p "$WORK/www"
head -c 300000 /dev/urandom > "$WORK/www/payload.bin"
want_payload=$(sha256sum < "$WORK/www/payload.bin" | cut -d' ' -f1)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$WORK/www" >/dev/null 2>&1 &
http_pid=$!
trap 'kill $http_pid 2>/dev/null; [ -n "${TANDEM_KEEP:-}" ] || rm -rf "$WORK"' EXIT

# Modules in dependency order (virtio_pci needs the legacy/modern helpers).
modlist="drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko drivers/virtio/virtio_pci_legacy_dev.ko
drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci.ko drivers/block/virtio_blk.ko
net/core/failover.ko drivers/net/net_failover.ko drivers/net/virtio_net.ko drivers/char/virtio_console.ko
drivers/char/hw_random/virtio-rng.ko"
adds=()
for m in $modlist; do adds+=(--add "$mods/$m:/lib/modules/$(basename "$m")"); done
load='for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk failover net_failover virtio_net virtio_console virtio-rng; do insmod /lib/modules/$m.ko || echo "insmod $m failed"; done; sleep 1'

cat > "$WORK/first.sh" <<EOF
$load
echo "blocks: \$(ls /sys/block | tr '\n' ' ')"
echo "serial: \$(cat /sys/block/vda/serial 2>/dev/null)"
mkdir -p /mnt/a /mnt/b
for d in a:vda b:vdb; do
	dir=/mnt/\${d%%:*}; dev=/dev/\${d#*:}
	mke2fs -q \$dev && mount -t ext2 \$dev \$dir && echo "hello from \$dev" > \$dir/hello.txt &&
	dd if=/dev/urandom of=\$dir/rand bs=64k count=16 2>/dev/null && echo "sum \$dev: \$(sha256sum < \$dir/rand)" &&
	sync && umount \$dir && echo "fs \$dev ok"
done
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2
wget -q -O /tmp/payload http://10.0.2.2:$port/payload.bin && echo "payload: \$(sha256sum < /tmp/payload)"
echo "hvc0 says hi" > /dev/hvc0
echo "rng: \$(cat /sys/class/misc/hw_random/rng_current) \$(head -c 64 /dev/hwrng | wc -c)"
sync
EOF
make_test_initramfs "$WORK/first.gz" "$WORK/first.sh" "${adds[@]}"
out="$WORK/first.out"
timeout 1500 "$TANDEM" run --kernel "$kernel" --initrd "$WORK/first.gz" --memory 512M \
	--append "console=ttyS0 cryptomgr.notests" --serial "file:$out" \
	--disk "$raw,format=raw,serial=TANDEM-RAW" --disk "$qcow,format=qcow2" \
	--net "user" --rng --console2 "file:$WORK/hvc0.out" 2> "$WORK/first.err"
st=$?
check "first boot powers off (exit $st)" test "$st" = 0
check "guest sees vda and vdb" grep -q 'blocks: .*vda vdb' "$out"
check "disk serial reaches the guest" grep -q 'serial: TANDEM-RAW' "$out"
check "ext2 on the raw disk" grep -q 'fs /dev/vda ok' "$out"
check "ext2 on the qcow2 disk" grep -q 'fs /dev/vdb ok' "$out"
check "download through user-mode networking" grep -q "payload: $want_payload" "$out"
check "hvc0 output reaches --console2" grep -q 'hvc0 says hi' "$WORK/hvc0.out"
check "virtio-rng feeds /dev/hwrng" grep -q 'rng: virtio_rng.* 64' "$out"
check "qemu-img check is clean" qemu-img check -q "$qcow"
qemu-img convert -O raw "$qcow" "$WORK/qcow.raw"
check "host reads the files (debugfs)" bash -c "debugfs -R 'cat /hello.txt' '$raw' 2>/dev/null | grep -q 'hello from /dev/vda' &&
	debugfs -R 'cat /hello.txt' '$WORK/qcow.raw' 2>/dev/null | grep -q 'hello from /dev/vdb'"
if ! grep -q TANDEM-INIT-END "$out"; then tail -n 30 "$out" | diag; tail -n 10 "$WORK/first.err" | diag; fi

sum_b=$(sed -n 's/^sum \/dev\/vdb: //p' "$out")
cat > "$WORK/second.sh" <<EOF
$load
mkdir -p /mnt/b && mount -t ext2 -o ro /dev/vda /mnt/b && cat /mnt/b/hello.txt && echo "sum again: \$(sha256sum < /mnt/b/rand)"
EOF
make_test_initramfs "$WORK/second.gz" "$WORK/second.sh" "${adds[@]}"
out2="$WORK/second.out"
timeout 1500 "$TANDEM" run --kernel "$kernel" --initrd "$WORK/second.gz" --memory 512M \
	--append "console=ttyS0 cryptomgr.notests" --serial "file:$out2" \
	--disk "$qcow,format=qcow2,readonly=on" 2> "$WORK/second.err"
check "second boot powers off" test $? = 0
check "second boot reads the qcow2 files back" bash -c "grep -q 'hello from /dev/vdb' '$out2' && [ -n '$sum_b' ] && grep -qF 'sum again: $sum_b' '$out2'"
