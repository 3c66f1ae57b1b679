#!/bin/bash
# Installs the Debian 12 packages tandem needs to build, test and boot
# guests. Idempotent; run as root (or through sudo).
set -euo pipefail

PACKAGES=(
	# build
	build-essential autoconf automake libtool pkg-config
	libglib2.0-dev libjson-glib-dev libxml2-dev libxml2-utils libtirpc-dev rpcsvc-proto
	libslirp-dev libseccomp-dev zlib1g-dev liblzma-dev liblz4-dev libzstd-dev
	libvirt-dev linux-libc-dev libzydis-dev
	# tests: real libvirt clients, guest kernels' tools, fuzzing and leak checks
	libvirt-clients python3-libvirt libvirt0 busybox-static cpio xz-utils
	# libvirt's network driver (<interface type='network'>; Debian 12 ships
	# it in libvirt-daemon, later releases in libvirt-daemon-driver-network)
	libvirt-daemon
	clang libclang-rt-14-dev valgrind nasm
	qemu-utils
)
# Benchmarks compare against QEMU TCG and libvirtd's QEMU driver; the
# virt-manager demo runs under Xvfb: scripts/setup-deps.sh --bench
[ "${1:-}" = --bench ] && PACKAGES+=(qemu-system-x86 hyperfine
	libvirt-daemon-driver-qemu
	virt-manager gir1.2-vte-2.91 xvfb x11-utils xdotool imagemagick dbus-x11 fonts-dejavu-core)

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup-deps: installing ${missing[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# apt-get download (guest kernels) needs package lists even when nothing was missing.
if [ -z "$(ls -A /var/lib/apt/lists/ 2>/dev/null | grep -v -e lock -e partial)" ]; then
	$SUDO apt-get update -qq
fi
echo "setup-deps: all build and test packages present"
