#!/bin/bash
# End to end with the real tandem and a Debian kernel: virsh defines,
# starts, uses the console of, suspends and resumes a busybox guest; the
# daemon is killed (-9) and restarted under the running guest, which is
# re-attached and still manageable (console, ACPI shutdown); then start,
# destroy, autostart, undefine. Skipped while tandem cannot boot Linux.
# In one console session, rounds of suspend / type a command while paused /
# resume: the input waits in the UART and the command runs after resume.
. "$(dirname "$0")/lib.sh"
echo "1..20"
TANDEM="$top_builddir/tandem"
G="${TANDEM_CACHE:-$HOME/.cache/tandem}/guest"
KERNEL="$G/vmlinuz-cloud"
MODS="$G/modules-cloud"
skip_all() { for i in $(seq 20); do skip "$1"; done; exit 0; }
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
[ $? = 0 ] && ok "the guest runs again after resume" || not_ok "console after resume" "$out"
rounds=()
for i in 1 2 3; do
	rounds+=("!virsh -q -c '$URI' suspend g1" "" "echo round-\$((40+$i))"$'\r' "" "!virsh -q -c '$URI' resume g1" "round-$((40 + i))" "" "guest# ")
done
out=$(TANDEM_EXPECT_TIMEOUT=60 /usr/bin/python3 "$top_srcdir/tests/driver/console-expect.py" "$URI" g1 \
	"Escape character" $'\r' "guest# " "${rounds[@]}" "^]" 2>&1)
[ $? = 0 ] && [ "$(vsh domstate g1)" = running ] && ok "3 rounds of suspend, a command typed while paused, resume: each runs" ||
	not_ok "suspend / type / resume rounds" "$out" "state: $(vsh domstate --reason g1 2>&1)"

id=$(vsh domid g1)
kill -9 "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null
start_daemon "$TANDEM" || { echo "Bail out! daemon did not restart"; exit 1; }
[ "$(vsh domstate g1)" = running ] && [ "$(vsh domid g1)" = "$id" ] \
	&& ok "kill -9 of the daemon: guest re-attached, running, same id" \
	|| not_ok "re-attach" "before: id $id; now: $(vsh domstate --reason g1 2>&1) id $(vsh domid g1 2>&1)" "$(cat "$T_ROOT/daemon.log")"
out=$(console "guest# " 'echo reattached-$((2*3))' "reattached-6")
[ $? = 0 ] && ok "console of the re-attached guest" || not_ok "console after re-attach" "$out"
check "shutdown" vsh shutdown g1
wait_state g1 "shut off (shutdown)" 60 && ok "re-attached guest powers off through ACPI" || not_ok "ACPI power off" "$(tail -20 "$T_ROOT/log/tandem/g1.log")"
check "start again" vsh start g1
vsh destroy g1 >/dev/null 2>&1; [ "$(vsh domstate --reason g1)" = "shut off (destroyed)" ] && ok "destroy" || not_ok "destroy"
check "autostart" vsh autostart g1
[[ "$(vsh dominfo g1)" == *"Autostart:      enable"* ]] && ok "autostart enabled" || not_ok "autostart enabled"
check "undefine" vsh undefine g1
exit 0
