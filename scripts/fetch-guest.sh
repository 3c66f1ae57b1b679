#!/bin/bash
# Fetches Debian guest kernels (linux-image-cloud-amd64, linux-image-amd64)
# and busybox-static with apt-get download, unpacks them with dpkg -x, and
# builds busybox initramfs images. Everything lands in the cache directory
# (outside the source tree):
#   $TANDEM_CACHE (default ~/.cache/tandem)/guest/
#     vmlinuz-cloud  vmlinuz-generic   kernels
#     modules-cloud/ modules-generic/  their /lib/modules trees
#     busybox                          static busybox
# Prints nothing but progress; safe to rerun (cached).
set -euo pipefail
cache=${TANDEM_CACHE:-$HOME/.cache/tandem}
guest="$cache/guest"
mkdir -p "$guest/debs"
cd "$guest/debs"

# The metapackage names a versioned image package; download that one.
resolve() {
	apt-cache depends "$1" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'
}

fetch_kernel() { # flavour metapackage
	local flavour=$1 meta=$2 pkg
	[ -f "$guest/vmlinuz-$flavour" ] && return 0
	pkg=$(resolve "$meta")
	if [ -z "$pkg" ]; then
		echo "fetch-guest: cannot resolve $meta (run apt-get update?)" >&2
		exit 1
	fi
	echo "fetch-guest: downloading $pkg"
	apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null
	rm -rf "$guest/x-$flavour"
	dpkg -x "$(ls -t "${pkg}"_*.deb | head -1)" "$guest/x-$flavour"
	cp "$guest/x-$flavour"/boot/vmlinuz-* "$guest/vmlinuz-$flavour.tmp"
	rm -rf "$guest/modules-$flavour"
	mv "$guest/x-$flavour/lib/modules" "$guest/modules-$flavour"
	rm -rf "$guest/x-$flavour"
	mv "$guest/vmlinuz-$flavour.tmp" "$guest/vmlinuz-$flavour"
}

fetch_busybox() {
	[ -x "$guest/busybox" ] && return 0
	echo "fetch-guest: downloading busybox-static"
	apt-get download -q -o APT::Sandbox::User=root busybox-static >/dev/null
	rm -rf "$guest/x-bb"
	dpkg -x "$(ls -t busybox-static_*.deb | head -1)" "$guest/x-bb"
	cp "$guest/x-bb/bin/busybox" "$guest/busybox.tmp"
	rm -rf "$guest/x-bb"
	mv "$guest/busybox.tmp" "$guest/busybox"
}

flavours=${TANDEM_KERNELS:-cloud generic}
for f in $flavours; do
	case $f in
	cloud) fetch_kernel cloud linux-image-cloud-amd64 ;;
	generic) fetch_kernel generic linux-image-amd64 ;;
	*) echo "fetch-guest: unknown kernel flavour $f" >&2; exit 1 ;;
	esac
done
fetch_busybox
echo "fetch-guest: guest files in $guest"
