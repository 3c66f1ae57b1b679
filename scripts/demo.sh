#!/bin/bash
# The main job from a fresh Debian 12 machine: installs the packages,
# builds tandem, fetches Debian's cloud kernel and busybox, builds an
# initramfs and boots the guest with its console in this terminal.
# In the guest, 'poweroff -f' ends it. Extra arguments go to `tandem run`.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash scripts/setup-deps.sh
TANDEM_KERNELS=cloud bash scripts/fetch-guest.sh
bash scripts/build.sh
cache=${TANDEM_CACHE:-$HOME/.cache/tandem}
bash scripts/mkinitramfs.sh "$cache/demo-initramfs.cpio.gz"
exec build/tandem run --kernel "$cache/guest/vmlinuz-cloud" --initrd "$cache/demo-initramfs.cpio.gz" \
	--append "console=ttyS0" --memory 512M "$@"
