#!/bin/bash
# Builds a busybox initramfs (gzip'd newc cpio).
#   mkinitramfs.sh OUT.cpio.gz [--init FILE] [--add SRC:DEST]... [--modules DIR:MOD...]
# Without --init the image gets the interactive init: mount /proc, /sys,
# /dev, print a banner and start a shell on the console; 'poweroff -f' ends
# the guest.
set -euo pipefail
cache=${TANDEM_CACHE:-$HOME/.cache/tandem}
busybox="$cache/guest/busybox"
out=$1; shift
init=
adds=()
while [ $# -gt 0 ]; do
	case $1 in
	--init) init=$2; shift 2 ;;
	--add) adds+=("$2"); shift 2 ;;
	*) echo "mkinitramfs: unknown argument $1" >&2; exit 1 ;;
	esac
done
[ -x "$busybox" ] || { echo "mkinitramfs: $busybox missing: run scripts/fetch-guest.sh" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,root,usr/bin,usr/sbin}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
if [ -n "$init" ]; then
	cp "$init" "$root/init"
else
	cat > "$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo
echo "tandem guest: $(uname -sr), $(grep -c ^processor /proc/cpuinfo) CPU(s). Type 'poweroff -f' to stop."
exec setsid cttyhack sh
INIT
fi
chmod +x "$root/init"
for a in "${adds[@]}"; do
	src=${a%%:*}; dest=${a#*:}
	mkdir -p "$root/$(dirname "$dest")"
	cp -a "$src" "$root/$dest"
done
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
