#!/bin/bash
# virtio-net on a tap and virtio-console on a pty, in a booted Debian guest
# (one boot). The test runs in its own network namespace (unshare -n), so
# every interface it makes disappears with it, even on failure: a bridge
# tdmbr0 with 192.168.77.1/24 on the host side, and tandem creates the tap
# (--net tap,ifname=tdmtap0,bridge=tdmbr0,mac=...) and adds it to the bridge.
# The guest loads virtio_net from the same linux-image package, takes
# 192.168.77.2, pings the host, downloads a file from an HTTP server the
# test runs on the bridge's address, and reports the MAC it sees. Then it
# writes to /dev/hvc0 (--console2 pty): the test reads that from the pty
# tandem reports and answers through the pty; the guest reads the answer.
# Needs root and /dev/net/tun; SKIPs with the reason otherwise.
N=10
if [ -z "${TANDEM_NETNS_CHILD:-}" ]; then
	why=
	if [ "$(id -u)" != 0 ]; then why="needs root (tap, bridge, network namespace)"
	elif [ ! -c /dev/net/tun ]; then why="/dev/net/tun is absent"
	elif ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then why="needs unshare and ip"
	elif ! unshare -n true 2>/dev/null; then why="cannot create a network namespace here"
	fi
	if [ -n "$why" ]; then
		echo "1..$N"; for i in $(seq $N); do echo "ok $i # SKIP $why"; done; exit 0
	fi
	TANDEM_NETNS_CHILD=1 exec unshare -n bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"
echo "1..$N"
PY=/usr/bin/python3
k=${TANDEM_VIRTIO_KERNEL:-cloud}
kernel="$GUEST/vmlinuz-$k"
mods=$(ls -d "$GUEST/modules-$k"/*/kernel 2>/dev/null | head -n1)
need() { for i in $(seq $N); do skip "$1"; done; exit 0; }
[ -f "$kernel" ] || need "$kernel missing (scripts/fetch-guest.sh)"
[ -n "$mods" ] || need "modules-$k missing"
[ -x "$TANDEM" ] || need "$TANDEM missing"

MAC=52:54:00:7a:6e:01
BR=tdmbr0 TAP=tdmtap0 HOST_IP=192.168.77.1 GUEST_IP=192.168.77.2
http_pid= helper_pid=
cleanup() {
	[ -n "$http_pid" ] && kill "$http_pid" 2>/dev/null
	[ -n "$helper_pid" ] && kill "$helper_pid" 2>/dev/null
	ip link del "$TAP" 2>/dev/null
	ip link del "$BR" 2>/dev/null
	[ -n "${TANDEM_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

ip link set lo up && ip link add "$BR" type bridge && ip addr add "$HOST_IP/24" dev "$BR" &&
	ip link set "$BR" up || need "cannot create bridge $BR in the test's network namespace"

mkdir -p "$WORK/www"
head -c 200000 /dev/urandom > "$WORK/www/payload.bin"
want=$(sha256sum < "$WORK/www/payload.bin" | cut -d' ' -f1)
port=8080
"$PY" -m http.server "$port" --bind "$HOST_IP" --directory "$WORK/www" >"$WORK/http.log" 2>&1 &
http_pid=$!

modlist="drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko drivers/virtio/virtio_pci_legacy_dev.ko
drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci.ko net/core/failover.ko
drivers/net/net_failover.ko drivers/net/virtio_net.ko drivers/char/virtio_console.ko"
adds=()
for m in $modlist; do adds+=(--add "$mods/$m:/lib/modules/$(basename "$m")"); done
cat > "$WORK/guest.sh" <<EOF
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net virtio_console; do
	insmod /lib/modules/\$m.ko || echo "insmod \$m failed"
done
sleep 1
echo "mac: \$(cat /sys/class/net/eth0/address)"
ip link set eth0 up && ip addr add $GUEST_IP/24 dev eth0
ping -c 2 -W 5 $HOST_IP >/dev/null && echo "ping ok"
wget -q -O /tmp/payload http://$HOST_IP:$port/payload.bin && echo "payload: \$(sha256sum < /tmp/payload)"
# one open descriptor for both directions: the answer cannot arrive while
# nobody holds hvc0 open
exec 3<>/dev/hvc0
echo "TANDEM-HVC0-READY" >&3
if read -t 300 line <&3; then echo "hvc0 read: \$line"; else echo "hvc0 read nothing"; fi
exec 3>&-
EOF
make_test_initramfs "$WORK/initrd.gz" "$WORK/guest.sh" "${adds[@]}"

# The host end of the virtio console: waits for the pty tandem reports,
# reads the guest's line, answers, and records the host's ARP entry for
# the guest (the MAC on the wire) while the guest is still up.
"$PY" - "$WORK/tandem.err" "$WORK/hvc0.out" "$WORK/neigh.out" "$GUEST_IP" <<'PY' &
import os, re, subprocess, sys, time, tty
err, out, neigh, guest_ip = sys.argv[1:5]
deadline = time.time() + 1500
pty = None
while time.time() < deadline and not pty:
    try:
        m = re.search(r'virtio console on (\S+)', open(err).read())
        pty = m and m.group(1)
    except FileNotFoundError:
        pass
    time.sleep(0.2)
if not pty:
    sys.exit(1)
fd = os.open(pty, os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
seen = b''
answered = False
with open(out, 'wb') as f:
    while time.time() < deadline:
        try:
            b = os.read(fd, 4096)
        except OSError:
            break      # tandem exited (EIO)
        if not b:
            break
        f.write(b); f.flush()
        seen += b
        if not answered and b'TANDEM-HVC0-READY' in seen:
            with open(neigh, 'w') as n:
                n.write(subprocess.run(['ip', 'neigh', 'show', guest_ip], capture_output=True, text=True).stdout)
            os.write(fd, b'hello-from-the-host\n')
            answered = True
PY
helper_pid=$!

out="$WORK/serial.out"
timeout 1500 "$TANDEM" run --kernel "$kernel" --initrd "$WORK/initrd.gz" --memory 256M \
	--append "console=ttyS0 cryptomgr.notests" --serial "file:$out" \
	--net "tap,ifname=$TAP,bridge=$BR,mac=$MAC" --console2 pty 2> "$WORK/tandem.err"
st=$?
sleep 0.5
check "guest powers off (exit $st)" test "$st" = 0
check "tandem reports the virtio console's pty" grep -q 'virtio console on /dev/pts/' "$WORK/tandem.err"
check "guest sees the configured MAC $MAC" grep -q "mac: $MAC" "$out"
check "guest pings the host through the tap and bridge" grep -q 'ping ok' "$out"
check "guest downloads a file from the host's HTTP server" grep -q "payload: $want" "$out"
check "the host sees the guest at $GUEST_IP with MAC $MAC" grep -qi "lladdr $MAC" "$WORK/neigh.out"
check "the HTTP server served the guest ($GUEST_IP)" grep -q "^$GUEST_IP .*GET /payload.bin" "$WORK/http.log"
check "hvc0 output reaches the pty" grep -q 'TANDEM-HVC0-READY' "$WORK/hvc0.out"
check "the guest reads what the host wrote into the pty" grep -q 'hvc0 read: hello-from-the-host' "$out"
gone() { ! ip link show "$TAP" >/dev/null 2>&1; }
check "the tap tandem created is gone after it exits" gone
if ! grep -q TANDEM-INIT-END "$out"; then tail -n 30 "$out" | diag; tail -n 10 "$WORK/tandem.err" | diag; fi
