#!/bin/bash
# The virsh scenario: stock virsh drives virttandemd on a private socket
# through a domain's whole life. The VMM is the fake one (fake-tandem.py)
# until tandem boots a Linux guest; the real-guest steps are skipped then.
. "$(dirname "$0")/lib.sh"
echo "1..24"
start_daemon || { echo "Bail out! daemon did not start"; exit 1; }
X="$T_ROOT/vm1.xml"
domain_xml vm1 11111111-2222-3333-4444-555555555555 > "$X"

out=$(virsh -c "$URI" define "$X" 2>&1)
[ $? = 0 ] && [[ "$out" == *"Domain 'vm1' defined from $X"* ]] && ok "define" || not_ok "define" "$out"
out=$(vsh list --all 2>&1)
[[ "$out" =~ -[[:space:]]+vm1[[:space:]]+shut\ off ]] && ok "list --all shows vm1 shut off" || not_ok "list --all" "$out"
out=$(vsh dominfo vm1 2>&1)
[[ "$out" == *"State:          shut off"* && "$out" == *"Persistent:     yes"* && "$out" == *"Max memory:     131072 KiB"* ]] \
	&& ok "dominfo" || not_ok "dominfo" "$out"
vsh dumpxml vm1 > "$T_ROOT/inactive.xml" 2>&1
check "inactive dumpxml validates against domain.rng" xmllint --noout --relaxng /usr/share/libvirt/schemas/domain.rng "$T_ROOT/inactive.xml"
[ -f "$T_ROOT/etc/tandem/vm1.xml" ] && ok "config file written" || not_ok "config file written"

out=$(virsh -c "$URI" start vm1 2>&1)
[ $? = 0 ] && [[ "$out" == *"Domain 'vm1' started"* ]] && ok "start" || not_ok "start" "$out"
out=$(vsh list 2>&1)
[[ "$out" =~ [0-9]+[[:space:]]+vm1[[:space:]]+running ]] && ok "list shows vm1 running with an id" || not_ok "list running" "$out"
vsh dumpxml vm1 > "$T_ROOT/live.xml" 2>&1
if xmllint --noout --relaxng /usr/share/libvirt/schemas/domain.rng "$T_ROOT/live.xml" 2>/dev/null &&
   grep -q "id=" "$T_ROOT/live.xml" && grep -q "source path=./dev/pts/" "$T_ROOT/live.xml"; then
	ok "live dumpxml validates, has id and pty"
else
	not_ok "live dumpxml" "$(cat "$T_ROOT/live.xml")"
fi
out=$(virsh -c "$URI" start vm1 2>&1)
[ $? != 0 ] && [[ "$out" == *"Domain is already active"* ]] && ok "second start refused" || not_ok "second start refused" "$out"

out=$(/usr/bin/python3 "$top_srcdir/tests/driver/console-expect.py" "$URI" vm1 \
	"Escape character" $'\r' "# " $'echo hello-from-guest\r' "hello-from-guest" "^]" 2>&1)
[ $? = 0 ] && ok "console: prompt appears, a command runs, ^] leaves" || not_ok "console" "$out"

check "suspend" vsh suspend vm1
[ "$(vsh domstate --reason vm1)" = "paused (user)" ] && ok "state paused (user)" || not_ok "state paused"
check "resume" vsh resume vm1
[ "$(vsh domstate --reason vm1)" = "running (unpaused)" ] && ok "state running (unpaused)" || not_ok "state running"

out=$(virsh -c "$URI" shutdown vm1 2>&1)
[[ "$out" == *"is being shutdown"* ]] && wait_state vm1 "shut off (shutdown)" && ok "shutdown: guest powers off (ACPI)" || not_ok "shutdown" "$out"
check "start again" vsh start vm1
out=$(virsh -c "$URI" destroy vm1 2>&1)
[[ "$out" == *"Domain 'vm1' destroyed"* ]] && [ "$(vsh domstate --reason vm1)" = "shut off (destroyed)" ] \
	&& ok "destroy" || not_ok "destroy" "$out"

check "autostart" vsh autostart vm1
[[ "$(vsh dominfo vm1)" == *"Autostart:      enable"* && -L "$T_ROOT/etc/tandem/autostart/vm1.xml" ]] \
	&& ok "autostart enabled (symlink)" || not_ok "autostart enabled"
vsh autostart --disable vm1 >/dev/null 2>&1
[ ! -e "$T_ROOT/etc/tandem/autostart/vm1.xml" ] && ok "autostart --disable" || not_ok "autostart --disable"

out=$(virsh -c "$URI" undefine vm1 2>&1)
[[ "$out" == *"Domain 'vm1' has been undefined"* ]] && ok "undefine" || not_ok "undefine" "$out"
[ -z "$(vsh list --all --name)" ] && [ ! -e "$T_ROOT/etc/tandem/vm1.xml" ] && ok "gone from list and disk" \
	|| not_ok "gone from list and disk"
out=$(virsh -c "$URI" dominfo vm1 2>&1)
[ $? != 0 ] && [[ "$out" == *"failed to get domain 'vm1'"* ]] && ok "lookup of undefined domain fails" \
	|| not_ok "lookup of undefined" "$out"

# (the same scenario with the real tandem and a Debian kernel: test-guest.sh)
kill -0 "$DAEMON_PID" && ok "daemon still running" || not_ok "daemon still running"
exit 0
