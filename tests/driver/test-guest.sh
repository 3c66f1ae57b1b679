#!/bin/bash
# End to end with the real tandem and a Debian kernel: virsh defines,
# starts, uses the console of, shuts down (ACPI power button) and destroys
# a busybox guest. Skipped while tandem cannot boot Linux yet.
. "$(dirname "$0")/lib.sh"
echo "1..9"
TANDEM="$top_builddir/tandem"
G="${TANDEM_CACHE:-$HOME/.cache/tandem}/guest"
KERNEL="$G/vmlinuz-cloud"
MODS="$G/modules-cloud"
skip_all() { for i in $(seq 9); do skip "$1"; done; exit 0; }
[ -x "$TANDEM" ] && [ -f "$KERNEL" ] || skip_all "no tandem binary or guest kernel"
probe=$(timeout 3 "$TANDEM" run --kernel "$KERNEL" --memory 64M --serial none 2>&1 | head -3)
case "$probe" in *"not assembled"*|*"unknown option"*|*"unrecognized"*) skip_all "tandem cannot boot Linux yet: $probe" ;; esac

INITRD="$T_ROOT/guest.cpio.gz"
adds=()
for m in drivers/input/evdev.ko drivers/acpi/button.ko; do
	f=$(ls "$MODS"/*/kernel/$m 2>/dev/null | head -1)
	[ -n "$f" ] && adds+=(--add "$f:/lib/modules/$(basename "$m")")
done
"$top_srcdir/scripts/mkinitramfs.sh" "$INITRD" --init "$top_srcdir/tests/driver/guest-init.sh" "${adds[@]}" \
	>/dev/null 2>&1 || skip_all "cannot build the initramfs"
start_daemon "$TANDEM" || { echo "Bail out! daemon did not start"; exit 1; }
GUEST_KERNEL="$KERNEL" GUEST_INITRD="$INITRD" domain_xml g1 | sed 's|<cmdline>console=ttyS0</cmdline>|<cmdline>console=ttyS0 quiet cryptomgr.notests</cmdline>|; s|128</memory>|256</memory>|' > "$T_ROOT/g1.xml"
check "define the guest" vsh define "$T_ROOT/g1.xml"
check "start" vsh start g1
[ "$(vsh domstate g1)" = running ] && ok "running" || not_ok "running" "$(cat "$T_ROOT/log/tandem/g1.log")"
out=$(TANDEM_EXPECT_TIMEOUT=300 /usr/bin/python3 "$top_srcdir/tests/driver/console-expect.py" "$URI" g1 \
	"Escape character" $'\r' "guest# " $'echo tandem-$((6*7))\r' "tandem-42" "^]" 2>&1)
[ $? = 0 ] && ok "console: the guest's shell prompt appears and a command runs" || not_ok "console" "$out" "$(tail -20 "$T_ROOT/log/tandem/g1.log")"
check "shutdown" vsh shutdown g1
wait_state g1 "shut off (shutdown)" 60 && ok "guest powers off through ACPI" || not_ok "ACPI power off" "$(tail -20 "$T_ROOT/log/tandem/g1.log")"
check "start again" vsh start g1
vsh destroy g1 >/dev/null 2>&1; [ "$(vsh domstate --reason g1)" = "shut off (destroyed)" ] && ok "destroy" || not_ok "destroy"
check "undefine" vsh undefine g1
exit 0
