#!/bin/bash
# Driver daemon latency with many defined domains: virttandemd vs libvirt's
# own QEMU driver, same machine, same run, same domain XML shape.
#   bench/driver.sh [DOMAINS] [RUNS] [CYCLES]      (default 1000 20 200)
# Times `virsh list --all` and define+undefine with DOMAINS domains defined
# (bench/driver-lat.py interleaves the daemons round by round).
# Debian 12 ships libvirt 9.0 as the monolithic libvirtd (no virtqemud); it
# loads the same QEMU driver module (libvirt-daemon-driver-qemu). It runs as a
# private session daemon of user nobody (its own socket, config and state
# under a temporary HOME and XDG_RUNTIME_DIR: nothing touches /etc/libvirt or
# /run/libvirt); virttandemd runs with --root in a temporary directory.
# Guests are never started. Needs: scripts/setup-deps.sh --bench, ./build.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ndom=${1:-1000}
runs=${2:-20}
cycles=${3:-200}
build=${TANDEM_BUILD:-$top/build}
cache=${TANDEM_CACHE:-$HOME/.cache/tandem}
command -v libvirtd >/dev/null || { echo "libvirtd missing: scripts/setup-deps.sh --bench" >&2; exit 1; }
[ -x "$build/virttandemd" ] || { echo "no $build/virttandemd: scripts/build.sh" >&2; exit 1; }

work=$(mktemp -d /tmp/tandem-bench-driver.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# the domain XML of every benchmark domain (the examples' minimal guest)
cat >"$work/domain.xml" <<XML
<domain type='qemu'>
  <name>@NAME@</name>
  <uuid>@UUID@</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$cache/guest/vmlinuz-cloud</kernel>
    <initrd>$work/initramfs.cpio.gz</initrd>
    <cmdline>console=ttyS0</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <clock offset='utc'/>
  <devices>
    <serial type='pty'><target port='0'/></serial>
  </devices>
</domain>
XML

"$build/virttandemd" --root "$work/tandem" --tandem /bin/false >"$work/virttandemd.log" 2>&1 &
tpid=$!
pids+=($tpid)
tsock="$work/tandem/run/libvirt/virttandemd-sock"

mkdir -p "$work/qemu/home" "$work/qemu/run"
chmod 700 "$work/qemu/run"
chown -R nobody:nogroup "$work/qemu"
setpriv --reuid=nobody --regid=nogroup --clear-groups \
	env -i PATH=/usr/sbin:/usr/bin HOME="$work/qemu/home" XDG_RUNTIME_DIR="$work/qemu/run" \
	libvirtd >"$work/libvirtd.log" 2>&1 &
qpid=$!
pids+=($qpid)
qsock="$work/qemu/run/libvirt/libvirt-sock"

for _ in $(seq 100); do [ -S "$tsock" ] && [ -S "$qsock" ] && break; sleep 0.1; done
turi="tandem+unix:///system?socket=$tsock"
quri="qemu+unix:///session?socket=$qsock"
virsh -q -c "$quri" version >/dev/null   # libvirtd probes QEMU's capabilities once

echo "# $(date -u '+%F %H:%M') UTC; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
echo "# virttandemd $(git -C "$top" describe --always --dirty 2>/dev/null); libvirtd $(libvirtd --version | awk '{print $NF}') (QEMU driver, session)"
echo "# bench/driver.sh $ndom $runs $cycles"
/usr/bin/python3 "$top/bench/driver-lat.py" "$work/domain.xml" "$ndom" "$runs" "$cycles" \
	"virttandemd=$turi=$tpid" "libvirtd-qemu=$quri=$qpid"
