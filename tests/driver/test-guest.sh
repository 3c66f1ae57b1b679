#!/bin/bash
# End to end with the real tandem and a Debian kernel: virsh defines,
# starts, uses the console of, suspends and resumes a busybox guest; the
# daemon is killed (-9) and restarted under the running guest, which is
# re-attached and still manageable (console, ACPI shutdown); then start,
# destroy, autostart, undefine. Skipped while tandem cannot boot Linux.
. "$(dirname "$0")/lib.sh"
echo "1..19"
TANDEM="$top_builddir/tandem"
G="${TANDEM_CACHE:-$HOME/.cache/tandem}/guest"
KERNEL="$G/vmlinuz-cloud"
MODS="$G/modules-cloud"
skip_all() { for i in $(seq 19); do skip "$1"; done; exit 0; }
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
out=$(vsh list --all 2>&1)
[[ "$out" =~ -[[:space:]]+g1[[:space:]]+shut\ off ]] && ok "list --all" || not_ok "list --all" "$out"
vsh dumpxml g1 > "$T_ROOT/inactive.xml" 2>&1
check "dumpxml validates (virt-xml-validate)" virt-xml-validate "$T_ROOT/inactive.xml" domain
check "start" vsh start g1
[ "$(vsh domstate g1)" = running ] && ok "running" || not_ok "running" "$(cat "$T_ROOT/log/tandem/g1.log")"
console() {  # EXPECT-AFTER-ENTER COMMAND EXPECT (the first one waits for the boot)
	TANDEM_EXPECT_TIMEOUT=${CONSOLE_WAIT:-300} /usr/bin/python3 "$top_srcdir/tests/driver/console-expect.py" "$URI" g1 \
		"Escape character" $'\r' "$1" "$2"$'\r' "$3" "^]" 2>&1
}
out=$(console "guest# " 'echo tandem-$((6*7))' "tandem-42")
[ $? = 0 ] && ok "console: the guest's shell prompt appears and a command runs" || not_ok "console" "$out" "$(tail -20 "$T_ROOT/log/tandem/g1.log")"
CONSOLE_WAIT=60        # booted: the prompt comes at once
check "suspend" vsh suspend g1
[ "$(vsh domstate --reason g1)" = "paused (user)" ] && ok "paused (user)" || not_ok "paused" "$(vsh domstate --reason g1 2>&1)"
check "resume" vsh resume g1
out=$(console "guest# " 'echo resumed-$((1+1))' "resumed-2")
[ $? = 0 ] && ok "the guest runs again after resume" ||
	todo "console after resume" "seen under load: the guest's console stays silent for minutes after suspend/resume" "$out"

id=$(vsh domid g1)
kill -9 "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null
start_daemon "$TANDEM" || { echo "Bail out! daemon did not restart"; exit 1; }
[ "$(vsh domstate g1)" = running ] && [ "$(vsh domid g1)" = "$id" ] \
	&& ok "kill -9 of the daemon: guest re-attached, running, same id" \
	|| not_ok "re-attach" "before: id $id; now: $(vsh domstate --reason g1 2>&1) id $(vsh domid g1 2>&1)" "$(cat "$T_ROOT/daemon.log")"
out=$(console "guest# " 'echo reattached-$((2*3))' "reattached-6")
if [ $? != 0 ]; then
	# seen once under a loaded CI: no output after the re-attach; say so, try again
	echo "# first console attempt after re-attach failed: $(echo "$out" | head -1)"
	out=$(console "guest# " 'echo reattached-$((2*3))' "reattached-6")
fi
[ $? = 0 ] && ok "console of the re-attached guest" || not_ok "console after re-attach" "$out"
check "shutdown" vsh shutdown g1
wait_state g1 "shut off (shutdown)" 60 && ok "re-attached guest powers off through ACPI" || not_ok "ACPI power off" "$(tail -20 "$T_ROOT/log/tandem/g1.log")"
check "start again" vsh start g1
vsh destroy g1 >/dev/null 2>&1; [ "$(vsh domstate --reason g1)" = "shut off (destroyed)" ] && ok "destroy" || not_ok "destroy"
check "autostart" vsh autostart g1
[[ "$(vsh dominfo g1)" == *"Autostart:      enable"* ]] && ok "autostart enabled" || not_ok "autostart enabled"
check "undefine" vsh undefine g1
exit 0
