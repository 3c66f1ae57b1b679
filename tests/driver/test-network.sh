#!/bin/bash
# <interface type='network'> against libvirt's real network driver: the test
# runs, in its own mount and network namespaces (unshare), a private libvirt
# daemon that loads only libvirt's network driver (virtnetworkd where the
# distribution ships it; on Debian 12 libvirtd from libvirt-daemon with
# LIBVIRT_DRIVER_DIR naming only libvirt_driver_network.so), defines and
# starts a network whose bridge that driver creates, and points virttandemd
# at it through the ordinary network:///system URI (the namespace's own
# /run/libvirt). virttandemd runs the fake VMM for the API checks, then the
# real tandem to show the tap on the network's bridge.
# Needs root (namespaces, bridges); SKIPs with the reason otherwise.
N=16
if [ -z "${TANDEM_NETNS_CHILD:-}" ]; then
	why=
	drvso=$(ls /usr/lib/*/libvirt/connection-driver/libvirt_driver_network.so 2>/dev/null | head -n1)
	if [ "$(id -u)" != 0 ]; then why="needs root (namespaces, bridges)"
	elif ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then why="needs unshare and ip"
	elif [ -z "$drvso" ] || ! { command -v virtnetworkd || command -v libvirtd; } >/dev/null; then
		why="libvirt's network driver is not installed (Debian 12: libvirt-daemon; scripts/setup-deps.sh)"
	elif ! unshare -m -n --propagation private true 2>/dev/null; then why="cannot create namespaces here"
	fi
	if [ -n "$why" ]; then
		echo "1..$N"; for i in $(seq $N); do echo "ok $i # SKIP $why"; done; exit 0
	fi
	TANDEM_NETNS_CHILD=1 NETDRV_SO="$drvso" exec unshare -m -n --propagation private bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"
echo "1..$N"
PY=/usr/bin/python3

# --- a private libvirt network daemon in this namespace ------------------
for d in /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /etc/libvirt; do
	mkdir -p "$d" && mount -t tmpfs tmpfs "$d" || { echo "Bail out! cannot mount a tmpfs on $d"; exit 1; }
done
# sysfs shows the network namespace of whoever mounted it
mount -t sysfs sysfs /sys || { echo "Bail out! cannot mount sysfs"; exit 1; }
ip link set lo up
NETD_PID=
stop_netd() { [ -n "$NETD_PID" ] && kill "$NETD_PID" 2>/dev/null && wait "$NETD_PID" 2>/dev/null; }
trap 'stop_netd; cleanup' EXIT
netlog="3:file:$T_ROOT/netd.log"
# the daemon dies with this script even when it is killed (make check timeouts)
pdeath=(); command -v setpriv >/dev/null && pdeath=(setpriv --pdeathsig KILL)
if command -v virtnetworkd >/dev/null; then
	LIBVIRT_LOG_OUTPUTS="$netlog" "${pdeath[@]}" virtnetworkd --pid-file /run/libvirt/virtnetworkd.pid >/dev/null 2>&1 &
	NETD_PID=$!; netsock=/run/libvirt/virtnetworkd-sock
else
	mkdir -p "$T_ROOT/netdrv" && ln -s "$NETDRV_SO" "$T_ROOT/netdrv/"
	LIBVIRT_LOG_OUTPUTS="$netlog" LIBVIRT_DRIVER_DIR="$T_ROOT/netdrv" "${pdeath[@]}" libvirtd --pid-file /run/libvirt/libvirtd.pid >/dev/null 2>&1 &
	NETD_PID=$!; netsock=/run/libvirt/libvirt-sock
fi
for _ in $(seq 300); do [ -S "$netsock" ] && break; sleep 0.1; done
nvsh() { virsh -q -c network:///system "$@"; }
cat > "$T_ROOT/net-on.xml" <<'XML'
<network><name>tdmnet</name><bridge name='tdmbr0'/><forward mode='open'/><dns enable='no'/>
  <ip address='192.168.123.1' netmask='255.255.255.0'/></network>
XML
cat > "$T_ROOT/net-off.xml" <<'XML'
<network><name>tdmoff</name><bridge name='tdmbr1'/><forward mode='open'/><dns enable='no'/>
  <ip address='192.168.124.1' netmask='255.255.255.0'/></network>
XML
if out=$(nvsh net-define "$T_ROOT/net-on.xml" 2>&1 && nvsh net-start tdmnet 2>&1 && nvsh net-define "$T_ROOT/net-off.xml" 2>&1) &&
	[ -d /sys/class/net/tdmbr0/bridge ]; then
	ok "libvirt's network driver runs network 'tdmnet' on bridge tdmbr0 ($(basename "$(readlink /proc/$NETD_PID/exe)"))"
else
	not_ok "private libvirt network driver" "$out" "$(tail -n 5 "$T_ROOT/netd.log" 2>/dev/null)"
	for i in $(seq 2 $N); do skip "no libvirt network daemon"; done
	exit 0
fi

start_daemon || exit 1
nic() { echo "<interface type='network'><source network='$1'/><mac address='$2'/><model type='virtio'/></interface>"; }
# virDomainCreate's error as "CODE MESSAGE" (or "ok")
start_code() {
	"$PY" - "$URI" "$1" <<'PY'
import sys, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
try:
    libvirt.open(sys.argv[1]).lookupByName(sys.argv[2]).create()
    print("ok")
except libvirt.libvirtError as e:
    print(e.get_error_code(), e.get_error_message())
PY
}

domain_xml n1 "" "$(nic tdmnet 52:54:00:aa:bb:01)" > "$T_ROOT/n1.xml"
check "define accepts <interface type='network'>" vsh define --validate "$T_ROOT/n1.xml"
vsh dumpxml --inactive n1 > "$T_ROOT/n1-inactive.xml"
check "inactive dumpxml keeps <source network='tdmnet'/>" grep -q "<source network='tdmnet'/>" "$T_ROOT/n1-inactive.xml"
check "inactive dumpxml validates (virt-xml-validate)" virt-xml-validate "$T_ROOT/n1-inactive.xml" domain
check "start resolves the network" vsh start n1
vsh dumpxml n1 > "$T_ROOT/n1-live.xml"
check "live XML names the bridge: <source network='tdmnet' bridge='tdmbr0'/>" \
	grep -q "<source network='tdmnet' bridge='tdmbr0'/>" "$T_ROOT/n1-live.xml"
check "live XML validates (virt-xml-validate)" virt-xml-validate "$T_ROOT/n1-live.xml" domain
iflist() { vsh domiflist n1 | grep -Eq '^ *tdmaabb01 +network +tdmnet +virtio +52:54:00:aa:bb:01'; }
check "domiflist shows the tap tdmaabb01 on network tdmnet" iflist
check "tandem gets a tap on tdmbr0 (--net tap,ifname=tdmaabb01,bridge=tdmbr0,...)" \
	grep -q -- "--net tap,ifname=tdmaabb01,bridge=tdmbr0,mac=52:54:00:aa:bb:01" "$T_ROOT/log/tandem/n1.log"
inactive_plain() { vsh dumpxml --inactive n1 | grep -q "<source network='tdmnet'/>"; }
check "the inactive XML of the running domain has no bridge" inactive_plain
# the bridge is live state: a restarted daemon reads it back from its status XML
stop_daemon; start_daemon || exit 1
live_bridge() { vsh dumpxml n1 | grep -q "<source network='tdmnet' bridge='tdmbr0'/>"; }
check "after a daemon restart the live XML still names the bridge" live_bridge
vsh destroy n1 >/dev/null 2>&1

domain_xml n2 "" "$(nic nosuch 52:54:00:aa:bb:02)" > "$T_ROOT/n2.xml"
vsh define "$T_ROOT/n2.xml" >/dev/null
r=$(start_code n2)
case "$r" in "43 Network not found: no network with matching name 'nosuch'"*) ok "missing network: VIR_ERR_NO_NETWORK ($r)";;
	*) not_ok "missing network: VIR_ERR_NO_NETWORK" "got: $r";; esac
domain_xml n3 "" "$(nic tdmoff 52:54:00:aa:bb:03)" > "$T_ROOT/n3.xml"
vsh define "$T_ROOT/n3.xml" >/dev/null
r=$(start_code n3)
case "$r" in "55 Requested operation is not valid: network 'tdmoff' is not active"*) ok "inactive network: VIR_ERR_OPERATION_INVALID ($r)";;
	*) not_ok "inactive network: VIR_ERR_OPERATION_INVALID" "got: $r";; esac
shut_off() { [ "$(vsh domstate "$1")" = "shut off" ]; }
check "domain stays shut off after a refused start" shut_off n3
nvsh net-start tdmoff >/dev/null
starts_on_tdmbr1() { vsh start n3 >/dev/null && vsh dumpxml n3 | grep -q "<source network='tdmoff' bridge='tdmbr1'/>"; }
check "once the network is started, the domain starts on its bridge" starts_on_tdmbr1
vsh destroy n3 >/dev/null 2>&1

# --- the real tandem: its tap ends up on the network's bridge -------------
KERNEL="${TANDEM_CACHE:-$HOME/.cache/tandem}/guest/vmlinuz-cloud"
if [ ! -x "$top_builddir/tandem" ] || [ ! -f "$KERNEL" ] || [ ! -c /dev/net/tun ]; then
	skip "real tandem: needs $top_builddir/tandem, $KERNEL and /dev/net/tun"
else
	stop_daemon
	start_daemon "$top_builddir/tandem" || exit 1
	GUEST_KERNEL="$KERNEL" domain_xml r1 "" "$(nic tdmnet 52:54:00:aa:bb:04)" > "$T_ROOT/r1.xml"
	vsh define "$T_ROOT/r1.xml" >/dev/null
	if out=$(vsh start r1 2>&1) && [ "$(basename "$(readlink /sys/class/net/tdmaabb04/master)")" = tdmbr0 ] &&
		ip -o link show tdmaabb04 | grep -q '[<,]UP[,>]'; then
		ok "real tandem: tap tdmaabb04 is up and a port of tdmbr0"
	else
		not_ok "real tandem: tap on tdmbr0" "$out" "$(ip -br link 2>&1)" "$(tail -n 5 "$T_ROOT/log/tandem/r1.log" 2>/dev/null)"
	fi
	vsh destroy r1 >/dev/null 2>&1
fi
