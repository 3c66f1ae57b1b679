#!/bin/bash
# Session mode and access control: the client library autospawns
# `virttandemd --timeout=120` for a non-root tandem:///session URI (direct
# mode) and finds it at $XDG_RUNTIME_DIR/libvirt/virttandemd-sock; an idle
# session daemon exits after --timeout; SO_PEERCRED keeps other users off
# the read-write system socket, the read-only socket serves them.
. "$(dirname "$0")/lib.sh"
echo "1..11"
if ! id nobody >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
	for i in $(seq 11); do skip "needs root and a 'nobody' user"; done
	exit 0
fi
U=nobody
XDG="$T_ROOT/xdg"
mkdir -p "$XDG" && chown "$U" "$XDG" && chmod 700 "$XDG"
chmod 755 "$T_ROOT"
as_user() { runuser -u "$U" -- env -i PATH="$PATH" HOME="$XDG" XDG_RUNTIME_DIR="$XDG" \
	XDG_CONFIG_HOME="$XDG/config" XDG_CACHE_HOME="$XDG/cache" VIRTD_PATH="$top_builddir" "$@"; }
spawned_pid() { cat "$XDG/tandem/driver.pid" 2>/dev/null; }

out=$(as_user virsh -c 'tandem:///session?mode=direct' list --all 2>&1)
[ $? = 0 ] && [ -S "$XDG/libvirt/virttandemd-sock" ] && ok "autospawn: virsh as $U starts the session daemon" \
	|| not_ok "autospawn" "$out"
pid=$(spawned_pid)
[ -n "$pid" ] && [ "$(tr '\0' ' ' < /proc/$pid/cmdline)" = "$top_builddir/virttandemd --timeout=120 " ] \
	&& [ "$(stat -c %U /proc/$pid)" = "$U" ] && ok "spawned as '$top_builddir/virttandemd --timeout=120', as $U" \
	|| not_ok "spawned daemon" "pid=$pid $(tr '\0' ' ' < /proc/$pid/cmdline 2>/dev/null)"
X="$XDG/s1.xml"; domain_xml s1 > "$X"; chown "$U" "$X"
out=$(as_user virsh -c 'tandem:///session' define "$X" 2>&1)
[ $? = 0 ] && [ -f "$XDG/config/tandem/s1.xml" ] && ok "session define stores in \$XDG_CONFIG_HOME/tandem" \
	|| not_ok "session define" "$out"
[ "$(stat -c %a "$XDG/libvirt")" = 700 ] && ok "session socket directory is 0700" || not_ok "socket dir mode"
[ -n "$pid" ] && kill "$pid"

# idle timeout: a session daemon with no client and no guest exits
as_user "$DAEMON" --session --timeout=1 >/dev/null 2>&1 &
tp=$!
for _ in $(seq 50); do [ -S "$XDG/libvirt/virttandemd-sock" ] && break; sleep 0.1; done
as_user virsh -c "tandem+unix:///session?socket=$XDG/libvirt/virttandemd-sock" list >/dev/null 2>&1
for _ in $(seq 50); do kill -0 $tp 2>/dev/null || break; sleep 0.1; done
if kill -0 $tp 2>/dev/null; then not_ok "--timeout=1: idle daemon exits"; kill $tp; else ok "--timeout=1: idle daemon exits"; fi
wait $tp 2>/dev/null

# system daemon: another user on the rw socket is turned away, -ro serves
start_daemon || { echo "Bail out! daemon did not start"; exit 1; }
chmod 755 "$T_ROOT/run" "$T_ROOT/run/libvirt"
[ "$(stat -c %a "$SOCK")" = 600 ] && [ "$(stat -c %a "$SOCK-ro")" = 666 ] && ok "socket modes 0600 / 0666" \
	|| not_ok "socket modes" "$(stat -c '%a %n' "$SOCK" "$SOCK-ro")"
chmod 666 "$SOCK"       # only SO_PEERCRED stands in the way now
out=$(as_user virsh -c "$URI" list 2>&1)
[ $? != 0 ] && ok "SO_PEERCRED: $U refused on the read-write socket" || not_ok "SO_PEERCRED" "$out"
out=$(as_user virsh -r -c "$URI_RO" list --all 2>&1)
[ $? = 0 ] && ok "$U lists through the read-only socket" || not_ok "read-only socket for $U" "$out"
kill -0 "$DAEMON_PID" && ok "daemon still running" || not_ok "daemon still running"
stop_daemon

# systemd socket activation (LISTEN_FDS): the -ro socket is known by its name
if command -v systemd-socket-activate >/dev/null; then
	SA="$T_ROOT/sa"; mkdir -p "$SA"
	systemd-socket-activate -l "$SA/virttandemd-sock" -l "$SA/virttandemd-sock-ro" \
		"$DAEMON" --root "$T_ROOT" --tandem "$FAKE" >>"$T_ROOT/daemon.log" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 50); do [ -S "$SA/virttandemd-sock-ro" ] && break; sleep 0.05; done
	out=$(virsh -q -c "tandem+unix:///system?socket=$SA/virttandemd-sock" list --all 2>&1)
	[ $? = 0 ] && ok "socket activation: read-write socket from systemd" || not_ok "socket activation rw" "$out"
	out=$(virsh -c "tandem+unix:///system?socket=$SA/virttandemd-sock-ro" define "$XDG/s1.xml" 2>&1)
	[[ "$out" == *"read only access prevents virDomainDefineXML"* ]] && ok "socket activation: -ro socket is read-only" \
		|| not_ok "socket activation ro" "$out"
else
	skip "no systemd-socket-activate"; skip "no systemd-socket-activate"
fi
exit 0
