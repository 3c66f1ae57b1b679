# Shared helpers of the driver shell tests: a private daemon under a
# temporary --root, the fake VMM (or the real tandem when asked), TAP output.
: "${top_builddir:=$(cd "$(dirname "$0")/../../build" && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
DAEMON="$top_builddir/virttandemd"
FAKE="$top_srcdir/tests/driver/fake-tandem.py"
T_ROOT=$(mktemp -d /tmp/tandem-drv.XXXXXX)
SOCK="$T_ROOT/run/libvirt/virttandemd-sock"
URI="tandem+unix:///system?socket=$SOCK"
URI_RO="tandem+unix:///system?socket=$SOCK-ro"
T_N=0
T_FAIL=0
DAEMON_PID=

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $1"; }
not_ok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $1"; shift; for l in "$@"; do echo "# $l"; done; }
# a known failure: reported, does not fail the suite (TAP TODO)
todo() { T_N=$((T_N + 1)); echo "not ok $T_N - $1 # TODO $2"; shift 2; for l in "$@"; do echo "# $l"; done; }
skip() { T_N=$((T_N + 1)); echo "ok $T_N # SKIP $1"; }
# check DESC CMD...: the command must succeed
check() { local d="$1"; shift; local out; if out=$("$@" 2>&1); then ok "$d"; else not_ok "$d" "$out"; fi; }

start_daemon() {
	local tandem="${1:-$FAKE}"
	rm -f "$SOCK"   # a killed daemon leaves its socket behind
	"$DAEMON" --root "$T_ROOT" --tandem "$tandem" >>"$T_ROOT/daemon.log" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 100); do [ -S "$SOCK" ] && return 0; sleep 0.05; done
	echo "# daemon did not create $SOCK"; cat "$T_ROOT/daemon.log" | sed 's/^/# /'
	return 1
}

stop_daemon() {
	[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
}

# Kills every VMM process this test's daemon started (their pidfiles).
kill_guests() {
	local p
	for p in "$T_ROOT"/run/tandem/*.pid; do
		[ -f "$p" ] || continue
		[ "$(basename "$p")" = driver.pid ] && continue
		kill -9 "$(cat "$p")" 2>/dev/null
	done
}

cleanup() {
	stop_daemon
	kill_guests
	[ -n "$KEEP_ROOT" ] || rm -rf "$T_ROOT"
}
trap cleanup EXIT

vsh() { virsh -q -c "$URI" "$@"; }

# wait_state DOM STATE [SECONDS]: polls domstate until it matches
wait_state() {
	local i
	for i in $(seq $((${3:-5} * 10))); do
		[ "$(vsh domstate --reason "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	echo "# state of $1: $(vsh domstate --reason "$1" 2>&1), expected $2"
	return 1
}

domain_xml() {  # NAME [UUID] [extra devices]
	cat <<XML
<domain type='qemu'>
  <name>$1</name>
  ${2:+<uuid>$2</uuid>}
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type><kernel>${GUEST_KERNEL:-/boot/vmlinuz}</kernel>${GUEST_INITRD:+<initrd>$GUEST_INITRD</initrd>}<cmdline>console=ttyS0</cmdline></os>
  <features><acpi/><apic/></features>
  <devices><serial type='pty'/>$3</devices>
</domain>
XML
}
