#!/bin/bash
# tandem under valgrind: a freestanding guest started paused, driven through
# the control socket (query-status, cont) until it exits; no invalid access,
# no definite leak.
. "$(dirname "$0")/lib.sh"
echo "1..3"
if ! command -v valgrind >/dev/null; then
	for i in 1 2 3; do skip "valgrind not installed"; done
	exit 0
fi
if grep -q __asan_init "$TANDEM"; then
	for i in 1 2 3; do skip "tandem is built with AddressSanitizer, which valgrind cannot run"; done
	exit 0
fi
sock="$WORK/ctl.sock"
valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 --log-file="$WORK/vg.log" \
	"$TANDEM" run --kernel "$top_builddir/tests/guests/hello64.elf" --memory 64M --paused \
	--control "$sock" --serial "file:$WORK/out" &
pid=$!
for i in $(seq 200); do [ -S "$sock" ] && break; sleep 0.1; done
reply=$(/usr/bin/python3 - "$sock" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile('rw')
f.readline()
out = []
for c in ('qmp_capabilities', 'query-status', 'cont'):
    f.write(json.dumps({'execute': c}) + '\r\n'); f.flush()
    while True:
        line = json.loads(f.readline())
        if 'event' not in line:
            out.append(line); break
print(json.dumps(out))
PY
)
wait $pid
st=$?
check "paused guest reported as paused, then resumed ($reply)" grep -q '"status": "paused"' <<< "$reply"
check "the guest ran to its debug exit under valgrind (status $st, want 33)" test "$st" = 33
check "valgrind: no errors, no definite leaks" grep -q "ERROR SUMMARY: 0 errors" "$WORK/vg.log"
grep -E "definitely lost|ERROR SUMMARY" "$WORK/vg.log" | diag
