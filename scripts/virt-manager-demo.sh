#!/bin/bash
# virt-manager 4.1 against virttandemd, under Xvfb (not part of CI).
#   scripts/virt-manager-demo.sh [OUTDIR]        (default: docs/img)
# Starts a private virttandemd (--root in a temporary directory) with the
# real tandem, defines two guests (Debian's cloud kernel and a busybox
# initramfs: one started, one left shut off), waits for the running one's
# shell prompt (virsh console), then runs virt-manager connected to
# tandem+unix:///system?socket=... and takes three screenshots:
#   virt-manager-list.png     the manager window listing both guests
#   virt-manager-details.png  the running guest's details (Overview page)
#   virt-manager-performance.png  its Performance page (CPU usage graph)
#   virt-manager-console.png  its serial text console, a command typed in it
# then presses Pause twice in the toolbar and reports the guest's state.
# The daemon's log (procedures it answered "not supported", -v) is printed
# at the end. Needs: scripts/setup-deps.sh --bench (virt-manager, xvfb,
# xdotool, imagemagick), scripts/fetch-guest.sh, a build in ./build.
# KEEP=1 keeps the temporary directory (daemon and virt-manager logs).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${TANDEM_BUILD:-$top/build}
out=${1:-$top/docs/img}
cache=${TANDEM_CACHE:-$HOME/.cache/tandem}
kernel="$cache/guest/vmlinuz-cloud"
display=${DEMO_DISPLAY:-:57}

die() { echo "virt-manager-demo: $*" >&2; exit 1; }
for t in Xvfb virt-manager xdotool import convert dbus-launch virsh; do
	command -v "$t" >/dev/null || die "$t missing: run scripts/setup-deps.sh --bench"
done
[ -x "$build/virttandemd" ] && [ -x "$build/tandem" ] || die "no build in $build: run scripts/build.sh"
[ -f "$kernel" ] || die "$kernel missing: run scripts/fetch-guest.sh"

work=$(mktemp -d /tmp/tandem-vmdemo.XXXXXX)
root="$work/root"
uri="tandem+unix:///system?socket=$root/run/libvirt/virttandemd-sock"
pids=()
cleanup() {
	set +e
	virsh -q -c "$uri" destroy tandem-emu >/dev/null 2>&1
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "virt-manager-demo: kept $work" || rm -rf "$work"
}
trap cleanup EXIT

# the guest: the default busybox init (banner, shell on ttyS0)
"$top/scripts/mkinitramfs.sh" "$work/initrd.cpio.gz" >/dev/null
guest_xml() {  # NAME TITLE
	cat <<XML
<domain type='qemu'>
  <name>$1</name>
  <title>$2</title>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$kernel</kernel>
    <initrd>$work/initrd.cpio.gz</initrd>
    <cmdline>console=ttyS0 quiet cryptomgr.notests</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <clock offset='utc'/>
  <devices>
    <serial type='pty'><target port='0'/></serial>
  </devices>
</domain>
XML
}

"$build/virttandemd" --root "$root" --tandem "$build/tandem" -v >"$work/daemon.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$root/run/libvirt/virttandemd-sock" ] && break; sleep 0.1; done
vsh() { virsh -q -c "$uri" "$@"; }
guest_xml tandem-emu "busybox on tandem's x86-64 emulator" >"$work/emu.xml"
guest_xml tandem-spare "second guest, shut off" >"$work/spare.xml"
vsh define "$work/emu.xml" >/dev/null
vsh define "$work/spare.xml" >/dev/null
vsh start tandem-emu >/dev/null
echo "virt-manager-demo: waiting for the guest's shell prompt"
# then 90 s of busy loop in the guest, for the CPU usage graphs
TANDEM_EXPECT_TIMEOUT=${BOOT_WAIT:-300} /usr/bin/python3 "$top/tests/driver/console-expect.py" "$uri" tandem-emu \
	"Escape character" $'\r' "# " "timeout 90 sh -c 'while :; do :; done' &"$'\r' "# " "^]" \
	>"$work/boot.log" 2>&1 || { cat "$work/boot.log"; die "the guest did not boot"; }

Xvfb "$display" -screen 0 1280x1024x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done
export DISPLAY=$display NO_AT_BRIDGE=1 XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache"
eval "$(dbus-launch --sh-syntax)"
pids+=("$DBUS_SESSION_BUS_PID")

# wait_window NAME-REGEX: the id of the visible window once it is mapped
wait_window() {
	local w
	for _ in $(seq 300); do
		w=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | head -1) && [ -n "$w" ] && { echo "$w"; return 0; }
		sleep 0.1
	done
	die "no window named '$1' (see $work/virt-manager.log)"
}
shot() {  # WINDOW FILE: the window, as a small 8-bit PNG
	import -window "$1" "$work/shot.png"
	convert "$work/shot.png" -colors 128 "PNG8:$out/$2"
	echo "virt-manager-demo: $out/$2 ($(stat -c %s "$out/$2") bytes)"
}
mkdir -p "$out"

virt-manager --debug -c "$uri" >"$work/virt-manager.log" 2>&1 &
pids+=($!)
mgr=$(wait_window '^Virtual Machine Manager$')
sleep 8     # two stats polls: the CPU usage graph fills in
shot "$mgr" virt-manager-list.png

virt-manager -c "$uri" --show-domain-editor tandem-emu
vmw=$(wait_window ' on tandem$')
xdotool windowsize "$vmw" 860 620
sleep 3
shot "$vmw" virt-manager-details.png
xdotool mousemove --window "$vmw" 88 144 click 1     # Performance (virConnectGetAllDomainStats)
sleep 8
shot "$vmw" virt-manager-performance.png

virt-manager -c "$uri" --show-domain-console tandem-emu
sleep 3
xdotool mousemove --window "$vmw" 400 300 click 1
xdotool type --delay 40 "cat /proc/version; grep MemTotal /proc/meminfo"
xdotool key Return
sleep 4
shot "$vmw" virt-manager-console.png

# the toolbar's Pause toggle: virDomainSuspend, then virDomainResume
xdotool mousemove --window "$vmw" 168 46 click 1
sleep 3
paused=$(vsh domstate --reason tandem-emu)
xdotool mousemove --window "$vmw" 168 46 click 1
sleep 3
echo "virt-manager-demo: Pause pressed: $paused; pressed again: $(vsh domstate --reason tandem-emu)"

echo "virt-manager-demo: procedures virt-manager called that virttandemd does not implement:"
grep -o 'not supported: .*' "$work/daemon.log" | sort | uniq -c || echo "  (none)"
grep -E '\] ERROR' "$work/virt-manager.log" | head -5 || true
