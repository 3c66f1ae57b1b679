# Shared helpers for end-to-end tests (sourced). Tests print TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir/build}"
TANDEM="$top_builddir/tandem"
CACHE=${TANDEM_CACHE:-$HOME/.cache/tandem}
GUEST="$CACHE/guest"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tandem-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
tap_n=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }
check() { # description, command...
	local d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
diag() { sed 's/^/# /'; }

# Builds a busybox initramfs whose /init runs the given script file, then powers off.
make_test_initramfs() { # out script [--add SRC:DEST]...
	local out=$1 script=$2; shift 2
	local init="$WORK/init.$$"
	{
		echo '#!/bin/sh'
		echo 'mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev 2>/dev/null'
		echo 'echo TANDEM-INIT-START'
		cat "$script"
		echo 'echo TANDEM-INIT-END'
		echo 'poweroff -f'
	} > "$init"
	bash "$top_srcdir/scripts/mkinitramfs.sh" "$out" --init "$init" "$@"
}
